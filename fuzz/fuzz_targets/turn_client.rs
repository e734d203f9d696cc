//! Fuzzes the TURN client state machine: arbitrary datagrams from the server, responses built for
//! the client's real pending requests (matching transaction IDs, arbitrary class and attributes,
//! with or without valid MESSAGE-INTEGRITY), API calls and time steps. Nothing may panic, and the
//! client's deadlines must never go back in time.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcweb_stun_core::credentials::long_term_key_md5;
use rtcweb_stun_core::turn::{TurnClient, TurnConfig};
use rtcweb_stun_core::wire::attributes::{Nonce, Realm};
use rtcweb_stun_core::wire::{AttributeType, Class, Message, MessageType, MessageWriter};
use rtcweb_stun_core::Instant;
use std::net::SocketAddr;

fuzz_target!(|data: &[u8]| {
    let server: SocketAddr = "192.0.2.1:3478".parse().unwrap();
    let peer: SocketAddr = "198.51.100.7:9000".parse().unwrap();
    let key = long_term_key_md5("u", "r", "p").unwrap().integrity_key();
    let mut client = TurnClient::new(TurnConfig::new(server, "u", "p"), [3; 32]);
    let mut now = Instant::ZERO;
    let _ = client.allocate(now);
    let mut last_request: Vec<u8> = Vec::new();
    let mut tx = [0u8; 1500];
    let mut rest = data;
    while let Some((&op, tail)) = rest.split_first() {
        let len = tail.first().map_or(0, |&l| usize::from(l)).min(tail.len().saturating_sub(1));
        let chunk = tail.get(1..1 + len).unwrap_or(&[]);
        rest = tail.get(1 + len..).unwrap_or(&[]);
        match op % 8 {
            0 => {
                let _ = client.handle_receive(now, server, chunk);
            }
            1 | 2 => {
                // A response to the last request the client sent.
                let Ok(req) = Message::parse(&last_request) else { continue };
                let class = if op & 0x10 == 0 { Class::Success } else { Class::Error };
                let mut out = [0u8; 1500];
                let mut w = MessageWriter::new(&mut out, MessageType::new(req.method(), class), req.transaction_id()).unwrap();
                let _ = w.add(&Realm("r"));
                let _ = w.add(&Nonce("n"));
                // Arbitrary TLVs from the input.
                let mut tlv = chunk;
                while tlv.len() >= 4 {
                    let typ = u16::from_be_bytes([tlv[0], tlv[1]]);
                    let l = usize::from(tlv[2] % 32).min(tlv.len() - 4);
                    let _ = w.add_raw(AttributeType(typ), &tlv[4..4 + l]);
                    tlv = &tlv[4 + l..];
                }
                if op & 0x20 == 0 {
                    let _ = w.add_message_integrity(&key);
                }
                let n = w.finish();
                let _ = client.handle_receive(now, server, &out[..n]);
            }
            3 => {
                let step = u64::from(chunk.first().copied().unwrap_or(1)) * 250;
                now = now + std::time::Duration::from_millis(step);
                client.handle_timeout(now);
                while let Ok(Some(t)) = client.poll_transmit(now, &mut tx) {
                    last_request = tx[..t.len].to_vec();
                }
                // After handle_timeout and a drained poll_transmit, every deadline lies ahead:
                // a deadline in the past would make a driver spin.
                if let Some(deadline) = client.poll_timeout() {
                    assert!(deadline > now, "deadline {deadline} not after {now}");
                }
            }
            4 => {
                let _ = client.create_permission(now, peer.ip());
            }
            5 => {
                let _ = client.bind_channel(now, peer);
            }
            6 => {
                let _ = client.send_to(peer, chunk, &mut tx);
            }
            _ => {
                let _ = client.deallocate(now);
            }
        }
        while let Ok(Some(t)) = client.poll_transmit(now, &mut tx) {
            assert_eq!(t.destination, server);
            last_request = tx[..t.len].to_vec();
        }
        while client.poll_event().is_some() {}
    }
});
