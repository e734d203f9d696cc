//! STUN attributes (RFC 8489 §14), with those of ICE (RFC 8445 §16.1) and TURN (RFC 8656 §18).
//!
//! Every attribute type implements [`Attribute`]: a constant [`AttributeType`], a borrowed `decode`
//! and an `encode` into exactly [`Attribute::encoded_len`] bytes. Other crates add attributes the same
//! way. [`AnyAttribute`] decodes whatever a message holds, keeping unknown ones as raw bytes.

mod address;
mod any;
mod error_code;
mod ice;
mod integrity;
mod password_algorithm;
mod text;
mod turn;
mod unknown_attributes;

use core::fmt;

pub use address::{
    AlternateServer, MappedAddress, XorMappedAddress, XorPeerAddress, XorRelayedAddress,
};
pub use any::AnyAttribute;
pub use error_code::ErrorCode;
pub use ice::{IceControlled, IceControlling, Priority, UseCandidate};
pub use integrity::{Fingerprint, MessageIntegrity, MessageIntegritySha256, Userhash};
pub use password_algorithm::{PasswordAlgorithm, PasswordAlgorithms};
pub use text::{AlternateDomain, Nonce, Realm, Software, Username};
pub use turn::{
    AdditionalAddressFamily, AddressErrorCode, AddressFamily, ChannelNumber, Data, DontFragment,
    EvenPort, Icmp, Lifetime, RequestedAddressFamily, RequestedTransport, ReservationToken,
};
pub use unknown_attributes::UnknownAttributes;

use super::TransactionId;

/// A 16-bit attribute type (RFC 8489 §18.3).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttributeType(pub u16);

macro_rules! attribute_types {
    ($($(#[$doc:meta])* $name:ident = $value:expr, $text:expr;)*) => {
        impl AttributeType {
            $($(#[$doc])* pub const $name: AttributeType = AttributeType($value);)*

            /// The RFC's name of a known attribute type.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($value => Some($text),)*
                    _ => None,
                }
            }
        }
    };
}

attribute_types! {
    /// MAPPED-ADDRESS (RFC 8489 §14.1).
    MAPPED_ADDRESS = 0x0001, "MAPPED-ADDRESS";
    /// USERNAME (RFC 8489 §14.3).
    USERNAME = 0x0006, "USERNAME";
    /// MESSAGE-INTEGRITY (RFC 8489 §14.5).
    MESSAGE_INTEGRITY = 0x0008, "MESSAGE-INTEGRITY";
    /// ERROR-CODE (RFC 8489 §14.8).
    ERROR_CODE = 0x0009, "ERROR-CODE";
    /// UNKNOWN-ATTRIBUTES (RFC 8489 §14.9).
    UNKNOWN_ATTRIBUTES = 0x000A, "UNKNOWN-ATTRIBUTES";
    /// CHANNEL-NUMBER (RFC 8656 §18.1).
    CHANNEL_NUMBER = 0x000C, "CHANNEL-NUMBER";
    /// LIFETIME (RFC 8656 §18.2).
    LIFETIME = 0x000D, "LIFETIME";
    /// XOR-PEER-ADDRESS (RFC 8656 §18.3).
    XOR_PEER_ADDRESS = 0x0012, "XOR-PEER-ADDRESS";
    /// DATA (RFC 8656 §18.4).
    DATA = 0x0013, "DATA";
    /// REALM (RFC 8489 §14.9).
    REALM = 0x0014, "REALM";
    /// NONCE (RFC 8489 §14.10).
    NONCE = 0x0015, "NONCE";
    /// XOR-RELAYED-ADDRESS (RFC 8656 §18.5).
    XOR_RELAYED_ADDRESS = 0x0016, "XOR-RELAYED-ADDRESS";
    /// REQUESTED-ADDRESS-FAMILY (RFC 8656 §18.6).
    REQUESTED_ADDRESS_FAMILY = 0x0017, "REQUESTED-ADDRESS-FAMILY";
    /// EVEN-PORT (RFC 8656 §18.7).
    EVEN_PORT = 0x0018, "EVEN-PORT";
    /// REQUESTED-TRANSPORT (RFC 8656 §18.8).
    REQUESTED_TRANSPORT = 0x0019, "REQUESTED-TRANSPORT";
    /// DONT-FRAGMENT (RFC 8656 §18.9).
    DONT_FRAGMENT = 0x001A, "DONT-FRAGMENT";
    /// MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.6).
    MESSAGE_INTEGRITY_SHA256 = 0x001C, "MESSAGE-INTEGRITY-SHA256";
    /// PASSWORD-ALGORITHM (RFC 8489 §14.12).
    PASSWORD_ALGORITHM = 0x001D, "PASSWORD-ALGORITHM";
    /// USERHASH (RFC 8489 §14.4).
    USERHASH = 0x001E, "USERHASH";
    /// XOR-MAPPED-ADDRESS (RFC 8489 §14.2).
    XOR_MAPPED_ADDRESS = 0x0020, "XOR-MAPPED-ADDRESS";
    /// RESERVATION-TOKEN (RFC 8656 §18.10).
    RESERVATION_TOKEN = 0x0022, "RESERVATION-TOKEN";
    /// PRIORITY (RFC 8445 §16.1).
    PRIORITY = 0x0024, "PRIORITY";
    /// USE-CANDIDATE (RFC 8445 §16.1).
    USE_CANDIDATE = 0x0025, "USE-CANDIDATE";
    /// PASSWORD-ALGORITHMS (RFC 8489 §14.11).
    PASSWORD_ALGORITHMS = 0x8002, "PASSWORD-ALGORITHMS";
    /// ALTERNATE-DOMAIN (RFC 8489 §14.16).
    ALTERNATE_DOMAIN = 0x8003, "ALTERNATE-DOMAIN";
    /// SOFTWARE (RFC 8489 §14.14).
    SOFTWARE = 0x8022, "SOFTWARE";
    /// ALTERNATE-SERVER (RFC 8489 §14.15).
    ALTERNATE_SERVER = 0x8023, "ALTERNATE-SERVER";
    /// FINGERPRINT (RFC 8489 §14.7).
    FINGERPRINT = 0x8028, "FINGERPRINT";
    /// ICE-CONTROLLED (RFC 8445 §16.1).
    ICE_CONTROLLED = 0x8029, "ICE-CONTROLLED";
    /// ICE-CONTROLLING (RFC 8445 §16.1).
    ICE_CONTROLLING = 0x802A, "ICE-CONTROLLING";
    /// ADDITIONAL-ADDRESS-FAMILY (RFC 8656 §18.11).
    ADDITIONAL_ADDRESS_FAMILY = 0x8000, "ADDITIONAL-ADDRESS-FAMILY";
    /// ADDRESS-ERROR-CODE (RFC 8656 §18.12).
    ADDRESS_ERROR_CODE = 0x8001, "ADDRESS-ERROR-CODE";
    /// ICMP (RFC 8656 §18.13).
    ICMP = 0x8004, "ICMP";
}

impl AttributeType {
    /// Types 0x0000–0x7FFF are comprehension-required: a receiver that does not know one must
    /// reject the message (a request with a 420 listing it in UNKNOWN-ATTRIBUTES; RFC 8489 §14).
    pub const fn is_comprehension_required(self) -> bool {
        self.0 < 0x8000
    }

    /// Whether this crate decodes the type.
    pub const fn is_known(self) -> bool {
        self.name().is_some()
    }
}

impl fmt::Debug for AttributeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "{:#06x}", self.0),
        }
    }
}

impl fmt::Display for AttributeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// What is wrong with an attribute's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AttributeError {
    /// The value length is not one the type allows.
    #[error("value length {got} is invalid (expected {expected})")]
    BadLength {
        /// What the type allows, in words.
        expected: &'static str,
        /// The length found.
        got: usize,
    },
    /// The address family is neither 0x01 (IPv4) nor 0x02 (IPv6).
    #[error("unknown address family {0:#04x}")]
    BadFamily(u8),
    /// A text attribute is not UTF-8.
    #[error("value is not UTF-8 (at value byte {valid_up_to})")]
    NotUtf8 {
        /// Bytes of valid UTF-8 before the error.
        valid_up_to: usize,
    },
    /// A value outside the range the type allows.
    #[error("value out of range: {0}")]
    OutOfRange(&'static str),
}

/// An attribute as it sits in a message: type, borrowed value and position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawAttribute<'a> {
    /// The attribute type.
    pub typ: AttributeType,
    /// The value, without padding.
    pub value: &'a [u8],
    /// Offset of the attribute header from the start of the message.
    pub offset: usize,
}

impl<'a> RawAttribute<'a> {
    /// Decodes the value as whichever attribute the type names, or keeps it raw when unknown.
    pub fn decode(&self, tid: &TransactionId) -> Result<AnyAttribute<'a>, AttributeError> {
        AnyAttribute::decode(self.typ, self.value, tid)
    }
}

/// A typed STUN attribute: decoded from a borrowed value, encoded into exactly
/// [`encoded_len`](Attribute::encoded_len) bytes (padding is the writer's business).
pub trait Attribute<'a>: Sized {
    /// The attribute type.
    const TYPE: AttributeType;

    /// Decodes a value. `tid` is the message's transaction ID (XOR-ed addresses need it).
    fn decode(value: &'a [u8], tid: &TransactionId) -> Result<Self, AttributeError>;

    /// Length of the encoded value, without padding.
    fn encoded_len(&self) -> usize;

    /// Writes the value into `out`, which is exactly [`encoded_len`](Attribute::encoded_len) long.
    fn encode(&self, tid: &TransactionId, out: &mut [u8]);
}

/// Reads a big-endian `u16` at `at`.
#[inline]
pub(crate) fn be16(v: &[u8], at: usize) -> Option<u16> {
    match v.get(at..at + 2) {
        Some(&[a, b]) => Some(u16::from_be_bytes([a, b])),
        _ => None,
    }
}

/// Reads a big-endian `u32` at `at`.
#[inline]
pub(crate) fn be32(v: &[u8], at: usize) -> Option<u32> {
    match v.get(at..at + 4) {
        Some(&[a, b, c, d]) => Some(u32::from_be_bytes([a, b, c, d])),
        _ => None,
    }
}

/// Copies `bytes` into `out` at `at`; writes nothing when they do not fit (the writer sized `out`).
#[inline]
pub(crate) fn put(out: &mut [u8], at: usize, bytes: &[u8]) {
    if let Some(dst) = out.get_mut(at..at + bytes.len()) {
        dst.copy_from_slice(bytes);
    }
}

/// Checks that a value has exactly `n` bytes.
#[inline]
pub(crate) fn exact<const N: usize>(
    value: &[u8],
    expected: &'static str,
) -> Result<[u8; N], AttributeError> {
    value.try_into().map_err(|_| AttributeError::BadLength {
        expected,
        got: value.len(),
    })
}
