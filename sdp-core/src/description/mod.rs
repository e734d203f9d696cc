//! The borrowed session description (RFC 8866 §5): validated in one pass, then read lazily.

mod media;
pub mod options;
pub(crate) mod parse;

use core::fmt;

pub use media::{Media, MediaIter};

use crate::attribute::{
    Attribute, AttributeValue, Direction, Fingerprint, Group, IceOptions, MsidSemantic, Setup,
};
use crate::error::{BufferTooSmall, ParseError, Warning};
use crate::wire::line::{LineEnding, Lines};
use crate::wire::{Bandwidth, Connection, Origin, Timing};
use options::ParseOptions;

/// A parsed session description borrowing its input.
///
/// Parsing validates every line once; accessors then read the input lazily without allocating. Lines,
/// their order, unknown lines and unknown attributes are all kept: [`SessionDescription::write_to`]
/// reproduces the input byte for byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionDescription<'a> {
    pub(crate) text: &'a str,
    pub(crate) line_ending: LineEnding,
    pub(crate) origin: Origin<'a>,
    pub(crate) session_name: &'a str,
    pub(crate) timing: Option<Timing>,
    pub(crate) session_end: usize,
    pub(crate) first_media_line: usize,
    pub(crate) media_count: usize,
    pub(crate) lenient: bool,
}

impl<'a> SessionDescription<'a> {
    /// Parses strictly with default [`Limits`](crate::Limits).
    ///
    /// # Errors
    /// The first malformed line, with its line and column.
    pub fn parse(input: &'a [u8]) -> Result<Self, ParseError> {
        parse::parse(input, &ParseOptions::default(), &mut |_| {}, &mut ())
    }

    /// Parses text strictly; see [`SessionDescription::parse`].
    ///
    /// # Errors
    /// The first malformed line, with its line and column.
    pub fn parse_str(input: &'a str) -> Result<Self, ParseError> {
        Self::parse(input.as_bytes())
    }

    /// Parses with explicit options; in lenient mode every problem stepped over is passed to `warn`.
    ///
    /// # Errors
    /// In strict mode the first malformed line; in lenient mode only a malformed `v=`, `o=`, `s=` or `m=`
    /// line, non-UTF-8 input, or an exceeded limit.
    pub fn parse_with(
        input: &'a [u8],
        options: &ParseOptions,
        mut warn: impl FnMut(Warning),
    ) -> Result<Self, ParseError> {
        parse::parse(input, options, &mut warn, &mut ())
    }

    /// The input text.
    #[must_use]
    pub const fn as_str(&self) -> &'a str {
        self.text
    }

    /// The line ending seen.
    #[must_use]
    pub const fn line_ending(&self) -> LineEnding {
        self.line_ending
    }

    /// `o=`.
    #[must_use]
    pub const fn origin(&self) -> &Origin<'a> {
        &self.origin
    }

    /// `s=`.
    #[must_use]
    pub const fn session_name(&self) -> &'a str {
        self.session_name
    }

    /// The first `t=`, if any (absent only in lenient mode).
    #[must_use]
    pub const fn timing(&self) -> Option<Timing> {
        self.timing
    }

    /// True when parsed in [`Mode::Lenient`](crate::Mode::Lenient).
    #[must_use]
    pub const fn is_lenient(&self) -> bool {
        self.lenient
    }

    /// Number of media sections.
    #[must_use]
    pub const fn media_count(&self) -> usize {
        self.media_count
    }

    /// Every line of the description, in order, including unknown and (lenient) malformed ones.
    #[must_use]
    pub fn lines(&self) -> Lines<'a> {
        Lines::new(self.text, 1)
    }

    /// The session-level lines (before the first `m=`).
    #[must_use]
    pub fn session_lines(&self) -> Lines<'a> {
        Lines::new(self.text.get(..self.session_end).unwrap_or(""), 1)
    }

    /// The media sections, in order.
    #[must_use]
    pub fn media(&self) -> MediaIter<'a> {
        MediaIter::new(
            self.text.get(self.session_end..).unwrap_or(""),
            self.first_media_line,
        )
    }

    /// The session-level attributes, in order.
    pub fn attributes(&self) -> impl Iterator<Item = Attribute<'a>> + Clone {
        attributes_of(self.session_lines())
    }

    /// The first session-level attribute named `name`.
    #[must_use]
    pub fn attribute(&self, name: &str) -> Option<Attribute<'a>> {
        self.attributes().find(|a| a.name == name)
    }

    /// The session-level attributes typed; malformed ones (lenient mode) are skipped.
    pub fn attribute_values(&self) -> impl Iterator<Item = AttributeValue<'a>> + Clone {
        attribute_values_of(self.session_lines())
    }

    /// Session-level `c=`.
    #[must_use]
    pub fn connection(&self) -> Option<Connection<'a>> {
        self.session_lines()
            .filter(|l| l.kind() == Some('c'))
            .find_map(|l| Connection::parse(l.value()).ok())
    }

    /// Session-level `b=` lines.
    pub fn bandwidths(&self) -> impl Iterator<Item = Bandwidth<'a>> + Clone {
        self.session_lines()
            .filter(|l| l.kind() == Some('b'))
            .filter_map(|l| Bandwidth::parse(l.value()).ok())
    }

    /// `a=group` lines (RFC 5888).
    pub fn groups(&self) -> impl Iterator<Item = Group<'a>> + Clone {
        self.attribute_values().filter_map(|v| match v {
            AttributeValue::Group(g) => Some(g),
            _ => None,
        })
    }

    /// The first `a=group:BUNDLE` (RFC 9143).
    #[must_use]
    pub fn bundle_group(&self) -> Option<Group<'a>> {
        self.groups().find(Group::is_bundle)
    }

    /// Session-level `a=ice-ufrag`.
    #[must_use]
    pub fn ice_ufrag(&self) -> Option<&'a str> {
        self.attribute_values().find_map(|v| match v {
            AttributeValue::IceUfrag(u) => Some(u),
            _ => None,
        })
    }

    /// Session-level `a=ice-pwd`.
    #[must_use]
    pub fn ice_pwd(&self) -> Option<&'a str> {
        self.attribute_values().find_map(|v| match v {
            AttributeValue::IcePwd(u) => Some(u),
            _ => None,
        })
    }

    /// Session-level `a=ice-options`.
    #[must_use]
    pub fn ice_options(&self) -> Option<IceOptions<'a>> {
        self.attribute_values().find_map(|v| match v {
            AttributeValue::IceOptions(o) => Some(o),
            _ => None,
        })
    }

    /// True when `a=ice-lite` is present.
    #[must_use]
    pub fn ice_lite(&self) -> bool {
        self.attribute("ice-lite").is_some()
    }

    /// Session-level `a=fingerprint`.
    #[must_use]
    pub fn fingerprint(&self) -> Option<Fingerprint<'a>> {
        self.attribute_values().find_map(|v| match v {
            AttributeValue::Fingerprint(f) => Some(f),
            _ => None,
        })
    }

    /// The session-level direction attribute, if any (RFC 8866 §6.7).
    #[must_use]
    pub fn direction(&self) -> Option<Direction> {
        self.attribute_values()
            .filter_map(|v| match v {
                AttributeValue::Direction(d) => Some(d),
                _ => None,
            })
            .last()
    }

    /// The direction of `media`: its own attribute, else the session-level one, else `sendrecv`.
    #[must_use]
    pub fn media_direction(&self, media: &Media<'a>) -> Direction {
        media
            .explicit_direction()
            .or_else(|| self.direction())
            .unwrap_or_default()
    }

    /// Session-level `a=setup` (RFC 4145 §4 allows it there).
    #[must_use]
    pub fn setup(&self) -> Option<Setup> {
        self.attribute_values().find_map(|v| match v {
            AttributeValue::Setup(s) => Some(s),
            _ => None,
        })
    }

    /// `a=msid-semantic`.
    #[must_use]
    pub fn msid_semantic(&self) -> Option<MsidSemantic<'a>> {
        self.attribute_values().find_map(|v| match v {
            AttributeValue::MsidSemantic(m) => Some(m),
            _ => None,
        })
    }

    /// Length of the serialized form.
    #[must_use]
    pub fn serialized_len(&self) -> usize {
        self.text.len()
    }

    /// Writes the description into `out`, every line with the ending it had, returning the number of
    /// bytes written: for a parsed description, exactly its input (line order, unknown lines and
    /// attributes, spacing and endings kept). The lines of a view are contiguous slices of the input, so
    /// writing them in order is a single copy.
    ///
    /// # Errors
    /// [`BufferTooSmall`] when `out` is shorter than [`SessionDescription::serialized_len`].
    pub fn write_to(&self, out: &mut [u8]) -> Result<usize, BufferTooSmall> {
        let required = self.serialized_len();
        let dst = out.get_mut(..required).ok_or(BufferTooSmall { required })?;
        dst.copy_from_slice(self.text.as_bytes());
        Ok(required)
    }
}

impl fmt::Display for SessionDescription<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for l in self.lines() {
            f.write_str(l.raw())?;
            f.write_str(l.ending())?;
        }
        Ok(())
    }
}

/// The typed values of the `a=` lines of `lines` (as `attributes_of(lines)` then
/// [`Attribute::parse`], recognising each name once); malformed ones are skipped.
pub(crate) fn attribute_values_of(
    lines: Lines<'_>,
) -> impl Iterator<Item = AttributeValue<'_>> + Clone {
    lines.filter(|l| l.kind() == Some('a')).filter_map(|l| {
        let (name, value, known) = crate::attribute::split_name(l.value()).ok()?;
        AttributeValue::parse_known(known, name, value, true).ok()
    })
}

/// The `a=` lines of `lines` whose names are tokens.
pub(crate) fn attributes_of(lines: Lines<'_>) -> impl Iterator<Item = Attribute<'_>> + Clone {
    lines
        .filter(|l| l.kind() == Some('a'))
        .filter_map(|l| Attribute::split(l.value(), l.number()).ok())
}
