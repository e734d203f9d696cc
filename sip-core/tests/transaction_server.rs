//! Server transactions through every state and timer (RFC 3261 §17.2, RFC 6026 §8.5–§8.7).
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

use common::{addr, at, first_line, request, response_to};
use rtcweb_sip_core::transaction::{
    LayerConfig, LayerError, Peer, ServerState, TransactionEvent, TransactionLayer, Transport,
    TxId, TxState,
};
use rtcweb_sip_core::Instant;

fn drain(layer: &mut TransactionLayer, now: Instant) -> Vec<String> {
    let mut buf = [0u8; 4096];
    let mut out = Vec::new();
    while let Ok(Some(t)) = layer.poll_transmit(now, &mut buf) {
        out.push(first_line(&buf[..t.len]));
    }
    out
}

fn peer(t: Transport) -> Peer {
    Peer {
        addr: addr("192.0.2.1:5060"),
        transport: t,
    }
}

fn new_tx(l: &mut TransactionLayer, req: &[u8], t: Transport) -> TxId {
    l.handle_receive(at(0), peer(t), req).unwrap();
    match l.poll_event() {
        Some(TransactionEvent::Request { tx, .. }) => tx,
        e => panic!("{e:?}"),
    }
}

fn run(layer: &mut TransactionLayer, end: u64) -> Vec<(u64, String)> {
    let mut sent = Vec::new();
    while let Some(t) = layer.poll_timeout() {
        if t > at(end) {
            break;
        }
        layer.handle_timeout(t);
        let ms = (t.as_nanos() / 1_000_000) as u64;
        sent.extend(drain(layer, t).into_iter().map(|l| (ms, l)));
    }
    sent
}

const UDP: Transport = Transport::Udp;

#[test]
fn invite_server_sends_100_trying_after_200ms_and_on_retransmission() {
    let mut l = TransactionLayer::new(LayerConfig::default());
    let req = request("INVITE", "z9hG4bK1", 1, "UDP");
    let tx = new_tx(&mut l, &req, UDP);
    assert_eq!(l.state(tx), Some(TxState::Server(ServerState::Proceeding)));
    assert_eq!(l.poll_timeout(), Some(at(200)));
    l.handle_timeout(at(200));
    assert_eq!(drain(&mut l, at(200)), ["SIP/2.0 100 Trying"]);
    // The retransmitted INVITE gets the last provisional and is not passed up again.
    l.handle_receive(at(500), peer(UDP), &req).unwrap();
    assert_eq!(drain(&mut l, at(500)), ["SIP/2.0 100 Trying"]);
    assert_eq!(l.poll_event(), None);
}

#[test]
fn invite_server_no_trying_if_tu_answers_first() {
    let mut l = TransactionLayer::new(LayerConfig::default());
    let req = request("INVITE", "z9hG4bK2", 1, "UDP");
    let tx = new_tx(&mut l, &req, UDP);
    l.send_response(at(50), tx, &response_to(&req, 180, "Ringing"))
        .unwrap();
    assert_eq!(drain(&mut l, at(50)), ["SIP/2.0 180 Ringing"]);
    assert_eq!(l.poll_timeout(), None);
}

#[test]
fn invite_server_failure_timer_g_until_ack_then_timer_i() {
    let mut l = TransactionLayer::new(LayerConfig::default());
    let req = request("INVITE", "z9hG4bK3", 1, "UDP");
    let tx = new_tx(&mut l, &req, UDP);
    l.send_response(at(0), tx, &response_to(&req, 486, "Busy Here"))
        .unwrap();
    drain(&mut l, at(0));
    assert_eq!(l.state(tx), Some(TxState::Server(ServerState::Completed)));
    // Timer G: T1, 2T1, 4T1, capped at T2.
    let times: Vec<u64> = run(&mut l, 12_000).iter().map(|s| s.0).collect();
    assert_eq!(times, [500, 1500, 3500, 7500, 11500]);
    // A second final response is refused.
    assert_eq!(
        l.send_response(at(12_000), tx, &response_to(&req, 500, "Oops")),
        Err(LayerError::WrongState)
    );
    // The retransmitted INVITE gets the 486 again.
    l.handle_receive(at(12_000), peer(UDP), &req).unwrap();
    assert_eq!(drain(&mut l, at(12_000)), ["SIP/2.0 486 Busy Here"]);
    let mut ack = String::from_utf8(request("ACK", "z9hG4bK3", 1, "UDP")).unwrap();
    ack = ack.replace("To: <sip:bob@192.0.2.2>", "To: <sip:bob@192.0.2.2>;tag=b1");
    l.handle_receive(at(12_100), peer(UDP), ack.as_bytes())
        .unwrap();
    assert_eq!(l.state(tx), Some(TxState::Server(ServerState::Confirmed)));
    // ACK retransmissions are absorbed; Timer I = T4.
    l.handle_receive(at(12_200), peer(UDP), ack.as_bytes())
        .unwrap();
    assert_eq!(l.poll_event(), None);
    assert_eq!(l.poll_timeout(), Some(at(17_100)));
    l.handle_timeout(at(17_100));
    assert!(l.is_empty());
}

#[test]
fn invite_server_timer_h_when_no_ack() {
    let mut l = TransactionLayer::new(LayerConfig::default());
    let req = request("INVITE", "z9hG4bK4", 1, "TCP");
    let tx = new_tx(&mut l, &req, Transport::Tcp);
    l.send_response(at(0), tx, &response_to(&req, 404, "Not Found"))
        .unwrap();
    drain(&mut l, at(0));
    // Reliable: no Timer G, Timer H at 64·T1.
    assert!(run(&mut l, 31_999).is_empty());
    assert_eq!(l.poll_timeout(), Some(at(32_000)));
    l.handle_timeout(at(32_000));
    assert_eq!(l.poll_event(), Some(TransactionEvent::Timeout { tx }));
}

#[test]
fn invite_server_2xx_accepted_absorbs_retransmissions_until_timer_l() {
    let mut l = TransactionLayer::new(LayerConfig::default());
    let req = request("INVITE", "z9hG4bK5", 1, "UDP");
    let tx = new_tx(&mut l, &req, UDP);
    let ok = response_to(&req, 200, "OK");
    l.send_response(at(10), tx, &ok).unwrap();
    assert_eq!(l.state(tx), Some(TxState::Server(ServerState::Accepted)));
    // The core retransmits the 2xx through the transaction (RFC 6026 §8.7).
    l.send_response(at(510), tx, &ok).unwrap();
    assert_eq!(drain(&mut l, at(510)).len(), 2);
    l.handle_receive(at(600), peer(UDP), &req).unwrap();
    assert!(
        drain(&mut l, at(600)).is_empty(),
        "INVITE retransmission absorbed"
    );
    // The ACK for the 2xx (new branch) goes to the TU.
    let mut ack = String::from_utf8(request("ACK", "z9hG4bKnew", 1, "UDP")).unwrap();
    ack = ack.replace("call-z9hG4bKnew", "call-z9hG4bK5");
    l.handle_receive(at(700), peer(UDP), ack.as_bytes())
        .unwrap();
    assert!(matches!(l.poll_event(), Some(TransactionEvent::Ack { .. })));
    assert_eq!(l.poll_timeout(), Some(at(32_010)));
    l.handle_timeout(at(32_010));
    assert!(l.is_empty());
}

#[test]
fn non_invite_server_trying_proceeding_completed_timer_j() {
    let mut l = TransactionLayer::new(LayerConfig::default());
    let req = request("BYE", "z9hG4bK6", 2, "UDP");
    let tx = new_tx(&mut l, &req, UDP);
    assert_eq!(l.state(tx), Some(TxState::Server(ServerState::Trying)));
    l.handle_receive(at(100), peer(UDP), &req).unwrap();
    assert!(drain(&mut l, at(100)).is_empty(), "absorbed in Trying");
    l.send_response(at(150), tx, &response_to(&req, 100, "Trying"))
        .unwrap();
    assert_eq!(l.state(tx), Some(TxState::Server(ServerState::Proceeding)));
    l.handle_receive(at(200), peer(UDP), &req).unwrap();
    assert_eq!(
        drain(&mut l, at(200)),
        ["SIP/2.0 100 Trying", "SIP/2.0 100 Trying"]
    );
    l.send_response(at(300), tx, &response_to(&req, 200, "OK"))
        .unwrap();
    l.handle_receive(at(400), peer(UDP), &req).unwrap();
    assert_eq!(drain(&mut l, at(400)), ["SIP/2.0 200 OK", "SIP/2.0 200 OK"]);
    assert_eq!(l.poll_event(), None, "retransmissions never reach the TU");
    assert_eq!(l.poll_timeout(), Some(at(32_300)));
    l.handle_timeout(at(32_300));
    assert!(l.is_empty());
}

#[test]
fn non_invite_server_reliable_terminates_at_once() {
    let mut l = TransactionLayer::new(LayerConfig::default());
    let req = request("OPTIONS", "z9hG4bK7", 1, "TCP");
    let tx = new_tx(&mut l, &req, Transport::Tcp);
    l.send_response(at(1), tx, &response_to(&req, 200, "OK"))
        .unwrap();
    assert_eq!(drain(&mut l, at(1)), ["SIP/2.0 200 OK"]);
    l.handle_timeout(at(1));
    assert_eq!(l.state(tx), None);
}

#[test]
fn rfc2543_request_matched_without_magic_cookie() {
    let mut l = TransactionLayer::new(LayerConfig::default());
    let req = request("OPTIONS", "old1", 1, "UDP");
    let tx = new_tx(&mut l, &req, UDP);
    l.send_response(at(1), tx, &response_to(&req, 200, "OK"))
        .unwrap();
    drain(&mut l, at(1));
    l.handle_receive(at(2), peer(UDP), &req).unwrap();
    assert_eq!(drain(&mut l, at(2)), ["SIP/2.0 200 OK"]);
    assert_eq!(l.poll_event(), None);
}

#[test]
fn cancel_finds_its_invite() {
    use rtcweb_sip_core::message::{Header, Message};
    let mut l = TransactionLayer::new(LayerConfig::default());
    let inv = request("INVITE", "z9hG4bK8", 1, "UDP");
    let tx = new_tx(&mut l, &inv, UDP);
    let cancel = request("CANCEL", "z9hG4bK8", 1, "UDP");
    let ctx = new_tx(&mut l, &cancel, UDP);
    assert_ne!(tx, ctx);
    let mut st = [Header::EMPTY; 16];
    let m = Message::parse(&cancel, &mut st).unwrap();
    assert_eq!(l.invite_for_cancel(&m), Some(tx));
}

#[test]
fn stray_ack_and_garbage_and_invalid_requests() {
    let mut l = TransactionLayer::new(LayerConfig::default());
    l.handle_receive(at(0), peer(UDP), &request("ACK", "z9hG4bKz", 1, "UDP"))
        .unwrap();
    assert!(matches!(l.poll_event(), Some(TransactionEvent::Ack { .. })));
    assert!(l
        .handle_receive(at(0), peer(UDP), b"\x00\xffgarbage")
        .is_err());
    // Missing Call-ID: answered 400 statelessly, no transaction.
    let bad = b"OPTIONS sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKq\r\nMax-Forwards: 70\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@x>\r\nCSeq: 1 OPTIONS\r\n\r\n";
    assert_eq!(
        l.handle_receive(at(0), peer(UDP), bad),
        Err(LayerError::Invalid(400))
    );
    assert_eq!(drain(&mut l, at(0)), ["SIP/2.0 400 Bad Request"]);
    assert!(l.is_empty());
    assert_eq!(l.stats().dropped_malformed, 2);
}

#[test]
fn bounded_transaction_count_answers_503() {
    let cfg = LayerConfig {
        max_transactions: 3,
        ..LayerConfig::default()
    };
    let mut l = TransactionLayer::new(cfg);
    for i in 0..5 {
        l.handle_receive(
            at(0),
            peer(UDP),
            &request("OPTIONS", &format!("z9hG4bKn{i}"), 1, "UDP"),
        )
        .unwrap();
    }
    assert_eq!(l.len(), 3);
    assert_eq!(l.stats().rejected_overload, 2);
    let sent = drain(&mut l, at(0));
    assert_eq!(sent, ["SIP/2.0 503 Service Unavailable"; 2]);
    assert_eq!(
        l.send_request(at(0), peer(UDP), &request("OPTIONS", "z9hG4bKc", 1, "UDP")),
        Err(LayerError::Limit)
    );
}

/// Hardening review: 5 000 OPTIONS in a burst, the TU not draining events. Before the fix the
/// 904 requests whose event did not fit were kept in Trying forever (no timer). Now they are
/// answered 503 at once, and even the delivered ones end 64·T1 later if the TU never answers.
#[test]
fn a_burst_beyond_the_event_queue_gets_503_and_nothing_leaks() {
    let mut l = TransactionLayer::new(LayerConfig::default());
    let max_events = LayerConfig::default().max_pending_events;
    for i in 0..5_000 {
        let r = request("OPTIONS", &format!("z9hG4bKburst{i}"), 1, "UDP");
        l.handle_receive(at(0), peer(UDP), &r).unwrap();
    }
    let sent = drain(&mut l, at(0));
    assert_eq!(sent.len(), 5_000 - max_events);
    assert!(sent.iter().all(|s| s.starts_with("SIP/2.0 503")));
    assert_eq!(
        l.len(),
        max_events,
        "only transactions the TU hears of exist"
    );
    let mut requests = 0;
    while let Some(e) = l.poll_event() {
        assert!(matches!(e, TransactionEvent::Request { .. }));
        requests += 1;
    }
    assert_eq!(requests, max_events);
    // The TU never answers: every transaction still has a deadline and ends by 64·T1.
    assert!(l.poll_timeout().is_some());
    run(&mut l, 33_000);
    assert!(l.is_empty(), "{} transactions left", l.len());
    assert_eq!(l.poll_timeout(), None);
    // Each ends with Timeout + Terminated; the queue holds max_events of those 2·max_events
    // events (the TU was not draining), the rest are counted as dropped, none is lost silently.
    let events = core::iter::from_fn(|| l.poll_event()).count();
    assert_eq!(events, max_events);
    assert_eq!(l.stats().dropped_events, max_events as u64);
    assert_eq!(l.stats().rejected_overload, (5_000 - max_events) as u64);
}

/// RFC 3261 §18.3: a datagram whose Content-Length exceeds its body is answered 400, not dropped
/// silently (hardening review, defect 6). No transaction is created for it.
#[test]
fn content_length_beyond_the_datagram_gets_400() {
    let mut l = TransactionLayer::new(LayerConfig::default());
    let r = String::from_utf8(request("OPTIONS", "z9hG4bKshort", 1, "UDP")).unwrap();
    let r = r.replace("Content-Length: 0", "Content-Length: 50") + "only 11 b..";
    assert!(l.handle_receive(at(0), peer(UDP), r.as_bytes()).is_err());
    assert_eq!(
        drain(&mut l, at(0)),
        ["SIP/2.0 400 Content-Length Exceeds Body"]
    );
    assert!(l.is_empty());
    assert!(l.poll_event().is_none());
    // An ACK so broken is dropped without an answer (§17: never answer ACK).
    let ack = String::from_utf8(request("ACK", "z9hG4bKshortack", 1, "UDP"))
        .unwrap()
        .replace("Content-Length: 0", "Content-Length: 50");
    assert!(l.handle_receive(at(0), peer(UDP), ack.as_bytes()).is_err());
    assert!(drain(&mut l, at(0)).is_empty());
}
