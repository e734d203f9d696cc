//! Registration against a scripted digest registrar: 401 → authenticated 200, refresh before
//! expiry, 423 Min-Expires, unregister, failure backoff, RFC 5626 keep-alive deadlines.
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

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use common::{addr, at, ua_config, LayerNode, Link, Sim, UaNode, ALICE, BOB};
use rtcweb_sip_core::auth::digest::{verify, Algorithm};
use rtcweb_sip_core::header::{Authorization, Expires};
use rtcweb_sip_core::message::{builder::MessageBuilder, Header, Message};
use rtcweb_sip_core::registration::{Credentials, RegistrationState};
use rtcweb_sip_core::transaction::{LayerConfig, TransactionEvent, TransactionLayer};
use rtcweb_sip_core::ua::UaEvent;

/// A registrar that challenges every REGISTER without valid credentials; `min_expires` > 0 makes
/// it answer 423 to shorter requests; `down` makes it answer 503.
fn registrar(min_expires: u32, down: Rc<Cell<bool>>) -> LayerNode {
    let challenge = |nonce: u32| {
        vec![format!(
            "Digest realm=\"example.com\", nonce=\"n{nonce}\", qop=\"auth\", algorithm=MD5"
        )]
    };
    registrar_with(min_expires, down, Box::new(challenge), None, Rc::default())
}

/// [`registrar`] generalised: `challenge(nonce)` gives the WWW-Authenticate lines of each 401;
/// with `only`, credentials with another algorithm get 403; every `algorithm` answered is logged.
fn registrar_with(
    min_expires: u32,
    down: Rc<Cell<bool>>,
    challenge: Box<dyn Fn(u32) -> Vec<String>>,
    only: Option<&'static str>,
    answered: Rc<RefCell<Vec<String>>>,
) -> LayerNode {
    let mut node = LayerNode::new(addr(BOB), TransactionLayer::new(LayerConfig::default()));
    let mut nonce = 0u32;
    node.tu = Box::new(move |now, layer, e| {
        let TransactionEvent::Request { tx, message, .. } = e else {
            return;
        };
        let mut st = [Header::EMPTY; 64];
        let m = Message::parse(message, &mut st).unwrap();
        let expires = m.typed::<Expires>().ok().flatten().map_or(3600, |e| e.0);
        let creds = m.typed::<Authorization>().ok().flatten();
        if let Some(a) = &creds {
            answered
                .borrow_mut()
                .push(a.get("algorithm").unwrap_or("").to_string());
        }
        let issued = format!("n{nonce}");
        let authed = creds.is_some_and(|a| {
            let alg = Algorithm::parse(a.get("algorithm").unwrap_or("MD5")).unwrap();
            verify(
                &a,
                &common::challenged(&m, "example.com", &issued, alg),
                b"pw",
                b"",
            )
            .is_ok()
        });
        let weak = creds.is_some_and(|a| only.is_some_and(|o| a.get("algorithm") != Some(o)));
        let mut b;
        if down.get() {
            b = MessageBuilder::response_to(&m, 503, "Service Unavailable", Some("r"));
        } else if weak {
            b = MessageBuilder::response_to(&m, 403, "Forbidden", Some("r"));
        } else if !authed {
            nonce += 1;
            b = MessageBuilder::response_to(&m, 401, "Unauthorized", Some("r"));
            for line in challenge(nonce) {
                b.add_header("WWW-Authenticate", line);
            }
        } else if expires != 0 && expires < min_expires {
            b = MessageBuilder::response_to(&m, 423, "Interval Too Brief", Some("r"));
            b.add_header("Min-Expires", format!("{min_expires}"));
        } else {
            b = MessageBuilder::response_to(&m, 200, "OK", Some("r"));
            if expires > 0 {
                let contact = m.header("contact").unwrap().value().to_string();
                b.add_header(
                    "Contact",
                    format!("{contact};expires={}", expires.min(60.max(min_expires))),
                );
            }
        }
        layer.send_response(now, *tx, &b.to_vec()).unwrap();
    });
    node
}

fn alice(seed: u64) -> UaNode {
    let mut cfg = ua_config("alice", ALICE, BOB, seed);
    cfg.credentials = Some(Credentials::new("alice", "pw"));
    UaNode::new(addr(ALICE), cfg)
}

#[test]
fn challenge_then_registered_then_refreshed_then_unregistered() {
    let mut a = alice(1);
    let mut r = registrar(0, Rc::new(Cell::new(false)));
    let mut sim = Sim::new(1, Link::PERFECT);
    a.ua.register(at(0));
    sim.run_to(&mut [&mut a, &mut r], at(1_000));
    assert_eq!(
        sim.count("REGISTER "),
        2,
        "unauthenticated, then with credentials"
    );
    assert_eq!(sim.count("SIP/2.0 401"), 1);
    assert_eq!(a.count(|e| *e == UaEvent::Registered { expires: 60 }), 1);
    assert!(matches!(
        a.ua.registration().state(),
        RegistrationState::Registered { .. }
    ));
    // Granted 60 s: refreshed at max(30, 60 − 32) = 30 s, every time.
    sim.run_to(&mut [&mut a, &mut r], at(100_000));
    assert_eq!(a.count(|e| matches!(e, UaEvent::Registered { .. })), 4);
    assert_eq!(
        a.count(|e| matches!(e, UaEvent::RegistrationFailed { .. })),
        0
    );
    a.ua.unregister(sim.now);
    sim.run_to(&mut [&mut a, &mut r], at(200_000));
    assert_eq!(a.count(|e| *e == UaEvent::Unregistered), 1);
    assert_eq!(a.ua.registration().state(), RegistrationState::Unregistered);
    assert_eq!(a.ua.poll_timeout(), None, "no refresh after unregister");
}

#[test]
fn interval_too_brief_retries_with_min_expires() {
    let mut cfg = ua_config("alice", ALICE, BOB, 2);
    cfg.credentials = Some(Credentials::new("alice", "pw"));
    cfg.register_expires = 120;
    let mut a = UaNode::new(addr(ALICE), cfg);
    let mut r = registrar(600, Rc::new(Cell::new(false)));
    let mut sim = Sim::new(2, Link::PERFECT);
    a.ua.register(at(0));
    sim.run_to(&mut [&mut a, &mut r], at(1_000));
    assert_eq!(a.count(|e| matches!(e, UaEvent::Registered { .. })), 1);
    assert_eq!(sim.count("SIP/2.0 423"), 1);
    assert_eq!(a.count(|e| *e == UaEvent::Registered { expires: 600 }), 1);
}

#[test]
fn failures_back_off_and_recover() {
    let down = Rc::new(Cell::new(true));
    let mut a = alice(3);
    let mut r = registrar(0, down.clone());
    let mut sim = Sim::new(3, Link::PERFECT);
    a.ua.register(at(0));
    // Retries at 30 s, then 60 s later, then 120 s later (RFC 5626 §4.5 backoff).
    sim.run_to(&mut [&mut a, &mut r], at(200_000));
    let fails: Vec<u64> = a
        .events
        .iter()
        .filter(|(_, e)| matches!(e, UaEvent::RegistrationFailed { code: Some(503) }))
        .map(|(t, _)| (t.as_nanos() / 1_000_000_000) as u64)
        .collect();
    assert_eq!(fails, [0, 30, 90]);
    down.set(false);
    sim.run_to(&mut [&mut a, &mut r], at(300_000));
    assert!(a.count(|e| matches!(e, UaEvent::Registered { .. })) >= 1);
}

#[test]
fn registration_survives_a_lossy_link() {
    for seed in 1..=20 {
        let mut a = alice(seed);
        let mut r = registrar(0, Rc::new(Cell::new(false)));
        let mut sim = Sim::new(seed, Link::LOSSY);
        a.ua.register(at(0));
        sim.run_to(&mut [&mut a, &mut r], at(300_000));
        assert!(
            a.count(|e| matches!(e, UaEvent::Registered { .. })) >= 1,
            "seed {seed}"
        );
    }
}

#[test]
fn outbound_instance_and_keepalives() {
    let mut cfg = ua_config("alice", ALICE, BOB, 4);
    cfg.credentials = Some(Credentials::new("alice", "pw"));
    cfg.instance_id = Some("<urn:uuid:00000000-0000-1000-8000-000A95A0E128>".into());
    let mut a = UaNode::new(addr(ALICE), cfg);
    let mut r = registrar(0, Rc::new(Cell::new(false)));
    let mut sim = Sim::new(4, Link::PERFECT);
    a.ua.register(at(0));
    sim.run_to(&mut [&mut a, &mut r], at(1_000));
    assert_eq!(a.count(|e| matches!(e, UaEvent::Registered { .. })), 1);
    // UDP flow: the app is told to send STUN keep-alives every 96–120 s.
    sim.run_to(&mut [&mut a, &mut r], at(600_000));
    let k = a.count(|e| *e == UaEvent::KeepAlive);
    assert!((5..=6).contains(&k), "{k} keep-alives in 10 min");
}

/// RFC 8760 §2.4 / RFC 7235 §4.1: SHA-256 and MD5 offered in one WWW-Authenticate line; the
/// client answers SHA-256 (the registrar refuses MD5 answers with 403 and verifies the digest).
#[test]
fn sha256_and_md5_in_one_line_answers_sha256() {
    let answered = Rc::new(RefCell::new(Vec::new()));
    let challenge = |nonce: u32| {
        vec![format!(
            "Digest realm=\"example.com\", nonce=\"n{nonce}\", algorithm=SHA-256, qop=\"auth\", \
             Digest realm=\"example.com\", nonce=\"n{nonce}\", algorithm=MD5, qop=\"auth\""
        )]
    };
    let mut r = registrar_with(
        0,
        Rc::new(Cell::new(false)),
        Box::new(challenge),
        Some("SHA-256"),
        answered.clone(),
    );
    let mut a = alice(5);
    let mut sim = Sim::new(5, Link::PERFECT);
    a.ua.register(at(0));
    sim.run_to(&mut [&mut a, &mut r], at(1_000));
    assert_eq!(sim.count("SIP/2.0 401"), 1);
    assert_eq!(sim.count("SIP/2.0 403"), 0);
    assert_eq!(sim.count("SIP/2.0 200"), 1);
    assert_eq!(*answered.borrow(), ["SHA-256"]);
    assert_eq!(a.count(|e| *e == UaEvent::Registered { expires: 60 }), 1);
}

/// Unknown schemes (Bearer, Basic, Negotiate) and an unsupported algorithm alongside Digest, MD5
/// listed before SHA-256 and on separate lines: the client still picks Digest SHA-256.
#[test]
fn unknown_schemes_are_skipped_and_the_strongest_digest_wins() {
    let answered = Rc::new(RefCell::new(Vec::new()));
    let challenge = |nonce: u32| {
        vec![
            "Bearer realm=\"example.com\", scope=\"sip, register\", Negotiate".to_string(),
            format!(
                "Basic realm=\"example.com\", Digest realm=\"example.com\", nonce=\"n{nonce}\", \
                 algorithm=MD5, qop=\"auth\", Digest realm=\"example.com\", nonce=\"n{nonce}\", \
                 algorithm=SHA-512-256, qop=\"auth\""
            ),
            format!(
                "Digest realm=\"example.com\", nonce=\"n{nonce}\", algorithm=SHA-256, qop=\"auth\""
            ),
        ]
    };
    let mut r = registrar_with(
        0,
        Rc::new(Cell::new(false)),
        Box::new(challenge),
        Some("SHA-256"),
        answered.clone(),
    );
    let mut a = alice(6);
    let mut sim = Sim::new(6, Link::PERFECT);
    a.ua.register(at(0));
    sim.run_to(&mut [&mut a, &mut r], at(1_000));
    assert_eq!(*answered.borrow(), ["SHA-256"]);
    assert_eq!(a.count(|e| *e == UaEvent::Registered { expires: 60 }), 1);
    assert_eq!(
        a.count(|e| matches!(e, UaEvent::RegistrationFailed { .. })),
        0
    );
}

/// Only MD5 offered (next to Basic): the client answers MD5, as before.
#[test]
fn md5_only_with_basic_still_registers() {
    let answered = Rc::new(RefCell::new(Vec::new()));
    let challenge = |nonce: u32| {
        vec![format!(
            "Basic realm=\"example.com\", Digest realm=\"example.com\", nonce=\"n{nonce}\", qop=\"auth\""
        )]
    };
    let mut r = registrar_with(
        0,
        Rc::new(Cell::new(false)),
        Box::new(challenge),
        None,
        answered.clone(),
    );
    let mut a = alice(7);
    let mut sim = Sim::new(7, Link::PERFECT);
    a.ua.register(at(0));
    sim.run_to(&mut [&mut a, &mut r], at(1_000));
    assert_eq!(*answered.borrow(), ["MD5"]);
    assert_eq!(a.count(|e| *e == UaEvent::Registered { expires: 60 }), 1);
}
