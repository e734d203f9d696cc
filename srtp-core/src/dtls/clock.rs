//! The family's [`Instant`] mapped onto the `std::time::Instant` dimpl's API takes.
//!
//! dimpl 0.9 takes and returns `std::time::Instant`, which has no constructor but `now()`. The
//! endpoint reads that clock once, at construction, as an anchor paired with the caller's `now`;
//! from then on every time given to dimpl is `anchor + (now - start)` and every deadline it
//! returns maps back the same way. The anchor's value never changes what the endpoint does:
//! only differences of the caller's times reach dimpl.

use crate::Instant;

/// The pairing of one `std::time::Instant` with one family [`Instant`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    anchor: std::time::Instant,
    start: Instant,
    /// The latest time given, so time never runs backwards for dimpl, and its mapping.
    last: Instant,
    last_engine: std::time::Instant,
}

impl Clock {
    pub(crate) fn new(start: Instant) -> Self {
        let anchor = std::time::Instant::now();
        Self {
            anchor,
            start,
            last: start,
            last_engine: anchor,
        }
    }

    /// `now` for dimpl; never earlier than a time given before.
    pub(crate) fn engine_time(&mut self, now: Instant) -> std::time::Instant {
        if now > self.last {
            self.last = now;
        }
        let since = self.last.saturating_duration_since(self.start);
        // Beyond what `std::time::Instant` holds (centuries): stay at the last time mapped.
        if let Some(t) = self.anchor.checked_add(since) {
            self.last_engine = t;
        }
        self.last_engine
    }

    /// A deadline from dimpl in the caller's time; `None` if beyond what [`Instant`] holds.
    pub(crate) fn caller_time(&self, t: std::time::Instant) -> Option<Instant> {
        self.start
            .checked_add(t.saturating_duration_since(self.anchor))
    }

    /// The latest time given.
    pub(crate) fn now(&self) -> Instant {
        self.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::time::Duration;

    #[test]
    fn round_trip_and_monotonic() {
        let start = Instant::from_nanos(-5_000);
        let mut c = Clock::new(start);
        let later = start + Duration::from_millis(1500);
        let s = c.engine_time(later);
        assert_eq!(c.caller_time(s), Some(later));
        // Earlier times are held at the latest.
        assert_eq!(c.engine_time(start), s);
        assert_eq!(c.now(), later);
    }
}
