//! Media grouping: `a=group`, `a=mid` (RFC 5888), `a=bundle-only` (RFC 9143), `a=msid`, `a=msid-semantic`
//! (RFC 8830 and its WebRTC-era predecessor).

use core::fmt;

use crate::error::ValueError;
use crate::wire::token::{is_non_ws, is_token, split_space};

/// `a=group:<semantics> <mid> …` (`BUNDLE`, `LS`, `FID`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Group<'a> {
    /// Grouping semantics.
    pub semantics: &'a str,
    mids: &'a str,
}

impl<'a> Group<'a> {
    /// Parses the attribute value.
    ///
    /// # Errors
    /// A [`ValueError`] at the malformed part.
    pub fn parse(v: &'a str) -> Result<Self, ValueError> {
        let (semantics, mids) = split_space(v);
        if !is_token(semantics) {
            return Err(ValueError::attribute(0, "group", "semantics"));
        }
        let mids = mids.unwrap_or("");
        if !mids.is_empty() && !crate::wire::token::split_iter(mids, b' ').all(is_token) {
            return Err(ValueError::attribute(
                semantics.len() + 1,
                "group",
                "identification tag",
            ));
        }
        Ok(Self { semantics, mids })
    }

    /// Builds a group from its parts (`mids` space separated).
    #[must_use]
    pub const fn new(semantics: &'a str, mids: &'a str) -> Self {
        Self { semantics, mids }
    }

    /// The media identification tags, in order.
    pub fn mids(&self) -> impl Iterator<Item = &'a str> + Clone {
        crate::wire::token::split_iter(self.mids, b' ').filter(|m| !m.is_empty())
    }

    /// True for `BUNDLE` (RFC 9143).
    #[must_use]
    pub fn is_bundle(&self) -> bool {
        self.semantics == "BUNDLE"
    }
}

impl fmt::Display for Group<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.semantics)?;
        for m in self.mids() {
            write!(f, " {m}")?;
        }
        Ok(())
    }
}

/// Validates `a=mid:<identification-tag>`.
pub(crate) fn parse_mid(v: &str) -> Result<&str, ValueError> {
    if is_token(v) {
        Ok(v)
    } else {
        Err(ValueError::attribute(0, "mid", "identification tag"))
    }
}

/// `a=msid:<stream id> [<track id>]` (RFC 8830 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Msid<'a> {
    /// The MediaStream id (`-` for none).
    pub stream_id: &'a str,
    /// The track id (appdata), when given.
    pub track_id: Option<&'a str>,
}

impl<'a> Msid<'a> {
    /// Parses the attribute value.
    ///
    /// # Errors
    /// A [`ValueError`] at the malformed part.
    pub fn parse(v: &'a str) -> Result<Self, ValueError> {
        let (stream_id, track_id) = split_space(v);
        if !is_non_ws(stream_id) || stream_id.len() > 64 {
            return Err(ValueError::attribute(0, "msid", "stream id"));
        }
        if let Some(t) = track_id {
            if !is_non_ws(t) || t.len() > 64 {
                return Err(ValueError::attribute(
                    stream_id.len() + 1,
                    "msid",
                    "track id",
                ));
            }
        }
        Ok(Self {
            stream_id,
            track_id,
        })
    }
}

impl fmt::Display for Msid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.stream_id)?;
        if let Some(t) = self.track_id {
            write!(f, " {t}")?;
        }
        Ok(())
    }
}

/// `a=msid-semantic:[ ]<semantic> [<identifier> …]` (Chrome writes `msid-semantic: WMS …`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MsidSemantic<'a> {
    /// The semantic, usually `WMS`.
    pub semantic: &'a str,
    identifiers: &'a str,
}

impl<'a> MsidSemantic<'a> {
    /// Parses the attribute value.
    ///
    /// # Errors
    /// A [`ValueError`] when the semantic is missing.
    pub fn parse(v: &'a str) -> Result<Self, ValueError> {
        let t = v.trim_start_matches(' ');
        let (semantic, ids) = split_space(t);
        if !is_token(semantic) {
            return Err(ValueError::attribute(
                v.len() - t.len(),
                "msid-semantic",
                "semantic",
            ));
        }
        Ok(Self {
            semantic,
            identifiers: ids.unwrap_or(""),
        })
    }

    /// The stream identifiers (`*` for all).
    pub fn identifiers(&self) -> impl Iterator<Item = &'a str> + Clone {
        crate::wire::token::split_iter(self.identifiers, b' ').filter(|m| !m.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_and_msid() {
        let g = Group::parse("BUNDLE 0 1 2").unwrap();
        assert!(g.is_bundle() && g.mids().eq(["0", "1", "2"]));
        assert_eq!(Group::parse("BUNDLE").unwrap().mids().count(), 0);
        let m = Msid::parse("s t").unwrap();
        assert_eq!((m.stream_id, m.track_id), ("s", Some("t")));
        let s = MsidSemantic::parse(" WMS a b").unwrap();
        assert_eq!(s.semantic, "WMS");
        assert!(s.identifiers().eq(["a", "b"]));
        assert!(parse_mid("a b").is_err());
    }
}
