//! The ACK an INVITE client transaction sends for a non-2xx final response (RFC 3261 §17.1.1.3).

use alloc::vec::Vec;

use crate::header::CSeq;
use crate::message::builder::MessageBuilder;
use crate::message::{HeaderName, Message, Method};

/// Builds the ACK: Request-URI, Call-ID, From, top Via and Route of the INVITE, To of the response,
/// CSeq number of the INVITE with method ACK. `None` if the INVITE lacks what is needed.
pub(crate) fn ack_for_non_2xx(invite: &Message<'_>, response: &Message<'_>) -> Option<Vec<u8>> {
    let uri = invite.request_uri()?;
    let seq = invite.typed::<CSeq>().ok().flatten()?.seq;
    let mut b = MessageBuilder::request(Method::Ack, uri);
    b.add_header("Via", invite.values("via").next()?);
    for v in invite.values("route") {
        b.add_header("Route", v);
    }
    b.add_header("Max-Forwards", "70");
    b.add_header("From", invite.header_by_id(HeaderName::From)?.value());
    b.add_header("To", response.header_by_id(HeaderName::To)?.value());
    b.add_header("Call-ID", invite.header_by_id(HeaderName::CallId)?.value());
    let cseq = alloc::format!("{seq} ACK");
    b.add_header("CSeq", cseq);
    Some(b.to_vec())
}
