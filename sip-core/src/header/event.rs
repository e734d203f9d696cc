//! `Event` and `Subscription-State` (RFC 6665 §8.2).

use super::error::{HeaderErrorKind, ParseResult};
use super::params::{split_params, Params};
use super::TypedHeader;
use crate::message::grammar::{is_token, parse_u32, trim_lws};
use crate::message::HeaderName;

/// `Event: dialog;id=1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event<'a> {
    /// Event package with template (`presence.winfo`).
    pub package: &'a str,
    /// Parameters.
    pub params: Params<'a>,
}

impl<'a> Event<'a> {
    /// The `id` parameter.
    #[must_use]
    pub fn id(&self) -> Option<&'a str> {
        self.params.value("id")
    }
}

impl<'a> TypedHeader<'a> for Event<'a> {
    const NAME: &'static str = super::known(HeaderName::Event);
    const COMPACT: Option<char> = HeaderName::Event.compact();
    const LIST: bool = false;
    fn parse(value: &'a str) -> ParseResult<Self> {
        let (p, params) = split_params(value);
        let package = trim_lws(p);
        if !is_token(package) {
            return Err((HeaderErrorKind::Token, 0));
        }
        Ok(Self { package, params })
    }
}

/// `Subscription-State: active;expires=600`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubscriptionState<'a> {
    /// `active`, `pending`, `terminated` or an extension.
    pub state: &'a str,
    /// Parameters.
    pub params: Params<'a>,
}

impl<'a> SubscriptionState<'a> {
    /// `expires` in seconds.
    #[must_use]
    pub fn expires(&self) -> Option<u32> {
        self.params.value("expires").and_then(parse_u32)
    }

    /// `reason` (`timeout`, `noresource`…).
    #[must_use]
    pub fn reason(&self) -> Option<&'a str> {
        self.params.value("reason")
    }

    /// `retry-after` in seconds.
    #[must_use]
    pub fn retry_after(&self) -> Option<u32> {
        self.params.value("retry-after").and_then(parse_u32)
    }
}

impl<'a> TypedHeader<'a> for SubscriptionState<'a> {
    const NAME: &'static str = super::known(HeaderName::SubscriptionState);
    const COMPACT: Option<char> = HeaderName::SubscriptionState.compact();
    const LIST: bool = false;
    fn parse(value: &'a str) -> ParseResult<Self> {
        let (s, params) = split_params(value);
        let state = trim_lws(s);
        if !is_token(state) {
            return Err((HeaderErrorKind::Token, 0));
        }
        Ok(Self { state, params })
    }
}
