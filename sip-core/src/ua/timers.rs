//! Time in the UA: the transaction layer's timers, our 2xx retransmissions until the ACK
//! (§13.3.1.4), CANCEL give-up (§9.1), session timers (RFC 4028), registration refreshes, and
//! what a transaction timeout means for its purpose.

use alloc::format;
use alloc::vec::Vec;
use rtcweb_proto::time::InstantExt as _;

use super::agent::{Purpose, UserAgent};
use super::call::CallState;
use super::event::{EndReason, UaEvent};
use crate::message::Method;
use crate::session_timer::SessionTimerEvent;
use crate::Instant;

impl UserAgent {
    /// Time moved on: fires transaction, registration, 2xx-retransmission and session timers.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.layer.handle_timeout(now);
        self.registration.handle_timeout(now);
        // From the deadline heap, in handle order: the calls a scan would find due.
        for id in self.calls.due(now) {
            self.call_timeout(now, id);
        }
        self.pump(now);
    }

    pub(crate) fn call_timeout(&mut self, now: Instant, id: u64) {
        if self
            .calls
            .get(&id)
            .and_then(|c| c.uas_rel100.deadline())
            .is_some_and(|d| d <= now)
        {
            self.rel100_timeout(now, id);
        }
        self.reoffer_timeout(now, id);
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

    pub(crate) fn on_tx_timeout(&mut self, now: Instant, purpose: Option<Purpose>) {
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
            Some(Purpose::Reoffer(id)) => self.reoffer_response(now, id, 408, None),
            Some(Purpose::Refer(id)) => self.refer_response(id, 408),
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
}
