//! [`SimRng`]: the network model's randomness (loss, duplication, jitter), SplitMix64.
//!
//! Not a CSPRNG and never handed to the crates as one: the state machines take a 32-byte seed
//! for `rtcweb_proto::Rng` (ChaCha20), which [`SimRng::seed`] draws, so one `u64` seed fixes a
//! whole run, network and endpoints alike.

/// SplitMix64 (Steele, Lea, Flood 2014): a 64-bit state, one add and three xor-shift-multiplies
/// per output; every seed, zero included, gives a full-period sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimRng(u64);

impl SimRng {
    /// A generator starting from `seed`.
    #[must_use]
    pub const fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64().checked_rem(n).unwrap_or(0)
    }

    /// True with probability `permille` / 1000 (always from 1000 up).
    pub fn chance(&mut self, permille: u32) -> bool {
        self.below(1000) < u64::from(permille)
    }

    /// 32 bytes to seed a state machine's own `rtcweb_proto::Rng` (tests only: production seeds
    /// come from the operating system).
    pub fn seed(&mut self) -> [u8; 32] {
        let mut s = [0u8; 32];
        for chunk in s.chunks_mut(8) {
            chunk.copy_from_slice(&self.next_u64().to_le_bytes());
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_spread() {
        let (mut a, mut b) = (SimRng::new(7), SimRng::new(7));
        assert_eq!(a.next_u64(), b.next_u64());
        assert_ne!(a.seed(), a.seed());
        let hits = (0..10_000).filter(|_| a.chance(250)).count();
        assert!((2_300..2_700).contains(&hits), "{hits}");
        assert!(!a.chance(0) && a.chance(1000));
        assert_eq!(a.below(0), 0);
    }
}
