//! What the application asks of the UA: place a call (to the proxy or a given peer), ring,
//! answer, reject, hang up (CANCEL or BYE, §9, §15), requests inside a dialog.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use rtcweb_proto::time::InstantExt as _;

use super::agent::{Purpose, UaError, UserAgent, ALLOW, HEADERS};
use super::call::{Call, CallState};
use super::event::{CallHandle, EndReason};
use crate::dialog::Dialog;
use crate::message::builder::MessageBuilder;
use crate::message::{Header, Message, Method};
use crate::transaction::{cancel_for, LayerError, Peer};
use crate::Instant;

impl UserAgent {
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
        self.place_call(now, target, peer, sdp, Vec::new())
    }

    /// [`Self::call_to`] with extra INVITE headers.
    pub(crate) fn place_call(
        &mut self,
        now: Instant,
        target: &str,
        peer: Peer,
        sdp: &[u8],
        invite_headers: Vec<(String, String)>,
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
            uac_rel100: super::rel100::UacRel100::default(),
            uas_rel100: super::rel100::UasRel100::default(),
            reoffer: None,
            reoffer_ack: None,
            refer_subscription: false,
            pending_offer: None,
            invite_headers,
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
        match self.cfg.rel100 {
            super::Rel100::Disabled => {}
            super::Rel100::Supported => {
                b.add_header("Supported", "100rel");
            }
            super::Rel100::Required => {
                b.add_header("Require", "100rel");
            }
        }
        if let Some(st) = &call.st_cfg {
            for (k, v) in crate::session_timer::uac_headers(st) {
                b.add_header(k, v);
            }
        }
        for (k, v) in &call.invite_headers {
            b.add_header(k.as_str(), v.as_str());
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

    pub(crate) fn respond_invite(
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
        let id = call.0;
        let rel = c.uas_rel100.clone();
        let reliable = (101..200).contains(&code) && self.reliable_for(rel.peer);
        if reliable && rel.unacked.is_some() {
            // §3: one unacknowledged reliable provisional at a time.
            return Err(UaError::ProvisionalPending);
        }
        if (200..300).contains(&code) && rel.unacked.as_ref().is_some_and(|u| u.has_sdp) {
            // §3: no 2xx while a reliable provisional with a session description is
            // unacknowledged; it goes out when the PRACK arrives.
            if let Some(c) = self.calls.get_mut(&id) {
                c.uas_rel100.held_answer = Some(sdp.unwrap_or_default().to_vec());
            }
            return Ok(());
        }
        let mut b = MessageBuilder::response_to(&msg, code, reason, Some(&tag));
        let rseq = rel.next_rseq;
        if reliable {
            b.add_header("Require", "100rel");
            b.add_header("RSeq", alloc::format!("{rseq}"));
        }
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
        if reliable {
            self.send_reliable(now, id, tx, rseq, bytes, sdp.is_some())?;
            self.pump(now);
            return Ok(());
        }
        self.layer.send_response(now, tx, &bytes)?;
        if code >= 200 {
            // A final response ends the reliable provisionals (§3).
            if let Some(c) = self.calls.get_mut(&id) {
                c.uas_rel100.unacked = None;
            }
        }
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

    /// Sends a provisional response (101–199, e.g. 183 Session Progress) for an incoming call,
    /// with `sdp` for early media. It is sent reliably (RFC 3262: `Require: 100rel`, `RSeq`,
    /// retransmitted until PRACKed) when the INVITE requires 100rel, or supports it and
    /// [`UaConfig::rel100`](super::UaConfig::rel100) is `Required`.
    ///
    /// # Errors
    /// [`UaError`] if the call is not incoming and unanswered, the code is not provisional
    /// ([`UaError::WrongState`]), or a reliable provisional still awaits its PRACK
    /// ([`UaError::ProvisionalPending`]).
    pub fn progress(
        &mut self,
        now: Instant,
        call: CallHandle,
        code: u16,
        reason: &str,
        sdp: Option<&[u8]>,
    ) -> Result<(), UaError> {
        if !(101..200).contains(&code) {
            let state = self.call_state(call).ok_or(UaError::NoCall)?;
            return Err(UaError::WrongState(state));
        }
        self.respond_invite(now, call, code, reason, sdp)
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
}
