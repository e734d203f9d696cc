//! Requests inside a dialog (RFC 3261 §12.2.1.1): Request-URI and Route from the route set (loose
//! or strict routing), CSeq, tags; and the ACK for a 2xx (§13.2.2.4).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::state::{Dialog, DialogError, DialogState};
use crate::message::builder::MessageBuilder;
use crate::message::Method;

/// Whether a route-set entry is a loose router (`;lr` inside the URI, §19.1.1).
fn is_loose(route: &str) -> bool {
    let uri = route
        .trim()
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap_or("");
    uri.split(';').skip(1).any(|p| {
        p.trim().eq_ignore_ascii_case("lr") || p.trim().to_ascii_lowercase().starts_with("lr=")
    })
}

fn bare_uri(route: &str) -> &str {
    route
        .trim()
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap_or("")
}

impl Dialog {
    /// Builds a request in this dialog. `via` is the whole Via value (with a fresh branch); `extra`
    /// headers are appended; `body` is `(content type, bytes)`. CSeq increments except for ACK and
    /// CANCEL. Target-refresh methods carry our Contact.
    ///
    /// # Errors
    /// [`DialogError::Terminated`].
    pub fn request(
        &mut self,
        method: Method<'_>,
        via: &str,
        extra: &[(&str, &str)],
        body: Option<(&str, &[u8])>,
    ) -> Result<Vec<u8>, DialogError> {
        if self.state == DialogState::Terminated {
            return Err(DialogError::Terminated);
        }
        if !matches!(method, Method::Ack | Method::Cancel) {
            self.local_seq = self.local_seq.wrapping_add(1).max(1);
        }
        Ok(self.build(method, self.local_seq, via, extra, body))
    }

    /// The ACK for a 2xx to the INVITE with CSeq `invite_seq` (§13.2.2.4): same routing as any
    /// in-dialog request, CSeq number of the INVITE, a new branch (`via`).
    #[must_use]
    pub fn ack(&self, invite_seq: u32, via: &str, body: Option<(&str, &[u8])>) -> Vec<u8> {
        self.build(Method::Ack, invite_seq, via, &[], body)
    }

    fn build(
        &self,
        method: Method<'_>,
        seq: u32,
        via: &str,
        extra: &[(&str, &str)],
        body: Option<(&str, &[u8])>,
    ) -> Vec<u8> {
        let (ruri, routes): (&str, Vec<&str>) = match self.route_set.first() {
            None => (&self.remote_target, Vec::new()),
            Some(first) if is_loose(first) => (
                &self.remote_target,
                self.route_set.iter().map(String::as_str).collect(),
            ),
            Some(first) => {
                // Strict router (§12.2.1.1): it becomes the Request-URI, the remote target the
                // last Route.
                let mut r: Vec<&str> = self.route_set.iter().skip(1).map(String::as_str).collect();
                r.push(&self.remote_target);
                (bare_uri(first), r)
            }
        };
        let mut b = MessageBuilder::request(method, ruri);
        b.add_header("Via", via);
        b.add_header("Max-Forwards", "70");
        for r in &routes {
            if r.starts_with('<') {
                b.add_header("Route", *r);
            } else {
                b.add_header("Route", format!("<{r}>"));
            }
        }
        let with_tag = |party: &str, tag: &str| -> String {
            if tag.is_empty() {
                party.into()
            } else {
                format!("{party};tag={tag}")
            }
        };
        b.add_header("From", with_tag(&self.local_party, &self.id.local_tag));
        b.add_header("To", with_tag(&self.remote_party, &self.id.remote_tag));
        b.add_header("Call-ID", self.id.call_id.as_str());
        b.add_header("CSeq", format!("{seq} {}", method.as_str()));
        if matches!(
            method,
            Method::Invite | Method::Update | Method::Subscribe | Method::Notify | Method::Refer
        ) && !self.local_contact.is_empty()
        {
            b.add_header("Contact", self.local_contact.as_str());
        }
        for (k, v) in extra {
            b.add_header(*k, *v);
        }
        if let Some((ct, bytes)) = body {
            b.add_header("Content-Type", ct);
            b.set_body(bytes, None);
        }
        b.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loose_detection() {
        assert!(is_loose("<sip:p1.example.com;lr>"));
        assert!(!is_loose("<sip:p1.example.com>;lr"));
        assert_eq!(bare_uri("<sip:p1;maddr=x>"), "sip:p1;maddr=x");
    }
}
