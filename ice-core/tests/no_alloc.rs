//! Counting-allocator proof of the zero-allocation promises: candidate parsing and writing never
//! allocate, and an ICE-lite agent answers Binding requests (the gateway hot path) without
//! touching the heap once warmed up. Runs without libtest's threads (harness = false) so nothing
//! else allocates meanwhile.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

use std::alloc::System;
use std::fmt::Write;
use std::net::SocketAddr;

use rtcweb_ice_core::candidate::Candidate;
use rtcweb_ice_core::{Agent, AgentConfig, Instant, Receive};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const REQUEST: &[u8] = include_bytes!("data/stun_binding_request.bin");

/// A `fmt::Write` into a fixed array.
struct Fixed {
    buf: [u8; 256],
    len: usize,
}

impl Write for Fixed {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        self.buf
            .get_mut(self.len..end)
            .ok_or(std::fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

fn candidates_do_not_allocate() {
    let line = "a=candidate:842163049 1 udp 1677729535 198.51.100.7 61665 typ srflx raddr 10.0.0.5 rport 61665 generation 0 network-cost 999";
    let region = Region::new(GLOBAL);
    for _ in 0..1000 {
        let c = Candidate::parse(std::hint::black_box(line)).unwrap();
        let mut out = Fixed {
            buf: [0; 256],
            len: 0,
        };
        write!(out, "{c}").unwrap();
        assert!(out.len > 40);
    }
    let s = region.change();
    assert_eq!(
        s.allocations + s.reallocations,
        0,
        "candidate parse/write allocated: {s:?}"
    );
}

fn lite_answers_do_not_allocate() {
    let local: SocketAddr = "192.0.2.1:3478".parse().unwrap();
    let peer: SocketAddr = "198.51.100.7:50000".parse().unwrap();
    let mut agent = Agent::new(AgentConfig::lite(), [9; 32]);
    agent.add_local_host(local).unwrap();
    agent
        .set_local_credentials("Sx3q", "2o5pRFAwAd3Qf6VyHrXzHqcK")
        .unwrap();
    let mut buf = [0u8; 1500];
    // Warm-up: the first check learns the peer and its pair, and sizes the queues.
    for _ in 0..4 {
        assert_eq!(
            agent.handle_receive(Instant::ZERO, local, peer, REQUEST),
            Receive::Handled
        );
        while agent
            .poll_transmit(Instant::ZERO, &mut buf)
            .unwrap()
            .is_some()
        {}
        while agent.poll_event().is_some() {}
    }
    let region = Region::new(GLOBAL);
    for _ in 0..10_000 {
        let r = agent.handle_receive(Instant::ZERO, local, peer, REQUEST);
        assert_eq!(r, Receive::Handled);
        let t = agent
            .poll_transmit(Instant::ZERO, &mut buf)
            .unwrap()
            .unwrap();
        assert_eq!(t.destination, peer);
    }
    let s = region.change();
    assert_eq!(
        s.allocations + s.reallocations,
        0,
        "lite answers allocated: {s:?}"
    );
}

fn main() {
    candidates_do_not_allocate();
    lite_answers_do_not_allocate();
    println!("no_alloc: candidate parse/write and lite answers: 0 allocations");
}
