//! Two DTLS-SRTP endpoints (client and server, DTLS 1.2, 1.3 or auto, chosen by the first byte)
//! over a wire the input controls: deliver, drop, corrupt or duplicate the next datagram, inject
//! arbitrary datagrams into either side, move time, poll with small buffers, give fingerprints
//! late, close. Invariants: no panic; `poll_transmit` never reports more bytes than the buffer
//! holds and refuses a small buffer without losing the datagram; after `handle_timeout(now)` the
//! next wake-up is never before `now`; a failed or closed endpoint schedules nothing. Events:
//! `Connected` at most once per side and never after `Failed`, `Failed` at most once; a
//! `Connected` names the peer's real certificate, this side's role, keying material of the
//! profile's length (RFC 5764 §4.2) and sessions of that profile; the server never connects
//! when every fingerprint it was given is wrong. When both sides connected: the same profile and
//! keying material, and their SRTP sessions interoperate both ways (RTP and RTCP protected by
//! one are verified and decrypted by the other, and refused by the sender's own inbound).
#![no_main]

use std::collections::VecDeque;
use std::sync::OnceLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use rtcweb_srtp_core::dtls::{
    Certificate, Connected, DtlsConfig, DtlsContext, DtlsError, DtlsEvent, DtlsSrtp, DtlsState,
    Fingerprint, SrtpSessions, VersionPolicy,
};
use rtcweb_srtp_core::{BufferTooSmall, DtlsRole, Error, Instant};

fn certificates() -> &'static (Certificate, Certificate) {
    static C: OnceLock<(Certificate, Certificate)> = OnceLock::new();
    C.get_or_init(|| {
        (
            Certificate::self_signed(&[1; 32]).expect("certificate"),
            Certificate::self_signed(&[2; 32]).expect("certificate"),
        )
    })
}

/// Seeded contexts (reproducible runs), made once: building one runs dimpl's provider
/// self-tests. Index: version policy × MTU (200: flights in many fragments, or 1150).
fn context(versions: VersionPolicy, small_mtu: bool) -> &'static DtlsContext {
    static C: OnceLock<Vec<DtlsContext>> = OnceLock::new();
    let all = C.get_or_init(|| {
        let mut v = Vec::new();
        for versions in [
            VersionPolicy::Dtls12,
            VersionPolicy::Dtls13,
            VersionPolicy::Auto,
        ] {
            for mtu in [200, 1150] {
                let config = DtlsConfig {
                    versions,
                    mtu,
                    ..DtlsConfig::default()
                };
                v.push(DtlsContext::seeded(&config, &[5; 32]).expect("context"));
            }
        }
        v
    });
    let i = match versions {
        VersionPolicy::Dtls12 => 0,
        VersionPolicy::Dtls13 => 2,
        _ => 4,
    } + usize::from(!small_mtu);
    &all[i]
}

/// Reads the input front to back; zeros once it runs out.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        let Some((&b, rest)) = self.0.split_first() else {
            return 0;
        };
        self.0 = rest;
        b
    }

    fn bytes(&mut self, n: usize) -> &[u8] {
        let n = n.min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head
    }
}

/// What one side reported.
#[derive(Default)]
struct Seen {
    connected: Option<Box<Connected>>,
    failed: bool,
}

impl Seen {
    /// Takes the side's events, checking each against what came before.
    fn take_events(&mut self, ep: &mut DtlsSrtp, peer: Fingerprint) {
        while let Some(event) = ep.poll_event() {
            match event {
                DtlsEvent::Connected(c) => {
                    assert!(self.connected.is_none(), "Connected twice");
                    assert!(!self.failed, "Connected after Failed");
                    assert_eq!(c.role, ep.role());
                    assert_eq!(c.peer_fingerprint, peer, "connected to another certificate");
                    let profile = c.profile.srtp_profile();
                    assert_eq!(
                        c.keying_material.as_bytes().len(),
                        c.profile.keying_material_len()
                    );
                    assert_eq!(
                        (c.srtp.outbound.profile(), c.srtp.inbound.profile()),
                        (profile, profile)
                    );
                    self.connected = Some(c);
                }
                DtlsEvent::Failed(_) => {
                    assert!(!self.failed, "Failed twice");
                    self.failed = true;
                }
                _ => {}
            }
        }
    }
}

/// `from` protects RTP and RTCP of `ssrc` that `to` verifies and decrypts; `from`'s own inbound
/// refuses it (one key per direction, RFC 5764 §4.2).
fn srtp_flows(from: &mut SrtpSessions, to: &mut SrtpSessions, ssrc: u32) {
    let mut buf = [0u8; 128];
    let rtp = [
        0x80, 96, 0, 7, 0, 0, 0, 160, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
    ];
    buf[..rtp.len()].copy_from_slice(&rtp);
    buf[8..12].copy_from_slice(&ssrc.to_be_bytes());
    let clear = buf[..rtp.len()].to_vec();
    let n = from
        .outbound
        .protect_rtp(&mut buf, rtp.len())
        .expect("protect_rtp");
    let mut own = buf[..n].to_vec();
    assert_eq!(
        from.inbound.unprotect_rtp(&mut own),
        Err(Error::AuthenticationFailed)
    );
    let m = to
        .inbound
        .unprotect_rtp(&mut buf[..n])
        .expect("the peer verifies our SRTP");
    assert_eq!(buf[..m], clear[..]);
    let rtcp = [0x80, 201, 0, 1, 0, 0, 0, 0];
    buf[..rtcp.len()].copy_from_slice(&rtcp);
    buf[4..8].copy_from_slice(&ssrc.to_be_bytes());
    let clear = buf[..rtcp.len()].to_vec();
    let n = from
        .outbound
        .protect_rtcp(&mut buf, rtcp.len())
        .expect("protect_rtcp");
    let m = to
        .inbound
        .unprotect_rtcp(&mut buf[..n])
        .expect("the peer verifies our SRTCP");
    assert_eq!(buf[..m], clear[..]);
}

/// Both sides connected: one profile, one keying material, sessions that interoperate.
fn check_pair(a: &mut Connected, b: &mut Connected) {
    assert_ne!(a.role, b.role);
    assert_eq!(a.version, b.version);
    assert_eq!(a.profile, b.profile);
    assert_eq!(a.keying_material.as_bytes(), b.keying_material.as_bytes());
    srtp_flows(&mut a.srtp, &mut b.srtp, 0x0a0a_0a0a);
    srtp_flows(&mut b.srtp, &mut a.srtp, 0x0b0b_0b0b);
}

/// Moves one side's queued datagrams onto its outgoing wire, checking `poll_transmit`.
fn collect(ep: &mut DtlsSrtp, now: Instant, wire: &mut VecDeque<Vec<u8>>, small: usize) {
    let mut buf = vec![0u8; 2048];
    // A small buffer is refused with the size needed, and the datagram is kept.
    let mut tiny = vec![0u8; small];
    match ep.poll_transmit(now, &mut tiny) {
        Ok(Some(n)) => {
            assert!(n <= tiny.len());
            wire.push_back(tiny[..n].to_vec());
        }
        Ok(None) => {}
        Err(BufferTooSmall { needed }) => {
            assert!(needed > small && needed <= buf.len());
        }
    }
    while let Some(n) = ep.poll_transmit(now, &mut buf).expect("2048 bytes suffice") {
        assert!(n <= buf.len());
        if wire.len() < 256 {
            wire.push_back(buf[..n].to_vec());
        }
    }
}

fn check_timeout(ep: &DtlsSrtp, now: Instant) {
    if let Some(t) = ep.poll_timeout() {
        assert!(t >= now, "wake-up {t:?} before now {now:?}");
    }
    if matches!(ep.state(), DtlsState::Failed | DtlsState::Closed) {
        assert!(ep.poll_timeout().is_none());
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let mode = input.byte();
    let versions = match mode % 3 {
        0 => VersionPolicy::Dtls12,
        1 => VersionPolicy::Dtls13,
        _ => VersionPolicy::Auto,
    };
    let context = context(versions, mode & 0x40 != 0);
    let (ca, cb) = certificates();
    let late = mode & 0x80 != 0;
    let mut now = Instant::ZERO;
    let mut a = DtlsSrtp::with_context(now, DtlsRole::Client, ca, Some(cb.fingerprint()), context);
    let b_expects = if late { None } else { Some(ca.fingerprint()) };
    let mut b = DtlsSrtp::with_context(now, DtlsRole::Server, cb, b_expects, context);
    let mut to_b = VecDeque::new();
    let mut to_a = VecDeque::new();
    let (mut seen_a, mut seen_b) = (Seen::default(), Seen::default());
    // Whether the server was ever given the client's real fingerprint.
    let mut b_given_right = !late;
    let mut pair_checked = false;
    for _ in 0..512 {
        if input.0.is_empty() {
            break;
        }
        let op = input.byte();
        let small = usize::from(input.byte());
        collect(&mut a, now, &mut to_b, small);
        collect(&mut b, now, &mut to_a, small);
        seen_a.take_events(&mut a, cb.fingerprint());
        seen_b.take_events(&mut b, ca.fingerprint());
        assert!(
            seen_b.connected.is_none() || b_given_right,
            "the server connected with only wrong fingerprints given"
        );
        if let (false, Some(ka), Some(kb)) = (
            pair_checked,
            seen_a.connected.as_deref_mut(),
            seen_b.connected.as_deref_mut(),
        ) {
            check_pair(ka, kb);
            pair_checked = true;
        }
        let (wire, rx) = if op & 1 == 0 {
            (&mut to_b, &mut b)
        } else {
            (&mut to_a, &mut a)
        };
        match op >> 1 {
            // Deliver the next datagram.
            0..=39 => {
                if let Some(d) = wire.pop_front() {
                    let _ = rx.handle_receive(now, &d);
                }
            }
            // Drop it.
            40..=49 => {
                wire.pop_front();
            }
            // Corrupt one byte of it, then deliver.
            50..=69 => {
                if let Some(mut d) = wire.pop_front() {
                    let at = usize::from(input.byte()) % d.len().max(1);
                    if let Some(x) = d.get_mut(at) {
                        *x ^= input.byte() | 1;
                    }
                    let _ = rx.handle_receive(now, &d);
                }
            }
            // Deliver twice.
            70..=79 => {
                if let Some(d) = wire.pop_front() {
                    let _ = rx.handle_receive(now, &d);
                    let _ = rx.handle_receive(now, &d);
                }
            }
            // Swap the next two.
            80..=89 => {
                if wire.len() >= 2 {
                    wire.swap(0, 1);
                }
            }
            // Inject arbitrary bytes (a DTLS content type first, half the time).
            90..=109 => {
                let len = usize::from(input.byte()) * 4;
                let mut d = input.bytes(len).to_vec();
                if op & 2 == 0 {
                    if let Some(first) = d.first_mut() {
                        *first = 20 + *first % 4;
                    }
                }
                let _ = rx.handle_receive(now, &d);
            }
            // Move time on and wake whoever is due.
            110..=124 => {
                let ms = u64::from(input.byte()) * 64 + u64::from(input.byte());
                now = now + Duration::from_millis(ms);
                for ep in [&mut a, &mut b] {
                    if ep.poll_timeout().is_some_and(|t| t <= now) {
                        ep.handle_timeout(now);
                        check_timeout(ep, now);
                    }
                }
            }
            // The answer's fingerprint arrives (right or wrong).
            125 => {
                // (op is 250 or 251 here: the choice comes from the next byte.)
                let fp = if input.byte() & 1 == 0 {
                    b_given_right = true;
                    ca.fingerprint()
                } else {
                    cb.fingerprint()
                };
                let _ = b.set_remote_fingerprint(fp);
            }
            // Close one side.
            _ => rx.close(now),
        }
        check_timeout(&a, now);
        check_timeout(&b, now);
    }
    // The events of the last step too.
    collect(&mut a, now, &mut to_b, 2048);
    collect(&mut b, now, &mut to_a, 2048);
    seen_a.take_events(&mut a, cb.fingerprint());
    seen_b.take_events(&mut b, ca.fingerprint());
    assert!(seen_b.connected.is_none() || b_given_right);
    if let (false, Some(ka), Some(kb)) = (
        pair_checked,
        seen_a.connected.as_deref_mut(),
        seen_b.connected.as_deref_mut(),
    ) {
        check_pair(ka, kb);
    }
});
