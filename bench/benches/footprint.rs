//! Memory per unit of state, the way a gateway holds many (issue #18): heap bytes counted by a
//! global allocator, plus the inline size of the value itself, per ICE-lite agent (rtcweb vs
//! str0m's `is`), per established SIP dialog in a `UserAgent` (both ends), per SIP server
//! transaction, and per SRTP stream (rtcweb vs webrtc-srtp).
//!
//! Each figure: N units created and kept alive in a `Vec` (grown to N first, so its own buffer is
//! not counted), live heap bytes after minus before, divided by N, plus `size_of` of the unit;
//! the median of 5 runs with min–max. Deterministic apart from allocator bookkeeping.
//!
//! `cargo bench -p rtcweb-bench --bench footprint` prints a Markdown table (`scripts/bench.sh`
//! puts it in BENCHMARKS.md).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc
)]

use std::alloc::System;
use std::mem::size_of;
use std::net::SocketAddr;

use rtcweb_ice_core::{Agent, AgentConfig, Instant, Receive};
use rtcweb_sip_core::message::{Header, Message};
use rtcweb_sip_core::transaction::{LayerConfig, Peer, TransactionEvent, TransactionLayer};
use rtcweb_sip_core::ua::{UaConfig, UaEvent, UserAgent};
use rtcweb_srtp_core::{Config, KeyingMaterial, Profile, Session};
use stats_alloc::{StatsAlloc, INSTRUMENTED_SYSTEM};

/// Counts heap bytes (the `stats_alloc` instrumented system allocator, as the crates'
/// zero-allocation tests use).
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Live heap bytes now.
fn live() -> isize {
    let s = GLOBAL.stats();
    s.bytes_allocated as isize - s.bytes_deallocated as isize + s.bytes_reallocated
}

const N: usize = 1000;
const RUNS: usize = 5;

const REQUEST: &[u8] = include_bytes!("../data/stun_binding_request.bin");
const KEY_SALT: &[u8] = include_bytes!("../data/srtp_master_key_salt.bin");
const RTP: &[u8] = include_bytes!("../data/rtp_172.bin");

fn local() -> SocketAddr {
    "192.0.2.1:3478".parse().unwrap()
}
fn remote() -> SocketAddr {
    "198.51.100.7:50000".parse().unwrap()
}

/// Bytes per unit: heap growth while `make` builds N units kept in a pre-sized Vec, over N,
/// plus the unit's inline size.
fn per_unit<T>(mut make: impl FnMut(usize) -> T) -> f64 {
    let mut keep: Vec<T> = Vec::with_capacity(N);
    let before = live();
    for i in 0..N {
        keep.push(make(i));
    }
    let after = live();
    let heap = (after - before) as f64 / N as f64;
    drop(keep);
    heap + size_of::<T>() as f64
}

/// An ICE-lite agent with credentials and one host candidate that has answered one Binding
/// request (so its pair and check list exist): rtcweb-ice-core.
fn ice_ours(i: usize) -> Agent {
    let mut a = Agent::new(AgentConfig::lite(), [i as u8; 32]);
    a.add_local_host(local()).unwrap();
    a.set_local_credentials("Sx3q", "2o5pRFAwAd3Qf6VyHrXzHqcK")
        .unwrap();
    a.set_remote_credentials("Yp7Z", "remotepasswordremotepass")
        .unwrap();
    let r = a.handle_receive(Instant::ZERO, local(), remote(), REQUEST);
    assert_eq!(r, Receive::Handled);
    let mut buf = [0u8; 1500];
    assert!(a.poll_transmit(Instant::ZERO, &mut buf).unwrap().is_some());
    a
}

/// The same with str0m's `is` in lite mode.
fn ice_is(_: usize) -> is::IceAgent {
    let mut agent = is::IceAgent::new(is::IceCreds {
        ufrag: "Sx3q".into(),
        pass: "2o5pRFAwAd3Qf6VyHrXzHqcK".into(),
    });
    agent.set_ice_lite(true);
    agent.set_remote_credentials(is::IceCreds {
        ufrag: "Yp7Z".into(),
        pass: "remotepasswordremotepass".into(),
    });
    agent.add_local_candidate(is::Candidate::host(local(), "udp").unwrap());
    let now = std::time::Instant::now();
    agent.handle_timeout(now);
    let message = is::stun::StunMessage::parse(REQUEST).unwrap();
    agent.handle_packet(
        now,
        is::stun::StunPacket {
            proto: is::Protocol::Udp,
            source: remote(),
            destination: local(),
            message,
        },
    );
    assert!(agent.poll_transmit().is_some());
    while agent.poll_event().is_some() {}
    agent
}

fn ua(user: &str, me: SocketAddr, to: SocketAddr, seed: u8) -> UserAgent {
    let mut cfg = UaConfig::new(
        &format!("sip:{user}@example.com"),
        &format!("<sip:{user}@{me}>"),
        &format!("SIP/2.0/UDP {me}"),
        Peer::udp(to),
        [seed; 32],
    );
    cfg.max_calls = 2 * N;
    cfg.layer.max_transactions = 4 * N;
    UserAgent::new(cfg)
}

const SDP: &[u8] = b"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n\
m=audio 40000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n";

/// Heap bytes per established dialog: a caller and a callee UA with N confirmed calls between
/// them (INVITE, 200, ACK exchanged), their transactions terminated; both ends counted, so the
/// figure is per dialog per UA (half the total).
fn ua_dialogs() -> f64 {
    let (a, b): (SocketAddr, SocketAddr) = (
        "192.0.2.1:5060".parse().unwrap(),
        "192.0.2.2:5060".parse().unwrap(),
    );
    let mut alice = ua("alice", a, b, 1);
    let mut bob = ua("bob", b, a, 2);
    let mut buf = vec![0u8; 65_535];
    let mut now = Instant::ZERO;
    // Settle anything the UAs allocate once (tables, first transaction) before counting.
    let mut shuttle = |alice: &mut UserAgent, bob: &mut UserAgent, now: Instant| {
        for _ in 0..6 {
            while let Ok(Some(t)) = alice.poll_transmit(now, &mut buf) {
                bob.handle_receive(now, Peer::udp(a), &buf[..t.len]).ok();
            }
            while let Some(e) = bob.poll_event() {
                if let UaEvent::IncomingCall { call, .. } = e {
                    bob.answer(now, call, SDP).unwrap();
                }
            }
            while let Ok(Some(t)) = bob.poll_transmit(now, &mut buf) {
                alice.handle_receive(now, Peer::udp(b), &buf[..t.len]).ok();
            }
            while alice.poll_event().is_some() {}
        }
    };
    let before = live();
    for _ in 0..N {
        alice.call(now, "sip:bob@example.com", SDP).unwrap();
        shuttle(&mut alice, &mut bob, now);
    }
    // Let every transaction finish (Timer K, H, I: 32 s at most) so only dialogs remain.
    for _ in 0..70 {
        now = Instant::from_nanos(now.as_nanos() + 1_000_000_000);
        alice.handle_timeout(now);
        bob.handle_timeout(now);
        shuttle(&mut alice, &mut bob, now);
    }
    assert_eq!(alice.call_count(), N, "caller calls");
    assert_eq!(bob.call_count(), N, "callee calls");
    let st = alice.transaction_stats();
    assert_eq!(st.created, st.terminated, "caller transactions done");
    let st = bob.transaction_stats();
    assert_eq!(st.created, st.terminated, "callee transactions done");
    let after = live();
    (after - before) as f64 / (2 * N) as f64
}

/// Heap bytes per live server transaction: N INVITEs received, each answered 180 (the state a
/// proxy or B2BUA holds while a phone rings).
fn server_transactions() -> f64 {
    let mut layer = TransactionLayer::new(LayerConfig::default());
    let peer = Peer::udp(remote());
    let before = live();
    let mut buf = vec![0u8; 65_535];
    for i in 0..N {
        let invite = format!(
            "INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK{i}x\r\n\
Max-Forwards: 70\r\nFrom: <sip:alice@example.com>;tag=a{i}\r\nTo: <sip:bob@example.com>\r\n\
Call-ID: c{i}@example.com\r\nCSeq: 1 INVITE\r\nContact: <sip:alice@198.51.100.7>\r\n\
Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n",
            SDP.len()
        );
        let mut bytes = invite.into_bytes();
        bytes.extend_from_slice(SDP);
        layer.handle_receive(Instant::ZERO, peer, &bytes).unwrap();
        while let Some(e) = layer.poll_event() {
            if let TransactionEvent::Request { tx, message, .. } = e {
                let mut st = [Header::EMPTY; 32];
                let req = Message::parse(&message, &mut st).unwrap();
                let ringing = rtcweb_sip_core::message::builder::MessageBuilder::response_to(
                    &req,
                    180,
                    "Ringing",
                    Some("b"),
                )
                .to_vec();
                layer.send_response(Instant::ZERO, tx, &ringing).unwrap();
            }
        }
        while layer
            .poll_transmit(Instant::ZERO, &mut buf)
            .unwrap()
            .is_some()
        {}
    }
    assert_eq!(layer.len(), N);
    let after = live();
    (after - before) as f64 / N as f64
}

/// A receiving SRTP session with one stream (after its first packet): rtcweb-srtp-core.
fn srtp_ours(_: usize) -> Session {
    let key = KeyingMaterial::from_key_salt(Profile::AesCm128HmacSha1_80, KEY_SALT).unwrap();
    let config = Config {
        replay_window: 128,
        ..Config::default()
    };
    let mut tx = Session::new(&key, &config).unwrap();
    let mut rx = Session::new(&key, &config).unwrap();
    let mut buf = [0u8; 1500];
    buf[..RTP.len()].copy_from_slice(RTP);
    let n = tx.protect_rtp(&mut buf, RTP.len()).unwrap();
    rx.unprotect_rtp(&mut buf[..n]).unwrap();
    rx
}

/// The same with webrtc-srtp's `Context` (replay protection on, window 128).
fn srtp_webrtc(_: usize) -> webrtc_srtp::context::Context {
    use webrtc_srtp::option::srtp_replay_protection;
    use webrtc_srtp::protection_profile::ProtectionProfile;
    let mk = || {
        webrtc_srtp::context::Context::new(
            &KEY_SALT[..16],
            &KEY_SALT[16..],
            ProtectionProfile::Aes128CmHmacSha1_80,
            Some(srtp_replay_protection(128)),
            None,
        )
        .unwrap()
    };
    let mut tx = mk();
    let mut rx = mk();
    let out = tx.encrypt_rtp(RTP).unwrap();
    rx.decrypt_rtp(&out).unwrap();
    rx
}

fn stats(mut f: impl FnMut() -> f64) -> (f64, f64, f64) {
    let mut v: Vec<f64> = (0..RUNS).map(|_| f()).collect();
    v.sort_by(f64::total_cmp);
    (v[RUNS / 2], v[0], v[RUNS - 1])
}

fn row(what: &str, library: &str, s: (f64, f64, f64)) {
    println!(
        "| {what} | {library} | {:.0} | {:.0}–{:.0} |",
        s.0, s.1, s.2
    );
}

fn main() {
    println!("| state | library | bytes per unit (median of {RUNS}) | min–max |");
    println!("|---|---|---:|---:|");
    row(
        "ICE-lite agent, one host candidate, one pair answered",
        "**rtcweb-ice-core**",
        stats(|| per_unit(ice_ours)),
    );
    row("", "is (str0m) 0.12", stats(|| per_unit(ice_is)));
    row(
        "SRTP receiving session, one stream, replay window 128",
        "**rtcweb-srtp-core**",
        stats(|| per_unit(srtp_ours)),
    );
    row("", "webrtc-srtp 0.10", stats(|| per_unit(srtp_webrtc)));
    row(
        "SIP server transaction (INVITE received, 180 sent)",
        "**rtcweb-sip-core**",
        stats(server_transactions),
    );
    row(
        "SIP dialog held by a `UserAgent` (confirmed call, transactions done), per end",
        "**rtcweb-sip-core**",
        stats(ua_dialogs),
    );
}
