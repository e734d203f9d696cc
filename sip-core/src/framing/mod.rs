//! Finding message boundaries on each transport (RFC 3261 §18.3): UDP datagrams, TCP/TLS streams
//! with RFC 5626 keep-alives, and WebSocket frames (RFC 7118).
//!
//! Sans-IO: the caller reads bytes, hands them in, and drops what was consumed.

mod stream;

pub use stream::{next_frame, Frame};

use crate::message::{Error, Header, Limits, Message};

/// Parses one UDP datagram (§18.3): Content-Length optional; if present and smaller than the data,
/// trailing octets are ignored; if larger, the message is rejected.
///
/// # Errors
/// The parse [`Error`].
pub fn parse_datagram<'a, 'b: 'a>(
    datagram: &'b [u8],
    storage: &'a mut [Header<'b>],
    limits: &Limits,
) -> Result<Message<'a>, Error> {
    Message::parse_with(datagram, storage, limits)
}

/// Parses the payload of one WebSocket text or binary frame (RFC 7118 §5): exactly one message per
/// frame; Content-Length is optional, as for datagrams. The integrator does the WebSocket framing.
///
/// # Errors
/// The parse [`Error`].
pub fn parse_websocket<'a, 'b: 'a>(
    payload: &'b [u8],
    storage: &'a mut [Header<'b>],
    limits: &Limits,
) -> Result<Message<'a>, Error> {
    Message::parse_with(payload, storage, limits)
}
