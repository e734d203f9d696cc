//! RFC 3263 §4 cases against a table-driven fake DNS.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use rtcweb_proto::{Rng, Transport};

use super::*;
use crate::uri::Uri;

/// A zone: (name, type) -> records. Unknown names answer empty (NXDOMAIN).
struct Zone(Vec<(&'static str, RecordType, Vec<Record>)>);

impl Zone {
    fn answer(&self, q: &Query) -> Vec<Record> {
        self.0
            .iter()
            .find(|(n, t, _)| *n == q.name && *t == q.record_type)
            .map(|(_, _, r)| r.clone())
            .unwrap_or_default()
    }
}

fn naptr(order: u16, pref: u16, services: &str, replacement: &str) -> Record {
    Record::Naptr(Naptr {
        order,
        preference: pref,
        flags: "s".to_string(),
        services: services.to_string(),
        regexp: String::new(),
        replacement: replacement.to_string(),
    })
}

fn srv(priority: u16, weight: u16, port: u16, target: &str) -> Record {
    Record::Srv(Srv {
        priority,
        weight,
        port,
        target: target.to_string(),
    })
}

fn a(ip: [u8; 4]) -> Record {
    Record::A(ip.into())
}

/// Resolves `uri` against `zone`, asking every question the selection hands out; returns the
/// targets and the questions in the order asked.
fn resolve(uri: &str, zone: &Zone, cfg: SelectionConfig) -> (Vec<Target>, Vec<Query>) {
    let uri = Uri::parse(uri).unwrap();
    let mut sel =
        ServerSelection::new(uri.as_sip().unwrap(), cfg, Rng::from_seed([3; 32])).unwrap();
    let mut asked = Vec::new();
    let mut rounds = 0;
    while !sel.is_resolved() {
        // Ask everything handed out at once (parallel lookups), then answer.
        let mut batch = Vec::new();
        while let Some(q) = sel.poll_query() {
            batch.push(q);
        }
        assert!(!batch.is_empty(), "stuck without questions");
        for q in batch {
            let answer = zone.answer(&q);
            sel.handle_answer(&q, &answer);
            asked.push(q);
        }
        rounds += 1;
        assert!(rounds < 50);
    }
    let mut targets = Vec::new();
    while let Some(t) = sel.next_target() {
        targets.push(t);
    }
    assert_eq!(sel.targets().unwrap(), &targets[..]);
    (targets, asked)
}

fn t(transport: Transport, addr: &str) -> Target {
    Target {
        transport,
        addr: addr.parse().unwrap(),
    }
}

/// The full chain: NAPTR (TCP preferred over UDP by order), SRV with two priorities, A.
#[test]
fn naptr_srv_a_in_order_with_failover() {
    let zone = Zone(alloc::vec![
        (
            "example.test",
            RecordType::Naptr,
            alloc::vec![
                naptr(20, 10, "SIP+D2U", "_sip._udp.example.test"),
                naptr(10, 10, "SIP+D2T", "_sip._tcp.example.test"),
                naptr(5, 10, "SIP+D2X", "_sip._x.example.test"), // unknown service: skipped
            ],
        ),
        (
            "_sip._tcp.example.test",
            RecordType::Srv,
            alloc::vec![
                srv(20, 0, 5062, "b.example.test"),
                srv(10, 0, 5061, "a.example.test")
            ],
        ),
        (
            "_sip._udp.example.test",
            RecordType::Srv,
            alloc::vec![srv(0, 0, 5070, "a.example.test")]
        ),
        (
            "a.example.test",
            RecordType::A,
            alloc::vec![a([127, 0, 0, 1])]
        ),
        (
            "b.example.test",
            RecordType::A,
            alloc::vec![a([127, 0, 0, 2])]
        ),
        (
            "b.example.test",
            RecordType::Aaaa,
            alloc::vec![Record::Aaaa("::1".parse().unwrap())]
        ),
    ]);
    let (targets, asked) = resolve("sip:alice@Example.TEST", &zone, SelectionConfig::default());
    assert_eq!(
        targets,
        alloc::vec![
            t(Transport::Tcp, "127.0.0.1:5061"),
            t(Transport::Tcp, "127.0.0.2:5062"),
            t(Transport::Tcp, "[::1]:5062"),
            t(Transport::Udp, "127.0.0.1:5070"),
        ]
    );
    assert_eq!(asked[0].record_type, RecordType::Naptr);
    assert_eq!(asked[0].name, "example.test", "lower-cased");
    // Never asked twice.
    let mut dedup = asked.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), asked.len());
}

/// No NAPTR: SRV for each supported transport in the caller's order (§4.1); no SRV: A with
/// the default port and UDP (§4.2).
#[test]
fn without_naptr_then_without_srv() {
    let zone = Zone(alloc::vec![
        (
            "_sip._tcp.example.test",
            RecordType::Srv,
            alloc::vec![srv(0, 0, 5080, "s.example.test")]
        ),
        (
            "s.example.test",
            RecordType::A,
            alloc::vec![a([10, 0, 0, 1])]
        ),
        ("example.test", RecordType::A, alloc::vec![a([10, 0, 0, 9])]),
    ]);
    let (targets, asked) = resolve("sip:example.test", &zone, SelectionConfig::default());
    assert_eq!(targets, alloc::vec![t(Transport::Tcp, "10.0.0.1:5080")]);
    assert!(asked.iter().any(|q| q.name == "_sip._udp.example.test"));
    assert!(asked.iter().any(|q| q.name == "_sips._tcp.example.test"));

    let zone = Zone(alloc::vec![(
        "example.test",
        RecordType::A,
        alloc::vec![a([10, 0, 0, 9])]
    )]);
    let (targets, _) = resolve("sip:example.test", &zone, SelectionConfig::default());
    assert_eq!(targets, alloc::vec![t(Transport::Udp, "10.0.0.9:5060")]);
    let (targets, _) = resolve("sips:example.test", &zone, SelectionConfig::default());
    assert_eq!(targets, alloc::vec![t(Transport::Tls, "10.0.0.9:5061")]);
}

/// A port in the URI: no NAPTR, no SRV (§4.2). A numeric host: no DNS at all.
#[test]
fn explicit_port_and_numeric_host() {
    let zone = Zone(alloc::vec![(
        "example.test",
        RecordType::A,
        alloc::vec![a([10, 0, 0, 9])]
    )]);
    let (targets, asked) = resolve(
        "sip:example.test:5099;transport=tcp",
        &zone,
        SelectionConfig::default(),
    );
    assert_eq!(targets, alloc::vec![t(Transport::Tcp, "10.0.0.9:5099")]);
    assert!(asked
        .iter()
        .all(|q| matches!(q.record_type, RecordType::A | RecordType::Aaaa)));

    let uri = Uri::parse("sip:bob@192.0.2.7").unwrap();
    let mut sel = ServerSelection::new(
        uri.as_sip().unwrap(),
        SelectionConfig::default(),
        Rng::from_seed([0; 32]),
    )
    .unwrap();
    assert_eq!(sel.poll_query(), None);
    assert_eq!(sel.next_target(), Some(t(Transport::Udp, "192.0.2.7:5060")));
    let uri = Uri::parse("sip:bob@example.test;maddr=192.0.2.8;transport=tcp").unwrap();
    let mut sel = ServerSelection::new(
        uri.as_sip().unwrap(),
        SelectionConfig::default(),
        Rng::from_seed([0; 32]),
    )
    .unwrap();
    assert_eq!(sel.next_target(), Some(t(Transport::Tcp, "192.0.2.8:5060")));
}

/// A transport parameter without a port: SRV of that transport only (§4.2).
#[test]
fn transport_param_asks_its_srv_only() {
    let zone = Zone(alloc::vec![
        (
            "_sip._tcp.example.test",
            RecordType::Srv,
            alloc::vec![srv(0, 0, 5080, "s.example.test")]
        ),
        (
            "s.example.test",
            RecordType::A,
            alloc::vec![a([10, 0, 0, 1])]
        ),
    ]);
    let (targets, asked) = resolve(
        "sip:example.test;transport=TCP",
        &zone,
        SelectionConfig::default(),
    );
    assert_eq!(targets, alloc::vec![t(Transport::Tcp, "10.0.0.1:5080")]);
    assert!(asked.iter().all(|q| q.record_type != RecordType::Naptr));
}

/// sips: only SIPS NAPTR services, and transport=udp is refused.
#[test]
fn sips_uses_secure_services_only() {
    let zone = Zone(alloc::vec![
        (
            "example.test",
            RecordType::Naptr,
            alloc::vec![
                naptr(10, 10, "SIP+D2U", "_sip._udp.example.test"),
                naptr(20, 10, "SIPS+D2T", "_sips._tcp.example.test"),
            ],
        ),
        (
            "_sip._udp.example.test",
            RecordType::Srv,
            alloc::vec![srv(0, 0, 5060, "u.example.test")]
        ),
        (
            "_sips._tcp.example.test",
            RecordType::Srv,
            alloc::vec![srv(0, 0, 5061, "s.example.test")]
        ),
        (
            "u.example.test",
            RecordType::A,
            alloc::vec![a([10, 0, 0, 1])]
        ),
        (
            "s.example.test",
            RecordType::A,
            alloc::vec![a([10, 0, 0, 2])]
        ),
    ]);
    let (targets, _) = resolve("sips:example.test", &zone, SelectionConfig::default());
    assert_eq!(targets, alloc::vec![t(Transport::Tls, "10.0.0.2:5061")]);
    let uri = Uri::parse("sips:example.test;transport=udp").unwrap();
    assert_eq!(
        ServerSelection::new(
            uri.as_sip().unwrap(),
            SelectionConfig::default(),
            Rng::from_seed([0; 32])
        )
        .unwrap_err(),
        SelectionError::InsecureTransport
    );
}

/// A hostile zone (many SRV targets, each a new name) cannot make the selection ask more than
/// `max_queries` questions or keep more than `max_targets` targets, and it still completes.
#[test]
fn hostile_zone_is_bounded() {
    let many: Vec<Record> = (0..1000)
        .map(|i| srv(0, 1, 5060, alloc::format!("h{i}.example.test").leak()))
        .collect();
    let zone = Zone(alloc::vec![(
        "_sip._udp.example.test",
        RecordType::Srv,
        many
    )]);
    let cfg = SelectionConfig::default();
    let (targets, asked) = resolve("sip:example.test;transport=udp", &zone, cfg.clone());
    assert!(asked.len() <= cfg.max_queries, "{}", asked.len());
    assert!(targets.len() <= cfg.max_targets);
}

/// Answers to questions never asked, or asked twice, change nothing.
#[test]
fn unsolicited_answers_are_ignored() {
    let uri = Uri::parse("sip:example.test").unwrap();
    let mut sel = ServerSelection::new(
        uri.as_sip().unwrap(),
        SelectionConfig::default(),
        Rng::from_seed([0; 32]),
    )
    .unwrap();
    let forged = Query {
        name: "example.test".to_string(),
        record_type: RecordType::A,
    };
    sel.handle_answer(&forged, &[a([6, 6, 6, 6])]);
    let q = sel.poll_query().unwrap();
    assert_eq!(q.record_type, RecordType::Naptr);
    assert!(!sel.is_resolved());
}
