//! The `a=candidate` attribute of RFC 8839 §5.1: parsed without allocation, written by `Display`.

use core::net::{IpAddr, SocketAddr};

use super::{Candidate, CandidateKind, Foundation, Transport};

/// Why a candidate line could not be parsed. `offset` is the byte offset of the offending token in
/// the string given to [`Candidate::parse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CandidateError {
    /// The line ends before a required field.
    #[error("byte {offset}: {field} is missing")]
    Missing {
        /// The field (`foundation`, `component-id`, ...).
        field: &'static str,
        /// Where it was expected.
        offset: usize,
    },
    /// A field does not have the form RFC 8839 §5.1 requires.
    #[error("byte {offset}: invalid {field}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// Where it starts.
        offset: usize,
    },
    /// The connection address is a host name (an mDNS `.local` name, say): resolve it and build the
    /// candidate with the address.
    #[error("byte {offset}: connection address is a host name, not an IP address")]
    HostName {
        /// Where it starts.
        offset: usize,
    },
}

/// Splits on single spaces, yielding each token with its byte offset.
struct Tokens<'a> {
    s: &'a str,
    at: usize,
}

impl<'a> Tokens<'a> {
    fn next_token(&mut self) -> Option<(&'a str, usize)> {
        let rest = self.s.get(self.at..)?;
        let trimmed = rest.trim_start_matches(' ');
        let start = self.at + (rest.len() - trimmed.len());
        if trimmed.is_empty() {
            self.at = self.s.len();
            return None;
        }
        let len = trimmed.find(' ').unwrap_or(trimmed.len());
        self.at = start + len;
        trimmed.get(..len).map(|t| (t, start))
    }

    fn require(&mut self, field: &'static str) -> Result<(&'a str, usize), CandidateError> {
        self.next_token().ok_or(CandidateError::Missing {
            field,
            offset: self.at,
        })
    }
}

fn number<T: core::str::FromStr>(
    (token, offset): (&str, usize),
    field: &'static str,
    max_digits: usize,
) -> Result<T, CandidateError> {
    let invalid = CandidateError::Invalid { field, offset };
    if token.is_empty() || token.len() > max_digits || !token.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid);
    }
    token.parse().map_err(|_| invalid)
}

impl Candidate {
    /// Parses an RFC 8839 §5.1 candidate: `candidate:<foundation> <component> <transport>
    /// <priority> <address> <port> typ <type> [raddr <a> rport <p>] *(<ext-name> <ext-value>)`.
    /// An `a=` prefix and a trailing CRLF are accepted; the `candidate:` prefix may be omitted (as
    /// some signalling strips it). Extensions (`generation`, `ufrag`, `network-cost`, ...) are
    /// checked for form and skipped.
    ///
    /// ```
    /// use rtcweb_ice_core::candidate::{Candidate, CandidateKind};
    /// let c = Candidate::parse("candidate:1 1 UDP 2130706431 192.0.2.1 5000 typ host generation 0")?;
    /// assert_eq!(c.kind, CandidateKind::Host);
    /// assert_eq!(c.to_string(), "candidate:1 1 udp 2130706431 192.0.2.1 5000 typ host");
    /// # Ok::<(), rtcweb_ice_core::candidate::CandidateError>(())
    /// ```
    pub fn parse(line: &str) -> Result<Candidate, CandidateError> {
        let line = line.trim_end_matches(['\r', '\n']);
        let mut start = 0;
        if line.starts_with("a=") {
            start = 2;
        }
        if line
            .get(start..)
            .is_some_and(|r| r.starts_with("candidate:"))
        {
            start += "candidate:".len();
        }
        let mut t = Tokens { s: line, at: start };
        let (f, off) = t.require("foundation")?;
        let foundation = Foundation::new(f).ok_or(CandidateError::Invalid {
            field: "foundation",
            offset: off,
        })?;
        let component_tok = t.require("component-id")?;
        let component: u16 = number(component_tok, "component-id", 3)?;
        if !(1..=256).contains(&component) {
            return Err(CandidateError::Invalid {
                field: "component-id",
                offset: component_tok.1,
            });
        }
        let (tr, off) = t.require("transport")?;
        let transport = Transport::from_token(tr).ok_or(CandidateError::Invalid {
            field: "transport",
            offset: off,
        })?;
        let priority: u32 = number(t.require("priority")?, "priority", 10)?;
        let (addr, addr_off) = t.require("connection-address")?;
        let ip = parse_ip(addr, addr_off, "connection-address")?;
        let port: u16 = number(t.require("port")?, "port", 5)?;
        let (typ, off) = t.require("typ")?;
        if typ != "typ" {
            return Err(CandidateError::Invalid {
                field: "typ",
                offset: off,
            });
        }
        let (kind, off) = t.require("cand-type")?;
        let kind = match kind {
            "host" => CandidateKind::Host,
            "srflx" => CandidateKind::ServerReflexive,
            "prflx" => CandidateKind::PeerReflexive,
            "relay" => CandidateKind::Relayed,
            _ => {
                return Err(CandidateError::Invalid {
                    field: "cand-type",
                    offset: off,
                })
            }
        };
        let mut raddr = None;
        let mut rport = None;
        while let Some((name, off)) = t.next_token() {
            let value = t.require("extension value")?;
            match name {
                "raddr" if raddr.is_none() => raddr = Some(parse_ip(value.0, value.1, "raddr")?),
                "rport" if rport.is_none() => rport = Some(number::<u16>(value, "rport", 5)?),
                _ if name.bytes().all(|b| b.is_ascii_graphic()) => {}
                _ => {
                    return Err(CandidateError::Invalid {
                        field: "extension name",
                        offset: off,
                    })
                }
            }
        }
        Ok(Candidate {
            foundation,
            component,
            transport,
            priority,
            address: SocketAddr::new(ip, port),
            kind,
            related: raddr.map(|ip| SocketAddr::new(ip, rport.unwrap_or(0))),
        })
    }
}

fn parse_ip(token: &str, offset: usize, field: &'static str) -> Result<IpAddr, CandidateError> {
    if let Ok(ip) = token.parse::<IpAddr>() {
        return Ok(ip);
    }
    let hostname = !token.is_empty()
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        && token.bytes().any(|b| b.is_ascii_alphabetic());
    Err(if hostname {
        CandidateError::HostName { offset }
    } else {
        CandidateError::Invalid { field, offset }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate alloc;
    use alloc::string::ToString;

    #[test]
    fn browser_lines() {
        let c = Candidate::parse(
            "a=candidate:842163049 1 udp 1677729535 198.51.100.7 61665 typ srflx raddr 10.0.0.5 rport 61665 generation 0 ufrag EsAw network-cost 999\r\n",
        )
        .unwrap();
        assert_eq!(c.kind, CandidateKind::ServerReflexive);
        assert_eq!(c.related, Some("10.0.0.5:61665".parse().unwrap()));
        assert_eq!(c.foundation.as_str(), "842163049");
        let v6 =
            Candidate::parse("candidate:2 1 udp 2122262783 2001:db8::1 5000 typ host").unwrap();
        assert_eq!(v6.address, "[2001:db8::1]:5000".parse().unwrap());
        let tcp =
            Candidate::parse("candidate:3 1 TCP 1518280447 192.0.2.1 9 typ host tcptype active")
                .unwrap();
        assert_eq!(tcp.transport, Transport::Tcp);
    }

    #[test]
    fn round_trip() {
        let line = "candidate:a+/1 2 udp 16777214 203.0.113.9 3478 typ relay raddr 198.51.100.7 rport 5000";
        let c = Candidate::parse(line).unwrap();
        assert_eq!(c.to_string(), line);
        assert_eq!(Candidate::parse(&c.to_string()).unwrap(), c);
    }

    #[test]
    fn errors_name_the_field_and_offset() {
        let e = |s| Candidate::parse(s).unwrap_err();
        assert_eq!(
            e("candidate:1 1 udp 1 x.local 5000 typ host"),
            CandidateError::HostName { offset: 20 }
        );
        assert_eq!(
            e("candidate:1 0 udp 1 192.0.2.1 5000 typ host"),
            CandidateError::Invalid {
                field: "component-id",
                offset: 12
            }
        );
        assert_eq!(
            e("candidate:1 1 sctp 1 192.0.2.1 5000 typ host"),
            CandidateError::Invalid {
                field: "transport",
                offset: 14
            }
        );
        assert_eq!(
            e("candidate:1 1 udp 1 192.0.2.1 70000 typ host"),
            CandidateError::Invalid {
                field: "port",
                offset: 30
            }
        );
        assert_eq!(
            e("candidate:1 1 udp 1 192.0.2.1 5000 typ"),
            CandidateError::Missing {
                field: "cand-type",
                offset: 38
            }
        );
        assert!(matches!(
            e("candidate:1 1 udp 1 192.0.2.1 5000 typ host raddr"),
            CandidateError::Missing { .. }
        ));
        assert!(matches!(
            e(""),
            CandidateError::Missing {
                field: "foundation",
                ..
            }
        ));
        assert!(matches!(
            e("candidate:1 1 udp 99999999999 192.0.2.1 1 typ host"),
            CandidateError::Invalid {
                field: "priority",
                ..
            }
        ));
    }
}
