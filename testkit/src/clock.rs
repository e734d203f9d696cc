//! The virtual clock: the family's one time type, [`Instant`] (`sans-io-time`, re-exported by
//! `rtcweb-proto` and every crate), counted from [`Instant::ZERO`] in whole milliseconds.
//!
//! A simulation starts at [`Instant::ZERO`] and only moves forward, jumping from one event to
//! the next ([`crate::Net::step`]); nothing reads a wall clock.

use core::time::Duration;

pub use rtcweb_proto::Instant;

/// `n` milliseconds after [`Instant::ZERO`].
#[must_use]
pub fn ms(n: u64) -> Instant {
    Instant::ZERO + Duration::from_millis(n)
}

/// `n` seconds after [`Instant::ZERO`].
#[must_use]
pub fn secs(n: u64) -> Instant {
    Instant::ZERO + Duration::from_secs(n)
}

/// Whole milliseconds from [`Instant::ZERO`] to `t` (0 before it).
#[must_use]
pub fn as_ms(t: Instant) -> u64 {
    u64::try_from(t.saturating_duration_since(Instant::ZERO).as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        assert_eq!(ms(0), Instant::ZERO);
        assert_eq!(as_ms(ms(1_234)), 1_234);
        assert_eq!(secs(3), ms(3_000));
        assert_eq!(as_ms(Instant::ZERO + Duration::from_micros(1_999)), 1);
    }
}
