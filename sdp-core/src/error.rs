//! Parse errors and lenient-mode warnings, each with the line and column they concern.

/// What is wrong with a line (RFC 8866 §5 grammar, or the grammar of one attribute).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input is empty.
    #[error("empty session description")]
    Empty,
    /// The input is not UTF-8 (RFC 8866 §5 allows other charsets only in `i=`/`s=` with `a=charset`).
    #[error("not valid UTF-8")]
    NotUtf8,
    /// A line is not `<type>=<value>` with a lowercase letter as type (RFC 8866 §5).
    #[error("expected `<letter>=<value>`")]
    BadLineSyntax,
    /// A line appears where the grammar does not allow it (RFC 8866 §5 order).
    #[error("unexpected `{found}=` line (expected `{expected}=`)")]
    UnexpectedLine {
        /// The type letter found.
        found: char,
        /// The type letter expected there.
        expected: char,
    },
    /// A session-level-only line (`u=`, `e=`, `p=`, `t=`, `r=`, `z=`) inside a media section.
    #[error("`{found}=` is not allowed in a media section")]
    NotInMedia {
        /// The type letter found.
        found: char,
    },
    /// A mandatory line is missing (RFC 8866 §5: `v=`, `o=`, `s=`, `t=`).
    #[error("missing `{kind}=` line")]
    MissingLine {
        /// The type letter that is missing.
        kind: char,
    },
    /// `v=` is not `0`.
    #[error("unsupported protocol version")]
    BadVersion,
    /// A field of a line is malformed.
    #[error("invalid {field}")]
    BadField {
        /// The field (for example `port`, `origin`, `connection address`).
        field: &'static str,
    },
    /// A known attribute does not follow its grammar.
    #[error("invalid a={attribute}: {reason}")]
    BadAttribute {
        /// The attribute name.
        attribute: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// A flag attribute (such as `rtcp-mux`) carries a value.
    #[error("a={attribute} takes no value")]
    UnexpectedValue {
        /// The attribute name.
        attribute: &'static str,
    },
    /// A line out of the RFC 8866 §5 order (session: `v o s i u e p c b t r z k a`; media:
    /// `m i c b k a`), such as a session `c=` after `t=`.
    #[error("`{found}=` after `{after}=` (RFC 8866 §5 order)")]
    OutOfOrder {
        /// The type letter found.
        found: char,
        /// The line it should have come before.
        after: char,
    },
    /// A media section without `c=` in a description with no session-level `c=` (RFC 8866
    /// §5.7: one or the other MUST be present). Reported at the section's `m=` line.
    #[error("media section without `c=` and no session-level `c=`")]
    MissingConnection,
    /// A NUL byte, which no SDP field may contain (RFC 8866 §9, `text` and `byte-string`).
    #[error("NUL byte")]
    Nul,
    /// More lines than [`Limits::max_lines`](crate::Limits::max_lines).
    #[error("more than {limit} lines")]
    TooManyLines {
        /// The configured limit.
        limit: usize,
    },
    /// More media sections than [`Limits::max_media`](crate::Limits::max_media).
    #[error("more than {limit} media sections")]
    TooManyMedia {
        /// The configured limit.
        limit: usize,
    },
    /// A line longer than [`Limits::max_line_len`](crate::Limits::max_line_len).
    #[error("line longer than {limit} bytes")]
    LineTooLong {
        /// The configured limit.
        limit: usize,
    },
}

/// A malformed session description: what is wrong, at which line (1-based) and column (1-based, in bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {kind} (column {column})")]
#[non_exhaustive]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    /// 1-based byte column within the line.
    pub column: usize,
    /// What is wrong.
    pub kind: ErrorKind,
}

impl ParseError {
    /// Builds an error.
    #[must_use]
    pub const fn new(line: usize, column: usize, kind: ErrorKind) -> Self {
        Self { line, column, kind }
    }
}

/// A problem that lenient mode stepped over: the line is kept in the view but its typed value is ignored.
pub type Warning = ParseError;

/// A field or attribute value that does not follow its grammar; `offset` is the byte offset in the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at byte {offset}")]
#[non_exhaustive]
pub struct ValueError {
    /// Byte offset within the value where the problem is.
    pub offset: usize,
    /// What is wrong.
    pub kind: ErrorKind,
}

impl ValueError {
    /// Builds an error.
    #[must_use]
    pub const fn new(offset: usize, kind: ErrorKind) -> Self {
        Self { offset, kind }
    }

    /// An attribute error at `offset`.
    #[must_use]
    pub const fn attribute(offset: usize, attribute: &'static str, reason: &'static str) -> Self {
        Self::new(offset, ErrorKind::BadAttribute { attribute, reason })
    }

    /// A field error at `offset`.
    #[must_use]
    pub const fn field(offset: usize, field: &'static str) -> Self {
        Self::new(offset, ErrorKind::BadField { field })
    }
}

/// The output buffer is too small; `required` bytes are needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("output buffer too small: {required} bytes needed")]
#[non_exhaustive]
pub struct BufferTooSmall {
    /// Bytes needed.
    pub required: usize,
}
