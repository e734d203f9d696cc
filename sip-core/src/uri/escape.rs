//! `%HH` escapes (RFC 3261 §25.1 `escaped`, RFC 3986 §2.1): kept raw in views, decoded on demand.

/// Iterator over the bytes of `s` with `%HH` escapes decoded. A `%` not followed by two hex digits
/// is passed through unchanged (the RFC 4475 §3.1.1.5 case).
#[derive(Debug, Clone)]
pub struct Unescape<'a> {
    bytes: &'a [u8],
    pos: usize,
}

/// Decodes `%HH` escapes lazily; see [`Unescape`].
#[must_use]
pub fn unescape(s: &str) -> Unescape<'_> {
    Unescape {
        bytes: s.as_bytes(),
        pos: 0,
    }
}

/// The offset of the first `%` in `s` that does not start a `%HH` escape, if any. URI
/// components (§25.1 `escaped = "%" HEXDIG HEXDIG`) must not contain one: `sip:%zz@d` and
/// `;x=%` are not SIP URIs.
#[must_use]
pub fn bad_escape(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    b.iter().enumerate().find_map(|(i, &c)| {
        let ok = c != b'%'
            || (b.get(i + 1).copied().and_then(hex_val).is_some()
                && b.get(i + 2).copied().and_then(hex_val).is_some());
        (!ok).then_some(i)
    })
}

const fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

impl Iterator for Unescape<'_> {
    type Item = u8;

    fn next(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.pos)?;
        if b == b'%' {
            let hi = self.bytes.get(self.pos + 1).copied().and_then(hex_val);
            let lo = self.bytes.get(self.pos + 2).copied().and_then(hex_val);
            if let (Some(hi), Some(lo)) = (hi, lo) {
                self.pos += 3;
                return Some(hi << 4 | lo);
            }
        }
        self.pos += 1;
        Some(b)
    }
}

/// Decodes into a new byte vector.
#[cfg(feature = "alloc")]
#[must_use]
pub fn unescape_to_vec(s: &str) -> alloc::vec::Vec<u8> {
    unescape(s).collect()
}

/// Compares two strings after decoding escapes; `ignore_case` folds ASCII case.
#[must_use]
pub fn eq_unescaped(a: &str, b: &str, ignore_case: bool) -> bool {
    let mut x = unescape(a);
    let mut y = unescape(b);
    loop {
        match (x.next(), y.next()) {
            (None, None) => return true,
            (Some(p), Some(q)) if p == q || (ignore_case && p.eq_ignore_ascii_case(&q)) => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes() {
        assert!(unescape("sips%3Auser%40example.com").eq(b"sips:user@example.com".iter().copied()));
        assert!(unescape("null-%00-null").eq(b"null-\0-null".iter().copied()));
        assert!(unescape("100%").eq(b"100%".iter().copied()));
        assert!(unescape("%zz%4").eq(b"%zz%4".iter().copied()));
        assert!(eq_unescaped("%61lice", "alice", false));
        assert!(eq_unescaped("%41lice", "alice", true));
        assert!(!eq_unescaped("%41lice", "alice", false));
        assert_eq!(bad_escape("a%41b"), None);
        assert_eq!(bad_escape("%zz"), Some(0));
        assert_eq!(bad_escape("ab%"), Some(2));
        assert_eq!(bad_escape("x%4"), Some(1));
    }
}
