//! The state-machine tests' network: the test kit's (`rtcweb-testkit`) virtual clock and a link
//! that loses, duplicates, delays and reorders datagrams from a seeded PRNG, with SIP's view of
//! it — nodes for a transaction layer and a UA, the wire's log by first line. No sockets, no
//! sleeps.
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

use std::net::SocketAddr;
use std::ops::{Deref, DerefMut};

use rtcweb_sip_core::transaction::{
    BufferTooSmall, Peer, TransactionEvent, TransactionLayer, Transmit,
};
use rtcweb_sip_core::Instant;
pub use rtcweb_testkit::{Link, Net, Node};

/// The kit's [`Net`] with SIP's conveniences; derefs to it (`sim.now`, `sim.stats`, …).
pub struct Sim {
    pub net: Net,
}

impl Deref for Sim {
    type Target = Net;
    fn deref(&self) -> &Net {
        &self.net
    }
}

impl DerefMut for Sim {
    fn deref_mut(&mut self) -> &mut Net {
        &mut self.net
    }
}

impl Sim {
    pub fn new(seed: u64, link: Link) -> Self {
        Self {
            net: Net::new(seed, link),
        }
    }

    /// Runs every event up to `until` (virtual time), delivering datagrams and firing timers in
    /// order; then the clock stands at `until`.
    pub fn run_to(&mut self, nodes: &mut [&mut dyn Node], until: Instant) {
        self.net.run_to(nodes, until);
    }

    /// Drops the datagrams whose first line `f` picks (before random loss).
    pub fn drop_lines(&mut self, mut f: impl FnMut(&str) -> bool + Send + 'static) {
        self.net.drop_if(move |d| f(&d.first_line()));
    }

    /// Every datagram put on the wire: (time, from, first line).
    pub fn log(&self) -> Vec<(Instant, SocketAddr, String)> {
        self.net
            .log
            .iter()
            .map(|s| (s.at, s.datagram.from, s.datagram.first_line()))
            .collect()
    }

    /// How many datagrams whose first line starts with `prefix` went on the wire.
    pub fn count(&self, prefix: &str) -> usize {
        self.net
            .count(|s| s.datagram.first_line().starts_with(prefix))
    }
}

/// The first line of a message (its start line).
pub fn first_line(b: &[u8]) -> String {
    rtcweb_testkit::first_line(b)
}

/// The sender as sip-core's transaction layer names it.
fn sip_peer(from: rtcweb_testkit::Peer) -> Peer {
    Peer {
        addr: from.addr,
        transport: from.transport,
    }
}

/// `ms` milliseconds into the run.
pub fn at(ms: u64) -> Instant {
    rtcweb_testkit::ms(ms)
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
    fn handle_receive(&mut self, now: Instant, from: rtcweb_testkit::Peer, bytes: &[u8]) {
        let _ = self.layer.handle_receive(now, sip_peer(from), bytes);
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.layer.handle_timeout(now);
    }
    fn poll_transmit(
        &mut self,
        now: Instant,
        buf: &mut [u8],
    ) -> Result<Option<Transmit>, BufferTooSmall> {
        self.layer.poll_transmit(now, buf)
    }
    fn poll_timeout(&self) -> Option<Instant> {
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
    fn handle_receive(&mut self, now: Instant, from: rtcweb_testkit::Peer, bytes: &[u8]) {
        let _ = self.ua.handle_receive(now, sip_peer(from), bytes);
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.ua.handle_timeout(now);
    }
    fn poll_transmit(
        &mut self,
        now: Instant,
        buf: &mut [u8],
    ) -> Result<Option<Transmit>, BufferTooSmall> {
        self.ua.poll_transmit(now, buf)
    }
    fn poll_timeout(&self) -> Option<Instant> {
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

/// A test seed: `seed` spread over the 32 bytes the CSPRNG takes by the kit's [`SimRng`]
/// (tests only; production seeds come from the OS).
///
/// [`SimRng`]: rtcweb_testkit::SimRng
pub fn seed32(seed: u64) -> [u8; 32] {
    rtcweb_testkit::SimRng::new(seed).seed()
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
