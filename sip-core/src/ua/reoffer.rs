//! New offers in an established call: re-INVITE (RFC 3261 §14) and UPDATE (RFC 3311) — hold
//! (`a=sendonly` / `a=inactive`), resume, a codec or address change — with glare handled as
//! §14.1 says: a UA with its own offer outstanding answers an incoming one 491 Request Pending,
//! and a UA that gets 491 retries after a random wait (2.1–4 s when it owns the Call-ID, i.e.
//! placed the call; 0–2 s otherwise).

use alloc::vec::Vec;
use core::time::Duration;

use rtcweb_proto::time::InstantExt as _;

use super::agent::{Purpose, UaError, UserAgent};
use super::call::CallState;
use super::event::{CallHandle, EndReason, UaEvent};
use crate::message::{Message, Method};
use crate::Instant;

/// Which request carries a new offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReofferMethod {
    /// re-INVITE (RFC 3261 §14): answered in the 2xx, then ACKed.
    Invite,
    /// UPDATE (RFC 3311): answered in the 2xx, no ACK.
    Update,
}

/// Most retries after 491 before the offer is given up.
const MAX_GLARE_RETRIES: u8 = 3;

/// Our offer in flight, or waiting to be retried after 491.
#[derive(Debug, Clone)]
pub(crate) struct Reoffer {
    pub(crate) method: ReofferMethod,
    pub(crate) sdp: Vec<u8>,
    /// The CSeq of the request in flight (for the ACK of a re-INVITE's 2xx).
    pub(crate) seq: u32,
    /// Sent, no final response yet.
    pub(crate) in_flight: bool,
    /// After a 491: when to send it again.
    pub(crate) retry_at: Option<Instant>,
    pub(crate) retries: u8,
}

impl UserAgent {
    /// Sends a new offer `sdp` in an established call, by re-INVITE or UPDATE. The answer comes
    /// as [`UaEvent::ReofferAnswered`] (a re-INVITE's 2xx is ACKed); a refusal as
    /// [`UaEvent::ReofferFailed`], the call staying up (§14.1) — except 408/481, which end the
    /// dialog (§12.2.1.2). Glare (491) is retried by itself.
    ///
    /// # Errors
    /// [`UaError::WrongState`] if the call is not established, [`UaError::OfferPending`] while
    /// another offer of ours is outstanding, or a transaction-layer refusal.
    pub fn reoffer(
        &mut self,
        now: Instant,
        call: CallHandle,
        method: ReofferMethod,
        sdp: &[u8],
    ) -> Result<(), UaError> {
        let c = self.calls.get(&call.0).ok_or(UaError::NoCall)?;
        if c.state != CallState::Established {
            return Err(UaError::WrongState(c.state));
        }
        if c.reoffer.is_some() {
            return Err(UaError::OfferPending);
        }
        self.send_reoffer(
            now,
            call.0,
            Reoffer {
                method,
                sdp: sdp.to_vec(),
                seq: 0,
                in_flight: false,
                retry_at: None,
                retries: 0,
            },
        )?;
        self.pump(now);
        Ok(())
    }

    /// Sends (or re-sends, with a new CSeq) the offer `r` for call `id`.
    fn send_reoffer(&mut self, now: Instant, id: u64, mut r: Reoffer) -> Result<(), UaError> {
        let via = self.via();
        let c = self.calls.get_mut(&id).ok_or(UaError::NoCall)?;
        let state = c.state;
        let peer = c.peer;
        let d = c.dialog_mut().ok_or(UaError::WrongState(state))?;
        let method = match r.method {
            ReofferMethod::Invite => Method::Invite,
            ReofferMethod::Update => Method::Update,
        };
        let req = d
            .request(
                method,
                &via,
                &[],
                Some(("application/sdp", r.sdp.as_slice())),
            )
            .map_err(|_| UaError::WrongState(state))?;
        r.seq = d.local_seq();
        r.in_flight = true;
        r.retry_at = None;
        c.reoffer = Some(r);
        self.send_to(now, peer, &req, Purpose::Reoffer(id))?;
        Ok(())
    }

    /// The final response (or a timeout: `code` 408) to our offer for call `id`.
    pub(crate) fn reoffer_response(
        &mut self,
        now: Instant,
        id: u64,
        code: u16,
        msg: Option<&Message<'_>>,
    ) {
        let via = self.via();
        let Some(c) = self.calls.get_mut(&id) else {
            return;
        };
        let Some(r) = c.reoffer.take() else {
            // A retransmitted 2xx to a re-INVITE already answered: ACK it again (§13.2.2.4).
            if (200..300).contains(&code) {
                if let Some((_, ack)) = c.reoffer_ack.clone() {
                    let peer = c.peer;
                    self.layer.send_stateless(peer, &ack);
                }
            }
            return;
        };
        let call = c.handle;
        match code {
            200..=299 => {
                if r.method == ReofferMethod::Invite {
                    if let Some(ack) = c.dialog().map(|d| d.ack(r.seq, &via, None)) {
                        c.reoffer_ack = Some((r.seq, ack.clone()));
                        let peer = c.peer;
                        self.layer.send_stateless(peer, &ack);
                    }
                }
                let Some(c) = self.calls.get_mut(&id) else {
                    return;
                };
                c.sdp = r.sdp;
                let sdp = msg.map(|m| m.body().to_vec()).unwrap_or_default();
                self.event(UaEvent::ReofferAnswered { call, sdp });
            }
            491 if r.retries < MAX_GLARE_RETRIES => {
                // §14.1: wait, then try again; the Call-ID's owner waits longer.
                let (from_ms, span_ms) = if c.outgoing {
                    (2_100, 1_900)
                } else {
                    (0, 2_000)
                };
                let wait = from_ms + self.ids.below(span_ms + 1);
                let Some(c) = self.calls.get_mut(&id) else {
                    return;
                };
                c.reoffer = Some(Reoffer {
                    in_flight: false,
                    retry_at: Some(now.saturating_add(Duration::from_millis(wait))),
                    retries: r.retries + 1,
                    ..r
                });
            }
            408 | 481 => {
                // §12.2.1.2: the dialog is gone.
                self.event(UaEvent::ReofferFailed {
                    call,
                    code: Some(code),
                });
                if let Some(c) = self.calls.get_mut(&id) {
                    c.end_reason = Some(EndReason::LocalHangup);
                }
                if self.send_bye(now, id).is_err() {
                    self.end_call(id, EndReason::LocalHangup);
                }
            }
            _ => self.event(UaEvent::ReofferFailed {
                call,
                code: Some(code),
            }),
        }
    }

    /// Time for call `id`'s offer waiting after a 491.
    pub(crate) fn reoffer_timeout(&mut self, now: Instant, id: u64) {
        let Some(c) = self.calls.get_mut(&id) else {
            return;
        };
        let due = c
            .reoffer
            .as_ref()
            .is_some_and(|r| r.retry_at.is_some_and(|t| t <= now));
        if !due {
            return;
        }
        let Some(r) = c.reoffer.take() else {
            return;
        };
        let call = c.handle;
        if self.send_reoffer(now, id, r).is_err() {
            self.event(UaEvent::ReofferFailed { call, code: None });
        }
    }

    /// Whether call `id` has an offer of ours outstanding (sent, no final response): an
    /// incoming offer is then answered 491 (§14.2, RFC 3311 §5.2).
    pub(crate) fn offer_outstanding(&self, id: u64) -> bool {
        self.calls
            .get(&id)
            .and_then(|c| c.reoffer.as_ref())
            .is_some_and(|r| r.in_flight)
    }
}
