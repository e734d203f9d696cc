//! `tel:` URIs (RFC 3966): the number and its parameters, borrowed.

use crate::header::params::Params;

/// A telephone URI: `tel:+1-201-555-0123;phone-context=…`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TelUri<'a> {
    /// The global (`+…`) or local number, visual separators kept.
    pub number: &'a str,
    /// Parameters after the number.
    pub params: Params<'a>,
}

impl<'a> TelUri<'a> {
    pub(crate) fn parse_after_scheme(rest: &'a str) -> Option<Self> {
        let (number, params) = rest.split_once(';').unwrap_or((rest, ""));
        let ok = !number.is_empty()
            && number.bytes().all(|b| {
                b.is_ascii_hexdigit() || matches!(b, b'+' | b'-' | b'.' | b'(' | b')' | b'*' | b'#')
            });
        ok.then_some(Self {
            number,
            params: Params::new(params),
        })
    }

    /// Whether the number is global (starts with `+`).
    #[must_use]
    pub fn is_global(&self) -> bool {
        self.number.starts_with('+')
    }
}
