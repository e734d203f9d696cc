//! Reliable provisional responses (RFC 3262) between two UAs on the simulated network and clock:
//! the PRACK exchange, a lost PRACK (the UAS retransmits its 183, the UAC does not pass it up
//! twice), a 2xx held back until the PRACK of a 183 with SDP, a UAS that never gets its PRACK
//! (504 after 64·T1), `Require: 100rel` refused with 420 when disabled, and lossy links.
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
use rtcweb_sip_core::ua::{CallState, EndReason, Rel100, UaError, UaEvent};

const OFFER: &[u8] = b"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
const ANSWER: &[u8] = b"v=0\r\no=- 2 2 IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n";

/// Alice calls with `alice_rel`; Bob answers with `bob_rel`.
fn pair(seed: u64, alice_rel: Rel100, bob_rel: Rel100) -> (UaNode, UaNode) {
    let mut a = ua_config("alice", ALICE, BOB, seed);
    a.rel100 = alice_rel;
    let mut b = ua_config("bob", BOB, ALICE, seed + 1000);
    b.rel100 = bob_rel;
    (UaNode::new(addr(ALICE), a), UaNode::new(addr(BOB), b))
}

/// Bob sends 183 with early media SDP (reliably when the INVITE allows it), then answers as
/// soon as he may: `answer` right away (the 2xx is held until the PRACK when needed).
fn early_media_bob(bob: &mut UaNode) {
    bob.app = Box::new(|now, ua, e| {
        if let UaEvent::IncomingCall { call, .. } = e {
            ua_progress(ua, now, *call);
            ua.answer(now, *call, ANSWER).unwrap();
        }
    });
}

fn ua_progress(
    ua: &mut rtcweb_sip_core::ua::UserAgent,
    now: rtcweb_sip_core::Instant,
    call: rtcweb_sip_core::ua::CallHandle,
) {
    ua.progress(now, call, 183, "Session Progress", Some(ANSWER))
        .unwrap();
}

#[test]
fn reliable_183_is_pracked_and_the_held_2xx_follows() {
    // Alice requires 100rel, Bob supports it: his 183 is reliable.
    let (mut alice, mut bob) = pair(1, Rel100::Required, Rel100::Supported);
    early_media_bob(&mut bob);
    let mut sim = Sim::new(1, Link::PERFECT);
    let call = alice.ua.call(at(0), "sip:bob@example.com", OFFER).unwrap();
    sim.run_to(&mut [&mut alice, &mut bob], at(5_000));
    assert_eq!(alice.ua.call_state(call), Some(CallState::Established));
    assert_eq!(sim.count("PRACK "), 1);
    assert_eq!(
        sim.count("SIP/2.0 183"),
        1,
        "no retransmission on a perfect link"
    );
    // The 2xx left only after the PRACK was answered (§3: the 183 carried SDP).
    let prack_ok = sim
        .log()
        .iter()
        .position(|l| l.2.starts_with("PRACK "))
        .unwrap();
    let ok = sim
        .log()
        .iter()
        .rposition(|l| l.2 == "SIP/2.0 200 OK" && l.1 == addr(BOB))
        .unwrap();
    assert!(ok > prack_ok);
    assert_eq!(
        alice.count(|e| matches!(
            e,
            UaEvent::Progress {
                code: 183,
                sdp: Some(_),
                ..
            }
        )),
        1
    );
    assert_eq!(bob.count(|e| matches!(e, UaEvent::PrackReceived { .. })), 1);
    // The INVITE said Require: 100rel; the 183 said Require and RSeq.
    let log = sim.log();
    let invite = log.iter().find(|l| l.2.starts_with("INVITE ")).unwrap();
    assert_eq!(invite.1, addr(ALICE));
}

#[test]
fn lost_prack_makes_the_uas_retransmit_and_the_uac_pass_it_up_once() {
    let (mut alice, mut bob) = pair(2, Rel100::Required, Rel100::Supported);
    early_media_bob(&mut bob);
    let mut sim = Sim::new(2, Link::PERFECT);
    // The first PRACK is lost; the transaction layer retransmits it (UDP, Timer E).
    let mut dropped = false;
    sim.drop_lines(move |line| {
        if line.starts_with("PRACK ") && !dropped {
            dropped = true;
            return true;
        }
        false
    });
    let call = alice.ua.call(at(0), "sip:bob@example.com", OFFER).unwrap();
    sim.run_to(&mut [&mut alice, &mut bob], at(10_000));
    assert_eq!(alice.ua.call_state(call), Some(CallState::Established));
    assert!(sim.count("PRACK ") >= 2, "retransmitted");
    assert!(
        sim.count("SIP/2.0 183") >= 2,
        "the UAS retransmits its 183 until PRACKed"
    );
    assert_eq!(
        alice.count(|e| matches!(e, UaEvent::Progress { code: 183, .. })),
        1,
        "a retransmitted reliable 183 is not passed up again"
    );
}

#[test]
fn no_prack_at_all_ends_the_incoming_call_with_504() {
    let (mut alice, mut bob) = pair(3, Rel100::Required, Rel100::Supported);
    early_media_bob(&mut bob);
    let mut sim = Sim::new(3, Link::PERFECT);
    sim.drop_lines(|line| line.starts_with("PRACK "));
    let call = alice.ua.call(at(0), "sip:bob@example.com", OFFER).unwrap();
    sim.run_to(&mut [&mut alice, &mut bob], at(120_000));
    assert_eq!(sim.count("SIP/2.0 504"), 1);
    assert!(bob.events.iter().any(|(_, e)| matches!(
        e,
        UaEvent::CallEnded {
            reason: EndReason::NoAck,
            ..
        }
    )));
    assert!(alice.events.iter().any(|(_, e)| matches!(
        e,
        UaEvent::CallFailed {
            code: Some(504),
            ..
        }
    )));
    assert_eq!(alice.ua.call_state(call), None);
    assert_eq!(bob.ua.call_count(), 0);
    assert_eq!(sim.count("SIP/2.0 200 OK"), 0, "the held 2xx never left");
}

#[test]
fn only_one_unacknowledged_reliable_provisional_at_a_time() {
    let (mut alice, mut bob) = pair(4, Rel100::Required, Rel100::Supported);
    let results = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let r = results.clone();
    bob.app = Box::new(move |now, ua, e| {
        if let UaEvent::IncomingCall { call, .. } = e {
            r.borrow_mut()
                .push(ua.ringing(now, *call).map_err(|e| e.to_string()));
            r.borrow_mut()
                .push(ua.ringing(now, *call).map_err(|e| e.to_string()));
        }
        if let UaEvent::PrackReceived { call } = e {
            if r.borrow().len() == 2 {
                r.borrow_mut()
                    .push(ua.ringing(now, *call).map_err(|e| e.to_string()));
            }
        }
    });
    let mut sim = Sim::new(4, Link::PERFECT);
    alice.ua.call(at(0), "sip:bob@example.com", OFFER).unwrap();
    sim.run_to(&mut [&mut alice, &mut bob], at(3_000));
    let r = results.borrow();
    assert!(r[0].is_ok());
    assert_eq!(r[1], Err(UaError::ProvisionalPending.to_string()));
    assert!(r[2].is_ok(), "after the PRACK, the next one may go");
    assert_eq!(
        sim.count("PRACK "),
        2,
        "each reliable 180 PRACKed once, RSeq in order"
    );
}

#[test]
fn supported_on_both_sides_stays_unreliable_and_required_but_disabled_is_420() {
    // Both merely support it: Bob's 1xx are unreliable, no PRACK.
    let (mut alice, mut bob) = pair(5, Rel100::Supported, Rel100::Supported);
    early_media_bob(&mut bob);
    let mut sim = Sim::new(5, Link::PERFECT);
    let call = alice.ua.call(at(0), "sip:bob@example.com", OFFER).unwrap();
    sim.run_to(&mut [&mut alice, &mut bob], at(3_000));
    assert_eq!(alice.ua.call_state(call), Some(CallState::Established));
    assert_eq!(sim.count("PRACK "), 0);

    // Alice requires it, Bob has it disabled: 420 Bad Extension, Unsupported: 100rel.
    let (mut alice, mut bob) = pair(6, Rel100::Required, Rel100::Disabled);
    early_media_bob(&mut bob);
    let mut sim = Sim::new(6, Link::PERFECT);
    alice.ua.call(at(0), "sip:bob@example.com", OFFER).unwrap();
    sim.run_to(&mut [&mut alice, &mut bob], at(3_000));
    assert_eq!(sim.count("SIP/2.0 420"), 1);
    assert!(alice.events.iter().any(|(_, e)| matches!(
        e,
        UaEvent::CallFailed {
            code: Some(420),
            ..
        }
    )));
}

#[test]
fn lossy_links_still_complete_for_many_seeds() {
    for seed in 0..40 {
        let (mut alice, mut bob) = pair(100 + seed, Rel100::Required, Rel100::Supported);
        early_media_bob(&mut bob);
        let mut sim = Sim::new(seed, Link::LOSSY);
        let call = alice.ua.call(at(0), "sip:bob@example.com", OFFER).unwrap();
        sim.run_to(&mut [&mut alice, &mut bob], at(60_000));
        let state = alice.ua.call_state(call);
        let failed = alice
            .events
            .iter()
            .any(|(_, e)| matches!(e, UaEvent::CallFailed { .. }));
        assert!(
            state == Some(CallState::Established) || failed,
            "seed {seed}: {state:?}"
        );
        assert!(
            alice.count(|e| matches!(e, UaEvent::Progress { code: 183, .. })) <= 1,
            "seed {seed}: 183 passed up twice"
        );
    }
}
