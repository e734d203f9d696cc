//! Certificate fingerprints as `a=fingerprint` carries them (RFC 8122 §5).

use core::fmt;

use sha1::Digest as _;
use sha2::Digest as _;
use subtle::ConstantTimeEq as _;

use super::DtlsError;

/// Longest fingerprint, in bytes (SHA-512).
pub const MAX_FINGERPRINT_LEN: usize = 64;

/// A hash function of `a=fingerprint`, by its textual name in the IANA "Hash Function Textual
/// Names" registry (RFC 8122 §5, §8). WebRTC endpoints use `sha-256` (RFC 8827 §6.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HashFunction {
    /// `sha-1` (legacy: RFC 8122 §5 keeps it for backward compatibility).
    Sha1,
    /// `sha-224`.
    Sha224,
    /// `sha-256`.
    Sha256,
    /// `sha-384`.
    Sha384,
    /// `sha-512`.
    Sha512,
}

impl HashFunction {
    /// The function named `name`, case-insensitively (RFC 8122 §5: "case-insensitive"); `None`
    /// for `md5`, `md2` (no longer allowed) and unknown names.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Self::Sha1,
            Self::Sha224,
            Self::Sha256,
            Self::Sha384,
            Self::Sha512,
        ]
        .into_iter()
        .find(|h| h.name().eq_ignore_ascii_case(name))
    }

    /// The textual name, lowercase as RFC 8122 writes it.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "sha-1",
            Self::Sha224 => "sha-224",
            Self::Sha256 => "sha-256",
            Self::Sha384 => "sha-384",
            Self::Sha512 => "sha-512",
        }
    }

    /// The digest length in bytes.
    #[must_use]
    pub const fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha224 => 28,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    fn digest(self, data: &[u8], out: &mut [u8; MAX_FINGERPRINT_LEN]) {
        fn put(out: &mut [u8], digest: &[u8]) {
            for (o, d) in out.iter_mut().zip(digest) {
                *o = *d;
            }
        }
        match self {
            Self::Sha1 => put(out, &sha1::Sha1::digest(data)),
            Self::Sha224 => put(out, &sha2::Sha224::digest(data)),
            Self::Sha256 => put(out, &sha2::Sha256::digest(data)),
            Self::Sha384 => put(out, &sha2::Sha384::digest(data)),
            Self::Sha512 => put(out, &sha2::Sha512::digest(data)),
        }
    }
}

/// A certificate fingerprint: a hash function and the hash of the DER certificate
/// (RFC 8122 §5). `Display` writes the `a=fingerprint` value, `sha-256 AB:CD:…` (uppercase hex,
/// as RFC 8122 §5 asks).
///
/// `==` compares in variable time; [`Self::matches_certificate`], which the endpoint uses to
/// check the peer, in constant time.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    hash_function: HashFunction,
    bytes: [u8; MAX_FINGERPRINT_LEN],
}

impl Fingerprint {
    /// A fingerprint from its parts, e.g. sdp-core's `Fingerprint::to_bytes()` and the hash
    /// function named by its `hash_function` ([`HashFunction::from_name`]).
    ///
    /// # Errors
    /// [`DtlsError::BadFingerprint`] when `bytes` is not the hash function's output length.
    pub fn new(hash_function: HashFunction, bytes: &[u8]) -> Result<Self, DtlsError> {
        if bytes.len() != hash_function.output_len() {
            return Err(DtlsError::BadFingerprint(
                "length does not match the hash function",
            ));
        }
        let mut out = [0u8; MAX_FINGERPRINT_LEN];
        for (o, b) in out.iter_mut().zip(bytes) {
            *o = *b;
        }
        Ok(Self {
            hash_function,
            bytes: out,
        })
    }

    /// The fingerprint of a DER certificate under `hash_function`.
    #[must_use]
    pub fn of_certificate(hash_function: HashFunction, der: &[u8]) -> Self {
        let mut bytes = [0u8; MAX_FINGERPRINT_LEN];
        hash_function.digest(der, &mut bytes);
        Self {
            hash_function,
            bytes,
        }
    }

    /// Parses an `a=fingerprint` value: `<hash-func> <HH:HH:…>` (RFC 8122 §5; hex in either
    /// case).
    ///
    /// # Errors
    /// [`DtlsError::BadFingerprint`] saying which part is wrong.
    pub fn parse(value: &str) -> Result<Self, DtlsError> {
        let (name, hex) = value
            .trim()
            .split_once(' ')
            .ok_or(DtlsError::BadFingerprint("missing hash function or value"))?;
        let hash_function = HashFunction::from_name(name)
            .ok_or(DtlsError::BadFingerprint("unsupported hash function"))?;
        let mut bytes = [0u8; MAX_FINGERPRINT_LEN];
        let mut n = 0usize;
        for pair in hex.trim().split(':') {
            let slot = bytes
                .get_mut(n)
                .ok_or(DtlsError::BadFingerprint("too long"))?;
            *slot = match pair.as_bytes() {
                [h, l] => (hex_digit(*h)? << 4) | hex_digit(*l)?,
                _ => return Err(DtlsError::BadFingerprint("expected hex pairs")),
            };
            n += 1;
        }
        Self::new(hash_function, bytes.get(..n).unwrap_or_default())
    }

    /// The hash function.
    #[must_use]
    pub fn hash_function(&self) -> HashFunction {
        self.hash_function
    }

    /// The hash bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes
            .get(..self.hash_function.output_len())
            .unwrap_or_default()
    }

    /// Whether the DER certificate hashes to this fingerprint, compared in constant time
    /// (RFC 8122 §5, RFC 5763 §5).
    #[must_use]
    pub fn matches_certificate(&self, der: &[u8]) -> bool {
        let theirs = Self::of_certificate(self.hash_function, der);
        bool::from(self.as_bytes().ct_eq(theirs.as_bytes()))
    }
}

fn hex_digit(c: u8) -> Result<u8, DtlsError> {
    match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        b'A'..=b'F' => Ok(c - b'A' + 10),
        _ => Err(DtlsError::BadFingerprint("expected hex pairs")),
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.hash_function.name())?;
        for (i, b) in self.as_bytes().iter().enumerate() {
            write!(f, "{}{b:02X}", if i == 0 { ' ' } else { ':' })?;
        }
        Ok(())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn parse_display_match() {
        let der = b"not really a certificate";
        let fp = Fingerprint::of_certificate(HashFunction::Sha256, der);
        let text = fp.to_string();
        assert!(text.starts_with("sha-256 "));
        assert_eq!(text.len(), 8 + 32 * 3 - 1);
        assert_eq!(Fingerprint::parse(&text), Ok(fp));
        assert_eq!(Fingerprint::parse(&text.to_lowercase()), Ok(fp));
        assert_eq!(
            Fingerprint::parse(&text.replace("sha-256", "SHA-256")),
            Ok(fp)
        );
        assert!(fp.matches_certificate(der));
        assert!(!fp.matches_certificate(b"another certificate"));
        // SHA-256 of the empty string, a known answer.
        let empty = Fingerprint::of_certificate(HashFunction::Sha256, b"");
        assert_eq!(empty.as_bytes()[..4], [0xe3, 0xb0, 0xc4, 0x42]);
        for bad in [
            "sha-256",
            "md5 AB:CD",
            "sha-256 AB:CD",
            "sha-256 AB:CG",
            "sha-256 ABC:D",
            "sha-1 00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00",
        ] {
            assert!(
                matches!(Fingerprint::parse(bad), Err(DtlsError::BadFingerprint(_))),
                "{bad}"
            );
        }
        for h in [
            HashFunction::Sha1,
            HashFunction::Sha224,
            HashFunction::Sha384,
            HashFunction::Sha512,
        ] {
            let fp = Fingerprint::of_certificate(h, der);
            assert_eq!(fp.as_bytes().len(), h.output_len());
            assert_eq!(Fingerprint::parse(&fp.to_string()), Ok(fp));
        }
    }
}
