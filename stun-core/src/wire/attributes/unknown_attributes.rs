//! UNKNOWN-ATTRIBUTES (RFC 8489 §14.13): the comprehension-required types a 420 response lists.

use super::{put, Attribute, AttributeError, AttributeType};
use crate::wire::TransactionId;

/// UNKNOWN-ATTRIBUTES: a list of 16-bit attribute types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UnknownAttributes<'a>(&'a [u8]);

impl<'a> UnknownAttributes<'a> {
    /// Wraps an encoded list of big-endian types; its length must be even.
    pub fn from_encoded(list: &'a [u8]) -> Result<Self, AttributeError> {
        if list.len() % 2 == 0 {
            Ok(UnknownAttributes(list))
        } else {
            Err(AttributeError::BadLength {
                expected: "a multiple of 2",
                got: list.len(),
            })
        }
    }

    /// The listed types.
    pub fn iter(&self) -> impl Iterator<Item = AttributeType> + 'a {
        self.0.chunks_exact(2).filter_map(|c| match *c {
            [a, b] => Some(AttributeType(u16::from_be_bytes([a, b]))),
            _ => None,
        })
    }
}

impl<'a> Attribute<'a> for UnknownAttributes<'a> {
    const TYPE: AttributeType = AttributeType::UNKNOWN_ATTRIBUTES;
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, AttributeError> {
        UnknownAttributes::from_encoded(value)
    }
    fn encoded_len(&self) -> usize {
        self.0.len()
    }
    fn encode(&self, _: &TransactionId, out: &mut [u8]) {
        put(out, 0, self.0)
    }
}
