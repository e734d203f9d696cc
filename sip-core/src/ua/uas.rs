//! The UAS side: new INVITEs, re-INVITE/UPDATE refreshes, BYE, CANCEL, OPTIONS, other in-dialog
//! requests, and the ACK for our 2xx (§8.2, §9.2, §12.2.2, §13.3, §15.1.2).

use alloc::string::String;
use alloc::vec::Vec;
use rtcweb_proto::time::InstantExt as _;

use super::agent::{UaError, UserAgent, ALLOW, HEADERS};
use super::call::{Call, CallState};
use super::event::{CallHandle, EndReason, UaEvent};
use crate::dialog::{DialogError, DialogId};
use crate::header::CSeq;
use crate::message::builder::MessageBuilder;
use crate::message::{Header, Message, Method};
use crate::session_timer::uas_negotiate;
use crate::transaction::{Peer, TxId};
use crate::Instant;

impl UserAgent {
    pub(crate) fn reply(
        &mut self,
        now: Instant,
        tx: TxId,
        req: &Message<'_>,
        code: u16,
        reason: &str,
        extra: &[(&str, String)],
    ) {
        // §8.2.6.2: a final response to an out-of-dialog request gets a To tag.
        let tag = self.ids.tag();
        let mut b = MessageBuilder::response_to(req, code, reason, Some(&tag));
        for (k, v) in extra {
            b.add_header(*k, v.as_str());
        }
        let _ = self.layer.send_response(now, tx, &b.to_vec());
    }

    /// The call a received in-dialog request belongs to: found by its local tag (the To tag),
    /// then its confirmed dialog compared whole (§12.2.2).
    fn call_for_request(&self, msg: &Message<'_>) -> Option<u64> {
        let id = DialogId::of_received_request(msg)?;
        self.call_for_dialog(&id)
    }

    /// The call whose confirmed dialog is `id`, through the local-tag index.
    pub(crate) fn call_for_dialog(&self, id: &DialogId) -> Option<u64> {
        let k = self.calls.by_local_tag(&id.local_tag)?;
        let c = self.calls.get(&k)?;
        c.dialog().is_some_and(|d| d.id() == id).then_some(k)
    }

    pub(crate) fn on_request(
        &mut self,
        now: Instant,
        tx: TxId,
        peer: Peer,
        raw: &[u8],
        msg: &Message<'_>,
    ) {
        let Some(method) = msg.method() else { return };
        let in_dialog = msg
            .typed::<crate::header::ToHeader>()
            .ok()
            .flatten()
            .and_then(|t| t.tag())
            .is_some();
        match method {
            Method::Invite if !in_dialog => self.new_incoming(now, tx, peer, raw, msg),
            Method::Cancel => self.on_cancel(now, tx, msg),
            Method::Prack => self.on_prack(now, tx, msg),
            Method::Options if !in_dialog => {
                let extra = [
                    ("Allow", String::from(ALLOW)),
                    ("Accept", String::from("application/sdp")),
                ];
                self.reply(now, tx, msg, 200, "OK", &extra);
            }
            _ if in_dialog => self.in_dialog(now, tx, msg, raw, method),
            _ => self.reply(
                now,
                tx,
                msg,
                405,
                "Method Not Allowed",
                &[("Allow", String::from(ALLOW))],
            ),
        }
    }

    fn new_incoming(&mut self, now: Instant, tx: TxId, peer: Peer, raw: &[u8], msg: &Message<'_>) {
        if self.calls.len() >= self.cfg.max_calls {
            return self.reply(now, tx, msg, 486, "Busy Here", &[]);
        }
        if let Some(stc) = self.cfg.session_timer {
            if let Err(min) = uas_negotiate(&stc, msg) {
                return self.reply(
                    now,
                    tx,
                    msg,
                    422,
                    "Session Interval Too Small",
                    &[("Min-SE", alloc::format!("{min}"))],
                );
            }
        }
        // RFC 3891 §3: a Replaces naming no dialog of ours is answered 481.
        let Ok(replaced) = self.replaced_call(msg) else {
            return self.reply(now, tx, msg, 481, "Call/Transaction Does Not Exist", &[]);
        };
        let unsupported = super::rel100::unsupported(msg, self.cfg.rel100);
        if !unsupported.is_empty() {
            // §8.2.2.3: an extension we do not support is required.
            return self.reply(
                now,
                tx,
                msg,
                420,
                "Bad Extension",
                &[("Unsupported", unsupported)],
            );
        }
        let Ok(Some(cseq)) = msg.typed::<CSeq>() else {
            return;
        };
        let call_id = msg.header("call-id").map_or("", |h| h.value());
        let uas_rel100 = super::rel100::UasRel100 {
            peer: super::rel100::peer_rel100(msg),
            // §3: a random start between 1 and 2**31 - 1.
            next_rseq: u32::try_from(1 + self.ids.below((1 << 31) - 2)).unwrap_or(1),
            unacked: None,
            held_answer: None,
        };
        let handle = self.new_call_handle();
        let call = Call {
            handle,
            outgoing: false,
            state: CallState::Incoming,
            target: String::new(),
            call_id: call_id.into(),
            local_tag: self.ids.tag(),
            invite: raw.to_vec(),
            invite_tx: Some(tx),
            invite_seq: cseq.seq,
            peer,
            dialogs: Vec::new(),
            confirmed: None,
            ack: None,
            sdp: Vec::new(),
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
            uas_rel100,
            reoffer: None,
            reoffer_ack: None,
            refer_subscription: false,
            pending_offer: None,
            invite_headers: Vec::new(),
        };
        self.calls.insert(handle.0, call);
        let from = msg.header("from").map_or("", |h| h.value()).into();
        let to = msg.header("to").map_or("", |h| h.value()).into();
        let request_uri = msg.request_uri().unwrap_or_default().into();
        self.event(UaEvent::IncomingCall {
            call: handle,
            from,
            to,
            request_uri,
            source: peer,
            sdp: msg.body().to_vec(),
        });
        if let Some(old) = replaced
            .and_then(|id| self.calls.get(&id))
            .map(|c| c.handle)
        {
            self.event(UaEvent::Replaces {
                call: handle,
                replaced: old,
            });
        }
    }

    /// Answers the new offer (or refresh) `msg` on `tx` in call `id` with 200: Contact, session
    /// timer, and `answer` or the call's current SDP; a re-INVITE's 2xx is retransmitted until
    /// its ACK.
    fn answer_offer_now(
        &mut self,
        now: Instant,
        id: u64,
        tx: TxId,
        msg: &Message<'_>,
        method: Method<'_>,
        answer: Option<&[u8]>,
    ) {
        let Some(c) = self.calls.get_mut(&id) else {
            return;
        };
        let call = c.handle;
        let mut extra: Vec<(&str, String)> = alloc::vec![("Contact", self.cfg.contact.clone())];
        let mut refreshed = false;
        if let (Some(stc), Some(t)) = (self.cfg.session_timer, c.timer.as_mut()) {
            if let Ok(Some((n, headers))) = uas_negotiate(&stc, msg) {
                t.renegotiate(now, n, c.outgoing);
                extra.extend(headers);
                refreshed = true;
            }
        }
        // A re-INVITE is answered with SDP (its offer, or ours when it had none); an UPDATE
        // only when it carried an offer (RFC 3311 §5.2).
        let sdp = match answer {
            Some(a) => a.to_vec(),
            None if method == Method::Invite || !msg.body().is_empty() => c.sdp.clone(),
            None => Vec::new(),
        };
        let mut b = MessageBuilder::response_to(msg, 200, "OK", None);
        for (k, v) in &extra {
            b.add_header(*k, v.as_str());
        }
        if !sdp.is_empty() {
            b.add_header("Content-Type", "application/sdp");
            b.set_body(sdp.as_slice(), None);
        }
        let bytes = b.to_vec();
        let _ = self.layer.send_response(now, tx, &bytes);
        if method == Method::Invite {
            let seq = msg.typed::<CSeq>().ok().flatten().map_or(0, |s| s.seq);
            let t1 = self.cfg.layer.timers.t1;
            let give_up = now.saturating_add(self.cfg.layer.timers.t1x64());
            if let Some(c) = self.calls.get_mut(&id) {
                c.ok = Some(super::call::OkRetransmit {
                    bytes,
                    peer: c.peer,
                    seq,
                    next: now.saturating_add(t1),
                    interval: t1,
                    give_up,
                });
            }
        }
        if refreshed {
            self.event(UaEvent::SessionRefreshed { call });
        }
        if !msg.body().is_empty() || method == Method::Invite {
            self.event(UaEvent::InDialogRequest {
                call,
                method: method.as_str().into(),
                body: msg.body().to_vec(),
            });
        }
    }

    /// Answers the offer announced by [`UaEvent::Offer`] (a re-INVITE or UPDATE in the call,
    /// with [`UaConfig::answer_offers`](super::UaConfig::answer_offers) off) with `sdp`, which
    /// becomes the call's SDP.
    ///
    /// # Errors
    /// [`UaError::WrongState`] when no offer awaits an answer.
    pub fn answer_offer(
        &mut self,
        now: Instant,
        call: CallHandle,
        sdp: &[u8],
    ) -> Result<(), UaError> {
        let c = self.calls.get_mut(&call.0).ok_or(UaError::NoCall)?;
        let state = c.state;
        let pending = c.pending_offer.take().ok_or(UaError::WrongState(state))?;
        c.sdp = sdp.to_vec();
        let mut st = [Header::EMPTY; HEADERS];
        let msg =
            Message::parse(&pending.request, &mut st).map_err(|_| UaError::WrongState(state))?;
        let method = msg.method().ok_or(UaError::WrongState(state))?;
        self.answer_offer_now(now, call.0, pending.tx, &msg, method, Some(sdp));
        self.pump(now);
        Ok(())
    }

    /// Refuses the offer announced by [`UaEvent::Offer`] (488 Not Acceptable Here, 491, …);
    /// the call and its session stay as they were (RFC 3261 §14.2).
    ///
    /// # Errors
    /// [`UaError::WrongState`] when no offer awaits an answer.
    pub fn reject_offer(
        &mut self,
        now: Instant,
        call: CallHandle,
        code: u16,
    ) -> Result<(), UaError> {
        let c = self.calls.get_mut(&call.0).ok_or(UaError::NoCall)?;
        let state = c.state;
        let pending = c.pending_offer.take().ok_or(UaError::WrongState(state))?;
        let mut st = [Header::EMPTY; HEADERS];
        let msg =
            Message::parse(&pending.request, &mut st).map_err(|_| UaError::WrongState(state))?;
        let reason = if code == 491 {
            "Request Pending"
        } else {
            "Not Acceptable Here"
        };
        self.reply(now, pending.tx, &msg, code.clamp(300, 699), reason, &[]);
        self.pump(now);
        Ok(())
    }

    fn on_cancel(&mut self, now: Instant, tx: TxId, msg: &Message<'_>) {
        let Some(inv_tx) = self.layer.invite_for_cancel(msg) else {
            return self.reply(now, tx, msg, 481, "Call/Transaction Does Not Exist", &[]);
        };
        self.reply(now, tx, msg, 200, "OK", &[]);
        let found = self
            .calls
            .by_invite_tx(inv_tx)
            .and_then(|k| Some((k, self.calls.get(&k)?)))
            .filter(|(_, c)| c.state == CallState::Incoming)
            .map(|(k, c)| (k, c.invite.clone(), c.local_tag.clone()));
        if let Some((id, invite, tag)) = found {
            // §9.2: answer the INVITE 487.
            let mut st = [Header::EMPTY; HEADERS];
            if let Ok(inv) = Message::parse(&invite, &mut st) {
                let resp = MessageBuilder::response_to(&inv, 487, "Request Terminated", Some(&tag))
                    .to_vec();
                let _ = self.layer.send_response(now, inv_tx, &resp);
            }
            self.end_call(id, EndReason::Cancelled);
        }
    }

    fn in_dialog(
        &mut self,
        now: Instant,
        tx: TxId,
        msg: &Message<'_>,
        raw: &[u8],
        method: Method<'_>,
    ) {
        let Some(id) = self.call_for_request(msg) else {
            return self.reply(now, tx, msg, 481, "Call/Transaction Does Not Exist", &[]);
        };
        let checked = self
            .calls
            .get_mut(&id)
            .and_then(|c| c.dialog_mut())
            .map(|d| d.handle_request(msg));
        match checked {
            Some(Ok(())) => {}
            Some(Err(DialogError::OutOfOrder { .. })) => {
                return self.reply(now, tx, msg, 500, "Server Internal Error", &[]);
            }
            _ => return self.reply(now, tx, msg, 481, "Call/Transaction Does Not Exist", &[]),
        }
        let glare = match method {
            Method::Invite => true,
            Method::Update => !msg.body().is_empty(),
            _ => false,
        };
        if glare && self.offer_outstanding(id) {
            // §14.2, RFC 3311 §5.2: our own offer is outstanding.
            return self.reply(now, tx, msg, 491, "Request Pending", &[]);
        }
        let Some(c) = self.calls.get_mut(&id) else {
            return;
        };
        let call = c.handle;
        match method {
            Method::Bye => {
                c.ok = None;
                self.reply(now, tx, msg, 200, "OK", &[]);
                self.end_call(id, EndReason::RemoteHangup);
            }
            Method::Invite | Method::Update => {
                if !msg.body().is_empty() && !self.cfg.answer_offers {
                    // The application answers this offer (UaEvent::Offer).
                    if c.pending_offer.is_some() {
                        return self.reply(now, tx, msg, 491, "Request Pending", &[]);
                    }
                    c.pending_offer = Some(super::call::PendingOffer {
                        tx,
                        request: raw.to_vec(),
                    });
                    self.event(UaEvent::Offer {
                        call,
                        method: method.as_str().into(),
                        sdp: msg.body().to_vec(),
                    });
                    return;
                }
                self.answer_offer_now(now, id, tx, msg, method, None);
            }
            Method::Refer => self.on_refer(now, tx, id, msg),
            Method::Notify if self.on_notify(now, tx, id, msg) => {}
            _ => {
                self.reply(now, tx, msg, 200, "OK", &[]);
                self.event(UaEvent::InDialogRequest {
                    call,
                    method: method.as_str().into(),
                    body: msg.body().to_vec(),
                });
            }
        }
    }

    /// An ACK outside any transaction: for our 2xx (stops its retransmission) or stray (dropped).
    pub(crate) fn on_ack(&mut self, now: Instant, msg: &Message<'_>) {
        let Some(id) = self.call_for_request(msg) else {
            return;
        };
        let seq = msg.typed::<CSeq>().ok().flatten().map(|c| c.seq);
        let Some(c) = self.calls.get_mut(&id) else {
            return;
        };
        if c.ok.as_ref().is_some_and(|o| Some(o.seq) == seq) {
            c.ok = None;
        }
        if c.state == CallState::Answering {
            c.state = CallState::Established;
            let call = c.handle;
            let bye = core::mem::take(&mut c.bye_pending);
            self.event(UaEvent::Confirmed { call });
            if bye {
                // §15: the hang-up waited for the ACK.
                let _ = self.send_bye(now, id);
            }
        }
    }
}
