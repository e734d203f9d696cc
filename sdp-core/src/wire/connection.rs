//! `c=` connection data (RFC 8866 §5.7).

use core::fmt;
use core::net::IpAddr;

use super::token::{is_non_ws, is_token, parse_u32, parse_u8, Fields};
use crate::error::ValueError;

/// `c=<nettype> <addrtype> <connection-address>`, with the multicast TTL and address count split off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Connection<'a> {
    /// Network type, `IN`.
    pub nettype: &'a str,
    /// Address type, `IP4` or `IP6`.
    pub addrtype: &'a str,
    /// The address (or FQDN) without `/ttl` or `/count`.
    pub address: &'a str,
    /// The address parsed as an IP address, when it is one.
    pub ip: Option<IpAddr>,
    /// IPv4 multicast TTL.
    pub ttl: Option<u8>,
    /// Number of multicast addresses.
    pub num_addresses: Option<u32>,
}

impl<'a> Connection<'a> {
    /// Parses the value of a `c=` line.
    ///
    /// # Errors
    /// A [`ValueError`] at the first malformed field.
    pub fn parse(value: &'a str) -> Result<Self, ValueError> {
        Self::parse_inner(value, true)
    }

    /// Parses, leaving `ip` unset unless `parse_ip` (validation does not need it).
    pub(crate) fn parse_inner(value: &'a str, parse_ip: bool) -> Result<Self, ValueError> {
        let mut f = Fields::new(value);
        let (nettype, o) = f.field("connection nettype")?;
        if !is_token(nettype) {
            return Err(ValueError::field(o, "connection nettype"));
        }
        let (addrtype, o) = f.field("connection addrtype")?;
        if !is_token(addrtype) {
            return Err(ValueError::field(o, "connection addrtype"));
        }
        let (full, o) = f.field("connection address")?;
        if !is_non_ws(full) || !f.is_empty() {
            return Err(ValueError::field(o, "connection address"));
        }
        let mut parts = crate::wire::token::split_iter(full, b'/');
        let address = parts.next().unwrap_or("");
        if address.is_empty() {
            return Err(ValueError::field(o, "connection address"));
        }
        let ip = if parse_ip {
            address.parse::<IpAddr>().ok()
        } else {
            None
        };
        let a = parts.next();
        let b = parts.next();
        if parts.next().is_some() {
            return Err(ValueError::field(o, "connection address"));
        }
        let bad = ValueError::field(o + address.len(), "connection ttl or count");
        let (ttl, num_addresses) = match (a, b, addrtype) {
            (None, _, _) => (None, None),
            (Some(n), None, "IP6") => (None, Some(parse_u32(n).ok_or(bad)?)),
            (Some(t), None, _) => (Some(parse_u8(t).ok_or(bad)?), None),
            (Some(t), Some(n), _) => (
                Some(parse_u8(t).ok_or(bad)?),
                Some(parse_u32(n).ok_or(bad)?),
            ),
        };
        Ok(Self {
            nettype,
            addrtype,
            address,
            ip,
            ttl,
            num_addresses,
        })
    }
}

impl fmt::Display for Connection<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.nettype, self.addrtype, self.address)?;
        if let Some(t) = self.ttl {
            write!(f, "/{t}")?;
        }
        if let Some(n) = self.num_addresses {
            write!(f, "/{n}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unicast_and_multicast() {
        let c = Connection::parse("IN IP4 203.0.113.45").unwrap();
        assert_eq!(c.ip, Some("203.0.113.45".parse().unwrap()));
        let c = Connection::parse("IN IP4 224.2.1.1/127/3").unwrap();
        assert_eq!((c.ttl, c.num_addresses), (Some(127), Some(3)));
        let c = Connection::parse("IN IP6 ff15::101/3").unwrap();
        assert_eq!((c.ttl, c.num_addresses), (None, Some(3)));
        let c = Connection::parse("IN IP6 2001:db8::1").unwrap();
        assert!(c.ip.unwrap().is_ipv6());
    }

    #[test]
    fn rejects() {
        assert!(Connection::parse("IN IP4").is_err());
        assert!(Connection::parse("IN IP4 1.2.3.4/x").is_err());
        assert!(Connection::parse("IN IP4 1.2.3.4 x").is_err());
    }
}
