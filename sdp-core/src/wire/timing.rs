//! `t=` timing and `b=` bandwidth (RFC 8866 §5.9, §5.8).

use core::fmt;

use super::token::{is_token, parse_u64, Fields};
use crate::error::ValueError;

/// `t=<start-time> <stop-time>` in NTP seconds; `0 0` means unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Start time.
    pub start: u64,
    /// Stop time.
    pub stop: u64,
}

impl Timing {
    /// Parses the value of a `t=` line.
    ///
    /// # Errors
    /// A [`ValueError`] at the malformed field.
    pub fn parse(value: &str) -> Result<Self, ValueError> {
        let mut f = Fields::new(value);
        let (a, o) = f.field("start time")?;
        let start = parse_u64(a).ok_or(ValueError::field(o, "start time"))?;
        let (b, o) = f.field("stop time")?;
        let stop = parse_u64(b).ok_or(ValueError::field(o, "stop time"))?;
        if !f.is_empty() {
            return Err(ValueError::field(f.remainder().1, "stop time"));
        }
        Ok(Self { start, stop })
    }
}

impl fmt::Display for Timing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.start, self.stop)
    }
}

/// `b=<bwtype>:<bandwidth>` (`AS`, `CT`, `TIAS`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bandwidth<'a> {
    /// Bandwidth type.
    pub bwtype: &'a str,
    /// Value (kbit/s for `AS`/`CT`, bit/s for `TIAS`).
    pub bandwidth: u64,
}

impl<'a> Bandwidth<'a> {
    /// Parses the value of a `b=` line.
    ///
    /// # Errors
    /// A [`ValueError`] at the malformed field.
    pub fn parse(value: &'a str) -> Result<Self, ValueError> {
        let (bwtype, bw) = crate::wire::token::split_byte(value, b':')
            .ok_or(ValueError::field(value.len(), "bandwidth"))?;
        if !is_token(bwtype) {
            return Err(ValueError::field(0, "bandwidth type"));
        }
        let bandwidth = parse_u64(bw).ok_or(ValueError::field(bwtype.len() + 1, "bandwidth"))?;
        Ok(Self { bwtype, bandwidth })
    }
}

impl fmt::Display for Bandwidth<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.bwtype, self.bandwidth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timing_and_bandwidth() {
        assert_eq!(Timing::parse("0 0").unwrap(), Timing { start: 0, stop: 0 });
        assert!(Timing::parse("0").is_err());
        assert!(Timing::parse("0 0 0").is_err());
        let b = Bandwidth::parse("AS:2048").unwrap();
        assert_eq!((b.bwtype, b.bandwidth), ("AS", 2048));
        assert_eq!(Bandwidth::parse("AS:x").unwrap_err().offset, 3);
    }
}
