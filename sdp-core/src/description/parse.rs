//! The one-pass validator behind [`SessionDescription::parse_with`]: RFC 8866 §5 line grammar and order,
//! and every known attribute's grammar, without allocating.

use super::options::{Mode, ParseOptions};
use super::SessionDescription;
use crate::error::{ErrorKind, ParseError, ValueError, Warning};
use crate::wire::line::{LineEnding, Lines};
use crate::wire::{Bandwidth, Connection, MediaLine, Origin, Timing};

/// Column of byte 0 of a line's value (after `x=`), 1-based.
const VALUE_COLUMN: usize = 3;

struct Reporter<'w, W: FnMut(Warning)> {
    mode: Mode,
    warn: &'w mut W,
}

impl<W: FnMut(Warning)> Reporter<'_, W> {
    /// A recoverable problem: an error in strict mode, a warning in lenient mode.
    fn recoverable(&mut self, e: ParseError) -> Result<(), ParseError> {
        match self.mode {
            Mode::Strict => Err(e),
            Mode::Lenient => {
                (self.warn)(e);
                Ok(())
            }
        }
    }
}

/// Receives every accepted line of a strict parse, in order, while it is validated: the owned
/// model is built in the same pass instead of re-reading the view. `()` ignores them (the
/// borrowed parse), and the calls compile away.
pub(crate) trait LineSink<'a> {
    /// A line other than `m=`: its type letter and value.
    fn line(&mut self, kind: u8, value: &'a str);
    /// An `m=` line (a new media section): its value and the parsed fields.
    fn media(&mut self, value: &'a str, line: &MediaLine<'a>);
}

impl LineSink<'_> for () {
    #[inline(always)]
    fn line(&mut self, _: u8, _: &str) {}
    #[inline(always)]
    fn media(&mut self, _: &str, _: &MediaLine<'_>) {}
}

/// Marks a letter the RFC 8866 §5 order does not place.
const UNRANKED: u8 = u8::MAX;

/// Rank of each lowercase letter in `order`, [`UNRANKED`] for the others (built at compile time).
#[allow(clippy::indexing_slicing)] // `order` holds lowercase letters only, so every index is < 26
const fn rank_table(order: &[u8]) -> [u8; 26] {
    let mut t = [UNRANKED; 26];
    let mut i = 0;
    while i < order.len() {
        t[(order[i] - b'a') as usize] = i as u8;
        i += 1;
    }
    t
}

/// Ranks at session level (`v o s i u e p c b t r z k a`).
static SESSION_RANK: [u8; 26] = rank_table(b"vosiuepcbtrzka");
/// Ranks in a media section (`m i c b k a`).
static MEDIA_RANK: [u8; 26] = rank_table(b"micbka");

/// Rank of a line type in the RFC 8866 §5 order, at session level (`v o s i u e p c b t r z k a`)
/// or in a media section (`m i c b k a`); `None` for letters the grammar does not place
/// (unknown types are kept wherever they are).
#[inline]
fn rank(kind: u8, in_media: bool) -> Option<u8> {
    let table = if in_media { &MEDIA_RANK } else { &SESSION_RANK };
    let r = *table.get(usize::from(kind.wrapping_sub(b'a')))?;
    (r != UNRANKED).then_some(r)
}

/// Whether a line of rank `r` (of type `kind`) may follow a line of rank `last`: the order only
/// moves forward, but for the one step back the grammar has (a new time description, `t=` after
/// the `r=` lines of the last).
#[inline]
fn in_order(kind: u8, r: Option<u8>, last: Option<u8>, in_media: bool) -> bool {
    let (Some(r), Some(last)) = (r, last) else {
        return true;
    };
    r >= last || (!in_media && kind == b't' && rank(b'r', false) == Some(last))
}

fn at(line: usize, column: usize, e: ValueError) -> ParseError {
    ParseError::new(line, column + e.offset, e.kind)
}

fn utf8_error(input: &[u8], valid: usize) -> ParseError {
    let prefix = input.get(..valid).unwrap_or(&[]);
    let line = memchr::memchr_iter(b'\n', prefix).count() + 1;
    let col = valid - memchr::memrchr(b'\n', prefix).map_or(0, |p| p + 1) + 1;
    ParseError::new(line, col, ErrorKind::NotUtf8)
}

/// True when nothing but whitespace follows offset `pos`; `next_content` caches the answer's scan.
fn only_blank_after(text: &str, pos: usize, next_content: &mut usize) -> bool {
    if *next_content < pos {
        let rest = text.get(pos..).unwrap_or("");
        let blank = rest.len() - rest.trim_start_matches([' ', '\t', '\r', '\n']).len();
        *next_content = pos + blank;
    }
    *next_content >= text.len()
}

/// Checks the value of the `a=` line `n`: a token name, and the grammar of a known attribute.
#[inline]
fn check_attribute<W: FnMut(Warning)>(
    rep: &mut Reporter<'_, W>,
    n: usize,
    value: &str,
) -> Result<(), ParseError> {
    match crate::attribute::split_name(value) {
        Ok((name, value, Some(known))) => match crate::attribute::validate(known, value) {
            // The value starts after `<name>:`.
            Err(e) => rep.recoverable(at(n, VALUE_COLUMN + name.len() + 1, e)),
            Ok(()) => Ok(()),
        },
        Ok((_, _, None)) => Ok(()),
        Err(e) => rep.recoverable(at(n, VALUE_COLUMN, e)),
    }
}

pub(crate) fn parse<'a, W: FnMut(Warning), S: LineSink<'a>>(
    input: &'a [u8],
    opts: &ParseOptions,
    warn: &mut W,
    sink: &mut S,
) -> Result<SessionDescription<'a>, ParseError> {
    let text = core::str::from_utf8(input).map_err(|e| utf8_error(input, e.valid_up_to()))?;
    if text.trim_start_matches([' ', '\t', '\r', '\n']).is_empty() {
        return Err(ParseError::new(1, 1, ErrorKind::Empty));
    }
    let limits = opts.limits;
    let mut rep = Reporter {
        mode: opts.mode,
        warn,
    };
    let lines = Lines::new(text, 1);
    let mut pos = 0usize;
    let mut idx = 0usize; // index among accepted lines
    let mut origin = None;
    let mut session_name = "";
    let mut timing = None;
    let mut session_end = text.len();
    let mut first_media_line = 0usize;
    let mut media_count = 0usize;
    let mut in_media = false;
    let (mut crlf, mut lf) = (false, false);
    // RFC 8866 §5 order: the rank of the last placed line (starting over at each `m=`).
    let mut last_rank: Option<u8> = None;
    let mut last_kind = b'v';
    // RFC 8866 §5.7: `c=` at session level, or in every media section (checked at the end of each
    // section; `media_needs_c` holds the `m=` line of the open section still without one).
    let mut session_c = false;
    let mut media_needs_c: Option<usize> = None;
    let mut last_line = 0usize;
    // Offset of the next non-blank byte once looked up, so runs of blank lines are scanned once.
    let mut next_content = 0usize;
    // One scan of the whole input instead of one per line: lines are searched for NUL (RFC 8866
    // §9) only when the input holds one.
    let has_nul = memchr::memchr(0, input).is_some();

    for line in lines {
        let n = line.number();
        last_line = n;
        let start = pos;
        pos += line.raw().len() + line.ending().len();
        if n > limits.max_lines {
            return Err(ParseError::new(
                n,
                1,
                ErrorKind::TooManyLines {
                    limit: limits.max_lines,
                },
            ));
        }
        let raw = line.raw();
        if raw.len() > limits.max_line_len {
            return Err(ParseError::new(
                n,
                1,
                ErrorKind::LineTooLong {
                    limit: limits.max_line_len,
                },
            ));
        }
        match line.ending() {
            "\r\n" => crlf = true,
            "\n" => lf = true,
            _ => {}
        }
        let bytes = raw.as_bytes();
        let kind = match bytes {
            [k @ b'a'..=b'z', b'=', ..] => *k,
            [] | [b' ' | b'\t' | b'\r', ..]
                if raw.trim().is_empty() && only_blank_after(text, pos, &mut next_content) =>
            {
                // Trailing blank lines (common after a SIP body) are kept but not parsed.
                break;
            }
            _ => {
                let col = if matches!(bytes, [b'a'..=b'z', ..]) {
                    2
                } else {
                    1
                };
                rep.recoverable(ParseError::new(n, col, ErrorKind::BadLineSyntax))?;
                continue;
            }
        };
        if has_nul {
            if let Some(col) = memchr::memchr(0, bytes) {
                rep.recoverable(ParseError::new(n, col + 1, ErrorKind::Nul))?;
            }
        }
        let value = line.value();
        if kind == b'a' && idx >= 3 {
            // Most lines: an attribute after `v=`, `o=`, `s=`. `a=` ranks last at both levels,
            // so it is always in order; this is what the general path below does for it.
            idx += 1;
            last_rank = rank(b'a', in_media);
            last_kind = b'a';
            sink.line(kind, value);
            check_attribute(&mut rep, n, value)?;
            continue;
        }
        // RFC 8866 §5: v=, o=, s= come first, in this order.
        let expected = match idx {
            0 => Some(b'v'),
            1 => Some(b'o'),
            2 => Some(b's'),
            _ => None,
        };
        if let Some(e) = expected {
            if kind != e {
                return Err(ParseError::new(
                    n,
                    1,
                    ErrorKind::UnexpectedLine {
                        found: char::from(kind),
                        expected: char::from(e),
                    },
                ));
            }
        } else if matches!(kind, b'v' | b'o' | b's') {
            rep.recoverable(ParseError::new(
                n,
                1,
                ErrorKind::UnexpectedLine {
                    found: char::from(kind),
                    expected: if in_media { 'a' } else { 't' },
                },
            ))?;
            continue;
        }
        idx += 1;
        let r = rank(kind, in_media);
        if kind == b'm' {
            if let Some(m_line) = media_needs_c.take() {
                if !session_c {
                    rep.recoverable(ParseError::new(m_line, 1, ErrorKind::MissingConnection))?;
                }
            }
            last_rank = rank(b'm', true);
            last_kind = b'm';
        } else if !in_order(kind, r, last_rank, in_media) {
            rep.recoverable(ParseError::new(
                n,
                1,
                ErrorKind::OutOfOrder {
                    found: char::from(kind),
                    after: char::from(last_kind),
                },
            ))?;
        } else if r.is_some() {
            last_rank = r;
        }
        if r.is_some() {
            last_kind = kind;
        }
        if kind != b'm' {
            sink.line(kind, value);
        }
        match kind {
            b'v' if value != "0" => {
                return Err(ParseError::new(n, VALUE_COLUMN, ErrorKind::BadVersion));
            }
            b'o' => origin = Some(Origin::parse(value).map_err(|e| at(n, VALUE_COLUMN, e))?),
            b's' => {
                if value.is_empty() {
                    rep.recoverable(ParseError::new(
                        n,
                        VALUE_COLUMN,
                        ErrorKind::BadField {
                            field: "session name",
                        },
                    ))?;
                }
                session_name = value;
            }
            b'm' => {
                let media_line = MediaLine::parse(value).map_err(|e| at(n, VALUE_COLUMN, e))?;
                sink.media(value, &media_line);
                // A rejected section (port 0, RFC 3264 §6) carries no media: no `c=` needed.
                if media_line.port != 0 {
                    media_needs_c = Some(n);
                }
                media_count += 1;
                if media_count > limits.max_media {
                    return Err(ParseError::new(
                        n,
                        1,
                        ErrorKind::TooManyMedia {
                            limit: limits.max_media,
                        },
                    ));
                }
                if !in_media {
                    in_media = true;
                    session_end = start;
                    first_media_line = n;
                }
            }
            b'c' => {
                if in_media {
                    media_needs_c = None;
                } else {
                    session_c = true;
                }
                if let Err(e) = Connection::parse_inner(value, false) {
                    rep.recoverable(at(n, VALUE_COLUMN, e))?;
                }
            }
            b'b' => {
                if let Err(e) = Bandwidth::parse(value) {
                    rep.recoverable(at(n, VALUE_COLUMN, e))?;
                }
            }
            b't' | b'r' | b'z' | b'u' | b'e' | b'p' if in_media => {
                rep.recoverable(ParseError::new(
                    n,
                    1,
                    ErrorKind::NotInMedia {
                        found: char::from(kind),
                    },
                ))?;
            }
            b't' => match Timing::parse(value) {
                Ok(t) => {
                    timing.get_or_insert(t);
                }
                Err(e) => rep.recoverable(at(n, VALUE_COLUMN, e))?,
            },
            b'a' => check_attribute(&mut rep, n, value)?,
            // i=, k=, u=, e=, p=, r=, z= are free text here; unknown letters are kept untouched.
            _ => {}
        }
    }

    let origin = match origin {
        Some(o) if idx >= 3 => o,
        _ => {
            let missing = match idx {
                0 => 'v',
                1 => 'o',
                _ => 's',
            };
            return Err(ParseError::new(
                last_line + 1,
                1,
                ErrorKind::MissingLine { kind: missing },
            ));
        }
    };
    if timing.is_none() {
        let line = if in_media {
            first_media_line
        } else {
            last_line + 1
        };
        rep.recoverable(ParseError::new(
            line,
            1,
            ErrorKind::MissingLine { kind: 't' },
        ))?;
    }
    if let Some(m_line) = media_needs_c {
        if !session_c {
            rep.recoverable(ParseError::new(m_line, 1, ErrorKind::MissingConnection))?;
        }
    }
    let line_ending = match (crlf, lf) {
        (true, true) => LineEnding::Mixed,
        (false, true) => LineEnding::Lf,
        _ => LineEnding::CrLf,
    };
    Ok(SessionDescription {
        text,
        line_ending,
        origin,
        session_name,
        timing,
        session_end,
        first_media_line,
        media_count,
        lenient: opts.mode == Mode::Lenient,
    })
}
