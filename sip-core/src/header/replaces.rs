//! `Replaces` (RFC 3891 §6.1).

use super::error::{HeaderErrorKind, ParseResult};
use super::params::{split_params, Params};
use super::TypedHeader;
use crate::message::grammar::trim_lws;
use crate::message::HeaderName;

/// `Replaces: callid;to-tag=…;from-tag=…[;early-only]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replaces<'a> {
    /// Call-ID of the dialog to replace.
    pub call_id: &'a str,
    /// Parameters.
    pub params: Params<'a>,
}

impl<'a> Replaces<'a> {
    /// `to-tag`.
    #[must_use]
    pub fn to_tag(&self) -> Option<&'a str> {
        self.params.value("to-tag")
    }

    /// `from-tag`.
    #[must_use]
    pub fn from_tag(&self) -> Option<&'a str> {
        self.params.value("from-tag")
    }

    /// `early-only` flag.
    #[must_use]
    pub fn early_only(&self) -> bool {
        self.params.contains("early-only")
    }
}

impl<'a> TypedHeader<'a> for Replaces<'a> {
    const NAME: &'static str = super::known(HeaderName::Replaces);
    const COMPACT: Option<char> = HeaderName::Replaces.compact();
    const LIST: bool = false;
    fn parse(value: &'a str) -> ParseResult<Self> {
        let (c, params) = split_params(value);
        let call_id = trim_lws(c);
        if call_id.is_empty() {
            return Err((HeaderErrorKind::Empty, 0));
        }
        let r = Self { call_id, params };
        if r.to_tag().is_none() || r.from_tag().is_none() {
            return Err((HeaderErrorKind::Token, c.len()));
        }
        Ok(r)
    }
}
