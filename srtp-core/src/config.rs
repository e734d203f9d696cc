//! Stream and session limits.

use crate::replay::DEFAULT_REPLAY_WINDOW;

/// Default bound on the streams (SSRCs) of one [`crate::Session`].
pub const DEFAULT_MAX_STREAMS: usize = 64;

/// Settings of a [`crate::Stream`] or [`crate::Session`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Replay window in packets, 1 to [`crate::MAX_REPLAY_WINDOW`] (RFC 3711 §3.3.2; default 64).
    pub replay_window: usize,
    /// The key derivation rate: 0 (derive once, the default and what SDES and DTLS-SRTP use) or a
    /// power of two up to 2^24 (RFC 3711 §4.3.1).
    pub key_derivation_rate: u32,
    /// Whether `protect_*` may reuse an index already sent (a retransmission of the same packet).
    /// Off by default: reusing an index with other content reuses keystream.
    pub allow_repeat_tx: bool,
    /// Maximum number of streams a [`crate::Session`] creates (default 64).
    pub max_streams: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl Config {
    /// The defaults, usable in `const` context.
    pub(crate) const DEFAULT: Self = Self {
        replay_window: DEFAULT_REPLAY_WINDOW,
        key_derivation_rate: 0,
        allow_repeat_tx: false,
        max_streams: DEFAULT_MAX_STREAMS,
    };

    /// Checks the values.
    pub(crate) fn validate(&self) -> Result<(), crate::Error> {
        if self.replay_window == 0 || self.replay_window > crate::MAX_REPLAY_WINDOW {
            return Err(crate::Error::BadReplayWindow(self.replay_window));
        }
        let kdr = self.key_derivation_rate;
        if kdr != 0 && (!kdr.is_power_of_two() || kdr > 1 << 24) {
            return Err(crate::Error::BadKey(
                "key derivation rate must be 0 or a power of two up to 2^24",
            ));
        }
        Ok(())
    }
}
