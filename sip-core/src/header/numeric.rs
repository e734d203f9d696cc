//! Headers whose value is a single decimal number (RFC 3261 §20.14, §20.19, §20.22, §20.23; RFC 3262).

use super::error::{HeaderErrorKind, ParseResult};
use super::TypedHeader;
use crate::message::grammar::{parse_u32, trim_lws};
use crate::message::HeaderName;

macro_rules! numeric_header {
    ($(#[$doc:meta])* $ty:ident, $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
        pub struct $ty(pub u32);

        impl<'a> TypedHeader<'a> for $ty {
            const NAME: &'static str = super::known(HeaderName::$name);
    const COMPACT: Option<char> = HeaderName::$name.compact();
            const LIST: bool = false;
            fn parse(value: &'a str) -> ParseResult<Self> {
                parse_u32(trim_lws(value)).map(Self).ok_or((HeaderErrorKind::Number, 0))
            }
        }
    };
}

numeric_header!(
    /// `Max-Forwards` (§20.22): hops left; 0 on a request to forward means 483 (§16.3).
    MaxForwards, MaxForwards);
numeric_header!(
    /// `Content-Length` (§20.14): body size in bytes.
    ContentLength, ContentLength);
numeric_header!(
    /// `Expires` (§20.19), delta-seconds.
    Expires, Expires);
numeric_header!(
    /// `Min-Expires` (§20.23), delta-seconds.
    MinExpires, MinExpires);
numeric_header!(
    /// `RSeq` (RFC 3262 §7.1).
    RSeq, RSeq);
