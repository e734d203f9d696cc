//! Two endpoints on a virtual clock over an in-memory wire that can drop, duplicate and reorder.
#![allow(dead_code)]

use std::time::Duration;

use rtcweb_srtp_core::dtls::{
    Certificate, Connected, DtlsConfig, DtlsError, DtlsEvent, DtlsSrtp, Fingerprint, SrtpSessions,
    VersionPolicy,
};
use rtcweb_srtp_core::{DtlsRole, Error, Instant};

/// One side of the pair.
pub struct Side {
    pub ep: DtlsSrtp,
    pub cert: Certificate,
    pub events: Vec<DtlsEvent>,
    /// Errors `handle_receive` returned.
    pub errors: Vec<DtlsError>,
}

/// What the wire does with one datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    Deliver,
    Drop,
    Duplicate,
}

/// Which side sent a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum From {
    A,
    B,
}

/// A batch: the datagrams one side had queued when polled.
#[derive(Debug, Clone, Copy)]
pub struct Batch {
    /// Counted from 1 over both sides, in order of sending.
    pub index: usize,
    pub from: From,
    /// The datagram's position in the batch and the batch's size.
    pub position: usize,
    pub len: usize,
}

pub fn certificate(seed: u8) -> Certificate {
    Certificate::self_signed(&[seed; 32]).unwrap()
}

pub fn config(versions: VersionPolicy) -> DtlsConfig {
    DtlsConfig {
        versions,
        ..DtlsConfig::default()
    }
}

/// A (role a) and B (role b), each expecting the other's certificate unless overridden.
pub fn pair(
    a_role: DtlsRole,
    b_role: DtlsRole,
    a_config: &DtlsConfig,
    b_config: &DtlsConfig,
    a_expects: Option<Fingerprint>,
    b_expects: Option<Fingerprint>,
) -> (Side, Side) {
    let (ca, cb) = (certificate(1), certificate(2));
    let a_expects = a_expects.unwrap_or_else(|| cb.fingerprint());
    let b_expects = b_expects.unwrap_or_else(|| ca.fingerprint());
    let a = DtlsSrtp::new(
        Instant::ZERO,
        a_role,
        &ca,
        Some(a_expects),
        a_config,
        &[11; 32],
    )
    .unwrap();
    let b = DtlsSrtp::new(
        Instant::ZERO,
        b_role,
        &cb,
        Some(b_expects),
        b_config,
        &[12; 32],
    )
    .unwrap();
    (
        Side {
            ep: a,
            cert: ca,
            events: Vec::new(),
            errors: Vec::new(),
        },
        Side {
            ep: b,
            cert: cb,
            events: Vec::new(),
            errors: Vec::new(),
        },
    )
}

/// The standard client (A) / server (B) pair.
pub fn client_server(versions: VersionPolicy) -> (Side, Side) {
    let c = config(versions);
    pair(DtlsRole::Client, DtlsRole::Server, &c, &c, None, None)
}

/// Whether a side is done: connected, failed or closed.
pub fn settled(s: &Side) -> bool {
    s.events
        .iter()
        .any(|e| matches!(e, DtlsEvent::Connected(_) | DtlsEvent::Failed(_)))
}

/// The result of [`run`].
pub struct Run {
    pub now: Instant,
    pub batches: usize,
    pub datagrams: usize,
}

/// Drives both sides until both are settled (and the wire is empty) or `limit` of virtual time
/// passed. Each loop delivers A's queued datagrams to B, then B's to A, through `wire`
/// (deliver, drop, duplicate) and `reorder` (reverses a batch when true); when nothing is in
/// flight, time jumps to the earlier wake-up of the two. Checks the Sans-IO invariants on the way.
pub fn run(
    a: &mut Side,
    b: &mut Side,
    limit: Duration,
    mut wire: impl FnMut(&Batch, &[u8]) -> Fate,
    mut reorder: impl FnMut(&Batch) -> bool,
) -> Run {
    let mut now = Instant::ZERO;
    let mut batches = 0;
    let mut datagrams = 0;
    let mut buf = vec![0u8; 2048];
    loop {
        let mut moved = false;
        for from in [From::A, From::B] {
            let (tx, rx) = match from {
                From::A => (&mut *a, &mut *b),
                From::B => (&mut *b, &mut *a),
            };
            let mut out = Vec::new();
            while let Some(n) = tx.ep.poll_transmit(now, &mut buf).unwrap() {
                assert!(n <= buf.len());
                out.push(buf[..n].to_vec());
            }
            while let Some(e) = tx.ep.poll_event() {
                tx.events.push(e);
            }
            if out.is_empty() {
                continue;
            }
            moved = true;
            batches += 1;
            let len = out.len();
            let mut batch = Batch {
                index: batches,
                from,
                position: 0,
                len,
            };
            if reorder(&batch) {
                out.reverse();
            }
            for (position, d) in out.iter().enumerate() {
                batch.position = position;
                datagrams += 1;
                let copies = match wire(&batch, d) {
                    Fate::Deliver => 1,
                    Fate::Drop => 0,
                    Fate::Duplicate => 2,
                };
                for _ in 0..copies {
                    if let Err(e) = rx.ep.handle_receive(now, d) {
                        rx.errors.push(e);
                    }
                }
            }
            while let Some(e) = rx.ep.poll_event() {
                rx.events.push(e);
            }
        }
        if moved {
            continue;
        }
        if settled(a) && settled(b) {
            return Run {
                now,
                batches,
                datagrams,
            };
        }
        let next = [a.ep.poll_timeout(), b.ep.poll_timeout()]
            .into_iter()
            .flatten()
            .min();
        let Some(next) = next else {
            return Run {
                now,
                batches,
                datagrams,
            };
        };
        assert!(next >= now, "a wake-up in the past: {next:?} < {now:?}");
        now = next;
        if now.saturating_duration_since(Instant::ZERO) > limit {
            return Run {
                now,
                batches,
                datagrams,
            };
        }
        for s in [&mut *a, &mut *b] {
            if s.ep.poll_timeout().is_some_and(|t| t <= now) {
                s.ep.handle_timeout(now);
                if let Some(t) = s.ep.poll_timeout() {
                    assert!(
                        t > now || s.ep.poll_transmit(now, &mut buf).unwrap().is_some(),
                        "handle_timeout left a due wake-up and nothing to send"
                    );
                }
            }
        }
    }
}

/// A lossless, in-order run.
pub fn run_clean(a: &mut Side, b: &mut Side) -> Run {
    run(
        a,
        b,
        Duration::from_secs(60),
        |_, _| Fate::Deliver,
        |_| false,
    )
}

/// The `Connected` event of a side.
pub fn connected(s: &Side) -> &rtcweb_srtp_core::dtls::Connected {
    s.events
        .iter()
        .find_map(|e| match e {
            DtlsEvent::Connected(c) => Some(&**c),
            _ => None,
        })
        .expect("connected")
}

/// The `Connected` event of a side, to use its sessions.
pub fn connected_mut(s: &mut Side) -> &mut Connected {
    s.events
        .iter_mut()
        .find_map(|e| match e {
            DtlsEvent::Connected(c) => Some(&mut **c),
            _ => None,
        })
        .expect("connected")
}

/// An RTP packet (`ssrc`, `seq`, 21 bytes of payload) and its length, with room for any tag
/// and MKI behind it.
pub fn rtp(ssrc: u32, seq: u16) -> (Vec<u8>, usize) {
    let mut p = vec![0x80, 96];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&(u32::from(seq) * 160).to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(b"twenty-one bytes of m");
    let len = p.len();
    p.resize(len + 64, 0);
    (p, len)
}

/// An RTCP receiver report of `ssrc` with no report blocks, and room behind it.
pub fn rtcp(ssrc: u32) -> (Vec<u8>, usize) {
    let mut p = vec![0x80, 201, 0, 1];
    p.extend_from_slice(&ssrc.to_be_bytes());
    let len = p.len();
    p.resize(len + 64, 0);
    (p, len)
}

/// What `from` protects (RTP and RTCP of `ssrc`), `to` verifies and decrypts back to the
/// plaintext; a flipped bit is refused with the buffer unchanged; and `from`'s own inbound
/// session refuses it (each direction has its own key, RFC 5764 §4.2).
pub fn assert_srtp_flows(from: &mut SrtpSessions, to: &mut SrtpSessions, ssrc: u32) {
    for seq in 1u16..=4 {
        let (mut p, len) = rtp(ssrc, seq);
        let clear = p[..len].to_vec();
        let n = from.outbound.protect_rtp(&mut p, len).unwrap();
        assert!(n > len);
        assert_ne!(&p[12..len], &clear[12..], "payload not encrypted");
        let mut own = p[..n].to_vec();
        assert_eq!(
            from.inbound.unprotect_rtp(&mut own),
            Err(Error::AuthenticationFailed),
            "both directions share a key"
        );
        let mut tampered = p[..n].to_vec();
        tampered[n - 1] ^= 1;
        let before = tampered.clone();
        assert_eq!(
            to.inbound.unprotect_rtp(&mut tampered),
            Err(Error::AuthenticationFailed)
        );
        assert_eq!(tampered, before);
        let m = to.inbound.unprotect_rtp(&mut p[..n]).unwrap();
        assert_eq!(&p[..m], &clear[..]);
    }
    for _ in 0..3 {
        let (mut p, len) = rtcp(ssrc);
        let clear = p[..len].to_vec();
        let n = from.outbound.protect_rtcp(&mut p, len).unwrap();
        let m = to.inbound.unprotect_rtcp(&mut p[..n]).unwrap();
        assert_eq!(&p[..m], &clear[..]);
    }
}

/// Both directions between two sessions pairs: `a` to `b` with SSRC `ssrc`, `b` to `a` with
/// `ssrc + 1`.
pub fn assert_srtp_both_ways(a: &mut SrtpSessions, b: &mut SrtpSessions, ssrc: u32) {
    assert_srtp_flows(a, b, ssrc);
    assert_srtp_flows(b, a, ssrc.wrapping_add(1));
}

/// The `Failed` error of a side.
pub fn failed(s: &Side) -> Option<&DtlsError> {
    s.events.iter().find_map(|e| match e {
        DtlsEvent::Failed(f) => Some(f),
        _ => None,
    })
}

/// A deterministic xorshift generator for the random wire.
pub struct XorShift(pub u64);

impl XorShift {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// True with probability `percent` %.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}
