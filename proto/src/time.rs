//! Time arithmetic that never panics.
//!
//! `sans_io_time::Instant + Duration` panics when the sum overflows (about 292 years after the
//! clock's start). Durations taken from the network (`Expires`, `Retry-After`, `Session-Expires`,
//! `Flow-Timer`, STUN `LIFETIME`, …) can be anything up to `u64::MAX` seconds, so every deadline the
//! family computes goes through [`saturating_add`]: a huge duration becomes [`far_future`], a
//! deadline that never arrives, instead of a crash.

use core::time::Duration;
use sans_io_time::Instant;

/// The latest representable instant: a deadline that is never reached.
#[must_use]
#[inline]
pub fn far_future() -> Instant {
    Instant::from_nanos(i64::MAX)
}

/// `now + d`, or [`far_future`] when that overflows.
#[must_use]
#[inline]
pub fn saturating_add(now: Instant, d: Duration) -> Instant {
    now.checked_add(d).unwrap_or_else(far_future)
}

/// `now + secs` seconds, saturating (for durations read from a header as a number of seconds).
#[must_use]
#[inline]
pub fn after_secs(now: Instant, secs: u64) -> Instant {
    saturating_add(now, Duration::from_secs(secs))
}

/// `now + ms` milliseconds, saturating.
#[must_use]
#[inline]
pub fn after_millis(now: Instant, ms: u64) -> Instant {
    saturating_add(now, Duration::from_millis(ms))
}

/// `Instant + Duration` that saturates: `now.saturating_add(d)` reads like the `+` it replaces.
pub trait InstantExt {
    /// `self + d`, or [`far_future`] when that overflows.
    #[must_use]
    fn saturating_add(self, d: Duration) -> Instant;
}

impl InstantExt for Instant {
    #[inline]
    fn saturating_add(self, d: Duration) -> Instant {
        saturating_add(self, d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saturates_instead_of_panicking() {
        let now = Instant::from_nanos(5);
        assert_eq!(after_secs(now, u64::MAX), far_future());
        assert_eq!(after_secs(far_future(), 1), far_future());
        assert_eq!(after_millis(now, 2), Instant::from_nanos(2_000_005));
        assert_eq!(saturating_add(now, Duration::MAX), far_future());
        assert_eq!(
            now.saturating_add(Duration::from_nanos(1)),
            Instant::from_nanos(6)
        );
    }
}
