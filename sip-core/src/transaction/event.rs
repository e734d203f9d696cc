//! What the transaction layer reports to its user (RFC 3261 §17: "passed to the TU").

use alloc::vec::Vec;

use super::{Peer, TxId};

/// An event for the transaction user. Messages are owned copies of the bytes received.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransactionEvent {
    /// A new request created server transaction `tx` (§17.2); answer it with
    /// [`super::TransactionLayer::send_response`].
    Request {
        /// The new server transaction.
        tx: TxId,
        /// Who sent it.
        peer: Peer,
        /// The request.
        message: Vec<u8>,
    },
    /// An ACK that matched no transaction: the ACK for a 2xx (§13.2.2.4, a transaction of its own)
    /// or a stray one. The core decides; stray ACKs are dropped there.
    Ack {
        /// Who sent it.
        peer: Peer,
        /// The ACK.
        message: Vec<u8>,
    },
    /// A response for client transaction `tx`, passed up per §17.1.1.2 / §17.1.2.2 (retransmissions
    /// of final non-2xx responses are absorbed; 2xx retransmissions are passed, RFC 6026 §8.4).
    Response {
        /// The client transaction.
        tx: TxId,
        /// The response.
        message: Vec<u8>,
    },
    /// A response that matched no client transaction (§18.1.2: the core may still want a stray
    /// 2xx to an INVITE, to ACK and BYE it).
    StrayResponse {
        /// Who sent it.
        peer: Peer,
        /// The response.
        message: Vec<u8>,
    },
    /// Timer B, F or H fired: no (final) response or no ACK in time.
    Timeout {
        /// The transaction.
        tx: TxId,
    },
    /// The transaction is gone; its id will not appear again.
    Terminated {
        /// The transaction.
        tx: TxId,
    },
}
