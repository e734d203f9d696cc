//! Flood test (hardening, #14): a `TurnClient` holding a real allocation, permission and channel
//! on a simulated TURN server (long-term credentials) is fed a million forged datagrams claiming
//! to come from the server: random bytes, STUN-looking garbage, responses with transaction IDs it
//! never used (with and without a MESSAGE-INTEGRITY it cannot verify), Data indications and
//! ChannelData from anyone; and, as an on-path attacker who sees the client's requests, responses
//! carrying the right transaction ID but a MESSAGE-INTEGRITY made with the wrong key.
//! Deterministic (a seeded xorshift), heap counted with a process-wide counting allocator
//! (`harness = false`: no libtest threads).
//!
//! Asserts: the allocation, the permission and the channel stay up (refreshed by the real server
//! throughout), no failure event, and the heap stays flat after the warm-up.
//!
//! `RTCWEB_FLOOD_MESSAGES` sets the number of forged datagrams (default 300 000, a few seconds in
//! a debug build); the figure: `RTCWEB_FLOOD_MESSAGES=1000000 cargo test --release -p
//! rtcweb-stun-core --test turn_flood`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

use std::alloc::System;
use std::net::SocketAddr;
use std::time::Duration;

use rtcweb_stun_core::credentials::long_term_key_md5;
use rtcweb_stun_core::turn::{Received, TurnClient, TurnConfig, TurnEvent};
use rtcweb_stun_core::wire::attributes::*;
use rtcweb_stun_core::wire::{Class, Message, MessageType, MessageWriter, Method, TransactionId};
use rtcweb_stun_core::{Instant, IntegrityKey};
use stats_alloc::{Region, Stats, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const USER: &str = "alice";
const PASS: &str = "secret";
const REALM: &str = "sim.test";
const NONCE: &str = "nonce-1";
/// Whether the on-path forgeries include error responses to authenticated requests with a wrong
/// MESSAGE-INTEGRITY (RFC 8489 §9.2.5, RFC 5389 §10.2.3: discarded, as if never received).
const ON_PATH_ERRORS: bool = true;
/// Simulated time between two forged datagrams.
const STEP: Duration = Duration::from_millis(5);

fn server() -> SocketAddr {
    "192.0.2.10:3478".parse().unwrap()
}
fn relayed() -> SocketAddr {
    "192.0.2.10:50000".parse().unwrap()
}
fn mapped() -> SocketAddr {
    "10.0.0.2:5000".parse().unwrap()
}
fn peer() -> SocketAddr {
    "203.0.113.5:7000".parse().unwrap()
}

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
}

fn live(s: &Stats) -> i64 {
    // stats_alloc already books a reallocation's growth or shrinkage in these two.
    s.bytes_allocated as i64 - s.bytes_deallocated as i64
}

/// The real TURN server: 401 to unauthenticated requests, success to authenticated ones.
fn serve(key: &IntegrityKey, request: &[u8], out: &mut [u8]) -> Option<usize> {
    let msg = Message::parse(request).ok()?;
    if msg.class() != Class::Request {
        return None;
    }
    let tid = msg.transaction_id();
    if !msg.has_integrity() || msg.verify_integrity(key).is_err() {
        let mut w =
            MessageWriter::new(out, MessageType::new(msg.method(), Class::Error), tid).unwrap();
        w.add(&ErrorCode {
            code: 401,
            reason: "Unauthorized",
        })
        .unwrap();
        w.add(&Realm(REALM)).unwrap();
        w.add(&Nonce(NONCE)).unwrap();
        return Some(w.finish());
    }
    let mut w =
        MessageWriter::new(out, MessageType::new(msg.method(), Class::Success), tid).unwrap();
    match msg.method() {
        Method::ALLOCATE => {
            w.add(&XorRelayedAddress(relayed())).unwrap();
            w.add(&XorMappedAddress(mapped())).unwrap();
            w.add(&Lifetime(600)).unwrap();
        }
        Method::REFRESH => {
            let l = msg
                .attribute::<Lifetime>()
                .ok()
                .flatten()
                .map_or(600, |l| l.0);
            w.add(&Lifetime(l.min(600))).unwrap();
        }
        _ => {}
    }
    w.add_message_integrity(key).unwrap();
    w.add_fingerprint().unwrap();
    Some(w.finish())
}

/// One forged datagram "from the server". `pending` is the transaction ID of the client's last
/// request (an on-path attacker's knowledge).
fn forge(
    rng: &mut Rng,
    buf: &mut [u8; 700],
    wrong: &IntegrityKey,
    pending: Option<TransactionId>,
) -> usize {
    let methods = [
        Method::ALLOCATE,
        Method::REFRESH,
        Method::CREATE_PERMISSION,
        Method::CHANNEL_BIND,
    ];
    let method = methods[rng.below(4) as usize];
    match rng.below(10) {
        // Random bytes.
        0 => {
            let n = rng.below(300) as usize;
            rng.fill(&mut buf[..n]);
            n
        }
        // A STUN header over random attributes.
        1 => {
            let body = 4 * rng.below(40) as usize;
            let typ = [0x01, 0x03, 0x01, 0x13, 0x01, 0x04][rng.below(6) as usize];
            buf[..4].copy_from_slice(&[
                typ,
                (rng.next() as u8) | 0x01,
                (body >> 8) as u8,
                body as u8,
            ]);
            buf[4..8].copy_from_slice(&[0x21, 0x12, 0xa4, 0x42]);
            rng.fill(&mut buf[8..20 + body]);
            20 + body
        }
        // Success responses to transactions the client never started: a relayed address of the
        // attacker's choosing, LIFETIME 0, a MESSAGE-INTEGRITY it cannot verify (or none).
        2 | 3 => {
            let tid = rng.tid();
            let mut w =
                MessageWriter::new(buf, MessageType::new(method, Class::Success), tid).unwrap();
            w.add(&XorRelayedAddress("198.51.100.66:1234".parse().unwrap()))
                .unwrap();
            w.add(&Lifetime(0)).unwrap();
            if rng.below(2) == 0 {
                w.add_message_integrity(wrong).unwrap();
            }
            w.add_fingerprint().unwrap();
            w.finish()
        }
        // Error responses to unknown transactions: 437 Allocation Mismatch, 401 / 438 with a new
        // realm and nonce, 486.
        4 | 5 => {
            let tid = rng.tid();
            let code = [437, 401, 438, 486][rng.below(4) as usize];
            let mut w =
                MessageWriter::new(buf, MessageType::new(method, Class::Error), tid).unwrap();
            w.add(&ErrorCode {
                code,
                reason: "Forged",
            })
            .unwrap();
            w.add(&Realm("evil.example")).unwrap();
            w.add(&Nonce("evil-nonce")).unwrap();
            w.finish()
        }
        // A Data indication from anyone.
        6 => {
            let mut w = MessageWriter::new(
                buf,
                MessageType::new(Method::DATA, Class::Indication),
                rng.tid(),
            )
            .unwrap();
            w.add(&XorPeerAddress("198.51.100.9:999".parse().unwrap()))
                .unwrap();
            w.add(&Data(b"spoofed media")).unwrap();
            w.finish()
        }
        // ChannelData on any channel.
        7 => {
            let n = rng.below(100) as usize;
            buf[..4].copy_from_slice(&[
                0x40 | (rng.next() as u8 & 0x3f),
                rng.next() as u8,
                0,
                n as u8,
            ]);
            rng.fill(&mut buf[4..4 + n]);
            4 + n
        }
        // On path: the client's own transaction ID, a success with the wrong MESSAGE-INTEGRITY
        // (RFC 8489 §9.2.5: discarded), the attacker's relayed address and LIFETIME 0.
        _ => {
            let tid = pending.unwrap_or_else(|| rng.tid());
            let mut w =
                MessageWriter::new(buf, MessageType::new(method, Class::Success), tid).unwrap();
            w.add(&XorRelayedAddress("198.51.100.66:1234".parse().unwrap()))
                .unwrap();
            w.add(&Lifetime(0)).unwrap();
            w.add_message_integrity(wrong).unwrap();
            w.add_fingerprint().unwrap();
            w.finish()
        }
    }
}

fn main() {
    let total: u64 = std::env::var("RTCWEB_FLOOD_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300_000);
    // At least 100 s of simulated time (5 ms a datagram): every request kind has run before the
    // heap is measured.
    let warmup = (total / 10).clamp(20_000, 100_000);
    let start = std::time::Instant::now();
    let region = Region::new(GLOBAL);

    let key = long_term_key_md5(USER, REALM, PASS)
        .unwrap()
        .integrity_key();
    let wrong = IntegrityKey::new(b"not the server's key");
    let mut client = TurnClient::new(TurnConfig::new(server(), USER, PASS), [1; 32]);
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    let mut now = Instant::ZERO;
    let mut tx = [0u8; 1500];
    let mut resp = [0u8; 1500];
    let mut forged = [0u8; 700];
    let mut pending: Option<TransactionId> = None;
    let (mut sent, mut refreshed, mut permissions, mut channels, mut data) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut allocated = false;
    let mut warm: Option<Stats> = None;
    let mut peak = 0i64;

    client.allocate(now).unwrap();
    for i in 0..total {
        now += STEP;
        if client.poll_timeout().is_some_and(|t| t <= now) {
            client.handle_timeout(now);
        }
        // The real exchange with the server, over a perfect link.
        while let Ok(Some(t)) = client.poll_transmit(now, &mut tx) {
            assert_eq!(t.destination, server());
            sent += 1;
            pending = Message::parse(&tx[..t.len])
                .ok()
                .map(|m| m.transaction_id());
            // On path, the attacker answers first: the right transaction ID, the wrong key.
            // (A response to a request without MESSAGE-INTEGRITY — the first Allocate — has
            // nothing to be checked against: only authenticated requests get one.)
            let seen = Message::parse(&tx[..t.len]).ok();
            if let Some(m) = seen.filter(|m| m.has_integrity() && rng.below(2) == 0) {
                let class = if ON_PATH_ERRORS && rng.below(2) == 0 {
                    Class::Error
                } else {
                    Class::Success
                };
                let mut w = MessageWriter::new(
                    &mut forged,
                    MessageType::new(m.method(), class),
                    m.transaction_id(),
                )
                .unwrap();
                if class == Class::Error {
                    w.add(&ErrorCode {
                        code: 437,
                        reason: "Allocation Mismatch",
                    })
                    .unwrap();
                } else {
                    w.add(&XorRelayedAddress("198.51.100.66:1234".parse().unwrap()))
                        .unwrap();
                    w.add(&Lifetime(0)).unwrap();
                }
                w.add_message_integrity(&wrong).unwrap();
                w.add_fingerprint().unwrap();
                let n = w.finish();
                let _ = client.handle_receive(now, server(), &forged[..n]);
            }
            if let Some(n) = serve(&key, &tx[..t.len], &mut resp) {
                let r = client.handle_receive(now, server(), &resp[..n]);
                assert_eq!(r, Received::Handled);
            }
        }
        while let Some(e) = client.poll_event() {
            match e {
                TurnEvent::Allocated { relayed: r, .. } => {
                    assert_eq!(r, relayed());
                    allocated = true;
                    client.create_permission(now, peer().ip()).unwrap();
                    client.bind_channel(now, peer()).unwrap();
                }
                TurnEvent::Refreshed { .. } => refreshed += 1,
                TurnEvent::PermissionCreated(_) => permissions += 1,
                TurnEvent::ChannelBound { .. } => channels += 1,
                e => panic!("datagram {i}: {e:?}"),
            }
        }
        // The flood.
        let n = forge(&mut rng, &mut forged, &wrong, pending);
        if let Received::Data { .. } = client.handle_receive(now, server(), &forged[..n]) {
            data += 1;
        }
        if let Some(e) = client.poll_event() {
            panic!("datagram {i}: a forged datagram made an event: {e:?}");
        }
        if allocated {
            assert_eq!(client.relayed_address(), Some(relayed()), "datagram {i}");
            assert!(client.has_permission(peer().ip()) || permissions == 0);
        }
        if i % 1024 == 0 {
            peak = peak.max(live(&region.change()));
        }
        if i + 1 == warmup {
            warm = Some(region.change());
        }
    }
    let end = region.change();
    let warm = warm.unwrap_or_default();
    let elapsed = start.elapsed();
    println!(
        "turn flood: {total} forged datagrams in {elapsed:.2?} ({:.0}/s) over {:.0} s simulated; \
         the real allocation: {sent} requests, {refreshed} refreshes, {permissions} permissions, \
         {channels} channel bindings, all up at the end; {data} forged data datagrams handed up; \
         heap: {} B live after {warmup}, {} B at the end, peak {} B; {} allocations after the \
         warm-up ({:.4} per datagram)",
        total as f64 / elapsed.as_secs_f64(),
        now.as_nanos() as f64 / 1e9,
        live(&warm),
        live(&end),
        peak.max(live(&end)),
        end.allocations - warm.allocations,
        (end.allocations - warm.allocations) as f64 / (total - warmup).max(1) as f64,
    );
    assert!(allocated && refreshed >= 1 && permissions >= 1 && channels >= 1);
    assert_eq!(client.relayed_address(), Some(relayed()));
    assert!(client.has_permission(peer().ip()));
    assert!(client.channel(peer()).is_some());
    let growth = live(&end) - live(&warm);
    assert!(
        growth.abs() <= 4096,
        "heap grew by {growth} B between datagram {warmup} and {total}"
    );
}
