//! Dialog identifiers (RFC 3261 §12: Call-ID, local tag, remote tag).

use alloc::string::String;

use crate::header::{CallId, FromHeader, ToHeader};
use crate::message::Message;

/// Call-ID plus both tags, from this endpoint's point of view.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DialogId {
    /// Call-ID.
    pub call_id: String,
    /// Our tag.
    pub local_tag: String,
    /// The peer's tag (empty while unknown).
    pub remote_tag: String,
}

fn parts<'a>(msg: &Message<'a>) -> Option<(&'a str, Option<&'a str>, Option<&'a str>)> {
    let call_id = msg.typed::<CallId>().ok().flatten()?.0;
    let from = msg.typed::<FromHeader>().ok().flatten()?.tag();
    let to = msg.typed::<ToHeader>().ok().flatten()?.tag();
    Some((call_id, from, to))
}

impl DialogId {
    /// The id of the dialog a received request belongs to, as its UAS sees it (§12.2.2: local tag
    /// = To tag, remote tag = From tag). `None` if the request has no To tag (not in a dialog).
    #[must_use]
    pub fn of_received_request(msg: &Message<'_>) -> Option<Self> {
        let (call_id, from, to) = parts(msg)?;
        Some(Self {
            call_id: call_id.into(),
            local_tag: to?.into(),
            remote_tag: from.unwrap_or("").into(),
        })
    }

    /// The id of the dialog a received response belongs to, as its UAC sees it (local tag = From
    /// tag, remote tag = To tag). `None` without a From tag.
    #[must_use]
    pub fn of_received_response(msg: &Message<'_>) -> Option<Self> {
        let (call_id, from, to) = parts(msg)?;
        Some(Self {
            call_id: call_id.into(),
            local_tag: from?.into(),
            remote_tag: to.unwrap_or("").into(),
        })
    }
}
