//! One call's state inside the UA.

use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use super::event::CallHandle;
use crate::dialog::Dialog;
use crate::session_timer::{SessionTimer, SessionTimerConfig};
use crate::transaction::{Peer, TxId};
use crate::Instant;

/// Where a call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallState {
    /// Our INVITE is out, nothing but 100 back.
    Calling,
    /// A provisional response with a tag arrived (early dialog).
    Early,
    /// An INVITE arrived; we have not answered finally.
    Incoming,
    /// We sent a 2xx and wait for the ACK.
    Answering,
    /// Confirmed dialog, media flowing.
    Established,
    /// We sent BYE.
    Terminating,
}

/// Retransmission of our 2xx until the ACK arrives (§13.3.1.4).
#[derive(Debug, Clone)]
pub(crate) struct OkRetransmit {
    pub(crate) bytes: Vec<u8>,
    pub(crate) peer: Peer,
    pub(crate) seq: u32,
    pub(crate) next: Instant,
    pub(crate) interval: Duration,
    pub(crate) give_up: Instant,
}

#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) handle: CallHandle,
    pub(crate) outgoing: bool,
    pub(crate) state: CallState,
    pub(crate) target: String,
    pub(crate) call_id: String,
    pub(crate) local_tag: String,
    pub(crate) invite: Vec<u8>,
    pub(crate) invite_tx: Option<TxId>,
    pub(crate) invite_seq: u32,
    pub(crate) peer: Peer,
    pub(crate) dialogs: Vec<Dialog>,
    pub(crate) confirmed: Option<usize>,
    pub(crate) ack: Option<Vec<u8>>,
    pub(crate) sdp: Vec<u8>,
    pub(crate) got_provisional: bool,
    pub(crate) cancel_pending: bool,
    pub(crate) cancelled: bool,
    pub(crate) auth_attempts: u8,
    pub(crate) ok: Option<OkRetransmit>,
    pub(crate) st_cfg: Option<SessionTimerConfig>,
    pub(crate) timer: Option<SessionTimer>,
    pub(crate) end_reason: Option<super::event::EndReason>,
    /// The app hung up before the ACK for our 2xx arrived (§15).
    pub(crate) bye_pending: bool,
    /// §9.1: if no final response arrives within 64·T1 of our CANCEL, the INVITE is given up.
    pub(crate) cancel_deadline: Option<Instant>,
    /// RFC 3262 as UAC: the RSeqs PRACKed per early dialog.
    pub(crate) uac_rel100: super::rel100::UacRel100,
    /// RFC 3262 as UAS: our unacknowledged reliable provisional, a held 2xx.
    pub(crate) uas_rel100: super::rel100::UasRel100,
    /// Our re-INVITE/UPDATE offer in flight or waiting after a 491 (§14.1).
    pub(crate) reoffer: Option<super::reoffer::Reoffer>,
    /// The ACK of our last answered re-INVITE, sent again for a retransmitted 2xx.
    pub(crate) reoffer_ack: Option<(u32, Vec<u8>)>,
    /// As transferee: the implicit subscription of a REFER we accepted is active (RFC 3515).
    pub(crate) refer_subscription: bool,
    /// Extra headers of our INVITE (Replaces for an attended transfer, RFC 3891).
    pub(crate) invite_headers: Vec<(String, String)>,
    /// A new offer from the peer the application has yet to answer (`answer_offers` off).
    pub(crate) pending_offer: Option<PendingOffer>,
}

/// A re-INVITE or UPDATE offer awaiting the application's answer.
#[derive(Debug, Clone)]
pub(crate) struct PendingOffer {
    pub(crate) tx: TxId,
    pub(crate) request: Vec<u8>,
}

/// Most forks (early dialogs) kept per outgoing call.
pub(crate) const MAX_FORKS: usize = 16;

impl Call {
    pub(crate) fn dialog(&self) -> Option<&Dialog> {
        self.confirmed.and_then(|i| self.dialogs.get(i))
    }

    pub(crate) fn dialog_mut(&mut self) -> Option<&mut Dialog> {
        self.confirmed.and_then(|i| self.dialogs.get_mut(i))
    }

    pub(crate) fn deadline(&self) -> Option<Instant> {
        let ok = self.ok.as_ref().map(|o| o.next.min(o.give_up));
        let st = self.timer.as_ref().and_then(SessionTimer::poll_timeout);
        let retry = self.reoffer.as_ref().and_then(|r| r.retry_at);
        [
            ok,
            st,
            self.cancel_deadline,
            self.uas_rel100.deadline(),
            retry,
        ]
        .into_iter()
        .flatten()
        .min()
    }
}
