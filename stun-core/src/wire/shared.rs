//! [`SharedMessage`] (feature `bytes`): a STUN message that owns its datagram as a
//! [`bytes::Bytes`], for async code that keeps a message across `.await` points or hands it to
//! another task. Parsed once; [`SharedMessage::message`] gives the borrowed [`Message`] view
//! again without parsing (the checked offsets are kept), and cloning costs one reference count.
//!
//! ```
//! use bytes::Bytes;
//! use rtcweb_stun_core::wire::{Class, Method, SharedMessage};
//!
//! // A Binding request as it arrived from a socket (RFC 5769 §2.1 minus its attributes).
//! let datagram = Bytes::from_static(&[0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
//! let shared = SharedMessage::parse(datagram)?;
//! let for_another_task = shared.clone(); // a reference count, no copy
//! assert_eq!(for_another_task.message().method(), Method::BINDING);
//! assert_eq!(shared.message().class(), Class::Request);
//! # Ok::<(), rtcweb_stun_core::wire::Error>(())
//! ```

use bytes::Bytes;

use super::{Error, Limits, Message};

/// A parsed STUN message owning its bytes (shared, reference-counted). See the module docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedMessage {
    bytes: Bytes,
    parts: super::message::Parts,
}

impl SharedMessage {
    /// Parses `bytes` (one whole STUN message) with the default [`Limits`].
    ///
    /// # Errors
    /// As [`Message::parse`].
    pub fn parse(bytes: Bytes) -> Result<Self, Error> {
        Self::parse_with(bytes, &Limits::default())
    }

    /// Parses `bytes` with `limits`.
    ///
    /// # Errors
    /// As [`Message::parse_with`].
    pub fn parse_with(bytes: Bytes, limits: &Limits) -> Result<Self, Error> {
        let parts = Message::parse_with(&bytes, limits)?.parts();
        Ok(Self { bytes, parts })
    }

    /// The borrowed view, from the offsets checked at parse time (no second parse).
    #[must_use]
    pub fn message(&self) -> Message<'_> {
        Message::from_parts(&self.bytes, self.parts)
    }

    /// The datagram.
    #[must_use]
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The datagram back, for sending on.
    #[must_use]
    pub fn into_bytes(self) -> Bytes {
        self.bytes
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::wire::{Class, MessageType, MessageWriter, Method, TransactionId};

    #[test]
    fn same_view_as_a_borrowed_parse_and_refusals_alike() {
        let mut buf = [0u8; 64];
        let mut w = MessageWriter::new(
            &mut buf,
            MessageType::new(Method::BINDING, Class::Request),
            TransactionId([7; 12]),
        )
        .unwrap();
        w.add_fingerprint().unwrap();
        let n = w.finish();
        let bytes = Bytes::copy_from_slice(&buf[..n]);
        let shared = SharedMessage::parse(bytes.clone()).unwrap();
        assert_eq!(shared.message(), Message::parse(&bytes).unwrap());
        shared.message().verify_fingerprint().unwrap();
        assert_eq!(shared.clone().into_bytes(), bytes);
        for bad in [&buf[..n - 1], &buf[..4]] {
            assert_eq!(
                SharedMessage::parse(Bytes::copy_from_slice(bad)).unwrap_err(),
                Message::parse(bad).unwrap_err()
            );
        }
    }
}
