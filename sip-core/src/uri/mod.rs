//! URIs carried by SIP (RFC 3261 §19, §25.1): `sip:`, `sips:`, `tel:` (RFC 3966) and any other
//! absolute URI, kept opaque.

pub mod escape;
mod host;
mod sip;
mod tel;

use crate::message::grammar::find_byte;
pub use host::Host;
pub use sip::SipUri;
pub use tel::TelUri;

/// Why a URI failed to parse, and where (byte offset in the URI text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("URI byte {offset}: {kind}")]
pub struct UriError {
    /// What was wrong.
    pub kind: UriErrorKind,
    /// Offset in the URI text.
    pub offset: usize,
}

/// The URI rule that was broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UriErrorKind {
    /// No `scheme:` prefix (RFC 3986 §3.1).
    #[error("missing or invalid scheme")]
    Scheme,
    /// Malformed userinfo (§25.1 `userinfo`).
    #[error("malformed userinfo")]
    User,
    /// Malformed host (§25.1 `host`, RFC 5118 for IPv6).
    #[error("malformed host")]
    Host,
    /// Malformed port (§25.1 `port`).
    #[error("malformed port")]
    Port,
    /// Whitespace or brackets in parameters or headers.
    #[error("malformed URI parameters or headers")]
    Params,
    /// Malformed `tel:` number (RFC 3966).
    #[error("malformed telephone number")]
    Tel,
}

/// Any URI found in a SIP message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uri<'a> {
    /// `sip:` or `sips:`.
    Sip(SipUri<'a>),
    /// `tel:`.
    Tel(TelUri<'a>),
    /// Any other absolute URI (`urn:`, `http:`, `mailto:`…), kept opaque.
    Other {
        /// The scheme, as written.
        scheme: &'a str,
        /// Everything after `scheme:`.
        rest: &'a str,
    },
}

impl<'a> Uri<'a> {
    /// Parses a URI (no surrounding `<>`).
    ///
    /// # Errors
    /// [`UriError`] naming the rule and the offset.
    pub fn parse(s: &'a str) -> Result<Self, UriError> {
        let colon = find_byte(s, b':').ok_or(UriError {
            kind: UriErrorKind::Scheme,
            offset: 0,
        })?;
        let scheme = s.get(..colon).unwrap_or_default();
        let rest = s.get(colon + 1..).unwrap_or_default();
        let valid_scheme = scheme
            .as_bytes()
            .first()
            .is_some_and(u8::is_ascii_alphabetic)
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
        if !valid_scheme {
            return Err(UriError {
                kind: UriErrorKind::Scheme,
                offset: 0,
            });
        }
        if scheme.eq_ignore_ascii_case("sip") || scheme.eq_ignore_ascii_case("sips") {
            let secure = scheme.len() == 4;
            return SipUri::parse_after_scheme(rest, secure, colon + 1).map(Uri::Sip);
        }
        if scheme.eq_ignore_ascii_case("tel") {
            return TelUri::parse_after_scheme(rest)
                .map(Uri::Tel)
                .ok_or(UriError {
                    kind: UriErrorKind::Tel,
                    offset: colon + 1,
                });
        }
        if rest.bytes().any(|b| b <= b' ' || b == b'<' || b == b'>') {
            return Err(UriError {
                kind: UriErrorKind::Params,
                offset: colon + 1,
            });
        }
        Ok(Self::Other { scheme, rest })
    }

    /// The scheme (`sip`, `sips`, `tel` or as written).
    #[must_use]
    pub fn scheme(&self) -> &'a str {
        match self {
            Self::Sip(u) if u.secure => "sips",
            Self::Sip(_) => "sip",
            Self::Tel(_) => "tel",
            Self::Other { scheme, .. } => scheme,
        }
    }

    /// The SIP URI, if this is one.
    #[must_use]
    pub const fn as_sip(&self) -> Option<&SipUri<'a>> {
        match self {
            Self::Sip(u) => Some(u),
            _ => None,
        }
    }

    /// Equivalence: §19.1.4 for SIP URIs, RFC 3966 §4 (number and params, case-insensitive) for tel,
    /// and case-insensitive scheme with exact rest otherwise.
    #[must_use]
    pub fn equivalent(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Sip(a), Self::Sip(b)) => a.equivalent(b),
            (Self::Tel(a), Self::Tel(b)) => {
                let digits = |s: &'a str| {
                    s.bytes()
                        .filter(|b| !matches!(b, b'-' | b'.' | b'(' | b')'))
                };
                digits(a.number).eq(digits(b.number))
                    && a.params.as_str().eq_ignore_ascii_case(b.params.as_str())
            }
            (
                Self::Other {
                    scheme: s1,
                    rest: r1,
                },
                Self::Other {
                    scheme: s2,
                    rest: r2,
                },
            ) => s1.eq_ignore_ascii_case(s2) && r1 == r2,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests;
