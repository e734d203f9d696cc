//! `m=` media descriptions (RFC 8866 §5.14).

use core::fmt;

use super::token::{is_token, is_token_char, parse_u16, Fields};
use crate::error::ValueError;

/// `m=<media> <port>[/<number of ports>] <proto> <fmt> …`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaLine<'a> {
    /// Media type: `audio`, `video`, `application`, `text`, `message`, …
    pub media: &'a str,
    /// Transport port; 0 rejects or disables the stream (RFC 3264 §6).
    pub port: u16,
    /// Number of ports, when given.
    pub num_ports: Option<u16>,
    /// Transport protocol, e.g. `UDP/TLS/RTP/SAVPF`.
    pub proto: &'a str,
    /// The formats as written, space separated; see [`MediaLine::formats`].
    pub formats_raw: &'a str,
}

impl<'a> MediaLine<'a> {
    /// Parses the value of an `m=` line.
    ///
    /// # Errors
    /// A [`ValueError`] at the malformed field.
    pub fn parse(value: &'a str) -> Result<Self, ValueError> {
        let mut f = Fields::new(value);
        let (media, o) = f.field("media type")?;
        if !is_token(media) {
            return Err(ValueError::field(o, "media type"));
        }
        let (port_s, o) = f.field("port")?;
        let (port_s, num_s) = match crate::wire::token::split_byte(port_s, b'/') {
            Some((p, n)) => (p, Some(n)),
            None => (port_s, None),
        };
        let port = parse_u16(port_s).ok_or(ValueError::field(o, "port"))?;
        let num_ports = match num_s {
            Some(n) => Some(
                parse_u16(n).ok_or(ValueError::field(o + port_s.len() + 1, "number of ports"))?,
            ),
            None => None,
        };
        let (proto, o) = f.field("proto")?;
        if !is_proto(proto) {
            return Err(ValueError::field(o, "proto"));
        }
        let (formats_raw, o) = f.remainder();
        if formats_raw.is_empty() || !is_format_list(formats_raw) {
            return Err(ValueError::field(o, "format list"));
        }
        Ok(Self {
            media,
            port,
            num_ports,
            proto,
            formats_raw,
        })
    }

    /// The formats (payload types for RTP), in preference order.
    pub fn formats(&self) -> impl Iterator<Item = &'a str> + Clone {
        crate::wire::token::split_iter(self.formats_raw, b' ')
    }

    /// True for the RTP profiles (`RTP/AVP`, `RTP/SAVPF`, `UDP/TLS/RTP/SAVPF`, …).
    #[must_use]
    pub fn is_rtp(&self) -> bool {
        crate::wire::token::split_iter(self.proto, b'/').any(|p| p == "RTP")
    }
}

/// True when `proto` is tokens joined by single `/` (`UDP/TLS/RTP/SAVPF`), checked in one pass:
/// no empty part, so no `/` first, last or doubled.
fn is_proto(proto: &str) -> bool {
    let mut part_empty = true;
    for b in proto.bytes() {
        if b == b'/' {
            if part_empty {
                return false;
            }
            part_empty = true;
        } else if is_token_char(b) {
            part_empty = false;
        } else {
            return false;
        }
    }
    !part_empty
}

/// True when every space-separated field of `formats` ([`Fields`]) is a `non-ws-string`, in one
/// pass: no whitespace or control but single spaces, none first. (A last space adds no field.)
fn is_format_list(formats: &str) -> bool {
    let mut field_empty = true;
    for b in formats.bytes() {
        if b == b' ' {
            if field_empty {
                return false;
            }
            field_empty = true;
        } else if b < b' ' || b == 0x7f {
            return false;
        } else {
            field_empty = false;
        }
    }
    true
}

impl fmt::Display for MediaLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.media, self.port)?;
        if let Some(n) = self.num_ports {
            write!(f, "/{n}")?;
        }
        write!(f, " {} {}", self.proto, self.formats_raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        let m = MediaLine::parse("audio 54609 UDP/TLS/RTP/SAVPF 111 63 9").unwrap();
        assert_eq!(m.port, 54609);
        assert!(m.formats().eq(["111", "63", "9"]));
        assert!(m.is_rtp());
        let m = MediaLine::parse("application 9 UDP/DTLS/SCTP webrtc-datachannel").unwrap();
        assert!(!m.is_rtp());
        let m = MediaLine::parse("video 49170/2 RTP/AVP 31").unwrap();
        assert_eq!(m.num_ports, Some(2));
    }

    #[test]
    fn one_pass_checks_match_the_field_split() {
        let pieces = ["", " ", "/", "0", "ab", "\t", "\u{e9}", "(", "  "];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let s = alloc::format!("{a}{b}{c}");
                    let split_proto =
                        !s.is_empty() && crate::wire::token::split_iter(&s, b'/').all(is_token);
                    assert_eq!(is_proto(&s), split_proto, "{s:?}");
                    let fields = Fields::new(&s).all(|(x, _)| crate::wire::token::is_non_ws(x));
                    assert_eq!(is_format_list(&s), fields, "{s:?}");
                }
            }
        }
    }

    #[test]
    fn rejects() {
        let e = MediaLine::parse("audio port RTP/AVP 0").unwrap_err();
        assert_eq!(e.offset, 6);
        assert!(MediaLine::parse("audio 9 RTP/AVP").is_err());
        assert!(MediaLine::parse("audio 70000 RTP/AVP 0").is_err());
        assert!(MediaLine::parse("audio 9 RTP/AVP 0  8").is_err());
    }
}
