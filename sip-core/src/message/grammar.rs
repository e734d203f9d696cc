//! Character classes of the RFC 3261 §25.1 grammar, as lookup tables.

#[allow(clippy::indexing_slicing)] // const context, i < 256 by the loop bound
const fn token_table() -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'-' | b'.' | b'!' | b'%' | b'*' | b'_' | b'+' | b'`' | b'\'' | b'~'
            );
        i += 1;
    }
    t
}

static TOKEN: [bool; 256] = token_table();

/// `token` character of §25.1.
#[inline]
#[must_use]
pub fn is_token_byte(b: u8) -> bool {
    TOKEN.get(usize::from(b)).copied().unwrap_or(false)
}

/// A non-empty `token` (§25.1).
#[inline]
#[must_use]
pub fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_token_byte)
}

/// Linear white space, including the CR/LF of folded lines (§25.1 LWS).
#[inline]
#[must_use]
pub const fn is_lws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Trims LWS (SP, HTAB and folding CR/LF) from both ends.
///
/// Byte-wise: LWS is ASCII, so every cut is a char boundary. Like `str::trim_matches`, text that
/// is all LWS gives the empty string at its start (offsets computed from the result rely on it).
#[inline]
#[must_use]
pub fn trim_lws(s: &str) -> &str {
    let b = s.as_bytes();
    let Some(start) = b.iter().position(|&c| !is_lws(c)) else {
        return s.get(..0).unwrap_or_default();
    };
    let end = b.iter().rposition(|&c| !is_lws(c)).map_or(start, |i| i + 1);
    s.get(start..end).unwrap_or_default()
}

/// Index of the first `b` in `s`, a word at a time ([`super::scan`]), where `str::find` would
/// go through a `char` pattern searcher.
#[inline]
#[must_use]
pub(crate) fn find_byte(s: &str, b: u8) -> Option<usize> {
    super::scan::find(s.as_bytes(), b)
}

/// `a` and `b` are equal ignoring ASCII case: [`str::eq_ignore_ascii_case`] with one test per
/// byte pair instead of two case conversions.
#[inline]
#[must_use]
pub(crate) fn eq_ignore_case(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(&x, &y)| {
            let d = x ^ y;
            d == 0 || (d == 0x20 && (x | 0x20).wrapping_sub(b'a') < 26)
        })
}

/// Splits `s` around its first `b` (an ASCII byte, so both halves are `str`s).
#[inline]
#[must_use]
pub(crate) fn split_once_byte(s: &str, b: u8) -> Option<(&str, &str)> {
    let i = find_byte(s, b)?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// Parses a non-empty run of ASCII digits into a `u32`, failing on overflow. Leading zeros are
/// allowed ("0068"), however many.
#[must_use]
pub fn parse_u32(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    // One pass; the value saturates just past u32::MAX so that long inputs cannot overflow.
    let mut v: u64 = 0;
    for b in s.bytes() {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = (v * 10 + u64::from(d)).min(1 << 32);
    }
    u32::try_from(v).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(parse_u32("0068"), Some(68));
        assert_eq!(parse_u32("4294967295"), Some(u32::MAX));
        assert_eq!(parse_u32("4294967296"), None);
        assert_eq!(parse_u32("000000000000000000001"), Some(1));
        assert_eq!(parse_u32(""), None);
        assert_eq!(parse_u32("-1"), None);
        assert_eq!(parse_u32("12a"), None);
        assert_eq!(parse_u32("99999999999999999999"), None);
        assert_eq!(parse_u32("99999999999999999999x"), None);
        assert_eq!(parse_u32("0000000000000000004294967295"), Some(u32::MAX));
    }

    #[test]
    fn tokens() {
        assert!(is_token("INVITE"));
        assert!(is_token("!interesting-Method0123456789_*+`.%indeed'~"));
        assert!(!is_token("a b"));
        assert!(!is_token(""));
        assert_eq!(trim_lws(" \r\n\tx \r\n"), "x");
        assert_eq!(trim_lws("x"), "x");
        let blank = " \t ";
        assert_eq!(trim_lws(blank).as_ptr(), blank.as_ptr());
        assert_eq!(split_once_byte("a:b:c", b':'), Some(("a", "b:c")));
        assert_eq!(find_byte("abc", b'z'), None);
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                assert_eq!(
                    eq_ignore_case(&[a], &[b]),
                    a.eq_ignore_ascii_case(&b),
                    "{a} {b}"
                );
            }
        }
        assert!(eq_ignore_case(b"BrAnCh", b"branch"));
        assert!(!eq_ignore_case(b"branc", b"branch"));
    }
}
