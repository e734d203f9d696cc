//! Splitting list-valued headers on commas outside quoted strings and angle brackets (RFC 3261 §7.3.1).

use crate::message::grammar::trim_lws;

/// Iterator over the comma-separated elements of a header value, each LWS-trimmed, with its offset
/// in the value. Empty elements (`a,,b`) are skipped.
#[derive(Debug, Clone)]
pub struct ListIter<'a> {
    text: &'a str,
    pos: usize,
}

/// Splits `value` on commas that are outside `"…"` (with `\` escapes) and `<…>`.
#[must_use]
pub fn split_list(value: &str) -> ListIter<'_> {
    ListIter {
        text: value,
        pos: 0,
    }
}

impl<'a> Iterator for ListIter<'a> {
    type Item = (&'a str, usize);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let bytes = self.text.as_bytes();
            if self.pos >= bytes.len() {
                return None;
            }
            let start = self.pos;
            let mut i = start;
            let (mut quoted, mut angle, mut escape) = (false, false, false);
            while let Some(&b) = bytes.get(i) {
                if escape {
                    escape = false;
                } else if quoted {
                    match b {
                        b'\\' => escape = true,
                        b'"' => quoted = false,
                        _ => {}
                    }
                } else {
                    match b {
                        b'"' => quoted = true,
                        b'<' => angle = true,
                        b'>' => angle = false,
                        b',' if !angle => break,
                        _ => {}
                    }
                }
                i += 1;
            }
            self.pos = i + 1;
            let raw = self.text.get(start..i).unwrap_or_default();
            let t = trim_lws(raw);
            if t.is_empty() {
                continue;
            }
            let lead = raw.len()
                - raw
                    .trim_start_matches(|c: char| {
                        c.is_ascii() && crate::message::grammar::is_lws(c as u8)
                    })
                    .len();
            return Some((t, start + lead));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::split_list;
    use alloc::vec::Vec;

    #[test]
    fn splits_outside_quotes_and_brackets() {
        let v: Vec<_> = split_list(r#""A, \"x\"" <sip:a@b;x=1,2>;q=1 , <sip:c>,,  d"#)
            .map(|(s, _)| s)
            .collect();
        assert_eq!(v, [r#""A, \"x\"" <sip:a@b;x=1,2>;q=1"#, "<sip:c>", "d"]);
        let (_, off) = split_list("a,  b").nth(1).unwrap();
        assert_eq!(off, 4);
        assert_eq!(split_list(" ;;,,;;,;").count(), 3);
    }
}
