//! One header field as it appears in a parsed message (RFC 3261 §7.3), borrowed from the input.

use super::header_name::HeaderName;
use crate::header::{id_of, TypedHeader};

/// A header field: its name, its value (LWS-trimmed, folding kept) and its raw line(s).
///
/// Callers provide storage for these (`[Header::EMPTY; N]`): parsing never allocates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header<'a> {
    pub(crate) name: &'a str,
    pub(crate) value: &'a str,
    pub(crate) raw: &'a str,
    pub(crate) offset: u32,
    pub(crate) value_offset: u32,
    pub(crate) id: HeaderName,
}

impl<'a> Header<'a> {
    /// An unused slot, to fill caller storage: `[Header::EMPTY; 64]`.
    pub const EMPTY: Header<'static> = Header {
        name: "",
        value: "",
        raw: "",
        offset: 0,
        value_offset: 0,
        id: HeaderName::Other,
    };

    /// The name as written (any case, maybe compact).
    #[must_use]
    pub const fn name(&self) -> &'a str {
        self.name
    }

    /// The resolved name ([`HeaderName::Other`] for unknown headers).
    #[must_use]
    pub const fn id(&self) -> HeaderName {
        self.id
    }

    /// The value with surrounding LWS trimmed; folded lines stay inside it as written (§7.3.1).
    #[must_use]
    pub const fn value(&self) -> &'a str {
        self.value
    }

    /// The whole field as received, from the first byte of the name to the end of the value's last
    /// line (without the final CRLF). Serializing this keeps an untouched header byte-identical.
    #[must_use]
    pub const fn raw(&self) -> &'a str {
        self.raw
    }

    /// Byte offset of the header's name in the input.
    #[must_use]
    pub const fn offset(&self) -> usize {
        self.offset as usize
    }

    /// Byte offset of the header's (trimmed) value in the input.
    #[must_use]
    pub const fn value_offset(&self) -> usize {
        self.value_offset as usize
    }

    /// Whether this is a line of the typed header `H`: its known name resolved by the parser, or
    /// for a header the crate does not know, its [`TypedHeader::NAME`] or
    /// [`TypedHeader::COMPACT`] ignoring ASCII case (RFC 3261 §7.3.1). Never matches another
    /// header, known or unknown.
    #[must_use]
    #[inline]
    pub fn is_typed<'v, H: TypedHeader<'v>>(&self) -> bool {
        let id = id_of::<H>();
        if id != HeaderName::Other {
            // The fast path: one comparison of resolved ids.
            return self.id == id;
        }
        self.id == HeaderName::Other
            && match (H::COMPACT, self.name.as_bytes()) {
                (Some(c), [b]) => char::from(*b).eq_ignore_ascii_case(&c),
                _ => self.name.eq_ignore_ascii_case(H::NAME),
            }
    }

    /// Whether this header has the given name (case-insensitive, compact forms resolved).
    #[must_use]
    pub fn is(&self, name: &str) -> bool {
        let id = HeaderName::parse(name);
        if id == HeaderName::Other {
            self.id == HeaderName::Other && self.name.eq_ignore_ascii_case(name)
        } else {
            self.id == id
        }
    }
}
