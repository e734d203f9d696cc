//! Errors of typed header parsing: which header, which rule, which byte.

use crate::message::HeaderName;

/// A header value that does not match its grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("byte {offset}: malformed {name} header: {kind} (RFC 3261 §25.1)")]
pub struct HeaderError {
    /// The header ([`HeaderName::Other`] for a header the crate does not know).
    pub header: HeaderName,
    /// Its canonical name ([`TypedHeader::NAME`](super::TypedHeader::NAME)).
    pub name: &'static str,
    /// Offset of the offending byte in the message.
    pub offset: usize,
    /// The rule broken.
    pub kind: HeaderErrorKind,
}

/// The grammar rule a header value broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderErrorKind {
    /// The value is empty where content is required.
    #[error("empty value")]
    Empty,
    /// A number is missing, malformed or out of range.
    #[error("bad number")]
    Number,
    /// A token is missing or contains invalid characters (RFC 3261 §25.1).
    #[error("bad token")]
    Token,
    /// A quoted string is not terminated.
    #[error("unterminated quoted string")]
    Quote,
    /// `<` without `>`, or junk after `>` (§20.10 name-addr).
    #[error("bad name-addr")]
    NameAddr,
    /// The URI inside does not parse (§19).
    #[error("bad URI")]
    Uri,
    /// Via sent-protocol is not `name/version/transport` (§20.42).
    #[error("bad sent-protocol")]
    SentProtocol,
    /// Via sent-by host or port is malformed (§20.42).
    #[error("bad sent-by")]
    SentBy,
    /// Media type is not `type/subtype` (§20.15).
    #[error("bad media type")]
    MediaType,
    /// An auth parameter is not `name=value` (§25.1 auth-param).
    #[error("bad auth parameter")]
    AuthParam,
    /// An auth-param before any auth-scheme (RFC 7235 §2.1 challenge, credentials).
    #[error("auth parameter without an auth-scheme")]
    MissingAuthScheme,
    /// A second auth-scheme where one challenge or credentials was expected (RFC 7235 §4.1,
    /// §4.2); a `WWW-Authenticate` line may hold several, read them with
    /// [`challenges`](super::challenges).
    #[error("more than one auth-scheme")]
    ExtraAuthScheme,
}

/// Result of a typed header parser: the error kind and its offset inside the value.
pub type ParseResult<T> = Result<T, (HeaderErrorKind, usize)>;
