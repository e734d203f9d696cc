//! The checks a UA or proxy makes before processing a request or response (RFC 3261 §8.2, §16.3),
//! as typed errors mapped to the status code to answer with.

use super::view::Message;
use crate::header::{
    id_of, CSeq, CallId, FromHeader, HeaderError, MaxForwards, ToHeader, TypedHeader, Via,
};
use crate::message::HeaderName;
use crate::uri::Uri;

/// A defect that makes a message unacceptable, with the byte offset where it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// A mandatory header (To, From, CSeq, Call-ID, Via; Max-Forwards on requests) is missing (§8.1.1).
    #[error("byte {offset}: missing mandatory {} header (RFC 3261 §8.1.1)", header.canonical().unwrap_or("?"))]
    MissingHeader {
        /// The header.
        header: HeaderName,
        /// Offset of the end of the header section.
        offset: usize,
    },
    /// A header that must appear once appears more than once (§7.3.1, §20).
    #[error("byte {offset}: duplicate {} header (RFC 3261 §20)", header.canonical().unwrap_or("?"))]
    DuplicateHeader {
        /// The header.
        header: HeaderName,
        /// Offset of the second occurrence.
        offset: usize,
    },
    /// A mandatory header does not match its grammar (Via, From, To, CSeq, Call-ID, Max-Forwards).
    #[error("{0}")]
    Malformed(HeaderError),
    /// The CSeq method differs from the request method (§8.2, §16.3).
    #[error("byte {offset}: CSeq method does not match the request method (RFC 3261 §8.1.1.5)")]
    CSeqMethodMismatch {
        /// Offset of the CSeq value.
        offset: usize,
    },
    /// Max-Forwards is 0 on a request that would be forwarded (§16.3 step 3).
    #[error("byte {offset}: Max-Forwards exhausted (RFC 3261 §16.3)")]
    TooManyHops {
        /// Offset of the Max-Forwards value.
        offset: usize,
    },
    /// The Request-URI does not parse (§19).
    #[error("byte {offset}: malformed Request-URI (RFC 3261 §19.1)")]
    BadRequestUri {
        /// Offset of the offending byte.
        offset: usize,
    },
    /// The Request-URI scheme is not sip, sips or tel (§8.2.2.1).
    #[error("byte {offset}: unsupported URI scheme in Request-URI (RFC 3261 §8.2.2.1)")]
    UnsupportedUriScheme {
        /// Offset of the Request-URI.
        offset: usize,
    },
}

impl ValidationError {
    /// The status code to answer a request with (§21): 400, 416 or 483.
    #[must_use]
    pub const fn status_code(&self) -> u16 {
        match self {
            Self::TooManyHops { .. } => 483,
            Self::UnsupportedUriScheme { .. } => 416,
            _ => 400,
        }
    }

    /// The byte offset of the defect.
    #[must_use]
    pub const fn offset(&self) -> usize {
        match self {
            Self::MissingHeader { offset, .. }
            | Self::DuplicateHeader { offset, .. }
            | Self::CSeqMethodMismatch { offset }
            | Self::TooManyHops { offset }
            | Self::BadRequestUri { offset }
            | Self::UnsupportedUriScheme { offset } => *offset,
            Self::Malformed(e) => e.offset,
        }
    }
}

fn required<'a, H: TypedHeader<'a>>(msg: &Message<'a>, single: bool) -> Result<H, ValidationError> {
    let end = msg.body_offset();
    let mut it = msg.headers().iter().filter(|h| h.is_typed::<H>());
    it.next().ok_or(ValidationError::MissingHeader {
        header: id_of::<H>(),
        offset: end,
    })?;
    if single {
        if let Some(second) = it.next() {
            return Err(ValidationError::DuplicateHeader {
                header: id_of::<H>(),
                offset: second.offset(),
            });
        }
    }
    msg.typed::<H>()
        .map_err(ValidationError::Malformed)?
        .ok_or(ValidationError::MissingHeader {
            header: id_of::<H>(),
            offset: end,
        })
}

/// The §8.2 checks every UA (and §16.3 every proxy) makes: mandatory headers present once and
/// well-formed, every Via well-formed, CSeq method = request method, Request-URI scheme supported
/// and without a headers component (§19.1.1).
///
/// # Errors
/// The first [`ValidationError`] found.
pub fn validate(msg: &Message<'_>) -> Result<(), ValidationError> {
    for v in msg.typed_all::<Via>() {
        v.map_err(ValidationError::Malformed)?;
    }
    required::<Via>(msg, false)?;
    required::<FromHeader>(msg, true)?;
    required::<ToHeader>(msg, true)?;
    required::<CallId>(msg, true)?;
    let cseq = required::<CSeq>(msg, true)?;
    let Some(method) = msg.method() else {
        return Ok(());
    };
    // Max-Forwards is optional (RFC 2543 requests lack it) but, like the others, single (§20.22).
    if let Some(second) = msg
        .headers()
        .iter()
        .filter(|h| h.id() == HeaderName::MaxForwards)
        .nth(1)
    {
        return Err(ValidationError::DuplicateHeader {
            header: HeaderName::MaxForwards,
            offset: second.offset(),
        });
    }
    if let Some(h) = msg.header_by_id(HeaderName::MaxForwards) {
        MaxForwards::parse(h.value()).map_err(|(kind, at)| {
            ValidationError::Malformed(HeaderError {
                header: HeaderName::MaxForwards,
                name: MaxForwards::NAME,
                offset: h.value_offset() + at,
                kind,
            })
        })?;
    }
    if cseq.method != method {
        let offset = msg
            .header_by_id(HeaderName::CSeq)
            .map_or(0, |h| h.value_offset());
        return Err(ValidationError::CSeqMethodMismatch { offset });
    }
    let uri_text = msg.request_uri().unwrap_or_default();
    let uri_at = msg.start_offset() + method.as_str().len() + 1;
    match Uri::parse(uri_text) {
        Ok(Uri::Other { .. }) => Err(ValidationError::UnsupportedUriScheme { offset: uri_at }),
        // §19.1.1 Table 1: the headers component is not allowed in a Request-URI
        // (RFC 4475 §3.1.2.11 escruri).
        Ok(Uri::Sip(s)) if s.headers.is_some() => Err(ValidationError::BadRequestUri {
            offset: uri_at + uri_text.find('?').unwrap_or(0),
        }),
        Ok(_) => Ok(()),
        Err(e) => Err(ValidationError::BadRequestUri {
            offset: uri_at + e.offset,
        }),
    }
}

/// [`validate`] plus the proxy's §16.3 step 3: a request with `Max-Forwards: 0` must not be
/// forwarded (483). A request without Max-Forwards passes the check (§16.3 step 3; an RFC 2543
/// request such as RFC 4475 §3.4.1 has none): the proxy adds one when forwarding (§16.6 step 3).
///
/// # Errors
/// The first [`ValidationError`] found.
pub fn validate_for_proxy(msg: &Message<'_>) -> Result<(), ValidationError> {
    validate(msg)?;
    if msg.is_request() && msg.header_by_id(HeaderName::MaxForwards).is_some() {
        let mf = required::<MaxForwards>(msg, true)?;
        if mf.0 == 0 {
            let offset = msg
                .header_by_id(HeaderName::MaxForwards)
                .map_or(0, |h| h.value_offset());
            return Err(ValidationError::TooManyHops { offset });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Header;

    fn check(raw: &[u8]) -> (Result<(), ValidationError>, Result<(), ValidationError>) {
        let mut st = [Header::EMPTY; 16];
        let m = Message::parse(raw, &mut st).unwrap_or_else(|e| panic!("{e}"));
        (validate(&m), validate_for_proxy(&m))
    }

    const HEAD: &str = "Via: SIP/2.0/UDP h\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\n\
                        Call-ID: x\r\nCSeq: 1 OPTIONS\r\n";

    #[test]
    fn request_uri_headers_refused() {
        let raw = alloc::format!("OPTIONS sip:c@d?Route=%3Csip:e%3E SIP/2.0\r\n{HEAD}\r\n");
        let (v, _) = check(raw.as_bytes());
        assert_eq!(v, Err(ValidationError::BadRequestUri { offset: 15 }));
    }

    #[test]
    fn proxy_max_forwards_check() {
        // §16.3 step 3: absent Max-Forwards passes; 0 is 483.
        let raw = alloc::format!("OPTIONS sip:c@d SIP/2.0\r\n{HEAD}\r\n");
        assert_eq!(check(raw.as_bytes()), (Ok(()), Ok(())));
        let raw = alloc::format!("OPTIONS sip:c@d SIP/2.0\r\n{HEAD}Max-Forwards: 0\r\n\r\n");
        let (v, p) = check(raw.as_bytes());
        assert_eq!(v, Ok(()));
        assert_eq!(p.map_err(|e| e.status_code()), Err(483));
    }
}
