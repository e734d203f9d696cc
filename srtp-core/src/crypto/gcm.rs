//! AES-GCM for AEAD_AES_128_GCM and AEAD_AES_256_GCM (RFC 7714 §5): RustCrypto `aes-gcm` by
//! default, `ring` with the `ring` feature.
//!
//! `ring` measured 2.1x (160-byte payload) to 5x (1200 bytes) faster on an AES-NI/VAES CPU
//! (`benches/primitives.rs`). Both backends keep the crate's promise that a refused packet is left
//! unchanged: see [`Gcm::open`].
//!
//! Zeroization: with `aes-gcm` the expanded key (AES round keys and the GHASH key) is zeroized on
//! drop by that crate (its `zeroize` feature). `ring`'s keys are opaque and ring does not zeroize
//! them; on drop this type overwrites the key in place with the key of the all-zero AES key (a public
//! value), a best effort: copies made when the key was moved (at construction) are not reached.

/// The GCM tag length (RFC 7714 §5.2.2).
pub(crate) const TAG_LEN: usize = 16;

#[cfg(not(feature = "ring"))]
use aes_gcm::aead::AeadInPlace;
#[cfg(not(feature = "ring"))]
use aes_gcm::{Aes128Gcm, Aes256Gcm, KeyInit, Nonce, Tag};

/// An AES-128-GCM or AES-256-GCM key.
// Not boxed: this crate needs no allocator.
#[cfg(not(feature = "ring"))]
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub(crate) enum Gcm {
    /// AEAD_AES_128_GCM.
    Aes128(Aes128Gcm),
    /// AEAD_AES_256_GCM.
    Aes256(Aes256Gcm),
}

#[cfg(not(feature = "ring"))]
impl Gcm {
    /// Expands a 128-bit `key`.
    pub(crate) fn new(key: &[u8; 16]) -> Self {
        Self::Aes128(Aes128Gcm::new(key.into()))
    }

    /// Expands a 256-bit `key`.
    pub(crate) fn new_256(key: &[u8; 32]) -> Self {
        Self::Aes256(Aes256Gcm::new(key.into()))
    }

    /// Encrypts `data` in place and returns the tag; `None` (data unchanged) only for inputs beyond
    /// 2^36 bytes, which no packet reaches.
    pub(crate) fn seal(&self, iv: &[u8; 12], aad: &[u8], data: &mut [u8]) -> Option<[u8; TAG_LEN]> {
        let nonce = Nonce::from_slice(iv);
        match self {
            Self::Aes128(aead) => aead.encrypt_in_place_detached(nonce, aad, data),
            Self::Aes256(aead) => aead.encrypt_in_place_detached(nonce, aad, data),
        }
        .ok()
        .map(Into::into)
    }

    /// Verifies `tag`, then decrypts `data` in place; leaves `data` unchanged when it returns `false`.
    pub(crate) fn open(
        &self,
        iv: &[u8; 12],
        aad: &[u8],
        data: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> bool {
        let (nonce, tag) = (Nonce::from_slice(iv), Tag::from_slice(tag));
        match self {
            Self::Aes128(aead) => aead.decrypt_in_place_detached(nonce, aad, data, tag),
            Self::Aes256(aead) => aead.decrypt_in_place_detached(nonce, aad, data, tag),
        }
        .is_ok()
    }
}

/// An AES-128-GCM or AES-256-GCM key (ring).
#[cfg(feature = "ring")]
#[derive(Clone)]
pub(crate) struct Gcm {
    /// `None` only if ring refused a 16-byte AES-128 or 32-byte AES-256 key, which it does not:
    /// then every seal and open fails rather than anything going out unprotected.
    key: Option<ring::aead::LessSafeKey>,
}

/// Largest payload [`Gcm::open`] restores from a stack copy when ring refuses it; longer ones are
/// verified before they are decrypted (three passes instead of one).
#[cfg(feature = "ring")]
const OPEN_COPY_MAX: usize = 1536;
/// The copy for small packets (audio), so that they do not pay for clearing the large buffer.
#[cfg(feature = "ring")]
const OPEN_COPY_SMALL: usize = 256;

#[cfg(feature = "ring")]
impl Gcm {
    /// Expands a 128-bit `key`.
    pub(crate) fn new(key: &[u8; 16]) -> Self {
        Self::with(&ring::aead::AES_128_GCM, key)
    }

    /// Expands a 256-bit `key`.
    pub(crate) fn new_256(key: &[u8; 32]) -> Self {
        Self::with(&ring::aead::AES_256_GCM, key)
    }

    fn with(algorithm: &'static ring::aead::Algorithm, key: &[u8]) -> Self {
        Self {
            key: ring::aead::UnboundKey::new(algorithm, key)
                .ok()
                .map(ring::aead::LessSafeKey::new),
        }
    }

    /// Encrypts `data` in place and returns the tag; `None` (data unchanged) only for inputs beyond
    /// 2^36 bytes, which no packet reaches.
    pub(crate) fn seal(&self, iv: &[u8; 12], aad: &[u8], data: &mut [u8]) -> Option<[u8; TAG_LEN]> {
        let tag = self
            .key
            .as_ref()?
            .seal_in_place_separate_tag(
                ring::aead::Nonce::assume_unique_for_key(*iv),
                ring::aead::Aad::from(aad),
                data,
            )
            .ok()?;
        tag.as_ref().try_into().ok()
    }

    /// Verifies `tag`, then decrypts `data` in place; leaves `data` unchanged when it returns `false`.
    ///
    /// ring decrypts and authenticates in one pass and zeroes the output on a bad tag, so a payload
    /// of up to [`OPEN_COPY_MAX`] bytes is copied to the stack first and restored on failure (the
    /// copy costs a few percent of the open). A longer one is authenticated before it is decrypted:
    /// sealing the ciphertext under the same nonce turns it into the plaintext, sealing that turns
    /// it back and yields the tag the ciphertext must carry; only a match is then opened.
    pub(crate) fn open(
        &self,
        iv: &[u8; 12],
        aad: &[u8],
        data: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> bool {
        let Some(key) = &self.key else {
            return false;
        };
        if data.len() <= OPEN_COPY_SMALL {
            open_restoring::<OPEN_COPY_SMALL>(key, iv, aad, data, tag)
        } else if data.len() <= OPEN_COPY_MAX {
            open_restoring::<OPEN_COPY_MAX>(key, iv, aad, data, tag)
        } else {
            let expected = self
                .seal(iv, aad, data)
                .and_then(|_| self.seal(iv, aad, data));
            match expected {
                Some(expected) if super::ct_eq_16(&expected, tag) => {
                    open_in_place(key, iv, aad, data, tag)
                }
                _ => false,
            }
        }
    }
}

#[cfg(feature = "ring")]
fn open_in_place(
    key: &ring::aead::LessSafeKey,
    iv: &[u8; 12],
    aad: &[u8],
    data: &mut [u8],
    tag: &[u8; TAG_LEN],
) -> bool {
    key.open_in_place_separate_tag(
        ring::aead::Nonce::assume_unique_for_key(*iv),
        ring::aead::Aad::from(aad),
        ring::aead::Tag::from(*tag),
        data,
        0..,
    )
    .is_ok()
}

/// Opens `data` (at most `N` bytes) in place, restoring it from a stack copy when the tag is wrong.
#[cfg(feature = "ring")]
fn open_restoring<const N: usize>(
    key: &ring::aead::LessSafeKey,
    iv: &[u8; 12],
    aad: &[u8],
    data: &mut [u8],
    tag: &[u8; TAG_LEN],
) -> bool {
    let mut copy = [0u8; N];
    let Some(saved) = copy.get_mut(..data.len()) else {
        return false;
    };
    saved.copy_from_slice(data);
    if open_in_place(key, iv, aad, data, tag) {
        return true;
    }
    data.copy_from_slice(saved);
    false
}

#[cfg(feature = "ring")]
impl Drop for Gcm {
    fn drop(&mut self) {
        // Best effort (see the module doc): replace the secret key schedule in place with a public
        // one of the same size, and keep the store from being optimized away as dead.
        if let Some(algorithm) = self.key.as_ref().map(ring::aead::LessSafeKey::algorithm) {
            let zero = [0u8; 32];
            self.key = ring::aead::UnboundKey::new(
                algorithm,
                zero.get(..algorithm.key_len()).unwrap_or_default(),
            )
            .ok()
            .map(ring::aead::LessSafeKey::new);
            core::hint::black_box(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every path of `open` (the small and large stack copies, and verify-then-decrypt beyond
    /// them): a round trip, and a wrong tag or AAD refused with the data unchanged.
    #[test]
    fn open_refuses_and_restores_at_every_size() {
        for gcm in [Gcm::new(&[9; 16]), Gcm::new_256(&[9; 32])] {
            open_refuses_and_restores(&gcm);
        }
    }

    fn open_refuses_and_restores(gcm: &Gcm) {
        let iv = [3; 12];
        let aad = [0x80u8, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5];
        for len in [
            0usize, 1, 15, 16, 17, 160, 255, 256, 257, 1200, 1535, 1536, 1537, 4000,
        ] {
            let plain: alloc::vec::Vec<u8> = (0..len).map(|i| (i * 31 + 7) as u8).collect();
            let mut data = plain.clone();
            let tag = gcm.seal(&iv, &aad, &mut data).unwrap();
            let sealed = data.clone();
            let mut bad_tag = tag;
            bad_tag[len % 16] ^= 1;
            assert!(!gcm.open(&iv, &aad, &mut data, &bad_tag), "{len}");
            assert_eq!(data, sealed, "{len}");
            assert!(!gcm.open(&iv, &aad[..11], &mut data, &tag), "{len}");
            assert_eq!(data, sealed, "{len}");
            if len > 0 {
                data[len / 2] ^= 0x40;
                let flipped = data.clone();
                assert!(!gcm.open(&iv, &aad, &mut data, &tag), "{len}");
                assert_eq!(data, flipped, "{len}");
                data[len / 2] ^= 0x40;
            }
            assert!(gcm.open(&iv, &aad, &mut data, &tag), "{len}");
            assert_eq!(data, plain, "{len}");
        }
    }
}
