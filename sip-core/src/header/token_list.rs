//! Headers that are comma-separated token lists: `Allow` (§20.5), `Supported` (§20.37), `Require`
//! (§20.32), `Proxy-Require` (§20.29), `Unsupported` (§20.40), `Allow-Events` (RFC 6665).

use super::error::{HeaderErrorKind, ParseResult};
use super::TypedHeader;
use crate::message::grammar::{is_token, trim_lws};
use crate::message::HeaderName;

macro_rules! token_header {
    ($(#[$doc:meta])* $ty:ident, $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $ty<'a>(pub &'a str);

        impl<'a> TypedHeader<'a> for $ty<'a> {
            const NAME: &'static str = super::known(HeaderName::$name);
    const COMPACT: Option<char> = HeaderName::$name.compact();
            const LIST: bool = true;
            fn parse(value: &'a str) -> ParseResult<Self> {
                let v = trim_lws(value);
                if is_token(v) { Ok(Self(v)) } else { Err((HeaderErrorKind::Token, 0)) }
            }
        }
    };
}

token_header!(
    /// One method of `Allow`.
    Allow, Allow);
token_header!(
    /// One option tag of `Supported`.
    Supported, Supported);
token_header!(
    /// One option tag of `Require`.
    Require, Require);
token_header!(
    /// One option tag of `Proxy-Require`.
    ProxyRequire, ProxyRequire);
token_header!(
    /// One option tag of `Unsupported`.
    Unsupported, Unsupported);
token_header!(
    /// One event package of `Allow-Events`.
    AllowEvents, AllowEvents);
