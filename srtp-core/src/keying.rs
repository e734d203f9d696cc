//! Master keys and salts: from SDES `a=crypto` key parameters (RFC 4568 §6.1) and from DTLS-SRTP
//! exported keying material (RFC 5764 §4.2).

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::{Error, Profile};

/// Longest MKI this crate carries, in bytes (RFC 4568 allows 128; deployments use 1 to 4).
pub const MAX_MKI_LEN: usize = 16;

/// Longest master key of the profiles this build has: 32 bytes with `AEAD_AES_256_GCM` (the `gcm`
/// or `ring` feature), 16 otherwise (so builds without GCM keep their smaller contexts).
#[cfg(any(feature = "gcm", feature = "ring"))]
const MAX_MASTER_KEY_LEN: usize = 32;
#[cfg(not(any(feature = "gcm", feature = "ring")))]
const MAX_MASTER_KEY_LEN: usize = 16;

/// Padding-indifferent standard base64, as SDES keys are written both ways.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A master key identifier (RFC 3711 §3.1), carried in every packet when configured.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Mki {
    bytes: [u8; MAX_MKI_LEN],
    len: u8,
}

impl Mki {
    /// An MKI of the given bytes (1 to [`MAX_MKI_LEN`]).
    ///
    /// # Errors
    /// [`Error::BadKey`] when empty or too long.
    pub fn new(value: &[u8]) -> Result<Self, Error> {
        if value.is_empty() || value.len() > MAX_MKI_LEN {
            return Err(Error::BadKey("MKI must be 1 to 16 bytes"));
        }
        let mut bytes = [0; MAX_MKI_LEN];
        bytes
            .get_mut(..value.len())
            .unwrap_or_default()
            .copy_from_slice(value);
        Ok(Self {
            bytes,
            len: value.len() as u8,
        })
    }

    /// The MKI bytes as sent on the wire.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
    }
}

impl core::fmt::Debug for Mki {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Mki({:02x?})", self.as_bytes())
    }
}

/// Which end of the DTLS handshake this endpoint was (RFC 5764 §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtlsRole {
    /// The DTLS client: it protects with the client write key.
    Client,
    /// The DTLS server: it protects with the server write key.
    Server,
}

/// One master key and salt for one direction, with its profile, optional MKI and lifetime.
///
/// Zeroized on drop; `Debug` never prints the key.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct KeyingMaterial {
    #[zeroize(skip)]
    profile: Profile,
    /// The first [`Profile::master_key_len`] bytes are the key, the rest zero.
    key: [u8; MAX_MASTER_KEY_LEN],
    salt: [u8; 14],
    #[zeroize(skip)]
    mki: Option<Mki>,
    #[zeroize(skip)]
    lifetime: Option<u64>,
}

impl core::fmt::Debug for KeyingMaterial {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyingMaterial")
            .field("profile", &self.profile)
            .field("mki", &self.mki)
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

impl KeyingMaterial {
    /// The all-zero placeholder an unkeyed [`crate::Stream`] holds; never used to protect anything.
    pub(crate) const UNKEYED: Self = Self {
        profile: Profile::AesCm128HmacSha1_80,
        key: [0; MAX_MASTER_KEY_LEN],
        salt: [0; 14],
        mki: None,
        lifetime: None,
    };

    /// A master key (16 bytes, 32 for `AEAD_AES_256_GCM`) and salt (14 bytes, 12 for GCM) for
    /// `profile`.
    ///
    /// # Errors
    /// [`Error::BadKey`] when a length does not match the profile.
    pub fn new(profile: Profile, key: &[u8], salt: &[u8]) -> Result<Self, Error> {
        if key.len() != profile.master_key_len() {
            return Err(Error::BadKey(
                "master key length does not match the profile",
            ));
        }
        if salt.len() != profile.master_salt_len() {
            return Err(Error::BadKey(
                "master salt length does not match the profile",
            ));
        }
        let mut k = [0u8; MAX_MASTER_KEY_LEN];
        k.get_mut(..key.len())
            .unwrap_or_default()
            .copy_from_slice(key);
        let mut s = [0u8; 14];
        s.get_mut(..salt.len())
            .unwrap_or_default()
            .copy_from_slice(salt);
        Ok(Self {
            profile,
            key: k,
            salt: s,
            mki: None,
            lifetime: None,
        })
    }

    /// Key and salt concatenated, as SDES `inline:` and most APIs carry them.
    ///
    /// # Errors
    /// [`Error::BadKey`] when the length is not key + salt of the profile.
    pub fn from_key_salt(profile: Profile, key_salt: &[u8]) -> Result<Self, Error> {
        let (key, salt) = key_salt
            .split_at_checked(profile.master_key_len())
            .ok_or(Error::BadKey("key||salt too short"))?;
        Self::new(profile, key, salt)
    }

    /// Parses SDES key parameters (RFC 4568 §6.1): `inline:<base64 key||salt>[|<lifetime>][|<MKI>:<len>]`,
    /// the lifetime as a decimal or `2^n`. Several key parameters separated by `;` are not supported:
    /// pass one.
    ///
    /// # Errors
    /// [`Error::BadKey`] saying which part is malformed.
    pub fn from_sdes(profile: Profile, key_params: &str) -> Result<Self, Error> {
        let rest = key_params
            .strip_prefix("inline:")
            .ok_or(Error::BadKey("key method must be inline:"))?;
        let mut parts = rest.split('|');
        let b64 = parts.next().unwrap_or_default();
        let mut raw = [0u8; 48];
        let n = BASE64
            .decode_slice(b64, &mut raw)
            .map_err(|_| Error::BadKey("inline key is not base64"))?;
        let material = Self::from_key_salt(profile, raw.get(..n).unwrap_or_default());
        raw.zeroize();
        let mut material = material?;
        for part in parts {
            if let Some((value, len)) = part.split_once(':') {
                let value: u64 = value
                    .parse()
                    .map_err(|_| Error::BadKey("MKI value is not a number"))?;
                let len: usize = len
                    .parse()
                    .map_err(|_| Error::BadKey("MKI length is not a number"))?;
                if len == 0 || len > MAX_MKI_LEN || (len < 8 && value >> (8 * len) != 0) {
                    return Err(Error::BadKey("MKI length out of range"));
                }
                let mut bytes = [0u8; MAX_MKI_LEN];
                let be = value.to_be_bytes();
                for (d, s) in bytes
                    .get_mut(..len)
                    .unwrap_or_default()
                    .iter_mut()
                    .rev()
                    .zip(be.iter().rev())
                {
                    *d = *s;
                }
                material.mki = Some(Mki::new(bytes.get(..len).unwrap_or_default())?);
            } else {
                let lifetime = match part.strip_prefix("2^") {
                    Some(exp) => {
                        let exp: u32 = exp
                            .parse()
                            .map_err(|_| Error::BadKey("lifetime exponent"))?;
                        1u64.checked_shl(exp)
                            .filter(|_| exp < 64)
                            .ok_or(Error::BadKey("lifetime exponent"))?
                    }
                    None => part
                        .parse()
                        .map_err(|_| Error::BadKey("lifetime is not a number"))?,
                };
                material.lifetime = Some(lifetime);
            }
        }
        Ok(material)
    }

    /// Splits DTLS-SRTP exported keying material (RFC 5764 §4.2: client key, server key, client salt,
    /// server salt) into `(local, remote)`: the keys this endpoint protects and unprotects with.
    ///
    /// # Errors
    /// [`Error::BadKey`] when `exported` is not [`Self::dtls_exporter_len`] bytes.
    pub fn from_dtls_srtp(
        profile: Profile,
        exported: &[u8],
        role: DtlsRole,
    ) -> Result<(Self, Self), Error> {
        if exported.len() != Self::dtls_exporter_len(profile) {
            return Err(Error::BadKey(
                "exported keying material length does not match the profile",
            ));
        }
        let k = profile.master_key_len();
        let s = profile.master_salt_len();
        let part = |at: usize, len: usize| exported.get(at..at + len).unwrap_or_default();
        let client = Self::new(profile, part(0, k), part(2 * k, s))?;
        let server = Self::new(profile, part(k, k), part(2 * k + s, s))?;
        Ok(match role {
            DtlsRole::Client => (client, server),
            DtlsRole::Server => (server, client),
        })
    }

    /// How many bytes to ask the DTLS exporter for (label `EXTRACTOR-dtls_srtp`): 2 × (key + salt).
    #[must_use]
    pub const fn dtls_exporter_len(profile: Profile) -> usize {
        2 * (profile.master_key_len() + profile.master_salt_len())
    }

    /// Sets the MKI sent with (and expected in) every packet.
    #[must_use]
    pub fn with_mki(mut self, mki: Mki) -> Self {
        self.mki = Some(mki);
        self
    }

    /// Limits the master key to `packets` packets (RFC 4568 §6.1 lifetime); never above the
    /// RFC 3711 limits.
    #[must_use]
    pub fn with_lifetime(mut self, packets: u64) -> Self {
        self.lifetime = Some(packets);
        self
    }

    /// The protection profile.
    #[must_use]
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The master key ([`Profile::master_key_len`] bytes: 16, 32 for `AEAD_AES_256_GCM`).
    #[must_use]
    pub fn master_key(&self) -> &[u8] {
        self.key
            .get(..self.profile.master_key_len())
            .unwrap_or_default()
    }

    /// The master salt (14 bytes, 12 for GCM).
    #[must_use]
    pub fn master_salt(&self) -> &[u8] {
        self.salt
            .get(..self.profile.master_salt_len())
            .unwrap_or_default()
    }

    /// The MKI, when one is configured.
    #[must_use]
    pub fn mki(&self) -> Option<&Mki> {
        self.mki.as_ref()
    }

    /// The lifetime in packets, when one was given.
    #[must_use]
    pub fn lifetime(&self) -> Option<u64> {
        self.lifetime
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdes_inline() {
        // RFC 4568 §6.1 example key.
        let p = "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4";
        let m = KeyingMaterial::from_sdes(Profile::AesCm128HmacSha1_80, p).unwrap();
        assert_eq!(m.lifetime(), Some(1 << 20));
        assert_eq!(m.mki().unwrap().as_bytes(), &[0, 0, 0, 1]);
        assert_eq!(&m.master_key()[..4], b"=-n@");
        assert_eq!(m.master_salt().len(), 14);
        let m = KeyingMaterial::from_sdes(
            Profile::AesCm128HmacSha1_80,
            "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR",
        )
        .unwrap();
        assert!(m.mki().is_none() && m.lifetime().is_none());
        assert!(alloc::format!("{m:?}").find("key").is_none());
        for bad in [
            "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR",
            "inline:PS1u",
            "inline:!!!!",
            "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^x",
            "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|1:0",
            "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|256:1",
        ] {
            assert!(
                KeyingMaterial::from_sdes(Profile::AesCm128HmacSha1_80, bad).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn dtls_split_by_role() {
        let exported: alloc::vec::Vec<u8> = (0..60).collect();
        let p = Profile::AesCm128HmacSha1_80;
        let (local, remote) =
            KeyingMaterial::from_dtls_srtp(p, &exported, DtlsRole::Client).unwrap();
        assert_eq!(local.master_key()[..], exported[..16]);
        assert_eq!(remote.master_key()[..], exported[16..32]);
        assert_eq!(local.master_salt(), &exported[32..46]);
        assert_eq!(remote.master_salt(), &exported[46..60]);
        let (local, _) = KeyingMaterial::from_dtls_srtp(p, &exported, DtlsRole::Server).unwrap();
        assert_eq!(local.master_key()[..], exported[16..32]);
        assert!(KeyingMaterial::from_dtls_srtp(p, &exported[..59], DtlsRole::Server).is_err());
    }

    /// RFC 5764 §4.2 with `SRTP_AEAD_AES_256_GCM` (RFC 7714 §14.2): 2 × (32 + 12) bytes.
    #[cfg(any(feature = "gcm", feature = "ring"))]
    #[test]
    fn dtls_split_aes_256_gcm() {
        let p = Profile::AeadAes256Gcm;
        assert_eq!(KeyingMaterial::dtls_exporter_len(p), 88);
        let exported: alloc::vec::Vec<u8> = (0..88).collect();
        let (local, remote) =
            KeyingMaterial::from_dtls_srtp(p, &exported, DtlsRole::Server).unwrap();
        assert_eq!(local.master_key(), &exported[32..64]);
        assert_eq!(remote.master_key(), &exported[..32]);
        assert_eq!(local.master_salt(), &exported[76..88]);
        assert_eq!(remote.master_salt(), &exported[64..76]);
        assert!(KeyingMaterial::from_dtls_srtp(p, &exported[..60], DtlsRole::Client).is_err());
        // Key lengths are the profile's, both ways.
        assert!(KeyingMaterial::new(p, &[1; 16], &[2; 12]).is_err());
        assert!(KeyingMaterial::new(Profile::AeadAes128Gcm, &[1; 32], &[2; 12]).is_err());
        assert!(KeyingMaterial::from_key_salt(p, &[1; 43]).is_err());
        // SDES (RFC 7714 §14.1): a 44-byte inline key.
        let m = KeyingMaterial::from_sdes(
            p,
            "inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKis",
        )
        .unwrap();
        assert_eq!(m.master_key(), &exported[..32]);
        assert_eq!(m.master_salt(), &exported[32..44]);
        assert_eq!(Profile::from_sdes_name("AEAD_AES_256_GCM"), Some(p));
        assert_eq!(Profile::from_dtls_id(0x0008), Some(p));
        assert_eq!((p.sdes_name(), p.dtls_id()), ("AEAD_AES_256_GCM", 0x0008));
        assert_eq!((p.rtp_tag_len(), p.rtcp_tag_len()), (16, 16));
        assert!(p.is_aead());
    }
}
