//! The family's one source of randomness: ChaCha20 keyed by the caller's seed.

use chacha20::ChaCha20Rng;
use rand_core::{Rng as _, SeedableRng};

/// A cryptographically secure generator: the ChaCha20 keystream under a 256-bit key, the caller's
/// seed. Its output cannot be predicted from earlier output without the seed (unlike SplitMix64 or
/// xoshiro, whose state an observer recovers from a few outputs), which RFC 3261 §19.3 asks of SIP
/// tags, RFC 8489 §5 of STUN transaction IDs and RFC 8445 §5.3 of ICE credentials.
///
/// **The seed must come from the operating system's secure source** (`getrandom`, `/dev/urandom`,
/// a hardware TRNG on firmware), drawn fresh for every process or device boot; a constant seed is
/// for tests only. The library itself never reads a random source (Sans-IO). The key and the
/// buffered keystream are zeroized on drop.
pub struct Rng {
    inner: ChaCha20Rng,
}

impl core::fmt::Debug for Rng {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Rng(..)")
    }
}

impl Rng {
    /// A generator keyed by `seed` (32 bytes from the OS's secure source).
    #[must_use]
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Rng {
            inner: ChaCha20Rng::from_seed(seed),
        }
    }

    /// An independent generator keyed by 32 bytes of this one's output, for a sub-component
    /// (a TURN client inside an ICE agent, say) that needs its own.
    #[must_use]
    pub fn fork(&mut self) -> Rng {
        Rng::from_seed(self.seed32())
    }

    /// Fills `out` with random bytes.
    pub fn fill(&mut self, out: &mut [u8]) {
        self.inner.fill_bytes(out);
    }

    /// 32 random bytes (a seed for another generator, a key).
    #[must_use]
    pub fn seed32(&mut self) -> [u8; 32] {
        let mut s = [0u8; 32];
        self.fill(&mut s);
        s
    }

    /// 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// 32 random bits.
    pub fn next_u32(&mut self) -> u32 {
        self.inner.next_u32()
    }

    /// A uniformly distributed value in `0..n` (rejection sampling, no modulo bias); 0 when `n` is 0.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        // The largest multiple of n that fits in u64 space; values at or above it are redrawn.
        let zone = u64::MAX - (u64::MAX % n + 1) % n;
        loop {
            let v = self.next_u64();
            if v <= zone {
                return v % n;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_for_a_seed_and_distinct_across_seeds() {
        let mut a = Rng::from_seed([1; 32]);
        let mut b = Rng::from_seed([1; 32]);
        let mut c = Rng::from_seed([2; 32]);
        let x = a.next_u64();
        assert_eq!(x, b.next_u64());
        assert_ne!(x, c.next_u64());
        assert_ne!(a.next_u64(), x);
    }

    #[test]
    fn matches_the_chacha20_keystream() {
        // RFC 8439 §2.3.2 block function with an all-zero key, nonce and counter 0 starts with
        // 76 b8 e0 ad a0 f1 3d 90 (the ChaCha20 test vector of RFC 7539 A.1, test 1).
        let mut r = Rng::from_seed([0; 32]);
        let mut out = [0u8; 8];
        r.fill(&mut out);
        assert_eq!(out, [0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90]);
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut r = Rng::from_seed([3; 32]);
        let mut seen = [false; 7];
        for _ in 0..1000 {
            let v = r.below(7);
            assert!(v < 7);
            if let Some(s) = seen.get_mut(v as usize) {
                *s = true;
            }
        }
        assert!(seen.iter().all(|s| *s));
        assert_eq!(r.below(0), 0);
        assert!(r.below(u64::MAX) < u64::MAX);
    }

    #[test]
    fn fork_is_independent() {
        let mut a = Rng::from_seed([4; 32]);
        let mut child = a.fork();
        assert_ne!(child.next_u64(), a.next_u64());
    }
}
