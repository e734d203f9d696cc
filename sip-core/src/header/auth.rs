//! Authentication headers (RFC 3261 §20.7, §20.27, §20.28, §20.44; RFC 7616 §3.3, §3.4):
//! `scheme auth-param *("," auth-param)`.

use super::error::{HeaderErrorKind, ParseResult};
use super::list::split_list;
use super::params::unquote;
use super::{offset_in, TypedHeader};
use crate::message::grammar::{is_token, trim_lws};
use crate::message::HeaderName;

/// A challenge or credentials: the scheme (`Digest`) and its comma-separated parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthParams<'a> {
    /// The scheme, e.g. `Digest`.
    pub scheme: &'a str,
    /// The parameter text after the scheme.
    pub params: &'a str,
}

impl<'a> AuthParams<'a> {
    fn parse_value(value: &'a str) -> ParseResult<Self> {
        let v = trim_lws(value);
        let (scheme, params) =
            match v.find(|c: char| c.is_ascii() && crate::message::grammar::is_lws(c as u8)) {
                Some(i) => (
                    v.get(..i).unwrap_or_default(),
                    trim_lws(v.get(i..).unwrap_or_default()),
                ),
                None => (v, ""),
            };
        if !is_token(scheme) {
            return Err((HeaderErrorKind::Token, offset_in(value, scheme)));
        }
        for (item, at) in split_list(params) {
            let ok = item
                .split_once('=')
                .is_some_and(|(n, _)| is_token(trim_lws(n)));
            if !ok {
                return Err((HeaderErrorKind::AuthParam, offset_in(value, params) + at));
            }
        }
        Ok(Self { scheme, params })
    }

    /// Iterates `(name, value)` pairs; values are unquoted (quoted-pairs kept raw).
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        split_list(self.params).filter_map(|(item, _)| {
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
    ($(#[$doc:meta])* $ty:ident, $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $ty<'a>(pub AuthParams<'a>);

        impl<'a> core::ops::Deref for $ty<'a> {
            type Target = AuthParams<'a>;
            fn deref(&self) -> &AuthParams<'a> {
                &self.0
            }
        }

        impl<'a> TypedHeader<'a> for $ty<'a> {
            const NAME: HeaderName = HeaderName::$name;
            const LIST: bool = false;
            fn parse(value: &'a str) -> ParseResult<Self> {
                AuthParams::parse_value(value).map(Self)
            }
        }
    };
}

auth_header!(
    /// `WWW-Authenticate` challenge (§20.44).
    WwwAuthenticate, WwwAuthenticate);
auth_header!(
    /// `Proxy-Authenticate` challenge (§20.27).
    ProxyAuthenticate, ProxyAuthenticate);
auth_header!(
    /// `Authorization` credentials (§20.7).
    Authorization, Authorization);
auth_header!(
    /// `Proxy-Authorization` credentials (§20.28).
    ProxyAuthorization, ProxyAuthorization);

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
    }
}
