//! Zero-copy, Sans-IO STUN (RFC 8489, RFC 5389) and TURN (RFC 8656).
//!
//! ```
//! use rtcweb_stun_core::credentials::short_term_key;
//! use rtcweb_stun_core::wire::attributes::{Username, XorMappedAddress};
//! use rtcweb_stun_core::wire::{Class, Message, MessageType, MessageWriter, Method, TransactionId};
//!
//! // A Binding success response with XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and FINGERPRINT ...
//! let key = short_term_key("pass")?;
//! let mut buf = [0u8; 128];
//! let typ = MessageType::new(Method::BINDING, Class::Success);
//! let mut w = MessageWriter::new(&mut buf, typ, TransactionId([1; 12]))?;
//! w.add(&XorMappedAddress("192.0.2.1:32853".parse()?))?;
//! w.add_message_integrity(&key)?;
//! w.add_fingerprint()?;
//! let len = w.finish();
//!
//! // ... parsed back without copying, verified in constant time.
//! let msg = Message::parse(&buf[..len])?;
//! msg.verify_integrity(&key)?;
//! msg.verify_fingerprint()?;
//! let mapped = msg.attribute::<XorMappedAddress>()?.map(|a| a.0);
//! assert_eq!(mapped, Some("192.0.2.1:32853".parse()?));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Layout
//! - [`wire`]: the message view, typed attributes and the writer (no allocator needed);
//! - [`credentials`]: short-term, long-term and ephemeral (TURN REST) keys;
//! - [`IntegrityKey`]: a keyed MESSAGE-INTEGRITY(-SHA256) computer;
//! - [`channel_data`]: TURN ChannelData framing (RFC 8656 §12.4);
//! - [`demux`]: the RFC 7983 first-byte demultiplexer;
//! - [`client`]: the Sans-IO request transaction (RFC 8489 §6.2.1 retransmissions);
//! - [`turn`]: the Sans-IO TURN client allocation (RFC 8656).
//!
//! # Sans-IO
//! Nothing here opens a socket, reads a clock or draws random numbers: bytes and an [`Instant`] go
//! in; bytes to send, the next deadline and events come out (`handle_*` in, `poll_*` out).
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod channel_data;
pub mod client;
pub mod credentials;
pub mod demux;
mod integrity;
#[cfg(feature = "alloc")]
pub mod turn;
pub mod wire;

pub use integrity::{IntegrityKey, FINGERPRINT_XOR};

/// The family-wide point in time: nanoseconds since an arbitrary, caller-chosen start.
pub use sans_io_time::Instant;
