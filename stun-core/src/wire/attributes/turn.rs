//! TURN's attributes (RFC 8656 §18) that are not addresses.

use super::error_code::{decode_code, encode_code};
use super::{exact, put, Attribute, AttributeError, AttributeType};
use crate::wire::TransactionId;

/// CHANNEL-NUMBER (RFC 8656 §18.1): a channel in 0x4000–0x4FFF, then two reserved bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChannelNumber(pub u16);

impl ChannelNumber {
    /// The range of valid channel numbers (RFC 8656 §12).
    pub const RANGE: core::ops::RangeInclusive<u16> = 0x4000..=0x4FFF;
}

impl<'a> Attribute<'a> for ChannelNumber {
    const TYPE: AttributeType = AttributeType::CHANNEL_NUMBER;
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, AttributeError> {
        let b = exact::<4>(value, "4")?;
        Ok(ChannelNumber(u16::from_be_bytes([b[0], b[1]])))
    }
    fn encoded_len(&self) -> usize {
        4
    }
    fn encode(&self, _: &TransactionId, out: &mut [u8]) {
        put(out, 0, &self.0.to_be_bytes());
        put(out, 2, &[0, 0]);
    }
}

/// LIFETIME (RFC 8656 §18.2): seconds until the allocation expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Lifetime(pub u32);

impl<'a> Attribute<'a> for Lifetime {
    const TYPE: AttributeType = AttributeType::LIFETIME;
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, AttributeError> {
        exact::<4>(value, "4").map(|b| Lifetime(u32::from_be_bytes(b)))
    }
    fn encoded_len(&self) -> usize {
        4
    }
    fn encode(&self, _: &TransactionId, out: &mut [u8]) {
        put(out, 0, &self.0.to_be_bytes())
    }
}

/// DATA (RFC 8656 §18.4): the application data of a Send or Data indication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Data<'a>(pub &'a [u8]);

impl<'a> Attribute<'a> for Data<'a> {
    const TYPE: AttributeType = AttributeType::DATA;
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, AttributeError> {
        Ok(Data(value))
    }
    fn encoded_len(&self) -> usize {
        self.0.len()
    }
    fn encode(&self, _: &TransactionId, out: &mut [u8]) {
        put(out, 0, self.0)
    }
}

/// An address family as TURN names it (RFC 8656 §18.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressFamily {
    /// 0x01.
    Ipv4,
    /// 0x02.
    Ipv6,
}

impl AddressFamily {
    fn from_u8(v: u8) -> Result<Self, AttributeError> {
        match v {
            0x01 => Ok(AddressFamily::Ipv4),
            0x02 => Ok(AddressFamily::Ipv6),
            f => Err(AttributeError::BadFamily(f)),
        }
    }
    const fn to_u8(self) -> u8 {
        match self {
            AddressFamily::Ipv4 => 0x01,
            AddressFamily::Ipv6 => 0x02,
        }
    }
}

macro_rules! family_attribute {
    ($(#[$doc:meta])* $name:ident, $typ:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name(pub AddressFamily);

        impl<'a> Attribute<'a> for $name {
            const TYPE: AttributeType = AttributeType::$typ;
            fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, AttributeError> {
                let b = exact::<4>(value, "4")?;
                AddressFamily::from_u8(b[0]).map($name)
            }
            fn encoded_len(&self) -> usize {
                4
            }
            fn encode(&self, _: &TransactionId, out: &mut [u8]) {
                put(out, 0, &[self.0.to_u8(), 0, 0, 0])
            }
        }
    };
}

family_attribute!(
    /// REQUESTED-ADDRESS-FAMILY (RFC 8656 §18.6): the family of the relayed address wanted.
    RequestedAddressFamily, REQUESTED_ADDRESS_FAMILY
);
family_attribute!(
    /// ADDITIONAL-ADDRESS-FAMILY (RFC 8656 §18.11): ask for an IPv6 relayed address as well.
    AdditionalAddressFamily, ADDITIONAL_ADDRESS_FAMILY
);

/// EVEN-PORT (RFC 8656 §18.7): an even relayed port, optionally reserving the next one (R bit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EvenPort {
    /// Reserve the next-higher port too.
    pub reserve: bool,
}

impl<'a> Attribute<'a> for EvenPort {
    const TYPE: AttributeType = AttributeType::EVEN_PORT;
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, AttributeError> {
        let [b] = exact::<1>(value, "1")?;
        Ok(EvenPort {
            reserve: b & 0x80 != 0,
        })
    }
    fn encoded_len(&self) -> usize {
        1
    }
    fn encode(&self, _: &TransactionId, out: &mut [u8]) {
        put(out, 0, &[if self.reserve { 0x80 } else { 0 }])
    }
}

/// REQUESTED-TRANSPORT (RFC 8656 §18.8): the IP protocol of the relay, 17 (UDP) in practice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestedTransport(pub u8);

impl RequestedTransport {
    /// UDP, the only transport RFC 8656 defines.
    pub const UDP: RequestedTransport = RequestedTransport(17);
}

impl<'a> Attribute<'a> for RequestedTransport {
    const TYPE: AttributeType = AttributeType::REQUESTED_TRANSPORT;
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, AttributeError> {
        let b = exact::<4>(value, "4")?;
        Ok(RequestedTransport(b[0]))
    }
    fn encoded_len(&self) -> usize {
        4
    }
    fn encode(&self, _: &TransactionId, out: &mut [u8]) {
        put(out, 0, &[self.0, 0, 0, 0])
    }
}

/// DONT-FRAGMENT (RFC 8656 §18.9): set DF on the relayed datagram (no value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DontFragment;

impl<'a> Attribute<'a> for DontFragment {
    const TYPE: AttributeType = AttributeType::DONT_FRAGMENT;
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, AttributeError> {
        exact::<0>(value, "0").map(|_| DontFragment)
    }
    fn encoded_len(&self) -> usize {
        0
    }
    fn encode(&self, _: &TransactionId, _: &mut [u8]) {}
}

/// RESERVATION-TOKEN (RFC 8656 §18.10): names a port reserved by EVEN-PORT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReservationToken(pub [u8; 8]);

impl<'a> Attribute<'a> for ReservationToken {
    const TYPE: AttributeType = AttributeType::RESERVATION_TOKEN;
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, AttributeError> {
        exact::<8>(value, "8").map(ReservationToken)
    }
    fn encoded_len(&self) -> usize {
        8
    }
    fn encode(&self, _: &TransactionId, out: &mut [u8]) {
        put(out, 0, &self.0)
    }
}

/// ADDRESS-ERROR-CODE (RFC 8656 §18.12): why one family of a dual allocation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AddressErrorCode<'a> {
    /// The family the error is about.
    pub family: AddressFamily,
    /// The code, 300–699.
    pub code: u16,
    /// The reason phrase.
    pub reason: &'a str,
}

impl<'a> Attribute<'a> for AddressErrorCode<'a> {
    const TYPE: AttributeType = AttributeType::ADDRESS_ERROR_CODE;
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, AttributeError> {
        let family = AddressFamily::from_u8(value.first().copied().unwrap_or(0))?;
        let (code, reason) = decode_code(value)?;
        Ok(AddressErrorCode {
            family,
            code,
            reason,
        })
    }
    fn encoded_len(&self) -> usize {
        4 + self.reason.len()
    }
    fn encode(&self, _: &TransactionId, out: &mut [u8]) {
        put(out, 0, &[self.family.to_u8(), 0]);
        encode_code(self.code, self.reason, out)
    }
}

/// ICMP (RFC 8656 §18.13): an ICMP error the relay received for a peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Icmp {
    /// ICMP type.
    pub icmp_type: u8,
    /// ICMP code.
    pub icmp_code: u8,
    /// Error data (e.g. the MTU of "fragmentation needed").
    pub error_data: u32,
}

impl<'a> Attribute<'a> for Icmp {
    const TYPE: AttributeType = AttributeType::ICMP;
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, AttributeError> {
        let b = exact::<8>(value, "8")?;
        Ok(Icmp {
            icmp_type: b[2],
            icmp_code: b[3],
            error_data: u32::from_be_bytes([b[4], b[5], b[6], b[7]]),
        })
    }
    fn encoded_len(&self) -> usize {
        8
    }
    fn encode(&self, _: &TransactionId, out: &mut [u8]) {
        // Two reserved bytes, then type and code (RFC 8656 §18.13).
        put(out, 0, &[0, 0, self.icmp_type, self.icmp_code]);
        put(out, 4, &self.error_data.to_be_bytes());
    }
}
