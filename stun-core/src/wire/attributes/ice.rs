//! ICE's attributes (RFC 8445 §16.1): PRIORITY, USE-CANDIDATE, ICE-CONTROLLED, ICE-CONTROLLING.

use super::{exact, put, Attribute, AttributeError, AttributeType};
use crate::wire::TransactionId;

/// PRIORITY: the priority a peer-reflexive candidate learned from this check would get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Priority(pub u32);

impl<'a> Attribute<'a> for Priority {
    const TYPE: AttributeType = AttributeType::PRIORITY;
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, AttributeError> {
        exact::<4>(value, "4").map(|b| Priority(u32::from_be_bytes(b)))
    }
    fn encoded_len(&self) -> usize {
        4
    }
    fn encode(&self, _: &TransactionId, out: &mut [u8]) {
        put(out, 0, &self.0.to_be_bytes())
    }
}

/// USE-CANDIDATE: the controlling agent nominates this pair (no value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UseCandidate;

impl<'a> Attribute<'a> for UseCandidate {
    const TYPE: AttributeType = AttributeType::USE_CANDIDATE;
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, AttributeError> {
        exact::<0>(value, "0").map(|_| UseCandidate)
    }
    fn encoded_len(&self) -> usize {
        0
    }
    fn encode(&self, _: &TransactionId, _: &mut [u8]) {}
}

macro_rules! tie_breaker {
    ($(#[$doc:meta])* $name:ident, $typ:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name(pub u64);

        impl<'a> Attribute<'a> for $name {
            const TYPE: AttributeType = AttributeType::$typ;
            fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, AttributeError> {
                exact::<8>(value, "8").map(|b| $name(u64::from_be_bytes(b)))
            }
            fn encoded_len(&self) -> usize {
                8
            }
            fn encode(&self, _: &TransactionId, out: &mut [u8]) {
                put(out, 0, &self.0.to_be_bytes())
            }
        }
    };
}

tie_breaker!(
    /// ICE-CONTROLLED: the sender thinks it is controlled; the value is its tie-breaker.
    IceControlled, ICE_CONTROLLED
);
tie_breaker!(
    /// ICE-CONTROLLING: the sender thinks it is controlling; the value is its tie-breaker.
    IceControlling, ICE_CONTROLLING
);
