//! [`MessageWriter`]: a SIP message written straight into the caller's buffer, without an
//! allocator (RFC 3261 §7): start line, header fields in order, `Content-Length` (§20.14), body.

use core::fmt;

use rtcweb_proto::BufferTooSmall;

use super::header_name::HeaderName;
use super::method::Method;

/// Writes one SIP request or response into a `&mut [u8]`; needs no `alloc`.
///
/// Each call appends and chains; none fails. When the buffer runs out the writer stops writing
/// but keeps counting, and [`MessageWriter::finish`] returns [`BufferTooSmall`] with the exact
/// size the whole message needs (the buffer's content is then unspecified), so one retry with a
/// buffer that large succeeds. Names and values are written as given: they must not hold CR or
/// LF (§7.3.1 folding aside) — the [`MessageBuilder`](super::builder::MessageBuilder) and this
/// writer trust their caller alike.
///
/// ```
/// use rtcweb_sip_core::message::{writer::MessageWriter, Header, Message, Method};
/// let mut buf = [0u8; 512];
/// let mut w = MessageWriter::request(&mut buf, Method::Options, "sip:bob@example.com");
/// w.header("Via", "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK7")
///     .header("Max-Forwards", "70")
///     .header("From", "<sip:alice@example.com>;tag=1")
///     .header("To", "<sip:bob@example.com>")
///     .header("Call-ID", "a84b4c76e66710")
///     .header_fmt("CSeq", format_args!("{} OPTIONS", 1));
/// let n = w.finish(b"").unwrap(); // adds `Content-Length: 0`
/// let mut st = [Header::EMPTY; 8];
/// let msg = Message::parse(&buf[..n], &mut st).unwrap();
/// assert_eq!(msg.content_length(), Some(0));
///
/// let mut small = [0u8; 16];
/// let mut w = MessageWriter::request(&mut small, Method::Options, "sip:bob@example.com");
/// w.header("Call-ID", "a84b4c76e66710");
/// assert_eq!(w.finish(b"").unwrap_err().needed, 83); // the size to retry with
/// ```
#[derive(Debug)]
pub struct MessageWriter<'b> {
    buf: &'b mut [u8],
    /// Bytes the message needs so far; past `buf.len()` nothing more is written.
    len: usize,
    /// A `Content-Length` header was written.
    has_length: bool,
}

impl<'b> MessageWriter<'b> {
    /// Starts a request: `METHOD Request-URI SIP/2.0` (§7.1).
    #[must_use]
    pub fn request(buf: &'b mut [u8], method: Method<'_>, uri: &str) -> Self {
        let mut w = Self::new(buf);
        w.put(method.as_str().as_bytes());
        w.put(b" ");
        w.put(uri.as_bytes());
        w.put(b" SIP/2.0\r\n");
        w
    }

    /// Starts a response: `SIP/2.0 Status-Code Reason-Phrase` (§7.2); the code is clamped to
    /// three digits (100–999).
    #[must_use]
    pub fn response(buf: &'b mut [u8], code: u16, reason: &str) -> Self {
        let c = code.clamp(100, 999);
        let digits = [
            b'0' + (c / 100) as u8,
            b'0' + (c / 10 % 10) as u8,
            b'0' + (c % 10) as u8,
        ];
        let mut w = Self::new(buf);
        w.put(b"SIP/2.0 ");
        w.put(&digits);
        w.put(b" ");
        w.put(reason.as_bytes());
        w.put(b"\r\n");
        w
    }

    /// Starts with a start line given whole (without CRLF), e.g. one as received.
    #[must_use]
    pub fn start_line(buf: &'b mut [u8], line: &str) -> Self {
        let mut w = Self::new(buf);
        w.put(line.as_bytes());
        w.put(b"\r\n");
        w
    }

    const fn new(buf: &'b mut [u8]) -> Self {
        Self {
            buf,
            len: 0,
            has_length: false,
        }
    }

    /// Appends `name: value` (§7.3).
    pub fn header(&mut self, name: &str, value: &str) -> &mut Self {
        self.note(name);
        self.put(name.as_bytes());
        self.put(b": ");
        self.put(value.as_bytes());
        self.put(b"\r\n");
        self
    }

    /// Appends `name: value` with the value formatted in place (numbers, tags), no allocation.
    pub fn header_fmt(&mut self, name: &str, value: fmt::Arguments<'_>) -> &mut Self {
        self.note(name);
        self.put(name.as_bytes());
        self.put(b": ");
        let _ = fmt::Write::write_fmt(self, value);
        self.put(b"\r\n");
        self
    }

    /// Appends a header field as received (`name: value`, folding kept, without the final
    /// CRLF), e.g. [`Header::raw`](super::Header::raw) of a message being forwarded.
    pub fn raw_header(&mut self, raw: &str) -> &mut Self {
        let name = raw.split(':').next().unwrap_or_default().trim_end();
        self.note(name);
        self.put(raw.as_bytes());
        self.put(b"\r\n");
        self
    }

    /// Bytes the message needs so far (more than the buffer holds once it ran out).
    #[must_use]
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was written (never true: a start line always is).
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Ends the header section and appends `body`; adds `Content-Length` (§20.14, required
    /// over stream transports, §18.3) unless a header already gave it. Returns the message's
    /// length.
    ///
    /// # Errors
    /// [`BufferTooSmall`] with the size the whole message needs.
    pub fn finish(self, body: &[u8]) -> Result<usize, BufferTooSmall> {
        self.finish_with(body, true)
    }

    /// [`MessageWriter::finish`] that adds `Content-Length` only when `add_length` (and none
    /// was written): an edited message is written back with exactly the headers it has.
    ///
    /// # Errors
    /// [`BufferTooSmall`] with the size the whole message needs.
    pub fn finish_with(mut self, body: &[u8], add_length: bool) -> Result<usize, BufferTooSmall> {
        if add_length && !self.has_length {
            self.header_fmt("Content-Length", format_args!("{}", body.len()));
        }
        self.put(b"\r\n");
        self.put(body);
        if self.len > self.buf.len() {
            return Err(BufferTooSmall { needed: self.len });
        }
        Ok(self.len)
    }

    fn note(&mut self, name: &str) {
        if HeaderName::parse(name) == HeaderName::ContentLength {
            self.has_length = true;
        }
    }

    fn put(&mut self, bytes: &[u8]) {
        let end = self.len.saturating_add(bytes.len());
        if let Some(dst) = self.buf.get_mut(self.len..end) {
            dst.copy_from_slice(bytes);
        }
        self.len = end;
    }
}

impl fmt::Write for MessageWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.put(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::MessageWriter;
    use crate::message::{Header, Message, Method};

    #[test]
    fn response_and_exact_needed_size() {
        let mut buf = [0u8; 256];
        let mut w = MessageWriter::response(&mut buf, 180, "Ringing");
        w.header("Via", "SIP/2.0/UDP a;branch=z9hG4bK1")
            .header("l", "3");
        let n = w.finish(b"abc").unwrap();
        let out = &buf[..n];
        assert_eq!(
            out,
            b"SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\r\nl: 3\r\n\r\nabc"
        );
        let mut st = [Header::EMPTY; 4];
        assert_eq!(Message::parse(out, &mut st).unwrap().body(), b"abc");
        // Every shorter buffer reports the same exact size; that size then fits.
        for len in 0..n {
            let mut small = [0u8; 256];
            let mut w = MessageWriter::response(&mut small[..len], 180, "Ringing");
            w.header("Via", "SIP/2.0/UDP a;branch=z9hG4bK1")
                .header("l", "3");
            assert_eq!(w.finish(b"abc").unwrap_err().needed, n);
        }
    }

    #[test]
    fn request_gets_content_length_once() {
        let mut buf = [0u8; 256];
        let mut w = MessageWriter::request(&mut buf, Method::Message, "sip:b@example.com");
        w.header_fmt("CSeq", format_args!("{} MESSAGE", 42))
            .header("Content-Type", "text/plain");
        let n = w.finish(b"hi").unwrap();
        assert_eq!(
            &buf[..n],
            b"MESSAGE sip:b@example.com SIP/2.0\r\nCSeq: 42 MESSAGE\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi"
        );
        let mut buf = [0u8; 64];
        let mut w = MessageWriter::start_line(&mut buf, "ACK sip:b SIP/2.0");
        w.raw_header("content-length :  0");
        let n = w.finish(b"").unwrap();
        assert_eq!(
            &buf[..n],
            b"ACK sip:b SIP/2.0\r\ncontent-length :  0\r\n\r\n"
        );
    }
}
