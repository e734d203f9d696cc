//! The first line of a message: Request-Line (RFC 3261 §7.1) or Status-Line (§7.2).

use super::error::{Error, ErrorKind};
use super::grammar::{eq_ignore_case, is_token, split_once_byte};
use super::method::Method;
use super::scan;

/// A parsed start line, borrowed from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartLine<'a> {
    /// `Method SP Request-URI SP SIP-Version` (§7.1).
    Request {
        /// The method.
        method: Method<'a>,
        /// The Request-URI as written; parse it with [`crate::uri::Uri::parse`].
        uri: &'a str,
    },
    /// `SIP-Version SP Status-Code SP Reason-Phrase` (§7.2).
    Response {
        /// The status code, 100..=699.
        code: u16,
        /// The reason phrase (UTF-8, may be empty).
        reason: &'a str,
    },
}

fn is_sip_2_0(v: &str) -> bool {
    eq_ignore_case(v.as_bytes(), b"SIP/2.0")
}

/// Parses a start line (without its CRLF). `base` is its offset in the input, for errors.
pub(crate) fn parse(line: &str, base: usize) -> Result<StartLine<'_>, Error> {
    let b = line.as_bytes();
    if b.len() >= 4 && b.get(..4).is_some_and(|p| p.eq_ignore_ascii_case(b"SIP/")) {
        return parse_status(line, base);
    }
    let err = |kind, at: usize| Error::new(kind, base + at);
    let sp1 = b
        .iter()
        .position(|&c| c == b' ')
        .ok_or(err(ErrorKind::RequestLine, line.len()))?;
    let sp2 = b
        .iter()
        .rposition(|&c| c == b' ')
        .ok_or(err(ErrorKind::RequestLine, line.len()))?;
    let method = line.get(..sp1).unwrap_or_default();
    if !is_token(method) {
        return Err(err(ErrorKind::Method, 0));
    }
    if sp2 <= sp1 {
        return Err(err(ErrorKind::RequestLine, sp1));
    }
    let uri = line.get(sp1 + 1..sp2).unwrap_or_default();
    let version = line.get(sp2 + 1..).unwrap_or_default();
    if uri.is_empty() || scan::find2(uri.as_bytes(), b' ', b'\t').is_some() {
        return Err(err(ErrorKind::RequestLine, sp1 + 1));
    }
    if version.is_empty()
        || !version
            .as_bytes()
            .first()
            .is_some_and(u8::is_ascii_alphabetic)
    {
        return Err(err(ErrorKind::RequestLine, sp2 + 1));
    }
    if !is_sip_2_0(version) {
        return Err(err(ErrorKind::Version, sp2 + 1));
    }
    Ok(StartLine::Request {
        method: Method::from_token(method),
        uri,
    })
}

fn parse_status(line: &str, base: usize) -> Result<StartLine<'_>, Error> {
    let err = |kind, at: usize| Error::new(kind, base + at);
    let (version, rest) =
        split_once_byte(line, b' ').ok_or(err(ErrorKind::StatusLine, line.len()))?;
    if !is_sip_2_0(version) {
        return Err(err(ErrorKind::Version, 0));
    }
    let at = version.len() + 1;
    let code_str = rest.get(..3).ok_or(err(ErrorKind::StatusLine, at))?;
    if !code_str.bytes().all(|c| c.is_ascii_digit()) {
        return Err(err(ErrorKind::StatusLine, at));
    }
    let code = code_str
        .bytes()
        .fold(0u16, |v, c| v * 10 + u16::from(c - b'0'));
    if !(100..=699).contains(&code) {
        return Err(err(ErrorKind::StatusLine, at));
    }
    let after = rest.get(3..).unwrap_or_default();
    // Forgiving: a missing SP before an empty reason phrase is accepted.
    let reason = match after.as_bytes().first() {
        None => "",
        Some(b' ') => after.get(1..).unwrap_or_default(),
        Some(_) => return Err(err(ErrorKind::StatusLine, at + 3)),
    };
    Ok(StartLine::Response { code, reason })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_and_status() {
        assert_eq!(
            parse("INVITE sip:a@b SIP/2.0", 0),
            Ok(StartLine::Request {
                method: Method::Invite,
                uri: "sip:a@b"
            })
        );
        assert_eq!(
            parse("SIP/2.0 180 Ringing", 0),
            Ok(StartLine::Response {
                code: 180,
                reason: "Ringing"
            })
        );
        assert_eq!(
            parse("SIP/2.0 100", 0),
            Ok(StartLine::Response {
                code: 100,
                reason: ""
            })
        );
        assert_eq!(
            parse("SIP/2.0 100 ", 0),
            Ok(StartLine::Response {
                code: 100,
                reason: ""
            })
        );
        assert_eq!(
            parse("INVITE sip:a@b SIP/7.0", 0).map_err(|e| e.kind),
            Err(ErrorKind::Version)
        );
        assert_eq!(
            parse("INVITE  sip:a@b  SIP/2.0", 0).map_err(|e| e.kind),
            Err(ErrorKind::RequestLine)
        );
        assert_eq!(
            parse("INVITE sip:a@b SIP/2.0 ", 0).map_err(|e| e.kind),
            Err(ErrorKind::RequestLine)
        );
        assert_eq!(
            parse("SIP/2.0 1000 x", 0).map_err(|e| e.kind),
            Err(ErrorKind::StatusLine)
        );
        assert_eq!(
            parse("SIP/2.0 099 x", 0).map_err(|e| e.kind),
            Err(ErrorKind::StatusLine)
        );
        assert_eq!(
            parse("SIP/2.0", 0).map_err(|e| e.kind),
            Err(ErrorKind::StatusLine)
        );
        assert_eq!(
            parse("", 0).map_err(|e| e.kind),
            Err(ErrorKind::RequestLine)
        );
    }
}
