//! The primitives of the transforms: AES counter mode (RFC 3711 §4.1.1), HMAC-SHA1 with precomputed
//! states (RFC 3711 §4.2.1) and AES-GCM (RFC 7714).

pub(crate) mod aes_cm;
#[cfg(any(feature = "gcm", feature = "ring"))]
pub(crate) mod gcm;
pub(crate) mod hmac_sha1;

/// Whether two tags are equal, in constant time.
#[cfg(feature = "ring")]
fn ct_eq_16(a: &[u8; 16], b: &[u8; 16]) -> bool {
    use subtle::ConstantTimeEq as _;
    bool::from(a.ct_eq(b))
}
