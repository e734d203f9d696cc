//! SRTP AES_CM_128_HMAC_SHA1_80 protect and unprotect of the shared 172- and 1212-byte RTP
//! packets: rtcweb-srtp-core's multi-stream `Session` vs libsrtp2 (OpenSSL backend, through
//! `rtcweb-srtp-interop`) vs webrtc-srtp's `Context`, receivers with a replay window of 128.

use std::hint::black_box;
use std::time::{Duration, Instant};

use rtcweb_bench::{Contender, Group, Harness, Routine, Workload};
use rtcweb_srtp_core::{Config, KeyingMaterial, Profile, Session};
use rtcweb_srtp_interop::{LibSrtp, Suite, MAX_TRAILER};
use webrtc_srtp::context::Context as WebrtcContext;
use webrtc_srtp::option::srtp_replay_protection;
use webrtc_srtp::protection_profile::ProtectionProfile;

const KEY_SALT: &[u8] = include_bytes!("../../data/srtp_master_key_salt.bin");
const RTP_172: &[u8] = include_bytes!("../../data/rtp_172.bin");
const RTP_1212: &[u8] = include_bytes!("../../data/rtp_1212.bin");
/// The packets as libsrtp protects them (their own sequence number 1, ROC 0).
const KAT_172: &[u8] = include_bytes!("../../data/srtp_kat_172.bin");
const KAT_1212: &[u8] = include_bytes!("../../data/srtp_kat_1212.bin");

/// Replay window of every receiver (packets).
const REPLAY_WINDOW: usize = 128;
/// Packets protected (outside the timing) per batch fed to a receiver: few enough to stay in
/// cache, like a packet just received.
const BATCH: usize = 128;

/// One SRTP implementation through the calls its users make. The timed calls panic on failure
/// (the branch is the same for all); the checks use the copying forms.
trait Srtp {
    /// Protects `buf[..len]`; returns the protected length (output in `buf` for in-place APIs).
    fn protect(&mut self, buf: &mut [u8], len: usize) -> usize;
    /// Unprotects `packet`; returns the plaintext length (output in `packet` for in-place APIs).
    fn unprotect(&mut self, packet: &mut [u8]) -> usize;
    /// The protected packet, or `None` when refused.
    fn protect_copy(&mut self, plain: &[u8]) -> Option<Vec<u8>>;
    /// The plaintext packet, or `None` when refused (authentication, replay).
    fn unprotect_copy(&mut self, packet: &[u8]) -> Option<Vec<u8>>;
}

/// rtcweb-srtp-core: one `Session` per direction (SSRC lookup, stream created on first use).
struct Ours(Session);

impl Ours {
    fn new() -> Self {
        let key = KeyingMaterial::from_key_salt(Profile::AesCm128HmacSha1_80, KEY_SALT).unwrap();
        let config = Config {
            replay_window: REPLAY_WINDOW,
            ..Config::default()
        };
        Self(Session::new(&key, &config).unwrap())
    }
}

impl Srtp for Ours {
    fn protect(&mut self, buf: &mut [u8], len: usize) -> usize {
        self.0.protect_rtp(buf, len).expect("rtcweb protect")
    }
    fn unprotect(&mut self, packet: &mut [u8]) -> usize {
        self.0.unprotect_rtp(packet).expect("rtcweb unprotect")
    }
    fn protect_copy(&mut self, plain: &[u8]) -> Option<Vec<u8>> {
        let mut b = plain.to_vec();
        b.resize(plain.len() + MAX_TRAILER, 0);
        let n = self.0.protect_rtp(&mut b, plain.len()).ok()?;
        b.truncate(n);
        Some(b)
    }
    fn unprotect_copy(&mut self, packet: &[u8]) -> Option<Vec<u8>> {
        let mut b = packet.to_vec();
        let n = self.0.unprotect_rtp(&mut b).ok()?;
        b.truncate(n);
        Some(b)
    }
}

/// libsrtp2 (OpenSSL backend): one session per direction with a wildcard SSRC stream.
struct Lib(LibSrtp);

impl Lib {
    fn new(outbound: bool) -> Self {
        Self(LibSrtp::new(
            Suite::AesCm128HmacSha1_80,
            KEY_SALT,
            outbound,
            REPLAY_WINDOW as u64,
        ))
    }
}

impl Srtp for Lib {
    fn protect(&mut self, buf: &mut [u8], len: usize) -> usize {
        self.0.protect(buf, len).expect("libsrtp protect")
    }
    fn unprotect(&mut self, packet: &mut [u8]) -> usize {
        self.0.unprotect(packet).expect("libsrtp unprotect")
    }
    fn protect_copy(&mut self, plain: &[u8]) -> Option<Vec<u8>> {
        let mut b = plain.to_vec();
        b.resize(plain.len() + MAX_TRAILER, 0);
        let n = self.0.protect(&mut b, plain.len()).ok()?;
        b.truncate(n);
        Some(b)
    }
    fn unprotect_copy(&mut self, packet: &[u8]) -> Option<Vec<u8>> {
        let mut b = packet.to_vec();
        let n = self.0.unprotect(&mut b).ok()?;
        b.truncate(n);
        Some(b)
    }
}

/// webrtc-srtp: a `Context` per direction; its API reads a slice and returns a new `Bytes`.
struct Webrtc(WebrtcContext);

impl Webrtc {
    fn new(outbound: bool) -> Self {
        let replay = (!outbound).then(|| srtp_replay_protection(REPLAY_WINDOW));
        Self(
            WebrtcContext::new(
                &KEY_SALT[..16],
                &KEY_SALT[16..],
                ProtectionProfile::Aes128CmHmacSha1_80,
                replay,
                None,
            )
            .unwrap(),
        )
    }
}

impl Srtp for Webrtc {
    fn protect(&mut self, buf: &mut [u8], len: usize) -> usize {
        let out = self
            .0
            .encrypt_rtp(&buf[..len])
            .expect("webrtc-srtp protect");
        black_box(&out);
        out.len()
    }
    fn unprotect(&mut self, packet: &mut [u8]) -> usize {
        let out = self.0.decrypt_rtp(packet).expect("webrtc-srtp unprotect");
        black_box(&out);
        out.len()
    }
    fn protect_copy(&mut self, plain: &[u8]) -> Option<Vec<u8>> {
        self.0.encrypt_rtp(plain).ok().map(|b| b.to_vec())
    }
    fn unprotect_copy(&mut self, packet: &[u8]) -> Option<Vec<u8>> {
        self.0.decrypt_rtp(packet).ok().map(|b| b.to_vec())
    }
}

fn senders() -> Vec<(&'static str, Box<dyn Srtp>)> {
    vec![
        ("rtcweb-srtp-core", Box::new(Ours::new())),
        ("libsrtp2-openssl", Box::new(Lib::new(true))),
        ("webrtc-srtp", Box::new(Webrtc::new(true))),
    ]
}

fn receivers() -> Vec<(&'static str, Box<dyn Srtp>)> {
    vec![
        ("rtcweb-srtp-core", Box::new(Ours::new())),
        ("libsrtp2-openssl", Box::new(Lib::new(false))),
        ("webrtc-srtp", Box::new(Webrtc::new(false))),
    ]
}

fn set_seq(packet: &mut [u8], seq: u16) {
    packet[2..4].copy_from_slice(&seq.to_be_bytes());
}

/// Before timing: each sender reproduces libsrtp's known answer; over 70 000 consecutive packets
/// (past a sequence-number wrap, so ROC 1) the three senders produce identical bytes and each
/// receiver returns the exact plaintext, and refuses a replayed packet.
pub fn check() {
    check_pairs(RTP_172);
    check_pairs(RTP_1212);
    for (plain, kat) in [(RTP_172, KAT_172), (RTP_1212, KAT_1212)] {
        for (name, mut tx) in senders() {
            assert_eq!(
                tx.protect_copy(plain).as_deref(),
                Some(kat),
                "{name}: protect differs from the known answer"
            );
        }
        let mut txs = senders();
        let mut rxs = receivers();
        let mut packet = plain.to_vec();
        for i in 0..70_000u32 {
            set_seq(&mut packet, (1 + i) as u16);
            let outs: Vec<Vec<u8>> = txs
                .iter_mut()
                .map(|(name, tx)| {
                    tx.protect_copy(&packet)
                        .unwrap_or_else(|| panic!("{name}: protect refused packet {i}"))
                })
                .collect();
            for ((name, _), out) in txs.iter().zip(&outs) {
                assert_eq!(out, &outs[0], "{name}: packet {i} differs from rtcweb's");
            }
            for (name, rx) in &mut rxs {
                assert_eq!(
                    rx.unprotect_copy(&outs[0]).as_deref(),
                    Some(&packet[..]),
                    "{name}: unprotect of packet {i}"
                );
                if i % 10_000 == 9_999 {
                    assert!(
                        rx.unprotect_copy(&outs[0]).is_none(),
                        "{name}: accepted a replay of packet {i}"
                    );
                }
            }
        }
    }
}

/// Before timing, the pair calls: over 70 000 packets two at a time (past a ROC increment), the
/// same bytes as one at a time, and back to the exact plaintexts; a replayed pair is refused.
fn check_pairs(plain: &[u8]) {
    let len = plain.len();
    let (mut single, mut paired, mut rx) = (Ours::new(), Ours::new(), Ours::new());
    let mut packets = [plain.to_vec(), plain.to_vec()];
    for p in &mut packets {
        p.resize(len + MAX_TRAILER, 0);
    }
    for i in (0..70_000u32).step_by(2) {
        let [a, b] = &mut packets;
        set_seq(a, (1 + i) as u16);
        set_seq(b, (2 + i) as u16);
        let want = [
            single.protect_copy(&a[..len]),
            single.protect_copy(&b[..len]),
        ];
        let [na, nb] = paired
            .0
            .protect_rtp_pair((&mut a[..], len), (&mut b[..], len));
        let (na, nb) = (na.expect("pair protect"), nb.expect("pair protect"));
        assert_eq!(
            want[0].as_deref(),
            Some(&a[..na]),
            "pair protect of packet {i}"
        );
        assert_eq!(
            want[1].as_deref(),
            Some(&b[..nb]),
            "pair protect of packet {}",
            i + 1
        );
        let (sa, sb) = (a[..na].to_vec(), b[..nb].to_vec());
        let [ra, rb] = rx.0.unprotect_rtp_pair(&mut a[..na], &mut b[..nb]);
        assert_eq!(ra.expect("pair unprotect"), len);
        assert_eq!(rb.expect("pair unprotect"), len);
        assert_eq!(&a[4..len], &plain[4..], "pair unprotect of packet {i}");
        if i % 10_000 == 0 {
            let (mut sa, mut sb) = (sa, sb);
            let [ra, rb] = rx.0.unprotect_rtp_pair(&mut sa, &mut sb);
            assert!(ra.is_err() && rb.is_err(), "a replayed pair was accepted");
        }
        a[..len].copy_from_slice(plain);
        b[..len].copy_from_slice(plain);
    }
}

/// Protect: each operation writes the next sequence number into the header and protects the
/// packet (in place; webrtc-srtp from the slice into a new buffer). The payload is not restored
/// between operations: re-encrypting the previous output is the same work.
fn protect_routine<S: Srtp + 'static>(mut lib: S, plain: &'static [u8]) -> Routine<'static> {
    let len = plain.len();
    let mut buf = plain.to_vec();
    buf.resize(len + MAX_TRAILER, 0);
    // The first packet creates the per-SSRC state: outside the timing.
    let mut seq: u16 = 1;
    set_seq(&mut buf, seq);
    lib.protect(&mut buf, len);
    Box::new(move |iters| {
        let start = Instant::now();
        for _ in 0..iters {
            seq = seq.wrapping_add(1);
            set_seq(&mut buf, seq);
            black_box(lib.protect(black_box(&mut buf), len));
        }
        start.elapsed()
    })
}

/// Unprotect: the receiver gets one continuous stream (consecutive sequence numbers, wrapping);
/// batches of [`BATCH`] packets are protected by a separate rtcweb sender outside the timing, then
/// unprotected (in place; webrtc-srtp from the slice) inside it.
fn unprotect_routine<S: Srtp + 'static>(mut lib: S, plain: &'static [u8]) -> Routine<'static> {
    let mut feed = Feed::new(plain, |p| {
        lib.unprotect(p);
    });
    Box::new(move |iters| {
        feed.run(iters, |ring, lens| {
            let start = Instant::now();
            for (buf, &n) in ring.iter_mut().zip(lens) {
                black_box(lib.unprotect(black_box(&mut buf[..n])));
            }
            start.elapsed()
        })
    })
}

/// The receivers' input: a ring of [`BATCH`] packets of one continuous stream, protected by a
/// separate rtcweb sender outside the timing.
struct Feed {
    plain: &'static [u8],
    sender: Ours,
    ring: Vec<Vec<u8>>,
    lens: [usize; BATCH],
    seq: u16,
}

impl Feed {
    /// A feed whose first packet (it creates the per-SSRC state) goes to `first`, untimed.
    fn new(plain: &'static [u8], first: impl FnOnce(&mut [u8])) -> Self {
        let len = plain.len();
        let mut ring: Vec<Vec<u8>> = (0..BATCH)
            .map(|_| {
                let mut b = plain.to_vec();
                b.resize(len + MAX_TRAILER, 0);
                b
            })
            .collect();
        let mut sender = Ours::new();
        let seq: u16 = 1;
        set_seq(&mut ring[0], seq);
        let n = sender.protect(&mut ring[0], len);
        first(&mut ring[0][..n]);
        Self {
            plain,
            sender,
            ring,
            lens: [0; BATCH],
            seq,
        }
    }

    /// `iters` packets, a batch at a time: the batch protected, then `timed` on it (the ring's
    /// first `batch` buffers and their lengths), whose durations are summed.
    fn run(
        &mut self,
        iters: u64,
        mut timed: impl FnMut(&mut [Vec<u8>], &[usize]) -> Duration,
    ) -> Duration {
        let (len, mut total, mut done) = (self.plain.len(), Duration::ZERO, 0u64);
        while done < iters {
            let batch = (iters - done).min(BATCH as u64) as usize;
            for (buf, n) in self.ring.iter_mut().zip(&mut self.lens).take(batch) {
                self.seq = self.seq.wrapping_add(1);
                buf[..len].copy_from_slice(self.plain);
                set_seq(buf, self.seq);
                *n = self.sender.protect(buf, len);
            }
            total += timed(&mut self.ring[..batch], &self.lens[..batch]);
            done += batch as u64;
        }
        total
    }
}

/// [`protect_routine`] two packets at a time through `Session::protect_rtp_pair` (two
/// buffers, consecutive sequence numbers); time per packet.
fn protect_pairs_routine(plain: &'static [u8]) -> Routine<'static> {
    let mut lib = Ours::new();
    let len = plain.len();
    let mut bufs = [plain.to_vec(), plain.to_vec()];
    bufs.iter_mut().for_each(|b| b.resize(len + MAX_TRAILER, 0));
    let mut seq: u16 = 1;
    set_seq(&mut bufs[0], seq);
    lib.protect(&mut bufs[0], len);
    Box::new(move |iters| {
        let start = Instant::now();
        let [a, b] = &mut bufs;
        for _ in 0..iters / 2 {
            set_seq(a, seq.wrapping_add(1));
            set_seq(b, seq.wrapping_add(2));
            seq = seq.wrapping_add(2);
            let [x, y] = lib
                .0
                .protect_rtp_pair((black_box(&mut a[..]), len), (black_box(&mut b[..]), len));
            black_box((x.expect("pair protect"), y.expect("pair protect")));
        }
        if iters % 2 == 1 {
            seq = seq.wrapping_add(1);
            set_seq(a, seq);
            black_box(lib.protect(black_box(a), len));
        }
        start.elapsed()
    })
}

/// [`unprotect_routine`] two packets at a time through `Session::unprotect_rtp_pair`.
fn unprotect_pairs_routine(plain: &'static [u8]) -> Routine<'static> {
    let mut lib = Ours::new();
    let mut feed = Feed::new(plain, |p| {
        lib.unprotect(p);
    });
    Box::new(move |iters| {
        feed.run(iters, |ring, lens| {
            let start = Instant::now();
            let mut pairs = ring.chunks_exact_mut(2);
            for (two, n) in (&mut pairs).zip(lens.chunks_exact(2)) {
                let [a, b] = two else { unreachable!() };
                let [x, y] = lib
                    .0
                    .unprotect_rtp_pair(black_box(&mut a[..n[0]]), black_box(&mut b[..n[1]]));
                black_box((x.expect("pair unprotect"), y.expect("pair unprotect")));
            }
            if let ([last], Some(&n)) = (pairs.into_remainder(), lens.last()) {
                black_box(lib.unprotect(black_box(&mut last[..n])));
            }
            start.elapsed()
        })
    })
}

pub fn group(h: &Harness) -> Group<'static> {
    let mut workloads = Vec::new();
    for (size, plain) in [(172, RTP_172), (1212, RTP_1212)] {
        let id = format!("srtp_protect_{size}");
        if h.wants(&id) {
            workloads.push(Workload {
                id,
                title: format!("protect {size} B"),
                contenders: vec![
                    Contender::ours("rtcweb-srtp-core", protect_routine(Ours::new(), plain)),
                    Contender::ours("rtcweb-srtp-core, pairs", protect_pairs_routine(plain)),
                    Contender::peer("libsrtp2-openssl", protect_routine(Lib::new(true), plain)),
                    Contender::peer("webrtc-srtp", protect_routine(Webrtc::new(true), plain)),
                ],
            });
        }
        let id = format!("srtp_unprotect_{size}");
        if h.wants(&id) {
            workloads.push(Workload {
                id,
                title: format!("unprotect {size} B"),
                contenders: vec![
                    Contender::ours("rtcweb-srtp-core", unprotect_routine(Ours::new(), plain)),
                    Contender::ours("rtcweb-srtp-core, pairs", unprotect_pairs_routine(plain)),
                    Contender::peer(
                        "libsrtp2-openssl",
                        unprotect_routine(Lib::new(false), plain),
                    ),
                    Contender::peer("webrtc-srtp", unprotect_routine(Webrtc::new(false), plain)),
                ],
            });
        }
    }
    Group {
        id: "srtp",
        title: "SRTP AES_CM_128_HMAC_SHA1_80 — rtcweb-srtp-core vs libsrtp2 (OpenSSL backend) and webrtc-srtp 0.10",
        note: "Inputs `rtp_172.bin`, `rtp_1212.bin` (12-byte header + 160 / 1200 bytes), key \
`srtp_master_key_salt.bin`. rtcweb: the multi-stream `Session` (SSRC lookup); libsrtp2 \
(`srtp2-sys`, OpenSSL backend): a session with a wildcard SSRC stream; webrtc-srtp: a `Context` \
(reads a slice, returns a new `Bytes`). Receivers have a replay window of 128. Protect: every \
operation writes the next sequence number into the header and protects the packet (wrapping, so \
the ROC advances). Unprotect: each receiver gets one continuous stream; batches of 128 packets are \
protected by a separate rtcweb sender outside the timing and unprotected inside it. \
\"rtcweb-srtp-core, pairs\": the same `Session`, two packets per call (`protect_rtp_pair`, \
`unprotect_rtp_pair`: their HMAC-SHA1 tags computed side by side); time per packet. Checked first: \
every sender reproduces libsrtp's known answer; over 70 000 packets (past a ROC increment) the \
three senders produce identical bytes, every receiver returns the exact plaintext and refuses a \
replay.",
        workloads,
    }
}
