//! Flood tests (hardening, #14): a `TransactionLayer` and a pair of `UserAgent`s fed a million
//! stray, duplicated and spoofed SIP messages each — stray 2xx, responses with unknown branches,
//! retransmissions of real messages, requests with random branches from random addresses —
//! interleaved with real transactions and calls that must still complete. Deterministic (a seeded
//! xorshift) and counting the heap with a process-wide counting allocator, so it runs without
//! libtest's threads (`harness = false`).
//!
//! Asserts: every real transaction / call completes; nothing is sent in answer to a stray
//! response and at most one datagram per spoofed request (no amplifier); the tables stay bounded;
//! the bytes live on the heap after the warm-up equal those at the end, within a small bound
//! (the steady state of transactions that live 64·T1).
//!
//! `RTCWEB_FLOOD_MESSAGES` sets the number of messages per phase (default 60 000, about 8 s per
//! phase in a debug build; the warm-up is at least 20 000 messages, 40 s of simulated time, longer
//! than any transaction lives); the figure of the issue: `RTCWEB_FLOOD_MESSAGES=1000000 cargo
//! test --release -p rtcweb-sip-core --test flood`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

use std::alloc::System;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use rtcweb_sip_core::message::builder::MessageBuilder;
use rtcweb_sip_core::message::{Header, Message, Method};
use rtcweb_sip_core::transaction::{
    LayerConfig, Peer, TransactionEvent, TransactionLayer, Transmit, TxId,
};
use rtcweb_sip_core::ua::{CallHandle, UaConfig, UaEvent, UserAgent};
use rtcweb_sip_core::Instant;
use stats_alloc::{Region, Stats, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Simulated time between two messages: 500 per second, so that transactions reach their
/// steady state (they live 64·T1 = 32 s) well within the warm-up.
const STEP: Duration = Duration::from_millis(2);

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

    fn attacker(&mut self) -> Peer {
        Peer::udp(SocketAddr::new(
            Ipv4Addr::from(0xcb00_7100 | (self.next() as u32 & 0xff)).into(),
            1024 + (self.next() as u16 % 60000),
        ))
    }
}

fn live(s: &Stats) -> i64 {
    // stats_alloc already books a reallocation's growth or shrinkage in these two.
    s.bytes_allocated as i64 - s.bytes_deallocated as i64
}

/// Heap figures of one phase.
struct Meter {
    region: Region<'static, System>,
    warm: Option<Stats>,
    peak: i64,
}

impl Meter {
    fn new() -> Self {
        Self {
            region: Region::new(GLOBAL),
            warm: None,
            peak: 0,
        }
    }

    fn sample(&mut self, i: u64, warmup: u64) {
        if i % 1024 == 0 {
            self.peak = self.peak.max(live(&self.region.change()));
        }
        if i + 1 == warmup {
            self.warm = Some(self.region.change());
        }
    }

    /// Prints the figures and checks that the heap stayed flat after the warm-up.
    fn report(&self, name: &str, total: u64, warmup: u64, elapsed: Duration, tolerance: i64) {
        let end = self.region.change();
        let warm = self.warm.unwrap_or_default();
        println!(
            "{name}: {total} messages in {elapsed:.2?} ({:.0}/s); heap: {} B live after {warmup}, \
             {} B at the end, peak {} B; {} allocations in all ({:.1} per message, the \
             generator's included)",
            total as f64 / elapsed.as_secs_f64(),
            live(&warm),
            live(&end),
            self.peak.max(live(&end)),
            end.allocations,
            end.allocations as f64 / total.max(1) as f64,
        );
        let growth = live(&end) - live(&warm);
        assert!(
            growth <= tolerance,
            "{name}: heap grew by {growth} B between message {warmup} and {total}"
        );
    }
}

fn messages() -> u64 {
    std::env::var("RTCWEB_FLOOD_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60_000)
}

/// One spoofed datagram: a stray response (2xx to INVITE with tags and Contact, or any response
/// to an unknown branch), or a request with a random branch, Call-ID and tags. Returns whether
/// it is a request (which may be answered once).
fn spoof(rng: &mut Rng, to: &str) -> (Vec<u8>, bool) {
    let (b, c, t) = (rng.next(), rng.next(), rng.next());
    match rng.below(8) {
        0..=2 => (
            format!(
                "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP {to};branch=z9hG4bK{b:x}\r\n\
                 From: <sip:x@example.com>;tag={t:x}\r\nTo: <sip:y@example.com>;tag=s{c:x}\r\n\
                 Call-ID: {c:x}@evil\r\nCSeq: 1 INVITE\r\nContact: <sip:victim@198.51.100.{}>\r\n\
                 Content-Length: 0\r\n\r\n",
                b % 250
            )
            .into_bytes(),
            false,
        ),
        3 => (
            format!(
                "SIP/2.0 {} Whatever\r\nVia: SIP/2.0/UDP {to};branch=z9hG4bK{b:x}\r\n\
                 From: <sip:x@example.com>;tag={t:x}\r\nTo: <sip:y@example.com>\r\n\
                 Call-ID: {c:x}\r\nCSeq: 7 {}\r\nContent-Length: 0\r\n\r\n",
                [100, 180, 183, 401, 407, 486, 500, 603][(b % 8) as usize],
                ["INVITE", "BYE", "OPTIONS", "REGISTER"][(c % 4) as usize]
            )
            .into_bytes(),
            false,
        ),
        _ => {
            let method = ["OPTIONS", "INVITE", "BYE", "CANCEL", "ACK", "INFO"][(c % 6) as usize];
            let to_tag = if matches!(method, "BYE" | "INFO" | "ACK") {
                format!(";tag={t:x}")
            } else {
                String::new()
            };
            (
                format!(
                    "{method} sip:{to} SIP/2.0\r\nVia: SIP/2.0/UDP 203.0.113.9;branch=z9hG4bK{b:x}\r\n\
                     Max-Forwards: 70\r\nFrom: <sip:mallory@evil.example>;tag={c:x}\r\n\
                     To: <sip:victim@example.com>{to_tag}\r\nCall-ID: {t:x}@evil\r\nCSeq: 1 {method}\r\n\
                     Contact: <sip:mallory@203.0.113.9>\r\nContent-Length: 0\r\n\r\n"
                )
                .into_bytes(),
                method != "ACK",
            )
        }
    }
}

/// The TU's answer to a request: 200, or 486 to an INVITE (an INVITE server transaction lives
/// until its TU answers, like a ringing phone).
fn answer(layer: &mut TransactionLayer, now: Instant, tx: TxId, message: &[u8]) {
    let mut st = [Header::EMPTY; 32];
    if let Ok(m) = Message::parse(message, &mut st) {
        let code = if m.method() == Some(Method::Invite)
            && m.header("call-id")
                .is_some_and(|c| c.value().ends_with("@evil"))
        {
            486
        } else {
            200
        };
        let resp = MessageBuilder::response_to(&m, code, "Answer", Some("srv")).to_vec();
        layer.send_response(now, tx, &resp).unwrap();
    }
}

/// Answers every request event of `layer`, drops the rest; whether there was any.
fn answer_requests(layer: &mut TransactionLayer, now: Instant) -> bool {
    let mut any = false;
    while let Some(e) = layer.poll_event() {
        any = true;
        if let TransactionEvent::Request { tx, message, .. } = e {
            answer(layer, now, tx, &message);
        }
    }
    any
}

/// Phase 1: a client and a server transaction layer exchange real OPTIONS and INVITE
/// transactions while both are flooded; the server's TU answers every request it is given.
fn layer_flood(total: u64) {
    let warmup = (total / 10).clamp(20_000, 100_000);
    let start = std::time::Instant::now();
    let mut meter = Meter::new();
    let client_addr: SocketAddr = "192.0.2.1:5060".parse().unwrap();
    let server_addr: SocketAddr = "192.0.2.2:5060".parse().unwrap();
    let (client_peer, server_peer) = (Peer::udp(client_addr), Peer::udp(server_addr));
    let cfg = LayerConfig::default();
    let mut client = TransactionLayer::new(cfg);
    let mut server = TransactionLayer::new(cfg);
    let mut rng = Rng(0x5eed_5eed_1234_5678);
    let mut now = Instant::ZERO;
    let mut buf = vec![0u8; 65535];
    let (mut started, mut completed, mut stray, mut to_attackers, mut spoofed_requests) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut last_real: Vec<u8> = Vec::new();
    let mut max_live_tx = 0usize;
    // The real client transactions (the client's server transactions, made by spoofed
    // requests, time out by design when the attacker never ACKs: Timer H).
    let mut real = std::collections::BTreeSet::new();

    for i in 0..total {
        now += STEP;
        for l in [&mut client, &mut server] {
            if l.poll_timeout().is_some_and(|t| t <= now) {
                l.handle_timeout(now);
            }
        }
        if i % 50 == 0 {
            // A real transaction.
            started += 1;
            let method = if i % 100 == 0 { "INVITE" } else { "OPTIONS" };
            let req = format!(
                "{method} sip:b@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKreal{i}\r\n\
                 Max-Forwards: 70\r\nFrom: <sip:a@example.com>;tag=a{i}\r\nTo: <sip:b@example.com>\r\n\
                 Call-ID: real{i}\r\nCSeq: 1 {method}\r\nContact: <sip:a@192.0.2.1>\r\nContent-Length: 0\r\n\r\n"
            );
            real.insert(
                client
                    .send_request(now, server_peer, req.as_bytes())
                    .unwrap(),
            );
        } else if i % 50 == 25 && !last_real.is_empty() {
            // A retransmission of the last real request, duplicated by the network.
            let _ = server.handle_receive(now, client_peer, &last_real);
        } else {
            let (msg, request) =
                spoof(&mut rng, if i % 2 == 0 { "192.0.2.2" } else { "192.0.2.1" });
            let target = if i % 2 == 0 { &mut server } else { &mut client };
            let _ = target.handle_receive(now, rng.attacker(), &msg);
            spoofed_requests += u64::from(request);
        }
        // The network: client <-> server, everything else to the attackers.
        loop {
            let mut moved = false;
            while let Ok(Some(t @ Transmit { len, .. })) = client.poll_transmit(now, &mut buf) {
                moved = true;
                if Peer::from(t) == server_peer {
                    last_real = buf[..len].to_vec();
                    let _ = server.handle_receive(now, client_peer, &buf[..len]);
                } else {
                    to_attackers += 1;
                }
            }
            while let Ok(Some(t @ Transmit { len, .. })) = server.poll_transmit(now, &mut buf) {
                moved = true;
                if Peer::from(t) == client_peer {
                    let _ = client.handle_receive(now, server_peer, &buf[..len]);
                } else {
                    to_attackers += 1;
                }
            }
            // Both TUs answer every request; the client's also counts its final responses.
            moved |= answer_requests(&mut server, now);
            let mut client_events = Vec::new();
            while let Some(e) = client.poll_event() {
                client_events.push(e);
            }
            for e in client_events {
                moved = true;
                match e {
                    TransactionEvent::Request { tx, message, .. } => {
                        answer(&mut client, now, tx, &message);
                    }
                    TransactionEvent::Response { tx, message }
                        if message.starts_with(b"SIP/2.0 200") && real.remove(&tx) =>
                    {
                        completed += 1;
                    }
                    TransactionEvent::StrayResponse { .. } => stray += 1,
                    TransactionEvent::Timeout { tx } => {
                        assert!(!real.contains(&tx), "a real transaction timed out");
                    }
                    _ => {}
                }
            }
            if !moved {
                break;
            }
        }
        max_live_tx = max_live_tx.max(client.len() + server.len());
        assert!(client.len() <= cfg.max_transactions && server.len() <= cfg.max_transactions);
        meter.sample(i, warmup);
    }
    let s = server.stats();
    println!(
        "layer flood: {started} real transactions, {completed} completed; {stray} stray responses \
         passed to the TU; {spoofed_requests} spoofed requests, {to_attackers} datagrams to \
         spoofed addresses (answers and their retransmissions); at most {max_live_tx} live \
         transactions; server: {} created, {} rejected 503, {} malformed",
        s.created, s.rejected_overload, s.dropped_malformed
    );
    // Every real transaction completed, except those started in the last moments.
    assert!(
        completed + 2 >= started,
        "{completed} of {started} real transactions completed"
    );
    // An answered request's 200 is sent once and retransmitted only on a retransmitted request
    // (non-INVITE) or until Timer G stops (INVITE, at most 7 times): no amplification beyond RFC
    // 3261's own retransmissions.
    assert!(to_attackers <= 8 * spoofed_requests);
    meter.report("layer flood", total, warmup, start.elapsed(), 256 * 1024);
}

/// Two user agents on a perfect link, with the callee's application; everything they send
/// elsewhere goes to the attackers.
struct Pair {
    alice: UserAgent,
    bob: UserAgent,
    a_peer: Peer,
    b_peer: Peer,
    buf: Vec<u8>,
    current: Option<(CallHandle, u64)>,
    established: u64,
    ended: u64,
    rejected: u64,
    to_attackers: u64,
    last_real_to_bob: Vec<u8>,
}

impl Pair {
    /// Delivers datagrams between the two and runs both applications until nothing moves: bob
    /// answers alice's calls and rejects every other; alice rejects every incoming call.
    fn exchange(&mut self, now: Instant) {
        loop {
            let mut moved = false;
            while let Ok(Some(t)) = self.alice.poll_transmit(now, &mut self.buf) {
                moved = true;
                if Peer::from(t) == self.b_peer {
                    self.last_real_to_bob = self.buf[..t.len].to_vec();
                    let _ = self
                        .bob
                        .handle_receive(now, self.a_peer, &self.buf[..t.len]);
                } else {
                    self.to_attackers += 1;
                }
            }
            while let Ok(Some(t)) = self.bob.poll_transmit(now, &mut self.buf) {
                moved = true;
                if Peer::from(t) == self.a_peer {
                    let _ = self
                        .alice
                        .handle_receive(now, self.b_peer, &self.buf[..t.len]);
                } else {
                    self.to_attackers += 1;
                }
            }
            while let Some(e) = self.bob.poll_event() {
                moved = true;
                if let UaEvent::IncomingCall { call, from, .. } = e {
                    if from.contains("sip:alice@") {
                        self.bob.answer(now, call, b"v=0\r\n").unwrap();
                    } else {
                        self.rejected += 1;
                        self.bob.reject(now, call, 486).unwrap();
                    }
                }
            }
            while let Some(e) = self.alice.poll_event() {
                moved = true;
                match e {
                    UaEvent::Answered { .. } => self.established += 1,
                    UaEvent::CallEnded { call, .. } => {
                        assert_eq!(self.current.map(|c| c.0), Some(call));
                        self.current = None;
                        self.ended += 1;
                    }
                    UaEvent::CallFailed { code, .. } => panic!("a real call failed: {code:?}"),
                    UaEvent::IncomingCall { call, .. } => {
                        self.rejected += 1;
                        self.alice.reject(now, call, 603).unwrap();
                    }
                    _ => {}
                }
            }
            if !moved {
                break;
            }
        }
    }
}

/// Phase 2: two user agents place, answer and hang up real calls while both are flooded; the
/// applications reject calls that are not the real one.
fn ua_flood(total: u64) {
    let warmup = (total / 10).clamp(20_000, 100_000);
    let start = std::time::Instant::now();
    let mut meter = Meter::new();
    let a_addr: SocketAddr = "192.0.2.1:5060".parse().unwrap();
    let b_addr: SocketAddr = "192.0.2.2:5060".parse().unwrap();
    let (a_peer, b_peer) = (Peer::udp(a_addr), Peer::udp(b_addr));
    let cfg = |u: &str, me: SocketAddr, to: Peer, seed| {
        UaConfig::new(
            &format!("sip:{u}@example.com"),
            &format!("<sip:{u}@{me}>"),
            &format!("SIP/2.0/UDP {me}"),
            to,
            [seed; 32],
        )
    };
    let mut p = Pair {
        alice: UserAgent::new(cfg("alice", a_addr, b_peer, 1)),
        bob: UserAgent::new(cfg("bob", b_addr, a_peer, 2)),
        a_peer,
        b_peer,
        buf: vec![0u8; 65535],
        current: None,
        established: 0,
        ended: 0,
        rejected: 0,
        to_attackers: 0,
        last_real_to_bob: Vec::new(),
    };
    let max_tx = p.alice.config().layer.max_transactions;
    let mut rng = Rng(0xfeed_beef_0bad_cafe);
    let mut now = Instant::ZERO;
    let (mut placed, mut spoofed_requests, mut stray_responses) = (0u64, 0u64, 0u64);
    let mut out = vec![0u8; 65535];

    for i in 0..total {
        now += STEP;
        for ua in [&mut p.alice, &mut p.bob] {
            if ua.poll_timeout().is_some_and(|t| t <= now) {
                ua.handle_timeout(now);
            }
        }
        match p.current {
            None if i % 200 == 0 => {
                let call = p
                    .alice
                    .call(now, "sip:bob@example.com", b"v=0\r\n")
                    .unwrap();
                placed += 1;
                p.current = Some((call, i));
            }
            Some((call, since)) if i == since + 100 => {
                p.alice.hangup(now, call).unwrap();
            }
            _ => {}
        }
        p.exchange(now);
        if i % 200 == 150 && !p.last_real_to_bob.is_empty() {
            // A duplicate of the last real datagram alice sent.
            let dup = p.last_real_to_bob.clone();
            let _ = p.bob.handle_receive(now, a_peer, &dup);
        } else if i % 200 != 0 {
            let to_bob = rng.below(2) == 0;
            let (msg, request) = spoof(&mut rng, if to_bob { "192.0.2.2" } else { "192.0.2.1" });
            let ua = if to_bob { &mut p.bob } else { &mut p.alice };
            let _ = ua.handle_receive(now, rng.attacker(), &msg);
            let mut sent = 0;
            while let Ok(Some(t)) = ua.poll_transmit(now, &mut out) {
                sent += 1;
                assert!(Peer::from(t) != a_peer && Peer::from(t) != b_peer);
                p.to_attackers += 1;
            }
            if request {
                spoofed_requests += 1;
                assert!(sent <= 1, "{sent} datagrams for one spoofed request");
            } else {
                // A stray response makes the UA send nothing (issue #14, defect 3).
                stray_responses += 1;
                assert_eq!(sent, 0, "a stray response was answered (message {i})");
            }
        }
        p.exchange(now);
        for ua in [&p.alice, &p.bob] {
            assert!(ua.transactions().len() <= max_tx);
            assert!(ua.call_count() <= 1, "only the real call lives");
        }
        meter.sample(i, warmup);
    }
    println!(
        "ua flood: {placed} real calls placed, {} answered, {} hung up; {spoofed_requests} \
         spoofed requests ({} spoofed INVITEs rejected by the apps), {stray_responses} stray \
         responses, {} datagrams to spoofed addresses; stray 2xx dropped: alice {}, bob {}; \
         transactions at the end: alice {}, bob {}",
        p.established,
        p.ended,
        p.rejected,
        p.to_attackers,
        p.alice.stray_responses_dropped(),
        p.bob.stray_responses_dropped(),
        p.alice.transactions().len(),
        p.bob.transactions().len()
    );
    assert!(placed >= 2 && p.established + 1 >= placed && p.ended + 1 >= placed);
    assert!(p.to_attackers <= 12 * spoofed_requests);
    meter.report("ua flood", total, warmup, start.elapsed(), 256 * 1024);
}

fn main() {
    let total = messages();
    layer_flood(total);
    ua_flood(total);
}
