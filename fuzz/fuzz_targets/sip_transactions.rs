//! Arbitrary message sequences and time steps into the transaction layer and the UA core: no
//! panic, bounded state. Templates with small branch/tag/Call-ID alphabets make matches (and so
//! deep states: Completed, Accepted, Confirmed, dialogs, CANCEL, BYE) likely.
#![no_main]

use core::time::Duration;

use libfuzzer_sys::fuzz_target;
use rtcweb_sip_core::transaction::{LayerConfig, Peer, TransactionEvent, TransactionLayer};
use rtcweb_sip_core::ua::{CallHandle, UaConfig, UserAgent};
use rtcweb_sip_core::Instant;

const METHODS: [&str; 8] = [
    "INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "UPDATE", "INFO", "REGISTER",
];

fn template(b: &[u8]) -> Vec<u8> {
    let g = |i: usize| b.get(i).copied().unwrap_or(0);
    let method = METHODS[usize::from(g(0)) % METHODS.len()];
    let branch = g(1) % 4;
    let tag = g(2) % 3;
    let call = g(3) % 3;
    let seq = u32::from(g(4) % 4);
    let to_tag = if tag == 0 {
        String::new()
    } else {
        format!(";tag=t{tag}")
    };
    let body = if g(5) % 2 == 0 { "" } else { "v=0\r\n" };
    if g(6) % 2 == 0 {
        format!(
            "{method} sip:alice@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK{branch}\r\nMax-Forwards: 70\r\n\
             From: <sip:bob@x>;tag=f{call}\r\nTo: <sip:alice@y>{to_tag}\r\nCall-ID: c{call}\r\nCSeq: {seq} {method}\r\n\
             Contact: <sip:bob@192.0.2.9>\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    } else {
        let code = [100u16, 180, 183, 200, 401, 407, 422, 486, 487, 500][usize::from(g(7)) % 10];
        format!(
            "SIP/2.0 {code} X\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK{branch}\r\n\
             From: <sip:alice@y>;tag=f{call}\r\nTo: <sip:bob@x>{to_tag}\r\nCall-ID: c{call}\r\nCSeq: {seq} {method}\r\n\
             Contact: <sip:bob@192.0.2.9>\r\nWWW-Authenticate: Digest realm=\"r\", nonce=\"n\"\r\nMin-SE: 120\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    }
}

fuzz_target!(|data: &[u8]| {
    let peer = Peer::udp("192.0.2.9:5060".parse().unwrap());
    let cfg = LayerConfig {
        max_transactions: 32,
        max_pending_transmits: 64,
        max_pending_events: 64,
        ..LayerConfig::default()
    };
    let mut layer = TransactionLayer::new(cfg);
    let mut ucfg = UaConfig::new(
        "sip:alice@y",
        "<sip:alice@192.0.2.1>",
        "SIP/2.0/UDP 192.0.2.1:5060",
        peer,
        [1; 32],
    );
    ucfg.layer = cfg;
    ucfg.max_calls = 8;
    ucfg.session_timer = Some(Default::default());
    ucfg.credentials = Some(rtcweb_sip_core::registration::Credentials::new(
        "alice", "pw",
    ));
    let mut ua = UserAgent::new(ucfg);
    let mut now = Instant::ZERO;
    let mut buf = vec![0u8; 65535];
    let mut calls: Vec<CallHandle> = Vec::new();
    let mut rest = data;
    while let Some((&op, tail)) = rest.split_first() {
        rest = tail;
        match op % 6 {
            0 => {
                let step = u64::from(rest.first().copied().unwrap_or(1));
                rest = rest.get(1..).unwrap_or_default();
                now += Duration::from_millis(step * step * 10);
                layer.handle_timeout(now);
                ua.handle_timeout(now);
            }
            1 => {
                let len = usize::from(rest.first().copied().unwrap_or(0));
                let (msg, tail) = rest
                    .get(1..)
                    .unwrap_or_default()
                    .split_at(len.min(rest.len().saturating_sub(1)));
                rest = tail;
                let _ = layer.handle_receive(now, peer, msg);
                let _ = ua.handle_receive(now, peer, msg);
            }
            2 | 3 => {
                let (t, tail) = rest.split_at(rest.len().min(8));
                rest = tail;
                let msg = template(t);
                let _ = layer.handle_receive(now, peer, &msg);
                let _ = ua.handle_receive(now, peer, &msg);
            }
            4 => {
                let a = rest.first().copied().unwrap_or(0);
                rest = rest.get(1..).unwrap_or_default();
                let pick = calls.get(usize::from(a >> 3) % calls.len().max(1)).copied();
                match a % 8 {
                    0 => {
                        if let Ok(c) = ua.call(now, "sip:bob@x", b"v=0\r\n") {
                            calls.push(c);
                        }
                    }
                    1 => ua.register(now),
                    2 => ua.unregister(now),
                    3 => {
                        let _ = ua.options(now, "sip:bob@x");
                    }
                    4 => {
                        if let Some(c) = pick {
                            let _ = ua.answer(now, c, b"v=0\r\n");
                        }
                    }
                    5 => {
                        if let Some(c) = pick {
                            let _ = ua.hangup(now, c);
                        }
                    }
                    6 => {
                        if let Some(c) = pick {
                            let _ = ua.reject(now, c, 486);
                        }
                    }
                    _ => {
                        if let Some(c) = pick {
                            let _ = ua.ringing(now, c);
                        }
                    }
                }
            }
            _ => {
                // Answer whatever server transactions the bare layer holds.
                while let Some(e) = layer.poll_event() {
                    if let TransactionEvent::Request { tx, .. } = e {
                        let _ = layer.send_response(now, tx, b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK1\r\nCSeq: 1 INVITE\r\n\r\n");
                    }
                }
            }
        }
        while layer.poll_transmit(now, &mut buf).unwrap().is_some() {}
        while ua.poll_transmit(now, &mut buf).unwrap().is_some() {}
        while layer.poll_event().is_some() {}
        while let Some(e) = ua.poll_event() {
            if let rtcweb_sip_core::ua::UaEvent::IncomingCall { call, .. } = e {
                calls.push(call);
            }
        }
        calls.truncate(64);
        assert!(layer.len() <= 32);
        assert!(ua.transactions().len() <= 32);
        assert!(ua.call_count() <= 8);
        if let Some(t) = layer.poll_timeout() {
            assert!(t >= Instant::ZERO);
        }
    }
});
