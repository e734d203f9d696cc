//! The agent's deadlines, in a binary heap so the next one costs O(log n) however many pairs are
//! in flight. Entries are not removed when a deadline moves: a popped entry is acted on only if
//! its owner still holds that exact deadline (lazy deletion).

use alloc::collections::BinaryHeap;
use core::cmp::Reverse;

use crate::Instant;

/// What a deadline is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Timer {
    /// The next paced check (Ta, RFC 8445 §6.1.4.2).
    Pace,
    /// A check's retransmission or timeout; the pair index.
    Check(usize),
    /// Give up waiting for a better pair and nominate (RFC 8445 §8.1.1).
    Nominate,
    /// Consent freshness of a component's selected pair (RFC 7675 §5.1).
    Consent(u16),
    /// Keepalive of a component's selected pair (RFC 8445 §11).
    Keepalive(u16),
    /// A server-reflexive gathering transaction.
    Gather(usize),
    /// A TURN client.
    Turn(usize),
    /// STUN/TURN servers were added: start their transactions (they need a `now`).
    Start,
}

#[derive(Debug, Default)]
pub(super) struct Timers {
    heap: BinaryHeap<Reverse<(Instant, Timer)>>,
}

impl Timers {
    pub(super) fn push(&mut self, at: Instant, timer: Timer) {
        self.heap.push(Reverse((at, timer)));
    }

    pub(super) fn next(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse((at, _))| *at)
    }

    /// Pops the earliest entry due at `now`.
    pub(super) fn pop_due(&mut self, now: Instant) -> Option<(Instant, Timer)> {
        match self.heap.peek() {
            Some(Reverse((at, _))) if *at <= now => self.heap.pop().map(|Reverse(e)| e),
            _ => None,
        }
    }

    pub(super) fn clear(&mut self) {
        self.heap.clear();
    }

    pub(super) fn len(&self) -> usize {
        self.heap.len()
    }
}

/// `now + d`, saturating instead of panicking at the end of time (the family's one rule).
pub(crate) use rtcweb_proto::time::saturating_add as after;
