//! Generic `;name[=value]` parameters (RFC 3261 §25.1 `generic-param`), used by most typed headers.

use crate::message::grammar::{is_lws, trim_lws};

/// A `;`-separated parameter list, borrowed. Names compare case-insensitively; values are raw
/// (quotes kept; see [`unquote`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Params<'a> {
    raw: &'a str,
}

impl<'a> Params<'a> {
    /// Wraps the text after the first `;` (or an empty string).
    #[must_use]
    pub const fn new(raw: &'a str) -> Self {
        Self { raw }
    }

    /// The parameter text as received.
    #[must_use]
    pub const fn as_str(&self) -> &'a str {
        self.raw
    }

    /// Iterates `(name, value)` pairs; `value` is `None` for a flag such as `lr` or `rport`.
    #[must_use]
    pub fn iter(&self) -> ParamIter<'a> {
        ParamIter { rest: self.raw }
    }

    /// Looks a parameter up: `None` if absent, `Some(None)` for a flag, `Some(Some(v))` with a value.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<Option<&'a str>> {
        self.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// The value of a parameter, unquoted; `None` if it is absent or a flag.
    #[must_use]
    pub fn value(&self, name: &str) -> Option<&'a str> {
        self.get(name).flatten().map(unquote)
    }

    /// Whether a parameter is present (flag or with value).
    #[must_use]
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// Iterator over the parameters of a [`Params`].
#[derive(Debug, Clone)]
pub struct ParamIter<'a> {
    rest: &'a str,
}

/// Byte index of the first `sep` outside a quoted string, or the length.
pub(crate) fn find_unquoted(s: &str, sep: &[u8]) -> usize {
    let (mut quoted, mut escape) = (false, false);
    for (i, b) in s.bytes().enumerate() {
        if escape {
            escape = false;
        } else if quoted {
            match b {
                b'\\' => escape = true,
                b'"' => quoted = false,
                _ => {}
            }
        } else if b == b'"' {
            quoted = true;
        } else if sep.contains(&b) {
            return i;
        }
    }
    s.len()
}

impl<'a> Iterator for ParamIter<'a> {
    type Item = (&'a str, Option<&'a str>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            let end = find_unquoted(self.rest, b";");
            let item = self.rest.get(..end).unwrap_or_default();
            self.rest = self.rest.get(end + 1..).unwrap_or_default();
            let item = trim_lws(item);
            if item.is_empty() {
                continue;
            }
            return Some(match item.split_once('=') {
                Some((n, v)) => (trim_lws(n), Some(trim_lws(v))),
                None => (item, None),
            });
        }
    }
}

/// Removes surrounding double quotes, if any. Quoted-pairs are kept raw (`\"` stays two bytes);
/// [`crate::header::quoted::unescape_quoted`] decodes them.
#[must_use]
pub fn unquote(s: &str) -> &str {
    s.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(s)
}

/// Splits `s` at its first `;` outside quotes: (head, params after the `;`).
#[must_use]
pub fn split_params(s: &str) -> (&str, Params<'_>) {
    let end = find_unquoted(s, b";");
    let head = s
        .get(..end)
        .unwrap_or_default()
        .trim_end_matches(|c: char| c.is_ascii() && is_lws(c as u8));
    (head, Params::new(s.get(end + 1..).unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params() {
        let p = Params::new(" branch = z9hG4bK1 ;rport; received=1.2.3.4;x=\"a;b\"");
        assert_eq!(p.get("BRANCH"), Some(Some("z9hG4bK1")));
        assert_eq!(p.get("rport"), Some(None));
        assert_eq!(p.value("x"), Some("a;b"));
        assert_eq!(p.get("maddr"), None);
        assert_eq!(p.iter().count(), 4);
        let (h, p) = split_params("SIP/2.0/UDP h ;branch=1");
        assert_eq!(h, "SIP/2.0/UDP h");
        assert_eq!(p.value("branch"), Some("1"));
    }
}
