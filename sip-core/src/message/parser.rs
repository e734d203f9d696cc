//! The header-section parser (RFC 3261 §7): start line, header fields (with folding), end of head.
//!
//! Three linear passes over the head, none allocating: find the empty line (bounded by [`Limits`]),
//! check it is UTF-8 without control characters, then index the header fields into caller storage.

use super::error::{Error, ErrorKind};
use super::grammar::{is_lws, is_token};
use super::header::Header;
use super::header_name::HeaderName;
use super::limits::Limits;
use super::start_line::{self, StartLine};

/// What [`parse_head`] found: everything before the body.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Head<'a> {
    pub start: StartLine<'a>,
    pub start_raw: &'a str,
    pub start_offset: usize,
    pub count: usize,
    /// Offset of the first body byte (just past the empty line).
    pub body_offset: usize,
    /// Content-Length value and the offset of its header.
    pub content_length: Option<(usize, usize)>,
}

fn to_u32(x: usize) -> u32 {
    u32::try_from(x).unwrap_or(u32::MAX)
}

/// Offset of the first byte past the leading CRLFs that §7.5 says to ignore.
pub(crate) fn skip_leading_crlf(buf: &[u8]) -> usize {
    buf.iter()
        .position(|&b| b != b'\r' && b != b'\n')
        .unwrap_or(buf.len())
}

/// Finds the end of the header section: returns (end of last header line, offset of body).
fn find_head_end(buf: &[u8], start: usize, limits: &Limits) -> Result<(usize, usize), Error> {
    let mut pos = start;
    loop {
        let rest = buf.get(pos..).unwrap_or_default();
        let Some(nl) = memchr::memchr(b'\n', rest) else {
            if rest.len() > limits.max_line_len {
                return Err(Error::new(ErrorKind::LineTooLong, pos));
            }
            if buf.len() > limits.max_message_size {
                return Err(Error::new(ErrorKind::TooLarge, limits.max_message_size));
            }
            return Err(Error::new(ErrorKind::Incomplete, buf.len()));
        };
        let content_len = if nl > 0 && rest.get(nl - 1) == Some(&b'\r') {
            nl - 1
        } else {
            nl
        };
        if content_len > limits.max_line_len {
            return Err(Error::new(ErrorKind::LineTooLong, pos));
        }
        let next = pos + nl + 1;
        if next > limits.max_message_size {
            return Err(Error::new(ErrorKind::TooLarge, limits.max_message_size));
        }
        if content_len == 0 && pos > start {
            return Ok((pos, next));
        }
        pos = next;
    }
}

#[inline]
fn is_ctl(b: u8) -> bool {
    (b < 0x20 && b != b'\t' && b != b'\r' && b != b'\n') || b == 0x7f
}

/// Offset of the first control character that is not the escaped character of a quoted-pair.
///
/// §25.1 allows controls (NUL, BEL, DEL…) in one place only: `quoted-pair = "\" (%x00-09 /
/// %x0B-0C / %x0E-7F)` inside a quoted-string (RFC 4475 §3.1.1.2 puts `\<NUL>` in a display
/// name). A quote left open on one header line (an unknown header may hold a lone `"`) does not
/// carry over to the next header line; it does carry over a folded continuation line.
fn find_stray_ctl(bytes: &[u8]) -> Option<usize> {
    let mut quoted = false;
    let mut escape = false;
    let mut prev = b'\n';
    for (i, &b) in bytes.iter().enumerate() {
        if core::mem::take(&mut escape) && b != b'\r' && b != b'\n' {
            prev = b;
            continue;
        }
        if prev == b'\n' && b != b' ' && b != b'\t' {
            quoted = false;
        }
        if is_ctl(b) {
            return Some(i);
        }
        match b {
            b'"' => quoted = !quoted,
            b'\\' if quoted => escape = true,
            _ => {}
        }
        prev = b;
    }
    None
}

fn check_text(bytes: &[u8], base: usize) -> Result<&str, Error> {
    // Branch-free per chunk so the common, clean case vectorizes.
    let dirty = bytes
        .chunks(32)
        .any(|c| c.iter().fold(false, |acc, &b| acc | is_ctl(b)));
    if dirty {
        if let Some(at) = find_stray_ctl(bytes) {
            return Err(Error::new(ErrorKind::Control, base + at));
        }
    }
    // §7: every line of the head ends in CRLF; a CR anywhere else is not LWS and not TEXT.
    if let Some(at) = memchr::memchr_iter(b'\r', bytes).find(|&i| bytes.get(i + 1) != Some(&b'\n'))
    {
        return Err(Error::new(ErrorKind::BareCr, base + at));
    }
    core::str::from_utf8(bytes).map_err(|e| Error::new(ErrorKind::Utf8, base + e.valid_up_to()))
}

/// Trims LWS from `s`, which starts at `off`; returns the trimmed text and its offset.
fn trim_at(s: &str, off: usize) -> (&str, usize) {
    let t = s.trim_start_matches(|c: char| c.is_ascii() && is_lws(c as u8));
    let off = off + (s.len() - t.len());
    (
        t.trim_end_matches(|c: char| c.is_ascii() && is_lws(c as u8)),
        off,
    )
}

/// Parses the start line and header fields of `buf` into `storage`.
pub(crate) fn parse_head<'a>(
    buf: &'a [u8],
    storage: &mut [Header<'a>],
    limits: &Limits,
) -> Result<Head<'a>, Error> {
    let start = skip_leading_crlf(buf);
    if start == buf.len() {
        return Err(Error::new(ErrorKind::Empty, start));
    }
    let (head_end, body_offset) = find_head_end(buf, start, limits)?;
    let head = check_text(buf.get(start..head_end).unwrap_or_default(), start)?;
    let max = storage.len().min(limits.max_headers);

    let mut lines = Lines { text: head, pos: 0 };
    let Some((first, _)) = lines.next() else {
        return Err(Error::new(ErrorKind::Empty, start));
    };
    let start_line = start_line::parse(first, start)?;

    let mut count = 0usize;
    // (value start relative to head) of the header being built, for folding.
    let mut open: Option<usize> = None;
    for (line, at) in lines {
        let line_end = at + line.len();
        if line
            .as_bytes()
            .first()
            .is_some_and(|&b| b == b' ' || b == b'\t')
        {
            // §7.3.1: a continuation of the previous header's value.
            let (Some(vstart), Some(h)) =
                (open, count.checked_sub(1).and_then(|i| storage.get_mut(i)))
            else {
                return Err(Error::new(ErrorKind::Folding, start + at));
            };
            let name_at = h.offset as usize - start;
            let (v, voff) = trim_at(head.get(vstart..line_end).unwrap_or_default(), vstart);
            h.value = v;
            h.value_offset = to_u32(start + voff);
            h.raw = head.get(name_at..line_end).unwrap_or_default();
            continue;
        }
        let colon = memchr::memchr(b':', line.as_bytes())
            .ok_or(Error::new(ErrorKind::MissingColon, start + at))?;
        let name = line
            .get(..colon)
            .unwrap_or_default()
            .trim_end_matches([' ', '\t']);
        if !is_token(name) {
            return Err(Error::new(ErrorKind::HeaderName, start + at));
        }
        if count >= max {
            return Err(Error::new(ErrorKind::TooManyHeaders, start + at));
        }
        let vstart = at + colon + 1;
        let (value, voff) = trim_at(line.get(colon + 1..).unwrap_or_default(), vstart);
        if let Some(slot) = storage.get_mut(count) {
            *slot = Header {
                name,
                value,
                raw: line,
                offset: to_u32(start + at),
                value_offset: to_u32(start + voff),
                id: HeaderName::parse(name),
            };
        }
        count += 1;
        open = Some(vstart);
    }

    let mut content_length = None;
    for h in storage
        .iter()
        .take(count)
        .filter(|h| h.id == HeaderName::ContentLength)
    {
        let n = super::grammar::parse_u32(h.value).ok_or(Error::new(
            ErrorKind::ContentLength,
            h.value_offset as usize,
        ))? as usize;
        match content_length {
            Some((m, _)) if m != n => {
                return Err(Error::new(
                    ErrorKind::ContentLengthConflict,
                    h.offset as usize,
                ))
            }
            _ => content_length = Some((n, h.offset as usize)),
        }
    }
    Ok(Head {
        start: start_line,
        start_raw: first,
        start_offset: start,
        count,
        body_offset,
        content_length,
    })
}

/// Lines of the head (without their CR LF), with their offset in it.
struct Lines<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Iterator for Lines<'a> {
    type Item = (&'a str, usize);

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.text.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        let at = self.pos;
        let (line, adv) = match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(nl) => (rest.get(..nl)?, nl + 1),
            None => (rest, rest.len()),
        };
        self.pos += adv;
        Some((line.strip_suffix('\r').unwrap_or(line), at))
    }
}
