//! `a=crypto` SDES key transport for SRTP (RFC 4568 §9.1).
//!
//! The key and salt are secrets: decode them into a caller buffer ([`KeyParam::decode_key_salt`]) or
//! into a [`KeySalt`] that wipes itself when dropped.

use core::fmt;

use base64::engine::{general_purpose::GeneralPurposeConfig, DecodePaddingMode, GeneralPurpose};
use base64::Engine as _;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::ValueError;
use crate::wire::token::{is_non_ws, parse_u64, parse_u8, split_space};

const A: &str = "crypto";

/// Base64 as RFC 4568 uses it; padding is optional because some SIP devices omit it.
const B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Longest key‖salt accepted (AES-256 key and 14-byte salt is 46 bytes).
pub const MAX_KEY_SALT_LEN: usize = 64;

/// `a=crypto:<tag> <crypto-suite> <key-params> [<session-params>]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crypto<'a> {
    /// Tag, 1–9 digits, echoed by the answer.
    pub tag: u32,
    /// Crypto suite, e.g. `AES_CM_128_HMAC_SHA1_80`.
    pub suite: &'a str,
    key_params: &'a str,
    /// Session parameters (`UNENCRYPTED_SRTP`, `KDR=…`, `WSH=…`, …) as written.
    pub session_params: Option<&'a str>,
}

/// Key lifetime (RFC 4568 §9.2): `2^n` or a plain packet count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifetime {
    /// `2^<exponent>` packets.
    PowerOfTwo(u8),
    /// A number of packets.
    Packets(u64),
}

/// Master key identifier (RFC 4568 §9.2): `<value>:<length in bytes>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mki {
    /// MKI value.
    pub value: u64,
    /// Length of the MKI field in SRTP packets, 1–128 bytes.
    pub length: u8,
}

/// One `inline:<key||salt>[|<lifetime>][|<mki>:<length>]` key parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyParam<'a> {
    /// The base64 text of key‖salt.
    pub key_salt_base64: &'a str,
    /// Key lifetime, when given.
    pub lifetime: Option<Lifetime>,
    /// MKI, when given.
    pub mki: Option<Mki>,
}

/// A decoded key‖salt, wiped from memory on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct KeySalt {
    bytes: [u8; MAX_KEY_SALT_LEN],
    len: usize,
}

impl KeySalt {
    /// The decoded bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }
}

impl fmt::Debug for KeySalt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeySalt({} bytes, redacted)", self.len)
    }
}

impl<'a> KeyParam<'a> {
    fn parse(p: &'a str, off: usize) -> Result<Self, ValueError> {
        let info = p
            .strip_prefix("inline:")
            .ok_or(ValueError::attribute(off, A, "key method"))?;
        let mut parts = crate::wire::token::split_iter(info, b'|');
        let key_salt_base64 = parts.next().unwrap_or("");
        let mut kp = Self {
            key_salt_base64,
            lifetime: None,
            mki: None,
        };
        let mut buf = [0u8; MAX_KEY_SALT_LEN];
        if key_salt_base64.is_empty() || kp.decode_key_salt(&mut buf).is_err() {
            return Err(ValueError::attribute(off + 7, A, "base64 key||salt"));
        }
        buf.zeroize();
        let mut o = off + 7 + key_salt_base64.len() + 1;
        for part in parts {
            if let Some((v, l)) = crate::wire::token::split_byte(part, b':') {
                if kp.mki.is_some() {
                    return Err(ValueError::attribute(o, A, "second MKI"));
                }
                let value = parse_u64(v).ok_or(ValueError::attribute(o, A, "MKI value"))?;
                let length = parse_u8(l)
                    .filter(|l| (1..=128).contains(l))
                    .ok_or(ValueError::attribute(o, A, "MKI length"))?;
                kp.mki = Some(Mki { value, length });
            } else if kp.lifetime.is_some() || kp.mki.is_some() {
                return Err(ValueError::attribute(o, A, "lifetime after MKI or twice"));
            } else if let Some(e) = part.strip_prefix("2^") {
                kp.lifetime = Some(Lifetime::PowerOfTwo(
                    parse_u8(e)
                        .filter(|e| *e <= 64)
                        .ok_or(ValueError::attribute(o, A, "lifetime"))?,
                ));
            } else {
                kp.lifetime = Some(Lifetime::Packets(
                    parse_u64(part).ok_or(ValueError::attribute(o, A, "lifetime"))?,
                ));
            }
            o += part.len() + 1;
        }
        Ok(kp)
    }

    /// Decodes key‖salt into `out`, returning the number of bytes written.
    ///
    /// # Errors
    /// A [`ValueError`] when the text is not base64 or `out` is too small.
    pub fn decode_key_salt(&self, out: &mut [u8]) -> Result<usize, ValueError> {
        B64.decode_slice(self.key_salt_base64, out)
            .map_err(|_| ValueError::attribute(0, A, "base64 key||salt"))
    }

    /// Decodes key‖salt into a self-wiping fixed array.
    ///
    /// # Errors
    /// As [`KeyParam::decode_key_salt`].
    pub fn key_salt(&self) -> Result<KeySalt, ValueError> {
        let mut k = KeySalt {
            bytes: [0; MAX_KEY_SALT_LEN],
            len: 0,
        };
        k.len = self.decode_key_salt(&mut k.bytes)?;
        Ok(k)
    }
}

impl fmt::Display for KeyParam<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "inline:{}", self.key_salt_base64)?;
        match self.lifetime {
            Some(Lifetime::PowerOfTwo(e)) => write!(f, "|2^{e}")?,
            Some(Lifetime::Packets(n)) => write!(f, "|{n}")?,
            None => {}
        }
        if let Some(m) = self.mki {
            write!(f, "|{}:{}", m.value, m.length)?;
        }
        Ok(())
    }
}

impl<'a> Crypto<'a> {
    /// Parses the attribute value.
    ///
    /// # Errors
    /// A [`ValueError`] at the malformed part.
    pub fn parse(v: &'a str) -> Result<Self, ValueError> {
        let (tag_s, rest) = split_space(v);
        let tag = parse_u64(tag_s)
            .filter(|_| tag_s.len() <= 9)
            .and_then(|t| u32::try_from(t).ok())
            .ok_or(ValueError::attribute(0, A, "tag"))?;
        let rest = rest.ok_or(ValueError::attribute(v.len(), A, "missing crypto suite"))?;
        let (suite, rest) = split_space(rest);
        if !is_non_ws(suite) {
            return Err(ValueError::attribute(tag_s.len() + 1, A, "crypto suite"));
        }
        let off = tag_s.len() + suite.len() + 2;
        let rest = rest.ok_or(ValueError::attribute(v.len(), A, "missing key params"))?;
        let (key_params, session_params) = split_space(rest);
        let mut o = off;
        for p in crate::wire::token::split_iter(key_params, b';') {
            KeyParam::parse(p, o)?;
            o += p.len() + 1;
        }
        if let Some(s) = session_params {
            if !crate::wire::token::split_iter(s, b' ').all(is_non_ws) {
                return Err(ValueError::attribute(
                    off + key_params.len() + 1,
                    A,
                    "session parameter",
                ));
            }
        }
        Ok(Self {
            tag,
            suite,
            key_params,
            session_params,
        })
    }

    /// Builds a crypto attribute for an offer or answer (`key_params` as written, `;`-separated).
    #[must_use]
    pub const fn new(
        tag: u32,
        suite: &'a str,
        key_params: &'a str,
        session_params: Option<&'a str>,
    ) -> Self {
        Self {
            tag,
            suite,
            key_params,
            session_params,
        }
    }

    /// The key parameters in order (usually one).
    pub fn key_params(&self) -> impl Iterator<Item = KeyParam<'a>> + Clone {
        crate::wire::token::split_iter(self.key_params, b';')
            .filter_map(|p| KeyParam::parse(p, 0).ok())
    }

    /// The first key parameter.
    #[must_use]
    pub fn key(&self) -> Option<KeyParam<'a>> {
        self.key_params().next()
    }

    /// The session parameters, split.
    pub fn session_params(&self) -> impl Iterator<Item = &'a str> + Clone {
        crate::wire::token::split_iter(self.session_params.unwrap_or(""), b' ')
            .filter(|s| !s.is_empty())
    }
}

impl fmt::Display for Crypto<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.tag, self.suite, self.key_params)?;
        if let Some(s) = self.session_params {
            write!(f, " {s}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 4568 §9.1's example.
    const RFC: &str =
        "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4";

    #[test]
    fn rfc4568_example() {
        let c = Crypto::parse(RFC).unwrap();
        assert_eq!((c.tag, c.suite), (1, "AES_CM_128_HMAC_SHA1_80"));
        let k = c.key().unwrap();
        assert_eq!(k.lifetime, Some(Lifetime::PowerOfTwo(20)));
        assert_eq!(
            k.mki,
            Some(Mki {
                value: 1,
                length: 4
            })
        );
        assert_eq!(k.key_salt().unwrap().as_bytes().len(), 30);
        let mut s = [0u8; 30];
        assert_eq!(k.decode_key_salt(&mut s).unwrap(), 30);
        assert_eq!(&s[..4], b"=-n@");
    }

    #[test]
    fn session_params_and_errors() {
        let c = Crypto::parse("2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj UNENCRYPTED_SRTCP KDR=2").unwrap();
        assert!(c.session_params().eq(["UNENCRYPTED_SRTCP", "KDR=2"]));
        assert!(Crypto::parse("1 AES_CM_128_HMAC_SHA1_80 inline:!!!").is_err());
        assert!(Crypto::parse("1 AES_CM_128_HMAC_SHA1_80 key:abc").is_err());
        assert!(Crypto::parse("1234567890 X inline:AAAA").is_err());
        assert!(Crypto::parse("1 AES_CM_128_HMAC_SHA1_80").is_err());
    }
}
