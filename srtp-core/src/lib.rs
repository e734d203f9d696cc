//! SRTP and SRTCP (RFC 3711): AES_CM_128_HMAC_SHA1_80/32 and AEAD_AES_128_GCM (RFC 7714), in place.
//!
//! Part of the [rtcweb](https://github.com/rtcweb/rtcweb) family. This crate is Sans-IO: it never opens
//! a socket, spawns a thread or reads a clock; time comes in as an [`Instant`].
//!
//! This crate is being built; see the repository's issues for its scope.
//!
//! ```
//! let t = rtcweb_srtp_core::Instant::ZERO;
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
