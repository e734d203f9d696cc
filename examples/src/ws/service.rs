//! The SIP side of the WebSocket server, Sans-IO: a [`TransactionLayer`] whose transaction user is
//! the [registrar](super::registrar) plus a small UAS (OPTIONS and MESSAGE answered 200, other
//! methods 405), and a UAC that sends OPTIONS or MESSAGE to the contacts of a registered address of
//! record over the connection each was registered on.
//!
//! Every peer is `Peer { addr: <the connection's remote address>, transport: Ws }`: the layer
//! answers a request to the peer it came from (symmetric response), never to its Via, so the
//! `.invalid` hosts browsers put in Via and Contact (RFC 7118 §5) do not matter.
//!
//! Call order: [`Service::handle_message`] / [`Service::connection_closed`] /
//! [`Service::send_request`] / [`Service::handle_timeout`] in; then drain
//! [`Service::poll_transmit`] (each [`Transmit`] names the connection by its remote address), then
//! [`Service::poll_event`], then read [`Service::poll_timeout`].

use std::collections::{BTreeMap, VecDeque};

use rtcweb_proto::BufferTooSmall;
use rtcweb_sip_core::header::{split_list, TypedHeader, Via};
use rtcweb_sip_core::message::builder::MessageBuilder;
use rtcweb_sip_core::message::{Header, HeaderName, Message, Method};
use rtcweb_sip_core::transaction::{
    IdGenerator, LayerConfig, LayerError, Peer, TransactionEvent, TransactionLayer, Transmit,
    Transport, TxId,
};
use rtcweb_sip_core::Instant;

use super::registrar::{Registrar, RegistrarConfig, RegistrarEvent};

/// The methods the service answers (§20.5).
pub const ALLOW: &str = "REGISTER, OPTIONS, MESSAGE";

const HEADERS: usize = 128;

/// Who the service is.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// The registrar (domain, realm, users, expiry bounds).
    pub registrar: RegistrarConfig,
    /// Our Via sent-by for requests we send, e.g. `127.0.0.1:8080` (RFC 7118 §5: transport `WS`).
    pub via_sent_by: String,
    /// Our identity in From of requests we send, e.g. `sip:rtcweb@example.com`.
    pub identity: String,
    /// The transaction layer's bounds and timers.
    pub layer: LayerConfig,
    /// Key of the CSPRNG behind tags, branches, Call-IDs and nonces (32 bytes from the OS).
    pub seed: [u8; 32],
}

impl ServiceConfig {
    /// A service for `domain` with these users, sending with Via sent-by `via_sent_by`.
    #[must_use]
    pub fn new(domain: &str, users: &[(&str, &str)], via_sent_by: &str, seed: [u8; 32]) -> Self {
        Self {
            registrar: RegistrarConfig::new(domain, users),
            via_sent_by: via_sent_by.into(),
            identity: format!("sip:rtcweb@{domain}"),
            layer: LayerConfig::default(),
            seed,
        }
    }
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServiceEvent {
    /// From the registrar: a REGISTER answered, a binding added or removed.
    Registrar(RegistrarEvent),
    /// An OPTIONS or MESSAGE from a client, answered 200.
    Request {
        /// The connection it came over.
        peer: Peer,
        /// The method.
        method: String,
        /// Its From URI.
        from: String,
        /// Its Request-URI.
        request_uri: String,
        /// Its body.
        body: Vec<u8>,
    },
    /// The final response to a request we sent.
    Response {
        /// Our client transaction.
        tx: TxId,
        /// The method we sent.
        method: String,
        /// The contact we sent it to.
        target: String,
        /// The status code.
        status: u16,
    },
    /// No final response came in time (Timer F, RFC 3261 §17.1.2.2).
    Timeout {
        /// Our client transaction.
        tx: TxId,
        /// The method we sent.
        method: String,
        /// The contact we sent it to.
        target: String,
    },
    /// A message from a client was dropped (unparsable, unmatchable, invalid).
    Dropped {
        /// Who sent it.
        peer: Peer,
        /// Why.
        reason: String,
    },
}

/// Why [`Service::send_request`] sent nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SendError {
    /// The address of record has no binding.
    NotRegistered(String),
    /// The transaction layer refused the request.
    Layer(LayerError),
}

impl core::fmt::Display for SendError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::NotRegistered(aor) => write!(f, "{aor} is not registered"),
            Self::Layer(e) => write!(f, "transaction layer: {e}"),
        }
    }
}

impl std::error::Error for SendError {}

impl From<LayerError> for SendError {
    fn from(e: LayerError) -> Self {
        Self::Layer(e)
    }
}

/// The service. See the [module docs](self).
#[derive(Debug)]
pub struct Service {
    cfg: ServiceConfig,
    layer: TransactionLayer,
    registrar: Registrar,
    ids: IdGenerator,
    /// Our client transactions: method and target.
    outgoing: BTreeMap<TxId, (String, String)>,
    events: VecDeque<ServiceEvent>,
}

impl Service {
    /// A service.
    #[must_use]
    pub fn new(cfg: ServiceConfig) -> Self {
        let mut ids = IdGenerator::new(cfg.seed);
        let registrar = Registrar::new(cfg.registrar.clone(), ids.seed32());
        Self {
            layer: TransactionLayer::new(cfg.layer),
            registrar,
            ids,
            cfg,
            outgoing: BTreeMap::new(),
            events: VecDeque::new(),
        }
    }

    /// The registrar (its bindings).
    #[must_use]
    pub const fn registrar(&self) -> &Registrar {
        &self.registrar
    }

    /// One SIP message arrived in one WebSocket frame from `peer` (RFC 7118 §5).
    pub fn handle_message(&mut self, now: Instant, peer: Peer, message: &[u8]) {
        if let Err(e) = self.layer.handle_receive(now, peer, message) {
            self.events.push_back(ServiceEvent::Dropped {
                peer,
                reason: e.to_string(),
            });
        }
        self.pump(now);
    }

    /// The connection to `peer` closed: its bindings go (RFC 5626 §5.2). Transactions towards it
    /// time out on their own.
    pub fn connection_closed(&mut self, now: Instant, peer: Peer) {
        self.registrar.connection_closed(peer);
        self.pump(now);
    }

    /// Sends `method` (OPTIONS or MESSAGE, with an optional `(content type, body)`) to every
    /// contact bound to `aor` (`sip:user@domain`), each over the connection it registered on
    /// (RFC 5626 §5.3: requests follow the flow). Returns one client transaction per contact.
    ///
    /// # Errors
    /// [`SendError::NotRegistered`] without bindings, [`SendError::Layer`] if the layer refuses.
    pub fn send_request(
        &mut self,
        now: Instant,
        method: Method<'_>,
        aor: &str,
        body: Option<(&str, &[u8])>,
    ) -> Result<Vec<TxId>, SendError> {
        let targets: Vec<(String, Peer)> = self
            .registrar
            .bindings(aor)
            .map(|b| (b.contact.clone(), b.peer))
            .collect();
        if targets.is_empty() {
            return Err(SendError::NotRegistered(aor.into()));
        }
        let mut txs = Vec::new();
        for (contact, peer) in targets {
            let mut b = MessageBuilder::request(method, contact.as_str());
            b.add_header(
                "Via",
                format!(
                    "SIP/2.0/{} {};branch={}",
                    peer.transport.via_token(),
                    self.cfg.via_sent_by,
                    self.ids.branch()
                ),
            );
            b.add_header("Max-Forwards", "70");
            b.add_header(
                "From",
                format!("<{}>;tag={}", self.cfg.identity, self.ids.tag()),
            );
            b.add_header("To", format!("<{aor}>"));
            b.add_header("Call-ID", self.ids.call_id());
            b.add_header("CSeq", format!("1 {}", method.as_str()));
            if let Some((content_type, body)) = body {
                b.set_body(body, Some(content_type));
            }
            let tx = self.layer.send_request(now, peer, &b.to_vec())?;
            self.outgoing
                .insert(tx, (method.as_str().to_string(), contact));
            txs.push(tx);
        }
        self.pump(now);
        Ok(txs)
    }

    /// Time moved on: transaction timers and binding expiry.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.layer.handle_timeout(now);
        self.registrar.handle_timeout(now);
        self.pump(now);
    }

    /// The next message to send: `Transmit::destination` is the remote address of the
    /// connection to write it on, one frame.
    ///
    /// # Errors
    /// [`BufferTooSmall`]: the message stays queued.
    pub fn poll_transmit(
        &mut self,
        now: Instant,
        buf: &mut [u8],
    ) -> Result<Option<Transmit>, BufferTooSmall> {
        self.layer.poll_transmit(now, buf)
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<ServiceEvent> {
        self.events.pop_front()
    }

    /// When to call [`Self::handle_timeout`].
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        match (self.layer.poll_timeout(), self.registrar.poll_timeout()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Hands every transaction event to its user, and collects the registrar's events.
    fn pump(&mut self, now: Instant) {
        while let Some(ev) = self.layer.poll_event() {
            match ev {
                TransactionEvent::Request { tx, peer, message } => {
                    self.on_request(now, tx, peer, &message);
                }
                TransactionEvent::Response { tx, message } => self.on_response(tx, &message),
                TransactionEvent::Timeout { tx } => {
                    if let Some((method, target)) = self.outgoing.remove(&tx) {
                        self.events
                            .push_back(ServiceEvent::Timeout { tx, method, target });
                    }
                }
                TransactionEvent::Terminated { tx } => {
                    self.outgoing.remove(&tx);
                }
                // An ACK for a 2xx or a stray response: no INVITE is ever answered 2xx here.
                _ => {}
            }
        }
        while let Some(ev) = self.registrar.poll_event() {
            self.events.push_back(ServiceEvent::Registrar(ev));
        }
    }

    fn on_request(&mut self, now: Instant, tx: TxId, peer: Peer, bytes: &[u8]) {
        let mut st = [Header::EMPTY; HEADERS];
        let Ok(msg) = Message::parse(bytes, &mut st) else {
            return; // the layer parsed it already
        };
        let response = match msg.method() {
            Some(Method::Register) => self.registrar.handle_register(now, peer, &msg),
            Some(m @ (Method::Options | Method::Message)) => {
                self.events.push_back(ServiceEvent::Request {
                    peer,
                    method: m.as_str().to_string(),
                    from: msg
                        .typed::<rtcweb_sip_core::header::FromHeader>()
                        .ok()
                        .flatten()
                        .map(|f| f.0.uri.to_string())
                        .unwrap_or_default(),
                    request_uri: msg.request_uri().unwrap_or_default().to_string(),
                    body: msg.body().to_vec(),
                });
                let mut b = MessageBuilder::response_to(&msg, 200, "OK", Some(&self.ids.tag()));
                b.add_header("Allow", ALLOW);
                b.to_vec()
            }
            Some(Method::Cancel) => {
                MessageBuilder::response_to(&msg, 481, "Call/Transaction Does Not Exist", None)
                    .to_vec()
            }
            _ => {
                let mut b = MessageBuilder::response_to(
                    &msg,
                    405,
                    "Method Not Allowed",
                    Some(&self.ids.tag()),
                );
                b.add_header("Allow", ALLOW);
                b.to_vec()
            }
        };
        let response = stamp_via(&response, peer);
        if let Err(e) = self.layer.send_response(now, tx, &response) {
            log::warn!("ws: response to {peer:?} not sent: {e}");
        }
    }

    fn on_response(&mut self, tx: TxId, bytes: &[u8]) {
        let mut st = [Header::EMPTY; HEADERS];
        let Some(status) = Message::parse(bytes, &mut st).ok().and_then(|m| m.status()) else {
            return;
        };
        if status < 200 {
            return;
        }
        if let Some((method, target)) = self.outgoing.remove(&tx) {
            self.events.push_back(ServiceEvent::Response {
                tx,
                method,
                target,
                status,
            });
        }
    }
}

/// RFC 3261 §18.2.1 and RFC 3581 §4 on a response: the top Via gets `received` with the
/// connection's IP (a browser's sent-by is an `.invalid` name, RFC 7118 §5) and a requested
/// `rport` gets the port. The response still goes over the connection, whatever the Via says.
#[must_use]
pub fn stamp_via(response: &[u8], peer: Peer) -> Vec<u8> {
    let mut st = [Header::EMPTY; HEADERS];
    let Ok(msg) = Message::parse(response, &mut st) else {
        return response.to_vec();
    };
    let Some(line) = msg.header("via").map(|h| h.value()) else {
        return response.to_vec();
    };
    let Some((top, at)) = split_list(line).next() else {
        return response.to_vec();
    };
    let Ok(via) = Via::parse(top) else {
        return response.to_vec();
    };
    let mut value = format!(
        "{}/{}/{} {}",
        via.protocol, via.version, via.transport, via.host
    );
    if let Some(port) = via.port {
        value.push_str(&format!(":{port}"));
    }
    for (name, v) in via.params.iter() {
        match v {
            None if name.eq_ignore_ascii_case("rport") => {
                value.push_str(&format!(";rport={}", peer.addr.port()));
            }
            None => value.push_str(&format!(";{name}")),
            Some(v) => value.push_str(&format!(";{name}={v}")),
        }
    }
    if via.received().is_none() {
        value.push_str(&format!(";received={}", peer.addr.ip()));
    }
    // The rest of the header line: further Via values written on the same line.
    value.push_str(line.get(at + top.len()..).unwrap_or_default());
    let mut b = MessageBuilder::from_message(&msg);
    let Some(index) = msg.headers().iter().position(|h| h.id() == HeaderName::Via) else {
        return response.to_vec();
    };
    b.remove_first("Via");
    b.insert_header(index, "Via", value);
    b.to_vec()
}

/// A WebSocket peer at `addr` (RFC 7118 transport `WS`).
#[must_use]
pub const fn ws_peer(addr: std::net::SocketAddr) -> Peer {
    Peer {
        addr,
        transport: Transport::Ws,
    }
}
