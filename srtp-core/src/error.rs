//! The crate's error type.

/// Why a packet or a key could not be used.
///
/// On every error from an `unprotect_*` call the caller's buffer is left as it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The packet is shorter than its headers (and tag) need.
    #[error("packet truncated: {needed} bytes needed, {got} present")]
    Truncated {
        /// Bytes the packet needs at least.
        needed: usize,
        /// Bytes it has.
        got: usize,
    },
    /// The caller's buffer has no room for the authentication tag (or MKI / SRTCP index).
    #[error("buffer too small: {needed} bytes needed, {got} available")]
    BufferTooSmall {
        /// Length the buffer needs.
        needed: usize,
        /// Its length.
        got: usize,
    },
    /// `len` is larger than the buffer it describes.
    #[error("length {len} exceeds the buffer of {buf} bytes")]
    LengthOutOfBounds {
        /// The length given.
        len: usize,
        /// The buffer's length.
        buf: usize,
    },
    /// The RTP/RTCP version field (byte 0) is not 2.
    #[error("unsupported RTP version {0} at byte 0")]
    BadVersion(u8),
    /// A packet form this crate does not handle (for example unencrypted SRTCP with GCM).
    #[error("unsupported: {0}")]
    Unsupported(&'static str),
    /// The authentication tag does not match (RFC 3711 §3.4): the packet was altered or the key differs.
    #[error("authentication failed")]
    AuthenticationFailed,
    /// The packet index was already received (RFC 3711 §3.3.2).
    #[error("replayed packet (index {index})")]
    Replayed {
        /// The packet's index.
        index: u64,
    },
    /// The packet index lies left of the replay window (RFC 3711 §3.3.2).
    #[error("packet too old (index {index}, window starts after {highest} - window)")]
    TooOld {
        /// The packet's index.
        index: u64,
        /// The highest index received.
        highest: u64,
    },
    /// The master key has protected as many packets as it may (RFC 3711 §9.2): re-key first.
    #[error("master key lifetime reached")]
    KeyLifetimeExceeded,
    /// The packet's MKI matches no known master key (RFC 3711 §3.1).
    #[error("unknown MKI")]
    UnknownMki,
    /// A key, salt or keying-material string has the wrong form or length.
    #[error("bad key material: {0}")]
    BadKey(&'static str),
    /// The session already holds the configured maximum number of streams.
    #[error("too many streams (limit {limit})")]
    TooManyStreams {
        /// The configured limit.
        limit: usize,
    },
    /// The replay window size is 0 or above [`crate::MAX_REPLAY_WINDOW`].
    #[error("replay window {0} out of range")]
    BadReplayWindow(usize),
    /// The stream was made with [`crate::Stream::unkeyed`] and not keyed since
    /// ([`crate::Stream::reset`]).
    #[error("stream not keyed")]
    NotKeyed,
}
