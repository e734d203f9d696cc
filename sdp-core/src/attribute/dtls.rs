//! DTLS-SRTP attributes: `a=fingerprint` (RFC 8122 §5), `a=setup` and `a=connection` (RFC 4145 §4, §5).

use core::fmt;

use crate::error::ValueError;
use crate::wire::token::is_token;

/// Longest fingerprint accepted: SHA-512.
pub const MAX_FINGERPRINT_LEN: usize = 64;

/// `a=fingerprint:<hash-func> <XX:XX:…>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint<'a> {
    /// Hash function, e.g. `sha-256` (compare case-insensitively).
    pub hash_function: &'a str,
    /// The colon-separated uppercase-or-lowercase hex, as written.
    pub value: &'a str,
}

/// Hex digit values, 0xff for anything else (built at compile time; indices are in range by construction).
#[allow(clippy::indexing_slicing)]
static HEX: [u8; 256] = {
    let mut t = [0xffu8; 256];
    let mut i = 0u8;
    while i < 10 {
        t[(b'0' + i) as usize] = i;
        i += 1;
    }
    let mut i = 0u8;
    while i < 6 {
        t[(b'a' + i) as usize] = 10 + i;
        t[(b'A' + i) as usize] = 10 + i;
        i += 1;
    }
    t
};

/// True for a hex digit, by table.
#[inline]
#[allow(clippy::indexing_slicing)] // a u8 always indexes a 256-entry table
fn is_hex(b: u8) -> bool {
    HEX[usize::from(b)] != 0xff
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

impl<'a> Fingerprint<'a> {
    /// Parses the attribute value.
    ///
    /// # Errors
    /// A [`ValueError`] at the malformed part.
    pub fn parse(v: &'a str) -> Result<Self, ValueError> {
        const A: &str = "fingerprint";
        let (hash_function, value) = crate::wire::token::split_byte(v, b' ')
            .ok_or(ValueError::attribute(v.len(), A, "missing value"))?;
        if !is_token(hash_function) {
            return Err(ValueError::attribute(0, A, "hash function"));
        }
        let base = hash_function.len() + 1;
        // `HH(:HH)*`, at most MAX_FINGERPRINT_LEN pairs.
        let b = value.as_bytes();
        let pair_ok = |c: &[u8]| match c {
            [x, y] | [x, y, b':'] => is_hex(*x) & is_hex(*y),
            _ => false,
        };
        // Whole `HH:` groups, then the last `HH`.
        let well_formed = b.len() % 3 == 2
            && (b.len() + 1) / 3 <= MAX_FINGERPRINT_LEN
            && b.chunks_exact(3).fold(true, |ok, c| match c {
                [x, y, z] => ok & is_hex(*x) & is_hex(*y) & (*z == b':'),
                _ => false,
            })
            && pair_ok(b.get(b.len() - 2..).unwrap_or_default());
        if !well_formed {
            let bad = b.chunks(3).position(|c| !pair_ok(c)).unwrap_or(b.len() / 3);
            return Err(ValueError::attribute(
                base + bad.min(MAX_FINGERPRINT_LEN) * 3,
                A,
                "hex pair",
            ));
        }
        Ok(Self {
            hash_function,
            value,
        })
    }

    /// Decodes the fingerprint into `out`, returning its length.
    #[must_use]
    pub fn to_bytes(&self) -> ([u8; MAX_FINGERPRINT_LEN], usize) {
        let mut out = [0u8; MAX_FINGERPRINT_LEN];
        let mut n = 0;
        for (slot, pair) in out
            .iter_mut()
            .zip(crate::wire::token::split_iter(self.value, b':'))
        {
            if let [a, b] = pair.as_bytes() {
                *slot = (hex(*a).unwrap_or(0) << 4) | hex(*b).unwrap_or(0);
                n += 1;
            }
        }
        (out, n)
    }
}

impl fmt::Display for Fingerprint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.hash_function, self.value)
    }
}

/// `a=setup` (RFC 4145 §4): which side opens the DTLS/TCP connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setup {
    /// `active`: this side connects (DTLS client).
    Active,
    /// `passive`: this side accepts (DTLS server).
    Passive,
    /// `actpass`: either; offers only.
    ActPass,
    /// `holdconn`: not now.
    HoldConn,
}

impl Setup {
    /// Parses the attribute value.
    ///
    /// # Errors
    /// A [`ValueError`] for any other value.
    pub fn parse(v: &str) -> Result<Self, ValueError> {
        Ok(match v {
            "active" => Self::Active,
            "passive" => Self::Passive,
            "actpass" => Self::ActPass,
            "holdconn" => Self::HoldConn,
            _ => return Err(ValueError::attribute(0, "setup", "role")),
        })
    }

    /// The value as written.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Passive => "passive",
            Self::ActPass => "actpass",
            Self::HoldConn => "holdconn",
        }
    }
}

impl fmt::Display for Setup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `a=connection:new|existing` (RFC 4145 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionRole {
    /// `new`.
    New,
    /// `existing`.
    Existing,
}

impl ConnectionRole {
    /// Parses the attribute value.
    ///
    /// # Errors
    /// A [`ValueError`] for any other value.
    pub fn parse(v: &str) -> Result<Self, ValueError> {
        match v {
            "new" => Ok(Self::New),
            "existing" => Ok(Self::Existing),
            _ => Err(ValueError::attribute(0, "connection", "new or existing")),
        }
    }

    /// The value as written.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Existing => "existing",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint() {
        let f = Fingerprint::parse("sha-256 9A:0B:6c").unwrap();
        let (b, n) = f.to_bytes();
        assert_eq!(&b[..n], &[0x9a, 0x0b, 0x6c]);
        assert_eq!(Fingerprint::parse("sha-256 9A:0").unwrap_err().offset, 11);
        assert!(Fingerprint::parse("sha-256").is_err());
        assert!(Fingerprint::parse("sha-256 ").is_err());
    }

    #[test]
    fn setup() {
        assert_eq!(Setup::parse("actpass").unwrap(), Setup::ActPass);
        assert!(Setup::parse("ACTIVE").is_err());
        assert_eq!(ConnectionRole::parse("new").unwrap(), ConnectionRole::New);
    }
}
