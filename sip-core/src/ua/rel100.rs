//! Reliable provisional responses (RFC 3262, option tag `100rel`): the UAC acknowledges each
//! reliable 1xx with PRACK (RSeq/RAck, in order, once); the UAS retransmits its reliable 1xx
//! until the PRACK arrives, sends at most one unacknowledged at a time, holds a 2xx back while
//! a 1xx with a session description is unacknowledged, and rejects the INVITE with a 5xx when
//! no PRACK comes within 64·T1 (§3).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use rtcweb_proto::time::InstantExt as _;

use super::agent::{Purpose, UserAgent, HEADERS};
use super::call::CallState;
use super::event::{EndReason, UaEvent};
use crate::header::{RAck, RSeq, Require, Supported};
use crate::message::builder::MessageBuilder;
use crate::message::{Header, Message, Method};
use crate::transaction::TxId;
use crate::Instant;

/// How this UA uses reliable provisional responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rel100 {
    /// Not at all: INVITEs do not say `100rel`; an INVITE that requires it gets 420.
    Disabled,
    /// INVITEs carry `Supported: 100rel` and reliable 1xx are PRACKed; as UAS, 1xx are sent
    /// reliably when the INVITE requires it.
    #[default]
    Supported,
    /// INVITEs carry `Require: 100rel`; as UAS, 1xx are sent reliably whenever the INVITE
    /// supports or requires it.
    Required,
}

/// What an INVITE said about `100rel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum PeerRel100 {
    /// Nothing.
    #[default]
    None,
    /// `Supported: 100rel`.
    Supported,
    /// `Require: 100rel`.
    Required,
}

/// Whether `msg` names `tag` in a `Require` header.
pub(crate) fn requires(msg: &Message<'_>, tag: &str) -> bool {
    msg.typed_all::<Require>()
        .any(|r| r.is_ok_and(|r| r.0.eq_ignore_ascii_case(tag)))
}

/// Whether `msg` names `tag` in a `Supported` header.
fn supports(msg: &Message<'_>, tag: &str) -> bool {
    msg.typed_all::<Supported>()
        .any(|r| r.is_ok_and(|r| r.0.eq_ignore_ascii_case(tag)))
}

/// What an INVITE says about `100rel`.
pub(crate) fn peer_rel100(msg: &Message<'_>) -> PeerRel100 {
    if requires(msg, "100rel") {
        PeerRel100::Required
    } else if supports(msg, "100rel") {
        PeerRel100::Supported
    } else {
        PeerRel100::None
    }
}

/// The option tags of `msg`'s `Require` headers this UA does not support (§8.2.2.3), comma
/// separated; empty when all are supported.
pub(crate) fn unsupported(msg: &Message<'_>, rel100: Rel100) -> String {
    let mut out = String::new();
    for tag in msg.typed_all::<Require>().flatten() {
        let known = tag.0.eq_ignore_ascii_case("timer")
            || (tag.0.eq_ignore_ascii_case("100rel") && rel100 != Rel100::Disabled);
        if !known {
            if !out.is_empty() {
                out.push_str(", ");
            }
            out.push_str(tag.0);
        }
    }
    out
}

/// A reliable provisional response sent and not yet acknowledged (UAS, §3).
#[derive(Debug, Clone)]
pub(crate) struct Unacked {
    pub(crate) rseq: u32,
    pub(crate) bytes: Vec<u8>,
    pub(crate) has_sdp: bool,
    pub(crate) next: Instant,
    pub(crate) interval: Duration,
    pub(crate) give_up: Instant,
}

/// The UAS side of one incoming call's reliable provisionals.
#[derive(Debug, Clone, Default)]
pub(crate) struct UasRel100 {
    /// What the INVITE said.
    pub(crate) peer: PeerRel100,
    /// The RSeq of the next reliable provisional (random start, §3).
    pub(crate) next_rseq: u32,
    /// The one unacknowledged reliable provisional.
    pub(crate) unacked: Option<Unacked>,
    /// A 2xx held back until `unacked` (which carried SDP) is PRACKed: its SDP.
    pub(crate) held_answer: Option<Vec<u8>>,
}

impl UasRel100 {
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.unacked.as_ref().map(|u| u.next.min(u.give_up))
    }
}

/// The UAC side of one outgoing call: the last RSeq PRACKed per early dialog (remote tag).
#[derive(Debug, Clone, Default)]
pub(crate) struct UacRel100 {
    pub(crate) acked: Vec<(String, u32)>,
}

impl UserAgent {
    /// Whether our reply to this incoming call's INVITE must be reliable.
    pub(crate) fn reliable_for(&self, peer: PeerRel100) -> bool {
        match (self.cfg.rel100, peer) {
            (Rel100::Disabled, _) | (_, PeerRel100::None) => false,
            (Rel100::Required, _) | (_, PeerRel100::Required) => true,
            (Rel100::Supported, PeerRel100::Supported) => false,
        }
    }

    /// UAC: a reliable provisional `msg` (it has `Require: 100rel`) for call `id` from the
    /// early dialog with remote tag `tag`. Returns whether it is new (to be passed up): then a
    /// PRACK was sent. Retransmissions and out-of-order ones are absorbed (§4).
    pub(crate) fn prack(&mut self, now: Instant, id: u64, msg: &Message<'_>, tag: &str) -> bool {
        let Ok(Some(RSeq(rseq))) = msg.typed::<RSeq>() else {
            // §4: a reliable provisional without RSeq is not one; pass it up unacknowledged.
            return true;
        };
        let via = self.via();
        let Some(c) = self.calls.get_mut(&id) else {
            return false;
        };
        let last = c
            .uac_rel100
            .acked
            .iter()
            .find(|(t, _)| t == tag)
            .map(|&(_, r)| r);
        if let Some(last) = last {
            if rseq != last.wrapping_add(1) {
                return false; // a retransmission (already PRACKed) or a gap: discard
            }
        }
        let rack = format!("{rseq} {} INVITE", c.invite_seq);
        let Some(d) = c.dialogs.iter_mut().find(|d| d.id().remote_tag == tag) else {
            return true;
        };
        let Ok(bytes) = d.request(Method::Prack, &via, &[("RAck", rack.as_str())], None) else {
            return true;
        };
        let peer = c.peer;
        match c.uac_rel100.acked.iter_mut().find(|(t, _)| t == tag) {
            Some(entry) => entry.1 = rseq,
            None => c.uac_rel100.acked.push((tag.into(), rseq)),
        }
        let _ = self.send_to(now, peer, &bytes, Purpose::InDialog);
        true
    }

    /// UAS: sends the reliable provisional `bytes` (already carrying `Require: 100rel` and
    /// `RSeq`) on `tx` and arms its retransmission.
    pub(crate) fn send_reliable(
        &mut self,
        now: Instant,
        id: u64,
        tx: TxId,
        rseq: u32,
        bytes: Vec<u8>,
        has_sdp: bool,
    ) -> Result<(), crate::transaction::LayerError> {
        self.layer.send_response(now, tx, &bytes)?;
        let t1 = self.cfg.layer.timers.t1;
        let give_up = now.saturating_add(self.cfg.layer.timers.t1x64());
        if let Some(c) = self.calls.get_mut(&id) {
            c.uas_rel100.next_rseq = rseq.wrapping_add(1);
            c.uas_rel100.unacked = Some(Unacked {
                rseq,
                bytes,
                has_sdp,
                next: now.saturating_add(t1),
                interval: t1,
                give_up,
            });
        }
        Ok(())
    }

    /// UAS: time for call `id`'s unacknowledged reliable provisional: retransmit it (T1,
    /// doubling, §3), or after 64·T1 reject the INVITE 504 and end the call.
    pub(crate) fn rel100_timeout(&mut self, now: Instant, id: u64) {
        let t2 = self.cfg.layer.timers.t2;
        let Some(c) = self.calls.get_mut(&id) else {
            return;
        };
        let (Some(tx), Some(u)) = (c.invite_tx, c.uas_rel100.unacked.as_mut()) else {
            return;
        };
        if u.give_up <= now {
            c.uas_rel100 = UasRel100::default();
            let (invite, tag) = (c.invite.clone(), c.local_tag.clone());
            let mut st = [Header::EMPTY; HEADERS];
            if let Ok(inv) = Message::parse(&invite, &mut st) {
                let resp = MessageBuilder::response_to(
                    &inv,
                    504,
                    "Reliable Provisional Response Not Acknowledged",
                    Some(&tag),
                )
                .to_vec();
                let _ = self.layer.send_response(now, tx, &resp);
            }
            self.end_call(id, EndReason::NoAck);
            return;
        }
        if u.next <= now {
            u.interval = (u.interval * 2).min(t2.max(u.interval));
            u.next = now.saturating_add(u.interval);
            let bytes = u.bytes.clone();
            let _ = self.layer.send_response(now, tx, &bytes);
        }
    }

    /// UAS: a PRACK (§3). It acknowledges the call's unacknowledged reliable provisional when
    /// its RAck names that RSeq and the INVITE's CSeq: 200, and a held 2xx goes out. Anything
    /// else gets 481.
    pub(crate) fn on_prack(&mut self, now: Instant, tx: TxId, msg: &Message<'_>) {
        let call_id = msg.header("call-id").map_or("", |h| h.value());
        let to_tag = msg
            .typed::<crate::header::ToHeader>()
            .ok()
            .flatten()
            .and_then(|t| t.tag())
            .unwrap_or("");
        let rack = msg.typed::<RAck>().ok().flatten();
        let found = self.calls.by_local_tag(to_tag).and_then(|id| {
            let c = self.calls.get(&id)?;
            let matches = !c.outgoing
                && c.call_id == call_id
                && c.local_tag == to_tag
                && matches!(c.state, CallState::Incoming | CallState::Answering);
            matches.then_some(id)
        });
        let acked = found.and_then(|id| {
            let c = self.calls.get(&id)?;
            let u = c.uas_rel100.unacked.as_ref()?;
            let rack = rack.as_ref()?;
            (rack.rseq == u.rseq && rack.cseq == c.invite_seq && rack.method == Method::Invite)
                .then_some(id)
        });
        let Some(id) = acked else {
            let resp =
                MessageBuilder::response_to(msg, 481, "Call/Transaction Does Not Exist", None)
                    .to_vec();
            let _ = self.layer.send_response(now, tx, &resp);
            return;
        };
        let resp = MessageBuilder::response_to(msg, 200, "OK", None).to_vec();
        let _ = self.layer.send_response(now, tx, &resp);
        let Some(c) = self.calls.get_mut(&id) else {
            return;
        };
        c.uas_rel100.unacked = None;
        let held = c.uas_rel100.held_answer.take();
        let call = c.handle;
        self.event(UaEvent::PrackReceived { call });
        if let Some(sdp) = held {
            let _ = self.respond_invite(now, call, 200, "OK", Some(&sdp));
        }
    }
}
