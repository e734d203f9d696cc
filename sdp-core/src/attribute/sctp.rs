//! SCTP-over-DTLS attributes: `a=sctp-port`, `a=max-message-size` (RFC 8841 §5, §6) and the legacy
//! `a=sctpmap` (draft-ietf-mmusic-sctp-sdp-05).

use core::fmt;

use crate::error::ValueError;
use crate::wire::token::{is_token, parse_u16, parse_u32, Fields};

/// `a=sctpmap:<port> <app> [<max streams>]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sctpmap<'a> {
    /// SCTP port (also the format on the `m=` line).
    pub port: u16,
    /// Application, `webrtc-datachannel`.
    pub app: &'a str,
    /// Number of streams, when given.
    pub streams: Option<u32>,
}

impl<'a> Sctpmap<'a> {
    /// Parses the attribute value.
    ///
    /// # Errors
    /// A [`ValueError`] at the malformed part.
    pub fn parse(v: &'a str) -> Result<Self, ValueError> {
        const A: &str = "sctpmap";
        let mut f = Fields::new(v);
        let (p, o) = f.field("sctpmap port")?;
        let port = parse_u16(p).ok_or(ValueError::attribute(o, A, "port"))?;
        let (app, o) = f.field("sctpmap app")?;
        if !is_token(app) {
            return Err(ValueError::attribute(o, A, "app"));
        }
        let streams = match f.next() {
            Some((s, o)) => Some(parse_u32(s).ok_or(ValueError::attribute(o, A, "streams"))?),
            None => None,
        };
        if !f.is_empty() {
            return Err(ValueError::attribute(f.remainder().1, A, "trailing data"));
        }
        Ok(Self { port, app, streams })
    }
}

impl fmt::Display for Sctpmap<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.port, self.app)?;
        if let Some(s) = self.streams {
            write!(f, " {s}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sctpmap() {
        let s = Sctpmap::parse("5000 webrtc-datachannel 1024").unwrap();
        assert_eq!(
            (s.port, s.app, s.streams),
            (5000, "webrtc-datachannel", Some(1024))
        );
        assert!(Sctpmap::parse("5000").is_err());
        assert!(Sctpmap::parse("5000 x 1 2").is_err());
    }
}
