//! [`TransactionLayer`]: many transactions, one deadline heap, bounded queues (RFC 3261 §17).

use alloc::collections::{BTreeMap, BinaryHeap};
use alloc::vec::Vec;
use core::cmp::Reverse;

use super::client::{ClientState, ClientTx};
use super::config::LayerConfig;
use super::key::{KeyError, TransactionKey};
use super::outbox::Outbox;
use super::server::{ServerState, ServerTx};
use super::{Peer, TransactionEvent, Transmit, TxId, TxState};
use crate::message::builder::MessageBuilder;
use crate::message::validate::validate;
use crate::message::{ErrorKind, Header, Message, Method};
use crate::Instant;
use rtcweb_proto::BufferTooSmall;

/// Errors of calls into the layer and of malformed input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LayerError {
    /// The bytes are not a SIP message (§25); dropped.
    #[error("unparsable message: {0}")]
    Parse(#[from] crate::message::Error),
    /// The message cannot be matched (Via or CSeq missing).
    #[error("unmatchable message: {0}")]
    Key(#[from] KeyError),
    /// The message is larger than [`LayerConfig::max_message_size`].
    #[error("message of {0} bytes exceeds the configured maximum")]
    TooLarge(usize),
    /// `send_request` got a response or an ACK (ACK for 2xx goes through `send_stateless`).
    #[error("not a request that starts a transaction")]
    NotARequest,
    /// `send_response` got something other than a response.
    #[error("not a response")]
    NotAResponse,
    /// A transaction with this branch and method already exists.
    #[error("a transaction with this key already exists")]
    Duplicate,
    /// [`LayerConfig::max_transactions`] reached.
    #[error("transaction limit reached")]
    Limit,
    /// No such transaction (terminated, or never existed).
    #[error("no such transaction")]
    NoTransaction,
    /// The transaction's state does not allow this response (e.g. after the final one).
    #[error("response not allowed in the transaction's state")]
    WrongState,
    /// A received request failed validation (§8.2); it was answered with this status if possible.
    #[error("invalid request answered with {0}")]
    Invalid(u16),
}

/// Counters for monitoring.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TransactionStats {
    /// Transactions created.
    pub created: u64,
    /// Transactions terminated.
    pub terminated: u64,
    /// Requests answered 503 because the layer was full.
    pub rejected_overload: u64,
    /// Outgoing messages dropped because the transmit queue was full.
    pub dropped_transmits: u64,
    /// Events dropped because the event queue was full.
    pub dropped_events: u64,
    /// Received messages dropped as malformed or unmatchable.
    pub dropped_malformed: u64,
}

#[derive(Debug, Clone)]
enum Tx {
    Client(ClientTx),
    Server(ServerTx),
}

#[derive(Debug, Clone)]
struct Entry {
    key: (u64, TransactionKey),
    tx: Tx,
    /// The deadline the heap holds for this transaction (other heap entries for it are stale).
    scheduled: Option<Instant>,
}

impl Entry {
    fn next_deadline(&self) -> Option<Instant> {
        match &self.tx {
            Tx::Client(c) => c.timers.next(),
            Tx::Server(s) => s.timers.next(),
        }
    }

    fn terminated(&self) -> bool {
        match &self.tx {
            Tx::Client(c) => c.state == ClientState::Terminated,
            Tx::Server(s) => s.state == ServerState::Terminated,
        }
    }
}

const HEADERS: usize = 128;

/// FNV-1a, enough to spread keys that share a long prefix.
struct Fnv(u64);

impl core::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

fn indexed(key: TransactionKey) -> (u64, TransactionKey) {
    use core::hash::{Hash, Hasher};
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    key.hash(&mut h);
    (h.finish(), key)
}

/// Owns and drives every transaction of an endpoint (Sans-IO).
///
/// Call order: `handle_receive` / `handle_timeout` / `send_request` / `send_response` in; then
/// drain [`Self::poll_transmit`], then [`Self::poll_event`], then read [`Self::poll_timeout`] and
/// wait until a message arrives or that deadline passes.
///
/// Responses go back to the address the request came from (symmetric response, RFC 3581), which
/// is what works behind NAT. Deadlines live in a binary heap: `poll_timeout` and each timer cost
/// O(log n) in the number of transactions.
///
/// ```
/// use core::net::SocketAddr;
/// use rtcweb_sip_core::transaction::{Peer, TransactionEvent, TransactionLayer, LayerConfig};
/// use rtcweb_sip_core::Instant;
///
/// let peer = Peer::udp("192.0.2.1:5060".parse::<SocketAddr>().unwrap());
/// let mut layer = TransactionLayer::new(LayerConfig::default());
/// let req = b"OPTIONS sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKx1\r\n\
///     Max-Forwards: 70\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\n\
///     Call-ID: c1\r\nCSeq: 1 OPTIONS\r\n\r\n";
/// let tx = layer.send_request(Instant::ZERO, peer, req).unwrap();
/// let mut buf = [0u8; 1500];
/// let t = layer.poll_transmit(Instant::ZERO, &mut buf).unwrap().expect("the OPTIONS");
/// assert_eq!(&buf[..t.len], &req[..]);
/// let ok = b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKx1\r\n\
///     From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>;tag=2\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\n\r\n";
/// layer.handle_receive(Instant::ZERO, peer, ok).unwrap();
/// assert!(matches!(layer.poll_event(), Some(TransactionEvent::Response { tx: t, .. }) if t == tx));
/// ```
#[derive(Debug)]
pub struct TransactionLayer {
    cfg: LayerConfig,
    txs: BTreeMap<u64, Entry>,
    /// Keyed by (FNV-1a hash, key): comparisons stop at the hash almost always, since branches
    /// share the `z9hG4bK` prefix. Ordered, so colliding hashes cost O(log n), never a flood.
    index: BTreeMap<(u64, TransactionKey), u64>,
    heap: BinaryHeap<Reverse<(Instant, u64)>>,
    next_id: u64,
    out: Outbox,
    stats: TransactionStats,
}

impl TransactionLayer {
    /// An empty layer.
    #[must_use]
    pub fn new(cfg: LayerConfig) -> Self {
        Self {
            out: Outbox {
                max_transmits: cfg.max_pending_transmits,
                max_events: cfg.max_pending_events,
                ..Outbox::default()
            },
            cfg,
            txs: BTreeMap::new(),
            index: BTreeMap::new(),
            heap: BinaryHeap::new(),
            next_id: 0,
            stats: TransactionStats::default(),
        }
    }

    /// The configuration.
    #[must_use]
    pub const fn config(&self) -> &LayerConfig {
        &self.cfg
    }

    /// Live transactions.
    #[must_use]
    pub fn len(&self) -> usize {
        self.txs.len()
    }

    /// Whether no transaction is live.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.txs.is_empty()
    }

    /// Counters.
    #[must_use]
    pub fn stats(&self) -> TransactionStats {
        TransactionStats {
            dropped_transmits: self.out.dropped_transmits,
            dropped_events: self.out.dropped_events,
            ..self.stats
        }
    }

    /// The state of a transaction, `None` once terminated.
    #[must_use]
    pub fn state(&self, tx: TxId) -> Option<TxState> {
        self.txs.get(&tx.0).map(|e| match &e.tx {
            Tx::Client(c) => TxState::Client(c.state),
            Tx::Server(s) => TxState::Server(s.state),
        })
    }

    /// The request that created a transaction.
    #[must_use]
    pub fn request(&self, tx: TxId) -> Option<&[u8]> {
        self.txs.get(&tx.0).map(|e| match &e.tx {
            Tx::Client(c) => c.request.as_slice(),
            Tx::Server(s) => s.request.as_slice(),
        })
    }

    /// The peer of a transaction.
    #[must_use]
    pub fn peer(&self, tx: TxId) -> Option<Peer> {
        self.txs.get(&tx.0).map(|e| match &e.tx {
            Tx::Client(c) => c.peer,
            Tx::Server(s) => s.peer,
        })
    }

    /// The INVITE server transaction a received CANCEL targets (§9.2: same branch, method INVITE).
    #[must_use]
    pub fn invite_for_cancel(&self, cancel: &Message<'_>) -> Option<TxId> {
        let key = TransactionKey::server(cancel, Some(Method::Invite)).ok()?;
        self.index.get(&indexed(key)).map(|&id| TxId(id))
    }

    fn parse_checked<'b>(
        &self,
        bytes: &'b [u8],
        st: &'b mut [Header<'b>],
    ) -> Result<Message<'b>, LayerError> {
        if bytes.len() > self.cfg.max_message_size {
            return Err(LayerError::TooLarge(bytes.len()));
        }
        Ok(Message::parse(bytes, st)?)
    }

    /// Starts a client transaction and sends `request` (§17.1). The request must carry a top Via
    /// with an RFC 3261 branch; ACK is not a transaction (use [`Self::send_stateless`]).
    ///
    /// # Errors
    /// [`LayerError`]: unparsable, not a request, duplicate branch, or the layer is full.
    pub fn send_request(
        &mut self,
        now: Instant,
        peer: Peer,
        request: &[u8],
    ) -> Result<TxId, LayerError> {
        let mut st = [Header::EMPTY; HEADERS];
        let msg = self.parse_checked(request, &mut st)?;
        let method = msg.method().ok_or(LayerError::NotARequest)?;
        if method == Method::Ack {
            return Err(LayerError::NotARequest);
        }
        let key = indexed(TransactionKey::client(&msg)?);
        if self.index.contains_key(&key) {
            return Err(LayerError::Duplicate);
        }
        if self.txs.len() >= self.cfg.max_transactions {
            return Err(LayerError::Limit);
        }
        let tx = ClientTx::start(
            now,
            &self.cfg.timers,
            method == Method::Invite,
            peer,
            request.to_vec(),
            &mut self.out,
        );
        Ok(self.insert(key, Tx::Client(tx)))
    }

    /// Sends a response through server transaction `tx` (§17.2).
    ///
    /// # Errors
    /// [`LayerError::NoTransaction`], [`LayerError::WrongState`] (e.g. a second final response),
    /// or an unparsable / non-response message.
    pub fn send_response(
        &mut self,
        now: Instant,
        tx: TxId,
        response: &[u8],
    ) -> Result<(), LayerError> {
        let mut st = [Header::EMPTY; HEADERS];
        let msg = self.parse_checked(response, &mut st)?;
        let code = msg.status().ok_or(LayerError::NotAResponse)?;
        let cfg = self.cfg.timers;
        let entry = self.txs.get_mut(&tx.0).ok_or(LayerError::NoTransaction)?;
        let Tx::Server(s) = &mut entry.tx else {
            return Err(LayerError::NoTransaction);
        };
        s.send_response(now, &cfg, code, response, &mut self.out)
            .map_err(|_| LayerError::WrongState)?;
        self.reschedule(tx.0);
        Ok(())
    }

    /// Sends a message outside any transaction: the ACK for a 2xx (§13.2.2.4), a 2xx
    /// retransmission by the UAS core (§13.3.1.4), or a stateless response.
    pub fn send_stateless(&mut self, peer: Peer, message: &[u8]) {
        self.out.send(peer, message);
    }

    /// A message arrived from `peer` (one datagram, or one message framed from a stream).
    ///
    /// # Errors
    /// [`LayerError`] when the message was dropped as malformed, unmatchable or too large, or
    /// was an invalid request (then answered 400/416 statelessly).
    pub fn handle_receive(
        &mut self,
        now: Instant,
        peer: Peer,
        bytes: &[u8],
    ) -> Result<(), LayerError> {
        let mut st = [Header::EMPTY; HEADERS];
        let msg = self.parse_received(peer, bytes, &mut st)?;
        self.dispatch(now, peer, &msg, bytes)
    }

    /// Parses a received message for [`Self::dispatch`]; a refusal is counted and logged, and a
    /// request whose body is cut short is answered 400 (§18.3). The UA parses each datagram
    /// here once and then works on the same view as the layer.
    pub(crate) fn parse_received<'b>(
        &mut self,
        peer: Peer,
        bytes: &'b [u8],
        st: &'b mut [Header<'b>],
    ) -> Result<Message<'b>, LayerError> {
        match self.parse_checked(bytes, st) {
            Ok(m) => Ok(m),
            Err(e) => {
                rtcweb_proto::log_debug!("sip: {} bytes from {peer:?} dropped: {e}", bytes.len());
                self.stats.dropped_malformed += 1;
                if matches!(e, LayerError::Parse(p) if p.kind == ErrorKind::BodyTruncated) {
                    self.answer_truncated(peer, bytes);
                }
                Err(e)
            }
        }
    }

    /// Events queued for the transaction user.
    pub(crate) fn queued_events(&self) -> usize {
        self.out.events.len()
    }

    /// [`Self::handle_receive`] for a message an async driver already parsed into a
    /// [`SharedMessage`](crate::message::SharedMessage) (feature `bytes`): its view is rebuilt,
    /// not parsed again.
    ///
    /// # Errors
    /// As [`Self::handle_receive`]; a message with more headers than the layer reads
    /// (`HEADERS`) is dropped as [`ErrorKind::TooManyHeaders`].
    #[cfg(feature = "bytes")]
    pub fn handle_shared(
        &mut self,
        now: Instant,
        peer: Peer,
        shared: &crate::message::SharedMessage,
    ) -> Result<(), LayerError> {
        let bytes: &[u8] = shared.bytes();
        if bytes.len() > self.cfg.max_message_size {
            self.stats.dropped_malformed += 1;
            return Err(LayerError::TooLarge(bytes.len()));
        }
        let mut st = [Header::EMPTY; HEADERS];
        let Ok(msg) = shared.message(&mut st) else {
            self.stats.dropped_malformed += 1;
            return Err(LayerError::Parse(crate::message::Error::new(
                ErrorKind::TooManyHeaders,
                0,
            )));
        };
        self.dispatch(now, peer, &msg, bytes)
    }

    /// A parsed message to the request or response path; a refusal is counted and logged. It
    /// queues at most one event carrying this message (Request, Ack, Response or
    /// StrayResponse).
    pub(crate) fn dispatch(
        &mut self,
        now: Instant,
        peer: Peer,
        msg: &Message<'_>,
        bytes: &[u8],
    ) -> Result<(), LayerError> {
        let result = if msg.is_request() {
            self.receive_request(now, peer, msg, bytes)
        } else {
            self.receive_response(now, peer, msg, bytes)
        };
        if let Err(_e) = &result {
            rtcweb_proto::log_debug!("sip: message from {peer:?} dropped: {_e}");
            self.stats.dropped_malformed += 1;
        }
        result
    }

    /// §18.3: a request whose Content-Length exceeds the datagram is answered 400 (when its
    /// headers are whole enough to address a response), not dropped silently.
    fn answer_truncated(&mut self, peer: Peer, bytes: &[u8]) {
        let mut st = [Header::EMPTY; HEADERS];
        let Ok(msg) = Message::parse_head_only(bytes, &mut st) else {
            return;
        };
        if msg.is_request() && msg.method() != Some(Method::Ack) && validate(&msg).is_ok() {
            let resp =
                MessageBuilder::response_to(&msg, 400, "Content-Length Exceeds Body", Some("sl"))
                    .to_vec();
            self.out.send(peer, &resp);
        }
    }

    fn receive_request(
        &mut self,
        now: Instant,
        peer: Peer,
        msg: &Message<'_>,
        bytes: &[u8],
    ) -> Result<(), LayerError> {
        let is_ack = msg.method() == Some(Method::Ack);
        if let Err(e) = validate(msg) {
            let code = e.status_code();
            if !is_ack && msg.header("via").is_some() {
                let resp =
                    MessageBuilder::response_to(msg, code, "Bad Request", Some("sl")).to_vec();
                self.out.send(peer, &resp);
            }
            return Err(LayerError::Invalid(code));
        }
        let key = indexed(TransactionKey::server(msg, None)?);
        let cfg = self.cfg.timers;
        if let Some(&id) = self.index.get(&key) {
            if let Some(Entry {
                tx: Tx::Server(s), ..
            }) = self.txs.get_mut(&id)
            {
                if is_ack && (!s.invite || s.state != ServerState::Completed) {
                    // ACK for a 2xx carries a new branch; a matching one in another state is a
                    // retransmission (absorbed), §17.2.1.
                    if s.state == ServerState::Accepted {
                        self.out.event(TransactionEvent::Ack {
                            peer,
                            message: bytes.to_vec(),
                        });
                    }
                    return Ok(());
                }
                s.on_request(now, &cfg, is_ack, &mut self.out);
                self.reschedule(id);
            }
            return Ok(());
        }
        if is_ack {
            self.out.event(TransactionEvent::Ack {
                peer,
                message: bytes.to_vec(),
            });
            return Ok(());
        }
        // Never create a transaction whose Request event cannot be delivered: the TU would never
        // hear of it, and it would sit in Trying. Both limits answer 503 statelessly.
        if self.txs.len() >= self.cfg.max_transactions
            || self.out.events.len() >= self.out.max_events
        {
            self.stats.rejected_overload += 1;
            rtcweb_proto::log_warn!(
                "sip: request from {peer:?} answered 503: {} transactions, {} queued events (limits {}, {})",
                self.txs.len(),
                self.out.events.len(),
                self.cfg.max_transactions,
                self.out.max_events
            );
            let mut b = MessageBuilder::response_to(msg, 503, "Service Unavailable", Some("sl"));
            b.add_header("Retry-After", "5");
            self.out.send(peer, &b.to_vec());
            return Ok(());
        }
        let invite = msg.method() == Some(Method::Invite);
        let tx = ServerTx::new(now, &cfg, invite, peer, bytes.to_vec());
        let id = self.insert(key, Tx::Server(tx));
        self.out.event(TransactionEvent::Request {
            tx: id,
            peer,
            message: bytes.to_vec(),
        });
        Ok(())
    }

    fn receive_response(
        &mut self,
        now: Instant,
        peer: Peer,
        msg: &Message<'_>,
        bytes: &[u8],
    ) -> Result<(), LayerError> {
        let key = indexed(TransactionKey::client(msg)?);
        let cfg = self.cfg.timers;
        match self.index.get(&key).copied() {
            Some(id) => {
                if let Some(Entry {
                    tx: Tx::Client(c), ..
                }) = self.txs.get_mut(&id)
                {
                    c.on_response(now, &cfg, TxId(id), msg, bytes, &mut self.out);
                }
                self.reschedule(id);
            }
            None => self.out.event(TransactionEvent::StrayResponse {
                peer,
                message: bytes.to_vec(),
            }),
        }
        Ok(())
    }

    /// Fires every timer due at or before `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        let cfg = self.cfg.timers;
        while let Some(&Reverse((at, id))) = self.heap.peek() {
            if at > now {
                break;
            }
            self.heap.pop();
            let Some(entry) = self.txs.get_mut(&id) else {
                continue;
            };
            if entry.scheduled != Some(at) {
                continue; // stale heap entry
            }
            entry.scheduled = None;
            match &mut entry.tx {
                Tx::Client(c) => c.on_timeout(now, &cfg, TxId(id), &mut self.out),
                Tx::Server(s) => s.on_timeout(now, &cfg, TxId(id), &mut self.out),
            }
            self.reschedule(id);
        }
        self.prune();
    }

    /// The next message to send, written into `buf`. Nothing is lost when `buf` is too small:
    /// the message stays queued and [`BufferTooSmall`] says how large a buffer it needs (size
    /// `buf` to [`LayerConfig::max_message_size`] and this never happens). No protocol state
    /// changes here.
    ///
    /// # Errors
    /// [`BufferTooSmall`] when the next message does not fit in `buf`.
    pub fn poll_transmit(
        &mut self,
        _now: Instant,
        buf: &mut [u8],
    ) -> Result<Option<Transmit>, BufferTooSmall> {
        let Some((peer, bytes)) = self.out.transmits.front() else {
            return Ok(None);
        };
        let len = bytes.len();
        let dst = buf.get_mut(..len).ok_or(BufferTooSmall { needed: len })?;
        dst.copy_from_slice(bytes);
        let t = Transmit {
            source: None,
            destination: peer.addr,
            transport: peer.transport,
            len,
        };
        self.out.transmits.pop_front();
        Ok(Some(t))
    }

    /// The next event for the transaction user.
    pub fn poll_event(&mut self) -> Option<TransactionEvent> {
        self.out.events.pop_front()
    }

    /// When to call [`Self::handle_timeout`] next; `None` when no timer runs. O(1): the heap's
    /// top is kept live by every change (stale entries below it are skipped when they surface).
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let &Reverse((at, id)) = self.heap.peek()?;
        if self.txs.get(&id).is_some_and(|e| e.scheduled == Some(at)) {
            return Some(at);
        }
        // Not reached while `prune` runs after every change; correct (if slower) regardless.
        self.txs.values().filter_map(|e| e.scheduled).min()
    }

    fn insert(&mut self, key: (u64, TransactionKey), tx: Tx) -> TxId {
        let id = self.next_id;
        self.next_id += 1;
        self.stats.created += 1;
        self.index.insert(key.clone(), id);
        self.txs.insert(
            id,
            Entry {
                key,
                tx,
                scheduled: None,
            },
        );
        self.reschedule(id);
        TxId(id)
    }

    /// Removes a terminated transaction or pushes its new deadline onto the heap.
    fn reschedule(&mut self, id: u64) {
        let Some(entry) = self.txs.get_mut(&id) else {
            return;
        };
        if entry.terminated() {
            if let Some(e) = self.txs.remove(&id) {
                self.index.remove(&e.key);
            }
            self.stats.terminated += 1;
            self.out
                .event(TransactionEvent::Terminated { tx: TxId(id) });
            return;
        }
        let next = entry.next_deadline();
        if next != entry.scheduled {
            entry.scheduled = next;
            if let Some(at) = next {
                self.heap.push(Reverse((at, id)));
            }
        }
        if self.heap.len() > 2 * self.txs.len() + 1024 {
            self.compact();
        }
        self.prune();
    }

    /// Pops stale entries off the top of the heap, so that [`Self::poll_timeout`] can read the
    /// next deadline without `&mut self`.
    fn prune(&mut self) {
        while let Some(&Reverse((at, id))) = self.heap.peek() {
            if self.txs.get(&id).is_some_and(|e| e.scheduled == Some(at)) {
                return;
            }
            self.heap.pop();
        }
    }

    /// Drops stale heap entries (bounded memory however often timers are moved).
    fn compact(&mut self) {
        let live: Vec<_> = self
            .txs
            .iter()
            .filter_map(|(&id, e)| e.scheduled.map(|at| Reverse((at, id))))
            .collect();
        self.heap = BinaryHeap::from(live);
    }
}
