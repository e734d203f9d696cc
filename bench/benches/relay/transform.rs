//! The relay's per-packet transform alone (no socket): `Relay::web_to_trunk` (SRTP from the
//! browser verified, decrypted, rewritten into the phone's RTP) and `Relay::trunk_to_web` (the
//! phone's RTP rewritten and protected), through the harness of `rtcweb_bench` (calibrated
//! samples of ≥ 1 s, rounds interleaved, median with min–max).
//!
//! Inputs: `rtp_172.bin` and `rtp_1212.bin` (12-byte header + 160 / 1200 bytes), payload type
//! set to 0 (PCMU, negotiated on both legs). Each timed operation is one call of the transform
//! on its own packet; producing the packets (the browser's `protect_rtp` for SRTP in, a copy
//! with the next sequence number for RTP in) is done in batches outside the timed time.

use std::hint::black_box;
use std::time::{Duration, Instant};

use rtcweb_bench::{Contender, Group, Harness, Routine, Workload};
use rtcweb_cli::gateway::browser::media::Relay;
use rtcweb_cli::gateway::browser::stats::CallStats;

use crate::setup::Browser;

const RTP_172: &[u8] = include_bytes!("../../data/rtp_172.bin");
const RTP_1212: &[u8] = include_bytes!("../../data/rtp_1212.bin");
const BATCH: usize = 256;
const SLOT: usize = 1600;

/// The input RTP packet with payload type 0 and sequence number `seq`.
pub fn rtp(input: &[u8], seq: u16, slot: &mut [u8]) -> usize {
    slot[..input.len()].copy_from_slice(input);
    slot[1] &= 0x80;
    slot[2..4].copy_from_slice(&seq.to_be_bytes());
    input.len()
}

/// Every transform computes what it should: the phone gets the browser's payload and timestamp
/// under our SSRC, sequence and payload type; the browser verifies and decrypts what the phone
/// sent, under the web leg's SSRC.
pub fn check(relay: &mut Relay, browser: &mut Browser) {
    let mut stats = CallStats::default();
    for (i, input) in [RTP_172, RTP_1212].into_iter().enumerate() {
        let seq = 7 + 2 * i as u16;
        let mut buf = [0u8; SLOT];
        let n = rtp(input, seq, &mut buf);
        let plain = buf;
        let srtp = browser.srtp.outbound.protect_rtp(&mut buf, n).unwrap();
        assert_eq!(srtp, n + browser.srtp.outbound.rtp_overhead());
        let len = relay.web_to_trunk(&mut buf[..srtp], &mut stats).unwrap();
        assert_eq!(len, n);
        assert_eq!(buf[1] & 0x7f, 0);
        assert_eq!(buf[4..8], plain[4..8], "timestamp kept");
        assert_ne!(buf[8..12], plain[8..12], "our SSRC towards the phone");
        assert_eq!(buf[12..n], plain[12..n], "payload");

        let n = rtp(input, seq + 1, &mut buf);
        let srtp = relay.trunk_to_web(&mut buf, n, &mut stats).unwrap();
        assert_eq!(srtp, n + browser.srtp.inbound.rtp_overhead());
        let back = browser
            .srtp
            .inbound
            .unprotect_rtp(&mut buf[..srtp])
            .unwrap();
        assert_eq!(back, n);
        assert_eq!(buf[8..12], relay.web.ssrc.to_be_bytes());
        assert_eq!(buf[12..n], plain[12..n], "payload");
    }
    assert_eq!(stats.refused, 0);
}

fn web_to_trunk<'a>(
    relay: &'a mut Relay,
    browser: &'a mut Browser,
    input: &'static [u8],
) -> Routine<'a> {
    let mut slots = vec![[0u8; SLOT]; BATCH];
    let mut lens = [0usize; BATCH];
    let mut seq = 1000u16;
    let mut stats = CallStats::default();
    Box::new(move |iters| {
        let mut total = Duration::ZERO;
        let mut left = iters as usize;
        while left > 0 {
            let batch = left.min(BATCH);
            for (slot, len) in slots.iter_mut().zip(lens.iter_mut()).take(batch) {
                seq = seq.wrapping_add(1);
                let n = rtp(input, seq, slot);
                *len = browser.srtp.outbound.protect_rtp(slot, n).unwrap();
            }
            let start = Instant::now();
            for (slot, len) in slots.iter_mut().zip(lens.iter()).take(batch) {
                black_box(relay.web_to_trunk(&mut slot[..*len], &mut stats));
            }
            total += start.elapsed();
            left -= batch;
        }
        assert_eq!(stats.refused, 0);
        total
    })
}

fn trunk_to_web<'a>(relay: &'a mut Relay, input: &'static [u8]) -> Routine<'a> {
    let mut slots = vec![[0u8; SLOT]; BATCH];
    let mut seq = 2000u16;
    let mut stats = CallStats::default();
    Box::new(move |iters| {
        let mut total = Duration::ZERO;
        let mut left = iters as usize;
        while left > 0 {
            let batch = left.min(BATCH);
            for slot in slots.iter_mut().take(batch) {
                seq = seq.wrapping_add(1);
                rtp(input, seq, slot);
            }
            let start = Instant::now();
            for slot in slots.iter_mut().take(batch) {
                black_box(relay.trunk_to_web(slot, input.len(), &mut stats));
            }
            total += start.elapsed();
            left -= batch;
        }
        total
    })
}

/// Runs both directions at both sizes (each its own relay and browser, keyed by a handshake).
pub fn run(harness: &mut Harness, calls: &mut [(Relay, Browser)], profile: &str) {
    let [(r1, b1), (r2, b2), (r3, _), (r4, _)] = calls else {
        panic!("four calls");
    };
    let tag = b1.srtp.outbound.rtp_overhead();
    let (s172, s1212) = (RTP_172.len() + tag, RTP_1212.len() + tag);
    let note = format!(
        "One call's relay, keyed by a DTLS 1.2 handshake over 127.0.0.1 (profile {profile}); \
         the gateway's own `Relay::web_to_trunk` / `Relay::trunk_to_web`, no socket. One operation: \
         one packet through the transform (browser → phone: verify + decrypt + rewrite SSRC, \
         sequence, payload type; phone → browser: rewrite + protect). Producing the input packets \
         (the browser's protect, a copy of the RTP) is outside the timed time."
    );
    let note: &'static str = Box::leak(note.into_boxed_str());
    let workload = |id: &str, title: String, routine| Workload {
        id: id.into(),
        title,
        contenders: vec![Contender::ours("rtcweb-cli gateway relay", routine)],
    };
    harness.run_group(Group {
        id: "relay_transform",
        title: "Relay transform, one core, no socket",
        note,
        workloads: vec![
            workload(
                "relay_web_to_trunk_172",
                format!("browser → phone, SRTP {s172} B in, RTP 172 B out (PCMU 20 ms)"),
                web_to_trunk(r1, b1, RTP_172),
            ),
            workload(
                "relay_trunk_to_web_172",
                format!("phone → browser, RTP 172 B in, SRTP {s172} B out (PCMU 20 ms)"),
                trunk_to_web(r3, RTP_172),
            ),
            workload(
                "relay_web_to_trunk_1212",
                format!("browser → phone, SRTP {s1212} B in, RTP 1212 B out"),
                web_to_trunk(r2, b2, RTP_1212),
            ),
            workload(
                "relay_trunk_to_web_1212",
                format!("phone → browser, RTP 1212 B in, SRTP {s1212} B out"),
                trunk_to_web(r4, RTP_1212),
            ),
        ],
    });
}
