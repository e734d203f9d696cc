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

/// A header with a typed form. Implemented by every type in this module.
pub trait TypedHeader<'a>: Sized {
    /// The header it parses.
    const NAME: HeaderName;
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
