//! AES-128-GCM for AEAD_AES_128_GCM (RFC 7714 §5), pure Rust (RustCrypto `aes-gcm`).

use aes_gcm::aead::AeadInPlace;
use aes_gcm::{Aes128Gcm, KeyInit, Nonce, Tag};

/// The GCM tag length (RFC 7714 §5.2.2).
pub(crate) const TAG_LEN: usize = 16;

/// An AES-128-GCM key.
#[derive(Clone)]
pub(crate) struct Gcm {
    aead: Aes128Gcm,
}

impl Gcm {
    /// Expands `key`.
    pub(crate) fn new(key: &[u8; 16]) -> Self {
        Self {
            aead: Aes128Gcm::new(key.into()),
        }
    }

    /// Encrypts `data` in place and returns the tag.
    pub(crate) fn seal(&self, iv: &[u8; 12], aad: &[u8], data: &mut [u8]) -> [u8; TAG_LEN] {
        match self
            .aead
            .encrypt_in_place_detached(Nonce::from_slice(iv), aad, data)
        {
            Ok(tag) => tag.into(),
            // Only for inputs beyond 2^36 bytes, which no packet reaches.
            Err(_) => [0; TAG_LEN],
        }
    }

    /// Verifies `tag`, then decrypts `data` in place; leaves `data` unchanged when it returns `false`.
    pub(crate) fn open(
        &self,
        iv: &[u8; 12],
        aad: &[u8],
        data: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> bool {
        self.aead
            .decrypt_in_place_detached(Nonce::from_slice(iv), aad, data, Tag::from_slice(tag))
            .is_ok()
    }
}
