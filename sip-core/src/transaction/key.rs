//! Transaction matching keys (RFC 3261 §17.1.3 for responses, §17.2.3 for requests, with the
//! RFC 2543 fallback when the branch lacks the magic cookie).

use alloc::format;
use alloc::string::{String, ToString};

use super::ids::MAGIC_COOKIE;
use crate::header::{CSeq, CallId, FromHeader, ToHeader, Via};
use crate::message::{Message, Method};
use crate::uri::Host;

/// Why a message cannot be matched to a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// No parsable top Via (§8.1.1.7).
    #[error("missing or malformed top Via (RFC 3261 §8.1.1.7)")]
    Via,
    /// No parsable CSeq (§8.1.1.5).
    #[error("missing or malformed CSeq (RFC 3261 §8.1.1.5)")]
    CSeq,
    /// A client request without an RFC 3261 branch: we only send magic-cookie branches.
    #[error("request branch lacks the z9hG4bK magic cookie (RFC 3261 §8.1.1.7)")]
    Branch,
}

/// The key a transaction is found by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TransactionKey {
    /// Client side (§17.1.3): top Via branch and CSeq method.
    Client {
        /// Branch.
        branch: String,
        /// Method (CANCEL has its own transaction with the INVITE's branch).
        method: String,
    },
    /// Server side (§17.2.3): branch, sent-by and method (ACK matches INVITE).
    Server {
        /// Branch.
        branch: String,
        /// Top Via sent-by, host lowercased.
        sent_by: String,
        /// Method (ACK folded into INVITE).
        method: String,
    },
    /// RFC 2543 fallback (§17.2.3): Request-URI, From tag, Call-ID, CSeq number, top Via, method
    /// and (except for INVITE/ACK, whose To tag the server chose) the To tag.
    Legacy(String),
}

fn top_via<'a>(msg: &Message<'a>) -> Result<Via<'a>, KeyError> {
    msg.typed::<Via>().ok().flatten().ok_or(KeyError::Via)
}

fn cseq<'a>(msg: &Message<'a>) -> Result<CSeq<'a>, KeyError> {
    msg.typed::<CSeq>().ok().flatten().ok_or(KeyError::CSeq)
}

fn sent_by(via: &Via<'_>) -> String {
    let host = match via.host {
        Host::Domain(d) => d.to_ascii_lowercase(),
        Host::Ipv4(ip) => ip.to_string(),
        Host::Ipv6(ip, _) => format!("[{ip}]"),
    };
    let port = via.port.unwrap_or(0);
    format!("{host}:{port}")
}

impl TransactionKey {
    /// The client key of a request we send or a response we receive.
    ///
    /// # Errors
    /// [`KeyError`] when Via or CSeq is missing, or a request's branch lacks the magic cookie.
    pub fn client(msg: &Message<'_>) -> Result<Self, KeyError> {
        let via = top_via(msg)?;
        let branch = via.branch().ok_or(KeyError::Via)?;
        let method = match msg.method() {
            Some(m) => m,
            None => cseq(msg)?.method,
        };
        if msg.is_request() && !branch.starts_with(MAGIC_COOKIE) {
            return Err(KeyError::Branch);
        }
        Ok(Self::Client {
            branch: branch.into(),
            method: method.as_str().into(),
        })
    }

    /// The server key of a received request. `as_method` overrides the method (CANCEL looks up
    /// its INVITE with `Some(Method::Invite)`).
    ///
    /// # Errors
    /// [`KeyError`] when Via or CSeq is missing.
    pub fn server(msg: &Message<'_>, as_method: Option<Method<'_>>) -> Result<Self, KeyError> {
        let via = top_via(msg)?;
        let cs = cseq(msg)?;
        let method = match as_method.or(msg.method()).unwrap_or(cs.method) {
            Method::Ack => Method::Invite,
            m => m,
        };
        match via.branch() {
            Some(b) if b.starts_with(MAGIC_COOKIE) => Ok(Self::Server {
                branch: b.into(),
                sent_by: sent_by(&via),
                method: method.as_str().into(),
            }),
            _ => {
                let tag = |t: Option<&str>| t.unwrap_or("").to_string();
                let from = tag(msg
                    .typed::<FromHeader>()
                    .ok()
                    .flatten()
                    .and_then(|f| f.tag()));
                let to = if method == Method::Invite {
                    String::new()
                } else {
                    tag(msg.typed::<ToHeader>().ok().flatten().and_then(|t| t.tag()))
                };
                let call_id = msg.typed::<CallId>().ok().flatten().map_or("", |c| c.0);
                let via_raw = msg.header("via").map_or("", |h| h.value());
                let via_first = via_raw.split(',').next().unwrap_or("").trim();
                Ok(Self::Legacy(format!(
                    "{}\n{from}\n{to}\n{call_id}\n{}\n{via_first}\n{}",
                    msg.request_uri().unwrap_or(""),
                    cs.seq,
                    method.as_str()
                )))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Header;

    fn key(raw: &[u8], m: Option<Method<'_>>) -> TransactionKey {
        let mut st = [Header::EMPTY; 16];
        let msg = Message::parse(raw, &mut st).unwrap();
        TransactionKey::server(&msg, m).unwrap()
    }

    #[test]
    fn ack_and_cancel_fold_into_invite() {
        let inv = b"INVITE sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP H.example:5060;branch=z9hG4bK1\r\nCSeq: 1 INVITE\r\n\r\n";
        let ack = b"ACK sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h.example:5060;branch=z9hG4bK1\r\nCSeq: 1 ACK\r\n\r\n";
        let cancel = b"CANCEL sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h.example:5060;branch=z9hG4bK1\r\nCSeq: 1 CANCEL\r\n\r\n";
        assert_eq!(key(inv, None), key(ack, None));
        assert_ne!(key(inv, None), key(cancel, None));
        assert_eq!(key(inv, None), key(cancel, Some(Method::Invite)));
    }

    #[test]
    fn rfc2543_fallback() {
        let inv = b"INVITE sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n\r\n";
        let ack = b"ACK sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@x>;tag=99\r\nCall-ID: c\r\nCSeq: 1 ACK\r\n\r\n";
        assert!(matches!(key(inv, None), TransactionKey::Legacy(_)));
        assert_eq!(key(inv, None), key(ack, None));
    }
}
