//! `quoted-string` (RFC 3261 §25.1): finding its end and decoding quoted-pairs.

/// Length of the quoted string at the start of `s` (including both quotes), or `None` if unterminated.
#[must_use]
pub fn quoted_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if b.first() != Some(&b'"') {
        return None;
    }
    let mut i = 1;
    while let Some(&c) = b.get(i) {
        match c {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Decodes quoted-pairs (`\"` → `"`) of the inside of a quoted string, lazily, as chars.
pub fn unescape_quoted(s: &str) -> impl Iterator<Item = char> + '_ {
    let mut it = s.chars();
    core::iter::from_fn(move || {
        let c = it.next()?;
        if c == '\\' {
            it.next()
        } else {
            Some(c)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted() {
        assert_eq!(quoted_len(r#""J Rosenberg \\\"" <x>"#), Some(18));
        assert_eq!(quoted_len(r#""abc"#), None);
        assert!(unescape_quoted(r#"J Rosenberg \\\""#).eq(r#"J Rosenberg \""#.chars()));
    }
}
