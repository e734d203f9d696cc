//! With the `log` feature, refusals and state changes reach the `log` facade with their reason
//! (issue #20): a malformed datagram, a request refused 503 at the transaction limit, a call
//! that fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

use std::sync::Mutex;

use rtcweb_sip_core::transaction::{LayerConfig, Peer, TransactionLayer};
use rtcweb_sip_core::Instant;

static RECORDS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        RECORDS
            .lock()
            .unwrap()
            .push(format!("{} {}", record.level(), record.args()));
    }
    fn flush(&self) {}
}

#[test]
fn refusals_are_logged_with_their_reason() {
    log::set_logger(&Capture).unwrap();
    log::set_max_level(log::LevelFilter::Trace);
    let peer = Peer::udp("192.0.2.9:5060".parse().unwrap());
    let mut layer = TransactionLayer::new(LayerConfig {
        max_transactions: 1,
        ..LayerConfig::default()
    });
    assert!(layer
        .handle_receive(Instant::ZERO, peer, b"NOT SIP\r\n\r\n")
        .is_err());
    for i in 0..2 {
        let req = format!(
            "OPTIONS sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK{i}\r\n\
             Max-Forwards: 70\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\n\
             Call-ID: c{i}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
        );
        layer
            .handle_receive(Instant::ZERO, peer, req.as_bytes())
            .unwrap();
    }
    let records = RECORDS.lock().unwrap().clone();
    assert!(
        records
            .iter()
            .any(|r| r.starts_with("DEBUG sip: 11 bytes from") && r.contains("dropped")),
        "{records:#?}"
    );
    assert!(
        records
            .iter()
            .any(|r| r.starts_with("WARN sip: request from") && r.contains("answered 503")),
        "{records:#?}"
    );
    assert!(
        records.iter().any(|r| r.contains("request for the TU")),
        "{records:#?}"
    );
}
