//! [`UserAgent`]: the UA's state, its poll verbs and its event pump; what the application asks
//! is in `control.rs`, time in `timers.rs`, the two roles in `uac.rs` and `uas.rs`.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::format;
use alloc::string::String;
use rtcweb_proto::BufferTooSmall;

use super::call::{Call, CallState};
use super::calls::Calls;
use super::config::UaConfig;
use super::event::{CallHandle, EndReason, UaEvent};
use super::sent_invites::SentInvites;
use crate::dialog::Dialog;
use crate::message::builder::MessageBuilder;
use crate::message::{Header, Message, Method};
use crate::registration::{Registration, RegistrationConfig, RegistrationEvent};
use crate::transaction::{
    IdGenerator, LayerError, Peer, TransactionEvent, TransactionLayer, Transmit, TxId,
};
use crate::Instant;

/// Errors of calls into the UA.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UaError {
    /// No such call (ended, or never existed).
    #[error("no such call")]
    NoCall,
    /// The call's state does not allow this.
    #[error("not allowed in call state {0:?}")]
    WrongState(CallState),
    /// [`UaConfig::max_calls`] reached.
    #[error("call limit reached")]
    Limit,
    /// The transaction layer refused.
    #[error("transaction layer: {0}")]
    Layer(#[from] LayerError),
    /// A reliable provisional response is still unacknowledged: another must wait for its
    /// PRACK (RFC 3262 §3).
    #[error("a reliable provisional response awaits its PRACK")]
    ProvisionalPending,
    /// An offer of ours (re-INVITE or UPDATE) is still outstanding (RFC 3261 §14.1).
    #[error("an offer is outstanding")]
    OfferPending,
}

/// Why a client transaction was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    Invite(u64),
    Cancel,
    Bye(u64),
    Refresh(u64),
    Reoffer(u64),
    Refer(u64),
    InDialog,
    Register,
    Options,
}

/// A user agent (Sans-IO). See the [module docs](super).
///
/// Call order: `handle_receive` / `handle_timeout` / the call verbs in; then drain
/// [`Self::poll_transmit`], then [`Self::poll_event`], then read [`Self::poll_timeout`].
///
/// ```
/// use rtcweb_sip_core::transaction::Peer;
/// use rtcweb_sip_core::ua::{UaConfig, UaEvent, UserAgent};
/// use rtcweb_sip_core::Instant;
///
/// let (a, b) = ("192.0.2.1:5060".parse().unwrap(), "192.0.2.2:5060".parse().unwrap());
/// let cfg = |u: &str, me, to| UaConfig::new(&format!("sip:{u}@example.com"),
///     &format!("<sip:{u}@{me}>"), &format!("SIP/2.0/UDP {me}"), Peer::udp(to), [7; 32]);
/// let mut alice = UserAgent::new(cfg("alice", a, b));
/// let mut bob = UserAgent::new(cfg("bob", b, a));
/// let (now, mut buf) = (Instant::ZERO, vec![0u8; 65535]);
/// alice.call(now, "sip:bob@example.com", b"v=0\r\n").unwrap();
/// for _ in 0..4 { // shuttle datagrams both ways; answer when the INVITE arrives
///     while let Ok(Some(t)) = alice.poll_transmit(now, &mut buf) { bob.handle_receive(now, Peer::udp(a), &buf[..t.len]).ok(); }
///     while let Some(UaEvent::IncomingCall { call, .. }) = bob.poll_event() { bob.answer(now, call, b"v=0\r\n").unwrap(); }
///     while let Ok(Some(t)) = bob.poll_transmit(now, &mut buf) { alice.handle_receive(now, Peer::udp(b), &buf[..t.len]).ok(); }
/// }
/// assert!(std::iter::from_fn(|| alice.poll_event()).any(|e| matches!(e, UaEvent::Answered { .. })));
/// ```
#[derive(Debug)]
pub struct UserAgent {
    pub(crate) cfg: UaConfig,
    pub(crate) layer: TransactionLayer,
    pub(crate) ids: IdGenerator,
    /// Calls by handle, indexed by local tag and INVITE transaction, deadlines in a heap.
    pub(crate) calls: Calls,
    pub(crate) next_call: u64,
    pub(crate) txs: BTreeMap<TxId, Purpose>,
    pub(crate) registration: Registration,
    pub(crate) events: VecDeque<UaEvent>,
    pub(crate) dropped_events: u64,
    /// Recent INVITEs of ours, the only ones a stray 2xx may answer.
    pub(crate) sent_invites: SentInvites,
    /// Stray 2xx dropped because they answer no INVITE of ours.
    pub(crate) stray_dropped: u64,
}

pub(crate) const HEADERS: usize = 128;

/// What we can do, for Allow (§20.5).
pub(crate) const ALLOW: &str =
    "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, MESSAGE, NOTIFY, REFER";

impl UserAgent {
    /// A UA.
    #[must_use]
    pub fn new(cfg: UaConfig) -> Self {
        let mut ids = IdGenerator::new(cfg.seed);
        let mut rc = RegistrationConfig::new(&cfg.registrar, &cfg.aor, &cfg.contact, &cfg.via);
        rc.expires = cfg.register_expires;
        rc.credentials.clone_from(&cfg.credentials);
        rc.instance_id.clone_from(&cfg.instance_id);
        let registration = Registration::new(rc, ids.seed32());
        Self {
            layer: TransactionLayer::new(cfg.layer),
            ids,
            calls: Calls::default(),
            next_call: 0,
            txs: BTreeMap::new(),
            registration,
            events: VecDeque::new(),
            dropped_events: 0,
            sent_invites: SentInvites::new(cfg.max_sent_invites),
            stray_dropped: 0,
            cfg,
        }
    }

    /// The configuration.
    #[must_use]
    pub const fn config(&self) -> &UaConfig {
        &self.cfg
    }

    /// The transaction layer (read-only: states, counters).
    #[must_use]
    pub const fn transactions(&self) -> &TransactionLayer {
        &self.layer
    }

    /// The registration client.
    #[must_use]
    pub const fn registration(&self) -> &Registration {
        &self.registration
    }

    /// A call's state; `None` once it ended.
    #[must_use]
    pub fn call_state(&self, call: CallHandle) -> Option<CallState> {
        self.calls.get(&call.0).map(|c| c.state)
    }

    /// A call's confirmed dialog.
    #[must_use]
    pub fn dialog(&self, call: CallHandle) -> Option<&Dialog> {
        self.calls.get(&call.0).and_then(Call::dialog)
    }

    /// Early dialogs of an outgoing call (one per fork that answered with a tag).
    #[must_use]
    pub fn early_dialogs(&self, call: CallHandle) -> &[Dialog] {
        self.calls
            .get(&call.0)
            .map_or(&[], |c| c.dialogs.as_slice())
    }

    /// Live calls.
    #[must_use]
    pub fn call_count(&self) -> usize {
        self.calls.len()
    }

    /// Events dropped because the queue was full.
    #[must_use]
    pub const fn dropped_events(&self) -> u64 {
        self.dropped_events
    }

    /// Stray 2xx responses dropped because they answer no INVITE this UA sent (§18.1.2): a
    /// rising count means someone is spoofing responses.
    #[must_use]
    pub const fn stray_responses_dropped(&self) -> u64 {
        self.stray_dropped
    }

    /// The transaction layer's counters (live transactions, 503s at the limit, drops).
    #[must_use]
    pub fn transaction_stats(&self) -> crate::transaction::TransactionStats {
        self.layer.stats()
    }

    pub(crate) fn event(&mut self, e: UaEvent) {
        let (what, call) = e.summary();
        match &e {
            UaEvent::CallFailed { code, .. } => {
                rtcweb_proto::log_info!("ua: {what} {call:?}: status {code:?}");
            }
            UaEvent::CallEnded { reason, .. } => {
                rtcweb_proto::log_info!("ua: {what} {call:?}: {reason:?}");
            }
            UaEvent::RegistrationFailed { code } => {
                rtcweb_proto::log_info!("ua: {what}: status {code:?}");
            }
            _ => rtcweb_proto::log_debug!("ua: {what} {call:?}"),
        }
        if self.events.len() >= self.cfg.max_events {
            rtcweb_proto::log_warn!(
                "ua: event queue full ({}), {what} dropped",
                self.cfg.max_events
            );
            self.dropped_events += 1;
        } else {
            self.events.push_back(e);
        }
    }

    pub(crate) fn via(&mut self) -> String {
        format!("{};branch={};rport", self.cfg.via, self.ids.branch())
    }

    pub(crate) fn new_call_handle(&mut self) -> CallHandle {
        let h = CallHandle(self.next_call);
        self.next_call += 1;
        h
    }

    pub(crate) fn send(
        &mut self,
        now: Instant,
        request: &[u8],
        purpose: Purpose,
    ) -> Result<TxId, UaError> {
        self.send_to(now, self.cfg.proxy, request, purpose)
    }

    /// Sends a request through a client transaction to `peer` (a call's own peer: where its
    /// INVITE went, or where the peer's INVITE came from).
    pub(crate) fn send_to(
        &mut self,
        now: Instant,
        peer: Peer,
        request: &[u8],
        purpose: Purpose,
    ) -> Result<TxId, UaError> {
        let tx = self.layer.send_request(now, peer, request)?;
        self.txs.insert(tx, purpose);
        Ok(tx)
    }

    /// The peer a call's requests go to.
    pub(crate) fn call_peer(&self, id: u64) -> Peer {
        self.calls.get(&id).map_or(self.cfg.proxy, |c| c.peer)
    }

    /// Registers (or refreshes) with the registrar; refreshes then happen by themselves.
    pub fn register(&mut self, now: Instant) {
        self.registration.register(now);
        self.pump(now);
    }

    /// Removes our binding.
    pub fn unregister(&mut self, now: Instant) {
        self.registration.unregister(now);
        self.pump(now);
    }

    /// Sends OPTIONS to `target` (§11); the answer comes as [`UaEvent::OptionsResponse`].
    ///
    /// # Errors
    /// A transaction-layer refusal.
    pub fn options(&mut self, now: Instant, target: &str) -> Result<(), UaError> {
        let via = self.via();
        let mut b = MessageBuilder::request(Method::Options, target);
        b.add_header("Via", via);
        b.add_header("Max-Forwards", "70");
        b.add_header("From", format!("<{}>;tag={}", self.cfg.aor, self.ids.tag()));
        b.add_header("To", format!("<{target}>"));
        b.add_header("Call-ID", self.ids.call_id());
        b.add_header("CSeq", "1 OPTIONS");
        b.add_header("Contact", self.cfg.contact.as_str());
        b.add_header("Accept", "application/sdp");
        let req = b.to_vec();
        self.send(now, &req, Purpose::Options)?;
        self.pump(now);
        Ok(())
    }

    /// A message arrived from `peer`.
    ///
    /// # Errors
    /// [`LayerError`] when the message was dropped as malformed (it was answered 400 if it was a
    /// request with a Via).
    pub fn handle_receive(
        &mut self,
        now: Instant,
        peer: Peer,
        bytes: &[u8],
    ) -> Result<(), LayerError> {
        // One parse: the layer and the UA logic read the same view (the layer's event carries
        // the bytes for later, the UA does not parse them again).
        let mut st = [Header::EMPTY; HEADERS];
        let msg = match self.layer.parse_received(peer, bytes, &mut st) {
            Ok(m) => m,
            Err(e) => {
                self.pump(now);
                return Err(e);
            }
        };
        let fresh = self.layer.queued_events() == 0;
        let r = self.layer.dispatch(now, peer, &msg, bytes);
        self.pump_with(now, fresh.then_some(&msg));
        r
    }

    /// [`Self::handle_receive`] for a message already parsed into a
    /// [`SharedMessage`](crate::message::SharedMessage) (feature `bytes`, for async drivers):
    /// not parsed again.
    ///
    /// # Errors
    /// As [`Self::handle_receive`].
    #[cfg(feature = "bytes")]
    pub fn handle_shared(
        &mut self,
        now: Instant,
        peer: Peer,
        message: &crate::message::SharedMessage,
    ) -> Result<(), LayerError> {
        let r = self.layer.handle_shared(now, peer, message);
        self.pump(now);
        r
    }

    /// The next message to send, written into `buf` (size it to the largest SIP message, 65535).
    /// A message that does not fit stays queued.
    ///
    /// # Errors
    /// [`BufferTooSmall`] with the size the next message needs.
    pub fn poll_transmit(
        &mut self,
        now: Instant,
        buf: &mut [u8],
    ) -> Result<Option<Transmit>, BufferTooSmall> {
        self.layer.poll_transmit(now, buf)
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<UaEvent> {
        self.events.pop_front()
    }

    /// When to call [`Self::handle_timeout`] next. O(log n) in the number of calls: their
    /// deadlines are kept in a heap, as the transaction layer keeps its timers.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let calls = self.calls.next_deadline();
        [
            self.layer.poll_timeout(),
            self.registration.poll_timeout(),
            calls,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Moves work between the parts: registration requests into transactions, layer events into
    /// the UAC/UAS logic, registration events out.
    pub(crate) fn pump(&mut self, now: Instant) {
        self.pump_with(now, None);
    }

    /// [`Self::pump`] with the view of the message just dispatched, used for the one event
    /// that carries it (the first such event, the queue having been empty) instead of parsing
    /// the event's copy again.
    fn pump_with(&mut self, now: Instant, mut received: Option<&Message<'_>>) {
        for _ in 0..10_000 {
            let mut progressed = false;
            if let Some(req) = self.registration.poll_request() {
                progressed = true;
                if self.send(now, &req, Purpose::Register).is_err() {
                    self.registration.handle_transaction_timeout(now);
                }
            }
            if let Some(e) = self.layer.poll_event() {
                progressed = true;
                self.on_layer_event(now, e, &mut received);
            }
            if let Some(e) = self.registration.poll_event() {
                progressed = true;
                let ev = match e {
                    RegistrationEvent::Registered { expires } => {
                        Some(UaEvent::Registered { expires })
                    }
                    RegistrationEvent::Unregistered => Some(UaEvent::Unregistered),
                    RegistrationEvent::Failed { code } => {
                        Some(UaEvent::RegistrationFailed { code })
                    }
                    RegistrationEvent::Expired => Some(UaEvent::RegistrationFailed { code: None }),
                    RegistrationEvent::KeepAlive => {
                        if self.cfg.proxy.transport.is_reliable() {
                            self.layer.send_stateless(self.cfg.proxy, b"\r\n\r\n");
                            None
                        } else {
                            Some(UaEvent::KeepAlive)
                        }
                    }
                };
                if let Some(ev) = ev {
                    self.event(ev);
                }
            }
            if !progressed {
                break;
            }
        }
        self.calls.flush();
    }

    /// A layer event to the UAC/UAS logic. `received`: the view of the message just received,
    /// taken by the first event that carries a message; other events' copies are parsed.
    pub(crate) fn on_layer_event(
        &mut self,
        now: Instant,
        e: TransactionEvent,
        received: &mut Option<&Message<'_>>,
    ) {
        let mut st = [Header::EMPTY; HEADERS];
        let (raw, pre) = match &e {
            TransactionEvent::Request { message, .. }
            | TransactionEvent::Ack { message, .. }
            | TransactionEvent::Response { message, .. }
            | TransactionEvent::StrayResponse { message, .. } => {
                (message.as_slice(), received.take())
            }
            TransactionEvent::Timeout { .. } | TransactionEvent::Terminated { .. } => {
                (&[][..], None)
            }
        };
        let parsed;
        let msg = match pre {
            Some(m) => Some(m),
            None if raw.is_empty() => None,
            None => match Message::parse(raw, &mut st) {
                Ok(m) => {
                    parsed = m;
                    Some(&parsed)
                }
                Err(_) => return,
            },
        };
        match (&e, msg) {
            (TransactionEvent::Request { tx, peer, message }, Some(msg)) => {
                self.on_request(now, *tx, *peer, message, msg)
            }
            (TransactionEvent::Ack { .. }, Some(msg)) => self.on_ack(now, msg),
            (TransactionEvent::Response { tx, .. }, Some(msg)) => {
                let purpose = self.txs.get(tx).copied();
                self.on_response(now, *tx, purpose, msg);
            }
            (TransactionEvent::StrayResponse { peer, .. }, Some(msg)) => {
                self.on_stray_response(now, *peer, msg)
            }
            (TransactionEvent::Timeout { tx }, _) => {
                let purpose = self.txs.get(tx).copied();
                self.on_tx_timeout(now, purpose);
            }
            (TransactionEvent::Terminated { tx }, _) => {
                self.txs.remove(tx);
            }
            // A message event whose copy did not parse was returned from above.
            (_, None) => {}
        }
    }

    pub(crate) fn end_call(&mut self, id: u64, reason: EndReason) {
        if let Some(c) = self.calls.remove(&id) {
            self.event(UaEvent::CallEnded {
                call: c.handle,
                reason,
            });
        }
    }

    pub(crate) fn registration_response(&mut self, now: Instant, msg: &Message<'_>) {
        self.registration.handle_response(now, msg);
    }
}
