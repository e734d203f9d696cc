//! What the TURN client reports: [`TurnEvent`]s, [`TurnError`]s and the [`Received`] verdict
//! on a datagram.

use core::net::{IpAddr, SocketAddr};
use core::time::Duration;

/// What happened, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TurnEvent {
    /// The allocation exists (RFC 8656 §7.3).
    Allocated {
        /// The relayed transport address peers send to.
        relayed: SocketAddr,
        /// The client's server-reflexive address, when the server said.
        mapped: Option<SocketAddr>,
        /// How long it lasts without a refresh.
        lifetime: Duration,
    },
    /// A Refresh succeeded (RFC 8656 §8).
    Refreshed {
        /// The new lifetime.
        lifetime: Duration,
    },
    /// The allocation was released (Refresh with LIFETIME 0).
    Deallocated,
    /// The allocation failed or was lost: error code from the server, or `None` on timeout.
    AllocationFailed {
        /// The server's error code.
        code: Option<u16>,
    },
    /// A permission is installed (RFC 8656 §9).
    PermissionCreated(IpAddr),
    /// A CreatePermission failed.
    PermissionFailed {
        /// The peer.
        peer: IpAddr,
        /// The server's error code, or `None` on timeout.
        code: Option<u16>,
    },
    /// A channel is bound (RFC 8656 §12).
    ChannelBound {
        /// The peer.
        peer: SocketAddr,
        /// The channel number.
        channel: u16,
    },
    /// A ChannelBind failed.
    ChannelBindFailed {
        /// The peer.
        peer: SocketAddr,
        /// The server's error code, or `None` on timeout.
        code: Option<u16>,
    },
}

/// Errors of calls into the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TurnError {
    /// No allocation yet (or any more).
    #[error("no allocation")]
    NotAllocated,
    /// No permission for that peer: call `create_permission` first.
    #[error("no permission for the peer")]
    NoPermission,
    /// A configured bound (permissions, channels) is reached.
    #[error("limit reached: {0}")]
    Limit(&'static str),
    /// Encoding failed (buffer too small, data too long).
    #[error("encoding: {0}")]
    Wire(#[from] crate::wire::Error),
    /// ChannelData encoding failed.
    #[error("channel data: {0}")]
    ChannelData(#[from] crate::channel_data::ChannelDataError),
    /// The password cannot be prepared (SASLprep).
    #[error("password: {0}")]
    Password(#[from] crate::credentials::SaslprepError),
}

/// What [`TurnClient::handle_receive`](super::TurnClient::handle_receive) made of a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received<'a> {
    /// Application data relayed from a peer (Data indication or ChannelData), borrowed from the
    /// datagram.
    Data {
        /// The peer.
        peer: SocketAddr,
        /// The data.
        data: &'a [u8],
    },
    /// A STUN message for the client; consumed.
    Handled,
    /// Not from the server or not TURN: the caller's to handle.
    NotMine,
}
