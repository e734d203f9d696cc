//! Agent behaviours through the deterministic simulator: role conflicts, consent loss, ICE
//! restart, late trickle with peer-reflexive learning, two components without rtcp-mux, heavy
//! loss and reordering.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

mod sim;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use rtcweb_ice_core::candidate::CandidateKind;
use rtcweb_ice_core::{Agent, AgentConfig, ConnectionState, Role};
use sim::{as_ms, ms, NatKind, Sim, STUN_SERVER};

fn connected(s: ConnectionState) -> bool {
    matches!(s, ConnectionState::Connected | ConnectionState::Completed)
}

fn both_connected(s: &Sim) -> bool {
    connected(s.nodes[0].agent.state()) && connected(s.nodes[1].agent.state())
}

/// Two agents on public addresses (no NAT) with the given configs.
fn pair(seed: u64, a: AgentConfig, b: AgentConfig) -> Sim {
    let mut sim = Sim::new(seed);
    let pa: IpAddr = "203.0.113.1".parse().unwrap();
    let pb: IpAddr = "203.0.113.2".parse().unwrap();
    let sa = sim.add_site(NatKind::None, pa);
    let sb = sim.add_site(NatKind::None, pb);
    let (aa, ab) = (SocketAddr::new(pa, 5000), SocketAddr::new(pb, 6000));
    let mut x = Agent::new(a, sim.net.rng.seed());
    let mut y = Agent::new(b, sim.net.rng.seed());
    x.add_local_host(aa).unwrap();
    y.add_local_host(ab).unwrap();
    if a.components > 1 {
        x.add_local_host_for(SocketAddr::new(pa, 5001), 2).unwrap();
    }
    if b.components > 1 {
        y.add_local_host_for(SocketAddr::new(pb, 6001), 2).unwrap();
    }
    sim.add_node(x, sa, aa);
    sim.add_node(y, sb, ab);
    sim.nodes[0].extra.push(SocketAddr::new(pa, 5001));
    sim.nodes[1].extra.push(SocketAddr::new(pb, 6001));
    sim.exchange_credentials(0, 1);
    sim
}

fn controlled() -> AgentConfig {
    AgentConfig {
        controlling: false,
        ..AgentConfig::default()
    }
}

#[test]
fn both_controlling_resolve_the_conflict() {
    let mut sim = pair(1, AgentConfig::default(), AgentConfig::default());
    sim.run(ms(10_000), both_connected);
    assert!(both_connected(&sim), "{:?}", sim.nodes[0].states);
    let roles = [sim.nodes[0].agent.role(), sim.nodes[1].agent.role()];
    assert!(roles.contains(&Role::Controlling) && roles.contains(&Role::Controlled));
    assert_eq!(
        sim.nodes[0].agent.selected_pair(1).map(|p| p.0.address),
        sim.nodes[1].agent.selected_pair(1).map(|p| p.1.address)
    );
}

#[test]
fn both_controlled_resolve_the_conflict() {
    let mut sim = pair(2, controlled(), controlled());
    sim.run(ms(10_000), both_connected);
    assert!(both_connected(&sim));
    let roles = [sim.nodes[0].agent.role(), sim.nodes[1].agent.role()];
    assert!(roles.contains(&Role::Controlling) && roles.contains(&Role::Controlled));
}

#[test]
fn consent_loss_disconnects_then_fails_after_30_s() {
    let mut sim = pair(3, AgentConfig::default(), controlled());
    sim.run(ms(10_000), both_connected);
    assert!(both_connected(&sim));
    // Consent keeps it up for a minute on a healthy link.
    let t0 = sim.net.now;
    sim.run(t0 + Duration::from_secs(60), |s| !both_connected(s));
    assert!(both_connected(&sim), "consent refreshes keep the pair");
    // Then the path dies.
    sim.net.link.loss = 1000;
    let cut = sim.net.now;
    sim.run(cut + Duration::from_secs(60), |s| {
        s.nodes[0].agent.state() == ConnectionState::Failed
    });
    let states = &sim.nodes[0].states;
    let disc = states
        .iter()
        .find(|(t, s)| *t >= cut && *s == ConnectionState::Disconnected)
        .expect("Disconnected first");
    let failed = states
        .iter()
        .find(|(t, s)| *t >= cut && *s == ConnectionState::Failed)
        .expect("then Failed");
    let since_cut = |t| as_ms(t) - as_ms(cut);
    assert!(
        since_cut(disc.0) <= 10_000,
        "disconnected after {} ms",
        since_cut(disc.0)
    );
    // Consent is lost 30 s after the last response, which came at most ~6 s before the cut.
    assert!(
        (24_000..=31_000).contains(&since_cut(failed.0)),
        "failed after {} ms",
        since_cut(failed.0)
    );
    let mut buf = [0u8; 100];
    assert!(
        sim.nodes[0]
            .agent
            .send(sim.net.now, b"x", &mut buf)
            .is_err(),
        "no sending without consent"
    );
}

#[test]
fn restart_reconnects_with_new_credentials() {
    let mut sim = pair(4, AgentConfig::default(), controlled());
    sim.run(ms(10_000), both_connected);
    assert!(both_connected(&sim));
    let old = sim.nodes[0].agent.local_credentials().0.to_string();
    sim.nodes[0].agent.restart();
    sim.nodes[1].agent.restart();
    assert_ne!(sim.nodes[0].agent.local_credentials().0, old);
    assert_eq!(sim.nodes[0].agent.state(), ConnectionState::New);
    sim.exchange_credentials(0, 1);
    // Re-signal the (kept) local candidates.
    for (from, to) in [(0, 1), (1, 0)] {
        let cands: Vec<_> = sim.nodes[from].agent.local_candidates().copied().collect();
        for c in cands {
            sim.nodes[to].agent.add_remote_candidate(c).unwrap();
        }
    }
    let t = sim.net.now;
    sim.run(t + Duration::from_secs(10), both_connected);
    assert!(both_connected(&sim), "{:?}", sim.nodes[0].states);
}

#[test]
fn checks_before_candidates_learn_peer_reflexive() {
    // Candidates are signalled late: B's checks reach A first; A learns B as peer-reflexive.
    let mut sim = pair(5, AgentConfig::default(), controlled());
    sim.signalling_delay = Duration::from_millis(3_000);
    let a_cand = *sim.nodes[0].agent.local_candidates().next().unwrap();
    sim.nodes[1].agent.add_remote_candidate(a_cand).unwrap();
    // Drop A's own candidate event so it is only learned through B's check... A never gets B's
    // candidate before the check.
    sim.run(ms(2_000), |_| false);
    assert!(
        sim.nodes[0]
            .agent
            .remote_candidates()
            .any(|c| c.kind == CandidateKind::PeerReflexive),
        "A learned B from its check"
    );
    sim.run(ms(10_000), both_connected);
    assert!(both_connected(&sim));
}

#[test]
fn two_components_without_rtcp_mux() {
    let two = |controlling| AgentConfig {
        components: 2,
        controlling,
        ..AgentConfig::default()
    };
    let mut sim = pair(6, two(true), two(false));
    sim.run(ms(10_000), both_connected);
    assert!(both_connected(&sim));
    for n in 0..2 {
        let (l1, _) = sim.nodes[n].agent.selected_pair(1).unwrap();
        let (l2, _) = sim.nodes[n].agent.selected_pair(2).unwrap();
        assert_eq!((l1.component, l2.component), (1, 2));
        assert_ne!(l1.address, l2.address);
    }
}

#[test]
fn heavy_loss_and_reordering_still_connect() {
    for seed in 10..20 {
        let mut sim = pair(seed, AgentConfig::default(), controlled());
        sim.net.link.loss = 300;
        sim.net.link.jitter = Duration::from_millis(200);
        sim.run(ms(30_000), both_connected);
        assert!(
            both_connected(&sim),
            "seed {seed}: {:?}",
            sim.nodes[0].states
        );
    }
}

#[test]
fn trickled_srflx_through_nats_and_deterministic() {
    let run = |seed| {
        let mut sim = Sim::new(seed);
        let s0 = sim.add_site(NatKind::PortRestricted, "203.0.113.1".parse().unwrap());
        let s1 = sim.add_site(NatKind::AddressRestricted, "203.0.113.2".parse().unwrap());
        let (a0, a1): (SocketAddr, SocketAddr) = (
            "10.0.0.1:5000".parse().unwrap(),
            "10.0.1.1:5000".parse().unwrap(),
        );
        let mut x = Agent::new(AgentConfig::default(), [7; 32]);
        let mut y = Agent::new(controlled(), [8; 32]);
        x.add_local_host(a0).unwrap();
        y.add_local_host(a1).unwrap();
        x.add_stun_server(STUN_SERVER.parse().unwrap()).unwrap();
        y.add_stun_server(STUN_SERVER.parse().unwrap()).unwrap();
        sim.add_node(x, s0, a0);
        sim.add_node(y, s1, a1);
        sim.exchange_credentials(0, 1);
        sim.run(ms(10_000), both_connected);
        assert!(both_connected(&sim));
        (
            sim.nodes[0].connected_at,
            sim.nodes[0].agent.selected_pair(1),
        )
    };
    assert_eq!(run(42), run(42), "same seed, same run");
}

#[test]
fn candidates_after_completion_are_not_checked() {
    let mut sim = pair(7, AgentConfig::default(), controlled());
    sim.run(ms(10_000), |s| {
        s.nodes[0].agent.state() == ConnectionState::Completed
            && s.nodes[1].agent.state() == ConnectionState::Completed
    });
    assert_eq!(sim.nodes[0].agent.state(), ConnectionState::Completed);
    let late = rtcweb_ice_core::candidate::Candidate::parse(
        "candidate:9 1 udp 2130706431 203.0.113.2 6100 typ host",
    )
    .unwrap();
    sim.nodes[0].agent.add_remote_candidate(late).unwrap();
    let t = sim.net.now;
    sim.run(t + Duration::from_secs(3), |_| false);
    assert_eq!(sim.nodes[0].agent.state(), ConnectionState::Completed);
    assert!(sim.nodes[0]
        .agent
        .pairs()
        .any(|(_, r, state, _)| r.address.port() == 6100
            && state == rtcweb_ice_core::PairState::Failed));
}

#[test]
fn ipv6_hosts_connect_and_ignore_ipv4_candidates() {
    let mut sim = Sim::new(8);
    let pa: IpAddr = "2001:db8::1".parse().unwrap();
    let pb: IpAddr = "2001:db8::2".parse().unwrap();
    let sa = sim.add_site(NatKind::None, pa);
    let sb = sim.add_site(NatKind::None, pb);
    let (aa, ab) = (SocketAddr::new(pa, 5000), SocketAddr::new(pb, 6000));
    let mut x = Agent::new(AgentConfig::default(), [1; 32]);
    let mut y = Agent::new(controlled(), [2; 32]);
    x.add_local_host(aa).unwrap();
    y.add_local_host(ab).unwrap();
    // An IPv4 candidate of the peer cannot pair with an IPv6 host.
    x.add_remote_candidate(
        rtcweb_ice_core::candidate::Candidate::parse("candidate:4 1 udp 100 192.0.2.1 1 typ host")
            .unwrap(),
    )
    .unwrap();
    sim.add_node(x, sa, aa);
    sim.add_node(y, sb, ab);
    sim.exchange_credentials(0, 1);
    sim.run(ms(10_000), both_connected);
    assert!(both_connected(&sim));
    assert!(sim.nodes[0]
        .agent
        .pairs()
        .all(|(l, r, _, _)| l.address.is_ipv6() && r.address.is_ipv6()));
    assert_eq!(sim.nodes[0].agent.selected_pair(1).unwrap().1.address, ab);
}
