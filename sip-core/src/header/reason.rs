//! `Reason` (RFC 3326 §2).

use super::error::{HeaderErrorKind, ParseResult};
use super::params::{split_params, Params};
use super::TypedHeader;
use crate::message::grammar::{is_token, parse_u32, trim_lws};
use crate::message::HeaderName;

/// `Reason: SIP ;cause=200 ;text="Call completed elsewhere"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reason<'a> {
    /// `SIP`, `Q.850` or another protocol.
    pub protocol: &'a str,
    /// Parameters.
    pub params: Params<'a>,
}

impl<'a> Reason<'a> {
    /// `cause`.
    #[must_use]
    pub fn cause(&self) -> Option<u32> {
        self.params.value("cause").and_then(parse_u32)
    }

    /// `text`, unquoted.
    #[must_use]
    pub fn text(&self) -> Option<&'a str> {
        self.params.value("text")
    }
}

impl<'a> TypedHeader<'a> for Reason<'a> {
    const NAME: &'static str = super::known(HeaderName::Reason);
    const COMPACT: Option<char> = HeaderName::Reason.compact();
    const LIST: bool = true;
    fn parse(value: &'a str) -> ParseResult<Self> {
        let (p, params) = split_params(value);
        let protocol = trim_lws(p);
        if !is_token(protocol) {
            return Err((HeaderErrorKind::Token, 0));
        }
        Ok(Self { protocol, params })
    }
}
