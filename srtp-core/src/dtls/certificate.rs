//! The endpoint's certificate: self-signed ECDSA P-256, made from the caller's seed or taken as
//! DER (RFC 8827 §6.5, RFC 5763 §5).

use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr as _;

use p256::ecdsa::{DerSignature, SigningKey};
use p256::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, EncodePublicKey as _};
use sha2::Digest as _;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder as _, CertificateBuilder};
use x509_cert::der::asn1::GeneralizedTime;
use x509_cert::der::referenced::OwnedToRef as _;
use x509_cert::der::{DateTime, Decode as _, Encode as _};
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use x509_cert::time::{Time, Validity};
use x509_cert::TbsCertificate;
use zeroize::Zeroizing;

use super::{DtlsError, Fingerprint, HashFunction};

/// The subject and issuer of a certificate this module makes. WebRTC peers identify each other
/// by fingerprint only (RFC 8827 §6.5), so the name carries nothing.
const SUBJECT: &str = "CN=rtcweb";

/// A DTLS certificate and its private key (PKCS#8 DER, zeroized on drop).
///
/// Only ECDSA P-256 and P-384 keys are usable (dimpl signs with ECDSA only). `Debug` never prints
/// the key.
#[derive(Clone)]
pub struct Certificate {
    der: Vec<u8>,
    private_key: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("fingerprint", &self.fingerprint())
            .finish_non_exhaustive()
    }
}

/// The X.509 profile of the certificates made here: self-signed, no extensions.
struct SelfSigned(Name);

impl BuilderProfile for SelfSigned {
    fn get_issuer(&self, subject: &Name) -> Name {
        subject.clone()
    }

    fn get_subject(&self) -> Name {
        self.0.clone()
    }

    fn build_extensions(
        &self,
        _spk: SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: SubjectPublicKeyInfoRef<'_>,
        _tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        Ok(Vec::new())
    }
}

/// SHA-256 of a label and the seed (and a counter): the derivation of every value this module
/// takes from the caller's seed.
fn derive(label: &[u8], seed: &[u8; 32], counter: u8) -> Zeroizing<[u8; 32]> {
    let mut h = sha2::Sha256::new();
    h.update(label);
    h.update(seed);
    h.update([counter]);
    Zeroizing::new(h.finalize().into())
}

impl Certificate {
    /// Makes a self-signed ECDSA P-256 certificate (signed with ECDSA-SHA256) whose key and
    /// serial number come from `seed` and nothing else: the same seed gives the same certificate,
    /// so use a fresh, secret seed per certificate (32 bytes from the system's CSPRNG). Valid from
    /// 2000-01-01 to 9999-12-31 23:59:59 (RFC 5280 §4.1.2.5's "no well-defined expiration"),
    /// since WebRTC checks fingerprints, not dates, and a library without a clock cannot date it.
    ///
    /// # Errors
    /// [`DtlsError::Certificate`] if encoding fails (not expected).
    pub fn self_signed(seed: &[u8; 32]) -> Result<Self, DtlsError> {
        // A scalar in [1, n-1]: a 32-byte hash is out of range with probability about 2^-32.
        let key = (0..=u8::MAX)
            .find_map(|i| {
                SigningKey::from_slice(&*derive(b"rtcweb dtls certificate key", seed, i)).ok()
            })
            .ok_or(DtlsError::Certificate(
                "no valid P-256 scalar from the seed",
            ))?;
        let mut serial = *derive(b"rtcweb dtls certificate serial", seed, 0);
        // Positive and of full length: 16 bytes, the first in 0x40..=0x7f (RFC 5280 §4.1.2.2,
        // at most 20 octets). Unique serials keep Firefox happy (one issuer name for all).
        let serial = serial
            .get_mut(..16)
            .map(|s| {
                if let Some(first) = s.first_mut() {
                    *first = (*first & 0x7f) | 0x40;
                }
                &*s
            })
            .ok_or(DtlsError::Certificate("serial"))?;
        let serial =
            SerialNumber::new(serial).map_err(|_| DtlsError::Certificate("serial number"))?;
        let not_before =
            DateTime::new(2000, 1, 1, 0, 0, 0).map_err(|_| DtlsError::Certificate("validity"))?;
        let not_after = DateTime::new(9999, 12, 31, 23, 59, 59)
            .map_err(|_| DtlsError::Certificate("validity"))?;
        let validity = Validity::new(
            Time::from(not_before),
            Time::GeneralTime(GeneralizedTime::from_date_time(not_after)),
        );
        let spki = SubjectPublicKeyInfoOwned::from_key(key.verifying_key())
            .map_err(|_| DtlsError::Certificate("public key"))?;
        let name = Name::from_str(SUBJECT).map_err(|_| DtlsError::Certificate("name"))?;
        let builder = CertificateBuilder::new(SelfSigned(name), serial, validity, spki)
            .map_err(|_| DtlsError::Certificate("builder"))?;
        let certificate = builder
            .build::<_, DerSignature>(&key)
            .map_err(|_| DtlsError::Certificate("signing"))?;
        let der = certificate
            .to_der()
            .map_err(|_| DtlsError::Certificate("encoding"))?;
        let private_key = key
            .to_pkcs8_der()
            .map_err(|_| DtlsError::Certificate("private key encoding"))?;
        Ok(Self {
            der,
            private_key: Zeroizing::new(private_key.as_bytes().to_vec()),
        })
    }

    /// Takes a certificate (DER) and its ECDSA P-256 private key (PKCS#8 DER), e.g. from
    /// `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1` converted to DER.
    ///
    /// # Errors
    /// [`DtlsError::Certificate`] when the certificate does not parse, the key is not a P-256
    /// PKCS#8 key, or the key is not the certificate's.
    pub fn from_der(certificate: &[u8], pkcs8_private_key: &[u8]) -> Result<Self, DtlsError> {
        let parsed = x509_cert::Certificate::from_der(certificate)
            .map_err(|_| DtlsError::Certificate("certificate is not X.509 DER"))?;
        let key = SigningKey::from_pkcs8_der(pkcs8_private_key)
            .map_err(|_| DtlsError::Certificate("private key is not P-256 PKCS#8 DER"))?;
        let ours = key
            .verifying_key()
            .to_public_key_der()
            .map_err(|_| DtlsError::Certificate("public key"))?;
        let theirs = parsed
            .tbs_certificate()
            .subject_public_key_info()
            .owned_to_ref()
            .to_der()
            .map_err(|_| DtlsError::Certificate("public key"))?;
        if ours.as_bytes() != theirs.as_slice() {
            return Err(DtlsError::Certificate(
                "private key does not match the certificate",
            ));
        }
        Ok(Self {
            der: certificate.to_vec(),
            private_key: Zeroizing::new(pkcs8_private_key.to_vec()),
        })
    }

    /// The certificate, DER.
    #[must_use]
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// Its SHA-256 fingerprint; `to_string()` gives the `a=fingerprint` value
    /// (`sha-256 AB:CD:…`, RFC 8122 §5).
    #[must_use]
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of_certificate(HashFunction::Sha256, &self.der)
    }

    /// The copy dimpl keeps (dimpl 0.9 does not zeroize it).
    pub(crate) fn to_dimpl(&self) -> dimpl::DtlsCertificate {
        dimpl::DtlsCertificate {
            certificate: self.der.clone(),
            private_key: self.private_key.to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_signed_is_deterministic_parseable_and_reloadable() {
        let a = Certificate::self_signed(&[1; 32]).unwrap();
        let b = Certificate::self_signed(&[1; 32]).unwrap();
        let c = Certificate::self_signed(&[2; 32]).unwrap();
        assert_eq!(a.der(), b.der());
        assert_ne!(a.fingerprint(), c.fingerprint());
        let parsed = x509_cert::Certificate::from_der(a.der()).unwrap();
        assert_eq!(
            parsed.tbs_certificate().serial_number().as_bytes().len(),
            16
        );
        let again = Certificate::from_der(a.der(), &a.private_key).unwrap();
        assert_eq!(again.fingerprint(), a.fingerprint());
        assert_eq!(
            Certificate::from_der(a.der(), &c.private_key).unwrap_err(),
            DtlsError::Certificate("private key does not match the certificate")
        );
        assert!(Certificate::from_der(b"junk", &a.private_key).is_err());
        assert!(Certificate::from_der(a.der(), b"junk").is_err());
        assert!(!std::format!("{a:?}").contains("private"));
    }
}
