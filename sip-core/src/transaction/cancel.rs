//! Building a CANCEL for a pending INVITE (RFC 3261 §9.1).

use alloc::vec::Vec;

use crate::header::CSeq;
use crate::message::builder::MessageBuilder;
use crate::message::{Header, HeaderName, Message, Method};

/// The CANCEL for `invite` (the bytes we sent): same Request-URI, Call-ID, From, To, CSeq number
/// and top Via (so the same branch), Route copied, method CANCEL. `None` if `invite` is not a
/// parsable INVITE.
#[must_use]
pub fn cancel_for(invite: &[u8]) -> Option<Vec<u8>> {
    let mut st = [Header::EMPTY; 64];
    let inv = Message::parse(invite, &mut st).ok()?;
    if inv.method() != Some(Method::Invite) {
        return None;
    }
    let seq = inv.typed::<CSeq>().ok().flatten()?.seq;
    let mut b = MessageBuilder::request(Method::Cancel, inv.request_uri()?);
    b.add_header("Via", inv.values("via").next()?);
    for v in inv.values("route") {
        b.add_header("Route", v);
    }
    b.add_header("Max-Forwards", "70");
    b.add_header("From", inv.header_by_id(HeaderName::From)?.value());
    b.add_header("To", inv.header_by_id(HeaderName::To)?.value());
    b.add_header("Call-ID", inv.header_by_id(HeaderName::CallId)?.value());
    b.add_header("CSeq", alloc::format!("{seq} CANCEL"));
    Some(b.to_vec())
}
