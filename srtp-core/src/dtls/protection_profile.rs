//! The SRTP protection profiles `use_srtp` negotiates (RFC 5764 §4.1.2, RFC 7714 §14.2).

use core::fmt;

use crate::Profile;

/// An SRTP protection profile as negotiated in the DTLS `use_srtp` extension.
///
/// dimpl offers, and as a server prefers, `SRTP_AEAD_AES_256_GCM`, then
/// `SRTP_AEAD_AES_128_GCM`, then `SRTP_AES128_CM_HMAC_SHA1_80`; it cannot be told to offer
/// fewer. Each is an srtp-core [`Profile`] ([`Self::srtp_profile`]) that the sessions of
/// [`super::Connected`] are keyed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SrtpProtectionProfile {
    /// `SRTP_AES128_CM_HMAC_SHA1_80` (0x0001, RFC 5764 §4.1.2).
    Aes128CmHmacSha1_80,
    /// `SRTP_AEAD_AES_128_GCM` (0x0007, RFC 7714 §14.2).
    AeadAes128Gcm,
    /// `SRTP_AEAD_AES_256_GCM` (0x0008, RFC 7714 §14.2).
    AeadAes256Gcm,
}

impl SrtpProtectionProfile {
    /// The two-byte identifier of `SRTPProtectionProfile` (RFC 5764 §4.1.2).
    #[must_use]
    pub const fn id(self) -> u16 {
        match self {
            Self::Aes128CmHmacSha1_80 => 0x0001,
            Self::AeadAes128Gcm => 0x0007,
            Self::AeadAes256Gcm => 0x0008,
        }
    }

    /// The registered name, as OpenSSL's `-use_srtp` writes it.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Aes128CmHmacSha1_80 => "SRTP_AES128_CM_SHA1_80",
            Self::AeadAes128Gcm => "SRTP_AEAD_AES_128_GCM",
            Self::AeadAes256Gcm => "SRTP_AEAD_AES_256_GCM",
        }
    }

    /// Bytes of keying material to export: 2 × (master key + master salt) (RFC 5764 §4.2).
    #[must_use]
    pub const fn keying_material_len(self) -> usize {
        match self {
            Self::Aes128CmHmacSha1_80 => 2 * (16 + 14),
            Self::AeadAes128Gcm => 2 * (16 + 12),
            Self::AeadAes256Gcm => 2 * (32 + 12),
        }
    }

    /// The srtp-core profile it keys (RFC 5764 §4.1.2, RFC 7714 §14.2): master key and salt
    /// lengths, cipher and tags.
    #[must_use]
    pub const fn srtp_profile(self) -> Profile {
        match self {
            Self::Aes128CmHmacSha1_80 => Profile::AesCm128HmacSha1_80,
            Self::AeadAes128Gcm => Profile::AeadAes128Gcm,
            Self::AeadAes256Gcm => Profile::AeadAes256Gcm,
        }
    }

    /// The `use_srtp` profile of an srtp-core profile; `None` for those dimpl does not
    /// negotiate (`AES_CM_128_HMAC_SHA1_32`).
    #[must_use]
    pub const fn from_srtp_profile(profile: Profile) -> Option<Self> {
        match profile {
            Profile::AesCm128HmacSha1_80 => Some(Self::Aes128CmHmacSha1_80),
            Profile::AeadAes128Gcm => Some(Self::AeadAes128Gcm),
            Profile::AeadAes256Gcm => Some(Self::AeadAes256Gcm),
            _ => None,
        }
    }

    pub(crate) fn from_dimpl(p: dimpl::SrtpProfile) -> Option<Self> {
        match p {
            dimpl::SrtpProfile::AES128_CM_SHA1_80 => Some(Self::Aes128CmHmacSha1_80),
            dimpl::SrtpProfile::AEAD_AES_128_GCM => Some(Self::AeadAes128Gcm),
            dimpl::SrtpProfile::AEAD_AES_256_GCM => Some(Self::AeadAes256Gcm),
            _ => None,
        }
    }
}

impl fmt::Display for SrtpProtectionProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_lengths_and_srtp_profiles() {
        for (p, srtp) in [
            (
                SrtpProtectionProfile::Aes128CmHmacSha1_80,
                Profile::AesCm128HmacSha1_80,
            ),
            (SrtpProtectionProfile::AeadAes128Gcm, Profile::AeadAes128Gcm),
            (SrtpProtectionProfile::AeadAes256Gcm, Profile::AeadAes256Gcm),
        ] {
            assert_eq!(p.srtp_profile(), srtp);
            assert_eq!(SrtpProtectionProfile::from_srtp_profile(srtp), Some(p));
            // The same identifier on both sides (RFC 5764 §4.1.2, RFC 7714 §14.2).
            assert_eq!(p.id(), srtp.dtls_id());
            assert_eq!(Profile::from_dtls_id(p.id()), Some(srtp));
            assert_eq!(
                p.keying_material_len(),
                crate::KeyingMaterial::dtls_exporter_len(srtp)
            );
        }
        assert_eq!(
            SrtpProtectionProfile::from_srtp_profile(Profile::AesCm128HmacSha1_32),
            None
        );
        for d in [
            dimpl::SrtpProfile::AES128_CM_SHA1_80,
            dimpl::SrtpProfile::AEAD_AES_128_GCM,
            dimpl::SrtpProfile::AEAD_AES_256_GCM,
        ] {
            let ours = SrtpProtectionProfile::from_dimpl(d).unwrap();
            assert_eq!(ours.keying_material_len(), d.keying_material_len());
            assert_eq!(ours.name(), std::format!("{d}"));
        }
    }
}
