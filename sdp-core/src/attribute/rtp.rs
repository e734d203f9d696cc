//! RTP payload attributes: `rtpmap`, `fmtp` (RFC 8866 §6.6, §6.15), `rtcp` (RFC 3605), `rtcp-fb` (RFC 4585).

use core::fmt;

use crate::error::ValueError;
use crate::wire::token::{
    is_non_ws, is_token, parse_u16, parse_u32, parse_u8, split_space, Fields,
};

/// `a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rtpmap<'a> {
    /// RTP payload type, 0–127.
    pub payload_type: u8,
    /// Encoding name, e.g. `opus`, `VP8`, `telephone-event` (compare case-insensitively).
    pub encoding: &'a str,
    /// Clock rate in Hz.
    pub clock_rate: u32,
    /// Encoding parameters: the channel count for audio.
    pub channels: Option<u16>,
}

impl<'a> Rtpmap<'a> {
    /// Parses the attribute value.
    ///
    /// # Errors
    /// A [`ValueError`] at the malformed part.
    pub fn parse(v: &'a str) -> Result<Self, ValueError> {
        const A: &str = "rtpmap";
        let (pt, rest) = split_space(v);
        let payload_type = parse_u8(pt)
            .filter(|p| *p < 128)
            .ok_or(ValueError::attribute(0, A, "payload type"))?;
        let rest = rest.ok_or(ValueError::attribute(v.len(), A, "missing encoding"))?;
        let off = pt.len() + 1;
        let mut parts = crate::wire::token::split_iter(rest, b'/');
        let encoding = parts.next().unwrap_or("");
        if !is_token(encoding) {
            return Err(ValueError::attribute(off, A, "encoding name"));
        }
        let off = off + encoding.len() + 1;
        let clock = parts
            .next()
            .ok_or(ValueError::attribute(off, A, "missing clock rate"))?;
        let clock_rate = parse_u32(clock).ok_or(ValueError::attribute(off, A, "clock rate"))?;
        let off = off + clock.len() + 1;
        let channels = match parts.next() {
            Some(c) => {
                Some(parse_u16(c).ok_or(ValueError::attribute(off, A, "encoding parameters"))?)
            }
            None => None,
        };
        if parts.next().is_some() {
            return Err(ValueError::attribute(off, A, "trailing data"));
        }
        Ok(Self {
            payload_type,
            encoding,
            clock_rate,
            channels,
        })
    }
}

impl fmt::Display for Rtpmap<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}/{}",
            self.payload_type, self.encoding, self.clock_rate
        )?;
        if let Some(c) = self.channels {
            write!(f, "/{c}")?;
        }
        Ok(())
    }
}

/// `a=fmtp:<format> <format specific parameters>`; the parameters are kept raw and split on demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fmtp<'a> {
    /// The format (payload type for RTP) the parameters apply to.
    pub format: &'a str,
    /// The parameters as written.
    pub params: &'a str,
}

impl<'a> Fmtp<'a> {
    /// Parses the attribute value.
    ///
    /// # Errors
    /// A [`ValueError`] when the format is missing or not a token.
    pub fn parse(v: &'a str) -> Result<Self, ValueError> {
        let (format, params) = split_space(v);
        if !is_token(format) {
            return Err(ValueError::attribute(0, "fmtp", "format"));
        }
        Ok(Self {
            format,
            params: params.unwrap_or(""),
        })
    }

    /// The payload type, when the format is numeric.
    #[must_use]
    pub fn payload_type(&self) -> Option<u8> {
        parse_u8(self.format)
    }

    /// The `key=value` pairs separated by `;` (whitespace around them trimmed); a bare word has no value.
    pub fn parameters(&self) -> impl Iterator<Item = (&'a str, Option<&'a str>)> + Clone {
        fmtp_pairs(self.params)
    }

    /// The value of parameter `key` (case-insensitive), if present.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.parameters()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .and_then(|(_, v)| v)
    }
}

/// Splits `a=1;b=2; c` into pairs.
pub(crate) fn fmtp_pairs(s: &str) -> impl Iterator<Item = (&str, Option<&str>)> + Clone {
    crate::wire::token::split_iter(s, b';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| match crate::wire::token::split_byte(p, b'=') {
            Some((k, v)) => (k.trim(), Some(v.trim())),
            None => (p, None),
        })
}

impl fmt::Display for Fmtp<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.format, self.params)
    }
}

/// `a=rtcp:<port> [<nettype> <addrtype> <address>]` (RFC 3605).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rtcp<'a> {
    /// RTCP port.
    pub port: u16,
    /// Network type, address type and address, when given.
    pub address: Option<(&'a str, &'a str, &'a str)>,
}

impl<'a> Rtcp<'a> {
    /// Parses the attribute value.
    ///
    /// # Errors
    /// A [`ValueError`] at the malformed part.
    pub fn parse(v: &'a str) -> Result<Self, ValueError> {
        const A: &str = "rtcp";
        let mut f = Fields::new(v);
        let (p, _) = f.field("rtcp port")?;
        let port = parse_u16(p).ok_or(ValueError::attribute(0, A, "port"))?;
        if f.is_empty() {
            return Ok(Self {
                port,
                address: None,
            });
        }
        let (n, o1) = f.field("rtcp nettype")?;
        let (t, o2) = f.field("rtcp addrtype")?;
        let (a, o3) = f.field("rtcp address")?;
        if !is_token(n) {
            return Err(ValueError::attribute(o1, A, "nettype"));
        }
        if !is_token(t) {
            return Err(ValueError::attribute(o2, A, "addrtype"));
        }
        if !is_non_ws(a) || !f.is_empty() {
            return Err(ValueError::attribute(o3, A, "address"));
        }
        Ok(Self {
            port,
            address: Some((n, t, a)),
        })
    }
}

impl fmt::Display for Rtcp<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.port)?;
        if let Some((n, t, a)) = self.address {
            write!(f, " {n} {t} {a}")?;
        }
        Ok(())
    }
}

/// `a=rtcp-fb:<pt|*> <type> [<parameters>]` (RFC 4585 §4.2), e.g. `nack pli`, `ccm fir`, `transport-cc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtcpFb<'a> {
    /// The payload type, `None` for `*` (all formats).
    pub payload_type: Option<u8>,
    /// Feedback type: `ack`, `nack`, `trr-int`, `ccm`, `goog-remb`, `transport-cc`, …
    pub feedback: &'a str,
    /// The parameters after the type, as written.
    pub parameter: Option<&'a str>,
}

impl<'a> RtcpFb<'a> {
    /// Parses the attribute value.
    ///
    /// # Errors
    /// A [`ValueError`] at the malformed part.
    pub fn parse(v: &'a str) -> Result<Self, ValueError> {
        const A: &str = "rtcp-fb";
        let (pt, rest) = split_space(v);
        let payload_type = if pt == "*" {
            None
        } else {
            Some(parse_u8(pt).ok_or(ValueError::attribute(0, A, "payload type"))?)
        };
        let rest = rest.ok_or(ValueError::attribute(v.len(), A, "missing feedback type"))?;
        let (feedback, parameter) = split_space(rest);
        if !is_token(feedback) {
            return Err(ValueError::attribute(pt.len() + 1, A, "feedback type"));
        }
        Ok(Self {
            payload_type,
            feedback,
            parameter,
        })
    }
}

impl fmt::Display for RtcpFb<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.payload_type {
            Some(p) => write!(f, "{p} {}", self.feedback)?,
            None => write!(f, "* {}", self.feedback)?,
        }
        if let Some(p) = self.parameter {
            write!(f, " {p}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtpmap() {
        let r = Rtpmap::parse("111 opus/48000/2").unwrap();
        assert_eq!(
            (r.payload_type, r.encoding, r.clock_rate, r.channels),
            (111, "opus", 48000, Some(2))
        );
        assert!(Rtpmap::parse("128 x/1").is_err());
        assert!(Rtpmap::parse("96 VP8").is_err());
        assert_eq!(Rtpmap::parse("96 VP8/x").unwrap_err().offset, 7);
    }

    #[test]
    fn fmtp() {
        let f = Fmtp::parse(
            "102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f",
        )
        .unwrap();
        assert_eq!(f.get("packetization-mode"), Some("1"));
        assert_eq!(f.get("PROFILE-LEVEL-ID"), Some("42001f"));
        assert_eq!(f.parameters().count(), 3);
        let f = Fmtp::parse("101 0-16").unwrap();
        assert!(f.parameters().eq([("0-16", None)]));
    }

    #[test]
    fn rtcp_and_fb() {
        let r = Rtcp::parse("9 IN IP4 0.0.0.0").unwrap();
        assert_eq!(r.address, Some(("IN", "IP4", "0.0.0.0")));
        assert!(Rtcp::parse("9 IN IP4").is_err());
        let fb = RtcpFb::parse("96 nack pli").unwrap();
        assert_eq!(
            (fb.payload_type, fb.feedback, fb.parameter),
            (Some(96), "nack", Some("pli"))
        );
        assert_eq!(RtcpFb::parse("* trr-int 100").unwrap().payload_type, None);
        assert!(RtcpFb::parse("96").is_err());
    }
}
