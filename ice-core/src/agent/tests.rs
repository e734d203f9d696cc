//! Unit tests of the check list on a fake clock: ordering, pacing, freezing, caps, retransmission
//! schedule and failure.

use alloc::vec::Vec;
use core::net::SocketAddr;
use core::time::Duration;

use super::*;
use crate::candidate::Candidate;

fn ms(n: u64) -> Instant {
    Instant::from_nanos((n * 1_000_000) as i64)
}

fn remote(foundation: &str, priority: u32, port: u16) -> Candidate {
    let line =
        alloc::format!("candidate:{foundation} 1 udp {priority} 203.0.113.1 {port} typ host");
    Candidate::parse(&line).unwrap()
}

fn agent(config: AgentConfig) -> Agent {
    let mut a = Agent::new(config, [4; 32]);
    a.add_local_host("192.0.2.1:5000".parse().unwrap()).unwrap();
    a.set_remote_credentials("abcd", "0123456789abcdefghijkl")
        .unwrap();
    a
}

/// Runs the agent alone (nobody answers) until `end`, returning (time, destination) of each
/// request sent.
fn run(a: &mut Agent, end: Instant) -> Vec<(Instant, SocketAddr)> {
    let mut sent = Vec::new();
    let mut buf = [0u8; 1500];
    let mut now = ms(0);
    loop {
        a.handle_timeout(now);
        while let Ok(Some(t)) = a.poll_transmit(now, &mut buf) {
            sent.push((now, t.destination));
        }
        match a.poll_timeout() {
            Some(t) if t <= end => now = t.max(now),
            _ => break,
        }
    }
    sent
}

#[test]
fn checks_go_in_priority_order_paced_by_ta() {
    let mut a = agent(AgentConfig::default());
    a.add_remote_candidate(remote("1", 100, 1)).unwrap();
    a.add_remote_candidate(remote("2", 300, 3)).unwrap();
    a.add_remote_candidate(remote("3", 200, 2)).unwrap();
    let sent = run(&mut a, ms(120));
    let ports: Vec<u16> = sent.iter().map(|(_, d)| d.port()).collect();
    assert_eq!(ports, [3, 2, 1]);
    let times: Vec<Instant> = sent.iter().map(|(t, _)| *t).collect();
    assert_eq!(times, [ms(0), ms(50), ms(100)]);
}

#[test]
fn same_foundation_waits_frozen() {
    let mut a = agent(AgentConfig::default());
    a.add_remote_candidate(remote("1", 100, 1)).unwrap();
    a.add_remote_candidate(remote("1", 200, 2)).unwrap();
    let states: Vec<PairState> = a.pairs().map(|p| p.2).collect();
    assert_eq!(states, [PairState::Waiting, PairState::Frozen]);
    // With nothing else to do, pacing unfreezes it once the foundation is idle... which it is
    // not while the first check is in progress: only one check goes out in the first Ta ticks.
    let sent = run(&mut a, ms(150));
    assert_eq!(sent.len(), 1);
}

#[test]
fn pair_cap_keeps_the_highest_priorities() {
    let mut a = agent(AgentConfig {
        max_pairs: 3,
        ..AgentConfig::default()
    });
    for (i, prio) in [10u32, 50, 20, 40, 30].into_iter().enumerate() {
        a.add_remote_candidate(remote(&alloc::format!("f{i}"), prio, 100 + i as u16))
            .unwrap();
    }
    let mut kept: Vec<u32> = a.pairs().map(|p| p.1.priority).collect();
    kept.sort_unstable();
    assert_eq!(kept, [30, 40, 50]);
}

#[test]
fn unanswered_checks_follow_the_rto_schedule_then_fail() {
    let mut a = agent(AgentConfig::default());
    a.add_remote_candidate(remote("1", 100, 1)).unwrap();
    a.end_of_remote_candidates();
    let sent = run(&mut a, ms(60_000));
    let times: Vec<Instant> = sent.iter().map(|(t, _)| *t).collect();
    assert_eq!(
        times,
        [0, 500, 1500, 3500, 7500, 15500, 31500].map(ms).to_vec()
    );
    assert_eq!(a.state(), ConnectionState::Failed);
    assert_eq!(a.pairs().next().unwrap().2, PairState::Failed);
}

#[test]
fn restart_forgets_the_peer_and_changes_credentials() {
    let mut a = agent(AgentConfig::default());
    a.add_remote_candidate(remote("1", 100, 1)).unwrap();
    let before: alloc::string::String = a.local_credentials().0.into();
    a.restart();
    assert_ne!(a.local_credentials().0, before.as_str());
    assert_eq!(a.pairs().count(), 0);
    assert_eq!(a.remote_candidates().count(), 0);
    assert_eq!(a.state(), ConnectionState::New);
    assert!(
        run(&mut a, ms(1000)).is_empty(),
        "no checks without the peer's credentials"
    );
}

#[test]
fn consent_jitter_stays_within_20_percent() {
    let mut a = agent(AgentConfig::default());
    for _ in 0..1000 {
        let d = a.jittered(Duration::from_secs(5));
        assert!(
            d >= Duration::from_secs(4) && d <= Duration::from_secs(6),
            "{d:?}"
        );
    }
}

#[test]
fn bad_calls_are_refused() {
    let mut a = agent(AgentConfig::default());
    assert!(a.add_local_host("0.0.0.0:1".parse().unwrap()).is_err());
    assert!(a.add_local_host("192.0.2.1:5000".parse().unwrap()).is_err());
    assert!(a
        .add_local_host_for("192.0.2.2:5000".parse().unwrap(), 2)
        .is_err());
    let mut tcp = remote("1", 1, 1);
    tcp.transport = crate::candidate::Transport::Tcp;
    assert!(a.add_remote_candidate(tcp).is_err());
    assert!(a
        .set_remote_credentials("ab", "0123456789abcdefghijkl")
        .is_err());
    let mut buf = [0u8; 10];
    assert_eq!(a.send(ms(0), b"x", &mut buf), Err(AgentError::NotConnected));
    let mut lite = Agent::new(AgentConfig::lite(), [0; 32]);
    assert!(lite
        .add_stun_server("192.0.2.9:3478".parse().unwrap())
        .is_err());
}

#[test]
fn a_small_buffer_is_refused_and_nothing_is_lost() {
    let mut a = agent(AgentConfig::default());
    a.add_remote_candidate(remote("1", 100, 6000)).unwrap();
    a.handle_timeout(ms(0));
    let mut small = [0u8; 100];
    assert_eq!(
        a.poll_transmit(ms(0), &mut small),
        Err(BufferTooSmall {
            needed: MAX_TRANSMIT_LEN
        })
    );
    let mut buf = [0u8; MAX_TRANSMIT_LEN];
    let t = a
        .poll_transmit(ms(0), &mut buf)
        .unwrap()
        .expect("the check");
    assert_eq!(t.source, Some("192.0.2.1:5000".parse().unwrap()));
    assert_eq!(t.transport, Transport::Udp);
}

#[test]
fn a_stun_server_starts_in_handle_timeout_not_in_poll_transmit() {
    let mut a = agent(AgentConfig::default());
    a.handle_timeout(ms(0));
    let mut buf = [0u8; 1500];
    while a.poll_transmit(ms(0), &mut buf).unwrap().is_some() {}
    a.add_stun_server("198.51.100.9:3478".parse().unwrap())
        .unwrap();
    // Polling alone starts nothing; the agent asks for a timeout now.
    assert_eq!(a.poll_transmit(ms(5), &mut buf), Ok(None));
    assert_eq!(a.poll_timeout(), Some(ms(0)));
    a.handle_timeout(ms(5));
    let t = a
        .poll_transmit(ms(5), &mut buf)
        .unwrap()
        .expect("the Binding");
    assert_eq!(t.destination, "198.51.100.9:3478".parse().unwrap());
}

#[test]
fn accepts_routes_datagrams_between_agents_on_one_socket() {
    let port: SocketAddr = "192.0.2.50:3478".parse().unwrap();
    let mut lite_a = Agent::new(AgentConfig::lite(), [21; 32]);
    let mut lite_b = Agent::new(AgentConfig::lite(), [22; 32]);
    lite_a.add_local_host(port).unwrap();
    lite_b.add_local_host(port).unwrap();
    // A full agent checks lite_a.
    let mut full = Agent::new(AgentConfig::default(), [23; 32]);
    let here: SocketAddr = "198.51.100.1:5000".parse().unwrap();
    full.add_local_host(here).unwrap();
    let (u, p) = lite_a.local_credentials();
    full.set_remote_credentials(u, p).unwrap();
    let cand = lite_a.local_candidates().next().unwrap();
    full.add_remote_candidate(*cand).unwrap();
    let (fu, fp) = full.local_credentials();
    let (fu, fp) = (
        alloc::string::String::from(fu),
        alloc::string::String::from(fp),
    );
    lite_a.set_remote_credentials(&fu, &fp).unwrap();
    full.handle_timeout(ms(0));
    let mut buf = [0u8; 1500];
    let t = full.poll_transmit(ms(0), &mut buf).unwrap().unwrap();
    let check = &buf[..t.len];
    assert!(lite_a.accepts(port, here, check));
    assert!(!lite_b.accepts(port, here, check), "another agent's ufrag");
    assert!(!lite_a.accepts(port, here, b"\x00\x01garbage"));
    // The response goes back and is the full agent's.
    lite_a.handle_receive(ms(1), port, here, check);
    let mut out = [0u8; 1500];
    let r = lite_a.poll_transmit(ms(1), &mut out).unwrap().unwrap();
    assert!(full.accepts(here, port, &out[..r.len]));
    assert!(!lite_b.accepts(port, here, &out[..r.len]));
    // Media from the checked peer belongs to lite_a, not to lite_b (which never heard of it).
    assert!(lite_a.accepts(port, here, b"\x80\x00rtp"));
    assert!(!lite_b.accepts(port, here, b"\x80\x00rtp"));
}
