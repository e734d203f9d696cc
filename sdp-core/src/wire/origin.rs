//! `o=` origin (RFC 8866 §5.2).

use core::fmt;

use super::token::{is_non_ws, is_token, Fields};
use crate::error::ValueError;

/// `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin<'a> {
    /// The user's login, `-` when none.
    pub username: &'a str,
    /// Session id: digits, kept as text since some implementations exceed 64 bits.
    pub session_id: &'a str,
    /// Session version: digits.
    pub session_version: &'a str,
    /// Network type, `IN`.
    pub nettype: &'a str,
    /// Address type, `IP4` or `IP6`.
    pub addrtype: &'a str,
    /// The originating host (address or FQDN).
    pub address: &'a str,
}

impl<'a> Origin<'a> {
    /// Parses the value of an `o=` line.
    ///
    /// # Errors
    /// A [`ValueError`] at the first malformed field.
    pub fn parse(value: &'a str) -> Result<Self, ValueError> {
        let mut f = Fields::new(value);
        let (username, o) = f.field("origin username")?;
        if !is_non_ws(username) {
            return Err(ValueError::field(o, "origin username"));
        }
        let (session_id, o) = f.field("origin sess-id")?;
        if session_id.is_empty() || !session_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValueError::field(o, "origin sess-id"));
        }
        let (session_version, o) = f.field("origin sess-version")?;
        if session_version.is_empty() || !session_version.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValueError::field(o, "origin sess-version"));
        }
        let (nettype, o) = f.field("origin nettype")?;
        if !is_token(nettype) {
            return Err(ValueError::field(o, "origin nettype"));
        }
        let (addrtype, o) = f.field("origin addrtype")?;
        if !is_token(addrtype) {
            return Err(ValueError::field(o, "origin addrtype"));
        }
        let (address, o) = f.field("origin address")?;
        if !is_non_ws(address) || !f.is_empty() {
            return Err(ValueError::field(o, "origin address"));
        }
        Ok(Self {
            username,
            session_id,
            session_version,
            nettype,
            addrtype,
            address,
        })
    }

    /// The session id as a number, when it fits 64 bits.
    #[must_use]
    pub fn session_id_u64(&self) -> Option<u64> {
        super::token::parse_u64(self.session_id)
    }
}

impl fmt::Display for Origin<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} {} {}",
            self.username,
            self.session_id,
            self.session_version,
            self.nettype,
            self.addrtype,
            self.address
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_chrome_origin() {
        let o = Origin::parse("- 4611731400430051336 2 IN IP4 127.0.0.1").unwrap();
        assert_eq!(o.session_id_u64(), Some(4_611_731_400_430_051_336));
        assert_eq!(o.address, "127.0.0.1");
    }

    #[test]
    fn rejects_missing_and_extra() {
        assert_eq!(Origin::parse("- 1 2 IN IP4").unwrap_err().offset, 12);
        assert!(Origin::parse("- 1 2 IN IP4 a b").is_err());
        assert!(Origin::parse("- x 2 IN IP4 a").is_err());
    }
}
