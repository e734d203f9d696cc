//! New offers in an established call on the simulated network and clock: hold and resume by
//! re-INVITE (answered, ACKed) and by UPDATE (no ACK), glare (both sides offer at once: 491 to
//! both, then the retries at the §14.1 random waits, 2.1–4 s for the caller who owns the
//! Call-ID and 0–2 s for the callee), and a 481 to an offer ending the call (§12.2.1.2).
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
use rtcweb_sip_core::ua::{CallHandle, CallState, ReofferMethod, UaError, UaEvent};

const OFFER: &[u8] = b"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=sendrecv\r\n";
const HOLD: &[u8] = b"v=0\r\no=- 1 2 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=sendonly\r\n";
const RESUME: &[u8] = b"v=0\r\no=- 1 3 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=sendrecv\r\n";
const ANSWER: &[u8] = b"v=0\r\no=- 2 2 IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n";
const BOB_HOLD: &[u8] = b"v=0\r\no=- 2 3 IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\na=inactive\r\n";

/// An established call between Alice (caller) and Bob; Bob's handle is returned too.
fn established(seed: u64, link: Link) -> (UaNode, UaNode, Sim, CallHandle, CallHandle) {
    let mut alice = UaNode::new(addr(ALICE), ua_config("alice", ALICE, BOB, seed));
    let mut bob = UaNode::new(addr(BOB), ua_config("bob", BOB, ALICE, seed + 1000));
    bob.app = Box::new(|now, ua, e| {
        if let UaEvent::IncomingCall { call, .. } = e {
            ua.answer(now, *call, ANSWER).unwrap();
        }
    });
    let mut sim = Sim::new(seed, link);
    let call = alice.ua.call(at(0), "sip:bob@example.com", OFFER).unwrap();
    sim.run_to(&mut [&mut alice, &mut bob], at(3_000));
    assert_eq!(alice.ua.call_state(call), Some(CallState::Established));
    let bob_call = bob
        .events
        .iter()
        .find_map(|(_, e)| match e {
            UaEvent::IncomingCall { call, .. } => Some(*call),
            _ => None,
        })
        .unwrap();
    sim.run_to(&mut [&mut alice, &mut bob], at(5_000));
    assert_eq!(bob.ua.call_state(bob_call), Some(CallState::Established));
    (alice, bob, sim, call, bob_call)
}

fn answered(n: &UaNode) -> usize {
    n.count(|e| matches!(e, UaEvent::ReofferAnswered { .. }))
}

#[test]
fn hold_and_resume_by_reinvite_then_by_update() {
    let (mut alice, mut bob, mut sim, call, _) = established(1, Link::PERFECT);
    alice
        .ua
        .reoffer(sim.now, call, ReofferMethod::Invite, HOLD)
        .unwrap();
    sim.run_to(&mut [&mut alice, &mut bob], at(7_000));
    assert_eq!(answered(&alice), 1);
    assert!(bob.events.iter().any(|(_, e)| matches!(
        e,
        UaEvent::InDialogRequest { method, body, .. } if method == "INVITE" && body == HOLD
    )));
    assert_eq!(sim.count("ACK "), 2, "the call's ACK and the re-INVITE's");

    alice
        .ua
        .reoffer(sim.now, call, ReofferMethod::Update, RESUME)
        .unwrap();
    sim.run_to(&mut [&mut alice, &mut bob], at(9_000));
    assert_eq!(answered(&alice), 2);
    assert_eq!(sim.count("UPDATE "), 1);
    assert_eq!(sim.count("ACK "), 2, "no ACK for UPDATE");
    assert_eq!(alice.ua.call_state(call), Some(CallState::Established));
}

#[test]
fn a_second_offer_waits_for_the_first() {
    let (mut alice, _bob, sim, call, _) = established(2, Link::PERFECT);
    alice
        .ua
        .reoffer(sim.now, call, ReofferMethod::Invite, HOLD)
        .unwrap();
    assert!(matches!(
        alice
            .ua
            .reoffer(sim.now, call, ReofferMethod::Update, RESUME),
        Err(UaError::OfferPending)
    ));
}

#[test]
fn glare_is_491_on_both_sides_then_both_retry_at_their_own_times() {
    for seed in 0..20 {
        let (mut alice, mut bob, mut sim, call, bob_call) = established(10 + seed, Link::PERFECT);
        let t0 = sim.now;
        alice
            .ua
            .reoffer(t0, call, ReofferMethod::Invite, HOLD)
            .unwrap();
        bob.ua
            .reoffer(t0, bob_call, ReofferMethod::Invite, BOB_HOLD)
            .unwrap();
        sim.run_to(
            &mut [&mut alice, &mut bob],
            t0 + std::time::Duration::from_secs(20),
        );
        assert_eq!(sim.count("SIP/2.0 491"), 2, "seed {seed}");
        assert_eq!(answered(&alice), 1, "seed {seed}");
        assert_eq!(answered(&bob), 1, "seed {seed}");
        // When each side sent its second INVITE (after the 491 came back at t0 + 20 ms).
        let resent = |from: &str| {
            sim.log()
                .iter()
                .filter(|l| l.0 >= t0 && l.1 == addr(from) && l.2.starts_with("INVITE "))
                .nth(1)
                .map(|l| (l.0 - t0).as_millis())
                .unwrap()
        };
        let (a, b) = (resent(ALICE), resent(BOB));
        assert!(
            (2_100..=4_100).contains(&a),
            "seed {seed}: caller retried at {a} ms"
        );
        assert!(b <= 2_100, "seed {seed}: callee retried at {b} ms");
        assert_eq!(alice.ua.call_state(call), Some(CallState::Established));
    }
}

#[test]
fn a_481_to_an_offer_ends_the_call() {
    let (mut alice, mut bob, mut sim, call, bob_call) = established(3, Link::PERFECT);
    // Bob forgets the dialog (his BYE is lost): he answers Alice's UPDATE 481, and her call
    // ends with a BYE.
    bob.ua.hangup(sim.now, bob_call).unwrap();
    sim.drop_lines(|line| line.starts_with("BYE "));
    sim.run_to(
        &mut [&mut alice, &mut bob],
        sim.now + std::time::Duration::from_secs(40),
    );
    assert!(bob.ua.call_state(bob_call).is_none());
    sim.drop_none();
    alice
        .ua
        .reoffer(sim.now, call, ReofferMethod::Update, HOLD)
        .unwrap();
    sim.run_to(
        &mut [&mut alice, &mut bob],
        sim.now + std::time::Duration::from_secs(40),
    );
    assert!(alice.events.iter().any(|(_, e)| matches!(
        e,
        UaEvent::ReofferFailed {
            code: Some(481),
            ..
        }
    )));
    assert!(alice.ua.call_state(call).is_none(), "481 ended the dialog");
}

const BOB_RECVONLY: &[u8] = b"v=0\r\no=- 2 3 IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\na=recvonly\r\n";

/// With `answer_offers` off, the application answers (hold: recvonly to sendonly) or refuses
/// (488, the call staying up); an UPDATE's offer gets an answer in its 200 (RFC 3311 §5.2).
#[test]
fn the_application_answers_or_refuses_offers() {
    let mut alice = UaNode::new(addr(ALICE), ua_config("alice", ALICE, BOB, 30));
    let mut cfg = ua_config("bob", BOB, ALICE, 31);
    cfg.answer_offers = false;
    let mut bob = UaNode::new(addr(BOB), cfg);
    let refuse = std::rc::Rc::new(std::cell::Cell::new(false));
    let r = refuse.clone();
    bob.app = Box::new(move |now, ua, e| match e {
        UaEvent::IncomingCall { call, .. } => ua.answer(now, *call, ANSWER).unwrap(),
        UaEvent::Offer { call, sdp, .. } => {
            if r.get() {
                ua.reject_offer(now, *call, 488).unwrap();
            } else {
                assert!(sdp.ends_with(b"a=sendonly\r\n"));
                ua.answer_offer(now, *call, BOB_RECVONLY).unwrap();
            }
        }
        _ => {}
    });
    let mut sim = Sim::new(30, Link::PERFECT);
    let call = alice.ua.call(at(0), "sip:bob@example.com", OFFER).unwrap();
    sim.run_to(&mut [&mut alice, &mut bob], at(3_000));
    alice
        .ua
        .reoffer(sim.now, call, ReofferMethod::Update, HOLD)
        .unwrap();
    sim.run_to(&mut [&mut alice, &mut bob], at(5_000));
    assert!(alice.events.iter().any(|(_, e)| matches!(
        e,
        UaEvent::ReofferAnswered { sdp, .. } if sdp == BOB_RECVONLY
    )));
    refuse.set(true);
    alice
        .ua
        .reoffer(sim.now, call, ReofferMethod::Invite, RESUME)
        .unwrap();
    sim.run_to(&mut [&mut alice, &mut bob], at(8_000));
    assert!(alice.events.iter().any(|(_, e)| matches!(
        e,
        UaEvent::ReofferFailed {
            code: Some(488),
            ..
        }
    )));
    assert_eq!(alice.ua.call_state(call), Some(CallState::Established));
    // The UA answering by itself answers an UPDATE's offer with SDP too.
    let (mut alice, mut bob, mut sim, call, _) = established(32, Link::PERFECT);
    alice
        .ua
        .reoffer(sim.now, call, ReofferMethod::Update, HOLD)
        .unwrap();
    sim.run_to(&mut [&mut alice, &mut bob], at(8_000));
    assert!(alice.events.iter().any(|(_, e)| matches!(
        e,
        UaEvent::ReofferAnswered { sdp, .. } if sdp == ANSWER
    )));
}
