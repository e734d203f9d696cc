//! Branches, tags and Call-IDs from a caller-supplied seed (RFC 3261 §8.1.1.7, §19.3).
//!
//! The library never reads a random source: the caller seeds this generator (from the OS in a
//! driver, from a constant in a test) and every identifier is derived from it.

use alloc::string::String;
use core::fmt::Write;

/// The RFC 3261 branch prefix (§8.1.1.7).
pub const MAGIC_COOKIE: &str = "z9hG4bK";

/// A deterministic identifier source (SplitMix64). Not cryptographic: seed it from a good random
/// source in production so tags and Call-IDs are unguessable (§19.3 asks for global uniqueness).
#[derive(Debug, Clone)]
pub struct IdGenerator {
    state: u64,
}

impl IdGenerator {
    /// A generator from a seed.
    #[must_use]
    pub const fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn hex(&mut self, words: usize, prefix: &str) -> String {
        let mut s = String::with_capacity(prefix.len() + 16 * words);
        s.push_str(prefix);
        for _ in 0..words {
            let _ = write!(s, "{:016x}", self.next_u64());
        }
        s
    }

    /// A new RFC 3261 branch: the magic cookie and 64 random bits.
    pub fn branch(&mut self) -> String {
        self.hex(1, MAGIC_COOKIE)
    }

    /// A new From/To tag (64 bits, §19.3).
    pub fn tag(&mut self) -> String {
        self.hex(1, "")
    }

    /// A new Call-ID (128 bits, §8.1.1.4).
    pub fn call_id(&mut self) -> String {
        self.hex(2, "")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_distinct() {
        let mut a = IdGenerator::new(7);
        let mut b = IdGenerator::new(7);
        assert_eq!(a.branch(), b.branch());
        let (x, y) = (a.tag(), a.tag());
        assert_ne!(x, y);
        assert!(a.branch().starts_with(MAGIC_COOKIE));
        assert_eq!(a.call_id().len(), 32);
    }
}
