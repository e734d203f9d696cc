//! STUN wire format (RFC 8489 §5, §14): the message header, the zero-copy [`Message`] view, typed
//! attributes and the [`MessageWriter`] that encodes into a caller's buffer.
//!
//! Contract, as in smoltcp: once [`Message::parse`] has returned `Ok`, no accessor panics; every
//! attribute lies inside the message and is correctly padded. [`MessageWriter`] never panics: a buffer
//! too small is an [`Error::BufferTooSmall`] naming the bytes needed.

pub mod attributes;
mod error;
mod header;
mod message;
#[cfg(feature = "bytes")]
mod shared;
mod writer;

pub use attributes::{Attribute, AttributeError, AttributeType, RawAttribute};
pub use error::Error;
pub use header::{Class, MessageType, Method, TransactionId, HEADER_LEN, MAGIC_COOKIE};
pub use message::{Attributes, IntegrityAlgorithm, Limits, Message};
#[cfg(feature = "bytes")]
pub use shared::SharedMessage;
pub use writer::MessageWriter;

/// Rounds an attribute length up to the 4-byte boundary (RFC 8489 §14).
#[inline]
pub(crate) const fn padded(len: usize) -> usize {
    (len + 3) & !3
}

pub(crate) use padded as padded_len;
