//! The DNS questions server selection asks and the records it reads back (RFC 3263 §4).

use alloc::string::String;
use core::net::{Ipv4Addr, Ipv6Addr};

/// The record types RFC 3263 uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecordType {
    /// NAPTR (RFC 3403): which transports the domain offers, and their SRV names (§4.1).
    Naptr,
    /// SRV (RFC 2782): the servers of one transport, with priority, weight and port (§4.2).
    Srv,
    /// A: IPv4 addresses of a host.
    A,
    /// AAAA: IPv6 addresses of a host.
    Aaaa,
}

/// One DNS question for the caller's resolver: `name` (fully qualified, no trailing dot
/// needed), `record_type`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Query {
    /// The owner name asked for, lower-case.
    pub name: String,
    /// The record type asked for.
    pub record_type: RecordType,
}

/// A NAPTR record (RFC 3403 §4.1), as SIP reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Naptr {
    /// Lower first.
    pub order: u16,
    /// Lower first among equal `order`.
    pub preference: u16,
    /// `s` means the replacement is an SRV name (the only flag SIP follows, RFC 3263 §4.1).
    pub flags: String,
    /// `SIP+D2U`, `SIP+D2T`, `SIPS+D2T`, `SIP+D2W`, `SIPS+D2W` (RFC 3263 §4.1, RFC 7118 §6).
    pub services: String,
    /// Must be empty for SIP (the replacement is used, §4.1).
    pub regexp: String,
    /// The SRV name to ask next.
    pub replacement: String,
}

/// An SRV record (RFC 2782).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Srv {
    /// Lower first.
    pub priority: u16,
    /// Relative share among equal priorities (0: only when nothing else is there).
    pub weight: u16,
    /// The server's port.
    pub port: u16,
    /// The server's host name; `.` means "not offered here" (RFC 2782).
    pub target: String,
}

/// One record of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// A NAPTR record.
    Naptr(Naptr),
    /// An SRV record.
    Srv(Srv),
    /// An IPv4 address.
    A(Ipv4Addr),
    /// An IPv6 address.
    Aaaa(Ipv6Addr),
}

impl Record {
    /// The type of this record.
    #[must_use]
    pub const fn record_type(&self) -> RecordType {
        match self {
            Self::Naptr(_) => RecordType::Naptr,
            Self::Srv(_) => RecordType::Srv,
            Self::A(_) => RecordType::A,
            Self::Aaaa(_) => RecordType::Aaaa,
        }
    }
}

/// Lower-cases `name` and drops one trailing dot: DNS names compare case-insensitively.
pub(crate) fn normalize(name: &str) -> String {
    let name = name.strip_suffix('.').unwrap_or(name);
    name.to_ascii_lowercase()
}
