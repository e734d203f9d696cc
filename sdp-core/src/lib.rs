//! Zero-copy SDP (RFC 8866) with the WebRTC attributes, and RFC 3264 offer/answer.
//!
//! Part of the [rtcweb](https://github.com/rtcweb/rtcweb) family. This crate is Sans-IO: it never opens
//! a socket, spawns a thread or reads a clock; time comes in as an [`Instant`].
//!
//! ```
//! use rtcweb_sdp_core::{Direction, SessionDescription};
//!
//! let sdp = b"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
//!             m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendonly\r\n\
//!             a=rtpmap:111 opus/48000/2\r\na=x-unknown: kept as is\r\n";
//! let desc = SessionDescription::parse(sdp)?;
//! let audio = desc.media().next().unwrap();
//! assert_eq!(audio.mid(), Some("0"));
//! assert_eq!(audio.direction(), Direction::SendOnly);
//! assert_eq!(audio.rtpmap(111).unwrap().clock_rate, 48_000);
//! // Unmodified, it writes back byte for byte, without allocating.
//! let mut out = [0u8; 256];
//! let n = desc.write_to(&mut out)?;
//! assert_eq!(&out[..n], &sdp[..]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! - [`SessionDescription`] validates the whole input in one pass (strict by default, or lenient with
//!   warnings, see [`ParseOptions`]) and then reads it lazily: no allocator is needed.
//! - [`attribute`] types every WebRTC and SIP attribute on demand; unknown ones stay name/value views.
//! - With `alloc`, [`owned::Description`] builds descriptions and writes canonical CRLF, and
//!   [`offer_answer`] answers an offer (RFC 3264, JSEP RFC 8829) as a pure function.
//! - Every malformed line is a [`ParseError`] with its line and column; input is bounded by [`Limits`].
//!
//! Layout: [`wire`] holds the line grammar and the typed `o=`/`c=`/`b=`/`t=`/`m=` fields, [`attribute`]
//! the `a=` grammar, [`description`] the validated view, `owned` and `offer_answer` the `alloc` side.
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod attribute;
pub mod description;
pub mod error;
#[cfg(feature = "alloc")]
pub mod offer_answer;
#[cfg(feature = "alloc")]
pub mod owned;
pub mod wire;

pub use attribute::{Attribute, AttributeValue, Candidate, Crypto, Direction};
pub use description::options::{Limits, Mode, ParseOptions};
pub use description::{Media, MediaIter, SessionDescription};
pub use error::{BufferTooSmall, ErrorKind, ParseError, ValueError, Warning};
pub use wire::{Line, LineEnding};

/// The family-wide point in time: nanoseconds since an arbitrary, caller-chosen start.
pub use sans_io_time::Instant;
