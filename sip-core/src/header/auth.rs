//! Authentication headers (RFC 3261 §20.7, §20.27, §20.28, §20.44; RFC 7616 §3.3, §3.4):
//! `scheme auth-param *("," auth-param)`.

use super::challenges::{challenges, Elements};
use super::error::{HeaderErrorKind, ParseResult};
use super::params::unquote;
use super::Split;
use super::{offset_in, TypedHeader};
use crate::message::grammar::trim_lws;
use crate::message::HeaderName;

/// One challenge or credentials (RFC 7235 §2.1): the scheme (`Digest`) and its comma-separated
/// parameters (or a `token68`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthParams<'a> {
    /// The scheme, e.g. `Digest`.
    pub scheme: &'a str,
    /// The parameter text after the scheme, up to the end of this challenge's last parameter.
    pub params: &'a str,
}

impl<'a> AuthParams<'a> {
    /// Parses a value holding exactly one challenge or credentials (RFC 7235 §2.1).
    fn parse_value(value: &'a str) -> ParseResult<Self> {
        let mut all = challenges(value);
        let one = all.next().ok_or((HeaderErrorKind::Empty, 0))??;
        match all.next() {
            None => Ok(one),
            Some(Ok(next)) => Err((
                HeaderErrorKind::ExtraAuthScheme,
                offset_in(value, next.scheme),
            )),
            Some(Err(e)) => Err(e),
        }
    }

    /// Iterates `(name, value)` pairs; values are unquoted (quoted-pairs kept raw).
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        Elements::new(self.params).filter_map(|(item, _)| {
            let (n, v) = item.split_once('=')?;
            Some((trim_lws(n), unquote(trim_lws(v))))
        })
    }

    /// A parameter's value (name case-insensitive), unquoted.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// Whether the scheme is `Digest` (case-insensitive).
    #[must_use]
    pub fn is_digest(&self) -> bool {
        self.scheme.eq_ignore_ascii_case("Digest")
    }
}

macro_rules! auth_header {
    ($(#[$doc:meta])* $ty:ident, $name:ident, $split:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $ty<'a>(pub AuthParams<'a>);

        impl<'a> core::ops::Deref for $ty<'a> {
            type Target = AuthParams<'a>;
            fn deref(&self) -> &AuthParams<'a> {
                &self.0
            }
        }

        impl<'a> From<$ty<'a>> for AuthParams<'a> {
            fn from(h: $ty<'a>) -> Self {
                h.0
            }
        }

        impl<'a> TypedHeader<'a> for $ty<'a> {
            const NAME: &'static str = super::known(HeaderName::$name);
    const COMPACT: Option<char> = HeaderName::$name.compact();
            const LIST: bool = false;
            const SPLIT: Split = Split::$split;
            fn parse(value: &'a str) -> ParseResult<Self> {
                AuthParams::parse_value(value).map(Self)
            }
        }
    };
}

auth_header!(
    /// One `WWW-Authenticate` challenge (§20.44). A header line may hold several (RFC 7235 §4.1):
    /// [`Message::typed_all`](crate::message::Message::typed_all) yields each challenge of every
    /// line ([`Split::Challenges`]); `parse` takes a value with exactly one.
    WwwAuthenticate, WwwAuthenticate, Challenges);
auth_header!(
    /// One `Proxy-Authenticate` challenge (§20.27); split like [`WwwAuthenticate`].
    ProxyAuthenticate, ProxyAuthenticate, Challenges);
auth_header!(
    /// `Authorization` credentials (§20.7): one per header line.
    Authorization, Authorization, Single);
auth_header!(
    /// `Proxy-Authorization` credentials (§20.28): one per header line.
    ProxyAuthorization, ProxyAuthorization, Single);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_params() {
        let a = Authorization::parse(
            "Digest username=\"bob\", realm=\"atlanta.example.com\",\r\n nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", opaque=\"\", uri=\"sips:ss2.biloxi.example.com\", response=\"dfe56131d1958046689d83306477ecc\", qop=auth, nc=00000001, cnonce=\"0a4f113b\"",
        )
        .unwrap();
        assert!(a.is_digest());
        assert_eq!(a.get("USERNAME"), Some("bob"));
        assert_eq!(a.get("qop"), Some("auth"));
        assert_eq!(a.get("opaque"), Some(""));
        assert!(Authorization::parse("Digest username").is_err());
        assert_eq!(
            Authorization::parse("Digest username=\"a\", Basic abc"),
            Err((HeaderErrorKind::ExtraAuthScheme, 21))
        );
        assert_eq!(
            WwwAuthenticate::parse("  "),
            Err((HeaderErrorKind::Empty, 0))
        );
        let w = WwwAuthenticate::parse("Bearer realm=\"api\", scope=\"a b\"").unwrap();
        assert!(!w.is_digest());
        assert_eq!(w.get("scope"), Some("a b"));
    }
}
