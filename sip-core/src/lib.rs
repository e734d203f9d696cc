//! Zero-copy SIP (RFC 3261): messages, URIs, headers, framing, digest auth, transactions, dialogs.
//!
//! Part of the [rtcweb](https://github.com/rtcweb/rtcweb) family. This crate is Sans-IO: it never opens
//! a socket, spawns a thread or reads a clock; time comes in as an [`Instant`].
//!
//! This crate is being built; see the repository's issues for its scope.
//!
//! ```
//! let t = rtcweb_sip_core::Instant::ZERO;
//! assert_eq!(t.as_nanos(), 0);
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

/// The family-wide point in time: nanoseconds since an arbitrary, caller-chosen start.
pub use sans_io_time::Instant;
