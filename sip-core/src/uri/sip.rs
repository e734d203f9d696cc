//! `sip:` and `sips:` URIs (RFC 3261 §19.1): parsing and the comparison rules of §19.1.4.

use super::escape::eq_unescaped;
use super::host::{Host, HostError};
use super::{UriError, UriErrorKind};
use crate::header::params::Params;
use crate::message::grammar::{find_byte, split_once_byte};
use crate::message::scan;

/// A SIP or SIPS URI, borrowed. Escapes stay raw; decode with [`super::escape::unescape`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SipUri<'a> {
    /// `sips:` rather than `sip:`.
    pub secure: bool,
    /// The user part (may be a telephone-subscriber, may contain `;`), raw.
    pub user: Option<&'a str>,
    /// The password, raw (deprecated, §19.1.1, but kept).
    pub password: Option<&'a str>,
    /// The host.
    pub host: Host<'a>,
    /// The port, if written.
    pub port: Option<u16>,
    /// URI parameters (`;transport=tcp;lr`).
    pub params: Params<'a>,
    /// URI headers after `?` (`a=b&c=d`), raw.
    pub headers: Option<&'a str>,
}

/// Whether `s` (up to its first `;`) is made of hostport characters only.
fn looks_like_hostport(s: &str) -> bool {
    let hp = s.split(';').next().unwrap_or_default();
    !hp.is_empty()
        && hp
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

fn err(kind: UriErrorKind, at: usize) -> UriError {
    UriError { kind, offset: at }
}

impl<'a> SipUri<'a> {
    /// Parses the text after `sip:` / `sips:`; `base` is the offset of that text in the URI.
    pub(crate) fn parse_after_scheme(
        rest: &'a str,
        secure: bool,
        base: usize,
    ) -> Result<Self, UriError> {
        // userinfo ends at the first '@', unless that '@' belongs to a `?header=value` (lenient:
        // §25.1 wants it escaped there). A `?` is a user character too (RFC 4475 §3.1.1.2:
        // `sip:…crazy?,/;;*:&it+has=1,…@example.com`), so the `@` goes to a header only when
        // what precedes the `?` is a hostport.
        let at = find_byte(rest, b'@').filter(|&i| {
            let before = rest.get(..i).unwrap_or_default();
            !split_once_byte(before, b'?')
                .is_some_and(|(head, h)| h.contains('=') && looks_like_hostport(head))
        });
        let (userinfo, hostpart, hbase) = match at {
            Some(i) => (
                rest.get(..i),
                rest.get(i + 1..).unwrap_or_default(),
                base + i + 1,
            ),
            None => (None, rest, base),
        };
        let (user, password) = match userinfo {
            Some(ui) => {
                let (u, p) = match split_once_byte(ui, b':') {
                    Some((u, p)) => (u, Some(p)),
                    None => (ui, None),
                };
                if u.is_empty() {
                    return Err(err(UriErrorKind::User, base));
                }
                if ui
                    .bytes()
                    .any(|b| b <= b' ' || matches!(b, b'<' | b'>' | b'"' | 0x7f))
                {
                    return Err(err(UriErrorKind::User, base));
                }
                if let Some(i) = super::escape::bad_escape(ui) {
                    return Err(err(UriErrorKind::User, base + i));
                }
                (Some(u), p)
            }
            None => (None, None),
        };
        let hp_end = if hostpart.starts_with('[') {
            find_byte(hostpart, b']').map_or(hostpart.len(), |i| i + 1)
        } else {
            0
        };
        let tail_at = hostpart
            .get(hp_end..)
            .and_then(|t| scan::find2(t.as_bytes(), b';', b'?'))
            .map_or(hostpart.len(), |i| i + hp_end);
        let hostport = hostpart.get(..tail_at).unwrap_or_default();
        let tail = hostpart.get(tail_at..).unwrap_or_default();
        let (host_s, port_s) = if hostport.starts_with('[') {
            let close = find_byte(hostport, b']').ok_or(err(UriErrorKind::Host, hbase))?;
            let after = hostport.get(close + 1..).unwrap_or_default();
            let port = match after {
                "" => None,
                p => Some(
                    p.strip_prefix(':')
                        .ok_or(err(UriErrorKind::Port, hbase + close + 1))?,
                ),
            };
            (hostport.get(..=close).unwrap_or_default(), port)
        } else {
            match split_once_byte(hostport, b':') {
                Some((h, p)) => (h, Some(p)),
                None => (hostport, None),
            }
        };
        let host = Host::parse(host_s).map_err(|e| match e {
            HostError::Empty | HostError::Chars | HostError::Ipv6 => err(UriErrorKind::Host, hbase),
        })?;
        let port = match port_s {
            None => None,
            Some(p) => {
                let off = hbase + host_s.len() + 1;
                if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(err(UriErrorKind::Port, off));
                }
                // At most five digits: no overflow before the u16 range check.
                let n = p.bytes().fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
                Some(u16::try_from(n).map_err(|_| err(UriErrorKind::Port, off))?)
            }
        };
        let (params, headers) = match split_once_byte(tail, b'?') {
            Some((p, h)) => (p, Some(h)),
            None => (tail, None),
        };
        // `tail` is `params` and `headers` joined by a `?`, which is neither of these bytes.
        if tail.bytes().any(|b| b <= b' ' || b == b'<' || b == b'>') {
            return Err(err(UriErrorKind::Params, hbase + tail_at));
        }
        if let Some(i) = super::escape::bad_escape(tail) {
            return Err(err(UriErrorKind::Params, hbase + tail_at + i));
        }
        // Every uri-parameter has a name (§19.1.1: `pname = 1*paramchar`): `;;` or `;=x` is not
        // one. `params` starts at `tail_at`; the parameter after a `;` at `i` starts at `i + 1`.
        let pb = params.as_bytes();
        for (i, _) in pb.iter().enumerate().filter(|&(_, &b)| b == b';') {
            if matches!(pb.get(i + 1), None | Some(b';' | b'=')) {
                return Err(err(UriErrorKind::Params, hbase + tail_at + i + 1));
            }
        }
        Ok(Self {
            secure,
            user,
            password,
            host,
            port,
            params: Params::new(params.strip_prefix(';').unwrap_or(params)),
            headers,
        })
    }

    /// The URI parameter `name`'s value, if present with a value.
    #[must_use]
    pub fn param(&self, name: &str) -> Option<&'a str> {
        self.params.value(name)
    }

    /// Whether the `lr` (loose routing) parameter is present (§19.1.1).
    #[must_use]
    pub fn lr(&self) -> bool {
        self.params.contains("lr")
    }

    /// Equivalence per RFC 3261 §19.1.4: scheme; userinfo case-sensitive after unescaping; host
    /// case-insensitive; port (absent ≠ explicit); user, ttl, method, maddr and transport params must
    /// match when either side has them; other params only when both have them; headers all match.
    #[must_use]
    pub fn equivalent(&self, other: &Self) -> bool {
        if self.secure != other.secure
            || self.port != other.port
            || !self.host.equivalent(&other.host)
        {
            return false;
        }
        let opt_eq = |a: Option<&str>, b: Option<&str>| match (a, b) {
            (None, None) => true,
            (Some(x), Some(y)) => eq_unescaped(x, y, false),
            _ => false,
        };
        if !opt_eq(self.user, other.user) || !opt_eq(self.password, other.password) {
            return false;
        }
        const STRICT: [&str; 5] = ["user", "ttl", "method", "maddr", "transport"];
        let param_eq = |a: Option<Option<&str>>, b: Option<Option<&str>>| match (a, b) {
            (Some(x), Some(y)) => eq_unescaped(x.unwrap_or_default(), y.unwrap_or_default(), true),
            (None, None) => true,
            _ => false,
        };
        for name in STRICT {
            if !param_eq(self.params.get(name), other.params.get(name)) {
                return false;
            }
        }
        for (name, value) in self.params.iter() {
            if let Some(v2) = other.params.get(name) {
                if !param_eq(Some(value), Some(v2)) {
                    return false;
                }
            }
        }
        headers_equivalent(self.headers, other.headers)
    }
}

fn headers_equivalent(a: Option<&str>, b: Option<&str>) -> bool {
    let a = a.unwrap_or_default();
    let b = b.unwrap_or_default();
    let contains = |set: &str, item: &str| {
        let (n, v) = item.split_once('=').unwrap_or((item, ""));
        set.split('&').any(|o| {
            let (n2, v2) = o.split_once('=').unwrap_or((o, ""));
            eq_unescaped(n, n2, true) && eq_unescaped(v, v2, false)
        })
    };
    a.split('&')
        .filter(|s| !s.is_empty())
        .all(|i| contains(b, i))
        && b.split('&')
            .filter(|s| !s.is_empty())
            .all(|i| contains(a, i))
}

impl core::fmt::Display for SipUri<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(if self.secure { "sips:" } else { "sip:" })?;
        if let Some(u) = self.user {
            f.write_str(u)?;
            if let Some(p) = self.password {
                write!(f, ":{p}")?;
            }
            f.write_str("@")?;
        }
        write!(f, "{}", self.host)?;
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        if !self.params.as_str().is_empty() {
            write!(f, ";{}", self.params.as_str())?;
        }
        if let Some(h) = self.headers {
            write!(f, "?{h}")?;
        }
        Ok(())
    }
}
