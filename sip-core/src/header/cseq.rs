//! `CSeq` (RFC 3261 §20.16) and `RAck` (RFC 3262 §7.2).

use super::error::{HeaderErrorKind, ParseResult};
use super::{offset_in, TypedHeader};
use crate::message::grammar::{is_token, parse_u32, trim_lws};
use crate::message::{HeaderName, Method};

fn split_lws(s: &str) -> (&str, &str) {
    let s = trim_lws(s);
    match s.bytes().position(crate::message::grammar::is_lws) {
        Some(i) => (
            s.get(..i).unwrap_or_default(),
            trim_lws(s.get(i..).unwrap_or_default()),
        ),
        None => (s, ""),
    }
}

/// `CSeq: 314159 INVITE`. The number must be below 2³¹ (§8.1.1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CSeq<'a> {
    /// Sequence number.
    pub seq: u32,
    /// Method.
    pub method: Method<'a>,
}

impl<'a> TypedHeader<'a> for CSeq<'a> {
    const NAME: &'static str = super::known(HeaderName::CSeq);
    const COMPACT: Option<char> = HeaderName::CSeq.compact();
    const LIST: bool = false;

    fn parse(value: &'a str) -> ParseResult<Self> {
        let (num, method) = split_lws(value);
        let seq = parse_u32(num)
            .filter(|&n| n < 1 << 31)
            .ok_or((HeaderErrorKind::Number, offset_in(value, num)))?;
        if !is_token(method) {
            return Err((HeaderErrorKind::Token, offset_in(value, method)));
        }
        Ok(Self {
            seq,
            method: Method::from_token(method),
        })
    }
}

/// `RAck: 776656 1 INVITE` (RFC 3262 §7.2): the RSeq acknowledged and the CSeq of the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RAck<'a> {
    /// The RSeq being acknowledged.
    pub rseq: u32,
    /// CSeq number of the reliable response.
    pub cseq: u32,
    /// CSeq method of the reliable response.
    pub method: Method<'a>,
}

impl<'a> TypedHeader<'a> for RAck<'a> {
    const NAME: &'static str = super::known(HeaderName::RAck);
    const COMPACT: Option<char> = HeaderName::RAck.compact();
    const LIST: bool = false;

    fn parse(value: &'a str) -> ParseResult<Self> {
        let (r, rest) = split_lws(value);
        let rseq = parse_u32(r).ok_or((HeaderErrorKind::Number, offset_in(value, r)))?;
        let c = CSeq::parse(rest).map_err(|(k, at)| (k, at + offset_in(value, rest)))?;
        Ok(Self {
            rseq,
            cseq: c.seq,
            method: c.method,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cseq() {
        assert_eq!(
            CSeq::parse("0009\r\n  INVITE"),
            Ok(CSeq {
                seq: 9,
                method: Method::Invite
            })
        );
        assert_eq!(
            CSeq::parse("36893488147419103232 INVITE").map_err(|e| e.0),
            Err(HeaderErrorKind::Number)
        );
        assert_eq!(
            CSeq::parse("2147483648 INVITE").map_err(|e| e.0),
            Err(HeaderErrorKind::Number)
        );
        assert_eq!(
            CSeq::parse("1").map_err(|e| e.0),
            Err(HeaderErrorKind::Token)
        );
        assert_eq!(
            RAck::parse("776656 1 INVITE"),
            Ok(RAck {
                rseq: 776_656,
                cseq: 1,
                method: Method::Invite
            })
        );
    }
}
