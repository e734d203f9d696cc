//! A 2xx to an INVITE that matches no call (§13.2.2.4, RFC 6026 §7): a retransmission for a call we
//! know gets its ACK again; anything else is ACKed and then ended with BYE, so the far end does not
//! keep a session nobody wants.

use alloc::format;

use super::agent::{Purpose, UserAgent, HEADERS};
use crate::dialog::{Dialog, DialogId};
use crate::header::{CSeq, Contact};
use crate::message::builder::MessageBuilder;
use crate::message::{Header, Message, Method};
use crate::transaction::Peer;
use crate::Instant;

impl UserAgent {
    pub(crate) fn on_stray_response(&mut self, now: Instant, _peer: Peer, raw: &[u8]) {
        let mut st = [Header::EMPTY; HEADERS];
        let Ok(msg) = Message::parse(raw, &mut st) else {
            return;
        };
        let is_invite_2xx = msg.status().is_some_and(|c| (200..300).contains(&c))
            && msg
                .typed::<CSeq>()
                .and_then(Result::ok)
                .is_some_and(|c| c.method == Method::Invite);
        if !is_invite_2xx {
            return; // §18.1.2: other stray responses are dropped
        }
        let id = DialogId::of_received_response(&msg);
        let known = self
            .calls
            .values()
            .find(|c| c.dialog().is_some_and(|d| Some(d.id()) == id.as_ref()))
            .and_then(|c| c.ack.clone());
        match known {
            Some(ack) => {
                let proxy = self.cfg.proxy;
                self.layer.send_stateless(proxy, &ack);
            }
            None => self.ack_and_bye(now, &msg),
        }
    }

    /// ACKs a 2xx we do not want and sends BYE in its dialog.
    pub(crate) fn ack_and_bye(&mut self, now: Instant, msg: &Message<'_>) {
        // Rebuild the INVITE's dialog-relevant parts from the response itself.
        let Some(Ok(cseq)) = msg.typed::<CSeq>() else {
            return;
        };
        let target = match msg.typed::<Contact>().and_then(Result::ok) {
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
        let via = self.via();
        if let Ok(bye) = dialog.request(Method::Bye, &via, &[], None) {
            let _ = self.send(now, &bye, Purpose::InDialog);
        }
    }
}
