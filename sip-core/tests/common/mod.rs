//! A deterministic, Sans-IO network for the state-machine tests: a virtual clock, and a link that
//! loses, duplicates, delays and reorders datagrams from a seeded PRNG. No sockets, no sleeps.
#![allow(
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    clippy::type_complexity
)]
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use rtcweb_sip_core::transaction::{Peer, TransactionEvent, TransactionLayer, Transmit, Transport};
use rtcweb_sip_core::Instant;

/// One endpoint on the simulated network.
pub trait Node {
    /// Its address.
    fn addr(&self) -> SocketAddr;
    /// A datagram arrived.
    fn receive(&mut self, now: Instant, from: Peer, bytes: &[u8]);
    /// Time moved on.
    fn timeout(&mut self, now: Instant);
    /// The next outgoing datagram.
    fn transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<Transmit>;
    /// The next deadline.
    fn deadline(&mut self) -> Option<Instant>;
    /// Lets the application logic (the TU) react to events; called after every input.
    fn process(&mut self, now: Instant);
}

/// Link behaviour, in per-mille and milliseconds.
#[derive(Debug, Clone, Copy)]
pub struct Link {
    pub loss_permille: u32,
    pub dup_permille: u32,
    pub delay_ms: u64,
    pub jitter_ms: u64,
    pub transport: Transport,
}

impl Link {
    pub const PERFECT: Self = Self {
        loss_permille: 0,
        dup_permille: 0,
        delay_ms: 10,
        jitter_ms: 0,
        transport: Transport::Udp,
    };
    pub const LOSSY: Self = Self {
        loss_permille: 250,
        dup_permille: 150,
        delay_ms: 20,
        jitter_ms: 400,
        transport: Transport::Udp,
    };
}

/// The simulated network and clock.
pub struct Sim {
    pub now: Instant,
    pub link: Link,
    rng: u64,
    seq: u64,
    inflight: BTreeMap<(Instant, u64), (usize, Peer, Vec<u8>)>,
    /// Every datagram put on the wire: (time, from, first line).
    pub log: Vec<(Instant, SocketAddr, String)>,
    /// Drops datagrams for which this returns true (before random loss).
    pub drop_if: Option<Box<dyn FnMut(&str) -> bool>>,
}

pub fn first_line(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    s.lines().next().unwrap_or("").to_string()
}

impl Sim {
    pub fn new(seed: u64, link: Link) -> Self {
        Self {
            now: Instant::ZERO,
            link,
            rng: seed | 1,
            seq: 0,
            inflight: BTreeMap::new(),
            log: Vec::new(),
            drop_if: None,
        }
    }

    fn rand(&mut self) -> u64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng
    }

    fn chance(&mut self, permille: u32) -> bool {
        self.rand() % 1000 < u64::from(permille)
    }

    fn enqueue(&mut self, to: usize, from: Peer, bytes: Vec<u8>) {
        let jitter = if self.link.jitter_ms > 0 {
            self.rand() % self.link.jitter_ms
        } else {
            0
        };
        let at = self.now + Duration::from_millis(self.link.delay_ms + jitter);
        self.seq += 1;
        self.inflight.insert((at, self.seq), (to, from, bytes));
    }

    fn flush(&mut self, nodes: &mut [&mut dyn Node]) {
        let mut buf = vec![0u8; 65535];
        for i in 0..nodes.len() {
            let from_addr = nodes[i].addr();
            while let Some(t) = nodes[i].transmit(self.now, &mut buf) {
                let bytes = buf[..t.len].to_vec();
                let line = first_line(&bytes);
                self.log.push((self.now, from_addr, line.clone()));
                let Some(to) = nodes.iter().position(|n| n.addr() == t.destination) else {
                    continue;
                };
                if self.drop_if.as_mut().is_some_and(|f| f(&line)) {
                    continue;
                }
                let from = Peer {
                    addr: from_addr,
                    transport: t.transport,
                };
                let reliable = t.transport.is_reliable();
                if !reliable && self.chance(self.link.loss_permille) {
                    continue;
                }
                if !reliable && self.chance(self.link.dup_permille) {
                    self.enqueue(to, from, bytes.clone());
                }
                self.enqueue(to, from, bytes);
            }
        }
    }

    /// Runs until `until` (virtual time), delivering datagrams and firing timers in order.
    pub fn run_until(&mut self, nodes: &mut [&mut dyn Node], until: Instant) {
        for _ in 0..1_000_000 {
            for n in nodes.iter_mut() {
                n.process(self.now);
            }
            self.flush(nodes);
            let mut next = self.inflight.keys().next().map(|k| k.0);
            for n in nodes.iter_mut() {
                if let Some(d) = n.deadline() {
                    next = Some(next.map_or(d, |x: Instant| x.min(d)));
                }
            }
            let Some(next) = next.filter(|&n| n <= until) else {
                self.now = self.now.max(until);
                return;
            };
            self.now = self.now.max(next);
            while let Some(entry) = self.inflight.first_entry() {
                if entry.key().0 > self.now {
                    break;
                }
                let (to, from, bytes) = entry.remove();
                nodes[to].receive(self.now, from, &bytes);
                nodes[to].process(self.now);
            }
            for n in nodes.iter_mut() {
                if n.deadline().is_some_and(|d| d <= self.now) {
                    n.timeout(self.now);
                }
            }
        }
        panic!("simulation did not settle");
    }

    /// How many datagrams whose first line starts with `prefix` went on the wire.
    pub fn count(&self, prefix: &str) -> usize {
        self.log.iter().filter(|l| l.2.starts_with(prefix)).count()
    }
}

pub fn at(ms: u64) -> Instant {
    Instant::ZERO + Duration::from_millis(ms)
}

pub fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// A transaction layer with a scripted transaction user.
pub struct LayerNode {
    pub addr: SocketAddr,
    pub layer: TransactionLayer,
    pub events: Vec<(Instant, TransactionEvent)>,
    /// Called for each new event; may act on the layer (answer requests, …).
    pub tu: Box<dyn FnMut(Instant, &mut TransactionLayer, &TransactionEvent)>,
}

impl LayerNode {
    pub fn new(addr: SocketAddr, layer: TransactionLayer) -> Self {
        Self {
            addr,
            layer,
            events: Vec::new(),
            tu: Box::new(|_, _, _| {}),
        }
    }

    pub fn count(&self, f: impl Fn(&TransactionEvent) -> bool) -> usize {
        self.events.iter().filter(|(_, e)| f(e)).count()
    }
}

impl Node for LayerNode {
    fn addr(&self) -> SocketAddr {
        self.addr
    }
    fn receive(&mut self, now: Instant, from: Peer, bytes: &[u8]) {
        let _ = self.layer.handle_receive(now, from, bytes);
    }
    fn timeout(&mut self, now: Instant) {
        self.layer.handle_timeout(now);
    }
    fn transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<Transmit> {
        self.layer
            .poll_transmit(now, buf)
            .expect("64 KiB holds any SIP message")
    }
    fn deadline(&mut self) -> Option<Instant> {
        self.layer.poll_timeout()
    }
    fn process(&mut self, now: Instant) {
        while let Some(e) = self.layer.poll_event() {
            (self.tu)(now, &mut self.layer, &e);
            self.events.push((now, e));
        }
    }
}

/// A minimal request with the mandatory headers (§8.1.1).
pub fn request(method: &str, branch: &str, cseq: u32, transport: &str) -> Vec<u8> {
    format!(
        "{method} sip:bob@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/{transport} 192.0.2.1:5060;branch={branch}\r\n\
         Max-Forwards: 70\r\nFrom: <sip:alice@192.0.2.1>;tag=a1\r\nTo: <sip:bob@192.0.2.2>\r\n\
         Call-ID: call-{branch}\r\nCSeq: {cseq} {method}\r\nContent-Length: 0\r\n\r\n"
    )
    .into_bytes()
}

/// A response to a request built by [`request`].
pub fn response_to(req: &[u8], code: u16, reason: &str) -> Vec<u8> {
    use rtcweb_sip_core::message::{builder::MessageBuilder, Header, Message};
    let mut st = [Header::EMPTY; 32];
    let msg = Message::parse(req, &mut st).unwrap();
    MessageBuilder::response_to(&msg, code, reason.to_string(), Some("b1")).to_vec()
}

use rtcweb_sip_core::ua::{UaConfig, UaEvent, UserAgent};

/// A user agent with a scripted application.
pub struct UaNode {
    pub addr: SocketAddr,
    pub ua: UserAgent,
    pub events: Vec<(Instant, UaEvent)>,
    /// Called for each new event; may act on the UA (answer, hang up, …).
    pub app: Box<dyn FnMut(Instant, &mut UserAgent, &UaEvent)>,
}

impl UaNode {
    pub fn new(addr: SocketAddr, cfg: UaConfig) -> Self {
        Self {
            addr,
            ua: UserAgent::new(cfg),
            events: Vec::new(),
            app: Box::new(|_, _, _| {}),
        }
    }

    pub fn count(&self, f: impl Fn(&UaEvent) -> bool) -> usize {
        self.events.iter().filter(|(_, e)| f(e)).count()
    }
}

impl Node for UaNode {
    fn addr(&self) -> SocketAddr {
        self.addr
    }
    fn receive(&mut self, now: Instant, from: Peer, bytes: &[u8]) {
        let _ = self.ua.handle_receive(now, from, bytes);
    }
    fn timeout(&mut self, now: Instant) {
        self.ua.handle_timeout(now);
    }
    fn transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<Transmit> {
        self.ua
            .poll_transmit(now, buf)
            .expect("64 KiB holds any SIP message")
    }
    fn deadline(&mut self) -> Option<Instant> {
        self.ua.poll_timeout()
    }
    fn process(&mut self, now: Instant) {
        while let Some(e) = self.ua.poll_event() {
            (self.app)(now, &mut self.ua, &e);
            self.events.push((now, e));
        }
    }
}

pub const ALICE: &str = "192.0.2.1:5060";
pub const BOB: &str = "192.0.2.2:5060";

/// A UA config for `user` at `me` sending everything to `to`.
pub fn ua_config(user: &str, me: &str, to: &str, seed: u64) -> UaConfig {
    UaConfig::new(
        &format!("sip:{user}@example.com"),
        &format!("<sip:{user}@{me}>"),
        &format!("SIP/2.0/UDP {me}"),
        Peer::udp(addr(to)),
        seed32(seed),
    )
}

/// A test seed: `seed` spread over the 32 bytes the CSPRNG takes (tests only; production seeds
/// come from the OS).
pub fn seed32(seed: u64) -> [u8; 32] {
    let mut s = [0u8; 32];
    for (i, chunk) in s.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(&(seed ^ (i as u64).wrapping_mul(0x9E37_79B9)).to_le_bytes());
    }
    s
}

/// What a test registrar or proxy challenged `m` with (qop=auth): the other half of digest
/// verification, with `m`'s method and Request-URI.
pub fn challenged<'a>(
    m: &rtcweb_sip_core::message::Message<'a>,
    realm: &'a str,
    nonce: &'a str,
    algorithm: rtcweb_sip_core::auth::digest::Algorithm,
) -> rtcweb_sip_core::auth::digest::Challenged<'a> {
    use rtcweb_sip_core::auth::digest::{Challenged, NonceCheck, Qop};
    use rtcweb_sip_core::message::StartLine;
    let (method, request_uri) = match m.start_line() {
        StartLine::Request { method, uri } => (method.as_str(), *uri),
        StartLine::Response { .. } => ("", ""),
    };
    Challenged {
        realm,
        nonce: NonceCheck::Exact(nonce),
        algorithm,
        qop: Some(Qop::Auth),
        method,
        request_uri,
    }
}
