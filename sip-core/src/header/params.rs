//! Generic `;name[=value]` parameters (RFC 3261 §25.1 `generic-param`), used by most typed headers.

use crate::message::grammar::{eq_ignore_case, is_lws, is_token, split_once_byte, trim_lws};
use crate::message::scan;

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
    #[inline] // so that the test on a constant `name` folds away
    pub fn get(&self, name: &str) -> Option<Option<&'a str>> {
        if is_token(name) {
            self.get_token(name)
        } else {
            // No parameter name can equal it but through the general path; keep its rules.
            self.iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        }
    }

    /// [`Params::get`] for a `name` that is a token (§25.1), as every parameter name is.
    fn get_token(&self, name: &str) -> Option<Option<&'a str>> {
        // `iter().find(…)` without splitting every item: compare `name` where the item starts,
        // and only scan on to the item's end (the next `;` outside quotes). A token holds no LWS,
        // `=`, `;` or `"`, so an item matches exactly when it is `name` followed by optional LWS
        // and then `=`, `;` or the end.
        let s = self.raw;
        let b = s.as_bytes();
        let mut pos = 0;
        while pos < b.len() {
            let lead = pos + skip_lws(b.get(pos..).unwrap_or_default());
            let after = lead + name.len();
            if b.get(lead..after)
                .is_some_and(|n| eq_ignore_case(n, name.as_bytes()))
            {
                let k = after + skip_lws(b.get(after..).unwrap_or_default());
                match b.get(k) {
                    Some(b'=') => {
                        let v = s.get(k + 1..).unwrap_or_default();
                        let v = v.get(..find_unquoted_byte(v, b';')).unwrap_or_default();
                        return Some(Some(trim_lws(v)));
                    }
                    None | Some(b';') => return Some(None),
                    Some(_) => {}
                }
            }
            pos = lead + find_unquoted_byte(s.get(lead..).unwrap_or_default(), b';') + 1;
        }
        None
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

/// [`find_unquoted`] for a single separator byte: jumps from one `sep` or `"` (the bytes that
/// matter outside a quoted-string) to the next, a word at a time.
pub(crate) fn find_unquoted_byte(s: &str, sep: u8) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(j) = scan::find2(b.get(i..).unwrap_or_default(), sep, b'"') {
        i += j;
        if b.get(i) == Some(&sep) {
            return i;
        }
        // §25.1 quoted-string: skip to the closing quote, past quoted-pairs.
        i += 1;
        loop {
            match b.get(i) {
                None => return b.len(),
                Some(b'"') => break,
                Some(b'\\') => i += 2,
                Some(_) => i += 1,
            }
        }
        i += 1;
    }
    b.len()
}

/// Number of LWS bytes at the start of `b`.
fn skip_lws(b: &[u8]) -> usize {
    b.iter().position(|&c| !is_lws(c)).unwrap_or(b.len())
}

impl<'a> Iterator for ParamIter<'a> {
    type Item = (&'a str, Option<&'a str>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            let end = find_unquoted_byte(self.rest, b';');
            let item = self.rest.get(..end).unwrap_or_default();
            self.rest = self.rest.get(end + 1..).unwrap_or_default();
            let item = trim_lws(item);
            if item.is_empty() {
                continue;
            }
            return Some(match split_once_byte(item, b'=') {
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
    let end = find_unquoted_byte(s, b';');
    let head = s.get(..end).unwrap_or_default();
    let head_len = head.bytes().rposition(|c| !is_lws(c)).map_or(0, |i| i + 1);
    let head = head.get(..head_len).unwrap_or_default();
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
        // `get` agrees with `iter().find(…)`, including on odd items.
        let p = Params::new(r#" ;=v; a = 1 ;"q=x";b;B=2;c="x;y";;  "#);
        let odd = Params::new(r#"ab=1;a b=2;a"x;y"=3;a;A  ;a =  ;v  =  "q;r" x ; w"#);
        for name in ["a", "ab", "v", "w", "x"] {
            let want = odd
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v);
            assert_eq!(odd.get(name), want, "{name:?}");
        }
        for name in ["", "a", "A", "b", "c", "\"q", "q", "x", "=v", "v", " a"] {
            let want = p
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v);
            assert_eq!(p.get(name), want, "{name:?}");
        }
        let (h, p) = split_params("SIP/2.0/UDP h ;branch=1");
        assert_eq!(h, "SIP/2.0/UDP h");
        assert_eq!(p.value("branch"), Some("1"));
    }
}
