//! Transactions created and completed per second through the `TransactionLayer` (INVITE/200/ACK
//! and OPTIONS/200, client and server layers in one process, a few thousand transactions live in
//! the deadline heap as on an SBC), and bytes per idle dialog. For scale, the same run parses the
//! same messages with `rsip` (a parser only: it has no transaction layer).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::std_instead_of_core,
    missing_docs
)]

use core::net::SocketAddr;
use core::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use rtcweb_sip_core::dialog::Dialog;
use rtcweb_sip_core::message::builder::MessageBuilder;
use rtcweb_sip_core::message::{Header, Message};
use rtcweb_sip_core::transaction::{LayerConfig, Peer, TransactionEvent, TransactionLayer};
use rtcweb_sip_core::Instant;

struct Pair {
    now: Instant,
    client: TransactionLayer,
    server: TransactionLayer,
    cpeer: Peer,
    speer: Peer,
    n: u64,
    buf: Vec<u8>,
}

impl Pair {
    fn new() -> Self {
        let cfg = LayerConfig {
            max_transactions: 1 << 20,
            ..LayerConfig::default()
        };
        Self {
            now: Instant::ZERO,
            client: TransactionLayer::new(cfg),
            server: TransactionLayer::new(cfg),
            cpeer: Peer::udp("192.0.2.1:5060".parse::<SocketAddr>().unwrap()),
            speer: Peer::udp("192.0.2.2:5060".parse::<SocketAddr>().unwrap()),
            n: 0,
            buf: vec![0u8; 65535],
        }
    }

    fn request(&self, method: &str) -> Vec<u8> {
        let n = self.n;
        format!(
            "{method} sip:bob@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK{n:x};rport\r\n\
             Max-Forwards: 70\r\nFrom: <sip:alice@example.com>;tag=a{n:x}\r\nTo: <sip:bob@example.com>\r\n\
             Call-ID: {n:x}@192.0.2.1\r\nCSeq: 1 {method}\r\nContact: <sip:alice@192.0.2.1>\r\nContent-Length: 0\r\n\r\n"
        )
        .into_bytes()
    }

    /// One complete exchange; time advances 10 ms per exchange, so ~3200 transactions stay live
    /// (Timers L/M/J linger 32 s) and the heap does real work.
    fn exchange(&mut self, method: &str) {
        self.n += 1;
        self.now += Duration::from_millis(10);
        let now = self.now;
        let req = self.request(method);
        self.client.send_request(now, self.speer, &req).unwrap();
        let t = self
            .client
            .poll_transmit(now, &mut self.buf)
            .unwrap()
            .unwrap();
        self.server
            .handle_receive(now, self.cpeer, &self.buf[..t.len])
            .unwrap();
        let Some(TransactionEvent::Request { tx, message, .. }) = self.server.poll_event() else {
            panic!()
        };
        let mut st = [Header::EMPTY; 32];
        let m = Message::parse(&message, &mut st).unwrap();
        let ok = MessageBuilder::response_to(&m, 200, "OK", Some("b1")).to_vec();
        self.server.send_response(now, tx, &ok).unwrap();
        let t = self
            .server
            .poll_transmit(now, &mut self.buf)
            .unwrap()
            .unwrap();
        self.client
            .handle_receive(now, self.speer, &self.buf[..t.len])
            .unwrap();
        let Some(TransactionEvent::Response { .. }) = self.client.poll_event() else {
            panic!()
        };
        if method == "INVITE" {
            // The ACK for a 2xx is its own transaction: a new branch (§13.2.2.4).
            let ack = String::from_utf8(self.request("ACK"))
                .unwrap()
                .replace(";branch=z9hG4bK", ";branch=z9hG4bKack");
            let ack = ack.into_bytes();
            self.client.send_stateless(self.speer, &ack);
            let t = self
                .client
                .poll_transmit(now, &mut self.buf)
                .unwrap()
                .unwrap();
            self.server
                .handle_receive(now, self.cpeer, &self.buf[..t.len])
                .unwrap();
            black_box(self.server.poll_event());
        }
        self.client.handle_timeout(now);
        self.server.handle_timeout(now);
        while self.client.poll_event().is_some() {}
        while self.server.poll_event().is_some() {}
        black_box((self.client.poll_timeout(), self.server.poll_timeout()));
    }
}

fn rsip_parse(msgs: &[Vec<u8>]) -> usize {
    msgs.iter()
        .map(|m| {
            let s = rsip::SipMessage::try_from(m.as_slice()).unwrap();
            s.body().len()
        })
        .sum()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("transactions");
    g.throughput(Throughput::Elements(1));
    for method in ["INVITE", "OPTIONS"] {
        let mut p = Pair::new();
        // Warm the heap to its steady state (32 s of traffic).
        for _ in 0..3300 {
            p.exchange(method);
        }
        let label = if method == "INVITE" {
            "invite_200_ack"
        } else {
            "options_200"
        };
        g.bench_function(format!("sip-core/{label}"), |b| {
            b.iter(|| p.exchange(method))
        });
        eprintln!(
            "{label}: live transactions client {} server {}",
            p.client.len(),
            p.server.len()
        );
        // The same messages, parsed once each by rsip (no transaction layer exists there).
        let q = Pair::new();
        let req = q.request(method);
        let mut st = [Header::EMPTY; 32];
        let m = Message::parse(&req, &mut st).unwrap();
        let mut msgs = vec![
            req.clone(),
            MessageBuilder::response_to(&m, 200, "OK", Some("b1")).to_vec(),
        ];
        if method == "INVITE" {
            msgs.push(q.request("ACK"));
        }
        g.bench_function(format!("rsip/parse-only/{label}"), |b| {
            b.iter(|| rsip_parse(black_box(&msgs)))
        });
    }
    g.finish();

    // Bytes per idle dialog: the struct plus what it holds on the heap.
    let invite = include_bytes!("data/sip_invite.txt");
    let mut st = [Header::EMPTY; 64];
    let m = Message::parse(invite, &mut st).unwrap();
    let d = Dialog::uas(
        &m,
        "8f7c3a2b1d",
        "<sip:bob@192.0.2.4:5060;transport=udp>",
        0,
        true,
    )
    .unwrap();
    eprintln!(
        "idle dialog: {} bytes struct + {} bytes heap = {} bytes",
        core::mem::size_of::<Dialog>(),
        d.heap_bytes(),
        core::mem::size_of::<Dialog>() + d.heap_bytes()
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
