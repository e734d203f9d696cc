//! The gateway case: Binding requests answered per second by an ICE-lite agent (parse, verify
//! FINGERPRINT and MESSAGE-INTEGRITY, learn/nominate the pair, encode the signed response, route
//! it), next to the bare STUN work the answer needs (stun-core parse + verify + encode: the limit
//! of this stack). Also prints the heap held per agent, measured with a counting allocator.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(
    missing_docs,
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc
)]

use std::alloc::System;
use std::hint::black_box;
use std::net::SocketAddr;

use criterion::{criterion_group, Criterion, Throughput};
use rtcweb_ice_core::candidate::Candidate;
use rtcweb_ice_core::{Agent, AgentConfig, Instant, Receive};
use rtcweb_stun_core::wire::attributes::XorMappedAddress;
use rtcweb_stun_core::wire::{Class, Message, MessageType, MessageWriter, Method};
use rtcweb_stun_core::IntegrityKey;
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const REQUEST: &[u8] = include_bytes!("../tests/data/stun_binding_request.bin");
const PWD: &str = "2o5pRFAwAd3Qf6VyHrXzHqcK";
/// The peer's password: unused by a lite agent's answers, but both agents are given it.
const REMOTE_PWD: &str = "remotepasswordremotepass";

fn local() -> SocketAddr {
    "192.0.2.1:3478".parse().unwrap()
}
fn peer() -> SocketAddr {
    "198.51.100.7:50000".parse().unwrap()
}

fn lite_agent() -> Agent {
    let mut a = Agent::new(AgentConfig::lite(), [9; 32]);
    a.add_local_host(local()).unwrap();
    a.set_local_credentials("Sx3q", PWD).unwrap();
    a.set_remote_credentials("Yp7Z", REMOTE_PWD).unwrap();
    a
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("ice_lite_binding");
    g.throughput(Throughput::Elements(1));
    let mut agent = lite_agent();
    let mut buf = [0u8; 1500];
    assert_eq!(
        agent.handle_receive(Instant::ZERO, local(), peer(), REQUEST),
        Receive::Handled
    );
    assert!(agent
        .poll_transmit(Instant::ZERO, &mut buf)
        .unwrap()
        .is_some());
    g.bench_function(
        "rtcweb-ice-core lite agent: request in, response out",
        |b| {
            b.iter(|| {
                let r = agent.handle_receive(Instant::ZERO, local(), peer(), black_box(REQUEST));
                debug_assert_eq!(r, Receive::Handled);
                black_box(agent.poll_transmit(Instant::ZERO, &mut buf))
            })
        },
    );
    // The peer: str0m's agent (crate `is`) in ICE-lite mode, same request, same credentials.
    let mut peer_agent = is::IceAgent::new(is::IceCreds {
        ufrag: "Sx3q".into(),
        pass: PWD.into(),
    });
    peer_agent.set_ice_lite(true);
    // str0m answers only once it knows the peer's credentials (USERNAME is `Sx3q:Yp7Z`).
    peer_agent.set_remote_credentials(is::IceCreds {
        ufrag: "Yp7Z".into(),
        pass: REMOTE_PWD.into(),
    });
    peer_agent.add_local_candidate(is::Candidate::host(local(), "udp").unwrap());
    let start = std::time::Instant::now();
    peer_agent.handle_timeout(start);
    let packet = |m| is::stun::StunPacket {
        proto: is::Protocol::Udp,
        source: peer(),
        destination: local(),
        message: m,
    };
    let msg = is::stun::StunMessage::parse(REQUEST).unwrap();
    assert!(peer_agent.handle_packet(start, packet(msg)));
    assert!(
        peer_agent.poll_transmit().is_some(),
        "is answers the request"
    );
    g.bench_function("is (str0m) lite agent: request in, response out", |b| {
        b.iter(|| {
            let msg = is::stun::StunMessage::parse(black_box(REQUEST)).unwrap();
            peer_agent.handle_packet(start, packet(msg));
            let t = black_box(peer_agent.poll_transmit());
            while peer_agent.poll_event().is_some() {}
            t
        })
    });
    while peer_agent.poll_event().is_some() {}

    let key = IntegrityKey::new(PWD.as_bytes());
    g.bench_function("limit: stun-core parse + verify + encode response", |b| {
        b.iter(|| {
            let msg = Message::parse(black_box(REQUEST)).unwrap();
            msg.verify_fingerprint().unwrap();
            msg.verify_integrity(&key).unwrap();
            let typ = MessageType::new(Method::BINDING, Class::Success);
            let mut w = MessageWriter::new(&mut buf, typ, msg.transaction_id()).unwrap();
            w.add(&XorMappedAddress(peer())).unwrap();
            w.add_message_integrity(&key).unwrap();
            w.add_fingerprint().unwrap();
            black_box(w.finish())
        })
    });
    g.finish();
}

/// Heap bytes held by an agent built by `f` (allocated minus freed while building it).
fn held(f: impl FnOnce() -> Agent) -> (usize, Agent) {
    let region = Region::new(GLOBAL);
    let agent = f();
    let s = region.change();
    (
        s.bytes_allocated + s.bytes_reallocated.max(0) as usize - s.bytes_deallocated,
        agent,
    )
}

fn memory() {
    let (lite, _a) = held(|| {
        let mut a = lite_agent();
        let mut buf = [0u8; 1500];
        a.handle_receive(Instant::ZERO, local(), peer(), REQUEST);
        let _ = a.poll_transmit(Instant::ZERO, &mut buf);
        a
    });
    let (full, _b) = held(|| {
        let mut a = Agent::new(AgentConfig::default(), [1; 32]);
        a.add_local_host(local()).unwrap();
        a.set_remote_credentials("abcd", "0123456789abcdefghijkl")
            .unwrap();
        for i in 0..8u16 {
            let c = Candidate::parse(&format!(
                "candidate:{i} 1 udp {} 203.0.113.1 {} typ host",
                1000 + i,
                4000 + i
            ))
            .unwrap();
            a.add_remote_candidate(c).unwrap();
        }
        a
    });
    let (capped, _c) = held(|| {
        let mut a = Agent::new(AgentConfig::default(), [1; 32]);
        for h in 0..2u8 {
            a.add_local_host(SocketAddr::from(([192, 0, 2, h + 1], 5000)))
                .unwrap();
        }
        a.set_remote_credentials("abcd", "0123456789abcdefghijkl")
            .unwrap();
        for i in 0..64u16 {
            let c = Candidate::parse(&format!(
                "candidate:{i} 1 udp {} 203.0.113.1 {} typ host",
                1000 + i,
                4000 + i
            ))
            .unwrap();
            a.add_remote_candidate(c).unwrap();
        }
        a
    });
    println!(
        "memory per agent (heap, bytes; the Agent struct itself adds {} bytes):",
        std::mem::size_of::<Agent>()
    );
    println!("  lite agent, 1 host, after answering 1 check (1 pair): {lite}");
    println!("  full agent, 1 host, 8 remote candidates (8 pairs):    {full}");
    println!("  full agent at the caps (2 hosts, 64 remotes, 100 pairs): {capped}");
}

criterion_group!(benches, bench);

fn main() {
    memory();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
