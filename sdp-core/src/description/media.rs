//! Media sections (RFC 8866 §5.14): an `m=` line and the lines up to the next one.

use super::{attribute_values_of, attributes_of};
use crate::attribute::{
    Attribute, AttributeValue, Candidate, Crypto, Direction, Extmap, Fingerprint, Fmtp, IceOptions,
    Rid, RtcpFb, Rtpmap, Setup, Simulcast, Ssrc, SsrcGroup,
};
use crate::wire::line::Lines;
use crate::wire::{Bandwidth, Connection, MediaLine};

/// One media section, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Media<'a> {
    line: MediaLine<'a>,
    text: &'a str,
    first_line: usize,
    index: usize,
}

macro_rules! first_value {
    ($(#[$m:meta])* $name:ident, $variant:ident, $ty:ty) => {
        $(#[$m])*
        #[must_use]
        pub fn $name(&self) -> Option<$ty> {
            self.attribute_values().find_map(|v| match v {
                AttributeValue::$variant(x) => Some(x),
                _ => None,
            })
        }
    };
}

macro_rules! all_values {
    ($(#[$m:meta])* $name:ident, $variant:ident, $ty:ty) => {
        $(#[$m])*
        pub fn $name(&self) -> impl Iterator<Item = $ty> + Clone + 'a {
            self.attribute_values().filter_map(|v| match v {
                AttributeValue::$variant(x) => Some(x),
                _ => None,
            })
        }
    };
}

impl<'a> Media<'a> {
    /// The `m=` line.
    #[must_use]
    pub const fn media_line(&self) -> &MediaLine<'a> {
        &self.line
    }

    /// Media type (`audio`, `video`, `application`, …).
    #[must_use]
    pub const fn kind(&self) -> &'a str {
        self.line.media
    }

    /// Port of the `m=` line.
    #[must_use]
    pub const fn port(&self) -> u16 {
        self.line.port
    }

    /// 0-based index among the media sections.
    #[must_use]
    pub const fn index(&self) -> usize {
        self.index
    }

    /// The section's text, `m=` line included.
    #[must_use]
    pub const fn as_str(&self) -> &'a str {
        self.text
    }

    /// The section's lines, `m=` first.
    #[must_use]
    pub fn lines(&self) -> Lines<'a> {
        Lines::new(self.text, self.first_line)
    }

    /// The section's attributes, in order.
    pub fn attributes(&self) -> impl Iterator<Item = Attribute<'a>> + Clone + 'a {
        attributes_of(self.lines())
    }

    /// The first attribute named `name`.
    #[must_use]
    pub fn attribute(&self, name: &str) -> Option<Attribute<'a>> {
        self.attributes().find(|a| a.name == name)
    }

    /// True when an attribute named `name` is present.
    #[must_use]
    pub fn has_attribute(&self, name: &str) -> bool {
        self.attribute(name).is_some()
    }

    /// The attributes typed; malformed ones (lenient mode) are skipped.
    pub fn attribute_values(&self) -> impl Iterator<Item = AttributeValue<'a>> + Clone + 'a {
        attribute_values_of(self.lines())
    }

    /// `c=` of this section.
    #[must_use]
    pub fn connection(&self) -> Option<Connection<'a>> {
        self.lines()
            .filter(|l| l.kind() == Some('c'))
            .find_map(|l| Connection::parse(l.value()).ok())
    }

    /// `b=` lines of this section.
    pub fn bandwidths(&self) -> impl Iterator<Item = Bandwidth<'a>> + Clone + 'a {
        self.lines()
            .filter(|l| l.kind() == Some('b'))
            .filter_map(|l| Bandwidth::parse(l.value()).ok())
    }

    first_value!(
        /// `a=mid`.
        mid, Mid, &'a str
    );
    first_value!(
        /// `a=ice-ufrag` of this section.
        ice_ufrag, IceUfrag, &'a str
    );
    first_value!(
        /// `a=ice-pwd` of this section.
        ice_pwd, IcePwd, &'a str
    );
    first_value!(
        /// `a=ice-options` of this section.
        ice_options, IceOptions, IceOptions<'a>
    );
    first_value!(
        /// `a=fingerprint` of this section.
        fingerprint, Fingerprint, Fingerprint<'a>
    );
    first_value!(
        /// `a=setup`.
        setup, Setup, Setup
    );
    first_value!(
        /// `a=simulcast`.
        simulcast, Simulcast, Simulcast<'a>
    );
    first_value!(
        /// `a=sctp-port`.
        sctp_port, SctpPort, u16
    );
    first_value!(
        /// `a=max-message-size`.
        max_message_size, MaxMessageSize, u64
    );
    all_values!(
        /// `a=rtpmap` lines.
        rtpmaps, Rtpmap, Rtpmap<'a>
    );
    all_values!(
        /// `a=fmtp` lines.
        fmtps, Fmtp, Fmtp<'a>
    );
    all_values!(
        /// `a=rtcp-fb` lines.
        rtcp_fbs, RtcpFb, RtcpFb<'a>
    );
    all_values!(
        /// `a=extmap` lines.
        extmaps, Extmap, Extmap<'a>
    );
    all_values!(
        /// `a=candidate` lines.
        candidates, Candidate, Candidate<'a>
    );
    all_values!(
        /// `a=crypto` lines.
        cryptos, Crypto, Crypto<'a>
    );
    all_values!(
        /// `a=ssrc` lines.
        ssrcs, Ssrc, Ssrc<'a>
    );
    all_values!(
        /// `a=ssrc-group` lines.
        ssrc_groups, SsrcGroup, SsrcGroup<'a>
    );
    all_values!(
        /// `a=rid` lines.
        rids, Rid, Rid<'a>
    );

    /// The direction attribute of this section, `sendrecv` when absent (RFC 8866 §6.7); see
    /// [`SessionDescription::media_direction`](crate::SessionDescription::media_direction) for the
    /// session-level default.
    #[must_use]
    pub fn direction(&self) -> Direction {
        self.explicit_direction().unwrap_or_default()
    }

    /// The last direction attribute of this section, if any.
    #[must_use]
    pub fn explicit_direction(&self) -> Option<Direction> {
        self.attribute_values()
            .filter_map(|v| match v {
                AttributeValue::Direction(d) => Some(d),
                _ => None,
            })
            .last()
    }

    /// The `a=rtpmap` of payload type `pt`.
    #[must_use]
    pub fn rtpmap(&self, pt: u8) -> Option<Rtpmap<'a>> {
        self.rtpmaps().find(|r| r.payload_type == pt)
    }

    /// The `a=fmtp` of format `format`.
    #[must_use]
    pub fn fmtp(&self, format: &str) -> Option<Fmtp<'a>> {
        self.fmtps().find(|f| f.format == format)
    }

    /// True when `a=rtcp-mux` is present.
    #[must_use]
    pub fn rtcp_mux(&self) -> bool {
        self.has_attribute("rtcp-mux")
    }

    /// True when `a=bundle-only` is present (RFC 9143 §6).
    #[must_use]
    pub fn bundle_only(&self) -> bool {
        self.has_attribute("bundle-only")
    }

    /// True when `a=end-of-candidates` is present.
    #[must_use]
    pub fn end_of_candidates(&self) -> bool {
        self.has_attribute("end-of-candidates")
    }

    /// True when the section is rejected or disabled: port 0 without `a=bundle-only` (RFC 3264 §6, RFC 9143).
    #[must_use]
    pub fn is_rejected(&self) -> bool {
        self.line.port == 0 && !self.bundle_only()
    }
}

/// Iterator over the media sections; see [`SessionDescription::media`](crate::SessionDescription::media).
#[derive(Debug, Clone)]
pub struct MediaIter<'a> {
    rest: &'a str,
    line: usize,
    index: usize,
}

impl<'a> MediaIter<'a> {
    pub(super) const fn new(rest: &'a str, line: usize) -> Self {
        Self {
            rest,
            line,
            index: 0,
        }
    }
}

impl<'a> Iterator for MediaIter<'a> {
    type Item = Media<'a>;

    fn next(&mut self) -> Option<Media<'a>> {
        let bytes = self.rest.as_bytes();
        if !bytes.starts_with(b"m=") {
            return None;
        }
        let end = memchr::memmem::find(bytes.get(1..)?, b"\nm=").map_or(bytes.len(), |p| p + 2);
        let (text, rest) = self.rest.split_at_checked(end)?;
        let value = text.get(2..)?;
        let value = value.get(..memchr::memchr(b'\n', value.as_bytes()).unwrap_or(value.len()))?;
        let value = value.strip_suffix('\r').unwrap_or(value);
        let line = MediaLine::parse(value).ok()?;
        let m = Media {
            line,
            text,
            first_line: self.line,
            index: self.index,
        };
        self.line += memchr::memchr_iter(b'\n', text.as_bytes()).count();
        self.index += 1;
        self.rest = rest;
        Some(m)
    }
}
