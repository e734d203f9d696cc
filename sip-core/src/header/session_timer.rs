//! `Session-Expires` and `Min-SE` (RFC 4028 §4, §5).

use super::error::{HeaderErrorKind, ParseResult};
use super::params::{split_params, Params};
use super::TypedHeader;
use crate::message::grammar::parse_u32;
use crate::message::HeaderName;

/// `Session-Expires: 1800;refresher=uac`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionExpires<'a> {
    /// Session interval in seconds.
    pub delta: u32,
    /// Parameters (`refresher`).
    pub params: Params<'a>,
}

impl<'a> SessionExpires<'a> {
    /// `refresher`: `uac` or `uas`.
    #[must_use]
    pub fn refresher(&self) -> Option<&'a str> {
        self.params.value("refresher")
    }
}

impl<'a> TypedHeader<'a> for SessionExpires<'a> {
    const NAME: &'static str = super::known(HeaderName::SessionExpires);
    const COMPACT: Option<char> = HeaderName::SessionExpires.compact();
    const LIST: bool = false;
    fn parse(value: &'a str) -> ParseResult<Self> {
        let (d, params) = split_params(value);
        let delta =
            parse_u32(crate::message::grammar::trim_lws(d)).ok_or((HeaderErrorKind::Number, 0))?;
        Ok(Self { delta, params })
    }
}

/// `Min-SE: 90`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinSe<'a> {
    /// Minimum session interval in seconds.
    pub delta: u32,
    /// Extension parameters.
    pub params: Params<'a>,
}

impl<'a> TypedHeader<'a> for MinSe<'a> {
    const NAME: &'static str = super::known(HeaderName::MinSe);
    const COMPACT: Option<char> = HeaderName::MinSe.compact();
    const LIST: bool = false;
    fn parse(value: &'a str) -> ParseResult<Self> {
        let (d, params) = split_params(value);
        let delta =
            parse_u32(crate::message::grammar::trim_lws(d)).ok_or((HeaderErrorKind::Number, 0))?;
        Ok(Self { delta, params })
    }
}
