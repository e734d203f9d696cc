//! SASLprep (RFC 4013), which RFC 8489 §9.2.2 applies to passwords (the OpaqueString profile of RFC
//! 8265 in its words).
//!
//! Printable ASCII is its own SASLprep and is handled everywhere, without an allocator. Other text
//! needs Unicode tables: with the `std` feature it is prepared by the `stringprep` crate; without it
//! [`SaslprepError::NeedsUnicodeTables`] is returned.

/// Why a password cannot be prepared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SaslprepError {
    /// The text holds characters SASLprep prohibits (control characters, for one).
    #[error("password holds characters SASLprep prohibits")]
    Prohibited,
    /// Non-ASCII text needs the `std` feature.
    #[error("non-ASCII password needs the std feature for SASLprep")]
    NeedsUnicodeTables,
}

/// The prepared form of a password: borrowed when unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prepared<'a> {
    /// The input was already prepared.
    Borrowed(&'a str),
    /// Preparation changed it.
    #[cfg(feature = "std")]
    Owned(alloc::string::String),
}

impl Prepared<'_> {
    /// The prepared text.
    pub fn as_str(&self) -> &str {
        match self {
            Prepared::Borrowed(s) => s,
            #[cfg(feature = "std")]
            Prepared::Owned(s) => s,
        }
    }
}

/// Applies SASLprep to `password`.
pub fn saslprep(password: &str) -> Result<Prepared<'_>, SaslprepError> {
    if password.bytes().all(|b| (0x20..0x7F).contains(&b)) {
        return Ok(Prepared::Borrowed(password));
    }
    if password.bytes().any(|b| b < 0x20 || b == 0x7F) {
        return Err(SaslprepError::Prohibited);
    }
    prepare_unicode(password)
}

#[cfg(feature = "std")]
fn prepare_unicode(password: &str) -> Result<Prepared<'_>, SaslprepError> {
    use alloc::borrow::Cow;
    match stringprep::saslprep(password) {
        Ok(Cow::Borrowed(s)) => Ok(Prepared::Borrowed(s)),
        Ok(Cow::Owned(s)) => Ok(Prepared::Owned(s)),
        Err(_) => Err(SaslprepError::Prohibited),
    }
}

#[cfg(not(feature = "std"))]
fn prepare_unicode(_password: &str) -> Result<Prepared<'_>, SaslprepError> {
    Err(SaslprepError::NeedsUnicodeTables)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_is_unchanged() {
        assert_eq!(
            saslprep("VOkJxbRl1RmTxUk/WvJxBt").unwrap().as_str(),
            "VOkJxbRl1RmTxUk/WvJxBt"
        );
        assert_eq!(saslprep("a\u{7}b"), Err(SaslprepError::Prohibited));
    }

    #[cfg(feature = "std")]
    #[test]
    fn rfc4013_examples() {
        // RFC 4013 §3: soft hyphen maps to nothing, ligature-free text unchanged, U+00AA NFKC to "a".
        assert_eq!(saslprep("I\u{AD}X").unwrap().as_str(), "IX");
        assert_eq!(saslprep("\u{AA}").unwrap().as_str(), "a");
        assert_eq!(saslprep("\u{2168}").unwrap().as_str(), "IX");
        assert!(saslprep("\u{7}").is_err());
    }
}
