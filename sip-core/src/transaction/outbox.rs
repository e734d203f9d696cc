//! Bounded queues of outgoing messages and events, and the per-transaction timer slots.

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::time::Duration;

use super::{Peer, TransactionEvent};
use crate::Instant;

/// Everything a transaction produces, drained by the layer's `poll_*`.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    pub(crate) transmits: VecDeque<(Peer, Vec<u8>)>,
    pub(crate) events: VecDeque<TransactionEvent>,
    pub(crate) max_transmits: usize,
    pub(crate) max_events: usize,
    pub(crate) dropped_transmits: u64,
    pub(crate) dropped_events: u64,
}

impl Outbox {
    pub(crate) fn send(&mut self, peer: Peer, bytes: &[u8]) {
        if self.transmits.len() >= self.max_transmits {
            self.dropped_transmits += 1;
        } else {
            self.transmits.push_back((peer, bytes.to_vec()));
        }
    }

    pub(crate) fn event(&mut self, e: TransactionEvent) {
        match &e {
            TransactionEvent::Request { tx, .. } => {
                rtcweb_proto::log_trace!("transaction {tx:?}: request for the TU");
            }
            TransactionEvent::Response { tx, .. } => {
                rtcweb_proto::log_trace!("transaction {tx:?}: response for the TU");
            }
            TransactionEvent::Ack { peer, .. } => {
                rtcweb_proto::log_trace!("transaction: ACK to a 2xx from {peer:?}");
            }
            TransactionEvent::StrayResponse { peer, .. } => {
                rtcweb_proto::log_debug!("transaction: response from {peer:?} matches none");
            }
            TransactionEvent::Timeout { tx } => {
                rtcweb_proto::log_debug!("transaction {tx:?}: timed out");
            }
            TransactionEvent::Terminated { tx } => {
                rtcweb_proto::log_trace!("transaction {tx:?}: terminated");
            }
        }
        if self.events.len() >= self.max_events {
            self.dropped_events += 1;
        } else {
            self.events.push_back(e);
        }
    }
}

/// The timers one transaction can have running at once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Timers {
    /// A, E or G: the next retransmission.
    pub(crate) retransmit: Option<Instant>,
    /// The current retransmission interval.
    pub(crate) interval: Duration,
    /// B, F or H: give up.
    pub(crate) timeout: Option<Instant>,
    /// D, K, I, J, L or M: linger, then terminate.
    pub(crate) linger: Option<Instant>,
    /// The 200 ms 100 Trying timer of an INVITE server transaction.
    pub(crate) trying: Option<Instant>,
}

impl Timers {
    /// The earliest running timer.
    pub(crate) fn next(&self) -> Option<Instant> {
        [self.retransmit, self.timeout, self.linger, self.trying]
            .into_iter()
            .flatten()
            .min()
    }

    /// Stops every timer.
    pub(crate) fn clear(&mut self) {
        *self = Self::default();
    }
}
