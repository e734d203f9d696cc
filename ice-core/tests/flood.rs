//! Flood test (hardening, #14): an ICE-lite agent — the gateway's public face — fed millions of
//! spoofed and malformed Binding requests from random source addresses, interleaved with the real
//! peer's checks. Deterministic (a seeded xorshift), counting memory with a process-wide counting
//! allocator, so it runs without libtest's threads (`harness = false`).
//!
//! Asserts: every valid check of the real peer is answered (a success with our MESSAGE-INTEGRITY,
//! its transaction ID and its address), the peer's pair stays selected, and the heap stays flat —
//! the bytes live after the warm-up equal, within a few KiB, the bytes live at the end.
//!
//! `RTCWEB_FLOOD_MESSAGES` sets the number of datagrams (default 1 000 000, about 15 s in a debug
//! build); the 10 M figure of the issue: `RTCWEB_FLOOD_MESSAGES=10000000 cargo test --release -p
//! rtcweb-ice-core --test flood`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

use std::alloc::System;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use rtcweb_ice_core::{Agent, AgentConfig, Instant, Receive};
use rtcweb_stun_core::wire::attributes::{
    ErrorCode, IceControlling, Priority, UseCandidate, Username, XorMappedAddress,
};
use rtcweb_stun_core::wire::{Class, Message, MessageType, MessageWriter, Method, TransactionId};
use rtcweb_stun_core::IntegrityKey;
use stats_alloc::{Region, Stats, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const LOCAL_UFRAG: &str = "Sx3q";
const LOCAL_PWD: &str = "2o5pRFAwAd3Qf6VyHrXzHqcK";
const PEER_UFRAG: &str = "peer";
const PEER_PWD: &str = "peerpasswordpeerpassword";
/// One real check every this many datagrams.
const VALID_EVERY: u64 = 64;

/// xorshift64*: deterministic, no allocation.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn fill(&mut self, buf: &mut [u8]) {
        for b in buf {
            *b = self.next() as u8;
        }
    }

    fn tid(&mut self) -> TransactionId {
        let mut t = [0u8; 12];
        self.fill(&mut t);
        TransactionId(t)
    }

    fn addr(&mut self) -> SocketAddr {
        let port = self.next() as u16 | 1;
        if self.below(4) == 0 {
            let mut o = [0u8; 16];
            self.fill(&mut o);
            SocketAddr::new(IpAddr::V6(Ipv6Addr::from(o)), port)
        } else {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::from(self.next() as u32)), port)
        }
    }
}

/// What a check carries.
struct Check<'a> {
    username: Option<&'a str>,
    key: Option<&'a IntegrityKey>,
    use_candidate: bool,
    fingerprint: bool,
}

fn check(buf: &mut [u8], tid: TransactionId, c: &Check<'_>) -> usize {
    let mut w =
        MessageWriter::new(buf, MessageType::new(Method::BINDING, Class::Request), tid).unwrap();
    if let Some(u) = c.username {
        w.add(&Username(u)).unwrap();
    }
    w.add(&Priority(1_853_824_767)).unwrap();
    w.add(&IceControlling(0x1234_5678_9abc_def0)).unwrap();
    if c.use_candidate {
        w.add(&UseCandidate).unwrap();
    }
    if let Some(k) = c.key {
        w.add_message_integrity(k).unwrap();
    }
    if c.fingerprint {
        w.add_fingerprint().unwrap();
    }
    w.finish()
}

/// One spoofed or malformed datagram, written into `buf`; returns its length.
fn attack(rng: &mut Rng, buf: &mut [u8; 600], wrong_key: &IntegrityKey, good_user: &str) -> usize {
    let tid = rng.tid();
    match rng.below(10) {
        // Random bytes.
        0 => {
            let n = rng.below(200) as usize;
            rng.fill(&mut buf[..n]);
            n
        }
        // A STUN header (Binding request, magic cookie) over random attributes.
        1 => {
            let body = 4 * rng.below(32) as usize;
            buf[..4].copy_from_slice(&[0x00, 0x01, (body >> 8) as u8, body as u8]);
            buf[4..8].copy_from_slice(&[0x21, 0x12, 0xa4, 0x42]);
            buf[8..20].copy_from_slice(&tid.0);
            rng.fill(&mut buf[20..20 + body]);
            20 + body
        }
        // Somebody else's username, a key we do not know.
        2 => check(
            buf,
            tid,
            &Check {
                username: Some("evil:peer"),
                key: Some(wrong_key),
                use_candidate: true,
                fingerprint: true,
            },
        ),
        // Our username, bad MESSAGE-INTEGRITY: the valid-looking ones.
        3 | 4 => check(
            buf,
            tid,
            &Check {
                username: Some(good_user),
                key: Some(wrong_key),
                use_candidate: rng.below(2) == 0,
                fingerprint: true,
            },
        ),
        // Truncated check.
        5 => {
            let n = check(
                buf,
                tid,
                &Check {
                    username: Some(good_user),
                    key: Some(wrong_key),
                    use_candidate: false,
                    fingerprint: true,
                },
            );
            rng.below(n as u64) as usize
        }
        // No USERNAME, no MESSAGE-INTEGRITY (answered 400).
        6 => check(
            buf,
            tid,
            &Check {
                username: None,
                key: None,
                use_candidate: false,
                fingerprint: true,
            },
        ),
        // A broken FINGERPRINT.
        7 => {
            let n = check(
                buf,
                tid,
                &Check {
                    username: Some(good_user),
                    key: Some(wrong_key),
                    use_candidate: false,
                    fingerprint: true,
                },
            );
            buf[n - 1] ^= 0x55;
            n
        }
        // A response to no transaction of ours.
        8 => {
            let class = if rng.below(2) == 0 {
                Class::Success
            } else {
                Class::Error
            };
            let mut w =
                MessageWriter::new(buf, MessageType::new(Method::BINDING, class), tid).unwrap();
            if class == Class::Error {
                w.add(&ErrorCode {
                    code: 487,
                    reason: "Role Conflict",
                })
                .unwrap();
            } else {
                w.add(&XorMappedAddress("198.51.100.66:4444".parse().unwrap()))
                    .unwrap();
            }
            w.add_message_integrity(wrong_key).unwrap();
            w.add_fingerprint().unwrap();
            w.finish()
        }
        // A Binding indication (keepalive).
        _ => {
            let w = MessageWriter::new(
                buf,
                MessageType::new(Method::BINDING, Class::Indication),
                tid,
            )
            .unwrap();
            w.finish()
        }
    }
}

/// Bytes live on the heap.
fn live(s: &Stats) -> i64 {
    // stats_alloc already books a reallocation's growth or shrinkage in these two.
    s.bytes_allocated as i64 - s.bytes_deallocated as i64
}

fn main() {
    let total: u64 = std::env::var("RTCWEB_FLOOD_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let warmup = (total / 10).min(100_000);
    let start = std::time::Instant::now();
    let region = Region::new(GLOBAL);

    let local: SocketAddr = "192.0.2.1:3478".parse().unwrap();
    let peer: SocketAddr = "198.51.100.7:50000".parse().unwrap();
    let mut agent = Agent::new(AgentConfig::lite(), [9; 32]);
    agent.add_local_host(local).unwrap();
    agent.set_local_credentials(LOCAL_UFRAG, LOCAL_PWD).unwrap();
    agent.set_remote_credentials(PEER_UFRAG, PEER_PWD).unwrap();
    let key = IntegrityKey::new(LOCAL_PWD.as_bytes());
    let wrong_key = IntegrityKey::new(b"notthepasswordnotthepass");
    let good_user = format!("{LOCAL_UFRAG}:{PEER_UFRAG}");

    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut now = Instant::ZERO;
    let mut datagram = [0u8; 600];
    let mut out = [0u8; 1500];
    let (mut valid, mut answered, mut to_attackers, mut transmits) = (0u64, 0u64, 0u64, 0u64);
    let mut after_warmup: Option<Stats> = None;
    let mut peak_live = 0i64;

    for i in 0..total {
        now += Duration::from_micros(10);
        if agent.poll_timeout().is_some_and(|t| t <= now) {
            agent.handle_timeout(now);
        }
        if i % VALID_EVERY == 0 {
            // The real peer's check: it must be answered, however heavy the flood.
            valid += 1;
            let tid = rng.tid();
            let n = check(
                &mut datagram,
                tid,
                &Check {
                    username: Some(&good_user),
                    key: Some(&key),
                    use_candidate: true,
                    fingerprint: true,
                },
            );
            assert_eq!(
                agent.handle_receive(now, local, peer, &datagram[..n]),
                Receive::Handled
            );
            let mut ok = false;
            while let Ok(Some(t)) = agent.poll_transmit(now, &mut out) {
                transmits += 1;
                if t.destination != peer {
                    to_attackers += 1;
                    continue;
                }
                let m = Message::parse(&out[..t.len]).unwrap();
                if m.transaction_id() == tid
                    && m.class() == Class::Success
                    && m.verify_integrity(&key).is_ok()
                    && m.attribute::<XorMappedAddress>().unwrap() == Some(XorMappedAddress(peer))
                {
                    ok = true;
                }
            }
            assert!(ok, "valid check #{valid} (datagram {i}) not answered");
            answered += 1;
        } else {
            let from = rng.addr();
            let n = attack(&mut rng, &mut datagram, &wrong_key, &good_user);
            let _ = agent.handle_receive(now, local, from, &datagram[..n]);
            while let Ok(Some(t)) = agent.poll_transmit(now, &mut out) {
                transmits += 1;
                if t.destination != peer {
                    to_attackers += 1;
                }
            }
        }
        while agent.poll_event().is_some() {}
        if i % 1024 == 0 {
            peak_live = peak_live.max(live(&region.change()));
        }
        if i + 1 == warmup {
            after_warmup = Some(region.change());
        }
    }
    let end = region.change();
    let warm = after_warmup.unwrap_or_default();
    let elapsed = start.elapsed();
    let selected = agent.selected_pair(1).map(|(_, r)| r.address);
    println!(
        "ice flood: {total} datagrams in {:.2?} ({:.0}/s): {valid} valid checks, {answered} answered; \
         {transmits} datagrams sent ({to_attackers} to spoofed sources); heap: {} B live after \
         {warmup} datagrams, {} B at the end, peak {} B; {} allocations after the warm-up ({:.4} per datagram)",
        elapsed,
        total as f64 / elapsed.as_secs_f64(),
        live(&warm),
        live(&end),
        peak_live.max(live(&end)),
        end.allocations - warm.allocations,
        (end.allocations - warm.allocations) as f64 / (total - warmup).max(1) as f64,
    );
    assert_eq!(answered, valid);
    assert_eq!(selected, Some(peer), "the real peer's pair stays selected");
    let growth = live(&end) - live(&warm);
    assert!(
        growth.abs() <= 4096,
        "heap grew by {growth} B between datagram {warmup} and {total}"
    );
}
