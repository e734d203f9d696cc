//! `a=extmap` RTP header extension mapping (RFC 8285 §7).

use core::fmt;

use super::direction::Direction;
use crate::error::ValueError;
use crate::wire::token::{parse_u16, split_space};

/// `a=extmap:<id>[/<direction>] <URI> [<extension attributes>]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extmap<'a> {
    /// Local identifier, 1–14 (one-byte) or 1–255 (two-byte header).
    pub id: u16,
    /// Direction, when given.
    pub direction: Option<Direction>,
    /// The extension URI.
    pub uri: &'a str,
    /// Extension attributes as written.
    pub attributes: Option<&'a str>,
}

impl<'a> Extmap<'a> {
    /// Parses the attribute value.
    ///
    /// # Errors
    /// A [`ValueError`] at the malformed part.
    pub fn parse(v: &'a str) -> Result<Self, ValueError> {
        const A: &str = "extmap";
        let (idd, rest) = split_space(v);
        let (id_s, dir) = match crate::wire::token::split_byte(idd, b'/') {
            Some((i, d)) => (i, Some(d)),
            None => (idd, None),
        };
        let id = parse_u16(id_s)
            .filter(|i| (1..=4095).contains(i))
            .ok_or(ValueError::attribute(0, A, "id"))?;
        let direction = match dir {
            Some(d) => Some(Direction::from_name(d).ok_or(ValueError::attribute(
                id_s.len() + 1,
                A,
                "direction",
            ))?),
            None => None,
        };
        let rest = rest.ok_or(ValueError::attribute(v.len(), A, "missing URI"))?;
        // One scan: the URI runs to the first space and holds no other whitespace or control.
        let (uri, attributes) = match crate::wire::token::find_ws_or_ctl(rest) {
            None => (rest, None),
            Some(i) if rest.as_bytes().get(i) == Some(&b' ') => {
                (rest.get(..i).unwrap_or(""), rest.get(i + 1..))
            }
            Some(_) => ("", None),
        };
        if uri.is_empty() {
            return Err(ValueError::attribute(idd.len() + 1, A, "URI"));
        }
        Ok(Self {
            id,
            direction,
            uri,
            attributes,
        })
    }
}

impl fmt::Display for Extmap<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.id)?;
        if let Some(d) = self.direction {
            write!(f, "/{}", d.as_str())?;
        }
        write!(f, " {}", self.uri)?;
        if let Some(a) = self.attributes {
            write!(f, " {a}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        let e = Extmap::parse("4 urn:ietf:params:rtp-hdrext:sdes:mid").unwrap();
        assert_eq!(
            (e.id, e.uri, e.direction),
            (4, "urn:ietf:params:rtp-hdrext:sdes:mid", None)
        );
        let e = Extmap::parse("2/sendonly urn:x attr").unwrap();
        assert_eq!(
            (e.direction, e.attributes),
            (Some(Direction::SendOnly), Some("attr"))
        );
        assert!(Extmap::parse("0 urn:x").is_err());
        assert!(Extmap::parse("1/bogus urn:x").is_err());
        assert!(Extmap::parse("1").is_err());
    }
}
