//! Long-term credentials (RFC 8489 §9.2): key = MD5(username ":" realm ":" SASLprep(password)), or
//! SHA-256 of the same when PASSWORD-ALGORITHM says so (§9.2.2); USERHASH (§14.4).

use md5::Md5;
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use super::{saslprep, SaslprepError};
use crate::integrity::IntegrityKey;

/// A long-term key as hashed from the credentials, zeroized on drop.
#[derive(Clone, PartialEq, Eq)]
pub enum LongTermKey {
    /// MD5, 16 bytes (the default, and RFC 5389's only one).
    Md5([u8; 16]),
    /// SHA-256, 32 bytes (PASSWORD-ALGORITHM 0x0002).
    Sha256([u8; 32]),
}

impl LongTermKey {
    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            LongTermKey::Md5(k) => k,
            LongTermKey::Sha256(k) => k,
        }
    }

    /// The MESSAGE-INTEGRITY key.
    pub fn integrity_key(&self) -> IntegrityKey {
        IntegrityKey::new(self.as_bytes())
    }
}

impl core::fmt::Debug for LongTermKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("LongTermKey(..)")
    }
}

impl Drop for LongTermKey {
    fn drop(&mut self) {
        match self {
            LongTermKey::Md5(k) => k.zeroize(),
            LongTermKey::Sha256(k) => k.zeroize(),
        }
    }
}

fn hash_credentials<D: Digest>(
    username: &str,
    realm: &str,
    password: &str,
) -> Result<D, SaslprepError> {
    let password = saslprep(password)?;
    let mut d = D::new();
    d.update(username.as_bytes());
    d.update(b":");
    d.update(realm.as_bytes());
    d.update(b":");
    d.update(password.as_str().as_bytes());
    Ok(d)
}

/// MD5(username ":" realm ":" SASLprep(password)) (RFC 8489 §9.2.2).
pub fn long_term_key_md5(
    username: &str,
    realm: &str,
    password: &str,
) -> Result<LongTermKey, SaslprepError> {
    let d = hash_credentials::<Md5>(username, realm, password)?;
    Ok(LongTermKey::Md5(d.finalize().into()))
}

/// SHA-256(username ":" realm ":" SASLprep(password)) (RFC 8489 §9.2.2).
pub fn long_term_key_sha256(
    username: &str,
    realm: &str,
    password: &str,
) -> Result<LongTermKey, SaslprepError> {
    let d = hash_credentials::<Sha256>(username, realm, password)?;
    Ok(LongTermKey::Sha256(d.finalize().into()))
}

/// USERHASH = SHA-256(username ":" realm) (RFC 8489 §14.4).
pub fn userhash(username: &str, realm: &str) -> [u8; 32] {
    let mut d = Sha256::new();
    d.update(username.as_bytes());
    d.update(b":");
    d.update(realm.as_bytes());
    d.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_key_of_rfc5769() {
        // RFC 5769 §2.4: user "マトリックス", realm "example.org", password "TheMatrIX".
        let k = long_term_key_md5(
            "\u{30DE}\u{30C8}\u{30EA}\u{30C3}\u{30AF}\u{30B9}",
            "example.org",
            "TheMatrIX",
        )
        .unwrap();
        assert_eq!(k.as_bytes().len(), 16);
    }
}
