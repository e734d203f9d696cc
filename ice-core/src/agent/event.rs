//! What comes out of the agent: [`IceEvent`]s, [`Receive`] verdicts and errors (datagrams are the
//! family's [`Transmit`], always with a `source`).

use core::net::SocketAddr;
use rtcweb_proto::{Transmit, Transport};

use crate::candidate::Candidate;

/// The agent's role (RFC 8445 §6.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Nominates pairs.
    Controlling,
    /// Follows the peer's nominations.
    Controlled,
}

/// The connection state, as WebRTC's `RTCIceConnectionState` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionState {
    /// Waiting for remote credentials or candidates.
    New,
    /// Checks are under way (RFC 8445 §6.1.4).
    Checking,
    /// Every component has a selected (nominated) pair; data can flow.
    Connected,
    /// Connected, and the checks are over (RFC 8445 §8.1.2).
    Completed,
    /// No consent response for [`disconnected_after`](super::AgentConfig::disconnected_after);
    /// may come back.
    Disconnected,
    /// Every pair failed, or consent was lost (RFC 7675 §5.1). Only a restart recovers.
    Failed,
}

/// What happened, in order; drain with [`Agent::poll_event`](super::Agent::poll_event).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IceEvent {
    /// A local candidate to signal to the peer (trickle it, or put it in the SDP).
    LocalCandidate(Candidate),
    /// Every STUN and TURN server answered or timed out: signal end-of-candidates (RFC 8838 §4.4).
    GatheringComplete,
    /// The pair data goes over for a component changed (RFC 8445 §8.1.1).
    SelectedPair {
        /// The component.
        component: u16,
        /// Our candidate (its address is where data leaves from, or the relayed address).
        local: Candidate,
        /// The peer's candidate.
        remote: Candidate,
    },
    /// The connection state changed.
    StateChanged(ConnectionState),
    /// A role conflict (RFC 8445 §7.3.1.1) switched our role.
    RoleChanged(Role),
}

/// A datagram the agent sends from `source` (a host address the integrator added) over UDP.
pub(super) const fn transmit(source: SocketAddr, destination: SocketAddr, len: usize) -> Transmit {
    Transmit {
        source: Some(source),
        destination,
        transport: Transport::Udp,
        len,
    }
}

/// What [`Agent::handle_receive`](super::Agent::handle_receive) made of a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receive<'a> {
    /// STUN or TURN traffic for the agent; consumed.
    Handled,
    /// Ours to judge, but bad: dropped (or answered with an error response) for this reason.
    Discarded(Discard),
    /// Not STUN and not from a TURN server: media (DTLS, RTP, ...) for the caller, the datagram as
    /// given (RFC 7983 demultiplexing).
    NotStun,
    /// Media that arrived relayed through our TURN allocation, unwrapped, borrowed from the datagram.
    Relayed {
        /// The peer that sent it to our relayed address.
        peer: SocketAddr,
        /// The data.
        data: &'a [u8],
    },
}

/// Why a datagram was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Discard {
    /// Looked like STUN but did not parse.
    Malformed,
    /// FINGERPRINT missing from a check, or wrong.
    BadFingerprint,
    /// MESSAGE-INTEGRITY wrong or missing, or USERNAME not ours (a 400/401 was queued for
    /// requests, RFC 8445 §7.3).
    Unauthenticated,
    /// A role conflict we won: a 487 was queued (RFC 8445 §7.3.1.1).
    RoleConflict,
    /// A response to no transaction of ours.
    UnknownTransaction,
    /// Arrived on a socket the agent does not know.
    UnknownSocket,
    /// A STUN method or class the agent does not handle.
    Unexpected,
}

/// Errors of calls into the agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AgentError {
    /// A configured bound is reached.
    #[error("limit reached: {0}")]
    Limit(&'static str),
    /// Credentials do not have the RFC's form.
    #[error(transparent)]
    Credentials(#[from] crate::credentials::CredentialsError),
    /// A candidate the agent cannot use (wrong component, TCP, duplicate).
    #[error("candidate not usable: {0}")]
    Candidate(&'static str),
    /// No selected pair (yet, or any more) for that component.
    #[error("no selected pair")]
    NotConnected,
    /// The output buffer is too small.
    #[error("buffer too small: {needed} bytes needed, {got} available")]
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        got: usize,
    },
    /// The TURN allocation refused to wrap the data.
    #[error("TURN: {0}")]
    Turn(&'static str),
}
