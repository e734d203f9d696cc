//! Lines of a session description (RFC 8866 §5): `<type>=<value>` ended by CRLF, or LF alone.

/// The line ending seen in the input (RFC 8866 §5 mandates CRLF; parsers accept LF).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LineEnding {
    /// Every line ends in CRLF (or there is a single line without an ending).
    #[default]
    CrLf,
    /// Every line ends in a bare LF.
    Lf,
    /// Both endings occur.
    Mixed,
}

impl LineEnding {
    /// The bytes of this ending; `Mixed` is written as CRLF.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Lf => "\n",
            Self::CrLf | Self::Mixed => "\r\n",
        }
    }
}

/// One line of a description, borrowed from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    raw: &'a str,
    ending: &'a str,
    number: usize,
}

impl<'a> Line<'a> {
    /// The type letter (`v`, `o`, `a`, …), or `None` for a blank or malformed line (no ASCII letter and `=`).
    #[inline]
    #[must_use]
    pub fn kind(&self) -> Option<char> {
        match self.raw.as_bytes() {
            [k, b'=', ..] if k.is_ascii_alphabetic() => Some(char::from(*k)),
            _ => None,
        }
    }

    /// The text after `<type>=` (empty for a malformed line).
    #[inline]
    #[must_use]
    pub fn value(&self) -> &'a str {
        self.raw.get(2..).unwrap_or("")
    }

    /// The whole line without its ending.
    #[inline]
    #[must_use]
    pub const fn raw(&self) -> &'a str {
        self.raw
    }

    /// The ending of this line as it was in the input: `"\r\n"`, `"\n"` or `""` at end of input.
    #[inline]
    #[must_use]
    pub const fn ending(&self) -> &'a str {
        self.ending
    }

    /// 1-based line number in the input.
    #[inline]
    #[must_use]
    pub const fn number(&self) -> usize {
        self.number
    }
}

/// A lazy iterator over the lines of a text, endings kept; never allocates.
#[derive(Debug, Clone)]
pub struct Lines<'a> {
    rest: &'a str,
    number: usize,
}

impl<'a> Lines<'a> {
    /// Iterates over `text`, numbering lines from `first_number`.
    #[inline]
    #[must_use]
    pub const fn new(text: &'a str, first_number: usize) -> Self {
        Self {
            rest: text,
            number: first_number,
        }
    }

    /// The text not yet iterated.
    #[inline]
    #[must_use]
    pub const fn remainder(&self) -> &'a str {
        self.rest
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = Line<'a>;

    #[inline]
    fn next(&mut self) -> Option<Line<'a>> {
        if self.rest.is_empty() {
            return None;
        }
        let number = self.number;
        self.number += 1;
        let (line, ending, rest) = match memchr::memchr(b'\n', self.rest.as_bytes()) {
            Some(nl) => {
                let (with_cr, rest) = self.rest.split_at_checked(nl + 1)?;
                if with_cr.len() >= 2 && with_cr.as_bytes().get(nl.wrapping_sub(1)) == Some(&b'\r')
                {
                    let (l, e) = with_cr.split_at_checked(nl - 1)?;
                    (l, e, rest)
                } else {
                    let (l, e) = with_cr.split_at_checked(nl)?;
                    (l, e, rest)
                }
            }
            None => (self.rest, "", ""),
        };
        self.rest = rest;
        Some(Line {
            raw: line,
            ending,
            number,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endings_kept() {
        let mut it = Lines::new("v=0\r\no=x\ns=-", 1);
        let a = it.next().unwrap();
        assert_eq!(
            (a.raw(), a.ending(), a.number(), a.kind()),
            ("v=0", "\r\n", 1, Some('v'))
        );
        let b = it.next().unwrap();
        assert_eq!((b.value(), b.ending()), ("x", "\n"));
        let c = it.next().unwrap();
        assert_eq!((c.value(), c.ending(), c.number()), ("-", "", 3));
        assert!(it.next().is_none());
    }

    #[test]
    fn blank_and_malformed() {
        let mut it = Lines::new("\r\nx\n", 1);
        assert_eq!(it.next().unwrap().kind(), None);
        let l = it.next().unwrap();
        assert_eq!((l.kind(), l.value()), (None, ""));
    }
}
