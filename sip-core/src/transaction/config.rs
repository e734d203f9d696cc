//! Timer values (RFC 3261 §17.1.1.1, Table 4 of Appendix A; RFC 6026 Timers L and M) and layer bounds.

use core::time::Duration;

/// T1, T2, T4 and the 100 Trying delay. Every other timer derives from these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimerConfig {
    /// RTT estimate (default 500 ms, §17.1.1.1).
    pub t1: Duration,
    /// Longest retransmit interval for non-INVITE requests and INVITE responses (default 4 s).
    pub t2: Duration,
    /// Longest time a message stays in the network (default 5 s).
    pub t4: Duration,
    /// How long an INVITE server transaction waits for the TU before sending 100 Trying (200 ms,
    /// §17.2.1).
    pub trying_delay: Duration,
    /// How long an INVITE client transaction waits in Proceeding for a final response before it
    /// reports a timeout (Timer C of §16.6 step 11, default 3 min, restarted by each provisional).
    /// Bounds the life of a transaction whose final response is lost for good.
    pub timer_c: Duration,
}

impl Default for TimerConfig {
    fn default() -> Self {
        Self {
            t1: Duration::from_millis(500),
            t2: Duration::from_secs(4),
            t4: Duration::from_secs(5),
            trying_delay: Duration::from_millis(200),
            timer_c: Duration::from_secs(180),
        }
    }
}

impl TimerConfig {
    /// 64·T1: Timers B, F, H, J (unreliable), L and M.
    #[must_use]
    pub fn t1x64(&self) -> Duration {
        self.t1.saturating_mul(64)
    }

    /// Timer D: at least 32 s over unreliable transports, zero over reliable ones (§17.1.1.2).
    #[must_use]
    pub fn timer_d(&self, reliable: bool) -> Duration {
        if reliable {
            Duration::ZERO
        } else {
            Duration::from_secs(32)
        }
    }

    /// Timers I and K: T4 unreliable, zero reliable.
    #[must_use]
    pub fn t4_or_zero(&self, reliable: bool) -> Duration {
        if reliable {
            Duration::ZERO
        } else {
            self.t4
        }
    }

    /// Timer J: 64·T1 unreliable, zero reliable.
    #[must_use]
    pub fn timer_j(&self, reliable: bool) -> Duration {
        if reliable {
            Duration::ZERO
        } else {
            self.t1x64()
        }
    }
}

/// Bounds of a [`super::TransactionLayer`]: nothing grows without limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerConfig {
    /// Timer values.
    pub timers: TimerConfig,
    /// Most live transactions (default 16384). A new request past this is answered 503 statelessly.
    pub max_transactions: usize,
    /// Most queued outgoing messages (default 4096); more are dropped and counted.
    pub max_pending_transmits: usize,
    /// Most queued events (default 4096); more are dropped and counted.
    pub max_pending_events: usize,
    /// Largest message accepted from the network or the TU, in bytes (default 65535).
    pub max_message_size: usize,
}

impl Default for LayerConfig {
    fn default() -> Self {
        Self {
            timers: TimerConfig::default(),
            max_transactions: 16384,
            max_pending_transmits: 4096,
            max_pending_events: 4096,
            max_message_size: 65535,
        }
    }
}
