//! MESSAGE-INTEGRITY (HMAC-SHA1), MESSAGE-INTEGRITY-SHA256 and FINGERPRINT computation (RFC 8489
//! §14.5–14.7).
//!
//! Both HMACs cover the message up to the attribute with the header's length field set as if the
//! attribute ended the message; FINGERPRINT likewise. The borrowed input is never modified: the
//! adjusted header is fed to the hash piecewise.

use rtcweb_proto::hmac::{HmacKey, Mac, Sha1, Sha256};
use subtle::ConstantTimeEq;

/// The XOR applied to the CRC-32 in FINGERPRINT (RFC 8489 §14.7).
pub const FINGERPRINT_XOR: u32 = 0x5354_554E;

/// A MESSAGE-INTEGRITY key with both HMACs keyed once, so each message costs only its own blocks.
///
/// It holds only the precomputed HMAC states ([`rtcweb_proto::hmac::HmacKey`]), which are
/// zeroized on drop, as is every MAC computed from them. Build it from the credentials in
/// [`credentials`](crate::credentials): the short-term password, or the long-term MD5/SHA-256 key.
#[derive(Clone)]
pub struct IntegrityKey {
    sha1: HmacKey<Sha1>,
    sha256: HmacKey<Sha256>,
}

impl IntegrityKey {
    /// Keys both HMACs with `key` (any length, as HMAC allows).
    pub fn new(key: &[u8]) -> Self {
        IntegrityKey {
            sha1: HmacKey::new(key),
            sha256: HmacKey::new(key),
        }
    }

    pub(crate) fn hmac_sha1(&self) -> Mac<'_, Sha1> {
        self.sha1.start()
    }

    pub(crate) fn hmac_sha256(&self) -> Mac<'_, Sha256> {
        self.sha256.start()
    }
}

impl core::fmt::Debug for IntegrityKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("IntegrityKey(..)")
    }
}

/// Feeds `buf[..end]` to `update` with the header's length field replaced by `end_len - 20`.
#[inline]
fn feed(buf: &[u8], end: usize, end_len: usize, mut update: impl FnMut(&[u8])) {
    let length = ((end_len - crate::wire::HEADER_LEN) as u16).to_be_bytes();
    update(buf.get(..2).unwrap_or(&[]));
    update(&length);
    update(buf.get(4..end).unwrap_or(&[]));
}

/// Computes HMAC-SHA1 over `buf[..at]` as if MESSAGE-INTEGRITY at `at` ended the message.
pub(crate) fn sha1_tag(buf: &[u8], at: usize, key: &IntegrityKey) -> [u8; 20] {
    let mut mac = key.hmac_sha1();
    feed(buf, at, at + 24, |b| mac.update(b));
    mac.finalize_truncated()
}

/// Computes HMAC-SHA256 over `buf[..at]` as if MESSAGE-INTEGRITY-SHA256 of `tag_len` bytes at `at`
/// ended the message.
pub(crate) fn sha256_tag(buf: &[u8], at: usize, tag_len: usize, key: &IntegrityKey) -> [u8; 32] {
    let mut mac = key.hmac_sha256();
    feed(buf, at, at + 4 + tag_len, |b| mac.update(b));
    mac.finalize()
}

/// Computes the FINGERPRINT value for an attribute at `at`.
pub(crate) fn fingerprint(buf: &[u8], at: usize) -> u32 {
    let mut crc = crc32fast::Hasher::new();
    feed(buf, at, at + 8, |b| crc.update(b));
    crc.finalize() ^ FINGERPRINT_XOR
}

pub(crate) fn verify_sha1(buf: &[u8], at: usize, key: &IntegrityKey) -> bool {
    let want = sha1_tag(buf, at, key);
    match buf.get(at + 4..at + 24) {
        Some(got) => bool::from(got.ct_eq(&want)),
        None => false,
    }
}

pub(crate) fn verify_sha256(buf: &[u8], at: usize, key: &IntegrityKey) -> bool {
    let tag_len = usize::from(crate::wire::attributes::be16(buf, at + 2).unwrap_or(0));
    let want = sha256_tag(buf, at, tag_len, key);
    match (buf.get(at + 4..at + 4 + tag_len), want.get(..tag_len)) {
        (Some(got), Some(want)) if tag_len >= 16 => bool::from(got.ct_eq(want)),
        _ => false,
    }
}

pub(crate) fn fingerprint_matches(buf: &[u8], at: usize) -> bool {
    crate::wire::attributes::be32(buf, at + 4) == Some(fingerprint(buf, at))
}
