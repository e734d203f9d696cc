//! What every demo and the CLI run on: the clock that maps `std::time` onto the family's
//! `Instant`, seeds from the operating system's secure random source, the [`node::Node`] shape of
//! a Sans-IO participant, and the std driver that blocks on a node's sockets and its next
//! deadline. The tokio driver lives with the call (`call::tokio_driver`): it parses SIP once
//! into a shared message for the call's party, which the generic `Node` does not model.

use std::time::Duration;

use rtcweb_sip_core::Instant;

pub mod node;
pub mod std_driver;

/// Maps `std::time::Instant` onto the family's `Instant`, shared by both parties of a call.
#[derive(Debug, Clone, Copy)]
pub struct Clock(std::time::Instant);

impl Clock {
    /// Starts counting now.
    pub fn new() -> Self {
        Clock(std::time::Instant::now())
    }
    /// The time now.
    pub fn now(&self) -> Instant {
        Instant::from_nanos(i64::try_from(self.0.elapsed().as_nanos()).unwrap_or(i64::MAX))
    }
    /// Time since start.
    pub fn elapsed(&self) -> Duration {
        self.0.elapsed()
    }
    /// How long until `deadline`.
    pub fn until(&self, deadline: Instant) -> Duration {
        deadline.saturating_duration_since(self.now())
    }
    /// The std instant of `deadline` (for tokio's timers).
    pub fn to_std(&self, deadline: Instant) -> std::time::Instant {
        self.0 + Duration::from_nanos(u64::try_from(deadline.as_nanos()).unwrap_or(0))
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new()
    }
}

/// Random bytes from the operating system's secure source (`getrandom`): seeds for the crates'
/// CSPRNG (`rtcweb_proto::Rng`), which never draw randomness themselves. Exits the process when the
/// OS has no entropy to give — continuing with predictable identifiers would be worse.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    if let Err(e) = getrandom::fill(&mut out) {
        eprintln!("rtcweb: the OS random source failed: {e}");
        std::process::exit(1);
    }
    out
}

/// A 32-byte seed for a party.
pub fn random_seed() -> [u8; 32] {
    random_bytes()
}
