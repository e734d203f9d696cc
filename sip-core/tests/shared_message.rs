//! Feature `bytes`: a message handed to the transaction layer as a `SharedMessage` (parsed
//! once by an async driver) is handled exactly as the same bytes through `handle_receive`.
#![cfg(feature = "bytes")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use bytes::Bytes;
use common::{addr, at, request};
use rtcweb_sip_core::message::SharedMessage;
use rtcweb_sip_core::transaction::{LayerConfig, Peer, TransactionLayer, Transport};

fn peer() -> Peer {
    Peer {
        addr: addr("192.0.2.1:5060"),
        transport: Transport::Udp,
    }
}

/// Events, sent datagrams and counters of a layer fed `messages` one way or the other.
fn run(messages: &[Vec<u8>], shared: bool) -> (Vec<String>, Vec<Vec<u8>>, String) {
    let mut layer = TransactionLayer::new(LayerConfig::default());
    let mut events = Vec::new();
    let mut sent = Vec::new();
    let mut buf = [0u8; 4096];
    for (i, m) in messages.iter().enumerate() {
        let now = at(i as u64 * 10);
        let r = if shared {
            let s = SharedMessage::parse(Bytes::copy_from_slice(m)).unwrap();
            layer.handle_shared(now, peer(), &s)
        } else {
            layer.handle_receive(now, peer(), m)
        };
        events.push(format!("{r:?}"));
        while let Some(e) = layer.poll_event() {
            events.push(format!("{e:?}"));
        }
        while let Ok(Some(t)) = layer.poll_transmit(now, &mut buf) {
            sent.push(buf[..t.len].to_vec());
        }
    }
    (events, sent, format!("{:?}", layer.stats()))
}

#[test]
fn shared_and_borrowed_paths_agree() {
    let invite = request("INVITE", "z9hG4bK-shared-1", 1, "UDP");
    let options = request("OPTIONS", "z9hG4bK-shared-2", 2, "UDP");
    let mut no_via = request("OPTIONS", "z9hG4bK-shared-3", 3, "UDP");
    let at = no_via.windows(4).position(|w| w == b"Via:").unwrap();
    no_via[at..at + 4].copy_from_slice(b"Vxa:");
    let messages = vec![
        invite.clone(),
        invite, // a retransmission, absorbed
        options,
        no_via, // invalid: no Via
    ];
    let borrowed = run(&messages, false);
    let shared = run(&messages, true);
    assert_eq!(shared, borrowed);
    assert!(
        borrowed.0.iter().any(|e| e.contains("Request")),
        "{:?}",
        borrowed.0
    );
}

/// What a driver's parse refuses is what the layer's own parse refuses.
#[test]
fn unparsable_bytes_fail_alike() {
    let garbage = b"garbage\r\n\r\n";
    let mut layer = TransactionLayer::new(LayerConfig::default());
    let via_layer = layer.handle_receive(at(0), peer(), garbage).unwrap_err();
    let via_shared = SharedMessage::parse(Bytes::from_static(garbage)).unwrap_err();
    assert_eq!(format!("{via_layer:?}"), format!("Parse({via_shared:?})"));
}
