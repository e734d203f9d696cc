//! Candidate pairs and their states (RFC 8445 §6.1.2.6).

use core::time::Duration;

use rtcweb_stun_core::wire::TransactionId;

use crate::Instant;

/// The state of a candidate pair (RFC 8445 §6.1.2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PairState {
    /// Waits until a pair with the same foundation succeeds.
    Frozen,
    /// Will be checked when pacing allows.
    Waiting,
    /// A check is in flight.
    InProgress,
    /// A check succeeded: the pair is valid.
    Succeeded,
    /// Checks failed, or the pair was pruned after nomination.
    Failed,
}

/// One check transaction on a pair (connectivity, nomination or consent).
#[derive(Debug, Clone, Copy)]
pub(super) struct Check {
    pub(super) tid: TransactionId,
    pub(super) sends: u32,
    /// The wait after the next send (doubles each time).
    pub(super) rto: Duration,
    /// The first RTO, for the final Rm × RTO wait.
    pub(super) initial_rto: Duration,
    /// When to retransmit or give up; `None` until first sent.
    pub(super) deadline: Option<Instant>,
    /// Carries USE-CANDIDATE (a nomination, RFC 8445 §8.1.1).
    pub(super) use_candidate: bool,
    /// A consent freshness check (RFC 7675) on the selected pair.
    pub(super) consent: bool,
    /// The role we claimed in it (a 487 flips the opposite way, RFC 8445 §7.2.5.1).
    pub(super) controlling: bool,
}

#[derive(Debug, Clone)]
pub(super) struct Pair {
    pub(super) local: usize,
    pub(super) remote: usize,
    pub(super) component: u16,
    pub(super) priority: u64,
    /// Hash of the local and remote foundations (the pair's foundation, RFC 8445 §6.1.2.6).
    pub(super) foundation: u64,
    pub(super) state: PairState,
    pub(super) nominated: bool,
    /// We (controlling) are nominating it.
    pub(super) nominating: bool,
    /// The peer sent USE-CANDIDATE before the pair was valid (RFC 8445 §7.3.1.5).
    pub(super) nominate_on_success: bool,
    pub(super) check: Option<Check>,
    pub(super) last_consent: Instant,
    pub(super) last_sent: Instant,
}

/// The pair's foundation: both candidates' foundations combined (FNV-1a).
pub(super) fn pair_foundation(local: &str, remote: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in local.bytes().chain([b' ']).chain(remote.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
