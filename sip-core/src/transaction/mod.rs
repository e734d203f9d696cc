//! Transactions (RFC 3261 §17 with the RFC 6026 corrections), Sans-IO.
//!
//! A [`TransactionLayer`] owns every client and server transaction of an endpoint, routes incoming
//! messages to them by branch (§17.1.3, §17.2.3, with the RFC 2543 fallback), runs Timers A–M from
//! one ordered deadline heap, and reports to the transaction user (the UA core, a proxy or a B2BUA)
//! through [`TransactionEvent`]s.
//!
//! Call order, as everywhere in the family: `handle_receive` / `handle_timeout` / `send_*` in, then
//! drain [`TransactionLayer::poll_transmit`], then [`TransactionLayer::poll_event`], then read
//! [`TransactionLayer::poll_timeout`].
//!
//! | transaction | timers (unreliable) | timers (reliable) |
//! |---|---|---|
//! | INVITE client | A (retransmit), B (timeout), D (32 s), M (64·T1, RFC 6026) | B, M |
//! | non-INVITE client | E, F, K (T4) | F |
//! | INVITE server | 100 Trying after 200 ms, G, H, I (T4), L (64·T1, RFC 6026) | H, L |
//! | non-INVITE server | J (64·T1) | — |

mod ack;
mod cancel;
mod client;
mod config;
mod event;
mod ids;
mod key;
mod layer;
mod outbox;
mod server;

pub use cancel::cancel_for;
pub use client::ClientState;
pub use config::{LayerConfig, TimerConfig};
pub use event::TransactionEvent;
pub use ids::{IdGenerator, MAGIC_COOKIE};
pub use key::{KeyError, TransactionKey};
pub use layer::{LayerError, TransactionLayer, TransactionStats};
pub use server::ServerState;

use core::net::SocketAddr;

/// The family's transport and transmit types (`rtcweb-proto`): SIP shares them with STUN,
/// TURN and ICE.
pub use rtcweb_proto::{BufferTooSmall, Transmit, Transport};

/// Where a message comes from or goes to: an address and the transport to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Peer {
    /// The remote address.
    pub addr: SocketAddr,
    /// The transport.
    pub transport: Transport,
}

impl From<Transmit> for Peer {
    /// The peer a [`Transmit`] goes to.
    fn from(t: Transmit) -> Self {
        Self {
            addr: t.destination,
            transport: t.transport,
        }
    }
}

impl Peer {
    /// A UDP peer.
    #[must_use]
    pub const fn udp(addr: SocketAddr) -> Self {
        Self {
            addr,
            transport: Transport::Udp,
        }
    }
}

/// Identifies one transaction inside a [`TransactionLayer`]; never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TxId(pub u64);

/// Whether a transaction is a client (we sent the request) or a server one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxState {
    /// A client transaction in this state.
    Client(ClientState),
    /// A server transaction in this state.
    Server(ServerState),
}
