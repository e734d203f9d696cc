//! The lexical pieces of RFC 8866 §9: space-separated fields, tokens and decimal integers.

use crate::error::ValueError;

/// `0x01` in every byte of a word.
const LO: u64 = 0x0101_0101_0101_0101;
/// `0x80` in every byte of a word.
const HI: u64 = 0x8080_8080_8080_8080;

/// Position of the first byte `b` (ASCII) in `s`: eight bytes per step (SWAR), then byte by byte;
/// cheaper than a searcher's setup on the short fields of SDP.
#[inline]
pub(crate) fn find_byte(s: &str, b: u8) -> Option<usize> {
    let bytes = s.as_bytes();
    let pattern = LO.wrapping_mul(u64::from(b));
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let x = u64::from_le_bytes(word) ^ pattern;
        // High bit set in the bytes of `x` that are zero; a borrow can only mark bytes above the
        // first zero byte, so the lowest mark is exact.
        let zero = x.wrapping_sub(LO) & !x & HI;
        if zero != 0 {
            return Some(base + (zero.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| c == b)
        .map(|i| base + i)
}

/// Position of the first byte of `s` that is whitespace or a control: `<= b' '` or DEL, the
/// bytes RFC 8866 `non-ws-string` excludes (UTF-8 bytes, `>= 0x80`, are allowed). Eight bytes
/// per step (SWAR), exact per byte: no step carries from one byte into the next.
#[inline]
pub(crate) fn find_ws_or_ctl(s: &str) -> Option<usize> {
    /// `0x7f` in every byte.
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let bytes = s.as_bytes();
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let x = u64::from_le_bytes(word);
        let t = x & LOW7;
        // Per byte (t <= 0x7f, so no carry): t + 0x5f has its high bit clear iff t <= 0x20,
        // t + 0x01 has it set iff t == 0x7f; bytes with their own high bit set are fine.
        let ws_or_ctl = (!t.wrapping_add(0x5f * LO) | t.wrapping_add(LO)) & !x & HI;
        if ws_or_ctl != 0 {
            return Some(base + (ws_or_ctl.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b <= b' ' || b == 0x7f)
        .map(|i| base + i)
}

/// True when `s` holds a control byte: below `0x20` (tab, CR and LF included) or DEL. Without
/// one, every space-free piece of `s` that is not empty is a `non-ws-string`. Eight bytes per
/// step (SWAR), exact per byte.
#[inline]
pub(crate) fn has_ctl(s: &str) -> bool {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let bytes = s.as_bytes();
    let mut chunks = bytes.chunks_exact(8);
    let mut found = 0;
    for chunk in &mut chunks {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let x = u64::from_le_bytes(word);
        let t = x & LOW7;
        // Per byte (t <= 0x7f, no carry): t + 0x60 has its high bit clear iff t < 0x20,
        // t + 0x01 has it set iff t == 0x7f; bytes with their own high bit set are not controls.
        found |= (!t.wrapping_add(0x60 * LO) | t.wrapping_add(LO)) & !x & HI;
    }
    found != 0 || chunks.remainder().iter().any(|&b| b < b' ' || b == 0x7f)
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
#[inline(always)]
pub(crate) fn parse_u64(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    if s.len() < 20 {
        // At most 19 digits: below 10^19 < u64::MAX, so no step can overflow.
        let mut v: u64 = 0;
        for b in s.bytes() {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            v = v * 10 + u64::from(d);
        }
        return Some(v);
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
static TOKEN_CHAR: [bool; 256] = token_table();

/// RFC 8866 §9 `token-char`: visible ASCII except the tspecials.
#[inline]
#[allow(clippy::indexing_slicing)] // a u8 always indexes a 256-entry table
pub(crate) fn is_token_char(b: u8) -> bool {
    TOKEN_CHAR[usize::from(b)]
}

/// True when `s` is a non-empty RFC 8866 `token`.
#[inline]
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().fold(true, |ok, b| ok & is_token_char(b))
}

/// True when `s` is non-empty visible ASCII or UTF-8 without spaces or controls (RFC 8866 `non-ws-string`).
#[inline]
pub(crate) fn is_non_ws(s: &str) -> bool {
    !s.is_empty() && find_ws_or_ctl(s).is_none()
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
    fn ws_or_ctl_every_byte_and_position() {
        for b in 0..=255u8 {
            let bad = b <= b' ' || b == 0x7f;
            for pos in 0..20 {
                let mut v = [b'x'; 20];
                v[pos] = b;
                // Any byte sequence: judge it as the bytes it is (the helper reads bytes only).
                let s = match core::str::from_utf8(&v) {
                    Ok(s) => s,
                    Err(_) => continue,
                };
                assert_eq!(find_ws_or_ctl(s), bad.then_some(pos), "{b:#x} at {pos}");
            }
        }
        let s = "\u{e9}\u{7f}\u{80}\u{ff}\u{100}abc\u{10ffff}";
        assert_eq!(find_ws_or_ctl(s), Some(2));
        assert_eq!(
            find_ws_or_ctl("\u{e9}\u{80}\u{ff}\u{100}abc\u{10ffff}xyz"),
            None
        );
        let tab = "\u{e9}\u{80}\u{ff}\u{100}abc\u{10ffff}xyz\t";
        assert_eq!(find_ws_or_ctl(tab), Some(tab.len() - 1));
    }

    #[test]
    fn has_ctl_every_byte_and_position() {
        for b in 0..=255u8 {
            let ctl = b < b' ' || b == 0x7f;
            for pos in 0..20 {
                let mut v = [b'x'; 20];
                v[pos] = b;
                let Ok(s) = core::str::from_utf8(&v) else {
                    continue;
                };
                assert_eq!(has_ctl(s), ctl, "{b:#x} at {pos}");
                assert!(!has_ctl(&s[..pos]));
            }
        }
        assert!(!has_ctl("\u{e9}\u{80}\u{ff}\u{100}abc \u{10ffff}xyz"));
        assert!(has_ctl("\u{e9}\u{80}\u{ff}\u{100}abc \u{10ffff}xy\u{9f}\t"));
    }

    #[test]
    fn find_byte_every_position() {
        let s = "abcdefghijklmnopqrstuvwxyz0123456789";
        for (i, c) in s.bytes().enumerate() {
            assert_eq!(find_byte(s, c), Some(i));
            assert_eq!(find_byte(&s[..i], c), None);
        }
        // A byte just above the searched one (borrow) and non-ASCII text around it.
        assert_eq!(find_byte("\u{e9}\u{e9}!! x", b' '), Some(6));
        assert_eq!(find_byte("!!!!!!!! ", b' '), Some(8));
        assert_eq!(find_byte("", b' '), None);
    }

    #[test]
    fn integers_every_length() {
        let mut s = alloc::string::String::new();
        for d in 1..=21 {
            s.push(char::from(b'0' + (d % 10) as u8));
            let want = s.parse::<u64>().ok();
            assert_eq!(parse_u64(&s), want, "{s}");
            let nines = "9".repeat(d as usize);
            assert_eq!(parse_u64(&nines), nines.parse::<u64>().ok(), "{nines}");
        }
    }

    /// Splitting at every space with `str::find`: each field, its offset, and the remainder
    /// after it.
    fn reference_fields(s: &str) -> alloc::vec::Vec<(&str, usize, &str)> {
        let (mut rest, mut offset) = (s, 0);
        let mut out = alloc::vec::Vec::new();
        while !rest.is_empty() {
            let start = offset;
            let field = match rest.find(' ') {
                Some(i) => {
                    let f = &rest[..i];
                    rest = &rest[i + 1..];
                    offset += i + 1;
                    f
                }
                None => {
                    let f = rest;
                    offset += rest.len();
                    rest = "";
                    f
                }
            };
            out.push((field, start, rest));
        }
        out
    }

    #[test]
    fn fields_match_a_plain_split() {
        // `Fields` finds spaces eight bytes at a time: fields across word boundaries included.
        let pieces = [
            "",
            " ",
            "a",
            "bb",
            "ccccccc",
            "\u{e9}",
            "  ",
            "0123456789",
            "!",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    for d in pieces {
                        let s = alloc::format!("{a}{b}{c}{d}");
                        let mut f = Fields::new(&s);
                        for (field, offset, rest) in reference_fields(&s) {
                            assert_eq!(f.next(), Some((field, offset)), "{s:?}");
                            assert_eq!(f.remainder(), (rest, s.len() - rest.len()), "{s:?}");
                            assert_eq!(f.is_empty(), rest.is_empty(), "{s:?}");
                        }
                        assert_eq!(f.next(), None, "{s:?}");
                        assert!(f.is_empty());
                        let e = f.field("x").unwrap_err();
                        assert_eq!(e.offset, s.len(), "{s:?}");
                    }
                }
            }
        }
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
