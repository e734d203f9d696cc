//! `a=candidate` (RFC 8839 §5.1), with the extensions browsers add.

use core::fmt;
use core::net::IpAddr;

use crate::error::ValueError;
use crate::wire::token::{
    has_ctl, is_ice_chars, is_non_ws, is_token, parse_u16, parse_u32, Fields,
};

const A: &str = "candidate";

/// Candidate type (RFC 8445 §5.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CandidateType<'a> {
    /// `host`.
    Host,
    /// `srflx`.
    ServerReflexive,
    /// `prflx`.
    PeerReflexive,
    /// `relay`.
    Relayed,
    /// Any other token.
    Other(&'a str),
}

impl<'a> CandidateType<'a> {
    fn from_token(s: &'a str) -> Self {
        match s {
            "host" => Self::Host,
            "srflx" => Self::ServerReflexive,
            "prflx" => Self::PeerReflexive,
            "relay" => Self::Relayed,
            o => Self::Other(o),
        }
    }

    /// The token as written in SDP.
    #[must_use]
    pub const fn as_str(&self) -> &'a str {
        match self {
            Self::Host => "host",
            Self::ServerReflexive => "srflx",
            Self::PeerReflexive => "prflx",
            Self::Relayed => "relay",
            Self::Other(o) => o,
        }
    }
}

/// TCP candidate type (RFC 6544 §4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TcpType {
    /// `active`.
    Active,
    /// `passive`.
    Passive,
    /// `so` (simultaneous open).
    SimultaneousOpen,
}

impl TcpType {
    /// The token as written in SDP.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Passive => "passive",
            Self::SimultaneousOpen => "so",
        }
    }
}

/// The candidate extensions [`Candidate`] types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Extension {
    Raddr,
    Rport,
    TcpType,
    Generation,
    Ufrag,
    NetworkId,
    NetworkCost,
    Other,
}

impl Extension {
    fn from_name(name: &str) -> Self {
        match name {
            "raddr" => Self::Raddr,
            "rport" => Self::Rport,
            "tcptype" => Self::TcpType,
            "generation" => Self::Generation,
            "ufrag" => Self::Ufrag,
            "network-id" => Self::NetworkId,
            "network-cost" => Self::NetworkCost,
            _ => Self::Other,
        }
    }
}

/// One ICE candidate, borrowed from its text.
///
/// Known extensions are typed; unknown ones stay in order in [`Candidate::unknown_extensions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate<'a> {
    /// Foundation: 1–32 `ice-char`.
    pub foundation: &'a str,
    /// Component id (1 = RTP, 2 = RTCP).
    pub component: u16,
    /// Transport as written (`udp`, `UDP`, `tcp`).
    pub transport: &'a str,
    /// Priority.
    pub priority: u32,
    /// Address as written: an IP literal or a name such as an mDNS `….local`.
    pub address: &'a str,
    /// The address parsed, when it is an IP literal.
    pub ip: Option<IpAddr>,
    /// Port.
    pub port: u16,
    /// Candidate type.
    pub typ: CandidateType<'a>,
    /// Related address (`raddr`).
    pub raddr: Option<&'a str>,
    /// Related port (`rport`).
    pub rport: Option<u16>,
    /// `tcptype` (RFC 6544).
    pub tcptype: Option<TcpType>,
    /// `generation` (legacy WebRTC).
    pub generation: Option<u32>,
    /// `ufrag`.
    pub ufrag: Option<&'a str>,
    /// `network-id`.
    pub network_id: Option<u32>,
    /// `network-cost`.
    pub network_cost: Option<u32>,
    extensions: &'a str,
}

impl<'a> Candidate<'a> {
    /// A candidate with no related address and no extensions, e.g. to gather and then serialize;
    /// `ip` is parsed from `address` when it is an IP literal.
    #[must_use]
    pub fn new(
        foundation: &'a str,
        component: u16,
        transport: &'a str,
        priority: u32,
        address: &'a str,
        port: u16,
        typ: CandidateType<'a>,
    ) -> Self {
        Self {
            foundation,
            component,
            transport,
            priority,
            address,
            ip: address.parse().ok(),
            port,
            typ,
            raddr: None,
            rport: None,
            tcptype: None,
            generation: None,
            ufrag: None,
            network_id: None,
            network_cost: None,
            extensions: "",
        }
    }

    /// Parses the attribute value (the text after `candidate:`).
    ///
    /// # Errors
    /// A [`ValueError`] at the malformed part.
    pub fn parse(v: &'a str) -> Result<Self, ValueError> {
        Self::parse_inner(v, true)
    }

    /// Parses, leaving `ip` unset unless `parse_ip` (validation does not need it).
    pub(crate) fn parse_inner(v: &'a str, parse_ip: bool) -> Result<Self, ValueError> {
        // Without control bytes, every non-empty field split at spaces is a `non-ws-string`:
        // the usual candidate skips those byte-by-byte checks.
        if has_ctl(v) {
            Self::parse_fields::<false>(v, parse_ip)
        } else {
            Self::parse_fields::<true>(v, parse_ip)
        }
    }

    /// The parser; `PLAIN`: `v` holds no control byte ([`has_ctl`]).
    #[inline(always)]
    fn parse_fields<const PLAIN: bool>(v: &'a str, parse_ip: bool) -> Result<Self, ValueError> {
        let non_ws = |s: &str| !s.is_empty() && (PLAIN || is_non_ws(s));
        let mut f = Fields::new(v);
        let (foundation, o) = f.field("candidate foundation")?;
        if foundation.is_empty() || foundation.len() > 32 || !is_ice_chars(foundation) {
            return Err(ValueError::attribute(o, A, "foundation"));
        }
        let (c, o) = f.field("candidate component")?;
        let component = parse_u16(c).ok_or(ValueError::attribute(o, A, "component id"))?;
        let (transport, o) = f.field("candidate transport")?;
        if !is_token(transport) {
            return Err(ValueError::attribute(o, A, "transport"));
        }
        let (p, o) = f.field("candidate priority")?;
        let priority = parse_u32(p).ok_or(ValueError::attribute(o, A, "priority"))?;
        let (address, o) = f.field("candidate address")?;
        if !non_ws(address) {
            return Err(ValueError::attribute(o, A, "address"));
        }
        let ip = if parse_ip { address.parse().ok() } else { None };
        let (p, o) = f.field("candidate port")?;
        let port = parse_u16(p).ok_or(ValueError::attribute(o, A, "port"))?;
        let (t, o) = f.field("candidate typ")?;
        if t != "typ" {
            return Err(ValueError::attribute(o, A, "expected `typ`"));
        }
        let (t, o) = f.field("candidate type")?;
        if !is_token(t) {
            return Err(ValueError::attribute(o, A, "candidate type"));
        }
        let mut c = Self {
            foundation,
            component,
            transport,
            priority,
            address,
            ip,
            port,
            typ: CandidateType::from_token(t),
            raddr: None,
            rport: None,
            tcptype: None,
            generation: None,
            ufrag: None,
            network_id: None,
            network_cost: None,
            extensions: "",
        };
        let mut ext_start: Option<usize> = None;
        while let Some((name, o)) = f.next() {
            let (value, vo) = f.field("candidate extension value")?;
            let ext = Extension::from_name(name);
            // The names this parser knows are tokens.
            if ext == Extension::Other && !is_token(name) {
                return Err(ValueError::attribute(o, A, "extension name"));
            }
            if !non_ws(value) {
                return Err(ValueError::attribute(vo, A, "extension value"));
            }
            let number = |what| parse_u32(value).ok_or(ValueError::attribute(vo, A, what));
            match ext {
                Extension::Raddr => c.raddr = Some(value),
                Extension::Rport => {
                    c.rport = Some(parse_u16(value).ok_or(ValueError::attribute(vo, A, "rport"))?);
                }
                Extension::TcpType => {
                    c.tcptype = Some(match value {
                        "active" => TcpType::Active,
                        "passive" => TcpType::Passive,
                        "so" => TcpType::SimultaneousOpen,
                        _ => return Err(ValueError::attribute(vo, A, "tcptype")),
                    });
                }
                Extension::Generation => c.generation = Some(number("generation")?),
                Extension::Ufrag => c.ufrag = Some(value),
                Extension::NetworkId => c.network_id = Some(number("network-id")?),
                Extension::NetworkCost => c.network_cost = Some(number("network-cost")?),
                Extension::Other => {
                    ext_start.get_or_insert(o);
                }
            }
        }
        if let Some(s) = ext_start {
            c.extensions = v.get(s..).unwrap_or("");
        }
        Ok(c)
    }

    /// Parses a candidate as trickled or signalled: with or without a leading `a=` and `candidate:`.
    ///
    /// # Errors
    /// As [`Candidate::parse`].
    pub fn parse_attribute(s: &'a str) -> Result<Self, ValueError> {
        let s = s.strip_prefix("a=").unwrap_or(s);
        Self::parse(s.strip_prefix("candidate:").unwrap_or(s))
    }

    /// True for UDP candidates.
    #[must_use]
    pub fn is_udp(&self) -> bool {
        self.transport.eq_ignore_ascii_case("udp")
    }

    /// True for TCP candidates.
    #[must_use]
    pub fn is_tcp(&self) -> bool {
        self.transport.eq_ignore_ascii_case("tcp")
    }

    /// True when the address is an mDNS name (`….local`), as browsers use to hide host addresses.
    #[must_use]
    pub fn is_mdns(&self) -> bool {
        self.ip.is_none() && self.address.ends_with(".local")
    }

    /// Extensions this type does not know, as `(name, value)` pairs in order.
    pub fn unknown_extensions(&self) -> impl Iterator<Item = (&'a str, &'a str)> + Clone {
        let mut it =
            crate::wire::token::split_iter(self.extensions, b' ').filter(|s| !s.is_empty());
        core::iter::from_fn(move || Some((it.next()?, it.next()?))).filter(|(n, _)| {
            !matches!(
                *n,
                "raddr"
                    | "rport"
                    | "tcptype"
                    | "generation"
                    | "ufrag"
                    | "network-id"
                    | "network-cost"
            )
        })
    }
}

impl fmt::Display for Candidate<'_> {
    /// Writes the attribute value (without `candidate:`), known extensions in the order browsers use.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} {} {} typ {}",
            self.foundation,
            self.component,
            self.transport,
            self.priority,
            self.address,
            self.port,
            self.typ.as_str()
        )?;
        if let Some(r) = self.raddr {
            write!(f, " raddr {r}")?;
        }
        if let Some(r) = self.rport {
            write!(f, " rport {r}")?;
        }
        if let Some(t) = self.tcptype {
            write!(f, " tcptype {}", t.as_str())?;
        }
        if let Some(g) = self.generation {
            write!(f, " generation {g}")?;
        }
        if let Some(u) = self.ufrag {
            write!(f, " ufrag {u}")?;
        }
        if let Some(n) = self.network_id {
            write!(f, " network-id {n}")?;
        }
        if let Some(n) = self.network_cost {
            write!(f, " network-cost {n}")?;
        }
        for (n, v) in self.unknown_extensions() {
            write!(f, " {n} {v}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn srflx_with_extensions() {
        let s = "2933571734 1 udp 1686052607 203.0.113.45 54609 typ srflx raddr 192.168.1.10 rport 54609 generation 0 network-id 1 network-cost 10";
        let c = Candidate::parse(s).unwrap();
        assert_eq!(c.typ, CandidateType::ServerReflexive);
        assert_eq!(
            (c.raddr, c.rport, c.generation, c.network_cost),
            (Some("192.168.1.10"), Some(54609), Some(0), Some(10))
        );
        assert_eq!(c.to_string(), s);
    }

    #[test]
    fn mdns_tcp_and_unknown() {
        let s = "1 1 TCP 1518280447 4f1e2c3d-aaaa-bbbb-cccc-0123456789ab.local 9 typ host tcptype active foo bar";
        let c = Candidate::parse_attribute(&["a=candidate:", s].concat())
            .unwrap()
            .to_string();
        assert_eq!(c, s);
        let c = Candidate::parse(s).unwrap();
        assert!(c.is_mdns() && c.is_tcp());
        assert!(c.unknown_extensions().eq([("foo", "bar")]));
    }

    #[test]
    fn builds() {
        let mut c = Candidate::new(
            "1",
            1,
            "udp",
            2_130_706_431,
            "192.0.2.1",
            5000,
            CandidateType::Host,
        );
        c.generation = Some(0);
        assert!(c.ip.is_some());
        assert_eq!(
            c.to_string(),
            "1 1 udp 2130706431 192.0.2.1 5000 typ host generation 0"
        );
        assert_eq!(Candidate::parse(&c.to_string()).unwrap(), c);
    }

    #[test]
    fn rejects() {
        assert!(Candidate::parse("1 1 udp 1 1.2.3.4 9 host").is_err());
        assert!(Candidate::parse("1 1 udp 1 1.2.3.4 9 typ host raddr").is_err());
        assert!(Candidate::parse("1 1 udp 1 1.2.3.4 99999 typ host").is_err());
        assert!(Candidate::parse("1 1 udp 1 1.2.3.4 9 typ host tcptype x").is_err());
    }
}
