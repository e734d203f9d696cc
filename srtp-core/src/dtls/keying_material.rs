//! What a completed handshake yields: exported keying material and the SRTP sessions keyed from
//! it (RFC 5764 §4.2).

use core::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

use super::{DtlsVersion, Fingerprint, SrtpProtectionProfile};
use crate::{Config, DtlsRole, Error, KeyingMaterial, Session};

/// Longest exported keying material (`SRTP_AEAD_AES_256_GCM`: 2 × (32 + 12)).
pub const MAX_EXPORTED_LEN: usize = 88;

/// The TLS exporter's output for label `EXTRACTOR-dtls_srtp`, no context (RFC 5764 §4.2,
/// RFC 5705 §4; RFC 8446 §7.5 in DTLS 1.3): client write key, server write key, client salt,
/// server salt. The same bytes OpenSSL prints for `-keymatexport EXTRACTOR-dtls_srtp`.
///
/// Zeroized on drop; `Debug` prints only the length.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct ExportedKeyingMaterial {
    bytes: [u8; MAX_EXPORTED_LEN],
    #[zeroize(skip)]
    len: usize,
}

impl ExportedKeyingMaterial {
    pub(crate) fn new(bytes: &[u8]) -> Option<Self> {
        let mut out = [0u8; MAX_EXPORTED_LEN];
        out.get_mut(..bytes.len())?.copy_from_slice(bytes);
        Some(Self {
            bytes: out,
            len: bytes.len(),
        })
    }

    /// Keying material exported by another DTLS stack (OpenSSL's `SSL_export_keying_material`,
    /// say), to key [`SrtpSessions`] from.
    ///
    /// # Errors
    /// [`Error::BadKey`] when longer than [`MAX_EXPORTED_LEN`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        Self::new(bytes).ok_or(Error::BadKey(
            "exported keying material longer than 88 bytes",
        ))
    }

    /// The exported bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

impl fmt::Debug for ExportedKeyingMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ExportedKeyingMaterial({} bytes)", self.len)
    }
}

/// The two SRTP sessions of one DTLS-SRTP association, keyed by role (RFC 5764 §4.2): the
/// client protects with the client write key and salt, the server with the server's.
#[derive(Debug)]
pub struct SrtpSessions {
    /// Protects what this endpoint sends (`protect_rtp`, `protect_rtcp`).
    pub outbound: Session,
    /// Verifies and decrypts what the peer sends (`unprotect_rtp`, `unprotect_rtcp`).
    pub inbound: Session,
}

impl SrtpSessions {
    /// Splits `exported` by `role` and keys both sessions with `config`. `profile` is the
    /// negotiated one's [`SrtpProtectionProfile::srtp_profile`] (or, for keying material another
    /// DTLS stack exported, any [`crate::Profile`] it negotiated).
    ///
    /// # Errors
    /// As [`KeyingMaterial::from_dtls_srtp`] and [`Session::new`].
    pub fn new(
        profile: crate::Profile,
        exported: &ExportedKeyingMaterial,
        role: DtlsRole,
        config: &Config,
    ) -> Result<Self, Error> {
        let (local, remote) = KeyingMaterial::from_dtls_srtp(profile, exported.as_bytes(), role)?;
        Ok(Self {
            outbound: Session::new(&local, config)?,
            inbound: Session::new(&remote, config)?,
        })
    }
}

/// A completed, authenticated DTLS-SRTP handshake (carried by
/// [`super::DtlsEvent::Connected`]).
#[derive(Debug)]
#[non_exhaustive]
pub struct Connected {
    /// The DTLS version negotiated.
    pub version: DtlsVersion,
    /// This endpoint's role.
    pub role: DtlsRole,
    /// The SRTP protection profile `use_srtp` selected.
    pub profile: SrtpProtectionProfile,
    /// The peer certificate's fingerprint (under the hash function of the remote
    /// `a=fingerprint`, which it matched).
    pub peer_fingerprint: Fingerprint,
    /// The exported keying material both sessions were keyed from.
    pub keying_material: ExportedKeyingMaterial,
    /// The sessions, ready: keyed for [`SrtpProtectionProfile::srtp_profile`] of `profile`, split
    /// by `role` (RFC 5764 §4.2), with [`super::DtlsConfig::srtp`].
    pub srtp: SrtpSessions,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_and_hidden() {
        let m = ExportedKeyingMaterial::new(&[7; 60]).unwrap();
        assert_eq!(m.as_bytes(), &[7; 60]);
        assert_eq!(std::format!("{m:?}"), "ExportedKeyingMaterial(60 bytes)");
        assert!(ExportedKeyingMaterial::new(&[0; 89]).is_none());
    }
}
