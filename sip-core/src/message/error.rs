//! Parse errors of the message layer (RFC 3261 §7, §25): what rule broke and at which byte.

/// A message that could not be parsed: the rule it broke ([`ErrorKind`]) and the byte offset where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("byte {offset}: {kind}")]
pub struct Error {
    /// The rule that was broken.
    pub kind: ErrorKind,
    /// Offset of the offending byte from the start of the input.
    pub offset: usize,
}

impl Error {
    pub(crate) const fn new(kind: ErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }

    /// The status code a server answers a request that failed to parse so with (§21): 505 for
    /// an unsupported SIP-Version (§8.2.2, RFC 4475 §3.1.2.16), 400 otherwise. A response that
    /// fails to parse is dropped, not answered.
    #[must_use]
    pub const fn status_code(&self) -> u16 {
        match self.kind {
            ErrorKind::Version => 505,
            _ => 400,
        }
    }
}

/// The rule a message broke. Each variant names the RFC 3261 section it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input holds nothing but (possibly) CRLFs.
    #[error("empty message")]
    Empty,
    /// The header section has no terminating empty line (§7): more input is needed on a stream.
    #[error("header section not terminated by an empty line (RFC 3261 §7)")]
    Incomplete,
    /// The request line is malformed (§7.1: `Method SP Request-URI SP SIP-Version CRLF`).
    #[error("malformed Request-Line (RFC 3261 §7.1)")]
    RequestLine,
    /// The status line is malformed (§7.2: `SIP-Version SP Status-Code SP Reason-Phrase CRLF`).
    #[error("malformed Status-Line (RFC 3261 §7.2)")]
    StatusLine,
    /// The SIP-Version is not `SIP/2.0` (§7.1).
    #[error("unsupported SIP-Version, expected SIP/2.0 (RFC 3261 §7.1)")]
    Version,
    /// The method is not a token (§25.1).
    #[error("method is not a token (RFC 3261 §25.1)")]
    Method,
    /// A header line has no `:` (§7.3).
    #[error("header line without ':' (RFC 3261 §7.3)")]
    MissingColon,
    /// A header name is empty or not a token (§7.3.1).
    #[error("header name is not a token (RFC 3261 §7.3.1)")]
    HeaderName,
    /// A continuation line appears before any header (§7.3.1).
    #[error("folded line without a header to continue (RFC 3261 §7.3.1)")]
    Folding,
    /// The start line or header section is not UTF-8 (§25.1 TEXT-UTF8).
    #[error("invalid UTF-8 (RFC 3261 §25.1)")]
    Utf8,
    /// A control character other than HTAB, CR or LF in the start line or header section, outside
    /// the escaped character of a quoted-pair (§25.1).
    #[error("control character in header section (RFC 3261 §25.1)")]
    Control,
    /// A CR not followed by LF in the start line or header section (§7: lines end in CRLF).
    #[error("CR not followed by LF in header section (RFC 3261 §7)")]
    BareCr,
    /// A line exceeds [`Limits::max_line_len`](crate::message::Limits::max_line_len).
    #[error("line exceeds the configured length limit")]
    LineTooLong,
    /// More headers than [`Limits::max_headers`](crate::message::Limits::max_headers) or the caller's storage.
    #[error("too many header fields")]
    TooManyHeaders,
    /// The message exceeds [`Limits::max_message_size`](crate::message::Limits::max_message_size).
    #[error("message exceeds the configured size limit")]
    TooLarge,
    /// Content-Length is not a non-negative decimal number (§20.14).
    #[error("malformed Content-Length (RFC 3261 §20.14)")]
    ContentLength,
    /// Two Content-Length headers disagree (§20.14).
    #[error("conflicting Content-Length headers (RFC 3261 §20.14)")]
    ContentLengthConflict,
    /// Content-Length is larger than the body received (§18.3).
    #[error("Content-Length larger than the body (RFC 3261 §18.3)")]
    BodyTruncated,
    /// A stream message lacks the mandatory Content-Length (§18.3, §20.14).
    #[error("Content-Length missing on a stream transport (RFC 3261 §18.3)")]
    ContentLengthRequired,
}
