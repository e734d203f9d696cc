//! An owned session description for building and editing (needs `alloc`); it writes canonical CRLF.
//!
//! Lines are kept as `(type letter, value)` in order, so a description converted from a parsed view loses
//! nothing but its original line endings. Typed values from [`crate::attribute`] and [`crate::wire`]
//! implement `Display` and are added with [`Field::attribute`] / [`Field::new`].

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use crate::description::options::ParseOptions;
use crate::description::parse::LineSink;
use crate::description::SessionDescription;
use crate::error::{BufferTooSmall, ParseError};
use crate::wire::{MediaLine, Origin};

/// One `<type>=<value>` line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Field {
    /// The type letter.
    pub kind: char,
    /// The value after `=`.
    pub value: String,
}

impl Field {
    /// A line of type `kind` whose value is `value` formatted.
    #[must_use]
    pub fn new(kind: char, value: impl fmt::Display) -> Self {
        Self {
            kind,
            value: value.to_string(),
        }
    }

    /// A line of type `kind` whose value is `value`, copied without formatting.
    #[inline]
    fn copied(kind: char, value: &str) -> Self {
        Self {
            kind,
            value: String::from(value),
        }
    }

    /// An attribute line `a=<name>:<value>`.
    #[must_use]
    pub fn attribute(name: &str, value: impl fmt::Display) -> Self {
        let mut v = String::from(name);
        v.push(':');
        fmt::Write::write_fmt(&mut v, format_args!("{value}")).ok();
        Self {
            kind: 'a',
            value: v,
        }
    }

    /// A property attribute `a=<name>` (no value).
    #[must_use]
    pub fn flag(name: &str) -> Self {
        Self {
            kind: 'a',
            value: String::from(name),
        }
    }

    /// The attribute name, for `a=` lines.
    #[must_use]
    pub fn attribute_name(&self) -> Option<&str> {
        (self.kind == 'a').then(|| {
            self.value
                .split_once(':')
                .map_or(self.value.as_str(), |(n, _)| n)
        })
    }
}

/// One media section: the `m=` value and the lines after it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MediaSection {
    /// The value of the `m=` line.
    pub media_line: String,
    /// The lines after it, in order.
    pub fields: Vec<Field>,
}

impl MediaSection {
    /// A section for `media_line` with no other lines yet.
    #[must_use]
    pub fn new(media_line: &MediaLine<'_>) -> Self {
        Self {
            media_line: media_line.to_string(),
            fields: Vec::new(),
        }
    }

    /// Appends a line.
    pub fn push(&mut self, field: Field) -> &mut Self {
        self.fields.push(field);
        self
    }

    /// The parsed `m=` line.
    ///
    /// # Errors
    /// When the `m=` value was set to something malformed.
    pub fn parsed_media_line(&self) -> Result<MediaLine<'_>, crate::error::ValueError> {
        MediaLine::parse(&self.media_line)
    }
}

/// An owned session description.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Description {
    /// Session-level lines including `v=`, `o=`, `s=` and `t=`, in order.
    pub session: Vec<Field>,
    /// Media sections, in order.
    pub media: Vec<MediaSection>,
}

impl Description {
    /// A minimal description: `v=0`, the given `o=`, `s=-`, `t=0 0` (RFC 8829 §5.2.1 style).
    #[must_use]
    pub fn new(origin: &Origin<'_>) -> Self {
        Self {
            session: alloc::vec![
                Field::new('v', "0"),
                Field::new('o', origin),
                Field::new('s', "-"),
                Field::new('t', "0 0"),
            ],
            media: Vec::new(),
        }
    }

    /// Copies a parsed view; malformed lines kept by lenient parsing are dropped.
    #[must_use]
    pub fn from_view(view: &SessionDescription<'_>) -> Self {
        let mut d = Self {
            session: Vec::with_capacity(line_count(view.session_lines().remainder())),
            media: Vec::with_capacity(view.media_count()),
        };
        for l in view.session_lines() {
            if let Some(kind) = l.kind() {
                d.session.push(Field::copied(kind, l.value()));
            }
        }
        for m in view.media() {
            let mut lines = m.lines();
            let media_line = lines.next().map_or("", |l| l.value());
            let mut s = MediaSection {
                media_line: media_line_text(media_line, m.media_line()),
                fields: Vec::with_capacity(line_count(lines.remainder())),
            };
            for l in lines {
                if let Some(kind) = l.kind() {
                    s.fields.push(Field::copied(kind, l.value()));
                }
            }
            d.media.push(s);
        }
        d
    }

    /// Parses strictly and copies, in the same pass that validates (one owned string per line, no
    /// second reading of the input).
    ///
    /// # Errors
    /// As [`SessionDescription::parse`].
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        let mut b = Builder {
            d: Self::default(),
            buf: core::array::from_fn(|_| Field::copied('a', "")),
            len: 0,
            spill: Vec::new(),
            in_media: false,
        };
        crate::description::parse::parse(input, &ParseOptions::default(), &mut |_| {}, &mut b)?;
        b.flush();
        Ok(b.d)
    }

    /// Appends a session-level line.
    pub fn push(&mut self, field: Field) -> &mut Self {
        self.session.push(field);
        self
    }

    /// Length of the canonical CRLF serialization.
    #[must_use]
    pub fn serialized_len(&self) -> usize {
        let line = |f: &Field| f.kind.len_utf8() + 1 + f.value.len() + 2;
        self.session.iter().map(line).sum::<usize>()
            + self
                .media
                .iter()
                .map(|m| 4 + m.media_line.len() + m.fields.iter().map(line).sum::<usize>())
                .sum::<usize>()
    }

    /// Writes the canonical CRLF serialization into `out`, returning its length.
    ///
    /// # Errors
    /// [`BufferTooSmall`] when `out` is shorter than [`Description::serialized_len`].
    pub fn write_to(&self, out: &mut [u8]) -> Result<usize, BufferTooSmall> {
        let required = self.serialized_len();
        if out.len() < required {
            return Err(BufferTooSmall { required });
        }
        let mut w = SliceWriter { out, at: 0 };
        self.emit(&mut |s: &str| w.put(s));
        Ok(w.at)
    }

    /// The canonical CRLF serialization as a string, built in one allocation.
    #[must_use]
    pub fn to_sdp(&self) -> String {
        let mut s = String::with_capacity(self.serialized_len());
        self.emit(&mut |p: &str| s.push_str(p));
        s
    }

    fn emit(&self, put: &mut impl FnMut(&str)) {
        let mut kind = [0u8; 4];
        let mut line = |f: &Field, put: &mut dyn FnMut(&str)| {
            put(f.kind.encode_utf8(&mut kind));
            put("=");
            put(&f.value);
            put("\r\n");
        };
        for l in &self.session {
            line(l, put);
        }
        for m in &self.media {
            put("m=");
            put(&m.media_line);
            put("\r\n");
            for l in &m.fields {
                line(l, put);
            }
        }
    }
}

/// Number of lines of `text` (an upper bound of the fields it gives).
fn line_count(text: &str) -> usize {
    memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1
}

/// The owned text of an `m=` value: the value itself when it is already what
/// `MediaLine`'s `Display` writes (always, but for ports written with leading zeros), so the
/// usual case is one copy instead of formatting.
fn media_line_text(value: &str, line: &MediaLine<'_>) -> String {
    let digits = |mut n: u16| {
        let mut d = 1;
        while n >= 10 {
            n /= 10;
            d += 1;
        }
        d
    };
    // The fields are slices of `value` joined by single spaces; only a number can be written
    // longer than its canonical form, so equal lengths mean equal text.
    let canonical = line.media.len()
        + 1
        + digits(line.port)
        + line.num_ports.map_or(0, |n| 1 + digits(n))
        + 1
        + line.proto.len()
        + 1
        + line.formats_raw.len();
    if canonical == value.len() {
        String::from(value)
    } else {
        line.to_string()
    }
}

/// Fields a [`Builder`] holds on the stack before it moves them into a section's vector.
const BUFFERED: usize = 64;

/// Builds a [`Description`] from the lines of a strict parse as they are validated.
///
/// The fields of the open section wait in a stack buffer (then, past [`BUFFERED`], in a heap
/// vector) and move into a vector of exactly their number when the section ends: one
/// allocation per line and one per section, no growing and no scratch on the heap.
struct Builder {
    d: Description,
    buf: [Field; BUFFERED],
    len: usize,
    spill: Vec<Field>,
    in_media: bool,
}

impl Builder {
    /// Ends the open section (the session part or the last media section).
    fn flush(&mut self) {
        let held = self.buf.get_mut(..self.len).unwrap_or_default();
        let mut fields = Vec::with_capacity(held.len() + self.spill.len());
        fields.extend(
            held.iter_mut()
                .map(|f| core::mem::replace(f, Field::copied('a', ""))),
        );
        fields.append(&mut self.spill);
        self.len = 0;
        match self.d.media.last_mut() {
            Some(m) if self.in_media => m.fields = fields,
            _ => self.d.session = fields,
        }
    }
}

impl<'a> LineSink<'a> for Builder {
    #[inline]
    fn line(&mut self, kind: u8, value: &'a str) {
        let field = Field::copied(char::from(kind), value);
        match self.buf.get_mut(self.len) {
            Some(slot) => {
                *slot = field;
                self.len += 1;
            }
            None => self.spill.push(field),
        }
    }

    fn media(&mut self, value: &'a str, line: &MediaLine<'a>) {
        self.flush();
        self.in_media = true;
        self.d.media.push(MediaSection {
            media_line: media_line_text(value, line),
            fields: Vec::new(),
        });
    }
}

struct SliceWriter<'o> {
    out: &'o mut [u8],
    at: usize,
}

impl SliceWriter<'_> {
    fn put(&mut self, s: &str) {
        let end = self.at + s.len();
        if let Some(dst) = self.out.get_mut(self.at..end) {
            dst.copy_from_slice(s.as_bytes());
            self.at = end;
        }
    }
}

impl fmt::Display for Description {
    /// Canonical form: every line ends in CRLF (RFC 8866 §5).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut res = Ok(());
        self.emit(&mut |s: &str| {
            if res.is_ok() {
                res = f.write_str(s);
            }
        });
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribute::{Direction, Rtpmap};

    #[test]
    fn builds_canonical_crlf() {
        let o = Origin::parse("- 1 1 IN IP4 0.0.0.0").unwrap();
        let mut d = Description::new(&o);
        let ml = MediaLine::parse("audio 9 RTP/AVP 0").unwrap();
        let mut m = MediaSection::new(&ml);
        m.push(Field::new('c', "IN IP4 0.0.0.0"));
        m.push(Field::attribute(
            "rtpmap",
            Rtpmap {
                payload_type: 0,
                encoding: "PCMU",
                clock_rate: 8000,
                channels: None,
            },
        ))
        .push(Field::flag(Direction::SendOnly.as_str()));
        d.media.push(m);
        let s = d.to_string();
        assert_eq!(
            s,
            "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:0 PCMU/8000\r\na=sendonly\r\n"
        );
        assert_eq!(d.serialized_len(), s.len());
        let back = Description::parse(s.as_bytes()).unwrap();
        assert_eq!(back, d);
        let mut buf = [0u8; 8];
        assert_eq!(d.write_to(&mut buf).unwrap_err().required, s.len());
        assert_eq!(d.media[0].fields[1].attribute_name(), Some("rtpmap"));
    }

    #[test]
    fn parse_matches_a_copy_of_the_view() {
        // Ports written with leading zeros come out in `MediaLine`'s canonical form either way.
        for m in [
            "audio 9 RTP/AVP 0",
            "audio 09 RTP/AVP 0 8",
            "video 49170/2 RTP/AVP 31",
            "video 49170/02 RTP/AVP 31",
            "audio 00 RTP/AVP 0",
        ] {
            let text = alloc::format!(
                "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm={m}\r\na=sendonly\r\n\r\n"
            );
            let view = SessionDescription::parse(text.as_bytes()).unwrap();
            let owned = Description::parse(text.as_bytes()).unwrap();
            assert_eq!(owned, Description::from_view(&view), "{m}");
            let canonical = MediaLine::parse(m).unwrap().to_string();
            assert_eq!(owned.media[0].media_line, canonical);
            assert_eq!(owned.session.len(), 5);
            assert_eq!(owned.media[0].fields.len(), 1);
        }
    }
}
