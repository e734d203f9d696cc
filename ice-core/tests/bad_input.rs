//! Checks crafted by hand against a running agent: wrong or missing credentials, role conflicts,
//! aggressive nomination from an old peer, and floods from unknown addresses (memory bounded).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

use std::net::SocketAddr;

use rtcweb_ice_core::candidate::{Candidate, CandidateKind};
use rtcweb_ice_core::{
    Agent, AgentConfig, ConnectionState, Discard, IceEvent, Instant, Receive, Role,
};
use rtcweb_stun_core::wire::attributes::*;
use rtcweb_stun_core::wire::{Class, Message, MessageType, MessageWriter, Method, TransactionId};
use rtcweb_stun_core::IntegrityKey;

const REMOTE_UFRAG: &str = "peer";
const REMOTE_PWD: &str = "peerpasswordpeerpassword";

struct CheckSpec<'a> {
    username: Option<&'a str>,
    pwd: &'a str,
    controlling: Option<u64>,
    controlled: Option<u64>,
    use_candidate: bool,
    priority: Option<u32>,
    tid: u8,
}

fn check(spec: CheckSpec<'_>) -> Vec<u8> {
    let mut buf = vec![0u8; 600];
    let mut w = MessageWriter::new(
        &mut buf,
        MessageType::new(Method::BINDING, Class::Request),
        TransactionId([spec.tid; 12]),
    )
    .unwrap();
    if let Some(u) = spec.username {
        w.add(&Username(u)).unwrap();
    }
    if let Some(p) = spec.priority {
        w.add(&Priority(p)).unwrap();
    }
    if let Some(t) = spec.controlling {
        w.add(&IceControlling(t)).unwrap();
    }
    if let Some(t) = spec.controlled {
        w.add(&IceControlled(t)).unwrap();
    }
    if spec.use_candidate {
        w.add(&UseCandidate).unwrap();
    }
    w.add_message_integrity(&IntegrityKey::new(spec.pwd.as_bytes()))
        .unwrap();
    w.add_fingerprint().unwrap();
    let n = w.finish();
    buf.truncate(n);
    buf
}

fn local() -> SocketAddr {
    "192.0.2.1:5000".parse().unwrap()
}
fn peer() -> SocketAddr {
    "198.51.100.9:7000".parse().unwrap()
}

fn agent(config: AgentConfig) -> Agent {
    let mut a = Agent::new(config, [3; 32]);
    a.add_local_host(local()).unwrap();
    a.set_remote_credentials(REMOTE_UFRAG, REMOTE_PWD).unwrap();
    a
}

fn username(a: &Agent) -> String {
    format!("{}:{}", a.local_credentials().0, REMOTE_UFRAG)
}

fn good<'a>(user: &'a str, pwd: &'a str) -> CheckSpec<'a> {
    CheckSpec {
        username: Some(user),
        pwd,
        controlling: Some(1),
        controlled: None,
        use_candidate: false,
        priority: Some(1_845_501_695),
        tid: 1,
    }
}

/// Drains transmissions, returning (destination, parsed response class, error code).
fn responses(a: &mut Agent, now: Instant) -> Vec<(SocketAddr, Class, Option<u16>)> {
    let mut out = vec![];
    let mut buf = [0u8; 1500];
    while let Ok(Some(t)) = a.poll_transmit(now, &mut buf) {
        let msg = Message::parse(&buf[..t.len]).unwrap();
        let code = msg.attribute::<ErrorCode>().unwrap().map(|e| e.code);
        out.push((t.destination, msg.class(), code));
    }
    out
}

#[test]
fn wrong_integrity_gets_401_and_learns_nothing() {
    let mut a = agent(AgentConfig::controlled_full());
    let user = username(&a);
    let req = check(good(&user, "wrongwrongwrongwrongwrong"));
    let r = a.handle_receive(Instant::ZERO, local(), peer(), &req);
    assert_eq!(r, Receive::Discarded(Discard::Unauthenticated));
    let out = responses(&mut a, Instant::ZERO);
    assert!(out
        .iter()
        .any(|(_, c, code)| *c == Class::Error && *code == Some(401)));
    assert_eq!(a.remote_candidates().count(), 0);
}

#[test]
fn wrong_username_and_missing_attributes() {
    let mut a = agent(AgentConfig::controlled_full());
    let (pwd, _) = (a.local_credentials().1.to_string(), ());
    let req = check(good("nope:peer", &pwd));
    assert_eq!(
        a.handle_receive(Instant::ZERO, local(), peer(), &req),
        Receive::Discarded(Discard::Unauthenticated)
    );
    let user = username(&a);
    let req = check(CheckSpec {
        username: None,
        ..good(&user, &pwd)
    });
    assert_eq!(
        a.handle_receive(Instant::ZERO, local(), peer(), &req),
        Receive::Discarded(Discard::Unauthenticated)
    );
    let req = check(CheckSpec {
        priority: None,
        ..good(&user, &pwd)
    });
    assert_eq!(
        a.handle_receive(Instant::ZERO, local(), peer(), &req),
        Receive::Discarded(Discard::Unauthenticated)
    );
    let codes: Vec<_> = responses(&mut a, Instant::ZERO)
        .into_iter()
        .filter_map(|r| r.2)
        .collect();
    assert_eq!(codes, [401, 400, 400]);
    // Corrupt the fingerprint: dropped silently.
    let mut req = check(good(&user, &pwd));
    let n = req.len();
    req[n - 1] ^= 1;
    assert_eq!(
        a.handle_receive(Instant::ZERO, local(), peer(), &req),
        Receive::Discarded(Discard::BadFingerprint)
    );
    // Media and garbage are not the agent's.
    assert_eq!(
        a.handle_receive(Instant::ZERO, local(), peer(), &[0x80, 0, 0, 1]),
        Receive::NotStun
    );
    assert_eq!(
        a.handle_receive(Instant::ZERO, local(), peer(), &[22, 254, 253]),
        Receive::NotStun
    );
    assert_eq!(
        a.handle_receive(Instant::ZERO, local(), peer(), &[0, 1, 0, 0]),
        Receive::Discarded(Discard::Malformed)
    );
    assert_eq!(
        a.handle_receive(
            Instant::ZERO,
            "192.0.2.99:1".parse().unwrap(),
            peer(),
            &req[..]
        ),
        Receive::Discarded(Discard::UnknownSocket)
    );
}

#[test]
fn role_conflict_487_or_switch() {
    // We are controlling; the peer too. Higher tie-breaker wins (RFC 8445 §7.3.1.1).
    let mut a = agent(AgentConfig::default());
    let user = username(&a);
    let pwd = a.local_credentials().1.to_string();
    let tb = a.tie_breaker();
    let lower = CheckSpec {
        controlling: Some(tb.saturating_sub(1)),
        ..good(&user, &pwd)
    };
    assert_eq!(
        a.handle_receive(Instant::ZERO, local(), peer(), &check(lower)),
        Receive::Discarded(Discard::RoleConflict)
    );
    assert!(responses(&mut a, Instant::ZERO)
        .iter()
        .any(|r| r.2 == Some(487)));
    assert_eq!(a.role(), Role::Controlling);
    let higher = CheckSpec {
        controlling: Some(tb.saturating_add(1)),
        tid: 2,
        ..good(&user, &pwd)
    };
    assert_eq!(
        a.handle_receive(Instant::ZERO, local(), peer(), &check(higher)),
        Receive::Handled
    );
    assert_eq!(a.role(), Role::Controlled);
    let mut saw = false;
    while let Some(e) = a.poll_event() {
        saw |= e == IceEvent::RoleChanged(Role::Controlled);
    }
    assert!(saw);
}

#[test]
fn flood_from_unknown_addresses_is_bounded() {
    let config = AgentConfig::controlled_full();
    let mut a = agent(config);
    let user = username(&a);
    let pwd = a.local_credentials().1.to_string();
    let req = check(good(&user, &pwd));
    for i in 0..5_000u32 {
        let from = SocketAddr::from(([10, (i >> 16) as u8, (i >> 8) as u8, i as u8], 9000));
        assert_eq!(
            a.handle_receive(Instant::ZERO, local(), from, &req),
            Receive::Handled
        );
    }
    assert!(a.remote_candidates().count() <= config.max_peer_reflexive);
    assert!(a.pairs().count() <= config.max_pairs);
    let mut answered = 0;
    let mut buf = [0u8; 1500];
    while a.poll_transmit(Instant::ZERO, &mut buf).unwrap().is_some() {
        answered += 1;
    }
    // Responses queue up to the cap; checks of learned pairs come on top.
    assert!(answered <= config.max_queued_responses + config.max_peer_reflexive);
    // Signalled candidates are capped too.
    for i in 0..500u16 {
        let c = Candidate::parse(&format!(
            "candidate:1 1 udp 100 203.0.113.1 {} typ host",
            1000 + i
        ))
        .unwrap();
        let _ = a.add_remote_candidate(c);
    }
    assert!(a.remote_candidates().count() <= config.max_remote_candidates);
    assert!(a.pairs().count() <= config.max_pairs);
}

#[test]
fn aggressive_nomination_from_an_old_peer_is_accepted() {
    let mut a = agent(AgentConfig::controlled_full());
    let user = username(&a);
    let pwd = a.local_credentials().1.to_string();
    let req = check(CheckSpec {
        use_candidate: true,
        ..good(&user, &pwd)
    });
    let mut now = Instant::ZERO;
    assert_eq!(
        a.handle_receive(now, local(), peer(), &req),
        Receive::Handled
    );
    // Our triggered check goes to the peer; answer it as the peer would.
    let mut buf = [0u8; 1500];
    let mut answered = false;
    for _ in 0..10 {
        a.handle_timeout(now);
        while let Ok(Some(t)) = a.poll_transmit(now, &mut buf) {
            let msg = Message::parse(&buf[..t.len]).unwrap();
            if msg.class() != Class::Request {
                continue;
            }
            assert_eq!(t.destination, peer());
            msg.verify_integrity(&IntegrityKey::new(REMOTE_PWD.as_bytes()))
                .unwrap();
            let mut resp = [0u8; 128];
            let mut w = MessageWriter::new(
                &mut resp,
                MessageType::new(Method::BINDING, Class::Success),
                msg.transaction_id(),
            )
            .unwrap();
            w.add(&XorMappedAddress(local())).unwrap();
            w.add_message_integrity(&IntegrityKey::new(REMOTE_PWD.as_bytes()))
                .unwrap();
            w.add_fingerprint().unwrap();
            let n = w.finish();
            assert_eq!(
                a.handle_receive(now, local(), peer(), &resp[..n]),
                Receive::Handled
            );
            answered = true;
        }
        now = a.poll_timeout().unwrap_or(now);
    }
    assert!(answered);
    let (l, r) = a
        .selected_pair(1)
        .expect("nominated by the peer's USE-CANDIDATE");
    assert_eq!(
        (l.address, r.address, r.kind),
        (local(), peer(), CandidateKind::PeerReflexive)
    );
    assert!(matches!(
        a.state(),
        ConnectionState::Connected | ConnectionState::Completed
    ));
}

#[test]
fn lite_agent_selects_on_use_candidate() {
    let mut a = Agent::new(AgentConfig::lite(), [5; 32]);
    a.add_local_host(local()).unwrap();
    let user = format!("{}:x1y2", a.local_credentials().0);
    let pwd = a.local_credentials().1.to_string();
    let first = check(good(&user, &pwd));
    let r = a.handle_receive(Instant::ZERO, local(), peer(), &first);
    assert_eq!(r, Receive::Handled);
    assert!(a.selected_pair(1).is_none());
    let nominate = check(CheckSpec {
        use_candidate: true,
        tid: 9,
        ..good(&user, &pwd)
    });
    a.handle_receive(Instant::ZERO, local(), peer(), &nominate);
    assert_eq!(a.selected_pair(1).unwrap().1.address, peer());
    let out = responses(&mut a, Instant::ZERO);
    assert_eq!(out.len(), 2);
    assert!(out
        .iter()
        .all(|(d, c, _)| *d == peer() && *c == Class::Success));
    // Data goes to the nominated peer.
    let mut buf = [0u8; 64];
    let t = a.send(Instant::ZERO, b"\x80rtp", &mut buf).unwrap();
    assert_eq!(
        (t.source.unwrap(), t.destination, &buf[..t.len]),
        (local(), peer(), &b"\x80rtp"[..])
    );
}
