//! `Via` (RFC 3261 §20.42, §18.2.1 received/rport of RFC 3581).

use super::error::{HeaderErrorKind, ParseResult};
use super::params::{split_params, Params};
use super::{offset_in, TypedHeader};
use crate::message::grammar::{find_byte, is_lws, is_token, parse_u32, split_once_byte, trim_lws};
use crate::message::HeaderName;
use crate::uri::Host;

/// One Via value: `SIP/2.0/UDP host:port;branch=…`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Via<'a> {
    /// Protocol name, normally `SIP`.
    pub protocol: &'a str,
    /// Protocol version, normally `2.0`.
    pub version: &'a str,
    /// Transport token (`UDP`, `TCP`, `TLS`, `SCTP`, `WS`, `WSS` or other).
    pub transport: &'a str,
    /// The sent-by host.
    pub host: Host<'a>,
    /// The sent-by port, if written.
    pub port: Option<u16>,
    /// All parameters.
    pub params: Params<'a>,
}

impl<'a> Via<'a> {
    /// The `branch` parameter (§8.1.1.7).
    #[must_use]
    pub fn branch(&self) -> Option<&'a str> {
        self.params.value("branch")
    }

    /// The `received` parameter (§18.2.1).
    #[must_use]
    pub fn received(&self) -> Option<&'a str> {
        self.params.value("received")
    }

    /// `rport` (RFC 3581): `None` absent, `Some(None)` requested, `Some(Some(port))` filled in.
    #[must_use]
    pub fn rport(&self) -> Option<Option<u16>> {
        self.params
            .get("rport")
            .map(|v| v.and_then(|p| p.parse().ok()))
    }

    /// The `maddr` parameter.
    #[must_use]
    pub fn maddr(&self) -> Option<&'a str> {
        self.params.value("maddr")
    }

    /// The `ttl` parameter, 0..=255.
    #[must_use]
    pub fn ttl(&self) -> Option<u8> {
        self.params.value("ttl").and_then(|t| t.parse().ok())
    }

    /// Whether the branch carries the RFC 3261 magic cookie `z9hG4bK` (§8.1.1.7) followed by an
    /// identifier. A bare `z9hG4bK` identifies nothing (RFC 4475 §3.2.1): such a request falls
    /// back to RFC 2543 transaction matching (§17.2.3).
    #[must_use]
    pub fn is_rfc3261_branch(&self) -> bool {
        self.branch()
            .is_some_and(|b| b.len() > "z9hG4bK".len() && b.starts_with("z9hG4bK"))
    }
}

impl<'a> TypedHeader<'a> for Via<'a> {
    const NAME: &'static str = super::known(HeaderName::Via);
    const COMPACT: Option<char> = HeaderName::Via.compact();
    const LIST: bool = true;

    fn parse(value: &'a str) -> ParseResult<Self> {
        let (head, params) = split_params(value);
        // §25.1 sent-protocol = protocol-name SLASH protocol-version SLASH transport, where SLASH
        // allows LWS around the "/".
        let (p0, after) = split_once_byte(head, b'/').unwrap_or((head, ""));
        let (p1, p2) = split_once_byte(after, b'/').unwrap_or((after, ""));
        let protocol = trim_lws(p0);
        let version = trim_lws(p1);
        let rest = trim_lws(p2);
        if !is_token(protocol) || !is_token(version) {
            return Err((HeaderErrorKind::SentProtocol, 0));
        }
        // LWS separates the transport from sent-by (§25.1 `sent-protocol LWS sent-by`).
        let (transport, sent_by) = match rest.bytes().position(is_lws) {
            Some(i) => (
                rest.get(..i).unwrap_or_default(),
                trim_lws(rest.get(i..).unwrap_or_default()),
            ),
            None => (rest, ""),
        };
        if !is_token(transport) {
            return Err((HeaderErrorKind::SentProtocol, offset_in(value, rest)));
        }
        let at = offset_in(value, sent_by);
        let (host_s, port_s) = if sent_by.starts_with('[') {
            let close = find_byte(sent_by, b']').ok_or((HeaderErrorKind::SentBy, at))?;
            let after = trim_lws(sent_by.get(close + 1..).unwrap_or_default());
            let port = match after.strip_prefix(':') {
                Some(p) => Some(trim_lws(p)),
                None if after.is_empty() => None,
                None => return Err((HeaderErrorKind::SentBy, at + close + 1)),
            };
            (sent_by.get(..=close).unwrap_or_default(), port)
        } else {
            match split_once_byte(sent_by, b':') {
                Some((h, p)) => (trim_lws(h), Some(trim_lws(p))),
                None => (sent_by, None),
            }
        };
        let host = Host::parse(host_s).map_err(|_| (HeaderErrorKind::SentBy, at))?;
        let port = match port_s {
            Some(p) => Some(
                parse_u32(p)
                    .and_then(|n| u16::try_from(n).ok())
                    .ok_or((HeaderErrorKind::SentBy, offset_in(value, p)))?,
            ),
            None => None,
        };
        // RFC 3581 §3: `rport` is empty (a request) or a port number (filled in); `rport=99999`
        // or `rport=x` is malformed, not silently "requested".
        if let Some(Some(p)) = params.get("rport") {
            if parse_u32(p).and_then(|n| u16::try_from(n).ok()).is_none() {
                return Err((HeaderErrorKind::SentBy, offset_in(value, p)));
            }
        }
        Ok(Self {
            protocol,
            version,
            transport,
            host,
            port,
            params,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn via_forms() {
        let v = Via::parse(
            "SIP/2.0/UDP pc33.atlanta.com:5060;branch=z9hG4bK776;rport;received=192.0.2.1",
        )
        .unwrap();
        assert_eq!(
            (v.transport, v.host, v.port),
            ("UDP", Host::Domain("pc33.atlanta.com"), Some(5060))
        );
        assert_eq!(v.branch(), Some("z9hG4bK776"));
        assert_eq!(v.rport(), Some(None));
        assert_eq!(v.received(), Some("192.0.2.1"));
        assert!(v.is_rfc3261_branch());
        // RFC 4475 badbranch: the cookie alone identifies nothing.
        assert!(!Via::parse("SIP/2.0/UDP h;branch=z9hG4bK")
            .unwrap()
            .is_rfc3261_branch());
        let v = Via::parse("SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw").unwrap();
        assert_eq!((v.protocol, v.version, v.transport), ("SIP", "2.0", "UDP"));
        let v =
            Via::parse("SIP/2.0/TCP [2001:db8::9:1]:5060;maddr=[2001:db8::9:255];ttl=16").unwrap();
        assert_eq!(v.port, Some(5060));
        assert!(matches!(v.host, Host::Ipv6(..)));
        assert_eq!(v.ttl(), Some(16));
        assert_eq!(v.maddr(), Some("[2001:db8::9:255]"));
        assert!(Via::parse("SIP/2.0/UDP").is_err());
        assert!(Via::parse("SIP/2.0 host").is_err());
        assert!(Via::parse("SIP/2.0/UDP host:99999").is_err());
    }
}
