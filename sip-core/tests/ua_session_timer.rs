//! Session timers between two UAs (RFC 4028): periodic refresh by the refresher, expiry when
//! refreshes stop, 422 → retry with the peer's Min-SE.
#![allow(
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    clippy::type_complexity
)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::{addr, at, ua_config, Link, Sim, UaNode, ALICE, BOB};
use rtcweb_sip_core::session_timer::SessionTimerConfig;
use rtcweb_sip_core::ua::{CallState, EndReason, UaEvent};

fn pair(alice_st: SessionTimerConfig, bob_st: SessionTimerConfig) -> (UaNode, UaNode) {
    let mut ca = ua_config("alice", ALICE, BOB, 1);
    ca.session_timer = Some(alice_st);
    let mut cb = ua_config("bob", BOB, ALICE, 2);
    cb.session_timer = Some(bob_st);
    let alice = UaNode::new(addr(ALICE), ca);
    let mut bob = UaNode::new(addr(BOB), cb);
    bob.app = Box::new(|now, ua, e| {
        if let UaEvent::IncomingCall { call, .. } = e {
            ua.answer(now, *call, b"v=0\r\n").unwrap();
        }
    });
    (alice, bob)
}

const ST90: SessionTimerConfig = SessionTimerConfig {
    session_expires: 90,
    min_se: 90,
};

#[test]
fn refresher_keeps_the_session_alive() {
    let (mut alice, mut bob) = pair(ST90, ST90);
    let mut sim = Sim::new(1, Link::PERFECT);
    let call = alice
        .ua
        .call(at(0), "sip:bob@example.com", b"v=0\r\n")
        .unwrap();
    sim.run_to(&mut [&mut alice, &mut bob], at(400_000));
    // The UAC refreshes every 45 s with UPDATE; nobody expires.
    let updates = sim.count("UPDATE ");
    assert!((8..=9).contains(&updates), "{updates} refreshes");
    assert_eq!(alice.ua.call_state(call), Some(CallState::Established));
    assert!(alice.count(|e| matches!(e, UaEvent::SessionRefreshed { .. })) >= 8);
    assert!(bob.count(|e| matches!(e, UaEvent::SessionRefreshed { .. })) >= 8);
    assert_eq!(bob.count(|e| matches!(e, UaEvent::CallEnded { .. })), 0);
}

#[test]
fn session_expires_when_refreshes_are_lost() {
    let (mut alice, mut bob) = pair(ST90, ST90);
    let mut sim = Sim::new(2, Link::PERFECT);
    alice
        .ua
        .call(at(0), "sip:bob@example.com", b"v=0\r\n")
        .unwrap();
    sim.run_to(&mut [&mut alice, &mut bob], at(10_000));
    sim.drop_lines(|l| l.starts_with("UPDATE "));
    sim.run_to(&mut [&mut alice, &mut bob], at(200_000));
    // Bob (not the refresher) gives up at 90 − 30 = 60 s and sends BYE.
    assert!(bob.events.iter().any(|(t, e)| matches!(
        e,
        UaEvent::CallEnded {
            reason: EndReason::SessionExpired,
            ..
        }
    ) && *t <= at(61_000)));
    assert_eq!(alice.ua.call_count() + bob.ua.call_count(), 0);
}

#[test]
fn too_small_interval_gets_422_and_a_retry() {
    let bob_st = SessionTimerConfig {
        session_expires: 1800,
        min_se: 120,
    };
    let (mut alice, mut bob) = pair(ST90, bob_st);
    let mut sim = Sim::new(3, Link::PERFECT);
    let call = alice
        .ua
        .call(at(0), "sip:bob@example.com", b"v=0\r\n")
        .unwrap();
    sim.run_to(&mut [&mut alice, &mut bob], at(1_000));
    assert_eq!(sim.count("SIP/2.0 422"), 1);
    assert_eq!(sim.count("INVITE "), 2);
    assert_eq!(alice.ua.call_state(call), Some(CallState::Established));
    sim.run_to(&mut [&mut alice, &mut bob], at(100_000));
    // Negotiated 120 s: first refresh at 60 s.
    assert_eq!(sim.count("UPDATE "), 1);
}
