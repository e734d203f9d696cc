//! `registration::RegistrationClient` (a registration with its own transaction layer) fed by a
//! hostile network: responses built on its real REGISTERs with arbitrary status codes and header
//! lines, requests from the registrar's side, raw datagrams, CRLF keep-alives, duplicates, and
//! time jumps; over UDP or TCP.
//!
//! Invariants, beyond "no panic":
//! - every datagram goes to the registrar, and a 64 KiB buffer is always enough;
//! - after `handle_timeout(now)`, `poll_timeout` is `None` or strictly after `now`;
//! - no amplification: at most 3 datagrams per received message (a REGISTER, a response, a
//!   ping), at most 16 per time step (due retransmissions), and at most 3 events per input;
//! - at most one REGISTER transaction at a time: two REGISTERs with different CSeqs never go out
//!   without a final response to the first in between.
#![no_main]

mod input;

use core::time::Duration;

use libfuzzer_sys::fuzz_target;

use input::{byte, take};
use rtcweb_sip_core::header::CSeq;
use rtcweb_sip_core::message::builder::MessageBuilder;
use rtcweb_sip_core::message::{Header, Message, Method};
use rtcweb_sip_core::registration::{
    Credentials, RegistrationClient, RegistrationConfig, RegistrationEvent,
};
use rtcweb_sip_core::transaction::{LayerConfig, Peer, Transport};
use rtcweb_sip_core::Instant;

const MAX_NOW: i64 = 200 * 365 * 86_400 * 1_000_000_000;

/// A header line a registrar might send.
fn header(data: &mut &[u8]) -> (String, String) {
    let kind = byte(data);
    let n = u32::from_le_bytes([byte(data), byte(data), 0, 0]);
    match kind % 8 {
        0 => ("Expires".into(), n.to_string()),
        1 => (
            "Contact".into(),
            format!("<sip:alice@192.0.2.1:5060>;expires={n}"),
        ),
        2 => ("Flow-Timer".into(), n.to_string()),
        3 => ("Min-Expires".into(), n.to_string()),
        4 => (
            "WWW-Authenticate".into(),
            format!("Digest realm=\"r\", nonce=\"n{}\", qop=\"auth\"", n % 3),
        ),
        5 => (
            "Proxy-Authenticate".into(),
            "Digest realm=\"r\", nonce=\"n\", stale=true".into(),
        ),
        _ => {
            let len = usize::from(byte(data) % 48);
            let raw = String::from_utf8_lossy(take(data, len)).into_owned();
            let (name, value) = raw.split_once(':').unwrap_or(("X-Fuzz", raw.as_str()));
            (name.trim().to_owned(), value.trim().to_owned())
        }
    }
}

fn cseq_of(bytes: &[u8]) -> Option<(u32, bool)> {
    let mut st = [Header::EMPTY; 64];
    let m = Message::parse(bytes, &mut st).ok()?;
    let c = m.typed::<CSeq>().ok()??;
    Some((c.seq, m.method() == Some(Method::Register)))
}

fuzz_target!(|input: &[u8]| {
    let mut data = input;
    let mode = byte(&mut data);
    let transport = if mode & 1 == 0 {
        Transport::Udp
    } else {
        Transport::Tcp
    };
    let registrar = Peer {
        addr: "192.0.2.9:5060".parse().expect("address"),
        transport,
    };
    let mut cfg = RegistrationConfig::new(
        "sip:example.com",
        "sip:alice@example.com",
        "<sip:alice@192.0.2.1:5060>",
        "SIP/2.0/UDP 192.0.2.1:5060",
    );
    cfg.credentials = Some(Credentials::new("alice", "pw"));
    if mode & 2 != 0 {
        cfg.instance_id = Some("<urn:uuid:00000000-0000-1000-8000-000A95A0E128>".into());
    }
    let mut c = RegistrationClient::new(cfg, registrar, LayerConfig::default(), [mode; 32]);
    let mut now = Instant::ZERO;
    let mut buf = vec![0u8; 65_536];
    // The REGISTER last sent and whether a final response to its CSeq arrived.
    let mut last: Option<Vec<u8>> = None;
    let mut open_cseq: Option<u32> = None;
    c.register(now);
    settle(
        &mut c,
        now,
        registrar,
        &mut buf,
        &mut last,
        &mut open_cseq,
        1,
    );
    while !data.is_empty() {
        let op = byte(&mut data);
        // Datagrams one input may cause: a REGISTER, a response and a ping for a received
        // message; a time step may also fire every due retransmission (Timer E doubles up to
        // T2, so at most 11 of one REGISTER within Timer F's 32 s) and a new REGISTER.
        let limit = if op % 8 == 7 { 16 } else { 3 };
        match op % 8 {
            0 => c.register(now),
            1 => c.unregister(now),
            2 | 3 => {
                // A response to the last REGISTER.
                let Some(req_bytes) = &last else {
                    settle(
                        &mut c,
                        now,
                        registrar,
                        &mut buf,
                        &mut last,
                        &mut open_cseq,
                        limit,
                    );
                    continue;
                };
                let mut st = [Header::EMPTY; 64];
                let Ok(req) = Message::parse(req_bytes, &mut st) else {
                    panic!("the client's REGISTER parses")
                };
                let code =
                    [100, 200, 401, 407, 423, 403, 503, 302][usize::from(byte(&mut data) % 8)];
                let mut b = MessageBuilder::response_to(&req, code, "Fuzz", Some("reg"));
                for _ in 0..byte(&mut data) % 4 {
                    let (n, v) = header(&mut data);
                    b.add_header(n, v);
                }
                let bytes = b.to_vec();
                if code >= 200 && cseq_of(&bytes).is_some_and(|(s, _)| Some(s) == open_cseq) {
                    open_cseq = None;
                }
                let _ = c.handle_receive(now, registrar, &bytes);
                if op % 8 == 3 {
                    let _ = c.handle_receive(now, registrar, &bytes);
                }
            }
            4 => {
                // A request from the registrar's side.
                let method =
                    ["OPTIONS", "INVITE", "NOTIFY", "BYE"][usize::from(byte(&mut data) % 4)];
                let req = format!(
                    "{method} sip:alice@192.0.2.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bK{}\r\nFrom: <sip:p@example.com>;tag=p\r\nTo: <sip:alice@example.com>\r\nCall-ID: c{}\r\nCSeq: 1 {method}\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
                    byte(&mut data),
                    byte(&mut data)
                );
                let _ = c.handle_receive(now, registrar, req.as_bytes());
            }
            5 => {
                let len = usize::from(byte(&mut data));
                let raw = take(&mut data, len);
                let _ = c.handle_receive(now, registrar, raw);
            }
            6 => {
                let _ = c.handle_receive(now, registrar, b"\r\n");
            }
            _ => {
                let step = u64::from_le_bytes({
                    let mut b = [0u8; 8];
                    let raw = take(&mut data, 3);
                    b[..raw.len()].copy_from_slice(raw);
                    b
                });
                let jump = if op & 0x80 != 0 {
                    Duration::from_secs(step)
                } else {
                    Duration::from_millis(step % 70_000)
                };
                let next = now
                    .as_nanos()
                    .saturating_add(i64::try_from(jump.as_nanos()).unwrap_or(i64::MAX))
                    .min(MAX_NOW);
                now = Instant::from_nanos(next);
            }
        }
        settle(
            &mut c,
            now,
            registrar,
            &mut buf,
            &mut last,
            &mut open_cseq,
            limit,
        );
    }
});

/// Time moved to `now`: fires the timers, drains events and datagrams, and checks the
/// invariants.
fn settle(
    c: &mut RegistrationClient,
    now: Instant,
    registrar: Peer,
    buf: &mut [u8],
    last: &mut Option<Vec<u8>>,
    open_cseq: &mut Option<u32>,
    limit: usize,
) {
    c.handle_timeout(now);
    // Events first: a REGISTER that failed in this step (timeout) lets the next one go
    // out in the same step.
    let mut events = 0;
    while let Some(e) = c.poll_event() {
        events += 1;
        if matches!(e, RegistrationEvent::Failed { .. }) {
            // A transaction timeout (or a refused send) ends the REGISTER without a response.
            *open_cseq = None;
        }
    }
    assert!(events <= 3, "{events} events for one input");
    let mut sent = 0usize;
    while let Some(t) = c.poll_transmit(now, buf).expect("64 KiB is always enough") {
        sent += 1;
        assert_eq!(t.destination, registrar.addr, "only to the registrar");
        let bytes = &buf[..t.len];
        if let Some((seq, true)) = cseq_of(bytes) {
            if bytes.starts_with(b"REGISTER ") {
                if let Some(open) = *open_cseq {
                    assert!(
                        open == seq,
                        "a new REGISTER (CSeq {seq}) while {open} is unanswered"
                    );
                }
                *open_cseq = Some(seq);
                *last = Some(bytes.to_vec());
            }
        }
    }
    assert!(
        sent <= limit,
        "{sent} datagrams for one input (limit {limit})"
    );
    if let Some(t) = c.poll_timeout() {
        assert!(
            now >= Instant::from_nanos(MAX_NOW) || t > now,
            "deadline {t:?} not after {now:?}"
        );
    }
}
