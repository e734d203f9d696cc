//! `Content-Type` (RFC 3261 §20.15): media type and parameters.

use super::error::{HeaderErrorKind, ParseResult};
use super::params::{split_params, Params};
use super::TypedHeader;
use crate::message::grammar::{is_token, trim_lws};
use crate::message::HeaderName;

/// `Content-Type: application/sdp;charset=utf-8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentType<'a> {
    /// Top-level type (`application`).
    pub kind: &'a str,
    /// Subtype (`sdp`).
    pub subtype: &'a str,
    /// Parameters.
    pub params: Params<'a>,
}

impl ContentType<'_> {
    /// Case-insensitive match against `type/subtype`.
    #[must_use]
    pub fn is(&self, kind: &str, subtype: &str) -> bool {
        self.kind.eq_ignore_ascii_case(kind) && self.subtype.eq_ignore_ascii_case(subtype)
    }
}

impl<'a> TypedHeader<'a> for ContentType<'a> {
    const NAME: &'static str = super::known(HeaderName::ContentType);
    const COMPACT: Option<char> = HeaderName::ContentType.compact();
    const LIST: bool = false;

    fn parse(value: &'a str) -> ParseResult<Self> {
        let (head, params) = split_params(value);
        let (kind, subtype) = head
            .split_once('/')
            .ok_or((HeaderErrorKind::MediaType, 0))?;
        let (kind, subtype) = (trim_lws(kind), trim_lws(subtype));
        if !is_token(kind) || !is_token(subtype) {
            return Err((HeaderErrorKind::MediaType, 0));
        }
        Ok(Self {
            kind,
            subtype,
            params,
        })
    }
}
