//! Media direction (RFC 8866 §6.7), packet time (§6.4, §6.5) and frame rate (§6.8).

use core::fmt;

use crate::error::ValueError;
use crate::wire::token::parse_milli;

/// `a=sendrecv` / `a=sendonly` / `a=recvonly` / `a=inactive`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    /// Send and receive (the default when absent).
    #[default]
    SendRecv,
    /// Send only.
    SendOnly,
    /// Receive only.
    RecvOnly,
    /// Neither.
    Inactive,
}

impl Direction {
    /// The attribute name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SendRecv => "sendrecv",
            Self::SendOnly => "sendonly",
            Self::RecvOnly => "recvonly",
            Self::Inactive => "inactive",
        }
    }

    /// Recognises an attribute name.
    #[must_use]
    pub fn from_name(s: &str) -> Option<Self> {
        Some(match s {
            "sendrecv" => Self::SendRecv,
            "sendonly" => Self::SendOnly,
            "recvonly" => Self::RecvOnly,
            "inactive" => Self::Inactive,
            _ => return None,
        })
    }

    /// True when this side sends.
    #[must_use]
    pub const fn sends(self) -> bool {
        matches!(self, Self::SendRecv | Self::SendOnly)
    }

    /// True when this side receives.
    #[must_use]
    pub const fn receives(self) -> bool {
        matches!(self, Self::SendRecv | Self::RecvOnly)
    }

    /// Builds a direction from its two halves.
    #[must_use]
    pub const fn from_flags(send: bool, recv: bool) -> Self {
        match (send, recv) {
            (true, true) => Self::SendRecv,
            (true, false) => Self::SendOnly,
            (false, true) => Self::RecvOnly,
            (false, false) => Self::Inactive,
        }
    }

    /// The direction the other side sees (RFC 3264 §6.1: sendonly ↔ recvonly).
    #[must_use]
    pub const fn reversed(self) -> Self {
        Self::from_flags(self.receives(), self.sends())
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A decimal quantity kept in thousandths: `a=ptime`/`a=maxptime` (milliseconds) and `a=framerate` (fps).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Decimal {
    /// The value × 1000 (`20` → 20 000, `29.97` → 29 970).
    pub milli: u64,
}

impl Decimal {
    /// Parses `int[.frac]`.
    ///
    /// # Errors
    /// A [`ValueError`] naming `attribute` when the text is not a decimal number.
    pub fn parse(v: &str, attribute: &'static str) -> Result<Self, ValueError> {
        parse_milli(v)
            .map(|milli| Self { milli })
            .ok_or(ValueError::attribute(0, attribute, "number"))
    }

    /// The integral part.
    #[must_use]
    pub const fn whole(self) -> u64 {
        self.milli / 1000
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let frac = self.milli % 1000;
        if frac == 0 {
            write!(f, "{}", self.milli / 1000)
        } else if frac % 100 == 0 {
            write!(f, "{}.{}", self.milli / 1000, frac / 100)
        } else if frac % 10 == 0 {
            write!(f, "{}.{:02}", self.milli / 1000, frac / 10)
        } else {
            write!(f, "{}.{:03}", self.milli / 1000, frac)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directions() {
        assert_eq!(Direction::SendOnly.reversed(), Direction::RecvOnly);
        assert_eq!(Direction::from_name("inactive"), Some(Direction::Inactive));
        assert_eq!(Direction::from_name("SENDRECV"), None);
    }

    #[test]
    fn decimals() {
        assert_eq!(Decimal::parse("20", "ptime").unwrap().milli, 20_000);
        assert_eq!(Decimal::parse("29.97", "framerate").unwrap().milli, 29_970);
        assert!(Decimal::parse("1.", "ptime").is_err());
        assert!(Decimal::parse("-1", "ptime").is_err());
    }
}
