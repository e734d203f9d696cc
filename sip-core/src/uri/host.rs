//! `host` of a SIP URI (RFC 3261 §25.1): hostname, IPv4 address or bracketed IPv6 reference (RFC 5118).

use core::net::{Ipv4Addr, Ipv6Addr};

/// `HOST_CLASS` bit: a digit or `.`, which may make an IPv4address (§25.1).
const IPV4: u8 = 1;
/// `HOST_CLASS` bit: a hostname character: alphanum, `-`, `.` (§25.1); `_` tolerated (seen in
/// the wild).
const HOSTNAME: u8 = 2;

/// The [`IPV4`] and [`HOSTNAME`] bits of every byte.
#[allow(clippy::indexing_slicing)] // const context, i < 256 by the loop bound
static HOST_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        if c.is_ascii_digit() || c == b'.' {
            t[i] = IPV4 | HOSTNAME;
        } else if c.is_ascii_alphabetic() || c == b'-' || c == b'_' {
            t[i] = HOSTNAME;
        }
        i += 1;
    }
    t
};

/// A host, borrowed. Hostnames compare case-insensitively (§19.1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host<'a> {
    /// A domain name as written.
    Domain(&'a str),
    /// A dotted-quad IPv4 address.
    Ipv4(Ipv4Addr),
    /// An IPv6 reference; the text is what stood between the brackets.
    Ipv6(Ipv6Addr, &'a str),
}

/// Why a host is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HostError {
    Empty,
    Ipv6,
    Chars,
}

impl<'a> Host<'a> {
    /// Parses a host (an IPv6 reference includes its brackets).
    pub(crate) fn parse(s: &'a str) -> Result<Self, HostError> {
        if s.is_empty() {
            return Err(HostError::Empty);
        }
        if let Some(inner) = s.strip_prefix('[') {
            let inner = inner.strip_suffix(']').ok_or(HostError::Ipv6)?;
            let ip = match inner.parse::<Ipv6Addr>() {
                Ok(ip) => ip,
                Err(_) => three_colons(inner).ok_or(HostError::Ipv6)?,
            };
            return Ok(Self::Ipv6(ip, inner));
        }
        // One pass classifies every byte (`HOST_CLASS`).
        let class = s.bytes().fold(IPV4 | HOSTNAME, |acc, b| {
            acc & HOST_CLASS.get(usize::from(b)).copied().unwrap_or(0)
        });
        if class & IPV4 != 0 {
            if let Ok(ip) = s.parse::<Ipv4Addr>() {
                return Ok(Self::Ipv4(ip));
            }
        }
        if class & HOSTNAME != 0 {
            Ok(Self::Domain(s))
        } else {
            Err(HostError::Chars)
        }
    }

    /// Host equality per §19.1.4: names case-insensitive, addresses by value.
    #[must_use]
    pub fn equivalent(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Domain(a), Self::Domain(b)) => a.eq_ignore_ascii_case(b),
            (Self::Ipv4(a), Self::Ipv4(b)) => a == b,
            (Self::Ipv6(a, _), Self::Ipv6(b, _)) => a == b,
            _ => false,
        }
    }
}

/// RFC 5118 §4.10: the RFC 3261 ABNF let `::` be followed by a third colon before an embedded
/// IPv4 address (`2001:db8:::192.0.2.1`), and implementations "must tolerate" it. Reads such a
/// reference as if it had two colons (RFC 5954 fixes the ABNF).
fn three_colons(inner: &str) -> Option<Ipv6Addr> {
    let (head, v4) = inner.split_once(":::")?;
    if v4.contains(':') || !v4.contains('.') {
        return None;
    }
    let mut fixed = [0u8; 64];
    let parts = [head.as_bytes(), b"::", v4.as_bytes()];
    let len = parts.iter().map(|p| p.len()).sum::<usize>();
    let mut at = 0;
    for p in parts {
        fixed.get_mut(at..at + p.len())?.copy_from_slice(p);
        at += p.len();
    }
    core::str::from_utf8(fixed.get(..len)?).ok()?.parse().ok()
}

impl core::fmt::Display for Host<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Domain(d) => f.write_str(d),
            Self::Ipv4(ip) => write!(f, "{ip}"),
            Self::Ipv6(_, raw) => write!(f, "[{raw}]"),
        }
    }
}
