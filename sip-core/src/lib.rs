//! Zero-copy SIP (RFC 3261): messages, URIs, headers, framing and digest authentication, plus
//! Sans-IO transactions, dialogs, registration, session timers and a UA core; no_std.
//!
//! Part of the [rtcweb](https://github.com/rtcweb/rtcweb) family. This crate is Sans-IO: it never opens
//! a socket, spawns a thread or reads a clock; time comes in as an argument.
//!
//! ```
//! use rtcweb_sip_core::header::{CSeq, Via};
//! use rtcweb_sip_core::message::{Header, Message, Method};
//!
//! let raw = b"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n\
//!     Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776\r\n\
//!     Call-ID: a84b4c76e66710\r\nCSeq: 314159 INVITE\r\nContent-Length: 0\r\n\r\n";
//! let mut storage = [Header::EMPTY; 32]; // header index: no allocator needed
//! let msg = Message::parse(raw, &mut storage)?;
//! assert_eq!(msg.method(), Some(Method::Invite));
//! assert_eq!(msg.header("i").map(|h| h.value()), Some("a84b4c76e66710"));
//! // Absent: Ok(None); present but malformed: Err (as STUN's `attribute::<A>()`).
//! let via = msg.typed::<Via>()?.ok_or("no Via")?;
//! assert_eq!(via.branch(), Some("z9hG4bK776"));
//! assert_eq!(msg.typed::<CSeq>()?.map(|c| c.seq), Some(314159));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Modules: [`message`] (parse, view, validate, build), [`uri`], [`header`] (typed values),
//! [`framing`] (UDP, stream with keep-alives, WebSocket) and [`auth`] (digest, nonces, ephemeral
//! credentials). With `alloc`, the state machines: [`transaction`] (RFC 3261 §17 and RFC 6026,
//! one deadline heap for thousands of transactions), [`dialog`] (§12), [`registration`] (§10,
//! RFC 5626 outbound basics), [`session_timer`] (RFC 4028) and [`ua`], a UA core composing them
//! (call, answer, reject, hang up, CANCEL, digest retry). Each takes `now` and input through
//! `handle_*` and yields output only through `poll_transmit` / `poll_event` / `poll_timeout`.
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

pub mod auth;
#[cfg(feature = "alloc")]
pub mod dialog;
pub mod framing;
pub mod header;
pub mod message;
#[cfg(feature = "alloc")]
pub mod registration;
#[cfg(feature = "alloc")]
pub mod resolve;
#[cfg(feature = "alloc")]
pub mod session_timer;
#[cfg(feature = "alloc")]
pub mod transaction;
#[cfg(feature = "alloc")]
pub mod ua;
pub mod uri;

#[cfg(test)]
mod equivalence;

/// The family-wide point in time: nanoseconds since an arbitrary, caller-chosen start.
pub use sans_io_time::Instant;
