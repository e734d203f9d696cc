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
#[inline]
#[must_use]
pub fn trim_lws(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_ascii() && is_lws(c as u8))
}

/// Parses a non-empty run of ASCII digits into a `u32`, failing on overflow.
#[must_use]
pub fn parse_u32(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Leading zeros are allowed ("0068"); skip them before bounding the length.
    let t = s.trim_start_matches('0');
    if t.len() > 10 {
        return None;
    }
    let v = t.bytes().fold(0u64, |v, b| v * 10 + u64::from(b - b'0'));
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
    }

    #[test]
    fn tokens() {
        assert!(is_token("INVITE"));
        assert!(is_token("!interesting-Method0123456789_*+`.%indeed'~"));
        assert!(!is_token("a b"));
        assert!(!is_token(""));
        assert_eq!(trim_lws(" \r\n\tx \r\n"), "x");
    }
}
