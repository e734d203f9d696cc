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

/// Index of the comma that ends the element starting at `from`, or `bytes.len()`: the first
/// comma outside a quoted-string (where `\\` escapes the next byte) and outside `<…>`.
///
/// Jumps between the bytes that change state with `memchr`: a Via or Contact value is mostly
/// bytes that do not.
fn element_end(bytes: &[u8], from: usize) -> usize {
    let len = bytes.len();
    let mut i = from;
    // Inside `<…>`, where commas do not split; a quoted-string comes back to the same state.
    let mut in_angle = false;
    loop {
        let rest = bytes.get(i..).unwrap_or_default();
        let hit = if in_angle {
            memchr::memchr2(b'"', b'>', rest)
        } else {
            memchr::memchr3(b',', b'"', b'<', rest)
        };
        let Some(j) = hit else { return len };
        i += j;
        match bytes.get(i) {
            Some(b',') => return i,
            Some(b'<') => in_angle = true,
            Some(b'>') => in_angle = false,
            _ => {
                // A quoted-string (§25.1): up to the closing quote, skipping quoted-pairs.
                i += 1;
                loop {
                    let Some(k) = memchr::memchr2(b'"', b'\\', bytes.get(i..).unwrap_or_default())
                    else {
                        return len;
                    };
                    i += k;
                    if bytes.get(i) == Some(&b'"') {
                        break;
                    }
                    i += 2;
                }
            }
        }
        i += 1;
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
            let i = element_end(bytes, start);
            self.pos = i + 1;
            let raw = self.text.get(start..i).unwrap_or_default();
            let t = trim_lws(raw);
            if t.is_empty() {
                continue;
            }
            let lead = raw
                .bytes()
                .position(|c| !crate::message::grammar::is_lws(c))
                .unwrap_or(raw.len());
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
        // Quotes inside <…> still quote; `>` and `,` inside quotes do not count; an escaped quote
        // does not close; `>` outside <…> and a second `<` change nothing.
        let v: Vec<_> = split_list(r#"<sip:a"b,>"c>,d,"x\",y",e>f,<g<h,i>,j"#)
            .map(|(s, _)| s)
            .collect();
        assert_eq!(
            v,
            [r#"<sip:a"b,>"c>"#, "d", r#""x\",y""#, "e>f", "<g<h,i>", "j"]
        );
        // Unterminated quote or bracket: the rest is one element.
        let v: Vec<_> = split_list(r#"a,"b,c\"#).map(|(s, _)| s).collect();
        assert_eq!(v, ["a", r#""b,c\"#]);
        let v: Vec<_> = split_list("a,<b,c").map(|(s, _)| s).collect();
        assert_eq!(v, ["a", "<b,c"]);
    }
}
