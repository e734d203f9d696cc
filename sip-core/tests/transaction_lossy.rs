//! Two transaction layers over a lossy, duplicating, reordering link: every request reaches the
//! server's TU at most once, every client transaction ends with its final response or a timeout,
//! and both layers end empty — for many seeds.
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

use std::collections::BTreeMap;

use common::{addr, at, request, response_to, LayerNode, Link, Sim};
use rtcweb_sip_core::message::{Header, Message};
use rtcweb_sip_core::transaction::{
    LayerConfig, Peer, TransactionEvent, TransactionLayer, Transport,
};

fn call_id(b: &[u8]) -> String {
    let mut st = [Header::EMPTY; 32];
    let m = Message::parse(b, &mut st).unwrap();
    m.header("call-id").unwrap().value().to_string()
}

fn status(b: &[u8]) -> Option<u16> {
    let mut st = [Header::EMPTY; 32];
    Message::parse(b, &mut st).unwrap().status()
}

fn scenario(seed: u64, link: Link, tr: Transport) {
    let mut sim = Sim::new(seed, link);
    let (ca, sa) = (addr("192.0.2.1:5060"), addr("192.0.2.2:5060"));
    let mut client = LayerNode::new(ca, TransactionLayer::new(LayerConfig::default()));
    let mut server = LayerNode::new(sa, TransactionLayer::new(LayerConfig::default()));
    server.tu = Box::new(|now, layer, e| {
        if let TransactionEvent::Request { tx, message, .. } = e {
            if message.starts_with(b"INVITE") {
                layer
                    .send_response(now, *tx, &response_to(message, 180, "Ringing"))
                    .unwrap();
                let code = if call_id(message).ends_with('3') {
                    486
                } else {
                    200
                };
                layer
                    .send_response(now, *tx, &response_to(message, code, "Final"))
                    .unwrap();
            } else {
                layer
                    .send_response(now, *tx, &response_to(message, 200, "OK"))
                    .unwrap();
            }
        }
    });
    let peer = Peer {
        addr: sa,
        transport: tr,
    };
    let mut reqs = Vec::new();
    for i in 0..8 {
        let method = if i % 2 == 0 { "INVITE" } else { "OPTIONS" };
        let r = request(method, &format!("z9hG4bK{seed}x{i}"), 1, tr.via_token());
        client.layer.send_request(at(0), peer, &r).unwrap();
        reqs.push(r);
    }
    sim.run_to(&mut [&mut client, &mut server], at(400_000));

    // Server TU saw each request at most once.
    let mut seen = BTreeMap::new();
    for (_, e) in &server.events {
        if let TransactionEvent::Request { message, .. } = e {
            *seen.entry(call_id(message)).or_insert(0) += 1;
        }
    }
    assert!(
        seen.values().all(|&n| n == 1),
        "seed {seed}: duplicates {seen:?}"
    );
    // Every client transaction ended exactly once, with a final response or a timeout.
    let finals = client.count(|e| {
        matches!(e, TransactionEvent::Response { message, .. } if status(message).unwrap() >= 200)
    });
    let timeouts = client.count(|e| matches!(e, TransactionEvent::Timeout { .. }));
    let terminated = client.count(|e| matches!(e, TransactionEvent::Terminated { .. }));
    assert_eq!(terminated, 8, "seed {seed}");
    assert!(
        finals + timeouts >= 8,
        "seed {seed}: {finals} finals, {timeouts} timeouts"
    );
    assert!(
        client.layer.is_empty() && server.layer.is_empty(),
        "seed {seed}"
    );
    assert_eq!(client.layer.poll_timeout(), None);
    assert_eq!(server.layer.poll_timeout(), None);
}

#[test]
fn perfect_link_everything_completes_without_retransmission() {
    scenario(1, Link::PERFECT, Transport::Udp);
}

#[test]
fn lossy_duplicating_reordering_udp_many_seeds() {
    for seed in 1..=60 {
        scenario(seed, Link::LOSSY, Transport::Udp);
    }
}

#[test]
fn reliable_transport_many_seeds() {
    for seed in 1..=10 {
        scenario(seed, Link::LOSSY, Transport::Tcp);
    }
}
