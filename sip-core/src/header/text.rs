//! Headers kept as text: `Call-ID` (§20.8), `User-Agent` (§20.41), `Server` (§20.35), `Subject` (§20.36).

use super::error::{HeaderErrorKind, ParseResult};
use super::TypedHeader;
use crate::message::grammar::{is_lws, trim_lws};
use crate::message::HeaderName;

/// `Call-ID`: `word ["@" word]`, compared byte-for-byte (§20.8). `word` includes `( ) < > : \ "
/// / [ ] ? { }` (§25.1; RFC 4475 §3.1.1.2 uses them all), so only LWS ends a Call-ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallId<'a>(pub &'a str);

impl<'a> TypedHeader<'a> for CallId<'a> {
    const NAME: &'static str = super::known(HeaderName::CallId);
    const COMPACT: Option<char> = HeaderName::CallId.compact();
    const LIST: bool = false;
    fn parse(value: &'a str) -> ParseResult<Self> {
        let v = trim_lws(value);
        if v.is_empty() {
            return Err((HeaderErrorKind::Empty, 0));
        }
        match v.bytes().position(is_lws) {
            Some(i) => Err((HeaderErrorKind::Token, i)),
            None => Ok(Self(v)),
        }
    }
}

macro_rules! text_header {
    ($(#[$doc:meta])* $ty:ident, $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $ty<'a>(pub &'a str);

        impl<'a> TypedHeader<'a> for $ty<'a> {
            const NAME: &'static str = super::known(HeaderName::$name);
    const COMPACT: Option<char> = HeaderName::$name.compact();
            const LIST: bool = false;
            fn parse(value: &'a str) -> ParseResult<Self> {
                Ok(Self(trim_lws(value)))
            }
        }
    };
}

text_header!(
    /// `User-Agent`: product tokens and comments, as written.
    UserAgent, UserAgent);
text_header!(
    /// `Server`: product tokens and comments, as written.
    Server, Server);
text_header!(
    /// `Subject`: free UTF-8 text (may be empty).
    Subject, Subject);
