//! [`SessionTimer`]: refresh and expiry deadlines of one session (RFC 4028 §10).

use alloc::collections::VecDeque;
use core::time::Duration;
use rtcweb_proto::time::InstantExt as _;

use super::negotiate::{Negotiated, Refresher};
use crate::Instant;

/// What the session timer asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionTimerEvent {
    /// We are the refresher and half the interval passed: send a re-INVITE or UPDATE.
    Refresh,
    /// No refresh arrived in time: the session is dead, send BYE (RFC 4028 §10).
    Expired,
}

/// One session's timer. `we_are_uac` says whether we sent the INVITE that set it up.
///
/// Call order: `start` / `refreshed` / `handle_timeout` in; `poll_event` and `poll_timeout` out.
#[derive(Debug, Clone)]
pub struct SessionTimer {
    negotiated: Negotiated,
    we_refresh: bool,
    refresh_at: Option<Instant>,
    expire_at: Option<Instant>,
    events: VecDeque<SessionTimerEvent>,
}

impl SessionTimer {
    /// Starts the timer at `now` (when the 2xx was sent or received).
    #[must_use]
    pub fn start(now: Instant, negotiated: Negotiated, we_are_uac: bool) -> Self {
        let we_refresh = matches!(
            (negotiated.refresher, we_are_uac),
            (Refresher::Uac, true) | (Refresher::Uas, false)
        );
        let mut t = Self {
            negotiated,
            we_refresh,
            refresh_at: None,
            expire_at: None,
            events: VecDeque::new(),
        };
        t.refreshed(now);
        t
    }

    /// The agreed values.
    #[must_use]
    pub const fn negotiated(&self) -> Negotiated {
        self.negotiated
    }

    /// Whether we send the refreshes.
    #[must_use]
    pub const fn we_refresh(&self) -> bool {
        self.we_refresh
    }

    /// A refresh succeeded (2xx to a re-INVITE/UPDATE sent or received): restart both deadlines.
    pub fn refreshed(&mut self, now: Instant) {
        let interval = Duration::from_secs(u64::from(self.negotiated.interval));
        self.refresh_at = self.we_refresh.then(|| now.saturating_add(interval / 2));
        // §10: the side that does not refresh gives up at interval − min(32 s, interval / 3).
        let margin = Duration::from_secs(32).min(interval / 3);
        self.expire_at = Some(now.saturating_add(interval.saturating_sub(margin)));
    }

    /// A refresh negotiated new values.
    pub fn renegotiate(&mut self, now: Instant, negotiated: Negotiated, we_are_uac: bool) {
        *self = Self::start(now, negotiated, we_are_uac);
    }

    /// Fires due deadlines.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.expire_at.is_some_and(|t| t <= now) {
            self.expire_at = None;
            self.refresh_at = None;
            self.events.push_back(SessionTimerEvent::Expired);
            return;
        }
        if self.refresh_at.is_some_and(|t| t <= now) {
            self.refresh_at = None;
            self.events.push_back(SessionTimerEvent::Refresh);
        }
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<SessionTimerEvent> {
        self.events.pop_front()
    }

    /// The next deadline.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        [self.refresh_at, self.expire_at]
            .into_iter()
            .flatten()
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Instant {
        Instant::ZERO + Duration::from_secs(s)
    }

    #[test]
    fn refresher_refreshes_at_half_and_other_side_expires() {
        let n = Negotiated {
            interval: 90,
            refresher: Refresher::Uac,
        };
        let mut uac = SessionTimer::start(secs(0), n, true);
        let mut uas = SessionTimer::start(secs(0), n, false);
        assert_eq!(uac.poll_timeout(), Some(secs(45)));
        uac.handle_timeout(secs(45));
        assert_eq!(uac.poll_event(), Some(SessionTimerEvent::Refresh));
        // The UAS expires at 90 − min(32, 30) = 60 s unless refreshed.
        assert_eq!(uas.poll_timeout(), Some(secs(60)));
        uas.refreshed(secs(46));
        assert_eq!(uas.poll_timeout(), Some(secs(106)));
        uas.handle_timeout(secs(106));
        assert_eq!(uas.poll_event(), Some(SessionTimerEvent::Expired));
        assert_eq!(uas.poll_timeout(), None);
    }
}
