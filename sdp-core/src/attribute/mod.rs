//! `a=` attributes (RFC 8866 §5.13, §6): a borrowed name/value view and typed values parsed on demand.

pub mod candidate;
pub mod crypto;
pub mod direction;
pub mod dtls;
pub mod extmap;
pub mod grouping;
pub mod ice;
mod name;
pub mod rtp;
pub mod sctp;
pub mod simulcast;
pub mod ssrc;

use core::fmt;

use crate::error::{ErrorKind, ValueError};
use crate::wire::token::{parse_u16, parse_u64};

pub use candidate::{Candidate, CandidateType, TcpType};
pub use crypto::{Crypto, KeyParam, KeySalt, Lifetime, Mki};
pub use direction::{Decimal, Direction};
pub use dtls::{ConnectionRole, Fingerprint, Setup};
pub use extmap::Extmap;
pub use grouping::{Group, Msid, MsidSemantic};
pub use ice::IceOptions;
pub use rtp::{Fmtp, Rtcp, RtcpFb, Rtpmap};
pub use sctp::Sctpmap;
pub use simulcast::{Rid, RidDirection, Simulcast};
pub use ssrc::{Ssrc, SsrcGroup};

/// One `a=<name>[:<value>]` line, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attribute<'a> {
    /// The attribute name.
    pub name: &'a str,
    /// The value after `:`, if any (spacing kept as written).
    pub value: Option<&'a str>,
    /// 1-based line number in the description (0 for attributes not from a parse).
    pub line: usize,
}

impl<'a> Attribute<'a> {
    /// Splits the text after `a=`.
    ///
    /// # Errors
    /// A [`ValueError`] when the name is not a token.
    pub fn split(text: &'a str, line: usize) -> Result<Self, ValueError> {
        let (name, value) = split_at_colon(text);
        if !crate::wire::token::is_token(name) {
            return Err(ValueError::field(0, "attribute name"));
        }
        Ok(Self { name, value, line })
    }

    /// Byte offset of the value within the text after `a=`.
    #[must_use]
    pub fn value_offset(&self) -> usize {
        self.name.len() + 1
    }

    /// Parses the typed value; unknown attributes come back as [`AttributeValue::Other`].
    ///
    /// # Errors
    /// A [`ValueError`] (offset within the value) when a known attribute breaks its grammar.
    pub fn parse(&self) -> Result<AttributeValue<'a>, ValueError> {
        AttributeValue::parse(self.name, self.value)
    }
}

impl fmt::Display for Attribute<'_> {
    /// Writes the text after `a=`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)?;
        if let Some(v) = self.value {
            write!(f, ":{v}")?;
        }
        Ok(())
    }
}

/// The typed value of an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttributeValue<'a> {
    /// `a=rtpmap`.
    Rtpmap(Rtpmap<'a>),
    /// `a=fmtp`.
    Fmtp(Fmtp<'a>),
    /// `a=rtcp` (RFC 3605).
    Rtcp(Rtcp<'a>),
    /// `a=rtcp-fb` (RFC 4585).
    RtcpFb(RtcpFb<'a>),
    /// `a=rtcp-mux` (RFC 5761).
    RtcpMux,
    /// `a=rtcp-rsize` (RFC 5506).
    RtcpRsize,
    /// `a=extmap` (RFC 8285).
    Extmap(Extmap<'a>),
    /// `a=extmap-allow-mixed` (RFC 8285 §6).
    ExtmapAllowMixed,
    /// `a=ssrc` (RFC 5576).
    Ssrc(Ssrc<'a>),
    /// `a=ssrc-group` (RFC 5576).
    SsrcGroup(SsrcGroup<'a>),
    /// `a=msid` (RFC 8830).
    Msid(Msid<'a>),
    /// `a=msid-semantic` (pre-RFC 8830 WebRTC).
    MsidSemantic(MsidSemantic<'a>),
    /// `a=mid` (RFC 5888).
    Mid(&'a str),
    /// `a=group` (RFC 5888).
    Group(Group<'a>),
    /// `a=bundle-only` (RFC 9143).
    BundleOnly,
    /// `a=ice-ufrag` (RFC 8839).
    IceUfrag(&'a str),
    /// `a=ice-pwd` (RFC 8839).
    IcePwd(&'a str),
    /// `a=ice-options` (RFC 8839).
    IceOptions(IceOptions<'a>),
    /// `a=ice-lite` (RFC 8839).
    IceLite,
    /// `a=candidate` (RFC 8839).
    Candidate(Candidate<'a>),
    /// `a=end-of-candidates` (RFC 8840).
    EndOfCandidates,
    /// `a=fingerprint` (RFC 8122).
    Fingerprint(Fingerprint<'a>),
    /// `a=setup` (RFC 4145).
    Setup(Setup),
    /// `a=connection` (RFC 4145).
    Connection(ConnectionRole),
    /// `a=crypto` (RFC 4568).
    Crypto(Crypto<'a>),
    /// `a=sctp-port` (RFC 8841).
    SctpPort(u16),
    /// `a=max-message-size` (RFC 8841).
    MaxMessageSize(u64),
    /// `a=sctpmap` (legacy).
    Sctpmap(Sctpmap<'a>),
    /// `a=rid` (RFC 8851).
    Rid(Rid<'a>),
    /// `a=simulcast` (RFC 8853).
    Simulcast(Simulcast<'a>),
    /// `a=sendrecv`, `a=sendonly`, `a=recvonly`, `a=inactive`.
    Direction(Direction),
    /// `a=ptime` in milliseconds.
    Ptime(Decimal),
    /// `a=maxptime` in milliseconds.
    Maxptime(Decimal),
    /// `a=framerate` in frames per second.
    Framerate(Decimal),
    /// Any attribute this crate does not type.
    Other {
        /// Name.
        name: &'a str,
        /// Value as written.
        value: Option<&'a str>,
    },
}

fn flag<'a>(
    name: &'static str,
    value: Option<&str>,
    v: AttributeValue<'a>,
) -> Result<AttributeValue<'a>, ValueError> {
    match value {
        None => Ok(v),
        Some(_) => Err(ValueError::new(
            0,
            ErrorKind::UnexpectedValue { attribute: name },
        )),
    }
}

impl<'a> AttributeValue<'a> {
    /// Types an attribute from its name and value.
    ///
    /// # Errors
    /// A [`ValueError`] (offset within the value) when a known attribute breaks its grammar.
    pub fn parse(name: &'a str, value: Option<&'a str>) -> Result<Self, ValueError> {
        Self::parse_known(name::classify(name), name, value, true)
    }

    /// [`AttributeValue::parse`] of a name already recognised (`known`, from `name::classify`),
    /// leaving a candidate's `ip` unset unless `parse_ip`. Inlined into [`validate`], which drops
    /// the value, so that only the grammar checks remain there.
    #[inline(always)]
    pub(crate) fn parse_known(
        known: Option<name::Name>,
        name: &'a str,
        value: Option<&'a str>,
        parse_ip: bool,
    ) -> Result<Self, ValueError> {
        macro_rules! need {
            ($n:literal) => {
                match value {
                    Some(v) => v,
                    None => return Err(ValueError::attribute(0, $n, "missing value")),
                }
            };
        }
        use name::Name as N;
        Ok(match known {
            Some(N::Rtpmap) => Self::Rtpmap(Rtpmap::parse(need!("rtpmap"))?),
            Some(N::Fmtp) => Self::Fmtp(Fmtp::parse(need!("fmtp"))?),
            Some(N::Rtcp) => Self::Rtcp(Rtcp::parse(need!("rtcp"))?),
            Some(N::RtcpFb) => Self::RtcpFb(RtcpFb::parse(need!("rtcp-fb"))?),
            Some(N::RtcpMux) => flag("rtcp-mux", value, Self::RtcpMux)?,
            Some(N::RtcpRsize) => flag("rtcp-rsize", value, Self::RtcpRsize)?,
            Some(N::Extmap) => Self::Extmap(Extmap::parse(need!("extmap"))?),
            Some(N::ExtmapAllowMixed) => flag("extmap-allow-mixed", value, Self::ExtmapAllowMixed)?,
            Some(N::Ssrc) => Self::Ssrc(Ssrc::parse(need!("ssrc"))?),
            Some(N::SsrcGroup) => Self::SsrcGroup(SsrcGroup::parse(need!("ssrc-group"))?),
            Some(N::Msid) => Self::Msid(Msid::parse(need!("msid"))?),
            Some(N::MsidSemantic) => {
                Self::MsidSemantic(MsidSemantic::parse(need!("msid-semantic"))?)
            }
            Some(N::Mid) => Self::Mid(grouping::parse_mid(need!("mid"))?),
            Some(N::Group) => Self::Group(Group::parse(need!("group"))?),
            Some(N::BundleOnly) => flag("bundle-only", value, Self::BundleOnly)?,
            Some(N::IceUfrag) => Self::IceUfrag(ice::parse_ufrag(need!("ice-ufrag"))?),
            Some(N::IcePwd) => Self::IcePwd(ice::parse_pwd(need!("ice-pwd"))?),
            Some(N::IceOptions) => Self::IceOptions(IceOptions::parse(need!("ice-options"))?),
            Some(N::IceLite) => flag("ice-lite", value, Self::IceLite)?,
            Some(N::Candidate) => {
                Self::Candidate(Candidate::parse_inner(need!("candidate"), parse_ip)?)
            }
            Some(N::EndOfCandidates) => flag("end-of-candidates", value, Self::EndOfCandidates)?,
            Some(N::Fingerprint) => Self::Fingerprint(Fingerprint::parse(need!("fingerprint"))?),
            Some(N::Setup) => Self::Setup(Setup::parse(need!("setup"))?),
            Some(N::Connection) => Self::Connection(ConnectionRole::parse(need!("connection"))?),
            Some(N::Crypto) => Self::Crypto(Crypto::parse(need!("crypto"))?),
            Some(N::SctpPort) => {
                Self::SctpPort(parse_u16(need!("sctp-port")).ok_or(ValueError::attribute(
                    0,
                    "sctp-port",
                    "port",
                ))?)
            }
            Some(N::MaxMessageSize) => Self::MaxMessageSize(
                parse_u64(need!("max-message-size")).ok_or(ValueError::attribute(
                    0,
                    "max-message-size",
                    "size",
                ))?,
            ),
            Some(N::Sctpmap) => Self::Sctpmap(Sctpmap::parse(need!("sctpmap"))?),
            Some(N::Rid) => Self::Rid(Rid::parse(need!("rid"))?),
            Some(N::Simulcast) => Self::Simulcast(Simulcast::parse(need!("simulcast"))?),
            Some(N::SendRecv) => flag("sendrecv", value, Self::Direction(Direction::SendRecv))?,
            Some(N::SendOnly) => flag("sendonly", value, Self::Direction(Direction::SendOnly))?,
            Some(N::RecvOnly) => flag("recvonly", value, Self::Direction(Direction::RecvOnly))?,
            Some(N::Inactive) => flag("inactive", value, Self::Direction(Direction::Inactive))?,
            Some(N::Ptime) => Self::Ptime(Decimal::parse(need!("ptime"), "ptime")?),
            Some(N::Maxptime) => Self::Maxptime(Decimal::parse(need!("maxptime"), "maxptime")?),
            Some(N::Framerate) => Self::Framerate(Decimal::parse(need!("framerate"), "framerate")?),
            None => Self::Other { name, value },
        })
    }
}

/// Splits at the first `:`: the name candidate and the value (`None` without a `:`).
#[inline]
fn split_at_colon(text: &str) -> (&str, Option<&str>) {
    match crate::wire::token::find_byte(text, b':') {
        Some(i) => (text.get(..i).unwrap_or(""), text.get(i + 1..)),
        None => (text, None),
    }
}

/// Splits the text after `a=` as [`Attribute::split`] does, and recognises the name.
///
/// The name runs to the first `:` and must be a token. A name this crate knows is made of token
/// characters, so only unknown names need the byte-by-byte check; and a token holds no `:`, so
/// splitting at the first `:` is splitting at the first non-token byte whenever the name is valid.
#[inline]
pub(crate) fn split_name(
    text: &str,
) -> Result<(&str, Option<&str>, Option<name::Name>), ValueError> {
    let (name, value) = split_at_colon(text);
    let known = name::classify(name);
    if known.is_none() && !crate::wire::token::is_token(name) {
        return Err(ValueError::field(0, "attribute name"));
    }
    Ok((name, value, known))
}

/// Checks the grammar of an attribute whose name [`split_name`] recognised (unknown names have
/// no grammar to check), without building more than needed: strict parsing's hot path.
pub(crate) fn validate(known: name::Name, value: Option<&str>) -> Result<(), ValueError> {
    AttributeValue::parse_known(Some(known), "", value, false).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass split the crate had before `split_name`: the name runs to the first
    /// non-token byte, which must be `:`.
    fn reference_split(text: &str) -> Result<(&str, Option<&str>), ValueError> {
        let colon = text
            .bytes()
            .position(|b| !crate::wire::token::is_token_char(b));
        let (name, value) = match colon {
            None => (text, None),
            Some(i) if text.as_bytes().get(i) == Some(&b':') => (
                text.get(..i).unwrap_or(""),
                Some(text.get(i + 1..).unwrap_or("")),
            ),
            Some(_) => return Err(ValueError::field(0, "attribute name")),
        };
        if name.is_empty() {
            return Err(ValueError::field(0, "attribute name"));
        }
        Ok((name, value))
    }

    #[test]
    fn split_name_matches_the_byte_scan() {
        let pieces = [
            "", "a", "mid", "rtpmap", "ice-lite", ":", "::", " ", "x y", "\u{e9}", "/", "1",
        ];
        let mut texts = alloc::vec::Vec::new();
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    texts.push(alloc::format!("{a}{b}{c}"));
                }
            }
        }
        for t in &texts {
            let got = split_name(t).map(|(n, v, _)| (n, v));
            assert_eq!(got, reference_split(t), "{t:?}");
            let got = Attribute::split(t, 1).map(|a| (a.name, a.value));
            assert_eq!(got, reference_split(t), "{t:?}");
            if let Ok((n, _, known)) = split_name(t) {
                assert_eq!(known, name::classify(n));
            }
        }
    }

    #[test]
    fn dispatch() {
        let a = Attribute::split("rtcp-mux", 1).unwrap();
        assert_eq!(a.parse().unwrap(), AttributeValue::RtcpMux);
        let a = Attribute::split("rtcp-mux:1", 1).unwrap();
        assert!(a.parse().is_err());
        let a = Attribute::split("x-google-flag:conference", 1).unwrap();
        assert!(matches!(
            a.parse().unwrap(),
            AttributeValue::Other {
                name: "x-google-flag",
                ..
            }
        ));
        assert!(Attribute::split("mid", 1).unwrap().parse().is_err());
        assert!(Attribute::split("a b:c", 1).is_err());
        assert_eq!(
            Attribute::split("ptime:20", 1).unwrap().parse().unwrap(),
            AttributeValue::Ptime(Decimal { milli: 20_000 })
        );
    }
}
