//! Drivers and demos for the rtcweb crates, shared by the `rtcweb` command-line tool and the
//! tests: the [`runtime`] (clock, OS randomness, the `Node` shape, the std driver), the loopback
//! [`call`], the [`gateway`]s, SIP over WebSocket ([`ws`]) and TCP/TLS ([`sip_stream`]), DNS
//! ([`dns`]), captures ([`capture`]) and the coturn helper.
// A std program: `std` paths are right here; slices are cut at lengths the crates returned for the
// same buffers.
#![allow(
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    clippy::indexing_slicing
)]

pub mod call;
pub mod capture;
pub mod coturn;
pub mod dns;
pub mod gateway;
pub mod runtime;
pub mod sip_stream;
pub mod ws;
