//! [`Message`]: a parsed SIP message borrowing its input (RFC 3261 §7).

use super::error::{Error, ErrorKind};
use super::header::Header;
use super::header_name::HeaderName;
use super::limits::Limits;
use super::method::Method;
use super::parser::{parse_head, Head};
use super::start_line::StartLine;
use crate::header::{challenges, id_of, split_list, Challenges, HeaderError, Split, TypedHeader};

/// A parsed SIP request or response. Every field borrows the input; header fields live in storage the
/// caller lends, so parsing needs no allocator.
///
/// ```
/// use rtcweb_sip_core::message::{Header, Message};
/// let raw = b"OPTIONS sip:bob@example.com SIP/2.0\r\nCall-ID: abc\r\ni: ignored\r\n\r\n";
/// let mut storage = [Header::EMPTY; 16];
/// let msg = Message::parse(raw, &mut storage).unwrap();
/// assert_eq!(msg.header("call-id").map(|h| h.value()), Some("abc"));
/// assert_eq!(msg.headers().len(), 2);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    start: StartLine<'a>,
    start_raw: &'a str,
    start_offset: usize,
    headers: &'a [Header<'a>],
    body: &'a [u8],
    body_offset: usize,
    declared_length: Option<usize>,
}

impl<'a> Message<'a> {
    /// Parses one whole message as received in a UDP datagram or WebSocket frame (§18.3, RFC 7118):
    /// Content-Length is optional; if present, the body is that many bytes and octets after it are
    /// ignored, and a Content-Length larger than the data is an error. Uses [`Limits::DEFAULT`].
    ///
    /// # Errors
    /// [`Error`] with the rule broken and the byte offset.
    pub fn parse<'b: 'a>(buf: &'b [u8], storage: &'a mut [Header<'b>]) -> Result<Self, Error> {
        Self::parse_with(buf, storage, &Limits::DEFAULT)
    }

    /// [`Message::parse`] with caller-chosen [`Limits`].
    ///
    /// # Errors
    /// [`Error`] with the rule broken and the byte offset.
    pub fn parse_with<'b: 'a>(
        buf: &'b [u8],
        storage: &'a mut [Header<'b>],
        limits: &Limits,
    ) -> Result<Self, Error> {
        if buf.len() > limits.max_message_size {
            return Err(Error::new(ErrorKind::TooLarge, limits.max_message_size));
        }
        let head = parse_head(buf, storage, limits)?;
        let rest = buf.get(head.body_offset..).unwrap_or_default();
        let body = match head.content_length {
            Some((n, at)) => rest
                .get(..n)
                .ok_or(Error::new(ErrorKind::BodyTruncated, at))?,
            None => rest,
        };
        Ok(Self::assemble(head, storage, body))
    }

    /// Parses the start line and headers only; the body is whatever follows the header section,
    /// whatever Content-Length says. For answering a datagram whose Content-Length exceeds its
    /// body, which [`Message::parse`] refuses and RFC 3261 §18.3 answers with 400.
    ///
    /// # Errors
    /// [`Error`] with the rule broken and the byte offset.
    pub fn parse_head_only<'b: 'a>(
        buf: &'b [u8],
        storage: &'a mut [Header<'b>],
    ) -> Result<Self, Error> {
        let limits = Limits::DEFAULT;
        if buf.len() > limits.max_message_size {
            return Err(Error::new(ErrorKind::TooLarge, limits.max_message_size));
        }
        let head = parse_head(buf, storage, &limits)?;
        let body = buf.get(head.body_offset..).unwrap_or_default();
        Ok(Self::assemble(head, storage, body))
    }

    pub(crate) fn assemble(head: Head<'a>, storage: &'a [Header<'a>], body: &'a [u8]) -> Self {
        Self {
            start: head.start,
            start_raw: head.start_raw,
            start_offset: head.start_offset,
            headers: storage.get(..head.count).unwrap_or_default(),
            body,
            body_offset: head.body_offset,
            declared_length: head.content_length.map(|(n, _)| n),
        }
    }

    /// The start line.
    #[must_use]
    pub const fn start_line(&self) -> &StartLine<'a> {
        &self.start
    }

    /// The start line as received (without CRLF).
    #[must_use]
    pub const fn start_line_raw(&self) -> &'a str {
        self.start_raw
    }

    /// Offset of the start line (past any leading CRLFs, §7.5).
    #[must_use]
    pub const fn start_offset(&self) -> usize {
        self.start_offset
    }

    /// Whether this is a request.
    #[must_use]
    pub const fn is_request(&self) -> bool {
        matches!(self.start, StartLine::Request { .. })
    }

    /// The method of a request, or `None` for a response (whose CSeq header names the method).
    #[must_use]
    pub const fn method(&self) -> Option<Method<'a>> {
        match self.start {
            StartLine::Request { method, .. } => Some(method),
            StartLine::Response { .. } => None,
        }
    }

    /// The Request-URI text of a request.
    #[must_use]
    pub const fn request_uri(&self) -> Option<&'a str> {
        match self.start {
            StartLine::Request { uri, .. } => Some(uri),
            StartLine::Response { .. } => None,
        }
    }

    /// The status code of a response.
    #[must_use]
    pub const fn status(&self) -> Option<u16> {
        match self.start {
            StartLine::Response { code, .. } => Some(code),
            StartLine::Request { .. } => None,
        }
    }

    /// The reason phrase of a response.
    #[must_use]
    pub const fn reason(&self) -> Option<&'a str> {
        match self.start {
            StartLine::Response { reason, .. } => Some(reason),
            StartLine::Request { .. } => None,
        }
    }

    /// All header fields in order, unknown ones included.
    #[must_use]
    pub const fn headers(&self) -> &'a [Header<'a>] {
        self.headers
    }

    /// The first header with this name (case-insensitive, compact forms resolved).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&'a Header<'a>> {
        self.headers_named(name).next()
    }

    /// Every header with this name, in order.
    pub fn headers_named<'n>(&self, name: &'n str) -> impl Iterator<Item = &'a Header<'a>> + 'n
    where
        'a: 'n,
    {
        let id = HeaderName::parse(name);
        self.headers.iter().filter(move |h| {
            if id == HeaderName::Other {
                h.id == HeaderName::Other && h.name.eq_ignore_ascii_case(name)
            } else {
                h.id == id
            }
        })
    }

    /// The first header with this known name.
    #[must_use]
    pub fn header_by_id(&self, id: HeaderName) -> Option<&'a Header<'a>> {
        self.headers.iter().find(|h| h.id == id)
    }

    /// Every value of a header, splitting comma-separated lists outside quotes and angle brackets
    /// (§7.3.1), across all header lines with that name.
    pub fn values<'n>(&self, name: &'n str) -> impl Iterator<Item = &'a str> + 'n
    where
        'a: 'n,
    {
        self.headers_named(name)
            .flat_map(|h| split_list(h.value).map(|(v, _)| v))
    }

    /// The first value of a typed header (for list headers, the first element), parsed on demand;
    /// allocates nothing.
    ///
    /// The family's one order, as STUN's `Message::attribute`: `Ok(None)` when the header is
    /// absent (or has no value, e.g. an empty list), `Ok(Some(h))` when its first value parses,
    /// `Err` when that value is malformed, naming the header and the offset of the defect in the
    /// message. So `?` propagates malformed headers and `.ok().flatten()` treats them as absent.
    ///
    /// ```
    /// use rtcweb_sip_core::header::{CSeq, Expires};
    /// use rtcweb_sip_core::message::{Header, Message};
    /// let raw = b"OPTIONS sip:b@example.com SIP/2.0\r\nCSeq: x OPTIONS\r\n\r\n";
    /// let mut storage = [Header::EMPTY; 8];
    /// let msg = Message::parse(raw, &mut storage).unwrap();
    /// assert_eq!(msg.typed::<Expires>(), Ok(None)); // absent
    /// assert!(msg.typed::<CSeq>().is_err()); // present, malformed
    /// ```
    ///
    /// # Errors
    /// [`HeaderError`] when the first value of the header does not match its grammar.
    pub fn typed<H: TypedHeader<'a>>(&self) -> Result<Option<H>, HeaderError> {
        // `typed_all().next().transpose()`, without the iterator adapters it needs to chain every line's
        // values: only the first value of the first line that has one is parsed.
        for h in self.headers.iter().filter(|h| h.is_typed::<H>()) {
            let first = match H::SPLIT {
                Split::Single => Some(Ok((h.value, 0))),
                Split::List => split_list(h.value).next().map(Ok),
                Split::Challenges => challenges(h.value).next_slice(),
            };
            if let Some(first) = first {
                let error = |(kind, at)| HeaderError {
                    header: id_of::<H>(),
                    name: H::NAME,
                    offset: h.value_offset() + at,
                    kind,
                };
                return match first {
                    Ok((v, rel)) => H::parse(v)
                        .map(Some)
                        .map_err(|(kind, at)| error((kind, rel + at))),
                    Err(e) => Err(error(e)),
                };
            }
        }
        Ok(None)
    }

    /// Every value of a typed header, in order, across all its lines, parsed on demand: list
    /// headers split on commas (§7.3.1), `WWW-Authenticate` / `Proxy-Authenticate` into their
    /// challenges (RFC 7235 §4.1), as [`TypedHeader::SPLIT`] says. Allocates nothing.
    pub fn typed_all<H: TypedHeader<'a>>(
        &self,
    ) -> impl Iterator<Item = Result<H, HeaderError>> + 'a {
        self.headers
            .iter()
            .filter(|h| h.is_typed::<H>())
            .flat_map(|h| {
                let base = h.value_offset();
                let value = h.value;
                let single = (H::SPLIT == Split::Single).then_some(Ok((value, 0usize)));
                let list = (H::SPLIT == Split::List)
                    .then(|| split_list(value).map(Ok))
                    .into_iter()
                    .flatten();
                let mut ch = (H::SPLIT == Split::Challenges).then(|| challenges(value));
                let challenge_list =
                    core::iter::from_fn(move || ch.as_mut().and_then(Challenges::next_slice));
                let error = move |(kind, at)| HeaderError {
                    header: id_of::<H>(),
                    name: H::NAME,
                    offset: base + at,
                    kind,
                };
                single
                    .into_iter()
                    .chain(list)
                    .chain(challenge_list)
                    .map(move |r| match r {
                        Ok((v, rel)) => H::parse(v).map_err(|(kind, at)| error((kind, rel + at))),
                        Err(e) => Err(error(e)),
                    })
            })
    }

    /// The body: exactly Content-Length bytes when the header is present (§20.14).
    #[must_use]
    pub const fn body(&self) -> &'a [u8] {
        self.body
    }

    /// Offset of the body in the input.
    #[must_use]
    pub const fn body_offset(&self) -> usize {
        self.body_offset
    }

    /// The Content-Length the message declared, if any.
    #[must_use]
    pub const fn content_length(&self) -> Option<usize> {
        self.declared_length
    }

    /// Bytes of the input this message spans, from offset 0 (leading CRLFs included) to the end
    /// of its body. Octets past it (e.g. after Content-Length in a datagram) are not part of it.
    #[must_use]
    pub const fn len(&self) -> usize {
        self.body_offset + self.body.len()
    }

    /// Whether the message is empty (never true for a parsed message).
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        false
    }
}
