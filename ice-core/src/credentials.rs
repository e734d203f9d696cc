//! ICE credentials (RFC 8445 §5.3, RFC 8839 §5.4): `ice-ufrag` of 4–256 and `ice-pwd` of 22–256
//! ice-chars, and how they key the connectivity checks (RFC 8445 §7.2.2: short-term credentials,
//! USERNAME `remote-ufrag:local-ufrag`).

use crate::candidate::is_ice_char;

/// Bounds of `ice-ufrag` (RFC 8839 §5.4).
pub const UFRAG_LEN: core::ops::RangeInclusive<usize> = 4..=256;
/// Bounds of `ice-pwd` (RFC 8839 §5.4).
pub const PWD_LEN: core::ops::RangeInclusive<usize> = 22..=256;

/// Why credentials were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    /// The ufrag is not 4–256 ice-chars.
    #[error("ice-ufrag must be 4-256 ice-chars (byte {offset})")]
    BadUfrag {
        /// Offset of the first bad byte, or the length when it is the length that is wrong.
        offset: usize,
    },
    /// The password is not 22–256 ice-chars.
    #[error("ice-pwd must be 22-256 ice-chars (byte {offset})")]
    BadPwd {
        /// Offset of the first bad byte, or the length when it is the length that is wrong.
        offset: usize,
    },
}

fn check(s: &str, len: &core::ops::RangeInclusive<usize>) -> Result<(), usize> {
    if let Some(at) = s.bytes().position(|b| !is_ice_char(b)) {
        return Err(at);
    }
    if len.contains(&s.len()) {
        Ok(())
    } else {
        Err(s.len())
    }
}

/// Checks an `ice-ufrag` / `ice-pwd` pair.
pub fn validate(ufrag: &str, pwd: &str) -> Result<(), CredentialsError> {
    check(ufrag, &UFRAG_LEN).map_err(|offset| CredentialsError::BadUfrag { offset })?;
    check(pwd, &PWD_LEN).map_err(|offset| CredentialsError::BadPwd { offset })
}

/// The 64 ice-chars, for generating credentials.
#[cfg(feature = "alloc")]
pub(crate) const ICE_CHARS: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        assert!(validate("abcd", "0123456789012345678901").is_ok());
        assert_eq!(
            validate("abc", "0123456789012345678901"),
            Err(CredentialsError::BadUfrag { offset: 3 })
        );
        assert_eq!(
            validate("ab:d", "0123456789012345678901"),
            Err(CredentialsError::BadUfrag { offset: 2 })
        );
        assert_eq!(
            validate("abcd", "short"),
            Err(CredentialsError::BadPwd { offset: 5 })
        );
    }
}
