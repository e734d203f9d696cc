//! Primitives every rtcweb crate shares, so that the family speaks one language:
//!
//! - [`Rng`]: the only source of randomness — ChaCha20 keyed by a 32-byte seed the caller draws
//!   from the operating system's secure generator. Tags, Call-IDs, branches, STUN transaction IDs,
//!   ICE credentials and tie-breakers all come from it (RFC 3261 §19.3, RFC 8489 §5, RFC 8445 §5.3).
//! - [`time`]: `Instant + Duration` that saturates instead of panicking, for durations that come
//!   from the wire (Expires, Retry-After, Session-Expires, LIFETIME, Flow-Timer, …).
//! - [`BufferTooSmall`]: the one error a serializer returns when the caller's buffer is too small.
//! - [`Transmit`] and [`Transport`]: what every `poll_transmit(now, buf)` of the family returns, so
//!   one driver loop serves the TURN client, the ICE agent, the SIP transaction layer and the UA.
//! - [`hmac`]: HMAC-SHA1/-SHA256 with precomputed states that are zeroized on drop, the one keyed-MAC
//!   mechanism (STUN MESSAGE-INTEGRITY, SIP digest nonces).
//! - [`log`]: `log_debug!` and friends, diagnostics that exist only with a crate's `log` feature.
//! - [`turn_rest`]: ephemeral ("TURN REST") credentials shared by TURN and SIP `auth_ephemeral`.
//!
//! No allocation, no I/O, no clock: like the rest of the family this crate is Sans-IO.
//!
//! ```
//! use rtcweb_proto::{time, Instant, Rng};
//! use core::time::Duration;
//!
//! // In a driver the seed comes from the OS (getrandom); a constant makes a test reproducible.
//! let mut rng = Rng::from_seed([7; 32]);
//! let mut id = [0u8; 12];
//! rng.fill(&mut id);
//! assert_ne!(id, [0; 12]);
//!
//! // A registrar answering `Expires: 18446744073709551615` cannot make the deadline overflow.
//! let now = Instant::from_nanos(1_000);
//! let deadline = time::saturating_add(now, Duration::from_secs(u64::MAX));
//! assert_eq!(deadline, time::far_future());
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "std")]
extern crate std;

mod buffer;
pub mod hmac;
pub mod log;
mod rng;
pub mod time;
mod transmit;
pub mod turn_rest;

pub use buffer::BufferTooSmall;
pub use rng::Rng;
pub use sans_io_time::Instant;
pub use transmit::{Transmit, Transport};
