//! Errors of the STUN codec.

use super::attributes::{AttributeError, AttributeType};

/// Why a STUN message could not be parsed, verified or written. Offsets count from the first byte of
/// the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Fewer bytes than the header or the header's length field announces.
    #[error("truncated: {needed} bytes needed, {got} present")]
    Truncated {
        /// Bytes the message needs.
        needed: usize,
        /// Bytes present.
        got: usize,
    },
    /// The two most significant bits of the first byte are not zero (RFC 8489 §5).
    #[error("byte 0: not a STUN message (first two bits are not zero)")]
    NotStun,
    /// The magic cookie at byte 4 is not 0x2112A442 (an RFC 3489 message, or not STUN).
    #[error("byte 4: magic cookie is {found:#010x}, not 0x2112a442")]
    BadMagicCookie {
        /// The value found.
        found: u32,
    },
    /// The header's message length is not a multiple of 4 (byte 2).
    #[error("byte 2: message length {length} is not a multiple of 4")]
    BadLength {
        /// The length field.
        length: u16,
    },
    /// More bytes follow the message than its length field covers (a datagram holds one message).
    #[error("byte {offset}: {extra} bytes follow the end of the message")]
    TrailingBytes {
        /// Where the message ends.
        offset: usize,
        /// How many bytes follow.
        extra: usize,
    },
    /// An attribute's header or value runs past the end of the message.
    #[error("byte {offset}: attribute {typ} of length {length} overruns the message")]
    AttributeOverrun {
        /// Offset of the attribute header.
        offset: usize,
        /// Its type.
        typ: AttributeType,
        /// Its length field.
        length: u16,
    },
    /// More attributes than [`Limits::max_attributes`](super::Limits::max_attributes).
    #[error("byte {offset}: more than {max} attributes")]
    TooManyAttributes {
        /// Offset of the first attribute over the limit.
        offset: usize,
        /// The limit.
        max: usize,
    },
    /// An attribute follows FINGERPRINT, which must be last (RFC 8489 §14.7).
    #[error("byte {offset}: attribute after FINGERPRINT")]
    AttributeAfterFingerprint {
        /// Offset of the attribute.
        offset: usize,
    },
    /// An attribute's value does not have the form its type requires.
    #[error("byte {offset}: attribute {typ}: {error}")]
    BadAttribute {
        /// Offset of the attribute header.
        offset: usize,
        /// Its type.
        typ: AttributeType,
        /// What is wrong with it.
        error: AttributeError,
    },
    /// The message carries no MESSAGE-INTEGRITY (or -SHA256) to verify.
    #[error("no MESSAGE-INTEGRITY attribute")]
    NoIntegrity,
    /// MESSAGE-INTEGRITY or MESSAGE-INTEGRITY-SHA256 does not match the key.
    #[error("byte {offset}: MESSAGE-INTEGRITY does not match")]
    IntegrityMismatch {
        /// Offset of the attribute.
        offset: usize,
    },
    /// The message carries no FINGERPRINT.
    #[error("no FINGERPRINT attribute")]
    NoFingerprint,
    /// FINGERPRINT does not match the CRC-32 of the message.
    #[error("byte {offset}: FINGERPRINT does not match")]
    FingerprintMismatch {
        /// Offset of the attribute.
        offset: usize,
    },
    /// The output buffer is too small.
    #[error("buffer too small: {needed} bytes needed, {got} available")]
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        got: usize,
    },
    /// An attribute was added after MESSAGE-INTEGRITY or FINGERPRINT, or its value is too long.
    #[error("attribute {typ} cannot be written here: {reason}")]
    BadWrite {
        /// The attribute.
        typ: AttributeType,
        /// Why.
        reason: &'static str,
    },
}
