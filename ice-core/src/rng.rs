//! The agent's only source of randomness: xoshiro256** seeded by the caller (the tie-breaker,
//! credentials, transaction IDs and consent jitter all come from it; RFC 8445 §16.1, RFC 7675 §5.1).

/// A seeded xoshiro256** generator. Not cryptographic by itself: its output is exactly as
/// unpredictable as the caller's seed, which should come from the OS's secure RNG.
#[derive(Clone)]
pub(crate) struct Rng {
    s: [u64; 4],
}

impl core::fmt::Debug for Rng {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Rng(..)")
    }
}

impl Rng {
    pub(crate) fn new(seed: [u8; 32]) -> Self {
        let mut s = [0u64; 4];
        for (word, chunk) in s.iter_mut().zip(seed.chunks_exact(8)) {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            *word = u64::from_le_bytes(b);
        }
        // An all-zero state would only ever produce zeros: stir it through SplitMix64.
        let mut x = s
            .iter()
            .fold(0x9E37_79B9_7F4A_7C15u64, |a, w| a ^ w.rotate_left(17));
        for word in &mut s {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            *word ^= z ^ (z >> 31);
        }
        Rng { s }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let [s0, s1, s2, s3] = &mut self.s;
        let result = s1.wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = *s1 << 17;
        *s2 ^= *s0;
        *s3 ^= *s1;
        *s1 ^= *s2;
        *s0 ^= *s3;
        *s2 ^= t;
        *s3 = s3.rotate_left(45);
        result
    }

    pub(crate) fn fill(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.iter_mut().zip(v).for_each(|(d, s)| *d = s);
        }
    }

    /// A value in `0..n` (n > 0; slight modulo bias is irrelevant here).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub(crate) fn seed32(&mut self) -> [u8; 32] {
        let mut s = [0u8; 32];
        self.fill(&mut s);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_nonzero() {
        let mut a = Rng::new([0; 32]);
        let mut b = Rng::new([0; 32]);
        let x = a.next_u64();
        assert_ne!(x, 0);
        assert_eq!(x, b.next_u64());
        assert_ne!(Rng::new([1; 32]).next_u64(), x);
        assert!(a.below(10) < 10);
    }
}
