//! Liveness of the selected pair: consent freshness for full agents (RFC 7675 §5.1: a check
//! every ~5 s with jitter, consent lost after 30 s without a response) and keepalives for lite
//! agents (RFC 8445 §11: a Binding indication when nothing was sent for Tr).

use super::event::ConnectionState;
use super::timer::{after, Timer};
use super::{Agent, Out};
use crate::Instant;

impl Agent {
    /// Starts consent checks or keepalives on a component's newly selected pair.
    pub(super) fn start_liveness(&mut self, now: Instant, component: u16) {
        let slot = usize::from(component.saturating_sub(1));
        if self.config.lite {
            let at = after(now, self.config.keepalive_interval);
            self.timers.push(at, Timer::Keepalive(component));
            return;
        }
        let wait = self.jittered(self.config.consent_interval);
        let at = after(now, wait);
        if let Some(c) = self.consent_at.get_mut(slot) {
            *c = Some(at);
        }
        self.timers.push(at, Timer::Consent(component));
    }

    pub(super) fn consent_timer(&mut self, now: Instant, component: u16, at: Instant) {
        let slot = usize::from(component.saturating_sub(1));
        if self.consent_at.get(slot).copied().flatten() != Some(at) || self.consent_lost {
            return;
        }
        let Some(pi) = self.selected_index(component) else {
            return;
        };
        let Some(pair) = self.pairs.get(pi) else {
            return;
        };
        let silent = now - pair.last_consent;
        if silent >= self.config.consent_timeout {
            // RFC 7675 §5.1: consent expired; stop sending.
            self.consent_lost = true;
            self.set_state(ConnectionState::Failed);
            if let Some(c) = self.consent_at.get_mut(slot) {
                *c = None;
            }
            return;
        }
        if silent >= self.config.disconnected_after {
            self.disconnected = true;
        }
        if pair.check.is_none() {
            self.start_transaction(now, pi, true);
        }
        // Wake for the next check, or exactly when consent would expire, whichever is first.
        let last = self.pairs.get(pi).map_or(now, |p| p.last_consent);
        let wait = self.jittered(self.config.consent_interval);
        let mut next = after(now, wait).min(after(last, self.config.consent_timeout));
        if !self.disconnected {
            next = next.min(after(last, self.config.disconnected_after).max(now));
        }
        let next = next.max(after(now, core::time::Duration::from_millis(1)));
        if let Some(c) = self.consent_at.get_mut(slot) {
            *c = Some(next);
        }
        self.timers.push(next, Timer::Consent(component));
    }

    pub(super) fn keepalive_timer(&mut self, now: Instant, component: u16, _at: Instant) {
        let Some(pi) = self.selected_index(component) else {
            return;
        };
        let Some(pair) = self.pairs.get(pi) else {
            return;
        };
        let idle = now - pair.last_sent;
        let interval = self.config.keepalive_interval;
        let next = if idle >= interval {
            self.out.push_back(Out::Keepalive { pair: pi });
            after(now, interval)
        } else {
            after(pair.last_sent, interval)
        };
        self.timers.push(next, Timer::Keepalive(component));
    }
}
