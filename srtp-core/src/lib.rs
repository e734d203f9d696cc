//! SRTP and SRTCP (RFC 3711): AES_CM_128_HMAC_SHA1_80/32, AEAD_AES_128_GCM and AEAD_AES_256_GCM
//! (RFC 7714), in place.
//!
//! ```
//! use rtcweb_srtp_core::{Config, KeyingMaterial, Profile, Stream};
//!
//! let key = KeyingMaterial::from_key_salt(Profile::AesCm128HmacSha1_80, &[7u8; 30])?;
//! let (mut tx, mut rx) = (Stream::new(&key, &Config::default())?, Stream::new(&key, &Config::default())?);
//! // A 12-byte RTP header and 4 bytes of payload, with room for the 10-byte tag.
//! let mut buf = [0u8; 16 + 10];
//! buf[..16].copy_from_slice(&[0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 42, 1, 2, 3, 4]);
//! let srtp_len = tx.protect_rtp(&mut buf, 16)?;
//! assert_eq!(srtp_len, 26);
//! assert_ne!(&buf[12..16], &[1, 2, 3, 4]);
//! let rtp_len = rx.unprotect_rtp(&mut buf[..srtp_len])?;
//! assert_eq!(&buf[..rtp_len], &[0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 42, 1, 2, 3, 4]);
//! assert!(rx.unprotect_rtp(&mut buf[..srtp_len]).is_err()); // replayed (and now plaintext)
//! # Ok::<(), rtcweb_srtp_core::Error>(())
//! ```
//!
//! Part of the [rtcweb](https://github.com/rtcweb/rtcweb) family. This crate is Sans-IO: it never opens
//! a socket, spawns a thread or reads a clock.
//!
//! - [`Stream`]: one SSRC's context, fixed size, usable with no allocator at all.
//! - [`Session`] (`alloc`): per-SSRC streams created on first use, bounded by [`Config::max_streams`].
//! - [`pair`] (`alloc`): two packets at a time, their HMAC-SHA1 tags computed side by side.
//! - [`KeyingMaterial`]: master key and salt from SDES `inline:` (RFC 4568) or DTLS-SRTP (RFC 5764).
//!
//! Packets are protected in place in the caller's buffer, which must leave room for the tag
//! ([`Error::BufferTooSmall`] otherwise); unprotect verifies the tag (in constant time) before it
//! decrypts and leaves the buffer untouched on any error. No heap allocation per packet; keys are
//! zeroized on drop.
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(any(feature = "alloc", test))]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod config;
mod crypto;
#[cfg(feature = "dtls")]
pub mod dtls;
mod error;
mod key_derivation;
mod keying;
#[cfg(feature = "alloc")]
pub mod pair;
mod profile;
mod replay;
mod rollover;
#[cfg(feature = "alloc")]
mod session;
mod session_keys;
mod stream;
pub mod wire;

pub use config::{Config, DEFAULT_MAX_STREAMS};
pub use error::Error;
pub use keying::{DtlsRole, KeyingMaterial, Mki, MAX_MKI_LEN};
pub use profile::Profile;
pub use replay::{DEFAULT_REPLAY_WINDOW, MAX_REPLAY_WINDOW};
#[cfg(feature = "alloc")]
pub use session::Session;
pub use stream::{Stream, SRTCP_KEY_LIMIT, SRTP_KEY_LIMIT};

/// The family's one small-buffer error (`rtcweb-proto`), from `DtlsSrtp::poll_transmit`.
pub use rtcweb_proto::BufferTooSmall;

/// The family-wide point in time: nanoseconds since an arbitrary, caller-chosen start.
pub use sans_io_time::Instant;
