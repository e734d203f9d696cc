//! RFC 3263 server selection (`resolve::ServerSelection`) against a hostile DNS: for one of a
//! few request URIs, every question it asks is answered from the input with arbitrary records
//! (NAPTR with any flags/services/replacements, SRV with any priority/weight/port/target, A,
//! AAAA, records of the wrong type), empty answers, and answers to questions never asked.
//!
//! Invariants, beyond "no panic":
//! - no question is asked twice, and at most `max_queries` are asked;
//! - answering every question asked always completes the selection (no stall);
//! - at most `max_targets` targets, all distinct, none on port 0, each with a transport the
//!   caller supports, and only TLS/WSS for a sips: URI;
//! - `next_target` yields exactly `targets()`, in order, then `None`.
#![no_main]

use std::collections::BTreeSet;

use libfuzzer_sys::fuzz_target;
use rtcweb_proto::{Rng, Transport};
use rtcweb_sip_core::resolve::{
    Naptr, Query, Record, RecordType, SelectionConfig, ServerSelection, Srv,
};
use rtcweb_sip_core::uri::Uri;

const URIS: [&str; 6] = [
    "sip:alice@example.test",
    "sips:example.test",
    "sip:example.test;transport=tcp",
    "sip:example.test:5070",
    "sip:bob@192.0.2.1",
    "sip:x@example.test;maddr=proxy.example.test",
];
/// Names the zone talks about, so that answers chain into further questions.
const NAMES: [&str; 6] = [
    "example.test",
    "_sip._udp.example.test",
    "_sip._tcp.example.test",
    "_sips._tcp.example.test",
    "a.example.test",
    ".",
];
const SERVICES: [&str; 7] = ["SIP+D2U", "SIP+D2T", "SIPS+D2T", "SIP+D2W", "SIPS+D2W", "sip+d2u", "E2U+sip"];

fn byte(data: &mut &[u8]) -> u8 {
    match data.split_first() {
        Some((b, rest)) => {
            *data = rest;
            *b
        }
        None => 0,
    }
}

fn u16_(data: &mut &[u8]) -> u16 {
    u16::from_be_bytes([byte(data), byte(data)])
}

fn record(data: &mut &[u8]) -> Record {
    let name = |d: &mut &[u8]| NAMES[usize::from(byte(d)) % NAMES.len()].to_string();
    match byte(data) % 4 {
        0 => Record::Naptr(Naptr {
            order: u16_(data),
            preference: u16_(data),
            flags: ["s", "S", "", "a", "u"][usize::from(byte(data)) % 5].to_string(),
            services: SERVICES[usize::from(byte(data)) % SERVICES.len()].to_string(),
            regexp: if byte(data) % 8 == 0 { "!x!y!".into() } else { String::new() },
            replacement: name(data),
        }),
        1 => Record::Srv(Srv {
            priority: u16_(data) % 4,
            weight: u16_(data),
            port: u16_(data),
            target: if byte(data) % 2 == 0 {
                name(data)
            } else {
                format!("h{}.example.test", byte(data))
            },
        }),
        2 => Record::A([127, 0, 0, byte(data)].into()),
        _ => Record::Aaaa(std::net::Ipv6Addr::from(u128::from(u16_(data))).into()),
    }
}

fuzz_target!(|input: &[u8]| {
    let mut data = input;
    let uri_text = URIS[usize::from(byte(&mut data)) % URIS.len()];
    let uri = Uri::parse(uri_text).unwrap();
    let sip = uri.as_sip().unwrap();
    let cfg = SelectionConfig::default();
    let mut seed = [0u8; 32];
    seed[0] = byte(&mut data);
    let Ok(mut sel) = ServerSelection::new(sip, cfg.clone(), Rng::from_seed(seed)) else {
        return;
    };
    let mut asked = BTreeSet::new();
    let mut rounds = 0;
    while !sel.is_resolved() {
        rounds += 1;
        assert!(rounds <= cfg.max_queries + 1, "{uri_text}: selection stalled");
        let mut batch: Vec<Query> = Vec::new();
        while let Some(q) = sel.poll_query() {
            assert!(asked.insert(q.clone()), "{q:?} asked twice");
            batch.push(q);
        }
        assert!(
            !batch.is_empty() || sel.is_resolved(),
            "{uri_text}: no question and not resolved"
        );
        for q in batch {
            // Now and then, an answer to a question nobody asked (or asked and not yet answered:
            // then it is simply the answer, as from a DNS client that matched it).
            if byte(&mut data) % 16 == 0 {
                let forged = Query {
                    name: NAMES[usize::from(byte(&mut data)) % NAMES.len()].to_string(),
                    record_type: RecordType::A,
                };
                sel.handle_answer(&forged, &[Record::A([6, 6, 6, 6].into())]);
            }
            let n = usize::from(byte(&mut data) % 8);
            let records: Vec<Record> = (0..n).map(|_| record(&mut data)).collect();
            sel.handle_answer(&q, &records);
        }
    }
    assert!(asked.len() <= cfg.max_queries, "{} questions", asked.len());
    let targets = sel.targets().unwrap().to_vec();
    assert!(targets.len() <= cfg.max_targets);
    let distinct: BTreeSet<String> = targets.iter().map(|t| format!("{t:?}")).collect();
    assert_eq!(distinct.len(), targets.len(), "duplicate targets");
    for t in &targets {
        assert!(cfg.transports.contains(&t.transport), "{t:?}");
        assert_ne!(t.addr.port(), 0, "{t:?}");
        if uri_text.starts_with("sips:") {
            assert!(matches!(t.transport, Transport::Tls | Transport::Wss), "{t:?}");
        }
    }
    let mut handed = Vec::new();
    while let Some(t) = sel.next_target() {
        handed.push(t);
    }
    assert_eq!(handed, targets);
    assert_eq!(sel.next_target(), None);
});
