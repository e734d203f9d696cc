//! Locating SIP servers (RFC 3263), Sans-IO: which DNS questions to ask for a request URI
//! (NAPTR, SRV, A/AAAA), and from the answers the ordered (transport, address, port) targets to
//! try, with RFC 2782 priority/weight selection and failover to the next target on a
//! transaction timeout or 503 (§4.3). The caller owns the resolver (a std driver uses a DNS
//! library; a phone its own stub resolver) and hands each answer back.
//!
//! See [`ServerSelection`] for a runnable example.

mod record;
mod selection;
pub mod srv;

pub use record::{Naptr, Query, Record, RecordType, Srv};
pub use selection::{SelectionConfig, SelectionError, ServerSelection, Target};

#[cfg(test)]
mod tests;
