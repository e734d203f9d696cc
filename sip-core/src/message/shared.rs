//! [`SharedMessage`] (feature `bytes`): a SIP message that owns its datagram or frame as a
//! [`bytes::Bytes`], for async code that keeps a message across `.await` points or hands it to
//! another task. Parsed once: the offsets the parser found (start line, every header's name,
//! value and line, the body) are kept, and [`SharedMessage::message`] rebuilds the borrowed
//! [`Message`] view from them without tokenizing anything again. Cloning costs two reference
//! counts (the bytes and the offset table, one allocation made at parse time).
//!
//! ```
//! use bytes::Bytes;
//! use rtcweb_sip_core::message::{Header, HeaderName, SharedMessage};
//!
//! let datagram = Bytes::from_static(
//!     b"OPTIONS sip:bob@example.com SIP/2.0\r\n\
//!       Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK776asdhds\r\n\
//!       Max-Forwards: 70\r\n\
//!       To: <sip:bob@example.com>\r\n\
//!       From: <sip:alice@example.com>;tag=1928301774\r\n\
//!       Call-ID: a84b4c76e66710\r\n\
//!       CSeq: 63104 OPTIONS\r\n\
//!       Content-Length: 0\r\n\r\n",
//! );
//! let shared = SharedMessage::parse(datagram)?;
//! let for_another_task = shared.clone(); // reference counts, no copy, no parse
//!
//! let mut storage = [Header::EMPTY; 16];
//! let msg = for_another_task.message(&mut storage).expect("16 slots hold 7 headers");
//! assert_eq!(msg.header_by_id(HeaderName::CallId).map(|h| h.value()), Some("a84b4c76e66710"));
//! assert_eq!(shared.header_count(), 7);
//! # Ok::<(), rtcweb_sip_core::message::Error>(())
//! ```

use alloc::sync::Arc;

use bytes::Bytes;
use rtcweb_proto::BufferTooSmall;

use super::parser::Head;
use super::{Error, ErrorKind, Header, HeaderName, Limits, Message, Method, StartLine};

/// A byte range of the message, `start..start + len`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u32,
    len: u32,
}

impl Span {
    /// The span of `part`, a sub-slice of `base` (the whole message).
    fn of(base: &[u8], part: &str) -> Self {
        let start = (part.as_ptr() as usize).saturating_sub(base.as_ptr() as usize);
        Self {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            len: u32::try_from(part.len()).unwrap_or(u32::MAX),
        }
    }

    /// The text at this span of `head`, which starts at offset `base` of the message.
    fn text(self, head: &str, base: usize) -> &str {
        let from = (self.start as usize).saturating_sub(base);
        head.get(from..from.saturating_add(self.len as usize))
            .unwrap_or_default()
    }
}

/// The start line, as offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StartParts {
    Request { method: Span, uri: Span },
    Response { code: u16, reason: Span },
}

/// One header, as the parser's offsets (name and raw line start at `offset`, the value at
/// `value_offset`) and lengths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct HeaderParts {
    offset: u32,
    value_offset: u32,
    name_len: u32,
    value_len: u32,
    raw_len: u32,
    id: HeaderName,
}

/// What the parser found, kept beside the bytes (the header table in one shared allocation).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Parts {
    start: StartParts,
    start_raw: Span,
    start_offset: usize,
    /// Offset of the first body byte (the end of the header section).
    body_offset: usize,
    body: Span,
    content_length: Option<(usize, usize)>,
    headers: Arc<[HeaderParts]>,
}

/// A parsed SIP message owning its bytes (shared, reference-counted). See the module docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedMessage {
    bytes: Bytes,
    parts: Parts,
}

/// Header slots on the stack while parsing; a message with more headers (up to
/// `Limits::max_headers`) is parsed again into a heap table of that size.
const STACK_SLOTS: usize = 32;

impl SharedMessage {
    /// Parses `bytes` (one whole message: a datagram or a WebSocket frame) with
    /// [`Limits::DEFAULT`].
    ///
    /// # Errors
    /// As [`Message::parse`].
    pub fn parse(bytes: Bytes) -> Result<Self, Error> {
        Self::parse_with(bytes, &Limits::DEFAULT)
    }

    /// Parses `bytes` with `limits` (at most 128 headers whatever `limits.max_headers` says).
    ///
    /// # Errors
    /// As [`Message::parse_with`].
    pub fn parse_with(bytes: Bytes, limits: &Limits) -> Result<Self, Error> {
        let mut storage = [Header::EMPTY; STACK_SLOTS];
        match Message::parse_with(&bytes, &mut storage, limits) {
            Ok(msg) => {
                let parts = Self::keep(&bytes, &msg);
                Ok(Self { bytes, parts })
            }
            Err(e) if e.kind == ErrorKind::TooManyHeaders && limits.max_headers > STACK_SLOTS => {
                let mut heap = alloc::vec![Header::EMPTY; limits.max_headers];
                let msg = Message::parse_with(&bytes, &mut heap, limits)?;
                let parts = Self::keep(&bytes, &msg);
                Ok(Self { bytes, parts })
            }
            Err(e) => Err(e),
        }
    }

    /// The offsets of `msg`, parsed from `base`.
    fn keep(base: &[u8], msg: &Message<'_>) -> Parts {
        let start = match *msg.start_line() {
            StartLine::Request { method, uri } => StartParts::Request {
                method: Span::of(base, method_token(msg.start_line_raw(), method)),
                uri: Span::of(base, uri),
            },
            StartLine::Response { code, reason } => StartParts::Response {
                code,
                reason: Span::of(base, reason),
            },
        };
        let headers: Arc<[HeaderParts]> = msg
            .headers()
            .iter()
            .map(|h| {
                let len = |s: &str| u32::try_from(s.len()).unwrap_or(u32::MAX);
                HeaderParts {
                    offset: h.offset,
                    value_offset: h.value_offset,
                    name_len: len(h.name),
                    value_len: len(h.value),
                    raw_len: len(h.raw),
                    id: h.id,
                }
            })
            .collect();
        let body = msg.body();
        Parts {
            start,
            start_raw: Span::of(base, msg.start_line_raw()),
            start_offset: msg.start_offset(),
            body_offset: msg.body_offset(),
            body: Span {
                start: u32::try_from(msg.body_offset()).unwrap_or(u32::MAX),
                len: u32::try_from(body.len()).unwrap_or(u32::MAX),
            },
            content_length: msg.content_length().map(|n| (n, 0)),
            headers,
        }
    }

    /// How many [`Header`] slots [`Self::message`] needs.
    #[must_use]
    pub fn header_count(&self) -> usize {
        self.parts.headers.len()
    }

    /// The borrowed view, rebuilt from the offsets found at parse time into `storage` (at least
    /// [`Self::header_count`] slots). Nothing is tokenized again; the header section is
    /// re-checked as UTF-8 (std's check, a word at a time over ASCII) to hand out `&str`s
    /// without `unsafe`.
    ///
    /// # Errors
    /// [`BufferTooSmall`] when `storage` has fewer slots than the message has headers.
    pub fn message<'s>(
        &'s self,
        storage: &'s mut [Header<'s>],
    ) -> Result<Message<'s>, BufferTooSmall> {
        let p = &self.parts;
        let count = p.headers.len();
        let slots = storage
            .get_mut(..count)
            .ok_or(BufferTooSmall { needed: count })?;
        let whole: &'s [u8] = &self.bytes;
        // Validated by the parser, and `Bytes` never changes: this cannot fail.
        let head = whole
            .get(p.start_offset..p.body_offset)
            .and_then(|h| core::str::from_utf8(h).ok())
            .unwrap_or_default();
        let base = p.start_offset;
        for (slot, h) in slots.iter_mut().zip(p.headers.iter()) {
            let span = |start, len| Span { start, len }.text(head, base);
            *slot = Header {
                name: span(h.offset, h.name_len),
                value: span(h.value_offset, h.value_len),
                raw: span(h.offset, h.raw_len),
                offset: h.offset,
                value_offset: h.value_offset,
                id: h.id,
            };
        }
        let start = match p.start {
            StartParts::Request { method, uri } => StartLine::Request {
                method: Method::from_token(method.text(head, base)),
                uri: uri.text(head, base),
            },
            StartParts::Response { code, reason } => StartLine::Response {
                code,
                reason: reason.text(head, base),
            },
        };
        let body_end = (p.body.start as usize).saturating_add(p.body.len as usize);
        let body = whole
            .get(p.body.start as usize..body_end)
            .unwrap_or_default();
        let head = Head {
            start,
            start_raw: p.start_raw.text(head, base),
            start_offset: p.start_offset,
            count,
            body_offset: p.body_offset,
            content_length: p.content_length,
        };
        Ok(Message::assemble(head, storage, body))
    }

    /// The whole message as received.
    #[must_use]
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The message back, for sending on.
    #[must_use]
    pub fn into_bytes(self) -> Bytes {
        self.bytes
    }
}

/// The method token of a Request-Line (its text before the first space).
fn method_token<'a>(line: &'a str, method: Method<'_>) -> &'a str {
    let token = line.split(' ').next().unwrap_or_default();
    debug_assert_eq!(Method::from_token(token), method);
    token
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    const INVITE: &[u8] = b"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n\
        Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8\r\n\
        Max-Forwards: 70\r\n\
        To: Bob <sip:bob@biloxi.example.com>\r\n\
        From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n\
        Call-ID: a84b4c76e66710\r\n\
        CSeq: 314159 INVITE\r\n\
        Subject: caf\xc3\xa9\r\n\
        X-Folded: one\r\n two\r\n\
        Content-Type: application/sdp\r\n\
        Content-Length: 4\r\n\
        \r\n\
        v=0\n";

    const RESPONSE: &[u8] = b"\r\nSIP/2.0 180 Ringing\r\n\
        Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8\r\n\
        To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n\
        From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n\
        Call-ID: a84b4c76e66710\r\n\
        CSeq: 314159 INVITE\r\n\r\n";

    /// The rebuilt view equals a borrowed parse of the same bytes, field for field.
    #[test]
    fn view_equals_a_borrowed_parse() {
        for input in [INVITE, RESPONSE] {
            let shared = SharedMessage::parse(Bytes::from_static(input)).unwrap();
            let mut a = [Header::EMPTY; 32];
            let mut b = [Header::EMPTY; 32];
            let want = Message::parse(input, &mut a).unwrap();
            let got = shared.message(&mut b).unwrap();
            assert_eq!(got.start_line(), want.start_line());
            assert_eq!(got.start_line_raw(), want.start_line_raw());
            assert_eq!(got.start_offset(), want.start_offset());
            assert_eq!(got.headers(), want.headers());
            assert_eq!(got.body(), want.body());
            assert_eq!(got.body_offset(), want.body_offset());
            assert_eq!(got.content_length(), want.content_length());
            assert_eq!(shared.header_count(), want.headers().len());
        }
    }

    #[test]
    fn clones_share_and_small_storage_is_refused() {
        let shared = SharedMessage::parse(Bytes::from_static(INVITE)).unwrap();
        let other = shared.clone();
        assert_eq!(other, shared);
        assert_eq!(other.bytes().as_ptr(), shared.bytes().as_ptr());
        let mut few = [Header::EMPTY; 3];
        assert_eq!(
            shared.message(&mut few).unwrap_err(),
            BufferTooSmall { needed: 10 }
        );
        assert_eq!(other.into_bytes(), Bytes::from_static(INVITE));
    }

    /// More headers than the stack table: parsed again into a heap table, same view.
    #[test]
    fn many_headers() {
        let mut text = alloc::string::String::from("OPTIONS sip:a@b SIP/2.0\r\n");
        for i in 0..100 {
            text.push_str(&alloc::format!("X-H{i}: {i}\r\n"));
        }
        text.push_str("\r\n");
        let shared = SharedMessage::parse(Bytes::from(text.clone())).unwrap();
        assert_eq!(shared.header_count(), 100);
        let mut st = alloc::vec![Header::EMPTY; 100];
        let msg = shared.message(&mut st).unwrap();
        assert_eq!(msg.header("x-h99").map(|h| h.value()), Some("99"));
        let mut more = alloc::string::String::new();
        for i in 0..200 {
            more.push_str(&alloc::format!("X-M{i}: {i}\r\n"));
        }
        let too_many = text.replace("\r\n\r\n", &alloc::format!("\r\n{more}\r\n"));
        assert_eq!(
            SharedMessage::parse(Bytes::from(too_many))
                .unwrap_err()
                .kind,
            ErrorKind::TooManyHeaders
        );
    }

    #[test]
    fn refusals_are_those_of_the_borrowed_parse() {
        for bad in [
            &INVITE[..40],
            &INVITE[..INVITE.len() - 2],
            b"\r\n\r\n".as_slice(),
        ] {
            let mut st = [Header::EMPTY; 32];
            assert_eq!(
                SharedMessage::parse(Bytes::copy_from_slice(bad)).unwrap_err(),
                Message::parse(bad, &mut st).unwrap_err()
            );
        }
    }
}
