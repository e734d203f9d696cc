//! Stateless nonces for Digest challenges (RFC 7616 §3.3 suggests time-stamp plus a keyed hash):
//! `nonce = hex(issue time) ‖ hex(HMAC-SHA256(secret, hex(issue time)))[..32]`. The server keeps no
//! per-nonce state; an expired but authentic nonce answers `stale=true` (RFC 7616 §3.3).

use rtcweb_proto::hmac::{HmacKey, Sha256};
use zeroize::Zeroize;

const TS_HEX: usize = 16;
const MAC_HEX: usize = 32;
/// Length of a nonce in characters.
pub const NONCE_LEN: usize = TS_HEX + MAC_HEX;

/// The server secret the nonces are keyed with, held only as precomputed HMAC-SHA256 states
/// ([`rtcweb_proto::hmac::HmacKey`]), which are zeroized on drop.
#[derive(Clone)]
pub struct NonceKey(HmacKey<Sha256>);

impl core::fmt::Debug for NonceKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("NonceKey(..)")
    }
}

/// A nonce: 48 ASCII hex characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nonce([u8; NONCE_LEN]);

impl Nonce {
    /// The nonce text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// Verdict on a nonce returned by a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonceStatus {
    /// Authentic and fresh.
    Valid,
    /// Authentic but older than the allowed age: challenge again with `stale=true`.
    Stale,
    /// Not one of ours (or from the future): challenge without `stale`.
    Invalid,
}

const HEX: &[u8; 16] = b"0123456789abcdef";

const fn hex_digit(n: u8) -> u8 {
    if n < 10 {
        b'0' + n
    } else {
        b'a' + n - 10
    }
}

fn hex_into(src: &[u8], dst: &mut [u8]) {
    for (pair, b) in dst.chunks_exact_mut(2).zip(src) {
        pair.copy_from_slice(&[hex_digit(b >> 4), hex_digit(b & 15)]);
    }
}

impl NonceKey {
    /// Keys nonces with a 32-byte secret (random, shared by every server of the realm); the
    /// caller's copy of the secret is the caller's to wipe.
    #[must_use]
    pub fn new(secret: [u8; 32]) -> Self {
        Self(HmacKey::new(&secret))
    }

    fn tag(&self, ts_hex: &[u8]) -> [u8; MAC_HEX] {
        let mut full = self.0.mac(ts_hex);
        let mut out = [0u8; MAC_HEX];
        hex_into(full.get(..MAC_HEX / 2).unwrap_or_default(), &mut out);
        full.zeroize();
        out
    }

    /// Issues a nonce at `now_unix_secs` (the caller's clock).
    #[must_use]
    pub fn issue(&self, now_unix_secs: u64) -> Nonce {
        let mut out = [0u8; NONCE_LEN];
        let (ts, mac) = out.split_at_mut(TS_HEX);
        hex_into(&now_unix_secs.to_be_bytes(), ts);
        mac.copy_from_slice(&self.tag(ts));
        Nonce(out)
    }

    /// Checks a nonce at `now_unix_secs`: authentic (constant-time) and at most `max_age_secs` old.
    #[must_use]
    pub fn check(&self, nonce: &str, now_unix_secs: u64, max_age_secs: u64) -> NonceStatus {
        let b = nonce.as_bytes();
        let (Some(ts), Some(mac)) = (b.get(..TS_HEX), b.get(TS_HEX..)) else {
            return NonceStatus::Invalid;
        };
        if b.len() != NONCE_LEN || !ts.iter().all(|c| HEX.contains(c)) {
            return NonceStatus::Invalid;
        }
        let want = self.tag(ts);
        if !bool::from(subtle::ConstantTimeEq::ct_eq(&want[..], mac)) {
            return NonceStatus::Invalid;
        }
        let issued = ts.iter().fold(0u64, |v, &c| {
            let d = HEX.iter().position(|&h| h == c).unwrap_or(0) as u64;
            v << 4 | d
        });
        match now_unix_secs.checked_sub(issued) {
            None => NonceStatus::Invalid,
            Some(age) if age > max_age_secs => NonceStatus::Stale,
            Some(_) => NonceStatus::Valid,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_and_check() {
        let k = NonceKey::new([7; 32]);
        let n = k.issue(1_700_000_000);
        assert_eq!(n.as_str().len(), NONCE_LEN);
        assert_eq!(k.check(n.as_str(), 1_700_000_010, 300), NonceStatus::Valid);
        assert_eq!(k.check(n.as_str(), 1_700_000_400, 300), NonceStatus::Stale);
        assert_eq!(
            k.check(n.as_str(), 1_699_999_000, 300),
            NonceStatus::Invalid
        );
        assert_eq!(
            NonceKey::new([8; 32]).check(n.as_str(), 1_700_000_010, 300),
            NonceStatus::Invalid
        );
        let mut forged = n.as_str().as_bytes().to_vec();
        forged[15] = if forged[15] == b'0' { b'1' } else { b'0' };
        assert_eq!(
            k.check(core::str::from_utf8(&forged).unwrap(), 1_700_000_010, 300),
            NonceStatus::Invalid
        );
        assert_eq!(k.check("short", 0, 300), NonceStatus::Invalid);
    }
}
