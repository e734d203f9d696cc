//! The UA against scripted servers: a forking proxy (several early dialogs, the second 2xx gets
//! ACK + BYE), a proxy that challenges INVITE with 407, stray 2xx and stray ACK.
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

use common::{addr, at, ua_config, LayerNode, Link, Sim, UaNode, ALICE, BOB};
use rtcweb_sip_core::auth::digest::{verify, Algorithm};
use rtcweb_sip_core::header::ProxyAuthorization;
use rtcweb_sip_core::message::{builder::MessageBuilder, Header, Message};
use rtcweb_sip_core::registration::Credentials;
use rtcweb_sip_core::transaction::{LayerConfig, Peer, TransactionEvent, TransactionLayer};
use rtcweb_sip_core::ua::{CallState, UaEvent};

fn reply(req: &[u8], code: u16, tag: &str, contact: Option<&str>) -> Vec<u8> {
    let mut st = [Header::EMPTY; 64];
    let m = Message::parse(req, &mut st).unwrap();
    let mut b = MessageBuilder::response_to(&m, code, "R".to_string(), Some(tag));
    if let Some(c) = contact {
        b.add_header("Contact", c.to_string());
        b.add_header("Record-Route", "<sip:proxy.example.com;lr>");
    }
    b.to_vec()
}

#[test]
fn forked_invite_early_dialogs_and_second_2xx_is_acked_and_byed() {
    let mut alice = UaNode::new(addr(ALICE), ua_config("alice", ALICE, BOB, 7));
    let mut proxy = LayerNode::new(addr(BOB), TransactionLayer::new(LayerConfig::default()));
    proxy.tu = Box::new(|now, layer, e| match e {
        TransactionEvent::Request { tx, message, .. } if message.starts_with(b"INVITE") => {
            layer
                .send_response(
                    now,
                    *tx,
                    &reply(message, 180, "f1", Some("<sip:f1@192.0.2.2>")),
                )
                .unwrap();
            layer
                .send_response(
                    now,
                    *tx,
                    &reply(message, 183, "f2", Some("<sip:f2@192.0.2.2>")),
                )
                .unwrap();
            layer
                .send_response(
                    now,
                    *tx,
                    &reply(message, 200, "f2", Some("<sip:f2@192.0.2.2>")),
                )
                .unwrap();
            layer
                .send_response(
                    now,
                    *tx,
                    &reply(message, 200, "f1", Some("<sip:f1@192.0.2.2>")),
                )
                .unwrap();
        }
        TransactionEvent::Request { tx, message, .. } => {
            layer
                .send_response(now, *tx, &reply(message, 200, "x", None))
                .unwrap();
        }
        _ => {}
    });
    let mut sim = Sim::new(7, Link::PERFECT);
    let call = alice
        .ua
        .call(at(0), "sip:bob@example.com", b"v=0\r\n")
        .unwrap();
    sim.run_to(&mut [&mut alice, &mut proxy], at(1_000));
    assert_eq!(
        alice.ua.early_dialogs(call).len(),
        2,
        "one early dialog per fork"
    );
    assert_eq!(alice.count(|e| matches!(e, UaEvent::Progress { .. })), 2);
    assert_eq!(alice.count(|e| matches!(e, UaEvent::Answered { .. })), 1);
    let d = alice.ua.dialog(call).unwrap();
    assert_eq!(d.id().remote_tag, "f2");
    assert_eq!(d.route_set(), ["<sip:proxy.example.com;lr>"]);
    assert_eq!(alice.ua.call_state(call), Some(CallState::Established));
    // Both 2xx ACKed; the losing fork (f1) gets a BYE.
    let acks: Vec<_> = sim
        .log()
        .iter()
        .filter(|l| l.2.starts_with("ACK "))
        .map(|l| l.2.clone())
        .collect();
    assert_eq!(
        acks,
        [
            "ACK sip:f2@192.0.2.2 SIP/2.0",
            "ACK sip:f1@192.0.2.2 SIP/2.0"
        ]
    );
    assert_eq!(sim.count("BYE sip:f1@192.0.2.2"), 1);
    assert_eq!(sim.count("BYE "), 1);
}

#[test]
fn invite_challenged_with_407_is_retried_with_credentials() {
    let mut cfg = ua_config("alice", ALICE, BOB, 8);
    cfg.credentials = Some(Credentials::new("alice", "s3cret"));
    let mut alice = UaNode::new(addr(ALICE), cfg);
    let mut proxy = LayerNode::new(addr(BOB), TransactionLayer::new(LayerConfig::default()));
    proxy.tu = Box::new(|now, layer, e| {
        if let TransactionEvent::Request { tx, message, .. } = e {
            let mut st = [Header::EMPTY; 64];
            let m = Message::parse(message, &mut st).unwrap();
            let ok = m
                .typed::<ProxyAuthorization>()
                .ok()
                .flatten()
                .is_some_and(|a| {
                    let c = common::challenged(&m, "example.com", "n1", Algorithm::Md5);
                    verify(&a, &c, b"s3cret", b"").is_ok()
                });
            let resp = if ok {
                reply(message, 200, "b", Some("<sip:bob@192.0.2.2>"))
            } else {
                let mut b = MessageBuilder::response_to(
                    &m,
                    407,
                    "Proxy Authentication Required",
                    Some("p"),
                );
                b.add_header(
                    "Proxy-Authenticate",
                    "Digest realm=\"example.com\", nonce=\"n1\", qop=\"auth\"",
                );
                b.to_vec()
            };
            layer.send_response(now, *tx, &resp).unwrap();
        }
    });
    let mut sim = Sim::new(8, Link::PERFECT);
    let call = alice.ua.call(at(0), "sip:bob@example.com", b"").unwrap();
    sim.run_to(&mut [&mut alice, &mut proxy], at(2_000));
    assert_eq!(sim.count("INVITE "), 2);
    assert_eq!(alice.ua.call_state(call), Some(CallState::Established));
    assert_eq!(
        proxy.count(|e| matches!(e, TransactionEvent::Ack { .. })),
        1
    );
}

/// A 407 offering Bearer, Digest MD5 and Digest SHA-256 (two lines, several challenges in one):
/// the UA answers the SHA-256 challenge; the proxy accepts only a verified SHA-256 answer.
#[test]
fn invite_407_with_several_challenges_is_answered_with_sha256() {
    let mut cfg = ua_config("alice", ALICE, BOB, 11);
    cfg.credentials = Some(Credentials::new("alice", "s3cret"));
    let mut alice = UaNode::new(addr(ALICE), cfg);
    let mut proxy = LayerNode::new(addr(BOB), TransactionLayer::new(LayerConfig::default()));
    proxy.tu = Box::new(|now, layer, e| {
        if let TransactionEvent::Request { tx, message, .. } = e {
            let mut st = [Header::EMPTY; 64];
            let m = Message::parse(message, &mut st).unwrap();
            let ok = m
                .typed::<ProxyAuthorization>()
                .ok()
                .flatten()
                .is_some_and(|a| {
                    let c = common::challenged(&m, "example.com", "n1", Algorithm::Sha256);
                    verify(&a, &c, b"s3cret", b"").is_ok()
                });
            let resp = if ok {
                reply(message, 200, "b", Some("<sip:bob@192.0.2.2>"))
            } else {
                let mut b = MessageBuilder::response_to(
                    &m,
                    407,
                    "Proxy Authentication Required",
                    Some("p"),
                );
                b.add_header(
                    "Proxy-Authenticate",
                    "Bearer realm=\"example.com\", Digest realm=\"example.com\", nonce=\"n1\", algorithm=MD5, qop=\"auth\"",
                );
                b.add_header(
                    "Proxy-Authenticate",
                    "Digest realm=\"example.com\", nonce=\"n1\", algorithm=SHA-256, qop=\"auth\"",
                );
                b.to_vec()
            };
            layer.send_response(now, *tx, &resp).unwrap();
        }
    });
    let mut sim = Sim::new(11, Link::PERFECT);
    let call = alice.ua.call(at(0), "sip:bob@example.com", b"").unwrap();
    sim.run_to(&mut [&mut alice, &mut proxy], at(2_000));
    assert_eq!(sim.count("SIP/2.0 407"), 1);
    assert_eq!(sim.count("INVITE "), 2);
    assert_eq!(alice.ua.call_state(call), Some(CallState::Established));
}

#[test]
fn wrong_password_fails_after_bounded_retries() {
    let mut cfg = ua_config("alice", ALICE, BOB, 9);
    cfg.credentials = Some(Credentials::new("alice", "wrong"));
    let mut alice = UaNode::new(addr(ALICE), cfg);
    let mut proxy = LayerNode::new(addr(BOB), TransactionLayer::new(LayerConfig::default()));
    proxy.tu = Box::new(|now, layer, e| {
        if let TransactionEvent::Request { tx, message, .. } = e {
            let mut st = [Header::EMPTY; 64];
            let m = Message::parse(message, &mut st).unwrap();
            let mut b = MessageBuilder::response_to(&m, 401, "Unauthorized", Some("p"));
            b.add_header(
                "WWW-Authenticate",
                "Digest realm=\"example.com\", nonce=\"n1\"",
            );
            layer.send_response(now, *tx, &b.to_vec()).unwrap();
        }
    });
    let mut sim = Sim::new(9, Link::PERFECT);
    let call = alice.ua.call(at(0), "sip:bob@example.com", b"").unwrap();
    sim.run_to(&mut [&mut alice, &mut proxy], at(40_000));
    assert_eq!(
        sim.count("INVITE "),
        3,
        "initial + 2 authenticated attempts"
    );
    assert!(alice.events.iter().any(|(_, e)| *e
        == UaEvent::CallFailed {
            call,
            code: Some(401)
        }));
}

#[test]
fn stray_2xx_to_no_invite_of_ours_is_dropped_and_stray_ack_too() {
    // Before the fix: any 2xx with a To-tag and a Contact got ACK + a BYE transaction towards the
    // attacker's Contact (1 000 spoofed 2xx gave 12 000 datagrams). §18.1.2: drop it.
    let mut alice = UaNode::new(addr(ALICE), ua_config("alice", ALICE, BOB, 10));
    let peer = Peer::udp(addr(BOB));
    let mut buf = vec![0u8; 65535];
    for i in 0..1_000 {
        let stray = format!(
            "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKgone{i}\r\n\
             From: <sip:alice@example.com>;tag=a{i}\r\nTo: <sip:bob@example.com>;tag=b{i}\r\n\
             Call-ID: spoofed-{i}\r\nCSeq: 1 INVITE\r\nContact: <sip:victim@198.51.100.{}>\r\n\
             Content-Length: 0\r\n\r\n",
            i % 250
        );
        alice
            .ua
            .handle_receive(at(0), peer, stray.as_bytes())
            .unwrap();
    }
    assert!(
        alice.ua.poll_transmit(at(0), &mut buf).unwrap().is_none(),
        "nothing sent"
    );
    assert_eq!(alice.ua.stray_responses_dropped(), 1_000);
    assert_eq!(alice.ua.poll_timeout(), None, "no transaction started");
    // The UA still works: a call goes out.
    alice
        .ua
        .call(at(1), "sip:bob@example.com", b"v=0\r\n")
        .unwrap();
    let t = alice.ua.poll_transmit(at(1), &mut buf).unwrap().unwrap();
    assert!(buf[..t.len].starts_with(b"INVITE "));
    let ack = b"ACK sip:alice@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bKs\r\nMax-Forwards: 70\r\n\
        From: <sip:bob@example.com>;tag=1\r\nTo: <sip:alice@example.com>;tag=2\r\nCall-ID: nope\r\nCSeq: 1 ACK\r\n\r\n";
    alice.ua.handle_receive(at(1), peer, ack).unwrap();
    while alice.ua.poll_transmit(at(1), &mut buf).unwrap().is_some() {}
    assert!(alice.ua.poll_event().is_none());
    // Requests for unknown dialogs get 481; garbage never panics.
    let bye = b"BYE sip:alice@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bKb\r\nMax-Forwards: 70\r\n\
        From: <sip:bob@example.com>;tag=1\r\nTo: <sip:alice@example.com>;tag=2\r\nCall-ID: nope\r\nCSeq: 2 BYE\r\n\r\n";
    alice.ua.handle_receive(at(2), peer, bye).unwrap();
    let t = alice.ua.poll_transmit(at(2), &mut buf).unwrap().unwrap();
    assert!(buf[..t.len].starts_with(b"SIP/2.0 481"));
    assert!(alice.ua.handle_receive(at(3), peer, b"\r\n\r\n").is_err());
}

#[test]
fn late_2xx_from_a_fork_of_our_invite_is_acked_and_ended_once() {
    let mut alice = UaNode::new(addr(ALICE), ua_config("alice", ALICE, BOB, 12));
    let peer = Peer::udp(addr(BOB));
    let mut buf = vec![0u8; 65535];
    alice
        .ua
        .call(at(0), "sip:bob@example.com", b"v=0\r\n")
        .unwrap();
    let t = alice.ua.poll_transmit(at(0), &mut buf).unwrap().unwrap();
    let invite = buf[..t.len].to_vec();
    let mut st = [Header::EMPTY; 64];
    let inv = Message::parse(&invite, &mut st).unwrap();
    let call_id = inv.header("call-id").unwrap().value().to_string();
    let from = inv.header("from").unwrap().value().to_string();
    // A 2xx from a fork whose branch no longer matches a transaction (it ended).
    let late = |to_tag: &str| {
        format!(
            "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKended\r\n\
             From: {from}\r\nTo: <sip:bob@example.com>;tag={to_tag}\r\nCall-ID: {call_id}\r\n\
             CSeq: 1 INVITE\r\nContact: <sip:bob@192.0.2.2>\r\nContent-Length: 0\r\n\r\n"
        )
    };
    let sent = |alice: &mut UaNode, buf: &mut Vec<u8>| {
        let mut lines = Vec::new();
        while let Ok(Some(t)) = alice.ua.poll_transmit(at(1), buf) {
            lines.push(common::first_line(&buf[..t.len]));
        }
        lines
    };
    alice
        .ua
        .handle_receive(at(1), peer, late("fork1").as_bytes())
        .unwrap();
    assert_eq!(
        sent(&mut alice, &mut buf),
        [
            "ACK sip:bob@192.0.2.2 SIP/2.0",
            "BYE sip:bob@192.0.2.2 SIP/2.0"
        ]
    );
    // Its retransmission gets the ACK again, not another BYE.
    alice
        .ua
        .handle_receive(at(1), peer, late("fork1").as_bytes())
        .unwrap();
    assert_eq!(
        sent(&mut alice, &mut buf),
        ["ACK sip:bob@192.0.2.2 SIP/2.0"]
    );
    // Forks are capped: an attacker on the path cannot make it send BYEs without bound.
    let mut byes = 0;
    for i in 0..100 {
        alice
            .ua
            .handle_receive(at(1), peer, late(&format!("f{i}")).as_bytes())
            .unwrap();
        byes += sent(&mut alice, &mut buf)
            .iter()
            .filter(|l| l.starts_with("BYE"))
            .count();
    }
    assert!(byes <= 8, "{byes} BYEs");
}

/// A proxy that answers every INVITE 200 with `contact` (or none) and every other request 200.
fn answering_proxy(contact: Option<&'static str>) -> LayerNode {
    let mut proxy = LayerNode::new(addr(BOB), TransactionLayer::new(LayerConfig::default()));
    proxy.tu = Box::new(move |now, layer, e| {
        if let TransactionEvent::Request { tx, message, .. } = e {
            let c = if message.starts_with(b"INVITE") {
                contact
            } else {
                None
            };
            layer
                .send_response(now, *tx, &reply(message, 200, "b", c))
                .unwrap();
        }
    });
    proxy
}

#[test]
fn a_2xx_that_cannot_make_a_dialog_fails_the_call() {
    // Before the fix: a 2xx to our INVITE without a Contact left the call in `Calling` for ever
    // (no ACK could be addressed, nothing ended it).
    let mut alice = UaNode::new(addr(ALICE), ua_config("alice", ALICE, BOB, 21));
    let mut proxy = answering_proxy(None);
    let mut sim = Sim::new(21, Link::PERFECT);
    let call = alice
        .ua
        .call(at(0), "sip:bob@example.com", b"v=0\r\n")
        .unwrap();
    sim.run_to(&mut [&mut alice, &mut proxy], at(40_000));
    assert_eq!(alice.ua.call_state(call), None, "the call is gone");
    assert!(alice.events.iter().any(|(_, e)| *e
        == UaEvent::CallFailed {
            call,
            code: Some(200)
        }));
}

#[test]
fn a_bye_that_cannot_be_sent_ends_the_call() {
    // Before the fix: `hangup` set `Terminating` before the BYE transaction was refused (table
    // full), and the call stayed `Terminating` with nothing left to end it.
    let mut cfg = ua_config("alice", ALICE, BOB, 22);
    cfg.layer.max_transactions = 1; // the INVITE's transaction lingers (Accepted, RFC 6026)
    let mut alice = UaNode::new(addr(ALICE), cfg);
    let mut proxy = answering_proxy(Some("<sip:bob@192.0.2.2>"));
    let mut sim = Sim::new(22, Link::PERFECT);
    let call = alice
        .ua
        .call(at(0), "sip:bob@example.com", b"v=0\r\n")
        .unwrap();
    sim.run_to(&mut [&mut alice, &mut proxy], at(100));
    assert_eq!(alice.ua.call_state(call), Some(CallState::Established));
    assert!(alice.ua.hangup(at(100), call).is_err(), "no room for BYE");
    assert_eq!(alice.ua.call_state(call), None);
    let mut ended = false;
    while let Some(e) = alice.ua.poll_event() {
        ended |= matches!(e, UaEvent::CallEnded { call: c, .. } if c == call);
    }
    assert!(ended, "the application hears that the call ended");
}
