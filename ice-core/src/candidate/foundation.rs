//! Candidate foundations (RFC 8445 §5.1.1.3): 1 to 32 ice-chars, stored inline.

use core::fmt;
use core::net::IpAddr;

use super::CandidateKind;

/// A foundation: 1 to 32 `ice-char`s (RFC 8839 §5.1), stored without allocation.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Foundation {
    bytes: [u8; 32],
    len: u8,
}

/// Whether `b` is an `ice-char` (RFC 8839 §5.1: ALPHA / DIGIT / "+" / "/").
pub(crate) const fn is_ice_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

impl Foundation {
    /// Longest foundation RFC 8839 allows.
    pub const MAX_LEN: usize = 32;

    /// Takes a foundation token; `None` when it is empty, longer than 32 or not all ice-chars.
    pub fn new(token: &str) -> Option<Self> {
        let src = token.as_bytes();
        if src.is_empty() || src.len() > Self::MAX_LEN || !src.iter().all(|&b| is_ice_char(b)) {
            return None;
        }
        let mut bytes = [0u8; 32];
        bytes.iter_mut().zip(src).for_each(|(d, s)| *d = *s);
        Some(Foundation {
            bytes,
            len: src.len() as u8,
        })
    }

    /// The foundation as text.
    pub fn as_str(&self) -> &str {
        let bytes = self.bytes.get(..usize::from(self.len)).unwrap_or_default();
        core::str::from_utf8(bytes).unwrap_or_default()
    }

    /// The foundation of a local candidate (RFC 8445 §5.1.1.3): the same for candidates of the
    /// same type, base IP, STUN/TURN server IP and transport. A 32-bit FNV-1a hash of those, in
    /// decimal: deterministic, and distinct inputs collide only by chance.
    pub fn compute(kind: CandidateKind, base: IpAddr, server: Option<IpAddr>) -> Self {
        let mut h: u32 = 0x811c_9dc5;
        let mut eat = |b: u8| {
            h ^= u32::from(b);
            h = h.wrapping_mul(0x0100_0193);
        };
        eat(kind as u8);
        ip_bytes(base, &mut eat);
        if let Some(s) = server {
            eat(0xff);
            ip_bytes(s, &mut eat);
        }
        Foundation::from_u32(h)
    }

    /// A foundation made of the decimal digits of `n`.
    pub fn from_u32(mut n: u32) -> Self {
        let mut digits = [0u8; 10];
        let mut i = digits.len();
        loop {
            i -= 1;
            if let Some(d) = digits.get_mut(i) {
                *d = b'0' + (n % 10) as u8;
            }
            n /= 10;
            if n == 0 || i == 0 {
                break;
            }
        }
        let mut bytes = [0u8; 32];
        let src = digits.get(i..).unwrap_or_default();
        bytes.iter_mut().zip(src).for_each(|(d, s)| *d = *s);
        Foundation {
            bytes,
            len: src.len() as u8,
        }
    }
}

fn ip_bytes(ip: IpAddr, eat: &mut impl FnMut(u8)) {
    match ip {
        IpAddr::V4(v4) => v4.octets().into_iter().for_each(eat),
        IpAddr::V6(v6) => v6.octets().into_iter().for_each(eat),
    }
}

impl fmt::Display for Foundation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Foundation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Foundation({})", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        assert_eq!(Foundation::new("abc+/9").unwrap().as_str(), "abc+/9");
        assert!(Foundation::new("").is_none());
        assert!(Foundation::new("a-b").is_none());
        assert!(Foundation::new(&"a".repeat(33)).is_none());
        assert_eq!(Foundation::from_u32(0).as_str(), "0");
        assert_eq!(Foundation::from_u32(u32::MAX).as_str(), "4294967295");
    }

    #[test]
    fn same_inputs_same_foundation() {
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let s: IpAddr = "192.0.2.1".parse().unwrap();
        let a = Foundation::compute(CandidateKind::ServerReflexive, ip, Some(s));
        assert_eq!(
            a,
            Foundation::compute(CandidateKind::ServerReflexive, ip, Some(s))
        );
        assert_ne!(a, Foundation::compute(CandidateKind::Relayed, ip, Some(s)));
        assert_ne!(a, Foundation::compute(CandidateKind::Host, ip, None));
    }
}
