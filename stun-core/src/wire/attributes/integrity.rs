//! Values of MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256, FINGERPRINT and USERHASH (RFC 8489 §14.4–14.7).
//!
//! Decoding these only reads the value; [`Message::verify_integrity`](crate::wire::Message) and
//! [`MessageWriter`](crate::wire::MessageWriter) compute and check them.

use super::{exact, put, Attribute, AttributeError, AttributeType};
use crate::wire::TransactionId;

/// MESSAGE-INTEGRITY: HMAC-SHA1 over the message (RFC 8489 §14.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MessageIntegrity(pub [u8; 20]);

impl<'a> Attribute<'a> for MessageIntegrity {
    const TYPE: AttributeType = AttributeType::MESSAGE_INTEGRITY;
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, AttributeError> {
        exact::<20>(value, "20").map(MessageIntegrity)
    }
    fn encoded_len(&self) -> usize {
        20
    }
    fn encode(&self, _: &TransactionId, out: &mut [u8]) {
        put(out, 0, &self.0)
    }
}

/// MESSAGE-INTEGRITY-SHA256: HMAC-SHA256 over the message, possibly truncated to 16–32 bytes in steps
/// of 4 (RFC 8489 §14.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MessageIntegritySha256<'a>(pub &'a [u8]);

impl<'a> Attribute<'a> for MessageIntegritySha256<'a> {
    const TYPE: AttributeType = AttributeType::MESSAGE_INTEGRITY_SHA256;
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, AttributeError> {
        if (16..=32).contains(&value.len()) && value.len() % 4 == 0 {
            Ok(MessageIntegritySha256(value))
        } else {
            Err(AttributeError::BadLength {
                expected: "16 to 32, a multiple of 4",
                got: value.len(),
            })
        }
    }
    fn encoded_len(&self) -> usize {
        self.0.len()
    }
    fn encode(&self, _: &TransactionId, out: &mut [u8]) {
        put(out, 0, self.0)
    }
}

/// FINGERPRINT: CRC-32 of the message XOR 0x5354554E (RFC 8489 §14.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub u32);

impl<'a> Attribute<'a> for Fingerprint {
    const TYPE: AttributeType = AttributeType::FINGERPRINT;
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, AttributeError> {
        exact::<4>(value, "4").map(|b| Fingerprint(u32::from_be_bytes(b)))
    }
    fn encoded_len(&self) -> usize {
        4
    }
    fn encode(&self, _: &TransactionId, out: &mut [u8]) {
        put(out, 0, &self.0.to_be_bytes())
    }
}

/// USERHASH: SHA-256(username ":" realm), for username anonymity (RFC 8489 §14.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Userhash(pub [u8; 32]);

impl<'a> Attribute<'a> for Userhash {
    const TYPE: AttributeType = AttributeType::USERHASH;
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, AttributeError> {
        exact::<32>(value, "32").map(Userhash)
    }
    fn encoded_len(&self) -> usize {
        32
    }
    fn encode(&self, _: &TransactionId, out: &mut [u8]) {
        put(out, 0, &self.0)
    }
}
