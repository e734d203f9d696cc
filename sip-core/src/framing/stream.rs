//! Stream framing (RFC 3261 §18.3, §7.5; RFC 5626 §4.4.1): Content-Length is mandatory, a partial
//! message asks for more bytes, CRLFs between messages are skipped, and a double-CRLF ping is
//! reported so the caller can answer with a single-CRLF pong.

use crate::message::parser::parse_head;
use crate::message::{Error, ErrorKind, Header, Limits, Message};

/// What the front of a stream buffer holds.
#[derive(Debug, Clone, Copy)]
pub enum Frame<'a> {
    /// Not enough bytes yet; keep reading. `needed` is a lower bound on the total bytes required
    /// when it is known (head parsed, body incomplete).
    NeedMore {
        /// Total bytes the message needs, when known.
        needed: Option<usize>,
    },
    /// An RFC 5626 keep-alive of `len` bytes: a ping (`CRLF CRLF`, answer with `CRLF`) or a pong /
    /// stray CRLF (`CRLF`). Consume `len` bytes.
    KeepAlive {
        /// Bytes to consume.
        len: usize,
        /// Whether it is a double-CRLF ping that must be answered with a CRLF pong.
        ping: bool,
    },
    /// One complete message; consume `len` bytes.
    Message {
        /// The message.
        message: Message<'a>,
        /// Bytes to consume.
        len: usize,
    },
}

/// Looks at the front of a stream buffer and returns the next [`Frame`].
///
/// # Errors
/// A parse [`Error`] (including [`ErrorKind::ContentLengthRequired`]); the stream is then
/// unusable, since framing is lost (§18.3).
pub fn next_frame<'a, 'b: 'a>(
    buf: &'b [u8],
    storage: &'a mut [Header<'b>],
    limits: &Limits,
) -> Result<Frame<'a>, Error> {
    match buf {
        [] | [b'\r'] | [b'\r', b'\n', b'\r'] => return Ok(Frame::NeedMore { needed: None }),
        [b'\r', b'\n', b'\r', b'\n', ..] => return Ok(Frame::KeepAlive { len: 4, ping: true }),
        [b'\r', b'\n', ..] => {
            return Ok(Frame::KeepAlive {
                len: 2,
                ping: false,
            })
        }
        [b'\n', ..] => {
            return Ok(Frame::KeepAlive {
                len: 1,
                ping: false,
            })
        }
        _ => {}
    }
    let head = match parse_head(buf, storage, limits) {
        Err(e) if e.kind == ErrorKind::Incomplete => return Ok(Frame::NeedMore { needed: None }),
        other => other?,
    };
    let (len, _) = head.content_length.ok_or(Error {
        kind: ErrorKind::ContentLengthRequired,
        offset: head.body_offset,
    })?;
    // Saturating: on a 32-bit target a Content-Length near u32::MAX would overflow usize.
    let total = head.body_offset.saturating_add(len);
    if total > limits.max_message_size {
        return Err(Error {
            kind: ErrorKind::TooLarge,
            offset: limits.max_message_size,
        });
    }
    let Some(body) = buf.get(head.body_offset..total) else {
        return Ok(Frame::NeedMore {
            needed: Some(total),
        });
    };
    Ok(Frame::Message {
        message: Message::assemble(head, storage, body),
        len: total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSG: &[u8] = b"OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\nContent-Length: 3\r\n\r\nabc";

    fn frame(buf: &[u8]) -> Result<(&'static str, usize), ErrorKind> {
        let mut st = [Header::EMPTY; 8];
        match next_frame(buf, &mut st, &Limits::DEFAULT) {
            Ok(Frame::NeedMore { needed }) => Ok(("more", needed.unwrap_or(0))),
            Ok(Frame::KeepAlive { len, ping: true }) => Ok(("ping", len)),
            Ok(Frame::KeepAlive { len, ping: false }) => Ok(("pong", len)),
            Ok(Frame::Message { message, len }) => {
                assert_eq!(message.body(), b"abc");
                Ok(("msg", len))
            }
            Err(e) => Err(e.kind),
        }
    }

    #[test]
    fn frames() {
        assert_eq!(frame(b""), Ok(("more", 0)));
        assert_eq!(frame(b"\r\n\r\nOPTIONS"), Ok(("ping", 4)));
        assert_eq!(frame(b"\r\nOPTIONS"), Ok(("pong", 2)));
        assert_eq!(frame(b"\r\n\r"), Ok(("more", 0)));
        for cut in 1..MSG.len() {
            let r = frame(MSG.get(..cut).unwrap());
            assert!(matches!(r, Ok(("more", _))), "cut {cut}: {r:?}");
        }
        let mut two = MSG.to_vec();
        two.extend_from_slice(MSG);
        assert_eq!(frame(&two), Ok(("msg", MSG.len())));
        assert_eq!(
            frame(b"OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n"),
            Err(ErrorKind::ContentLengthRequired)
        );
        assert_eq!(frame(b"garbage\r\n\r\n"), Err(ErrorKind::RequestLine));
    }
}
