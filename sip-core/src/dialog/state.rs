//! [`Dialog`] state and its creation (RFC 3261 §12.1), updates (§12.2) and termination.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::id::DialogId;
use crate::header::{CSeq, CallId, Contact, FromHeader, RecordRoute, ToHeader, TypedHeader};
use crate::message::{Message, Method};

/// A header a dialog needs, typed; `name` names it in the error when it is missing or malformed.
fn required<'a, H: TypedHeader<'a>>(
    msg: &Message<'a>,
    name: &'static str,
) -> Result<H, DialogError> {
    msg.typed::<H>()
        .ok()
        .flatten()
        .ok_or(DialogError::Missing(name))
}

/// Early (from a 1xx with a To tag) or confirmed (from a 2xx), §12.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogState {
    /// Created by a provisional response; may still fail or be replaced by another fork.
    Early,
    /// Created or confirmed by a 2xx.
    Confirmed,
    /// Ended (BYE, or failure of an early dialog).
    Terminated,
}

/// Why a dialog cannot be created or a request does not fit it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DialogError {
    /// A header needed to build the dialog is missing or malformed (named).
    #[error("missing or malformed {0} (RFC 3261 §12.1)")]
    Missing(&'static str),
    /// The response does not create a dialog (not 101–299, or no To tag).
    #[error("response does not create a dialog (RFC 3261 §12.1.2)")]
    NoDialog,
    /// A request's CSeq is lower than the last one seen: answer 500 (§12.2.2).
    #[error("CSeq {got} not above remote sequence {last} (RFC 3261 §12.2.2)")]
    OutOfOrder {
        /// The last remote CSeq.
        last: u32,
        /// The one received.
        got: u32,
    },
    /// The dialog is terminated.
    #[error("dialog terminated")]
    Terminated,
}

/// One dialog (§12): identifiers, parties, sequence numbers, remote target and route set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialog {
    pub(crate) id: DialogId,
    pub(crate) state: DialogState,
    /// Our name-addr (From of our requests) without the tag.
    pub(crate) local_party: String,
    /// The peer's name-addr without the tag.
    pub(crate) remote_party: String,
    pub(crate) local_seq: u32,
    pub(crate) remote_seq: Option<u32>,
    pub(crate) remote_target: String,
    pub(crate) route_set: Vec<String>,
    pub(crate) local_contact: String,
    pub(crate) secure: bool,
}

/// The value of a name-addr header without its `tag` parameter.
fn without_tag(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let (addr, params) = match value.rfind('>') {
        Some(i) => value.split_at(i + 1),
        None => value.split_at(value.find(';').unwrap_or(value.len())),
    };
    out.push_str(addr.trim());
    for p in params.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let name = p.split('=').next().unwrap_or("").trim();
        if !name.eq_ignore_ascii_case("tag") {
            out.push(';');
            out.push_str(p);
        }
    }
    out
}

fn contact_uri(msg: &Message<'_>) -> Option<String> {
    match msg.typed::<Contact>().ok().flatten()? {
        Contact::Addr(a) => Some(a.uri.to_string()),
        Contact::Star(_) => None,
    }
}

fn record_route(msg: &Message<'_>) -> Vec<String> {
    msg.typed_all::<RecordRoute>()
        .filter_map(Result::ok)
        .map(|r| {
            let mut s = String::from("<");
            s.push_str(r.uri);
            s.push('>');
            for (k, v) in r.params.iter() {
                s.push(';');
                s.push_str(k);
                if let Some(v) = v {
                    s.push('=');
                    s.push_str(v);
                }
            }
            s
        })
        .collect()
}

impl Dialog {
    /// The UAC side (§12.1.2): from the request we sent and a 101–299 response with a To tag.
    /// A 1xx makes an early dialog, a 2xx a confirmed one; each fork (To tag) is its own dialog.
    ///
    /// # Errors
    /// [`DialogError`] when the response creates no dialog or headers are missing.
    pub fn uac(request: &Message<'_>, response: &Message<'_>) -> Result<Self, DialogError> {
        let code = response.status().ok_or(DialogError::NoDialog)?;
        if !(101..300).contains(&code) {
            return Err(DialogError::NoDialog);
        }
        let to = required::<ToHeader>(response, "To")?;
        let remote_tag = to.tag().ok_or(DialogError::NoDialog)?;
        let from = required::<FromHeader>(request, "From")?;
        let local_tag = from.tag().ok_or(DialogError::Missing("From tag"))?;
        let call_id = required::<CallId>(request, "Call-ID")?;
        let cseq = required::<CSeq>(request, "CSeq")?;
        let ruri = request
            .request_uri()
            .ok_or(DialogError::Missing("Request-URI"))?;
        let mut route_set = record_route(response);
        route_set.reverse();
        let remote_target = match contact_uri(response) {
            Some(c) => c,
            None if code < 200 => ruri.to_string(),
            None => return Err(DialogError::Missing("Contact")),
        };
        Ok(Self {
            id: DialogId {
                call_id: call_id.0.into(),
                local_tag: local_tag.into(),
                remote_tag: remote_tag.into(),
            },
            state: if code < 200 {
                DialogState::Early
            } else {
                DialogState::Confirmed
            },
            local_party: without_tag(request.header("from").map_or("", |h| h.value())),
            remote_party: without_tag(response.header("to").map_or("", |h| h.value())),
            local_seq: cseq.seq,
            remote_seq: None,
            remote_target,
            route_set,
            local_contact: request
                .header("contact")
                .map_or(String::new(), |h| h.value().to_string()),
            secure: ruri.starts_with("sips:"),
        })
    }

    /// The UAS side (§12.1.1): from the received request, the To tag we put in our response and
    /// our Contact value. Our first request in the dialog uses CSeq `local_seq + 1`.
    ///
    /// # Errors
    /// [`DialogError::Missing`] for missing headers.
    pub fn uas(
        request: &Message<'_>,
        local_tag: &str,
        local_contact: &str,
        local_seq: u32,
        confirmed: bool,
    ) -> Result<Self, DialogError> {
        let from = required::<FromHeader>(request, "From")?;
        let call_id = required::<CallId>(request, "Call-ID")?;
        let cseq = required::<CSeq>(request, "CSeq")?;
        let ruri = request
            .request_uri()
            .ok_or(DialogError::Missing("Request-URI"))?;
        Ok(Self {
            id: DialogId {
                call_id: call_id.0.into(),
                local_tag: local_tag.into(),
                remote_tag: from.tag().unwrap_or("").into(),
            },
            state: if confirmed {
                DialogState::Confirmed
            } else {
                DialogState::Early
            },
            local_party: without_tag(request.header("to").map_or("", |h| h.value())),
            remote_party: without_tag(request.header("from").map_or("", |h| h.value())),
            local_seq,
            remote_seq: Some(cseq.seq),
            remote_target: contact_uri(request).ok_or(DialogError::Missing("Contact"))?,
            route_set: record_route(request),
            local_contact: local_contact.into(),
            secure: ruri.starts_with("sips:"),
        })
    }

    /// Identifiers.
    #[must_use]
    pub const fn id(&self) -> &DialogId {
        &self.id
    }

    /// State.
    #[must_use]
    pub const fn state(&self) -> DialogState {
        self.state
    }

    /// The remote target (the peer's Contact URI), where in-dialog requests go (§12.2.1.1).
    #[must_use]
    pub fn remote_target(&self) -> &str {
        &self.remote_target
    }

    /// The route set, each entry a bracketed URI with parameters, in the order requests use it.
    #[must_use]
    pub fn route_set(&self) -> &[String] {
        &self.route_set
    }

    /// Our last CSeq number.
    #[must_use]
    pub const fn local_seq(&self) -> u32 {
        self.local_seq
    }

    /// The peer's last CSeq number.
    #[must_use]
    pub const fn remote_seq(&self) -> Option<u32> {
        self.remote_seq
    }

    /// Whether the dialog was made with a SIPS Request-URI (§12.1.1).
    #[must_use]
    pub const fn is_secure(&self) -> bool {
        self.secure
    }

    /// Our name-addr (no tag).
    #[must_use]
    pub fn local_party(&self) -> &str {
        &self.local_party
    }

    /// The peer's name-addr (no tag).
    #[must_use]
    pub fn remote_party(&self) -> &str {
        &self.remote_party
    }

    /// A 2xx confirmed an early dialog (§13.2.2.4): state becomes Confirmed, route set and remote
    /// target are taken from the 2xx.
    pub fn confirm(&mut self, response: &Message<'_>) {
        if self.state == DialogState::Terminated {
            return;
        }
        self.state = DialogState::Confirmed;
        let mut rr = record_route(response);
        if !rr.is_empty() {
            rr.reverse();
            self.route_set = rr;
        }
        if let Some(c) = contact_uri(response) {
            self.remote_target = c;
        }
    }

    /// A 2xx to our target-refresh request (re-INVITE, UPDATE) updates the remote target (§12.2.1.2).
    pub fn handle_refresh_response(&mut self, response: &Message<'_>) {
        if response.status().is_some_and(|c| (200..300).contains(&c)) {
            if let Some(c) = contact_uri(response) {
                self.remote_target = c;
            }
        }
    }

    /// A request arrived in this dialog (§12.2.2): checks and records its CSeq, and applies a
    /// target refresh (re-INVITE, UPDATE with Contact).
    ///
    /// # Errors
    /// [`DialogError::OutOfOrder`] (answer 500), [`DialogError::Terminated`].
    pub fn handle_request(&mut self, request: &Message<'_>) -> Result<(), DialogError> {
        if self.state == DialogState::Terminated {
            return Err(DialogError::Terminated);
        }
        let cseq = required::<CSeq>(request, "CSeq")?;
        let method = request.method().ok_or(DialogError::Missing("method"))?;
        if matches!(method, Method::Ack | Method::Cancel) {
            return Ok(());
        }
        if let Some(last) = self.remote_seq {
            if cseq.seq <= last {
                return Err(DialogError::OutOfOrder {
                    last,
                    got: cseq.seq,
                });
            }
        }
        self.remote_seq = Some(cseq.seq);
        if matches!(method, Method::Invite | Method::Update) {
            if let Some(c) = contact_uri(request) {
                self.remote_target = c;
            }
        }
        Ok(())
    }

    /// Ends the dialog.
    pub fn terminate(&mut self) {
        self.state = DialogState::Terminated;
    }

    /// Approximate bytes this dialog holds on the heap (for capacity planning).
    #[must_use]
    pub fn heap_bytes(&self) -> usize {
        self.id.call_id.capacity()
            + self.id.local_tag.capacity()
            + self.id.remote_tag.capacity()
            + self.local_party.capacity()
            + self.remote_party.capacity()
            + self.remote_target.capacity()
            + self.local_contact.capacity()
            + self.route_set.capacity() * core::mem::size_of::<String>()
            + self.route_set.iter().map(String::capacity).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_stripping() {
        assert_eq!(
            without_tag("\"A\" <sip:a@h;x=1>;tag=9;foo"),
            "\"A\" <sip:a@h;x=1>;foo"
        );
        assert_eq!(without_tag("sip:a@h;tag=9"), "sip:a@h");
    }
}
