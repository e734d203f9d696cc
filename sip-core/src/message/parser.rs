//! The header-section parser (RFC 3261 §7): start line, header fields (with folding), end of head.
//!
//! None of it allocates. The fast path, for a head within the first [`FAST_WINDOWS`] bytes that
//! are UTF-8: validate that window once, then one pass over its lines finds the empty line (bounded by
//! [`Limits`]) and indexes the header fields into caller storage, and one branch-free scan of the
//! head looks for control characters and bare CRs. Otherwise (a longer head, or one that is not
//! UTF-8) three passes: find the empty line, check the head's text, index the fields. Both paths
//! report the same error for the same input: limits first, then the text rules, then the first
//! malformed line.

use super::error::{Error, ErrorKind};
use super::grammar::{is_lws, is_token_byte};
use super::header::Header;
use super::header_name::HeaderName;
use super::limits::Limits;
use super::start_line::{self, StartLine};

/// What [`parse_head`] found: everything before the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    let b = s.as_bytes();
    // Byte-wise: LWS is ASCII, so the cuts are char boundaries. All LWS: empty, at the end.
    let lead = b.iter().position(|&c| !is_lws(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|&c| !is_lws(c)).map_or(lead, |i| i + 1);
    (s.get(lead..end).unwrap_or_default(), off + lead)
}

/// Whether `head` may break the rules [`check_text`] enforces: a control character, or a CR that
/// does not start a CRLF. `lines` is how many lines it holds, each ending in LF, `crlf` how many
/// of them end in CRLF.
///
/// The common case is settled by counting the bytes below 0x20 and DEL: exactly one LF per line
/// and one CR per CRLF means there is no other (no HTAB either). Otherwise an exact, still
/// branch-free scan. Both vectorize; [`check_text`] then says which rule broke and where.
fn needs_text_check(head: &[u8], lines: usize, crlf: usize) -> bool {
    // Counted in byte lanes, a chunk at a time (a chunk of at most 255 bytes cannot overflow).
    let low: usize = head
        .chunks(128)
        .map(|c| {
            let mut n = 0u8;
            for &b in c {
                n += u8::from((b < 0x20) | (b == 0x7f));
            }
            usize::from(n)
        })
        .sum();
    if low == lines + crlf {
        return false;
    }
    let next = head.get(1..).unwrap_or_default();
    let mut bad = head.last().is_some_and(|&b| b == b'\r' || is_ctl(b));
    for (&b, &n) in head.iter().zip(next) {
        bad |= is_ctl(b) | ((b == b'\r') & (n != b'\n'));
    }
    bad
}

/// Fills caller storage with the header fields of one head, line by line (§7.3).
struct Indexer<'a, 's> {
    /// The text the lines are taken from; `base` is its offset in the input.
    text: &'a str,
    base: usize,
    storage: &'s mut [Header<'a>],
    max: usize,
    count: usize,
    /// Index in `text` of the value of the last header, while a continuation may follow.
    open: Option<usize>,
    /// Slot of the first Content-Length header, and how many there are.
    content_length_slot: Option<usize>,
    content_lengths: usize,
}

impl<'a> Indexer<'a, '_> {
    /// Indexes one header line (without its CRLF) that starts at `at` in `text`.
    // Inlined into both callers: once per header line, the call itself was a tenth of its cost.
    #[inline(always)]
    fn line(&mut self, line: &'a str, at: usize) -> Result<(), Error> {
        let base = self.base;
        let bytes = line.as_bytes();
        if bytes.first().is_some_and(|&b| b == b' ' || b == b'\t') {
            // §7.3.1: a continuation of the previous header's value.
            let line_end = at + line.len();
            let (Some(vstart), Some(h)) = (
                self.open,
                self.count
                    .checked_sub(1)
                    .and_then(|i| self.storage.get_mut(i)),
            ) else {
                return Err(Error::new(ErrorKind::Folding, base + at));
            };
            let name_at = h.offset as usize - base;
            let (v, voff) = trim_at(self.text.get(vstart..line_end).unwrap_or_default(), vstart);
            h.value = v;
            h.value_offset = to_u32(base + voff);
            h.raw = self.text.get(name_at..line_end).unwrap_or_default();
            return Ok(());
        }
        // §7.3.1, §25.1: `field-name HCOLON field-value`, HCOLON = *( SP / HTAB ) ":" SWS. One
        // scan over the name; a line that is not `token *(SP / HTAB) ":"` is refused below.
        let name_len = bytes
            .iter()
            .position(|&b| !is_token_byte(b))
            .unwrap_or(bytes.len());
        let colon = bytes
            .get(name_len..)
            .unwrap_or_default()
            .iter()
            .position(|&b| b != b' ' && b != b'\t')
            .map_or(bytes.len(), |i| name_len + i);
        if name_len == 0 || bytes.get(colon) != Some(&b':') {
            let kind = if memchr::memchr(b':', bytes).is_some() {
                ErrorKind::HeaderName
            } else {
                ErrorKind::MissingColon
            };
            return Err(Error::new(kind, base + at));
        }
        if self.count >= self.max {
            return Err(Error::new(ErrorKind::TooManyHeaders, base + at));
        }
        let name = line.get(..name_len).unwrap_or_default();
        let vstart = at + colon + 1;
        let (value, voff) = trim_at(line.get(colon + 1..).unwrap_or_default(), vstart);
        let id = HeaderName::parse(name);
        if id == HeaderName::ContentLength {
            self.content_length_slot.get_or_insert(self.count);
            self.content_lengths += 1;
        }
        if let Some(slot) = self.storage.get_mut(self.count) {
            *slot = Header {
                name,
                value,
                raw: line,
                offset: to_u32(base + at),
                value_offset: to_u32(base + voff),
                id,
            };
        }
        self.count += 1;
        self.open = Some(vstart);
        Ok(())
    }

    /// The Content-Length value and the offset of its header, once every line is in: every
    /// Content-Length must parse and agree (§20.14).
    fn content_length(&self) -> Result<Option<(usize, usize)>, Error> {
        let Some(first) = self.content_length_slot else {
            return Ok(None);
        };
        // Usually one: no need to look at the other headers again.
        let skip = if self.content_lengths == 1 { first } else { 0 };
        let mut content_length = None;
        for h in self
            .storage
            .iter()
            .take(self.count)
            .skip(skip)
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
        Ok(content_length)
    }
}

/// Bytes from the start line on that the fast path of [`parse_head`] validates as UTF-8 up front,
/// then at most: the head must end within them. The first covers the head of most messages
/// without validating much of a body (or, on a stream, of the messages after it); the second
/// covers any head of a message that fits an Ethernet-MTU datagram. A longer head (or one with
/// invalid UTF-8) takes the three-pass path.
const FAST_WINDOWS: [usize; 2] = [1024, 4096];

/// The longest prefix of `buf[..end]` that is UTF-8 (a window may cut a character, a body need
/// not be text).
fn utf8_prefix(buf: &[u8], end: usize) -> Option<&str> {
    let window = buf.get(..end)?;
    match core::str::from_utf8(window) {
        Ok(t) => Some(t),
        Err(e) => core::str::from_utf8(window.get(..e.valid_up_to())?).ok(),
    }
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
    match parse_head_fast(buf, start, storage, limits, FAST_WINDOWS) {
        Some(head) => head,
        None => parse_head_passes(buf, start, storage, limits),
    }
}

/// The fast path of [`parse_head`]; `None` when the head does not end within the UTF-8 prefix of
/// the `windows` ([`FAST_WINDOWS`]), for [`parse_head_passes`] to decide.
fn parse_head_fast<'a>(
    buf: &'a [u8],
    start: usize,
    storage: &mut [Header<'a>],
    limits: &Limits,
    windows: [usize; 2],
) -> Option<Result<Head<'a>, Error>> {
    let [short, long] = windows.map(|w| buf.len().min(start.saturating_add(w)));
    let mut window = short;
    let text = utf8_prefix(buf, window)?;
    let max = storage.len().min(limits.max_headers);
    let mut ix = Indexer {
        text,
        base: 0,
        storage,
        max,
        count: 0,
        open: None,
        content_length_slot: None,
        content_lengths: 0,
    };
    let mut start_line = None;
    // The first malformed line. Reported only once the limits and the text rules, which apply to
    // the whole head and so take precedence, are known to hold.
    let mut malformed = None;
    // Lines of the head, and how many of them end in CRLF (for `needs_text_check`).
    let (mut lines, mut crlf_lines) = (0, 0);
    let mut pos = start;
    let (head_end, body_offset) = loop {
        let rest = ix.text.get(pos..)?;
        let Some(nl) = memchr::memchr(b'\n', rest.as_bytes()) else {
            // The head goes on past the first window: validate the second one (from the start
            // again: a folded value may span both) and go on where we stopped.
            if window == long {
                return None;
            }
            window = long;
            ix.text = utf8_prefix(buf, window)?;
            continue;
        };
        let crlf = nl > 0 && rest.as_bytes().get(nl - 1) == Some(&b'\r');
        let content_len = nl - usize::from(crlf);
        if content_len > limits.max_line_len {
            return Some(Err(Error::new(ErrorKind::LineTooLong, pos)));
        }
        let next = pos + nl + 1;
        if next > limits.max_message_size {
            return Some(Err(Error::new(
                ErrorKind::TooLarge,
                limits.max_message_size,
            )));
        }
        if content_len == 0 && pos > start {
            break (pos, next);
        }
        lines += 1;
        crlf_lines += usize::from(crlf);
        if malformed.is_none() {
            let line = rest.get(..content_len).unwrap_or_default();
            let r = if pos == start {
                start_line::parse(line, start).map(|s| start_line = Some((s, line)))
            } else {
                ix.line(line, pos)
            };
            malformed = r.err();
        }
        pos = next;
    };
    let head = ix.text.get(start..head_end).unwrap_or_default();
    if needs_text_check(head.as_bytes(), lines, crlf_lines) {
        if let Err(e) = check_text(head.as_bytes(), start) {
            return Some(Err(e));
        }
    }
    if let Some(e) = malformed {
        return Some(Err(e));
    }
    let (first, start_raw) = start_line?;
    Some(ix.content_length().map(|content_length| Head {
        start: first,
        start_raw,
        start_offset: start,
        count: ix.count,
        body_offset,
        content_length,
    }))
}

/// [`parse_head`] in three passes over the head: find its end, check its text, index its lines.
fn parse_head_passes<'a>(
    buf: &'a [u8],
    start: usize,
    storage: &mut [Header<'a>],
    limits: &Limits,
) -> Result<Head<'a>, Error> {
    let (head_end, body_offset) = find_head_end(buf, start, limits)?;
    let head = check_text(buf.get(start..head_end).unwrap_or_default(), start)?;

    let mut lines = Lines { text: head, pos: 0 };
    let Some((first, _)) = lines.next() else {
        return Err(Error::new(ErrorKind::Empty, start));
    };
    let start_line = start_line::parse(first, start)?;
    let max = storage.len().min(limits.max_headers);
    let mut ix = Indexer {
        text: head,
        base: start,
        storage,
        max,
        count: 0,
        open: None,
        content_length_slot: None,
        content_lengths: 0,
    };
    for (line, at) in lines {
        ix.line(line, at)?;
    }
    Ok(Head {
        start: start_line,
        start_raw: first,
        start_offset: start,
        count: ix.count,
        body_offset,
        content_length: ix.content_length()?,
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

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;
    use alloc::vec::Vec;
    use alloc::{format, vec};
    use proptest::prelude::*;

    /// One line of a generated head, without its line ending: mostly well-formed header fields,
    /// and every kind of defect the parser must refuse (or tolerate) the same way on both paths.
    fn line() -> impl Strategy<Value = Vec<u8>> {
        let text = "[a-zA-Z0-9 <>@;=:/.,\"\\\\-]{0,24}";
        prop_oneof![
            8 => ("(Via|From|t|Call-ID|CSeq|X-Foo|Content-Length|l|Max-Forwards)", " {0,2}:", text)
                .prop_map(|(n, c, v)| format!("{n}{c}{v}").into_bytes()),
            2 => ("Content-Length|l", "[ 0-9a]{0,4}")
                .prop_map(|(n, v)| format!("{n}: {v}").into_bytes()),
            1 => "[ \t][a-z \t]{0,8}".prop_map(String::into_bytes),
            1 => text.prop_map(String::into_bytes),
            1 => (text, prop::collection::vec(
                    prop::sample::select(vec![0u8, 0x7f, b'\t', b'\r', b'"', b'\\', 0xc3, 0xa9, 0xff]), 1..3))
                .prop_map(|(t, mut odd)| {
                    let mut l = format!("X: {t}").into_bytes();
                    let at = l.len() / 2;
                    odd.extend_from_slice(&l.split_off(at));
                    l.extend(odd);
                    l
                }),
        ]
    }

    /// A whole message from lines, each with a generated line ending, then maybe the empty line
    /// and a body.
    fn message() -> impl Strategy<Value = Vec<u8>> {
        let ending = prop_oneof![
            12 => Just(&b"\r\n"[..]),
            1 => Just(&b"\n"[..]),
            1 => Just(&b"\r\r\n"[..]),
        ];
        let start = prop::sample::select(vec![
            &b"INVITE sip:a@b SIP/2.0"[..],
            b"SIP/2.0 200 OK",
            b"BAD",
            b"\r\nOPTIONS sip:x SIP/2.0",
        ]);
        (
            start,
            prop::collection::vec((line(), ending.clone()), 0..10),
            prop::option::weighted(0.9, ending),
            prop::collection::vec(any::<u8>(), 0..12),
        )
            .prop_map(|(start, lines, blank, body)| {
                let mut m = start.to_vec();
                m.extend_from_slice(b"\r\n");
                for (l, e) in lines {
                    m.extend(l);
                    m.extend_from_slice(e);
                }
                if let Some(e) = blank {
                    m.extend_from_slice(e);
                }
                m.extend(body);
                m
            })
    }

    fn limits() -> impl Strategy<Value = Limits> {
        (1usize..12, 4usize..64, 16usize..400).prop_map(|(h, l, m)| Limits {
            max_headers: h,
            max_line_len: l,
            max_message_size: m,
        })
    }

    /// The fast path gives what the three passes give: the same error, or the same head and
    /// the same header fields.
    fn same(buf: &[u8], limits: &Limits, windows: [usize; 2]) -> Result<(), TestCaseError> {
        let start = skip_leading_crlf(buf);
        if start == buf.len() {
            return Ok(());
        }
        let (mut a, mut b) = ([Header::EMPTY; 8], [Header::EMPTY; 8]);
        let Some(fast) = parse_head_fast(buf, start, &mut a, limits, windows) else {
            return Ok(());
        };
        let slow = parse_head_passes(buf, start, &mut b, limits);
        prop_assert_eq!(fast, slow);
        if let Ok(h) = fast {
            prop_assert_eq!(a.get(..h.count), b.get(..h.count));
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn fast_path_agrees_with_three_passes(m in message(), l in limits()) {
            same(&m, &l, FAST_WINDOWS)?;
            same(&m, &Limits::DEFAULT, FAST_WINDOWS)?;
        }

        /// Windows that end inside the head or cut a character grow or fall back, never differ.
        #[test]
        fn short_windows_agree(m in message(), w in 0usize..80, more in 0usize..80) {
            same(&m, &Limits::DEFAULT, [w, w + more])?;
        }
    }

    #[test]
    fn text_check_trigger_is_exact() {
        // Whatever `needs_text_check` lets through, `check_text` accepts.
        for head in [
            &b"A\r\nB: c\r\n"[..],
            b"A\r\nB:\tc\r\n",
            b"A\nB: c\n",
            b"A\r\nB: \"\\\x00\"\r\n",
            b"A\r\nB: c\rd\r\n",
            b"A\r\nB: c\x7f\r\n",
            b"A\r\nB: c\r",
        ] {
            let lines = head.iter().filter(|&&b| b == b'\n').count();
            let crlf = head.windows(2).filter(|w| w == b"\r\n").count();
            if !needs_text_check(head, lines, crlf) {
                assert!(check_text(head, 0).is_ok(), "{head:?}");
            }
            let exact = check_text(head, 0).is_ok();
            assert!(exact || needs_text_check(head, lines, crlf), "{head:?}");
        }
    }
}
