//! Protection profiles (RFC 5764 §4.1.2, RFC 4568 §6.2, RFC 7714 §14).

/// An SRTP protection profile: cipher, authentication and their lengths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Profile {
    /// `AES_CM_128_HMAC_SHA1_80` (RFC 3711 §8.2): AES-128 counter mode, 80-bit HMAC-SHA1 tags.
    AesCm128HmacSha1_80,
    /// `AES_CM_128_HMAC_SHA1_32` (RFC 4568 §6.2.1): as `_80` but a 32-bit SRTP tag; SRTCP keeps 80 bits.
    AesCm128HmacSha1_32,
    /// `AEAD_AES_128_GCM` (RFC 7714 §14.2): AES-128-GCM with a 16-byte tag, 96-bit master salt.
    #[cfg(any(feature = "gcm", feature = "ring"))]
    AeadAes128Gcm,
    /// `AEAD_AES_256_GCM` (RFC 7714 §14.2): AES-256-GCM with a 16-byte tag, 256-bit master key,
    /// 96-bit master salt; session keys derived with the AES-256 PRF (`AES_256_CM_PRF`, RFC 6188 §3, as RFC 7714 §11 says).
    #[cfg(any(feature = "gcm", feature = "ring"))]
    AeadAes256Gcm,
}

impl Profile {
    /// Master key length in bytes: 16, 32 for `AEAD_AES_256_GCM` (RFC 7714 §12).
    #[must_use]
    pub const fn master_key_len(self) -> usize {
        match self {
            Self::AesCm128HmacSha1_80 | Self::AesCm128HmacSha1_32 => 16,
            #[cfg(any(feature = "gcm", feature = "ring"))]
            Self::AeadAes128Gcm => 16,
            #[cfg(any(feature = "gcm", feature = "ring"))]
            Self::AeadAes256Gcm => 32,
        }
    }

    /// Master salt length in bytes: 14 for AES-CM, 12 for GCM.
    #[must_use]
    pub const fn master_salt_len(self) -> usize {
        match self {
            Self::AesCm128HmacSha1_80 | Self::AesCm128HmacSha1_32 => 14,
            #[cfg(any(feature = "gcm", feature = "ring"))]
            Self::AeadAes128Gcm | Self::AeadAes256Gcm => 12,
        }
    }

    /// Authentication tag length of SRTP packets.
    #[must_use]
    pub const fn rtp_tag_len(self) -> usize {
        match self {
            Self::AesCm128HmacSha1_80 => 10,
            Self::AesCm128HmacSha1_32 => 4,
            #[cfg(any(feature = "gcm", feature = "ring"))]
            Self::AeadAes128Gcm | Self::AeadAes256Gcm => 16,
        }
    }

    /// Authentication tag length of SRTCP packets.
    #[must_use]
    pub const fn rtcp_tag_len(self) -> usize {
        match self {
            Self::AesCm128HmacSha1_80 | Self::AesCm128HmacSha1_32 => 10,
            #[cfg(any(feature = "gcm", feature = "ring"))]
            Self::AeadAes128Gcm | Self::AeadAes256Gcm => 16,
        }
    }

    /// Whether the profile is an AEAD (no separate authentication key).
    #[must_use]
    pub const fn is_aead(self) -> bool {
        match self {
            Self::AesCm128HmacSha1_80 | Self::AesCm128HmacSha1_32 => false,
            #[cfg(any(feature = "gcm", feature = "ring"))]
            Self::AeadAes128Gcm | Self::AeadAes256Gcm => true,
        }
    }

    /// The SDES crypto-suite name (RFC 4568 §6.2, RFC 7714 §14.2).
    #[must_use]
    pub const fn sdes_name(self) -> &'static str {
        match self {
            Self::AesCm128HmacSha1_80 => "AES_CM_128_HMAC_SHA1_80",
            Self::AesCm128HmacSha1_32 => "AES_CM_128_HMAC_SHA1_32",
            #[cfg(any(feature = "gcm", feature = "ring"))]
            Self::AeadAes128Gcm => "AEAD_AES_128_GCM",
            #[cfg(any(feature = "gcm", feature = "ring"))]
            Self::AeadAes256Gcm => "AEAD_AES_256_GCM",
        }
    }

    /// The profile named by an SDES crypto-suite (`None` when unsupported).
    #[must_use]
    pub fn from_sdes_name(name: &str) -> Option<Self> {
        match name {
            "AES_CM_128_HMAC_SHA1_80" => Some(Self::AesCm128HmacSha1_80),
            "AES_CM_128_HMAC_SHA1_32" => Some(Self::AesCm128HmacSha1_32),
            #[cfg(any(feature = "gcm", feature = "ring"))]
            "AEAD_AES_128_GCM" => Some(Self::AeadAes128Gcm),
            #[cfg(any(feature = "gcm", feature = "ring"))]
            "AEAD_AES_256_GCM" => Some(Self::AeadAes256Gcm),
            _ => None,
        }
    }

    /// The DTLS-SRTP protection profile identifier (RFC 5764 §4.1.2, RFC 7714 §14.2).
    #[must_use]
    pub const fn dtls_id(self) -> u16 {
        match self {
            Self::AesCm128HmacSha1_80 => 0x0001,
            Self::AesCm128HmacSha1_32 => 0x0002,
            #[cfg(any(feature = "gcm", feature = "ring"))]
            Self::AeadAes128Gcm => 0x0007,
            #[cfg(any(feature = "gcm", feature = "ring"))]
            Self::AeadAes256Gcm => 0x0008,
        }
    }

    /// The profile with a DTLS-SRTP identifier (`None` when unsupported).
    #[must_use]
    pub const fn from_dtls_id(id: u16) -> Option<Self> {
        match id {
            0x0001 => Some(Self::AesCm128HmacSha1_80),
            0x0002 => Some(Self::AesCm128HmacSha1_32),
            #[cfg(any(feature = "gcm", feature = "ring"))]
            0x0007 => Some(Self::AeadAes128Gcm),
            #[cfg(any(feature = "gcm", feature = "ring"))]
            0x0008 => Some(Self::AeadAes256Gcm),
            _ => None,
        }
    }
}
