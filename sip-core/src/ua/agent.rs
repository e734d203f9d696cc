//! [`UserAgent`]: the UA core's public surface and its event pump.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use rtcweb_proto::time::InstantExt as _;
use rtcweb_proto::BufferTooSmall;

use super::call::{Call, CallState};
use super::config::UaConfig;
use super::event::{CallHandle, EndReason, UaEvent};
use super::sent_invites::SentInvites;
use crate::dialog::Dialog;
use crate::message::builder::MessageBuilder;
use crate::message::{Header, Message, Method};
use crate::registration::{Registration, RegistrationConfig, RegistrationEvent};
use crate::session_timer::SessionTimerEvent;
use crate::transaction::{
    cancel_for, IdGenerator, LayerError, Peer, TransactionEvent, TransactionLayer, Transmit, TxId,
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
}

/// Why a client transaction was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    Invite(u64),
    Cancel,
    Bye(u64),
    Refresh(u64),
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
    pub(crate) calls: BTreeMap<u64, Call>,
    next_call: u64,
    pub(crate) txs: BTreeMap<TxId, Purpose>,
    registration: Registration,
    events: VecDeque<UaEvent>,
    dropped_events: u64,
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
            calls: BTreeMap::new(),
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
    fn call_peer(&self, id: u64) -> Peer {
        self.calls.get(&id).map_or(self.cfg.proxy, |c| c.peer)
    }

    /// Places a call to `target` (a SIP URI) with `sdp` as the offer.
    ///
    /// # Errors
    /// [`UaError::Limit`] or a transaction-layer refusal.
    pub fn call(&mut self, now: Instant, target: &str, sdp: &[u8]) -> Result<CallHandle, UaError> {
        self.call_to(now, target, self.cfg.proxy, sdp)
    }

    /// Places a call to `target` through `peer` instead of the configured proxy: the INVITE and
    /// every later request of the call (ACK, CANCEL, BYE, refreshes) go there. For a B2BUA whose
    /// outgoing legs go to different trunks or phones.
    ///
    /// # Errors
    /// [`UaError::Limit`] or a transaction-layer refusal.
    pub fn call_to(
        &mut self,
        now: Instant,
        target: &str,
        peer: Peer,
        sdp: &[u8],
    ) -> Result<CallHandle, UaError> {
        if self.calls.len() >= self.cfg.max_calls {
            return Err(UaError::Limit);
        }
        let handle = self.new_call_handle();
        let mut call = Call {
            handle,
            outgoing: true,
            state: CallState::Calling,
            target: target.into(),
            call_id: self.ids.call_id(),
            local_tag: self.ids.tag(),
            invite: Vec::new(),
            invite_tx: None,
            invite_seq: 0,
            peer,
            dialogs: Vec::new(),
            confirmed: None,
            ack: None,
            sdp: sdp.to_vec(),
            got_provisional: false,
            cancel_pending: false,
            cancelled: false,
            auth_attempts: 0,
            ok: None,
            st_cfg: self.cfg.session_timer,
            timer: None,
            end_reason: None,
            bye_pending: false,
            cancel_deadline: None,
        };
        self.send_invite(now, &mut call, None)?;
        self.calls.insert(handle.0, call);
        self.pump(now);
        Ok(handle)
    }

    pub(crate) fn send_invite(
        &mut self,
        now: Instant,
        call: &mut Call,
        auth: Option<(&str, String)>,
    ) -> Result<(), UaError> {
        call.invite_seq += 1;
        let via = self.via();
        let mut b = MessageBuilder::request(Method::Invite, call.target.as_str());
        b.add_header("Via", via);
        b.add_header("Max-Forwards", "70");
        b.add_header("From", format!("<{}>;tag={}", self.cfg.aor, call.local_tag));
        b.add_header("To", format!("<{}>", call.target));
        b.add_header("Call-ID", call.call_id.as_str());
        b.add_header("CSeq", format!("{} INVITE", call.invite_seq));
        b.add_header("Contact", self.cfg.contact.as_str());
        b.add_header("Allow", ALLOW);
        if let Some(st) = &call.st_cfg {
            for (k, v) in crate::session_timer::uac_headers(st) {
                b.add_header(k, v);
            }
        }
        b.add_header("User-Agent", self.cfg.user_agent.as_str());
        if let Some((k, v)) = auth {
            b.add_header(k, v);
        }
        if !call.sdp.is_empty() {
            b.add_header("Content-Type", "application/sdp");
            b.set_body(call.sdp.as_slice(), None);
        }
        let bytes = b.to_vec();
        let tx = self.send_to(now, call.peer, &bytes, Purpose::Invite(call.handle.0))?;
        // A late 2xx (another fork, after the transaction ended) may come until Timer C plus
        // 64·T1 after the INVITE (RFC 6026 §7.2); after that a 2xx for it is not ours to answer.
        let timers = &self.cfg.layer.timers;
        let until = now
            .saturating_add(timers.timer_c)
            .saturating_add(timers.t1x64());
        self.sent_invites
            .remember(&call.call_id, &call.local_tag, until);
        call.invite = bytes;
        call.invite_tx = Some(tx);
        Ok(())
    }

    fn respond_invite(
        &mut self,
        now: Instant,
        call: CallHandle,
        code: u16,
        reason: &str,
        sdp: Option<&[u8]>,
    ) -> Result<(), UaError> {
        let c = self.calls.get(&call.0).ok_or(UaError::NoCall)?;
        if c.outgoing || c.state != CallState::Incoming {
            return Err(UaError::WrongState(c.state));
        }
        let tx = c.invite_tx.ok_or(UaError::NoCall)?;
        let invite = c.invite.clone();
        let tag = c.local_tag.clone();
        let mut st = [Header::EMPTY; HEADERS];
        let msg = Message::parse(&invite, &mut st).map_err(LayerError::from)?;
        let mut b = MessageBuilder::response_to(&msg, code, reason, Some(&tag));
        let mut timer = None;
        if (101..300).contains(&code) {
            // §12.1.1: a dialog-creating response copies Record-Route, in order.
            for h in msg.headers_named("record-route") {
                b.add_header("Record-Route", h.value());
            }
            b.add_header("Contact", self.cfg.contact.as_str());
        }
        if (200..300).contains(&code) {
            b.add_header("Allow", ALLOW);
            if let Some(stc) = self.cfg.session_timer {
                if let Ok(Some((n, headers))) = crate::session_timer::uas_negotiate(&stc, &msg) {
                    for (k, v) in headers {
                        b.add_header(k, v);
                    }
                    timer = Some(crate::session_timer::SessionTimer::start(now, n, false));
                }
            }
        }
        if let Some(sdp) = sdp {
            b.add_header("Content-Type", "application/sdp");
            b.set_body(sdp, None);
        }
        let bytes = b.to_vec();
        self.layer.send_response(now, tx, &bytes)?;
        let t1 = self.cfg.layer.timers.t1;
        let t1x64 = self.cfg.layer.timers.t1x64();
        let contact = self.cfg.contact.clone();
        if let Some(c) = self.calls.get_mut(&call.0) {
            if (200..300).contains(&code) {
                if let Ok(d) = Dialog::uas(&msg, &tag, &contact, 0, true) {
                    c.dialogs = alloc::vec![d];
                    c.confirmed = Some(0);
                }
                c.state = CallState::Answering;
                c.timer = timer;
                if let Some(s) = sdp {
                    c.sdp = s.to_vec();
                }
                c.ok = Some(super::call::OkRetransmit {
                    bytes,
                    peer: c.peer,
                    seq: c.invite_seq,
                    next: now.saturating_add(t1),
                    interval: t1,
                    give_up: now.saturating_add(t1x64),
                });
            } else if code >= 300 {
                self.calls.remove(&call.0);
            }
        }
        self.pump(now);
        Ok(())
    }

    /// Sends 180 Ringing for an incoming call.
    ///
    /// # Errors
    /// [`UaError`] if the call is not incoming and unanswered.
    pub fn ringing(&mut self, now: Instant, call: CallHandle) -> Result<(), UaError> {
        self.respond_invite(now, call, 180, "Ringing", None)
    }

    /// Answers an incoming call with 200 OK and `sdp`; the 2xx is retransmitted until the ACK.
    ///
    /// # Errors
    /// [`UaError`] if the call is not incoming and unanswered.
    pub fn answer(&mut self, now: Instant, call: CallHandle, sdp: &[u8]) -> Result<(), UaError> {
        self.respond_invite(now, call, 200, "OK", Some(sdp))
    }

    /// Rejects an incoming call (486 Busy Here, 603 Decline, …).
    ///
    /// # Errors
    /// [`UaError`] if the call is not incoming and unanswered.
    pub fn reject(&mut self, now: Instant, call: CallHandle, code: u16) -> Result<(), UaError> {
        let reason = match code {
            486 => "Busy Here",
            603 => "Decline",
            480 => "Temporarily Unavailable",
            _ => "Rejected",
        };
        self.respond_invite(now, call, code.clamp(300, 699), reason, None)
    }

    /// Ends a call: BYE when established, CANCEL when our INVITE is pending (sent as soon as a
    /// provisional arrives, §9.1), 603 when it is an unanswered incoming call.
    ///
    /// # Errors
    /// [`UaError::NoCall`] or a transaction-layer refusal.
    pub fn hangup(&mut self, now: Instant, call: CallHandle) -> Result<(), UaError> {
        let c = self.calls.get(&call.0).ok_or(UaError::NoCall)?;
        match c.state {
            CallState::Incoming => return self.reject(now, call, 603),
            CallState::Calling | CallState::Early => {
                let early = c.got_provisional;
                let invite = c.invite.clone();
                if let Some(c) = self.calls.get_mut(&call.0) {
                    c.cancelled = true;
                    c.cancel_pending = !early;
                }
                if early {
                    if let Some(cancel) = cancel_for(&invite) {
                        let peer = self.call_peer(call.0);
                        self.send_to(now, peer, &cancel, Purpose::Cancel)?;
                        let give_up = now.saturating_add(self.cfg.layer.timers.t1x64());
                        if let Some(c) = self.calls.get_mut(&call.0) {
                            c.cancel_deadline = Some(give_up);
                        }
                    }
                }
            }
            CallState::Established => self.send_bye(now, call.0)?,
            CallState::Answering => {
                // §15: the callee waits for the ACK (or its give-up) before BYE.
                if let Some(c) = self.calls.get_mut(&call.0) {
                    c.bye_pending = true;
                }
            }
            CallState::Terminating => {}
        }
        self.pump(now);
        Ok(())
    }

    /// Sends BYE in the call's dialog (§15.1.1). A BYE that cannot be made or sent (no
    /// confirmed dialog, transaction table full) ends the call here with its recorded reason:
    /// a call is never left `Terminating` without a BYE transaction that will end it.
    pub(crate) fn send_bye(&mut self, now: Instant, call: u64) -> Result<(), UaError> {
        let via = self.via();
        let c = self.calls.get_mut(&call).ok_or(UaError::NoCall)?;
        let state = c.state;
        let bye = match c
            .dialog_mut()
            .map(|d| d.request(Method::Bye, &via, &[], None))
        {
            Some(Ok(bye)) => bye,
            Some(Err(_)) | None => {
                let reason = c.end_reason.unwrap_or(EndReason::LocalHangup);
                self.end_call(call, reason);
                return Err(UaError::WrongState(state));
            }
        };
        let peer = self.call_peer(call);
        if let Err(e) = self.send_to(now, peer, &bye, Purpose::Bye(call)) {
            let reason = self
                .calls
                .get(&call)
                .and_then(|c| c.end_reason)
                .unwrap_or(EndReason::LocalHangup);
            self.end_call(call, reason);
            return Err(e);
        }
        if let Some(c) = self.calls.get_mut(&call) {
            c.ok = None;
            c.timer = None;
            c.state = CallState::Terminating;
        }
        Ok(())
    }

    /// Sends a request inside an established call's dialog (INFO, UPDATE, NOTIFY, REFER,
    /// MESSAGE); the final response is not reported.
    ///
    /// # Errors
    /// [`UaError`] when the call has no confirmed dialog.
    pub fn request_in_dialog(
        &mut self,
        now: Instant,
        call: CallHandle,
        method: Method<'_>,
        body: Option<(&str, &[u8])>,
    ) -> Result<(), UaError> {
        let via = self.via();
        let c = self.calls.get_mut(&call.0).ok_or(UaError::NoCall)?;
        let state = c.state;
        let d = c.dialog_mut().ok_or(UaError::WrongState(state))?;
        let req = d
            .request(method, &via, &[], body)
            .map_err(|_| UaError::WrongState(state))?;
        let peer = c.peer;
        self.send_to(now, peer, &req, Purpose::InDialog)?;
        self.pump(now);
        Ok(())
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
        let r = self.layer.handle_receive(now, peer, bytes);
        self.pump(now);
        r
    }

    /// Time moved on: fires transaction, registration, 2xx-retransmission and session timers.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.layer.handle_timeout(now);
        self.registration.handle_timeout(now);
        let due: Vec<u64> = self
            .calls
            .iter()
            .filter(|(_, c)| c.deadline().is_some_and(|d| d <= now))
            .map(|(&id, _)| id)
            .collect();
        for id in due {
            self.call_timeout(now, id);
        }
        self.pump(now);
    }

    fn call_timeout(&mut self, now: Instant, id: u64) {
        let Some(c) = self.calls.get_mut(&id) else {
            return;
        };
        if c.cancel_deadline.is_some_and(|t| t <= now) {
            // §9.1: no final response to the cancelled INVITE in 64·T1.
            self.end_call(id, EndReason::Cancelled);
            return;
        }
        if let Some(ok) = &mut c.ok {
            if ok.give_up <= now {
                // §13.3.1.4: no ACK for our 2xx — end the dialog with BYE.
                c.ok = None;
                c.end_reason = Some(EndReason::NoAck);
                if self.send_bye(now, id).is_err() {
                    self.end_call(id, EndReason::NoAck);
                }
                return;
            }
            if ok.next <= now {
                ok.interval = (ok.interval * 2).min(self.cfg.layer.timers.t2);
                ok.next = now.saturating_add(ok.interval);
                let (peer, bytes) = (ok.peer, ok.bytes.clone());
                self.layer.send_stateless(peer, &bytes);
            }
        }
        let mut fired = Vec::new();
        if let Some(c) = self.calls.get_mut(&id) {
            if let Some(t) = &mut c.timer {
                t.handle_timeout(now);
                while let Some(e) = t.poll_event() {
                    fired.push(e);
                }
            }
        }
        for e in fired {
            match e {
                SessionTimerEvent::Refresh => {
                    let via = self.via();
                    let req = self.calls.get_mut(&id).and_then(|c| {
                        let se = c.timer.as_ref().map(|t| t.negotiated())?;
                        let refresher = if c.outgoing { "uac" } else { "uas" };
                        let value = format!("{};refresher={refresher}", se.interval);
                        c.dialog_mut()?
                            .request(
                                Method::Update,
                                &via,
                                &[("Session-Expires", value.as_str()), ("Supported", "timer")],
                                None,
                            )
                            .ok()
                    });
                    if let Some(req) = req {
                        let peer = self.call_peer(id);
                        let _ = self.send_to(now, peer, &req, Purpose::Refresh(id));
                    }
                }
                SessionTimerEvent::Expired => {
                    if let Some(c) = self.calls.get_mut(&id) {
                        c.end_reason = Some(EndReason::SessionExpired);
                    }
                    if self.send_bye(now, id).is_err() {
                        self.end_call(id, EndReason::SessionExpired);
                    }
                }
            }
        }
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

    /// When to call [`Self::handle_timeout`] next.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let calls = self.calls.values().filter_map(Call::deadline).min();
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
                self.on_layer_event(now, e);
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
    }

    fn on_layer_event(&mut self, now: Instant, e: TransactionEvent) {
        match e {
            TransactionEvent::Request { tx, peer, message } => {
                self.on_request(now, tx, peer, &message)
            }
            TransactionEvent::Ack { message, .. } => self.on_ack(now, &message),
            TransactionEvent::Response { tx, message } => {
                let purpose = self.txs.get(&tx).copied();
                self.on_response(now, tx, purpose, &message);
            }
            TransactionEvent::StrayResponse { peer, message } => {
                self.on_stray_response(now, peer, &message)
            }
            TransactionEvent::Timeout { tx } => {
                let purpose = self.txs.get(&tx).copied();
                self.on_tx_timeout(now, purpose);
            }
            TransactionEvent::Terminated { tx } => {
                self.txs.remove(&tx);
            }
        }
    }

    fn on_tx_timeout(&mut self, now: Instant, purpose: Option<Purpose>) {
        match purpose {
            Some(Purpose::Invite(id)) => {
                if let Some(c) = self.calls.get(&id) {
                    if matches!(c.state, CallState::Calling | CallState::Early) {
                        let call = c.handle;
                        self.calls.remove(&id);
                        self.event(UaEvent::CallFailed { call, code: None });
                    }
                }
            }
            Some(Purpose::Bye(id)) => {
                let reason = self.calls.get(&id).and_then(|c| c.end_reason);
                self.end_call(id, reason.unwrap_or(EndReason::LocalHangup));
            }
            Some(Purpose::Refresh(id)) => {
                // RFC 4028 §10: a failed refresh ends the session.
                if let Some(c) = self.calls.get_mut(&id) {
                    c.end_reason = Some(EndReason::SessionExpired);
                    if self.send_bye(now, id).is_err() {
                        self.end_call(id, EndReason::SessionExpired);
                    }
                }
            }
            Some(Purpose::Register) => self.registration.handle_transaction_timeout(now),
            Some(Purpose::Options) => self.event(UaEvent::OptionsResponse { code: 408 }),
            _ => {}
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
