//! A 2xx to an INVITE that matches no transaction (§13.2.2.4, RFC 6026 §7): a retransmission for a
//! call we know gets its ACK again; a new fork of an INVITE we sent recently is ACKed and then ended
//! with BYE, once (`SentInvites`); anything else is dropped (§18.1.2) — it is not ours, and
//! answering it would make the UA an amplifier for whoever spoofs 2xx responses.

use alloc::format;

use super::agent::{Purpose, UserAgent, HEADERS};
use super::sent_invites::Verdict;
use crate::dialog::{Dialog, DialogId};
use crate::header::{CSeq, Contact};
use crate::message::builder::MessageBuilder;
use crate::message::{Header, Message, Method};
use crate::transaction::Peer;
use crate::Instant;

impl UserAgent {
    pub(crate) fn on_stray_response(&mut self, now: Instant, _peer: Peer, msg: &Message<'_>) {
        let is_invite_2xx = msg.status().is_some_and(|c| (200..300).contains(&c))
            && msg
                .typed::<CSeq>()
                .ok()
                .flatten()
                .is_some_and(|c| c.method == Method::Invite);
        if !is_invite_2xx {
            return; // §18.1.2: other stray responses are dropped
        }
        let id = DialogId::of_received_response(msg);
        let known = id
            .as_ref()
            .and_then(|id| self.call_for_dialog(id))
            .and_then(|k| self.calls.get(&k)?.ack.clone());
        match known {
            Some(ack) => {
                let proxy = self.cfg.proxy;
                self.layer.send_stateless(proxy, &ack);
            }
            None => self.ack_and_bye(now, msg),
        }
    }

    /// ACKs a 2xx we do not want and sends BYE in its dialog — only when it answers an INVITE
    /// of ours, and only once per fork; a retransmission is ACKed again.
    pub(crate) fn ack_and_bye(&mut self, now: Instant, msg: &Message<'_>) {
        let Some(id) = DialogId::of_received_response(msg).filter(|id| !id.remote_tag.is_empty())
        else {
            return;
        };
        let verdict = self
            .sent_invites
            .classify(now, &id.call_id, &id.local_tag, &id.remote_tag);
        let send_bye = match verdict {
            Verdict::Drop => {
                self.stray_dropped = self.stray_dropped.saturating_add(1);
                rtcweb_proto::log_debug!(
                    "ua: stray 2xx dropped: not an answer to an INVITE we sent (RFC 3261 §18.1.2)"
                );
                return;
            }
            Verdict::AckAgain => false,
            Verdict::AckAndBye => true,
        };
        // Rebuild the INVITE's dialog-relevant parts from the response itself.
        let Ok(Some(cseq)) = msg.typed::<CSeq>() else {
            return;
        };
        let target = match msg.typed::<Contact>().ok().flatten() {
            Some(Contact::Addr(a)) => a.uri,
            _ => return,
        };
        let (Some(from), Some(to), Some(call_id)) =
            (msg.header("from"), msg.header("to"), msg.header("call-id"))
        else {
            return;
        };
        let via = self.via();
        let mut b = MessageBuilder::request(Method::Invite, target);
        b.add_header("Via", via.as_str());
        b.add_header("From", from.value());
        b.add_header("To", to.value());
        b.add_header("Call-ID", call_id.value());
        b.add_header("CSeq", format!("{} INVITE", cseq.seq));
        let invite = b.to_vec();
        let mut st = [Header::EMPTY; HEADERS];
        let Ok(inv) = Message::parse(&invite, &mut st) else {
            return;
        };
        let Ok(mut dialog) = Dialog::uac(&inv, msg) else {
            return;
        };
        let ack = dialog.ack(cseq.seq, &via, None);
        let proxy = self.cfg.proxy;
        self.layer.send_stateless(proxy, &ack);
        if !send_bye {
            return;
        }
        let via = self.via();
        if let Ok(bye) = dialog.request(Method::Bye, &via, &[], None) {
            let _ = self.send(now, &bye, Purpose::InDialog);
        }
    }
}
