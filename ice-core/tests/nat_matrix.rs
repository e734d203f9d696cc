//! Every pair of NAT types, full↔full and full↔lite, through the deterministic simulator:
//! the outcome (direct, relayed, failed) is what the NAT behaviours predict, the time to
//! connected in simulated milliseconds stays bounded, and data flows over the selected pair.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

mod sim;

use std::net::{IpAddr, SocketAddr};

use rtcweb_ice_core::candidate::CandidateKind;
use rtcweb_ice_core::{Agent, AgentConfig, ConnectionState};
use sim::{as_ms, ms, NatKind, Sim, STUN_SERVER, TURN_PASS, TURN_SERVER, TURN_USER};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Direct,
    Relayed,
    Failed,
}

fn expected(a: NatKind, b: NatKind, turn: bool) -> Outcome {
    use NatKind::*;
    let hard = matches!(
        (a, b),
        (Symmetric, Symmetric) | (Symmetric, PortRestricted) | (PortRestricted, Symmetric)
    );
    if a == UdpBlocked || b == UdpBlocked || hard {
        if turn {
            Outcome::Relayed
        } else {
            Outcome::Failed
        }
    } else {
        Outcome::Direct
    }
}

fn node_addr(kind: NatKind, public: IpAddr, private: &str) -> SocketAddr {
    match kind {
        NatKind::None => SocketAddr::new(public, 5000),
        _ => private.parse().unwrap(),
    }
}

struct Result {
    outcome: Outcome,
    connected_ms: Option<u64>,
    failed_ms: Option<u64>,
}

fn run(a_kind: NatKind, b_kind: NatKind, b_lite: bool, turn: bool, seed: u64) -> Result {
    let mut sim = Sim::new(seed);
    if turn {
        sim.enable_turn();
    }
    let pa: IpAddr = "203.0.113.1".parse().unwrap();
    let pb: IpAddr = "203.0.113.2".parse().unwrap();
    let sa = sim.add_site(a_kind, pa);
    let sb = sim.add_site(b_kind, pb);
    let mut a = Agent::new(AgentConfig::default(), sim.net.rng.seed());
    let a_addr = node_addr(a_kind, pa, "10.0.0.1:5000");
    a.add_local_host(a_addr).unwrap();
    a.add_stun_server(STUN_SERVER.parse().unwrap()).unwrap();
    if turn {
        a.add_turn_server(TURN_SERVER.parse().unwrap(), TURN_USER, TURN_PASS)
            .unwrap();
    }
    let b_config = if b_lite {
        AgentConfig::lite()
    } else {
        AgentConfig {
            controlling: false,
            ..AgentConfig::default()
        }
    };
    let mut b = Agent::new(b_config, sim.net.rng.seed());
    let b_addr = node_addr(b_kind, pb, "10.0.1.1:6000");
    b.add_local_host(b_addr).unwrap();
    if !b_lite {
        b.add_stun_server(STUN_SERVER.parse().unwrap()).unwrap();
        if turn {
            b.add_turn_server(TURN_SERVER.parse().unwrap(), TURN_USER, TURN_PASS)
                .unwrap();
        }
    }
    sim.add_node(a, sa, a_addr);
    sim.add_node(b, sb, b_addr);
    sim.exchange_credentials(0, 1);
    let done = |s: &Sim| {
        let a = s.nodes[0].agent.state();
        let b = s.nodes[1].agent.state();
        a == ConnectionState::Failed
            || (matches!(a, ConnectionState::Connected | ConnectionState::Completed)
                && matches!(b, ConnectionState::Connected | ConnectionState::Completed))
    };
    sim.run(ms(120_000), done);
    let connected_ms = match (sim.nodes[0].connected_at, sim.nodes[1].connected_at) {
        (Some(x), Some(y)) => Some(as_ms(x.max(y))),
        _ => None,
    };
    if sim.nodes[0].agent.state() == ConnectionState::Failed || connected_ms.is_none() {
        let failed_ms = sim.nodes[0]
            .states
            .iter()
            .find(|(_, s)| *s == ConnectionState::Failed)
            .map(|(t, _)| as_ms(*t));
        return Result {
            outcome: Outcome::Failed,
            connected_ms: None,
            failed_ms,
        };
    }
    // Both agents agree on the path.
    let (la, ra) = sim.nodes[0].agent.selected_pair(1).unwrap();
    let (lb, rb) = sim.nodes[1].agent.selected_pair(1).unwrap();
    let relayed = la.kind == CandidateKind::Relayed || ra.kind == CandidateKind::Relayed;
    let relayed_b = lb.kind == CandidateKind::Relayed || rb.kind == CandidateKind::Relayed;
    assert_eq!(
        relayed, relayed_b,
        "{a_kind:?}/{b_kind:?}: both ends see the same path"
    );
    // Data flows both ways over the selected pair (wrapped by the agent when relayed).
    sim.net.link.loss = 0;
    assert!(sim.send_data(0, b"\x80ping"));
    assert!(sim.send_data(1, b"\x80pong"));
    let until = sim.net.now + std::time::Duration::from_secs(1);
    sim.run(until, |_| false);
    assert!(
        sim.nodes[1].received.iter().any(|d| d == b"\x80ping"),
        "{a_kind:?}/{b_kind:?}: data reaches B"
    );
    assert!(
        sim.nodes[0].received.iter().any(|d| d == b"\x80pong"),
        "{a_kind:?}/{b_kind:?}: data reaches A"
    );
    Result {
        outcome: if relayed {
            Outcome::Relayed
        } else {
            Outcome::Direct
        },
        connected_ms,
        failed_ms: None,
    }
}

fn check(a: NatKind, b: NatKind, lite: bool, turn: bool, seed: u64, table: &mut String) {
    let want = expected(a, b, turn);
    let r = run(a, b, lite, turn, seed);
    table.push_str(&format!(
        "{:<18} {:<18} {:<5} {:<5} {:<8?} {:>8} {:>8}\n",
        format!("{a:?}"),
        format!("{b:?}"),
        if lite { "lite" } else { "full" },
        turn,
        r.outcome,
        r.connected_ms.map_or("-".into(), |m| m.to_string()),
        r.failed_ms.map_or("-".into(), |m| m.to_string()),
    ));
    assert_eq!(
        r.outcome, want,
        "{a:?} ↔ {b:?} (lite: {lite}, turn: {turn})\n{table}"
    );
    match r.outcome {
        Outcome::Direct => assert!(r.connected_ms.unwrap() <= 3_000, "{table}"),
        Outcome::Relayed => assert!(r.connected_ms.unwrap() <= 6_000, "{table}"),
        Outcome::Failed => {
            let t = r.failed_ms.expect("the agent reports Failed");
            assert!(t <= 60_000, "{table}");
        }
    }
}

#[test]
fn full_to_full_every_nat_pair() {
    let mut table = String::from(
        "A (controlling)    B (controlled)     B     turn  outcome  conn_ms  fail_ms\n",
    );
    let mut seed = 1;
    for a in NatKind::ALL {
        for b in NatKind::ALL {
            seed += 1;
            check(a, b, false, true, seed, &mut table);
        }
    }
    println!("{table}");
}

#[test]
fn full_to_lite_every_nat() {
    let mut table = String::from(
        "A (controlling)    B (lite, public)   B     turn  outcome  conn_ms  fail_ms\n",
    );
    for (i, a) in NatKind::ALL.into_iter().enumerate() {
        check(a, NatKind::None, true, true, 100 + i as u64, &mut table);
    }
    println!("{table}");
}

#[test]
fn without_turn_hard_nats_fail() {
    let mut table = String::from(
        "A (controlling)    B (controlled)     B     turn  outcome  conn_ms  fail_ms\n",
    );
    for (i, (a, b)) in [
        (NatKind::Symmetric, NatKind::Symmetric),
        (NatKind::PortRestricted, NatKind::Symmetric),
        (NatKind::UdpBlocked, NatKind::None),
        (NatKind::AddressRestricted, NatKind::Symmetric),
    ]
    .into_iter()
    .enumerate()
    {
        check(a, b, false, false, 200 + i as u64, &mut table);
    }
    check(
        NatKind::UdpBlocked,
        NatKind::None,
        true,
        false,
        210,
        &mut table,
    );
    println!("{table}");
}
