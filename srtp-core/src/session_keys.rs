//! Session keys of one stream and direction-independent transform (RFC 3711 §4.3, RFC 7714 §11),
//! and the per-packet IVs (RFC 3711 §4.1.1, RFC 7714 §8.1 and §9.1).

use zeroize::Zeroize;

use crate::crypto::aes_cm::AesCm;
#[cfg(any(feature = "gcm", feature = "ring"))]
use crate::crypto::gcm::Gcm;
use crate::crypto::hmac_sha1::HmacSha1;
use crate::key_derivation::{Kdf, Label};
use crate::KeyingMaterial;
#[cfg(any(feature = "gcm", feature = "ring"))]
use crate::Profile;

/// Whether keys are for RTP or RTCP: they use different labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Rtp,
    Rtcp,
}

/// The session keys of one kind of packet, ready for use: round keys and HMAC states expanded once.
// Not boxed: this crate needs no allocator. The variants differ by about 200 bytes (AES-CM's
// schedule holds both the AES-NI and the software round keys).
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub(crate) enum SessionKeys {
    /// AES-CM encryption and HMAC-SHA1 authentication.
    AesCmHmac {
        /// The session encryption key, expanded.
        cipher: AesCm,
        /// The 112-bit session salt, already in its IV position ([`AesCmSalt`]).
        salt: AesCmSalt,
        /// The keyed HMAC.
        auth: HmacSha1,
    },
    /// AES-GCM (AES-128 or AES-256, RFC 7714 §12).
    #[cfg(any(feature = "gcm", feature = "ring"))]
    Gcm {
        /// The session key (128 or 256 bits, as the master key), expanded.
        aead: Gcm,
        /// The 96-bit session salt.
        salt: [u8; 12],
    },
    /// No keys yet ([`crate::Stream::unkeyed`]): every packet is refused with
    /// [`crate::Error::NotKeyed`].
    Unkeyed,
}

impl Drop for SessionKeys {
    fn drop(&mut self) {
        match self {
            Self::AesCmHmac { salt, .. } => salt.0.zeroize(),
            #[cfg(any(feature = "gcm", feature = "ring"))]
            Self::Gcm { salt, .. } => salt.zeroize(),
            Self::Unkeyed => {}
        }
    }
}

impl SessionKeys {
    /// Derives the keys of `kind` for `r = index DIV kdr` from a master key (RFC 3711 §4.3.1).
    ///
    /// Out of line: on the packet path only a non-zero key derivation rate calls it, and inlined
    /// it grew protect's stack frame by about 750 bytes (measured in the firmware).
    #[inline(never)]
    pub(crate) fn derive(material: &KeyingMaterial, kind: Kind, r: u64) -> Self {
        let kdf = Kdf::new(material.master_key(), material.master_salt());
        Self::derive_with(&kdf, material, kind, r)
    }

    /// Replaces `self` with the keys of `kind` for `r`, written straight into `self` (no copy of
    /// the expanded keys through the stack: what bounds [`crate::Stream::reset`]'s stack use). The
    /// old keys are dropped (zeroized) first.
    pub(crate) fn derive_into(&mut self, kdf: &Kdf, material: &KeyingMaterial, kind: Kind, r: u64) {
        *self = Self::Unkeyed;
        *self = Self::derive_with(kdf, material, kind, r);
    }

    /// [`Self::derive`] with the PRF already keyed.
    #[inline(always)]
    #[cfg_attr(not(any(feature = "gcm", feature = "ring")), allow(unused_variables))]
    fn derive_with(kdf: &Kdf, material: &KeyingMaterial, kind: Kind, r: u64) -> Self {
        let (enc, auth, salt_label) = match kind {
            Kind::Rtp => (
                Label::RtpEncryption,
                Label::RtpAuthentication,
                Label::RtpSalt,
            ),
            Kind::Rtcp => (
                Label::RtcpEncryption,
                Label::RtcpAuthentication,
                Label::RtcpSalt,
            ),
        };
        #[cfg(any(feature = "gcm", feature = "ring"))]
        match material.profile() {
            Profile::AeadAes128Gcm => {
                let mut key = [0u8; 16];
                kdf.derive(enc, r, &mut key);
                let aead = Gcm::new(&key);
                key.zeroize();
                let mut salt = [0u8; 12];
                kdf.derive(salt_label, r, &mut salt);
                return Self::Gcm { aead, salt };
            }
            // RFC 7714 §11: the session encryption key is as long as the master key, 256 bits.
            Profile::AeadAes256Gcm => {
                let mut key = [0u8; 32];
                kdf.derive(enc, r, &mut key);
                let aead = Gcm::new_256(&key);
                key.zeroize();
                let mut salt = [0u8; 12];
                kdf.derive(salt_label, r, &mut salt);
                return Self::Gcm { aead, salt };
            }
            _ => {}
        }
        let mut key = [0u8; 16];
        kdf.derive(enc, r, &mut key);
        let mut salt = [0u8; 14];
        kdf.derive(salt_label, r, &mut salt);
        let mut auth_key = [0u8; 20];
        kdf.derive(auth, r, &mut auth_key);
        let keys = Self::AesCmHmac {
            cipher: AesCm::new(&key),
            salt: AesCmSalt::new(&salt),
            auth: HmacSha1::new(&auth_key),
        };
        key.zeroize();
        salt.zeroize();
        auth_key.zeroize();
        keys
    }
}

/// The 112-bit AES-CM session salt as the IV's top 112 bits, `salt * 2^16` (RFC 3711 §4.1.1):
/// shifted once when the keys are derived, not per packet. Wiped with its [`SessionKeys`].
#[derive(Clone, Copy)]
pub(crate) struct AesCmSalt(u128);

impl AesCmSalt {
    pub(crate) fn new(salt: &[u8; 14]) -> Self {
        let mut bytes = [0u8; 16];
        if let Some(dst) = bytes.get_mut(..14) {
            dst.copy_from_slice(salt);
        }
        let word = u128::from_be_bytes(bytes);
        bytes.zeroize();
        Self(word)
    }
}

/// The AES-CM IV: `(salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16)` (RFC 3711 §4.1.1).
#[inline]
pub(crate) fn aes_cm_iv(salt: &AesCmSalt, ssrc: u32, index: u64) -> [u8; 16] {
    (salt.0 ^ u128::from(ssrc) << 64 ^ u128::from(index & 0xffff_ffff_ffff) << 16).to_be_bytes()
}

/// The GCM IV: `(00 00 || SSRC || ROC || SEQ) XOR salt` for SRTP (RFC 7714 §8.1), or
/// `(00 00 || SSRC || 00 00 || 0 || SRTCP index) XOR salt` for SRTCP (§9.1); `index` is the
/// 48-bit packet index or the 31-bit SRTCP index.
#[cfg(any(feature = "gcm", feature = "ring"))]
pub(crate) fn gcm_iv(salt: &[u8; 12], ssrc: u32, index: u64) -> [u8; 12] {
    let mut x = u128::from(ssrc) << 48 | u128::from(index & 0xffff_ffff_ffff);
    for (i, s) in salt.iter().enumerate() {
        x ^= u128::from(*s) << (8 * (11 - i));
    }
    let mut iv = [0u8; 12];
    iv.copy_from_slice(x.to_be_bytes().get(4..).unwrap_or_default());
    iv
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> alloc::vec::Vec<u8> {
        let s: alloc::string::String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// RFC 3711 §4.1.1: salt, SSRC and index land in their octets.
    #[test]
    fn aes_cm_iv_layout() {
        let iv = aes_cm_iv(&AesCmSalt::new(&[0; 14]), 0x0102_0304, 0x5566_7788_99aa);
        assert_eq!(iv[..], hex("00000000 01020304 5566778899aa 0000")[..]);
        let iv = aes_cm_iv(&AesCmSalt::new(&[0xff; 14]), 0, 0);
        assert_eq!(iv[..], hex("ffffffffffffffffffffffffffff0000")[..]);
        let salt: [u8; 14] = core::array::from_fn(|i| 0x10 + i as u8);
        let iv = aes_cm_iv(&AesCmSalt::new(&salt), 0x0102_0304, 0x5566_7788_99aa);
        assert_eq!(iv[..], hex("10111213 15171513 4d7f6d93 85b7 0000")[..]);
    }

    /// RFC 7714 §16.1.1 (AEAD_AES_128_GCM, SRTP): IV, ciphertext and tag from the session key and salt.
    #[cfg(any(feature = "gcm", feature = "ring"))]
    #[test]
    fn rfc7714_srtp_vector() {
        let key: [u8; 16] = hex("000102030405060708090a0b0c0d0e0f").try_into().unwrap();
        let salt: [u8; 12] = hex("517569642070726f2071756f").try_into().unwrap();
        let iv = gcm_iv(&salt, 0x5501_a0b2, 0xf17b);
        assert_eq!(iv[..], hex("51753c6580c2726f20718414")[..]);
        let mut packet = hex(
            "8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976
             69736120 696e2070 61727465 73207472 6573",
        );
        let (aad, payload) = packet.split_at_mut(12);
        let tag = Gcm::new(&key).seal(&iv, aad, payload).unwrap();
        let mut out = packet.clone();
        out.extend_from_slice(&tag);
        let want = hex(
            "8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5
             0d294e6f 42a5f47a 51c7d19b 36de3adf 8833899d 7f27beb1 6a9152cf 765ee439 0cce",
        );
        assert_eq!(out, want);
        // And back, refusing a wrong tag without touching the data.
        let (aad, payload) = out.split_at_mut(12);
        let (payload, _) = payload.split_at_mut(payload.len() - 16);
        let before = payload.to_vec();
        assert!(!Gcm::new(&key).open(&iv, aad, payload, &[0; 16]));
        assert_eq!(payload, &before[..]);
        assert!(Gcm::new(&key).open(&iv, aad, payload, &tag));
        assert_eq!(payload, &hex("47616c6c 69612065 7374206f 6d6e6973 20646976 69736120 696e2070 61727465 73207472 6573")[..]);
    }

    /// RFC 7714 §16.2.1/§16.2.2 (AEAD_AES_256_GCM, SRTP): the same packet under the 256-bit
    /// session key, and back.
    #[cfg(any(feature = "gcm", feature = "ring"))]
    #[test]
    fn rfc7714_srtp_vector_aes_256() {
        let key: [u8; 32] =
            hex("000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f")
                .try_into()
                .unwrap();
        let salt: [u8; 12] = hex("517569642070726f2071756f").try_into().unwrap();
        let iv = gcm_iv(&salt, 0x5501_a0b2, 0xf17b);
        let plain = hex(
            "8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976
             69736120 696e2070 61727465 73207472 6573",
        );
        let want = hex(
            "8040f17b 8041f8d3 5501a0b2 32b1de78 a822fe12 ef9f78fa 332e33aa b1801238
             9a58e2f3 b50b2a02 76ffae0f 1ba63799 b87b7aa3 db36dfff d6b0f9bb 7878d7a7 6c13",
        );
        let gcm = Gcm::new_256(&key);
        let mut packet = plain.clone();
        let (aad, payload) = packet.split_at_mut(12);
        let tag = gcm.seal(&iv, aad, payload).unwrap();
        packet.extend_from_slice(&tag);
        assert_eq!(packet, want);
        let (aad, payload) = packet.split_at_mut(12);
        let (payload, tag) = payload.split_at_mut(payload.len() - 16);
        let tag: [u8; 16] = (&*tag).try_into().unwrap();
        // The 128-bit key's tag does not verify: the key size matters.
        assert!(!Gcm::new(&key[..16].try_into().unwrap()).open(&iv, aad, payload, &tag));
        assert!(gcm.open(&iv, aad, payload, &tag));
        assert_eq!(payload, &plain[12..]);
    }

    /// RFC 7714 §17.2 (AEAD_AES_256_GCM, SRTCP, encrypted): header and E||SRTCP index as AAD
    /// (§9.3), SSRC "Mars", index 0x5d4.
    #[cfg(any(feature = "gcm", feature = "ring"))]
    #[test]
    fn rfc7714_srtcp_vector_aes_256() {
        let key: [u8; 32] =
            hex("000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f")
                .try_into()
                .unwrap();
        let salt: [u8; 12] = hex("517569642070726f2071756f").try_into().unwrap();
        let rtcp = hex(
            "81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61
             deadbeef deadbeef deadbeef deadbeef deadbeef",
        );
        let want = hex(
            "81c8000d 4d617273 d50ae4d1 f5ce5d30 4ba297e4 7d470c28 2c3ece5d bffe0a50
             a2eaa5c1 110555be 8415f658 c61de047 6f1b6fad 1d1eb30c 4446839f 57ff6f6c
             b26ac3be 800005d4",
        );
        let iv = gcm_iv(&salt, 0x4d61_7273, 0x5d4);
        let mut aad = rtcp[..8].to_vec();
        aad.extend_from_slice(&hex("800005d4"));
        let mut data = rtcp[8..].to_vec();
        let tag = Gcm::new_256(&key).seal(&iv, &aad, &mut data).unwrap();
        data.extend_from_slice(&tag);
        assert_eq!(data[..], want[8..want.len() - 4]);
    }

    /// RFC 7714 §17.1: the SRTCP IV (SSRC "Mars", SRTCP index 0x5d4).
    #[cfg(any(feature = "gcm", feature = "ring"))]
    #[test]
    fn rfc7714_srtcp_iv() {
        let salt: [u8; 12] = hex("517569642070726f2071756f").try_into().unwrap();
        assert_eq!(
            gcm_iv(&salt, 0x4d61_7273, 0x5d4)[..],
            hex("517524055203726f207170bb")[..]
        );
    }
}
