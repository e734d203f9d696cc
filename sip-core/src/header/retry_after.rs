//! `Retry-After` (RFC 3261 §20.33).

use super::error::{HeaderErrorKind, ParseResult};
use super::params::{split_params, Params};
use super::TypedHeader;
use crate::message::grammar::{parse_u32, trim_lws};
use crate::message::HeaderName;

/// `Retry-After: 18000 (in a meeting);duration=3600`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter<'a> {
    /// Seconds to wait.
    pub delta: u32,
    /// The comment, with its parentheses, if any.
    pub comment: Option<&'a str>,
    /// Parameters.
    pub params: Params<'a>,
}

impl<'a> RetryAfter<'a> {
    /// `duration` in seconds.
    #[must_use]
    pub fn duration(&self) -> Option<u32> {
        self.params.value("duration").and_then(parse_u32)
    }
}

impl<'a> TypedHeader<'a> for RetryAfter<'a> {
    const NAME: &'static str = super::known(HeaderName::RetryAfter);
    const COMPACT: Option<char> = HeaderName::RetryAfter.compact();
    const LIST: bool = false;
    fn parse(value: &'a str) -> ParseResult<Self> {
        let v = trim_lws(value);
        let digits = v.bytes().take_while(u8::is_ascii_digit).count();
        let delta =
            parse_u32(v.get(..digits).unwrap_or_default()).ok_or((HeaderErrorKind::Number, 0))?;
        let rest = trim_lws(v.get(digits..).unwrap_or_default());
        let (comment, rest) = if rest.starts_with('(') {
            let close = rest.rfind(')').ok_or((HeaderErrorKind::Token, digits))?;
            (
                rest.get(..=close),
                rest.get(close + 1..).unwrap_or_default(),
            )
        } else {
            (None, rest)
        };
        let (_, params) = split_params(rest);
        Ok(Self {
            delta,
            comment,
            params,
        })
    }
}
