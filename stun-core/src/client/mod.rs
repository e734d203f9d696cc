//! Sans-IO STUN client transactions (RFC 8489 §6.2): retransmission over UDP with RTO doubling,
//! Rc sends and a final wait of Rm × RTO; a single timeout Ti over reliable transports.

mod transaction;

pub use transaction::{ClientTransaction, TransactionConfig, TransactionState, MAX_REQUEST_LEN};
