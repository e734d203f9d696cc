//! Call transfer between three UAs on the simulated network and clock: a blind transfer (REFER,
//! 202, the implicit subscription's NOTIFYs with sipfrag: 100 Trying then 200 OK, the transferee
//! calling the target and leaving the transferor), an attended transfer's INVITE with Replaces
//! announced to the target as replacing its call, a Replaces naming no dialog answered 481, and
//! a failing target (486) reported to the transferor with the original call kept.
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
use rtcweb_sip_core::transaction::Peer;
use rtcweb_sip_core::ua::{CallHandle, CallState, UaEvent};

const CAROL: &str = "192.0.2.3:5060";
const SDP: &[u8] = b"v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";

fn answering(node: &mut UaNode) {
    node.app = Box::new(|now, ua, e| {
        if let UaEvent::IncomingCall { call, .. } = e {
            ua.answer(now, *call, SDP).unwrap();
        }
    });
}

fn incoming(n: &UaNode) -> Vec<CallHandle> {
    n.events
        .iter()
        .filter_map(|(_, e)| match e {
            UaEvent::IncomingCall { call, .. } => Some(*call),
            _ => None,
        })
        .collect()
}

#[test]
fn blind_transfer_with_refer_and_sipfrag_notifies() {
    let mut alice = UaNode::new(addr(ALICE), ua_config("alice", ALICE, BOB, 1));
    let mut bob = UaNode::new(addr(BOB), ua_config("bob", BOB, ALICE, 2));
    let mut carol = UaNode::new(addr(CAROL), ua_config("carol", CAROL, ALICE, 3));
    answering(&mut bob);
    answering(&mut carol);
    // Alice, the transferee: on REFER she calls the target, reports 100/200 by NOTIFY, and
    // leaves Bob once Carol answered.
    let state = std::rc::Rc::new(std::cell::RefCell::new((
        None::<CallHandle>,
        None::<CallHandle>,
    )));
    let s = state.clone();
    alice.app = Box::new(move |now, ua, e| match e {
        UaEvent::Refer { call, refer_to, .. } => {
            let target = ua
                .call_to(now, refer_to, Peer::udp(addr(CAROL)), SDP)
                .unwrap();
            *s.borrow_mut() = (Some(*call), Some(target));
        }
        UaEvent::Answered { call, .. } if Some(*call) == s.borrow().1 => {
            let old = s.borrow().0.unwrap();
            ua.notify_refer(now, old, 200, "OK").unwrap();
            ua.hangup(now, old).unwrap();
        }
        _ => {}
    });
    let mut sim = Sim::new(1, Link::PERFECT);
    let call = alice.ua.call(at(0), "sip:bob@example.com", SDP).unwrap();
    sim.run_to(&mut [&mut alice, &mut bob, &mut carol], at(3_000));
    let bob_call = incoming(&bob)[0];
    assert_eq!(bob.ua.call_state(bob_call), Some(CallState::Established));

    bob.ua
        .refer(sim.now, bob_call, &format!("sip:carol@{CAROL}"))
        .unwrap();
    sim.run_to(&mut [&mut alice, &mut bob, &mut carol], at(10_000));

    assert_eq!(sim.count("REFER "), 1);
    assert_eq!(sim.count("SIP/2.0 202"), 1);
    assert_eq!(sim.count("NOTIFY "), 2, "100 Trying, then 200 OK");
    let progress: Vec<(Option<u16>, bool)> = bob
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            UaEvent::ReferProgress {
                code, terminated, ..
            } => Some((*code, *terminated)),
            _ => None,
        })
        .collect();
    assert_eq!(progress, [(Some(100), false), (Some(200), true)]);
    assert!(bob
        .events
        .iter()
        .any(|(_, e)| matches!(e, UaEvent::ReferAccepted { code: 202, .. })));
    // Alice now talks to Carol; her call with Bob is over.
    let (_, target) = *state.borrow();
    assert_eq!(
        alice.ua.call_state(target.unwrap()),
        Some(CallState::Established)
    );
    assert_eq!(alice.ua.call_state(call), None);
    assert_eq!(bob.ua.call_state(bob_call), None);
    assert!(alice.events.iter().any(|(_, e)| matches!(
        e,
        UaEvent::Refer { refer_to, referred_by: Some(by), .. }
            if refer_to == &format!("sip:carol@{CAROL}") && by.contains("bob@example.com")
    )));
}

#[test]
fn attended_transfer_invite_with_replaces_names_the_replaced_call() {
    // Bob talks to Carol; Alice then calls Carol with Replaces naming that dialog.
    let mut alice = UaNode::new(addr(ALICE), ua_config("alice", ALICE, CAROL, 4));
    let mut bob = UaNode::new(addr(BOB), ua_config("bob", BOB, CAROL, 5));
    let mut carol = UaNode::new(addr(CAROL), ua_config("carol", CAROL, BOB, 6));
    answering(&mut carol);
    let mut sim = Sim::new(2, Link::PERFECT);
    let bc = bob.ua.call(at(0), "sip:carol@example.com", SDP).unwrap();
    sim.run_to(&mut [&mut alice, &mut bob, &mut carol], at(3_000));
    let carol_bob = incoming(&carol)[0];
    let d = bob.ua.dialog(bc).unwrap().id().clone();
    // From Carol's side: to-tag is hers (Bob's remote tag), from-tag is Bob's.
    let replaces = format!(
        "{};to-tag={};from-tag={}",
        d.call_id, d.remote_tag, d.local_tag
    );
    let ac = alice
        .ua
        .call_to_replacing(
            sim.now,
            "sip:carol@example.com",
            Peer::udp(addr(CAROL)),
            SDP,
            &replaces,
        )
        .unwrap();
    sim.run_to(&mut [&mut alice, &mut bob, &mut carol], at(6_000));
    assert_eq!(alice.ua.call_state(ac), Some(CallState::Established));
    let new_call = incoming(&carol)[1];
    assert!(carol.events.iter().any(|(_, e)| matches!(
        e,
        UaEvent::Replaces { call, replaced } if *call == new_call && *replaced == carol_bob
    )));

    // A Replaces naming no dialog of Carol's: 481.
    let bogus = format!("{};to-tag=nope;from-tag={}", d.call_id, d.local_tag);
    let failed = alice
        .ua
        .call_to_replacing(
            sim.now,
            "sip:carol@example.com",
            Peer::udp(addr(CAROL)),
            SDP,
            &bogus,
        )
        .unwrap();
    sim.run_to(&mut [&mut alice, &mut bob, &mut carol], at(9_000));
    assert_eq!(alice.ua.call_state(failed), None);
    assert!(alice.events.iter().any(|(_, e)| matches!(
        e,
        UaEvent::CallFailed {
            code: Some(481),
            ..
        }
    )));
}

#[test]
fn a_failing_transfer_target_is_reported_to_the_transferor() {
    let mut alice = UaNode::new(addr(ALICE), ua_config("alice", ALICE, BOB, 7));
    let mut bob = UaNode::new(addr(BOB), ua_config("bob", BOB, ALICE, 8));
    let mut carol = UaNode::new(addr(CAROL), ua_config("carol", CAROL, ALICE, 9));
    answering(&mut bob);
    // Carol is busy.
    carol.app = Box::new(|now, ua, e| {
        if let UaEvent::IncomingCall { call, .. } = e {
            ua.reject(now, *call, 486).unwrap();
        }
    });
    let referred = std::rc::Rc::new(std::cell::RefCell::new(None::<CallHandle>));
    let r = referred.clone();
    alice.app = Box::new(move |now, ua, e| match e {
        UaEvent::Refer { call, refer_to, .. } => {
            ua.call_to(now, refer_to, Peer::udp(addr(CAROL)), SDP)
                .unwrap();
            *r.borrow_mut() = Some(*call);
        }
        UaEvent::CallFailed {
            code: Some(code), ..
        } => {
            let old = r.borrow().unwrap();
            ua.notify_refer(now, old, *code, "Busy Here").unwrap();
        }
        _ => {}
    });
    let mut sim = Sim::new(3, Link::PERFECT);
    let call = alice.ua.call(at(0), "sip:bob@example.com", SDP).unwrap();
    sim.run_to(&mut [&mut alice, &mut bob, &mut carol], at(3_000));
    let bob_call = incoming(&bob)[0];
    bob.ua
        .refer(sim.now, bob_call, &format!("sip:carol@{CAROL}"))
        .unwrap();
    sim.run_to(&mut [&mut alice, &mut bob, &mut carol], at(10_000));
    assert!(bob.events.iter().any(|(_, e)| matches!(
        e,
        UaEvent::ReferProgress {
            code: Some(486),
            terminated: true,
            ..
        }
    )));
    // The transfer failed; the original call is still up on both sides.
    assert_eq!(alice.ua.call_state(call), Some(CallState::Established));
    assert_eq!(bob.ua.call_state(bob_call), Some(CallState::Established));
    // A second report after the final one has no subscription to go to.
    assert!(alice.ua.notify_refer(sim.now, call, 200, "OK").is_err());
}
