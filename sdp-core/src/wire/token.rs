//! The lexical pieces of RFC 8866 §9: space-separated fields, tokens and decimal integers.

use crate::error::ValueError;

/// Position of the first byte `b` (ASCII) in `s`; a plain loop beats a searcher on short fields.
#[inline]
pub(crate) fn find_byte(s: &str, b: u8) -> Option<usize> {
    s.bytes().position(|c| c == b)
}

/// Splits around the first ASCII byte `b`.
#[inline]
pub(crate) fn split_byte(s: &str, b: u8) -> Option<(&str, &str)> {
    let i = find_byte(s, b)?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// Iterates the pieces of `s` between ASCII bytes `b` (like `str::split`, without a searcher).
#[inline]
pub(crate) fn split_iter(s: &str, b: u8) -> SplitByte<'_> {
    SplitByte { rest: Some(s), b }
}

/// See [`split_iter`].
#[derive(Debug, Clone)]
pub(crate) struct SplitByte<'a> {
    rest: Option<&'a str>,
    b: u8,
}

impl<'a> Iterator for SplitByte<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        match split_byte(rest, self.b) {
            Some((a, r)) => {
                self.rest = Some(r);
                Some(a)
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

/// Splits at the first space: `(before, after)`; `after` is `None` when there is no space.
#[inline]
pub(crate) fn split_space(s: &str) -> (&str, Option<&str>) {
    match split_byte(s, b' ') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    }
}

/// Space-separated fields of a value, each with its byte offset.
#[derive(Debug, Clone)]
pub(crate) struct Fields<'a> {
    rest: &'a str,
    offset: usize,
}

impl<'a> Fields<'a> {
    #[inline]
    pub(crate) fn new(s: &'a str) -> Self {
        Self { rest: s, offset: 0 }
    }

    /// The next field (may be empty when spaces are doubled), or an error naming `field` when none is left.
    #[inline]
    pub(crate) fn field(&mut self, field: &'static str) -> Result<(&'a str, usize), ValueError> {
        self.next().ok_or(ValueError::field(self.offset, field))
    }

    /// The unconsumed remainder and its offset.
    #[inline]
    pub(crate) fn remainder(&self) -> (&'a str, usize) {
        (self.rest, self.offset)
    }

    /// True when every field has been consumed.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = (&'a str, usize);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let start = self.offset;
        match split_byte(self.rest, b' ') {
            Some((a, b)) => {
                self.rest = b;
                self.offset += a.len() + 1;
                Some((a, start))
            }
            None => {
                let a = self.rest;
                self.rest = "";
                self.offset += a.len();
                Some((a, start))
            }
        }
    }
}

/// Parses a non-empty run of ASCII digits into a `u64` without overflow.
#[inline]
pub(crate) fn parse_u64(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    let mut v: u64 = 0;
    for b in s.bytes() {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(d))?;
    }
    Some(v)
}

/// Parses a decimal `u32`.
#[inline]
pub(crate) fn parse_u32(s: &str) -> Option<u32> {
    parse_u64(s).and_then(|v| u32::try_from(v).ok())
}

/// Parses a decimal `u16`.
#[inline]
pub(crate) fn parse_u16(s: &str) -> Option<u16> {
    parse_u64(s).and_then(|v| u16::try_from(v).ok())
}

/// Parses a decimal `u8`.
#[inline]
pub(crate) fn parse_u8(s: &str) -> Option<u8> {
    parse_u64(s).and_then(|v| u8::try_from(v).ok())
}

#[allow(clippy::indexing_slicing)] // i < 256 by the loop bound
const fn token_table() -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = matches!(b, b'!' | b'#'..=b'\'' | b'*' | b'+' | b'-' | b'.' | b'0'..=b'9' | b'A'..=b'Z' | b'^'..=b'~');
        i += 1;
    }
    t
}

/// RFC 8866 §9 `token-char` by table.
static TOKEN: [bool; 256] = token_table();

/// RFC 8866 §9 `token-char`: visible ASCII except the tspecials.
#[inline]
#[allow(clippy::indexing_slicing)] // a u8 always indexes a 256-entry table
pub(crate) fn is_token_char(b: u8) -> bool {
    TOKEN[usize::from(b)]
}

/// True when `s` is a non-empty RFC 8866 `token`.
#[inline]
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().fold(true, |ok, b| ok & is_token_char(b))
}

/// True when `s` is non-empty visible ASCII or UTF-8 without spaces or controls (RFC 8866 `non-ws-string`).
#[inline]
pub(crate) fn is_non_ws(s: &str) -> bool {
    // A non-short-circuiting fold vectorises; inputs are short and usually valid.
    !s.is_empty() && s.bytes().fold(true, |ok, b| ok & (b > b' ') & (b != 0x7f))
}

/// Parses `int[.frac]` into thousandths (extra fractional digits are truncated).
#[inline]
pub(crate) fn parse_milli(s: &str) -> Option<u64> {
    let (int, frac) = match split_byte(s, b'.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let mut v = parse_u64(int)?.checked_mul(1000)?;
    if let Some(f) = frac {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut scale = 100;
        for b in f.bytes().take(3) {
            v = v.checked_add(u64::from(b - b'0') * scale)?;
            scale /= 10;
        }
    }
    Some(v)
}

/// RFC 8839 `ice-char`: `ALPHA / DIGIT / "+" / "/"`.
#[inline]
pub(crate) fn is_ice_chars(s: &str) -> bool {
    s.bytes().fold(true, |ok, b| {
        ok & (b.is_ascii_alphanumeric() | (b == b'+') | (b == b'/'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers() {
        assert_eq!(parse_u64("0"), Some(0));
        assert_eq!(parse_u64("18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64("18446744073709551616"), None);
        assert_eq!(parse_u64(""), None);
        assert_eq!(parse_u64("+1"), None);
        assert_eq!(parse_u16("65536"), None);
        assert_eq!(parse_u8("255"), Some(255));
    }

    #[test]
    fn milli_never_overflows() {
        assert_eq!(parse_milli("18446744073709551.999"), None);
        assert_eq!(parse_milli("18446744073709551.615"), Some(u64::MAX));
        assert_eq!(parse_milli("20.5"), Some(20_500));
        assert_eq!(parse_milli("20.1234"), Some(20_123));
    }

    #[test]
    fn fields_offsets() {
        assert!(Fields::new("a bb  c").eq([("a", 0), ("bb", 2), ("", 5), ("c", 6)]));
    }

    #[test]
    fn tokens() {
        assert!(is_token("UDP/TLS/RTP/SAVPF".split('/').next().unwrap()));
        assert!(!is_token("a b"));
        assert!(!is_token(""));
    }
}
