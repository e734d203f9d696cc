//! The primitives of the transforms: AES counter mode (RFC 3711 §4.1.1), HMAC-SHA1 with precomputed
//! states (RFC 3711 §4.2.1) and AES-GCM (RFC 7714).

pub(crate) mod aes_cm;
#[cfg(feature = "gcm")]
pub(crate) mod gcm;
pub(crate) mod hmac_sha1;
