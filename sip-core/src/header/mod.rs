//! Typed header values (RFC 3261 §20 and extensions), parsed on demand from a
//! [`Message`](crate::message::Message) with [`Message::typed`](crate::message::Message::typed).
//!
//! Each type borrows the header text; none allocates.

mod auth;
mod challenges;
mod content_type;
mod cseq;
mod error;
mod event;
pub mod list;
mod name_addr;
mod numeric;
pub mod params;
pub mod quoted;
mod reason;
mod replaces;
mod retry_after;
mod session_timer;
mod text;
mod token_list;
mod via;

pub use auth::{AuthParams, Authorization, ProxyAuthenticate, ProxyAuthorization, WwwAuthenticate};
pub use challenges::{challenges, Challenges};
pub use content_type::ContentType;
pub use cseq::{CSeq, RAck};
pub use error::{HeaderError, HeaderErrorKind, ParseResult};
pub use event::{Event, SubscriptionState};
pub use list::split_list;
pub use name_addr::{
    Contact, FromHeader, NameAddr, PAssertedIdentity, Path, RecordRoute, ReferTo, ReferredBy,
    Route, ToHeader,
};
pub use numeric::{ContentLength, Expires, MaxForwards, MinExpires, RSeq};
pub use params::Params;
pub use reason::Reason;
pub use replaces::Replaces;
pub use retry_after::RetryAfter;
pub use session_timer::{MinSe, SessionExpires};
pub use text::{CallId, Server, Subject, UserAgent};
pub use token_list::{Allow, AllowEvents, ProxyRequire, Require, Supported, Unsupported};
pub use via::Via;

use crate::message::HeaderName;

/// A header with a typed form, parsed on demand by
/// [`Message::typed`](crate::message::Message::typed) and
/// [`Message::typed_all`](crate::message::Message::typed_all). Implemented by every type in this
/// module, and open to header types of other crates: a type names its header by its canonical
/// name, as STUN attributes name themselves by their type.
///
/// A header is found by its name, case-insensitively, in its long or its compact form (RFC 3261
/// §7.3.1, §7.3.3). For a header the crate knows ([`HeaderName`]), the name is resolved once, at
/// compile time, and matched by the parser's resolved id; any other name is compared with the
/// names of the unknown header lines only, so a third-party header never matches a known one or
/// another unknown one.
///
/// ```
/// use rtcweb_sip_core::header::{ParseResult, TypedHeader};
/// use rtcweb_sip_core::message::{Header, Message};
///
/// /// `Request-Disposition` (RFC 3841 §9.1), compact `d`, not known to the crate.
/// struct RequestDisposition<'a>(&'a str);
/// impl<'a> TypedHeader<'a> for RequestDisposition<'a> {
///     const NAME: &'static str = "Request-Disposition";
///     const COMPACT: Option<char> = Some('d');
///     const LIST: bool = true;
///     fn parse(value: &'a str) -> ParseResult<Self> {
///         Ok(Self(value))
///     }
/// }
///
/// let raw = b"OPTIONS sip:b@example.com SIP/2.0\r\nX-Other: no\r\nd: proxy, parallel\r\n\r\n";
/// let mut storage = [Header::EMPTY; 8];
/// let msg = Message::parse(raw, &mut storage).unwrap();
/// let first = msg.typed::<RequestDisposition>().unwrap().unwrap();
/// assert_eq!(first.0, "proxy");
/// ```
pub trait TypedHeader<'a>: Sized {
    /// The canonical name (RFC 3261 §7.3.1: matched ignoring ASCII case), e.g. `"Via"`.
    const NAME: &'static str;
    /// The compact form (§7.3.3), if the header has one, e.g. `Some('v')`. A letter the crate
    /// already resolves to a known header ([`HeaderName::compact`]) only ever names that header.
    const COMPACT: Option<char> = None;
    /// Whether the header is a comma-separated list (§7.3.1), each element parsed on its own.
    const LIST: bool;
    /// How one header line holds several values; defaults to [`Split::List`] when `LIST`,
    /// [`Split::Single`] otherwise. [`Message::typed_all`](crate::message::Message::typed_all)
    /// follows it.
    const SPLIT: Split = if Self::LIST {
        Split::List
    } else {
        Split::Single
    };
    /// Parses one value (one list element for list headers).
    ///
    /// # Errors
    /// The rule broken and its offset inside `value`.
    fn parse(value: &'a str) -> ParseResult<Self>;
}

/// The [`HeaderName`] of a typed header, resolved at compile time ([`HeaderName::Other`] for a
/// header the crate does not know).
pub(crate) const fn id_of<'a, H: TypedHeader<'a>>() -> HeaderName {
    const { HeaderName::parse_const(H::NAME) }
}

/// The canonical name of a known header, for the impls in this module.
const fn known(id: HeaderName) -> &'static str {
    match id.canonical() {
        Some(name) => name,
        None => "",
    }
}

/// How a header line holds several values of a [`TypedHeader`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Split {
    /// One value per line.
    Single,
    /// A comma-separated list (RFC 3261 §7.3.1), split by [`split_list`].
    List,
    /// A challenge list (RFC 7235 §4.1), split by [`challenges`]: a comma starts a new value
    /// only when an auth-scheme token follows it.
    Challenges,
}

/// Offset of `sub` inside `whole` (both borrowed from the same text); 0 if unrelated.
pub(crate) fn offset_in(whole: &str, sub: &str) -> usize {
    (sub.as_ptr() as usize)
        .checked_sub(whole.as_ptr() as usize)
        .filter(|&o| o <= whole.len())
        .unwrap_or(0)
}
