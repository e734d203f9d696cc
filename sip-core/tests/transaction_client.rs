//! Client transactions through every state and timer (RFC 3261 §17.1, RFC 6026 §8.4), on a fake clock.
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
    ClientState, LayerConfig, Peer, TransactionEvent, TransactionLayer, Transport, TxState,
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

fn events(layer: &mut TransactionLayer) -> Vec<TransactionEvent> {
    std::iter::from_fn(|| layer.poll_event()).collect()
}

/// Steps the clock through every deadline up to `end`, returning (time ms, first line) of sends.
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

fn peer(t: Transport) -> Peer {
    Peer {
        addr: addr("192.0.2.2:5060"),
        transport: t,
    }
}

#[test]
fn invite_timer_a_doubles_and_timer_b_times_out() {
    let mut l = TransactionLayer::new(LayerConfig::default());
    let tx = l
        .send_request(at(0), peer(UDP), &request("INVITE", "z9hG4bKa", 1, "UDP"))
        .unwrap();
    assert_eq!(drain(&mut l, at(0)).len(), 1);
    assert_eq!(l.state(tx), Some(TxState::Client(ClientState::Calling)));
    let sent = run(&mut l, 40_000);
    let times: Vec<u64> = sent.iter().map(|s| s.0).collect();
    // Timer A: T1, 2·T1, 4·T1 … until Timer B (64·T1 = 32 s).
    assert_eq!(times, [500, 1500, 3500, 7500, 15500, 31500]);
    let ev = events(&mut l);
    assert_eq!(
        ev,
        [
            TransactionEvent::Timeout { tx },
            TransactionEvent::Terminated { tx }
        ]
    );
    assert!(l.is_empty());
    assert_eq!(l.poll_timeout(), None);
}

#[test]
fn invite_over_reliable_transport_never_retransmits() {
    let mut l = TransactionLayer::new(LayerConfig::default());
    let tx = l
        .send_request(
            at(0),
            peer(Transport::Tcp),
            &request("INVITE", "z9hG4bKt", 1, "TCP"),
        )
        .unwrap();
    drain(&mut l, at(0));
    assert_eq!(l.poll_timeout(), Some(at(32_000)));
    assert!(run(&mut l, 40_000).is_empty());
    assert_eq!(events(&mut l)[0], TransactionEvent::Timeout { tx });
}

#[test]
fn invite_provisional_then_failure_acks_and_absorbs_retransmissions() {
    let mut l = TransactionLayer::new(LayerConfig::default());
    let req = request("INVITE", "z9hG4bKb", 1, "UDP");
    let tx = l.send_request(at(0), peer(UDP), &req).unwrap();
    drain(&mut l, at(0));
    l.handle_receive(at(100), peer(UDP), &response_to(&req, 180, "Ringing"))
        .unwrap();
    assert_eq!(l.state(tx), Some(TxState::Client(ClientState::Proceeding)));
    // Proceeding: no more Timer A or B; only the Timer C guard (3 min).
    assert_eq!(l.poll_timeout(), Some(at(180_100)));
    let busy = response_to(&req, 486, "Busy Here");
    l.handle_receive(at(200), peer(UDP), &busy).unwrap();
    assert_eq!(l.state(tx), Some(TxState::Client(ClientState::Completed)));
    let acks = drain(&mut l, at(200));
    assert_eq!(acks, ["ACK sip:bob@192.0.2.2 SIP/2.0"]);
    // A retransmitted 486 is answered with the same ACK and not passed up.
    l.handle_receive(at(700), peer(UDP), &busy).unwrap();
    assert_eq!(drain(&mut l, at(700)).len(), 1);
    let ev = events(&mut l);
    assert_eq!(ev.len(), 2, "180 and 486 passed up once each: {ev:?}");
    // Timer D: 32 s.
    assert_eq!(l.poll_timeout(), Some(at(32_200)));
    l.handle_timeout(at(32_200));
    assert_eq!(events(&mut l), [TransactionEvent::Terminated { tx }]);
}

#[test]
fn ack_for_non_2xx_carries_invite_headers_and_response_to_tag() {
    let mut l = TransactionLayer::new(LayerConfig::default());
    let req = request("INVITE", "z9hG4bKack", 5, "UDP");
    l.send_request(at(0), peer(UDP), &req).unwrap();
    drain(&mut l, at(0));
    l.handle_receive(at(10), peer(UDP), &response_to(&req, 603, "Decline"))
        .unwrap();
    let mut buf = [0u8; 4096];
    let t = l.poll_transmit(at(10), &mut buf).unwrap().unwrap();
    let ack = String::from_utf8_lossy(&buf[..t.len]).to_string();
    assert!(
        ack.contains("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKack\r\n"),
        "{ack}"
    );
    assert!(ack.contains("CSeq: 5 ACK\r\n"));
    assert!(ack.contains("To: <sip:bob@192.0.2.2>;tag=b1\r\n"));
    assert!(ack.contains("Call-ID: call-z9hG4bKack\r\n"));
}

#[test]
fn invite_2xx_enters_accepted_and_passes_every_2xx_until_timer_m() {
    let mut l = TransactionLayer::new(LayerConfig::default());
    let req = request("INVITE", "z9hG4bKc", 1, "UDP");
    let tx = l.send_request(at(0), peer(UDP), &req).unwrap();
    drain(&mut l, at(0));
    let ok = response_to(&req, 200, "OK");
    l.handle_receive(at(50), peer(UDP), &ok).unwrap();
    assert_eq!(l.state(tx), Some(TxState::Client(ClientState::Accepted)));
    // No ACK from the transaction for a 2xx (§13.2.2.4: the core does it).
    assert!(drain(&mut l, at(50)).is_empty());
    l.handle_receive(at(550), peer(UDP), &ok).unwrap();
    let ev = events(&mut l);
    assert_eq!(ev.len(), 2, "both 2xx reach the TU (RFC 6026)");
    assert_eq!(l.poll_timeout(), Some(at(50 + 32_000)));
    l.handle_timeout(at(32_050));
    assert!(l.is_empty());
    // After Timer M, a 2xx is stray: the core decides (ACK + BYE).
    l.handle_receive(at(33_000), peer(UDP), &ok).unwrap();
    assert!(matches!(
        l.poll_event(),
        Some(TransactionEvent::Terminated { .. })
    ));
    assert!(matches!(
        l.poll_event(),
        Some(TransactionEvent::StrayResponse { .. })
    ));
}

#[test]
fn non_invite_timer_e_caps_at_t2_and_timer_f_times_out() {
    let mut l = TransactionLayer::new(LayerConfig::default());
    let tx = l
        .send_request(at(0), peer(UDP), &request("OPTIONS", "z9hG4bKd", 1, "UDP"))
        .unwrap();
    drain(&mut l, at(0));
    let times: Vec<u64> = run(&mut l, 40_000).iter().map(|s| s.0).collect();
    assert_eq!(
        times,
        [500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]
    );
    assert_eq!(events(&mut l)[0], TransactionEvent::Timeout { tx });
}

#[test]
fn non_invite_proceeding_retransmits_every_t2_then_completes_with_timer_k() {
    let mut l = TransactionLayer::new(LayerConfig::default());
    let req = request("BYE", "z9hG4bKe", 2, "UDP");
    let tx = l.send_request(at(0), peer(UDP), &req).unwrap();
    drain(&mut l, at(0));
    l.handle_receive(at(100), peer(UDP), &response_to(&req, 100, "Trying"))
        .unwrap();
    assert_eq!(l.state(tx), Some(TxState::Client(ClientState::Proceeding)));
    let times: Vec<u64> = run(&mut l, 9_000).iter().map(|s| s.0).collect();
    assert_eq!(times, [500, 4500, 8500]);
    let ok = response_to(&req, 200, "OK");
    l.handle_receive(at(9_000), peer(UDP), &ok).unwrap();
    assert_eq!(l.state(tx), Some(TxState::Client(ClientState::Completed)));
    l.handle_receive(at(9_100), peer(UDP), &ok).unwrap(); // absorbed
    let responses = events(&mut l)
        .iter()
        .filter(|e| matches!(e, TransactionEvent::Response { .. }))
        .count();
    assert_eq!(responses, 2, "100 and one 200");
    // Timer K = T4.
    assert_eq!(l.poll_timeout(), Some(at(14_000)));
    l.handle_timeout(at(14_000));
    assert!(l.is_empty());
}

#[test]
fn non_invite_reliable_completes_immediately() {
    let mut l = TransactionLayer::new(LayerConfig::default());
    let req = request("OPTIONS", "z9hG4bKf", 1, "TCP");
    let tx = l.send_request(at(0), peer(Transport::Tcp), &req).unwrap();
    drain(&mut l, at(0));
    l.handle_receive(at(5), peer(Transport::Tcp), &response_to(&req, 200, "OK"))
        .unwrap();
    // Timer K is zero over a reliable transport.
    assert_eq!(l.poll_timeout(), Some(at(5)));
    l.handle_timeout(at(5));
    assert_eq!(l.state(tx), None);
}

#[test]
fn cancel_is_its_own_transaction_with_the_invite_branch() {
    let mut l = TransactionLayer::new(LayerConfig::default());
    let inv = request("INVITE", "z9hG4bKg", 1, "UDP");
    let cancel = request("CANCEL", "z9hG4bKg", 1, "UDP");
    let a = l.send_request(at(0), peer(UDP), &inv).unwrap();
    let b = l.send_request(at(0), peer(UDP), &cancel).unwrap();
    assert_ne!(a, b);
    l.handle_receive(at(10), peer(UDP), &response_to(&cancel, 200, "OK"))
        .unwrap();
    assert_eq!(l.state(b), Some(TxState::Client(ClientState::Completed)));
    assert_eq!(l.state(a), Some(TxState::Client(ClientState::Calling)));
    // A duplicate branch for the same method is refused.
    assert!(l.send_request(at(0), peer(UDP), &inv).is_err());
}

#[test]
fn timers_are_configurable() {
    let mut cfg = LayerConfig::default();
    cfg.timers.t1 = std::time::Duration::from_millis(100);
    let mut l = TransactionLayer::new(cfg);
    l.send_request(at(0), peer(UDP), &request("INVITE", "z9hG4bKh", 1, "UDP"))
        .unwrap();
    assert_eq!(l.poll_timeout(), Some(at(100)));
    let last = run(&mut l, 10_000).last().map(|s| s.0);
    assert_eq!(last, Some(6_300));
    assert!(l.is_empty(), "Timer B = 64·T1 = 6.4 s");
}

#[test]
fn a_small_buffer_keeps_the_message_queued() {
    let mut layer = TransactionLayer::new(LayerConfig::default());
    let peer = Peer::udp(addr("192.0.2.2:5060"));
    let req = request("OPTIONS", "z9hG4bKsmall", 1, "UDP");
    layer.send_request(at(0), peer, &req).unwrap();
    let mut small = [0u8; 16];
    assert_eq!(
        layer.poll_transmit(at(0), &mut small),
        Err(rtcweb_sip_core::transaction::BufferTooSmall { needed: req.len() })
    );
    let mut buf = [0u8; 4096];
    let t = layer.poll_transmit(at(0), &mut buf).unwrap().unwrap();
    assert_eq!(&buf[..t.len], &req[..]);
    assert_eq!((t.destination, t.transport), (peer.addr, Transport::Udp));
    assert_eq!(layer.poll_transmit(at(0), &mut buf), Ok(None));
}
