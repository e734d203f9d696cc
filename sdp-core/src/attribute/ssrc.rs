//! Source-specific media attributes: `a=ssrc`, `a=ssrc-group` (RFC 5576).

use core::fmt;

use crate::error::ValueError;
use crate::wire::token::{is_token, parse_u32, split_space};

/// `a=ssrc:<ssrc-id> <attribute>[:<value>]`, e.g. `cname:…` or the legacy `msid:<stream> <track>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ssrc<'a> {
    /// The synchronization source.
    pub ssrc: u32,
    /// The source attribute name (`cname`, `msid`, `mslabel`, `label`, …).
    pub attribute: &'a str,
    /// Its value, as written.
    pub value: Option<&'a str>,
}

impl<'a> Ssrc<'a> {
    /// Parses the attribute value.
    ///
    /// # Errors
    /// A [`ValueError`] at the malformed part.
    pub fn parse(v: &'a str) -> Result<Self, ValueError> {
        const A: &str = "ssrc";
        let (id, rest) = split_space(v);
        let ssrc = parse_u32(id).ok_or(ValueError::attribute(0, A, "ssrc id"))?;
        let rest = rest.ok_or(ValueError::attribute(
            v.len(),
            A,
            "missing source attribute",
        ))?;
        let (attribute, value) = match crate::wire::token::split_byte(rest, b':') {
            Some((a, b)) => (a, Some(b)),
            None => (rest, None),
        };
        if !is_token(attribute) {
            return Err(ValueError::attribute(id.len() + 1, A, "source attribute"));
        }
        Ok(Self {
            ssrc,
            attribute,
            value,
        })
    }
}

impl fmt::Display for Ssrc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.ssrc, self.attribute)?;
        if let Some(v) = self.value {
            write!(f, ":{v}")?;
        }
        Ok(())
    }
}

/// `a=ssrc-group:<semantics> <ssrc-id> …` (`FID`, `FEC`, `SIM`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SsrcGroup<'a> {
    /// Grouping semantics.
    pub semantics: &'a str,
    ssrcs: &'a str,
}

impl<'a> SsrcGroup<'a> {
    /// Parses the attribute value.
    ///
    /// # Errors
    /// A [`ValueError`] at the malformed part.
    pub fn parse(v: &'a str) -> Result<Self, ValueError> {
        const A: &str = "ssrc-group";
        let (semantics, rest) = split_space(v);
        if !is_token(semantics) {
            return Err(ValueError::attribute(0, A, "semantics"));
        }
        let ssrcs = rest.unwrap_or("");
        let mut off = semantics.len() + 1;
        for s in crate::wire::token::split_iter(ssrcs, b' ').filter(|_| !ssrcs.is_empty()) {
            parse_u32(s).ok_or(ValueError::attribute(off, A, "ssrc id"))?;
            off += s.len() + 1;
        }
        Ok(Self { semantics, ssrcs })
    }

    /// The grouped sources, in order.
    pub fn ssrcs(&self) -> impl Iterator<Item = u32> + Clone + 'a {
        crate::wire::token::split_iter(self.ssrcs, b' ').filter_map(parse_u32)
    }
}

impl fmt::Display for SsrcGroup<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.semantics)?;
        for s in self.ssrcs() {
            write!(f, " {s}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssrc() {
        let s = Ssrc::parse("2882400001 msid:stream track").unwrap();
        assert_eq!(
            (s.ssrc, s.attribute, s.value),
            (2_882_400_001, "msid", Some("stream track"))
        );
        assert!(Ssrc::parse("x cname:a").is_err());
        assert!(Ssrc::parse("1").is_err());
        let g = SsrcGroup::parse("FID 1 2").unwrap();
        assert!(g.ssrcs().eq([1, 2]));
        assert!(SsrcGroup::parse("FID 1 x").is_err());
    }
}
