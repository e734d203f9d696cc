//! Two UAs calling each other over the simulated network: answer, reject, hang up, CANCEL (before
//! and after a provisional), missing ACK, lossy links for many seeds.
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
use rtcweb_sip_core::ua::{CallState, EndReason, UaEvent};

const OFFER: &[u8] = b"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
const ANSWER: &[u8] = b"v=0\r\no=- 2 2 IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n";

fn pair(seed: u64) -> (UaNode, UaNode) {
    let alice = UaNode::new(addr(ALICE), ua_config("alice", ALICE, BOB, seed));
    let bob = UaNode::new(addr(BOB), ua_config("bob", BOB, ALICE, seed + 1000));
    (alice, bob)
}

fn answering_bob(bob: &mut UaNode) {
    bob.app = Box::new(|now, ua, e| {
        if let UaEvent::IncomingCall { call, .. } = e {
            ua.ringing(now, *call).unwrap();
            ua.answer(now, *call, ANSWER).unwrap();
        }
    });
}

#[test]
fn call_answer_hangup() {
    let (mut alice, mut bob) = pair(1);
    answering_bob(&mut bob);
    let mut sim = Sim::new(1, Link::PERFECT);
    let call = alice.ua.call(at(0), "sip:bob@example.com", OFFER).unwrap();
    sim.run_to(&mut [&mut alice, &mut bob], at(2_000));
    assert_eq!(alice.ua.call_state(call), Some(CallState::Established));
    assert!(alice.count(|e| matches!(e, UaEvent::Progress { code: 180, .. })) == 1);
    assert!(alice
        .events
        .iter()
        .any(|(_, e)| matches!(e, UaEvent::Answered { sdp, .. } if sdp == ANSWER)));
    assert!(bob
        .events
        .iter()
        .any(|(_, e)| matches!(e, UaEvent::IncomingCall { sdp, .. } if sdp == OFFER)));
    assert_eq!(bob.count(|e| matches!(e, UaEvent::Confirmed { .. })), 1);
    let d = alice.ua.dialog(call).unwrap();
    assert_eq!(d.remote_target(), "sip:bob@192.0.2.2:5060");
    alice.ua.hangup(sim.now, call).unwrap();
    sim.run_to(&mut [&mut alice, &mut bob], at(60_000));
    assert!(alice.events.iter().any(|(_, e)| matches!(
        e,
        UaEvent::CallEnded {
            reason: EndReason::LocalHangup,
            ..
        }
    )));
    assert!(bob.events.iter().any(|(_, e)| matches!(
        e,
        UaEvent::CallEnded {
            reason: EndReason::RemoteHangup,
            ..
        }
    )));
    assert_eq!(alice.ua.call_count() + bob.ua.call_count(), 0);
    assert!(alice.ua.transactions().is_empty() && bob.ua.transactions().is_empty());
    // No 2xx retransmissions on a perfect link, exactly one ACK.
    assert_eq!(sim.count("SIP/2.0 200 OK"), 2);
    assert_eq!(sim.count("ACK "), 1);
}

#[test]
fn reject_busy_and_decline() {
    for code in [486u16, 603] {
        let (mut alice, mut bob) = pair(2);
        bob.app = Box::new(move |now, ua, e| {
            if let UaEvent::IncomingCall { call, .. } = e {
                ua.reject(now, *call, code).unwrap();
            }
        });
        let mut sim = Sim::new(2, Link::PERFECT);
        let call = alice.ua.call(at(0), "sip:bob@example.com", OFFER).unwrap();
        sim.run_to(&mut [&mut alice, &mut bob], at(40_000));
        assert!(alice.events.iter().any(|(_, e)| *e
            == UaEvent::CallFailed {
                call,
                code: Some(code)
            }));
        assert_eq!(sim.count("ACK "), 1, "the transaction ACKs the non-2xx");
        assert_eq!(alice.ua.call_count() + bob.ua.call_count(), 0);
    }
}

#[test]
fn cancel_after_ringing() {
    let (mut alice, mut bob) = pair(3);
    bob.app = Box::new(|now, ua, e| {
        if let UaEvent::IncomingCall { call, .. } = e {
            ua.ringing(now, *call).unwrap();
        }
    });
    alice.app = Box::new(|now, ua, e| {
        if let UaEvent::Progress { call, .. } = e {
            ua.hangup(now, *call).unwrap();
        }
    });
    let mut sim = Sim::new(3, Link::PERFECT);
    let call = alice.ua.call(at(0), "sip:bob@example.com", OFFER).unwrap();
    sim.run_to(&mut [&mut alice, &mut bob], at(40_000));
    assert_eq!(sim.count("CANCEL "), 1);
    assert_eq!(sim.count("SIP/2.0 487"), 1);
    assert!(alice.events.iter().any(|(_, e)| *e
        == UaEvent::CallEnded {
            call,
            reason: EndReason::Cancelled
        }));
    assert!(bob.events.iter().any(|(_, e)| matches!(
        e,
        UaEvent::CallEnded {
            reason: EndReason::Cancelled,
            ..
        }
    )));
    assert_eq!(alice.ua.call_count() + bob.ua.call_count(), 0);
}

#[test]
fn cancel_before_any_provisional_waits_for_one() {
    let (mut alice, mut bob) = pair(4);
    bob.app = Box::new(|now, ua, e| {
        if let UaEvent::IncomingCall { call, .. } = e {
            ua.ringing(now, *call).unwrap();
        }
    });
    let mut sim = Sim::new(4, Link::PERFECT);
    let call = alice.ua.call(at(0), "sip:bob@example.com", OFFER).unwrap();
    alice.ua.hangup(at(0), call).unwrap();
    // Nothing but the INVITE yet (§9.1).
    sim.run_to(&mut [&mut alice, &mut bob], at(5));
    assert_eq!(sim.count("CANCEL "), 0);
    sim.run_to(&mut [&mut alice, &mut bob], at(40_000));
    assert_eq!(sim.count("CANCEL "), 1);
    assert!(alice.events.iter().any(|(_, e)| *e
        == UaEvent::CallEnded {
            call,
            reason: EndReason::Cancelled
        }));
}

#[test]
fn missing_ack_retransmits_2xx_then_byes() {
    let (mut alice, mut bob) = pair(5);
    answering_bob(&mut bob);
    let mut sim = Sim::new(5, Link::PERFECT);
    sim.drop_lines(|l| l.starts_with("ACK "));
    alice.ua.call(at(0), "sip:bob@example.com", OFFER).unwrap();
    sim.run_to(&mut [&mut alice, &mut bob], at(60_000));
    // §13.3.1.4: T1, 2T1, … capped at T2, for 64·T1.
    let oks = sim
        .log()
        .iter()
        .filter(|l| l.1 == addr(BOB) && l.2 == "SIP/2.0 200 OK")
        .count();
    assert!((9..=12).contains(&oks), "{oks} 2xx sent");
    assert!(bob.events.iter().any(|(_, e)| matches!(
        e,
        UaEvent::CallEnded {
            reason: EndReason::NoAck,
            ..
        }
    )));
    assert!(alice.events.iter().any(|(_, e)| matches!(
        e,
        UaEvent::CallEnded {
            reason: EndReason::RemoteHangup,
            ..
        }
    )));
}

#[test]
fn lossy_link_calls_settle_for_many_seeds() {
    for seed in 1..=40 {
        let (mut alice, mut bob) = pair(seed);
        answering_bob(&mut bob);
        alice.app = Box::new(|now, ua, e| {
            if let UaEvent::Answered { call, .. } = e {
                ua.hangup(now, *call).unwrap();
            }
        });
        let mut sim = Sim::new(seed, Link::LOSSY);
        alice.ua.call(at(0), "sip:bob@example.com", OFFER).unwrap();
        sim.run_to(&mut [&mut alice, &mut bob], at(600_000));
        let answered = alice.count(|e| matches!(e, UaEvent::Answered { .. }));
        let failed = alice.count(|e| matches!(e, UaEvent::CallFailed { .. }));
        assert_eq!(answered + failed, 1, "seed {seed}: {:?}", alice.events);
        assert!(answered <= 1 && bob.count(|e| matches!(e, UaEvent::IncomingCall { .. })) <= 1);
        assert_eq!(
            alice.ua.call_count() + bob.ua.call_count(),
            0,
            "seed {seed}"
        );
        assert!(
            alice.ua.transactions().is_empty() && bob.ua.transactions().is_empty(),
            "seed {seed}"
        );
        assert_eq!(alice.ua.poll_timeout(), None, "seed {seed}");
    }
}

#[test]
fn callee_hangup_before_ack_waits_for_the_ack() {
    let (mut alice, mut bob) = pair(6);
    bob.app = Box::new(|now, ua, e| {
        if let UaEvent::IncomingCall { call, .. } = e {
            ua.answer(now, *call, ANSWER).unwrap();
            ua.hangup(now, *call).unwrap();
        }
    });
    let mut sim = Sim::new(6, Link::PERFECT);
    alice.ua.call(at(0), "sip:bob@example.com", OFFER).unwrap();
    sim.run_to(&mut [&mut alice, &mut bob], at(60_000));
    let log = sim.log();
    let order: Vec<&str> = log
        .iter()
        .map(|l| l.2.as_str())
        .filter(|l| l.starts_with("ACK") || l.starts_with("BYE"))
        .collect();
    assert_eq!(
        order,
        [
            "ACK sip:bob@192.0.2.2:5060 SIP/2.0",
            "BYE sip:alice@192.0.2.1:5060 SIP/2.0"
        ]
    );
    assert!(alice.events.iter().any(|(_, e)| matches!(
        e,
        UaEvent::CallEnded {
            reason: EndReason::RemoteHangup,
            ..
        }
    )));
    assert_eq!(alice.ua.call_count() + bob.ua.call_count(), 0);
}

#[test]
fn unanswered_cancel_gives_up_after_64_t1() {
    let (mut alice, mut bob) = pair(7);
    bob.app = Box::new(|now, ua, e| {
        if let UaEvent::IncomingCall { call, .. } = e {
            ua.ringing(now, *call).unwrap();
        }
    });
    alice.app = Box::new(|now, ua, e| {
        if let UaEvent::Progress { call, .. } = e {
            ua.hangup(now, *call).unwrap();
        }
    });
    let mut sim = Sim::new(7, Link::PERFECT);
    // The callee never sees the CANCEL (and so never sends 487).
    sim.drop_lines(|l| l.starts_with("CANCEL "));
    let call = alice.ua.call(at(0), "sip:bob@example.com", OFFER).unwrap();
    sim.run_to(&mut [&mut alice, &mut bob], at(40_000));
    let ended: Vec<_> = alice
        .events
        .iter()
        .filter(|(_, e)| {
            *e == UaEvent::CallEnded {
                call,
                reason: EndReason::Cancelled,
            }
        })
        .map(|(t, _)| *t)
        .collect();
    assert_eq!(ended.len(), 1);
    assert!(
        ended[0] >= at(32_000) && ended[0] <= at(32_100),
        "{:?}",
        ended[0]
    );
    assert_eq!(alice.ua.call_count(), 0);
}

#[test]
fn call_to_a_peer_other_than_the_proxy_keeps_the_whole_call_there() {
    // A B2BUA's outgoing leg: the UA's proxy is bob, but this call goes to carol, and so do its
    // ACK and BYE. Carol's IncomingCall says whom the INVITE asked for and where it came from.
    const CAROL: &str = "192.0.2.3:5060";
    let (mut alice, mut bob) = pair(40);
    let mut carol = UaNode::new(addr(CAROL), ua_config("carol", CAROL, ALICE, 41));
    answering_bob(&mut carol);
    let mut sim = Sim::new(40, Link::PERFECT);
    let peer = rtcweb_sip_core::transaction::Peer::udp(addr(CAROL));
    let call = alice
        .ua
        .call_to(at(0), "sip:carol@example.com", peer, OFFER)
        .unwrap();
    sim.run_to(&mut [&mut alice, &mut bob, &mut carol], at(2_000));
    assert_eq!(alice.ua.call_state(call), Some(CallState::Established));
    let incoming = carol
        .events
        .iter()
        .find_map(|(_, e)| match e {
            UaEvent::IncomingCall {
                request_uri,
                to,
                source,
                ..
            } => Some((request_uri.clone(), to.clone(), *source)),
            _ => None,
        })
        .expect("carol got the INVITE");
    assert_eq!(incoming.0, "sip:carol@example.com");
    assert_eq!(incoming.1, "<sip:carol@example.com>");
    assert_eq!(incoming.2.addr, addr(ALICE));
    alice.ua.hangup(sim.now, call).unwrap();
    sim.run_to(&mut [&mut alice, &mut bob, &mut carol], at(60_000));
    assert!(carol
        .events
        .iter()
        .any(|(_, e)| matches!(e, UaEvent::CallEnded { .. })));
    assert!(
        bob.events.is_empty(),
        "nothing reached the proxy: {:?}",
        bob.events
    );
    assert_eq!(sim.count("INVITE sip:carol"), 1);
    assert_eq!(sim.count("BYE "), 1);
}
