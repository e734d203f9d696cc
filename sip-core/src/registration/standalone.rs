//! [`RegistrationClient`]: a [`Registration`] with its own transaction layer, for an endpoint
//! that only registers (a desk phone's line, a gateway's trunk registration, a monitoring probe)
//! and wants the family's one verb set rather than a transaction user to wire up.

use alloc::collections::VecDeque;

use super::client::{Registration, RegistrationConfig, RegistrationEvent, RegistrationState};
use crate::message::builder::MessageBuilder;
use crate::message::{Header, Message, Method};
use crate::transaction::{
    BufferTooSmall, LayerConfig, LayerError, Peer, TransactionEvent, TransactionLayer, Transmit,
    TxId,
};
use crate::Instant;

/// Events queued before the application reads them; older ones are dropped past this (the
/// registration's own queue is bounded the same way).
const MAX_EVENTS: usize = 64;

/// Header fields read from a received message (as many as the transaction layer reads).
const HEADERS: usize = 128;

/// RFC 5626 §4.4.1 keep-alive over a stream transport: a double CRLF, answered by a single one.
const CRLF_PING: &[u8] = b"\r\n\r\n";

/// REGISTER on the one verb set (RFC 3261 §10.2): `register`/`unregister` in,
/// `handle_receive(now, from, bytes)`, `handle_timeout(now)`, then
/// `poll_transmit(now, buf)` → datagrams for the registrar, `poll_event()` →
/// [`RegistrationEvent`]s, `poll_timeout()` → the next deadline. Requests are sent through
/// client transactions (retransmitted over UDP by Timer E, timed out by Timer F, §17.1.2); the
/// registration state machine underneath does the challenge, 423, refresh, back-off and RFC 5626
/// keep-alive timing as [`Registration`] documents.
///
/// Over a stream transport the RFC 5626 keep-alive (a double CRLF) is sent here; over UDP it is
/// reported as [`RegistrationEvent::KeepAlive`] for the application to send a STUN binding
/// request on the same flow (RFC 5626 §4.4.2). Requests from the registrar's side are answered:
/// OPTIONS with 200 (a proxy's liveness probe), anything else with 405 and `Allow: OPTIONS`.
///
/// ```
/// use rtcweb_sip_core::registration::{RegistrationClient, RegistrationConfig, RegistrationEvent};
/// use rtcweb_sip_core::transaction::{LayerConfig, Peer, Transport};
/// use rtcweb_sip_core::Instant;
///
/// let cfg = RegistrationConfig::new(
///     "sip:example.com",
///     "sip:alice@example.com",
///     "<sip:alice@192.0.2.1:5060>",
///     "SIP/2.0/UDP 192.0.2.1:5060",
/// );
/// let registrar = Peer { addr: "192.0.2.9:5060".parse().unwrap(), transport: Transport::Udp };
/// let mut client = RegistrationClient::new(cfg, registrar, LayerConfig::default(), [7; 32]);
/// let now = Instant::from_nanos(0);
/// client.register(now);
/// let mut buf = [0u8; 1500];
/// let t = client.poll_transmit(now, &mut buf).unwrap().unwrap();
/// assert_eq!(t.destination, registrar.addr);
/// assert!(buf[..t.len].starts_with(b"REGISTER sip:example.com SIP/2.0\r\n"));
/// // No answer: Timer E retransmits, Timer F gives up after 64*T1, the registration fails.
/// let mut now = now;
/// while let Some(at) = client.poll_timeout() {
///     now = at;
///     client.handle_timeout(now);
///     while client.poll_transmit(now, &mut buf).unwrap().is_some() {}
///     if let Some(RegistrationEvent::Failed { code: None }) = client.poll_event() {
///         break;
///     }
/// }
/// assert_eq!(now.as_nanos(), 32_000_000_000);
/// ```
#[derive(Debug)]
pub struct RegistrationClient {
    registration: Registration,
    layer: TransactionLayer,
    registrar: Peer,
    /// The REGISTER transaction in flight.
    tx: Option<TxId>,
    events: VecDeque<RegistrationEvent>,
}

impl RegistrationClient {
    /// A client registering `cfg` at `registrar` through a transaction layer configured by
    /// `layer`. `seed` (32 bytes from the OS's secure source) keys the CSPRNG behind the
    /// Call-ID, tag, branches and cnonces.
    #[must_use]
    pub fn new(
        cfg: RegistrationConfig,
        registrar: Peer,
        layer: LayerConfig,
        seed: [u8; 32],
    ) -> Self {
        Self {
            registration: Registration::new(cfg, seed),
            layer: TransactionLayer::new(layer),
            registrar,
            tx: None,
            events: VecDeque::new(),
        }
    }

    /// The registration state machine underneath (state, Call-ID).
    #[must_use]
    pub const fn registration(&self) -> &Registration {
        &self.registration
    }

    /// The current state.
    #[must_use]
    pub const fn state(&self) -> RegistrationState {
        self.registration.state()
    }

    /// Where REGISTERs go.
    #[must_use]
    pub const fn registrar(&self) -> Peer {
        self.registrar
    }

    /// Registers (or refreshes now).
    pub fn register(&mut self, now: Instant) {
        self.registration.register(now);
        self.pump(now);
    }

    /// Removes the binding (`Expires: 0`) and stops refreshing.
    pub fn unregister(&mut self, now: Instant) {
        self.registration.unregister(now);
        self.pump(now);
    }

    /// A datagram (or one framed message) arrived from `from`.
    ///
    /// # Errors
    /// [`LayerError`] when the transaction layer dropped it (malformed, unmatched, too large).
    pub fn handle_receive(
        &mut self,
        now: Instant,
        from: Peer,
        bytes: &[u8],
    ) -> Result<(), LayerError> {
        if from.transport.is_reliable() && bytes == b"\r\n" {
            // The pong to our keep-alive (RFC 5626 §4.4.1): nothing to do.
            return Ok(());
        }
        // One parse: the layer and the registration read the same view (as the UA does).
        let mut st = [Header::EMPTY; HEADERS];
        let msg = match self.layer.parse_received(from, bytes, &mut st) {
            Ok(m) => m,
            Err(e) => {
                self.pump(now);
                return Err(e);
            }
        };
        let fresh = self.layer.queued_events() == 0;
        let result = self.layer.dispatch(now, from, &msg, bytes);
        self.pump_with(now, fresh.then_some(&msg));
        result
    }

    /// Time moved on: retransmissions, transaction timeouts, refresh, retry and keep-alive.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.layer.handle_timeout(now);
        self.pump(now);
        self.registration.handle_timeout(now);
        self.pump(now);
    }

    /// The next datagram to send, written into `buf`; nothing is dropped when `buf` is too
    /// small ([`BufferTooSmall`] says how large it must be). Changes no protocol state.
    ///
    /// # Errors
    /// [`BufferTooSmall`] when the next message does not fit in `buf`.
    pub fn poll_transmit(
        &mut self,
        now: Instant,
        buf: &mut [u8],
    ) -> Result<Option<Transmit>, BufferTooSmall> {
        self.layer.poll_transmit(now, buf)
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<RegistrationEvent> {
        self.events.pop_front()
    }

    /// When to call [`Self::handle_timeout`] next.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        match (self.layer.poll_timeout(), self.registration.poll_timeout()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Moves work between the parts until nothing moves: REGISTERs into transactions, layer
    /// events into the registration, registration events out.
    fn pump(&mut self, now: Instant) {
        self.pump_with(now, None);
    }

    /// [`Self::pump`] with the view of the message just dispatched, for the one layer event
    /// that carries it (the queue having been empty), instead of parsing the event's copy.
    fn pump_with(&mut self, now: Instant, mut received: Option<&Message<'_>>) {
        // Each round consumes one queued item; both queues are bounded.
        for _ in 0..1_000 {
            let mut progressed = false;
            if let Some(req) = self.registration.poll_request() {
                progressed = true;
                match self.layer.send_request(now, self.registrar, &req) {
                    Ok(tx) => self.tx = Some(tx),
                    Err(_) => self.registration.handle_transaction_timeout(now),
                }
            }
            if let Some(e) = self.layer.poll_event() {
                progressed = true;
                self.on_layer_event(now, e, &mut received);
            }
            if let Some(e) = self.registration.poll_event() {
                progressed = true;
                if matches!(e, RegistrationEvent::KeepAlive)
                    && self.registrar.transport.is_reliable()
                {
                    self.layer.send_stateless(self.registrar, CRLF_PING);
                } else {
                    if self.events.len() >= MAX_EVENTS {
                        self.events.pop_front();
                    }
                    self.events.push_back(e);
                }
            }
            if !progressed {
                break;
            }
        }
    }

    fn on_layer_event(
        &mut self,
        now: Instant,
        e: TransactionEvent,
        received: &mut Option<&Message<'_>>,
    ) {
        // The message a handled event carries (ACKs and stray responses are ignored): the view
        // of the datagram just received when it is that one, else its copy parsed.
        let message = match &e {
            TransactionEvent::Response { tx, message } if self.tx == Some(*tx) => Some(message),
            TransactionEvent::Request { message, .. } => Some(message),
            _ => None,
        };
        let mut st = [Header::EMPTY; HEADERS];
        let parsed;
        let msg = match (message, received.take()) {
            (Some(_), Some(m)) => Some(m),
            (Some(raw), None) => match Message::parse(raw, &mut st) {
                Ok(m) => {
                    parsed = m;
                    Some(&parsed)
                }
                Err(_) => return,
            },
            (None, _) => None,
        };
        match (&e, msg) {
            (TransactionEvent::Response { tx, .. }, Some(msg)) if self.tx == Some(*tx) => {
                let fin = msg.status().is_some_and(|c| c >= 200);
                self.registration.handle_response(now, msg);
                if fin {
                    self.tx = None;
                }
            }
            (TransactionEvent::Timeout { tx }, _) if self.tx == Some(*tx) => {
                self.tx = None;
                self.registration.handle_transaction_timeout(now);
            }
            (TransactionEvent::Request { tx, .. }, Some(req)) => self.answer(now, *tx, req),
            _ => {}
        }
    }

    /// Answers a request from the network: 200 to OPTIONS, 405 to anything else (§8.2.1).
    fn answer(&mut self, now: Instant, tx: TxId, req: &Message<'_>) {
        let (code, reason) = if req.method() == Some(Method::Options) {
            (200, "OK")
        } else {
            (405, "Method Not Allowed")
        };
        let mut response = MessageBuilder::response_to(req, code, reason, None);
        response.add_header("Allow", "OPTIONS");
        let _ = self.layer.send_response(now, tx, &response.to_vec());
    }
}
