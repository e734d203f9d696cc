//! Drivers and demos for the rtcweb crates: the pieces of the loopback call, shared by the
//! `rtcweb` command-line tool, the std and tokio drivers and the tests.
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
pub mod sip_stream;
pub mod ws;
