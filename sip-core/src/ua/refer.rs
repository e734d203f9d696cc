//! Call transfer: REFER (RFC 3515) with its implicit subscription — NOTIFYs carrying the
//! progress of the referred call as `message/sipfrag` (RFC 3420) — and Replaces (RFC 3891), by
//! which the INVITE of an attended transfer takes the place of an existing dialog.
//!
//! As transferor: [`UserAgent::refer`] sends REFER in a call; the 202 and every NOTIFY come up as
//! [`UaEvent::ReferAccepted`] / [`UaEvent::ReferProgress`] (each NOTIFY answered 200).
//! As transferee: a REFER in a call is answered 202 and a first NOTIFY (`100 Trying`) follows
//! (§2.4.4); the application gets [`UaEvent::Refer`], places the new call (with
//! [`UserAgent::call_to_replacing`] for an attended transfer) and reports its outcome with
//! [`UserAgent::notify_refer`], the final one ending the subscription.
//! As transfer target: an INVITE whose Replaces names one of our dialogs comes up as
//! [`UaEvent::IncomingCall`] followed by [`UaEvent::Replaces`] naming the call it replaces; a
//! Replaces naming no dialog of ours is answered 481 (RFC 3891 §3).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::agent::{Purpose, UaError, UserAgent};
use super::call::CallState;
use super::event::{CallHandle, UaEvent};
use crate::header::{Event, ReferTo, Replaces, SubscriptionState};
use crate::message::{Message, Method};
use crate::transaction::{Peer, TxId};
use crate::Instant;

/// Longest sipfrag status line kept from a NOTIFY.
const MAX_SIPFRAG: usize = 256;

/// The status code of a `message/sipfrag` body's status line (`SIP/2.0 200 OK`, RFC 3420).
pub(crate) fn sipfrag_status(body: &[u8]) -> Option<u16> {
    let body = body.get(..MAX_SIPFRAG.min(body.len()))?;
    let line = core::str::from_utf8(body).ok()?.lines().next()?;
    let rest = line.strip_prefix("SIP/2.0 ")?;
    let code: u16 = rest.get(..3)?.parse().ok()?;
    (100..700).contains(&code).then_some(code)
}

impl UserAgent {
    /// Asks the peer of an established call to call `refer_to` (a SIP URI, with `?Replaces=…`
    /// escaped into it for an attended transfer): REFER with Refer-To and Referred-By
    /// (RFC 3515 §2.1). Progress arrives as [`UaEvent::ReferAccepted`] and
    /// [`UaEvent::ReferProgress`].
    ///
    /// # Errors
    /// [`UaError::WrongState`] if the call is not established, or a transaction-layer refusal.
    pub fn refer(&mut self, now: Instant, call: CallHandle, refer_to: &str) -> Result<(), UaError> {
        let via = self.via();
        let aor = self.cfg.aor.clone();
        let c = self.calls.get_mut(&call.0).ok_or(UaError::NoCall)?;
        let state = c.state;
        if state != CallState::Established {
            return Err(UaError::WrongState(state));
        }
        let peer = c.peer;
        let d = c.dialog_mut().ok_or(UaError::WrongState(state))?;
        let refer_to = format!("<{refer_to}>");
        let referred_by = format!("<{aor}>");
        let req = d
            .request(
                Method::Refer,
                &via,
                &[
                    ("Refer-To", refer_to.as_str()),
                    ("Referred-By", referred_by.as_str()),
                ],
                None,
            )
            .map_err(|_| UaError::WrongState(state))?;
        self.send_to(now, peer, &req, Purpose::Refer(call.0))?;
        self.pump(now);
        Ok(())
    }

    /// The final response to our REFER for call `id`.
    pub(crate) fn refer_response(&mut self, id: u64, code: u16) {
        if let Some(call) = self.calls.get(&id).map(|c| c.handle) {
            self.event(UaEvent::ReferAccepted { call, code });
        }
    }

    /// As transferee, reports the referred call's progress to the transferor: a NOTIFY whose
    /// sipfrag is `SIP/2.0 {code} {reason}`; a final `code` (200 and above) ends the implicit
    /// subscription (`Subscription-State: terminated;reason=noresource`, RFC 3515 §2.4.5).
    ///
    /// # Errors
    /// [`UaError::WrongState`] without a REFER to report on, or a transaction-layer refusal.
    pub fn notify_refer(
        &mut self,
        now: Instant,
        call: CallHandle,
        code: u16,
        reason: &str,
    ) -> Result<(), UaError> {
        let via = self.via();
        let c = self.calls.get_mut(&call.0).ok_or(UaError::NoCall)?;
        let state = c.state;
        if !c.refer_subscription {
            return Err(UaError::WrongState(state));
        }
        let terminated = code >= 200;
        if terminated {
            c.refer_subscription = false;
        }
        let peer = c.peer;
        let d = c.dialog_mut().ok_or(UaError::WrongState(state))?;
        let sub_state = if terminated {
            "terminated;reason=noresource"
        } else {
            "active;expires=60"
        };
        let frag = format!("SIP/2.0 {code} {reason}\r\n");
        let req = d
            .request(
                Method::Notify,
                &via,
                &[("Event", "refer"), ("Subscription-State", sub_state)],
                Some(("message/sipfrag;version=2.0", frag.as_bytes())),
            )
            .map_err(|_| UaError::WrongState(state))?;
        self.send_to(now, peer, &req, Purpose::InDialog)?;
        self.pump(now);
        Ok(())
    }

    /// As transferee: a REFER in call `id` (already checked against its dialog). 202, the
    /// first NOTIFY, and [`UaEvent::Refer`]; a REFER without a usable Refer-To gets 400.
    pub(crate) fn on_refer(&mut self, now: Instant, tx: TxId, id: u64, msg: &Message<'_>) {
        let refer_to = msg
            .typed::<ReferTo>()
            .ok()
            .flatten()
            .map(|r| r.uri.to_string());
        let Some(refer_to) = refer_to else {
            return self.reply(now, tx, msg, 400, "Missing Refer-To", &[]);
        };
        let referred_by = msg.header("referred-by").map(|h| h.value().to_string());
        self.reply(now, tx, msg, 202, "Accepted", &[]);
        let Some(c) = self.calls.get_mut(&id) else {
            return;
        };
        c.refer_subscription = true;
        let call = c.handle;
        // RFC 3515 §2.4.4: the first NOTIFY right away.
        let _ = self.notify_refer(now, call, 100, "Trying");
        self.event(UaEvent::Refer {
            call,
            refer_to,
            referred_by,
        });
    }

    /// As transferor: a NOTIFY in call `id`. 200; for the `refer` event package the sipfrag's
    /// status comes up as [`UaEvent::ReferProgress`]. Other packages are in-dialog requests.
    pub(crate) fn on_notify(&mut self, now: Instant, tx: TxId, id: u64, msg: &Message<'_>) -> bool {
        let is_refer = msg
            .typed::<Event>()
            .ok()
            .flatten()
            .is_some_and(|e| e.package.eq_ignore_ascii_case("refer"));
        if !is_refer {
            return false;
        }
        self.reply(now, tx, msg, 200, "OK", &[]);
        let terminated = msg
            .typed::<SubscriptionState>()
            .ok()
            .flatten()
            .is_some_and(|s| s.state.eq_ignore_ascii_case("terminated"));
        if let Some(call) = self.calls.get(&id).map(|c| c.handle) {
            self.event(UaEvent::ReferProgress {
                call,
                code: sipfrag_status(msg.body()),
                terminated,
            });
        }
        true
    }

    /// As transfer target: the call a Replaces header of a new INVITE names (RFC 3891 §3), by
    /// Call-ID and both tags (our tag is the `to-tag` as the sender sees it).
    pub(crate) fn replaced_call(&self, msg: &Message<'_>) -> Result<Option<u64>, ()> {
        let Ok(Some(r)) = msg.typed::<Replaces>() else {
            return Ok(None);
        };
        let (Some(to_tag), Some(from_tag)) = (r.to_tag(), r.from_tag()) else {
            return Err(());
        };
        let found = self.calls.by_local_tag(to_tag).filter(|id| {
            self.calls.get(id).is_some_and(|c| {
                c.call_id == r.call_id
                    && c.dialog().is_some_and(|d| d.id().remote_tag == from_tag)
                    && (!r.early_only() || c.state != CallState::Established)
            })
        });
        found.map(Some).ok_or(())
    }

    /// Places a call to `target` at `peer` that replaces, at the target, the dialog named by
    /// `replaces` (`call-id;to-tag=…;from-tag=…`, RFC 3891 §6.1): the attended-transfer INVITE.
    ///
    /// # Errors
    /// As [`UserAgent::call_to`].
    pub fn call_to_replacing(
        &mut self,
        now: Instant,
        target: &str,
        peer: Peer,
        sdp: &[u8],
        replaces: &str,
    ) -> Result<CallHandle, UaError> {
        let headers = Vec::from([(String::from("Replaces"), replaces.to_string())]);
        self.place_call(now, target, peer, sdp, headers)
    }
}
