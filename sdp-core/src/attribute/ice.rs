//! ICE session attributes (RFC 8839 §5.4–§5.6): `ice-ufrag`, `ice-pwd`, `ice-options`, `ice-lite`.

use crate::error::ValueError;
use crate::wire::token::{is_ice_chars, is_token};

/// Validates `a=ice-ufrag` (4–256 `ice-char`).
pub(crate) fn parse_ufrag(v: &str) -> Result<&str, ValueError> {
    if (4..=256).contains(&v.len()) && is_ice_chars(v) {
        Ok(v)
    } else {
        Err(ValueError::attribute(0, "ice-ufrag", "4 to 256 ice-chars"))
    }
}

/// Validates `a=ice-pwd` (22–256 `ice-char`).
pub(crate) fn parse_pwd(v: &str) -> Result<&str, ValueError> {
    if (22..=256).contains(&v.len()) && is_ice_chars(v) {
        Ok(v)
    } else {
        Err(ValueError::attribute(0, "ice-pwd", "22 to 256 ice-chars"))
    }
}

/// `a=ice-options:<option> …` such as `trickle` (RFC 8840) and `ice2` (RFC 8445).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IceOptions<'a> {
    raw: &'a str,
}

impl<'a> IceOptions<'a> {
    /// Parses the attribute value.
    ///
    /// # Errors
    /// A [`ValueError`] at a malformed option.
    pub fn parse(v: &'a str) -> Result<Self, ValueError> {
        let mut off = 0;
        for o in crate::wire::token::split_iter(v, b' ') {
            if !is_token(o) {
                return Err(ValueError::attribute(off, "ice-options", "option tag"));
            }
            off += o.len() + 1;
        }
        Ok(Self { raw: v })
    }

    /// The option tags, in order.
    pub fn options(&self) -> impl Iterator<Item = &'a str> + Clone {
        crate::wire::token::split_iter(self.raw, b' ')
    }

    /// True when `trickle` is among them.
    #[must_use]
    pub fn trickle(&self) -> bool {
        self.options().any(|o| o == "trickle")
    }

    /// True when `ice2` is among them.
    #[must_use]
    pub fn ice2(&self) -> bool {
        self.options().any(|o| o == "ice2")
    }

    /// The text as written.
    #[must_use]
    pub const fn as_str(&self) -> &'a str {
        self.raw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ice() {
        assert!(parse_ufrag("Sx3q").is_ok());
        assert!(parse_ufrag("abc").is_err());
        assert!(parse_pwd("2o5pRFAwAd3Qf6VyHrXzHqcK").is_ok());
        assert!(parse_pwd("short").is_err());
        let o = IceOptions::parse("trickle ice2").unwrap();
        assert!(o.trickle() && o.ice2());
        assert!(IceOptions::parse("trickle  ice2").is_err());
    }
}
