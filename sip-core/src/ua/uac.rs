//! The UAC side: responses to our INVITE, BYE, refresh, REGISTER and OPTIONS (§13.2.2, §15, §22.2).

use alloc::vec::Vec;
use rtcweb_proto::time::InstantExt as _;

use super::agent::{Purpose, UserAgent, HEADERS};
use super::call::{CallState, MAX_FORKS};
use super::event::{EndReason, UaEvent};
use crate::dialog::{Dialog, DialogState};
use crate::header::ToHeader;
use crate::message::{Header, Message};
use crate::registration::{authorization, challenge_in};
use crate::session_timer::{uac_after_422, uac_from_response, SessionTimer};
use crate::transaction::{cancel_for, TxId};
use crate::Instant;

impl UserAgent {
    pub(crate) fn on_response(
        &mut self,
        now: Instant,
        _tx: TxId,
        purpose: Option<Purpose>,
        msg: &Message<'_>,
    ) {
        let Some(code) = msg.status() else { return };
        match purpose {
            Some(Purpose::Invite(id)) => {
                if self.calls.contains_key(&id) {
                    self.on_invite_response(now, id, msg, code);
                } else if (200..300).contains(&code) {
                    // The call is gone (cancelled, failed): a late 2xx still needs ACK + BYE.
                    self.ack_and_bye(now, msg);
                }
            }
            Some(Purpose::Bye(id)) if code >= 200 => {
                let reason = self
                    .calls
                    .get(&id)
                    .and_then(|c| c.end_reason)
                    .unwrap_or(EndReason::LocalHangup);
                self.end_call(id, reason);
            }
            Some(Purpose::Refresh(id)) if code >= 200 => {
                if (200..300).contains(&code) {
                    if let Some(c) = self.calls.get_mut(&id) {
                        if let Some(t) = &mut c.timer {
                            t.refreshed(now);
                        }
                        if let Some(d) = c.dialog_mut() {
                            d.handle_refresh_response(msg);
                        }
                        let call = c.handle;
                        self.event(UaEvent::SessionRefreshed { call });
                    }
                } else if matches!(code, 408 | 481) {
                    self.end_call(id, EndReason::SessionExpired);
                }
            }
            Some(Purpose::Register) => self.registration_response(now, msg),
            Some(Purpose::Options) if code >= 200 => self.event(UaEvent::OptionsResponse { code }),
            Some(Purpose::Refer(id)) if code >= 200 => self.refer_response(id, code),
            Some(Purpose::Reoffer(id)) if code >= 200 => {
                self.reoffer_response(now, id, code, Some(msg));
            }
            _ => {}
        }
    }

    fn on_invite_response(&mut self, now: Instant, id: u64, msg: &Message<'_>, code: u16) {
        match code {
            100 => {}
            101..=199 => self.on_provisional(now, id, msg, code),
            200..=299 => self.on_invite_2xx(now, id, msg),
            401 | 407 => {
                if !self.retry_with_credentials(now, id, msg) {
                    self.fail_call(id, code);
                }
            }
            422 => {
                let retried = self
                    .calls
                    .get(&id)
                    .and_then(|c| c.st_cfg)
                    .and_then(|cfg| uac_after_422(&cfg, msg));
                match retried {
                    Some(new_cfg) => {
                        if let Some(mut c) = self.calls.remove(&id) {
                            c.st_cfg = Some(new_cfg);
                            let ok = self.send_invite(now, &mut c, None).is_ok();
                            self.calls.insert(id, c);
                            if !ok {
                                self.fail_call(id, code);
                            }
                        }
                    }
                    None => self.fail_call(id, code),
                }
            }
            _ => {
                let cancelled = self.calls.get(&id).is_some_and(|c| c.cancelled);
                if cancelled && code == 487 {
                    self.end_call(id, EndReason::Cancelled);
                } else {
                    self.fail_call(id, code);
                }
            }
        }
    }

    fn fail_call(&mut self, id: u64, code: u16) {
        if let Some(c) = self.calls.remove(&id) {
            self.event(UaEvent::CallFailed {
                call: c.handle,
                code: Some(code),
            });
        }
    }

    fn on_provisional(&mut self, now: Instant, id: u64, msg: &Message<'_>, code: u16) {
        let Some(c) = self.calls.get_mut(&id) else {
            return;
        };
        c.got_provisional = true;
        let send_cancel = core::mem::take(&mut c.cancel_pending);
        let invite = c.invite.clone();
        if send_cancel {
            // §9.1: the CANCEL waits for a provisional response.
            if let Some(cancel) = cancel_for(&invite) {
                let peer = self.calls.get(&id).map_or(self.cfg.proxy, |c| c.peer);
                if self.send_to(now, peer, &cancel, Purpose::Cancel).is_ok() {
                    let give_up = now.saturating_add(self.cfg.layer.timers.t1x64());
                    if let Some(c) = self.calls.get_mut(&id) {
                        c.cancel_deadline = Some(give_up);
                    }
                }
            }
        }
        let reliable = super::rel100::requires(msg, "100rel");
        let Some(c) = self.calls.get_mut(&id) else {
            return;
        };
        let tag = msg.typed::<ToHeader>().ok().flatten().and_then(|t| t.tag());
        if let Some(tag) = tag {
            if !c.dialogs.iter().any(|d| d.id().remote_tag == tag) && c.dialogs.len() < MAX_FORKS {
                let mut st = [Header::EMPTY; HEADERS];
                if let Ok(req) = Message::parse(&invite, &mut st) {
                    if let Ok(d) = Dialog::uac(&req, msg) {
                        c.dialogs.push(d);
                    }
                }
            }
            if c.state == CallState::Calling {
                c.state = CallState::Early;
            }
        }
        let call = c.handle;
        if let (true, Some(tag)) = (reliable, tag) {
            // RFC 3262 §4: PRACK it once, in RSeq order; repeats are not passed up.
            if !self.prack(now, id, msg, tag) {
                return;
            }
        }
        let sdp = (!msg.body().is_empty()).then(|| msg.body().to_vec());
        self.event(UaEvent::Progress { call, code, sdp });
    }

    fn on_invite_2xx(&mut self, now: Instant, id: u64, msg: &Message<'_>) {
        let tag = msg
            .typed::<ToHeader>()
            .ok()
            .flatten()
            .and_then(|t| t.tag())
            .unwrap_or("");
        let via = self.via();
        let Some(c) = self.calls.get_mut(&id) else {
            return;
        };
        if let Some(d) = c.dialog() {
            if d.id().remote_tag == tag {
                // A retransmitted 2xx: send the same ACK again (§13.2.2.4).
                if let Some(ack) = c.ack.clone() {
                    let peer = c.peer;
                    self.layer.send_stateless(peer, &ack);
                }
            } else {
                // A second fork answered: ACK it and end it with BYE.
                self.ack_and_bye(now, msg);
            }
            return;
        }
        let invite = c.invite.clone();
        let mut st = [Header::EMPTY; HEADERS];
        let Ok(req) = Message::parse(&invite, &mut st) else {
            return;
        };
        let idx = match c.dialogs.iter().position(|d| d.id().remote_tag == tag) {
            Some(i) => {
                if let Some(d) = c.dialogs.get_mut(i) {
                    d.confirm(msg);
                }
                i
            }
            None => match Dialog::uac(&req, msg) {
                Ok(d) => {
                    c.dialogs.push(d);
                    c.dialogs.len() - 1
                }
                // A 2xx that cannot make a dialog (no Contact, no To-tag, §12.1.2): no ACK can
                // be addressed, so the call fails here instead of waiting in `Calling` forever.
                Err(_) => {
                    let code = msg.status().unwrap_or(200);
                    return self.fail_call(id, code);
                }
            },
        };
        for (i, d) in c.dialogs.iter_mut().enumerate() {
            if i != idx && d.state() == DialogState::Early {
                d.terminate();
            }
        }
        c.confirmed = Some(idx);
        let seq = c.invite_seq;
        let Some(ack) = c.dialogs.get(idx).map(|d| d.ack(seq, &via, None)) else {
            return;
        };
        c.ack = Some(ack.clone());
        let cancelled = c.cancelled;
        c.state = CallState::Established;
        if c.st_cfg.is_some() {
            c.timer = uac_from_response(msg).map(|n| SessionTimer::start(now, n, true));
        }
        let call = c.handle;
        let peer = c.peer;
        self.layer.send_stateless(peer, &ack);
        if cancelled {
            // The 2xx crossed our CANCEL (§9.1): ACK, then BYE.
            if let Some(c) = self.calls.get_mut(&id) {
                c.end_reason = Some(EndReason::Cancelled);
            }
            let _ = self.send_bye(now, id);
            return;
        }
        self.event(UaEvent::Answered {
            call,
            sdp: msg.body().to_vec(),
        });
    }

    /// Retries the INVITE answering the 401/407 `msg` (§22.2).
    fn retry_with_credentials(&mut self, now: Instant, id: u64, msg: &Message<'_>) -> bool {
        let Some(creds) = self.cfg.credentials.clone() else {
            return false;
        };
        let Some(mut c) = self.calls.remove(&id) else {
            return false;
        };
        if c.auth_attempts >= 2 || c.cancelled {
            self.calls.insert(id, c);
            return false;
        }
        c.auth_attempts += 1;
        // Every challenge of every WWW-/Proxy-Authenticate line; the strongest answerable one.
        let cnonce = self.ids.tag();
        let value = challenge_in(msg).and_then(|(ch, header)| {
            authorization(&ch, &creds, "INVITE", &c.target, &c.sdp, &cnonce, 1).map(|v| (header, v))
        });
        let ok = match value {
            Some(auth) => self.send_invite(now, &mut c, Some(auth)).is_ok(),
            None => false,
        };
        c.dialogs = Vec::new();
        c.state = CallState::Calling;
        c.got_provisional = false;
        self.calls.insert(id, c);
        ok
    }
}
