//! Address attributes: MAPPED-ADDRESS and ALTERNATE-SERVER (RFC 8489 §14.1, §14.15), and the XOR-ed
//! XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS and XOR-RELAYED-ADDRESS (RFC 8489 §14.2, RFC 8656 §18.3, §18.5).

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use super::{be16, put, Attribute, AttributeError, AttributeType};
use crate::wire::{TransactionId, MAGIC_COOKIE};

const FAMILY_IPV4: u8 = 0x01;
const FAMILY_IPV6: u8 = 0x02;

fn encoded_len(addr: &SocketAddr) -> usize {
    match addr {
        SocketAddr::V4(_) => 8,
        SocketAddr::V6(_) => 20,
    }
}

/// The XOR mask: the magic cookie followed by the transaction ID (RFC 8489 §14.2).
fn mask(tid: &TransactionId) -> [u8; 16] {
    let mut m = [0u8; 16];
    put(&mut m, 0, &MAGIC_COOKIE.to_be_bytes());
    put(&mut m, 4, tid.as_bytes());
    m
}

fn decode(value: &[u8], xor: Option<&TransactionId>) -> Result<SocketAddr, AttributeError> {
    let family = *value.get(1).ok_or(AttributeError::BadLength {
        expected: "8 (IPv4) or 20 (IPv6)",
        got: value.len(),
    })?;
    let mut port = be16(value, 2).ok_or(AttributeError::BadLength {
        expected: "8 (IPv4) or 20 (IPv6)",
        got: value.len(),
    })?;
    let m = xor.map(mask);
    if m.is_some() {
        port ^= (MAGIC_COOKIE >> 16) as u16;
    }
    let ip = match (family, value.get(4..)) {
        (FAMILY_IPV4, Some(a)) if a.len() == 4 => {
            let mut b = [0u8; 4];
            b.copy_from_slice(a);
            if let Some(m) = &m {
                b.iter_mut().zip(m).for_each(|(x, k)| *x ^= k);
            }
            IpAddr::V4(Ipv4Addr::from(b))
        }
        (FAMILY_IPV6, Some(a)) if a.len() == 16 => {
            let mut b = [0u8; 16];
            b.copy_from_slice(a);
            if let Some(m) = &m {
                b.iter_mut().zip(m).for_each(|(x, k)| *x ^= k);
            }
            IpAddr::V6(Ipv6Addr::from(b))
        }
        (FAMILY_IPV4 | FAMILY_IPV6, _) => {
            return Err(AttributeError::BadLength {
                expected: "8 (IPv4) or 20 (IPv6)",
                got: value.len(),
            })
        }
        (f, _) => return Err(AttributeError::BadFamily(f)),
    };
    Ok(SocketAddr::new(ip, port))
}

fn encode(addr: &SocketAddr, xor: Option<&TransactionId>, out: &mut [u8]) {
    let m = xor.map(mask);
    let mut port = addr.port();
    if m.is_some() {
        port ^= (MAGIC_COOKIE >> 16) as u16;
    }
    put(out, 0, &[0]);
    put(out, 2, &port.to_be_bytes());
    match addr.ip() {
        IpAddr::V4(ip) => {
            put(out, 1, &[FAMILY_IPV4]);
            let mut b = ip.octets();
            if let Some(m) = &m {
                b.iter_mut().zip(m).for_each(|(x, k)| *x ^= k);
            }
            put(out, 4, &b);
        }
        IpAddr::V6(ip) => {
            put(out, 1, &[FAMILY_IPV6]);
            let mut b = ip.octets();
            if let Some(m) = &m {
                b.iter_mut().zip(m).for_each(|(x, k)| *x ^= k);
            }
            put(out, 4, &b);
        }
    }
}

macro_rules! address_attribute {
    ($(#[$doc:meta])* $name:ident, $typ:ident, $xor:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name(pub SocketAddr);

        impl<'a> Attribute<'a> for $name {
            const TYPE: AttributeType = AttributeType::$typ;

            fn decode(value: &'a [u8], tid: &TransactionId) -> Result<Self, AttributeError> {
                decode(value, if $xor { Some(tid) } else { None }).map($name)
            }

            fn encoded_len(&self) -> usize {
                encoded_len(&self.0)
            }

            fn encode(&self, tid: &TransactionId, out: &mut [u8]) {
                encode(&self.0, if $xor { Some(tid) } else { None }, out)
            }
        }
    };
}

address_attribute!(
    /// MAPPED-ADDRESS (RFC 8489 §14.1): the reflexive address, not XOR-ed (RFC 3489 servers).
    MappedAddress, MAPPED_ADDRESS, false
);
address_attribute!(
    /// ALTERNATE-SERVER (RFC 8489 §14.15): where a 300 (Try Alternate) redirects.
    AlternateServer, ALTERNATE_SERVER, false
);
address_attribute!(
    /// XOR-MAPPED-ADDRESS (RFC 8489 §14.2): the reflexive transport address.
    XorMappedAddress, XOR_MAPPED_ADDRESS, true
);
address_attribute!(
    /// XOR-PEER-ADDRESS (RFC 8656 §18.3): a peer's address as the TURN server sees it.
    XorPeerAddress, XOR_PEER_ADDRESS, true
);
address_attribute!(
    /// XOR-RELAYED-ADDRESS (RFC 8656 §18.5): the relayed transport address of an allocation.
    XorRelayedAddress, XOR_RELAYED_ADDRESS, true
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_family_and_lengths() {
        let tid = TransactionId([0; 12]);
        assert_eq!(
            MappedAddress::decode(&[0, 3, 0, 1, 1, 2, 3, 4], &tid),
            Err(AttributeError::BadFamily(3))
        );
        assert!(MappedAddress::decode(&[0, 1, 0, 1, 1, 2, 3], &tid).is_err());
        assert!(MappedAddress::decode(&[0, 2, 0, 1, 1, 2, 3, 4], &tid).is_err());
        assert!(MappedAddress::decode(&[], &tid).is_err());
    }
}
