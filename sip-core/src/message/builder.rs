//! Building and editing messages, and serializing them into a caller's buffer (RFC 3261 §7, §8.2.6).
//!
//! A [`MessageBuilder`] made from a parsed [`Message`] keeps every header it was not told to change
//! as the original bytes, so serializing an untouched message reproduces it byte for byte — what an
//! SBC needs when it rewrites only the Request-URI, Contact or Via.

use alloc::borrow::Cow;
use alloc::format;
use alloc::vec::Vec;

use super::header_name::HeaderName;
use super::method::Method;
use super::view::Message;
use super::writer::MessageWriter;
use crate::header::{ToHeader, TypedHeader};

/// The output buffer is too small; `needed` bytes are required (the family's one type, from
/// `rtcweb-proto`).
pub use rtcweb_proto::BufferTooSmall;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Line<'a> {
    Raw(&'a str),
    Request {
        method: Cow<'a, str>,
        uri: Cow<'a, str>,
    },
    Response {
        code: u16,
        reason: Cow<'a, str>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Field<'a> {
    /// An original header line, written back verbatim.
    Raw {
        id: HeaderName,
        name: &'a str,
        raw: &'a str,
    },
    /// A new or replaced header.
    New {
        name: Cow<'a, str>,
        value: Cow<'a, str>,
    },
}

impl Field<'_> {
    fn matches(&self, id: HeaderName, name: &str) -> bool {
        let (fid, fname) = match self {
            Self::Raw { id, name, .. } => (*id, *name),
            Self::New { name, .. } => (HeaderName::parse(name), name.as_ref()),
        };
        if id == HeaderName::Other {
            fid == HeaderName::Other && fname.eq_ignore_ascii_case(name)
        } else {
            fid == id
        }
    }

    fn len(&self) -> usize {
        match self {
            Self::Raw { raw, .. } => raw.len(),
            Self::New { name, value } => name.len() + 2 + value.len(),
        }
    }
}

/// A message under construction or being edited. Serialize with [`MessageBuilder::write_to`].
///
/// ```
/// use rtcweb_sip_core::message::{builder::MessageBuilder, Header, Message};
/// let raw = b"OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nCall-ID: x\r\n\r\n";
/// let mut st = [Header::EMPTY; 8];
/// let msg = Message::parse(raw, &mut st).unwrap();
/// let mut b = MessageBuilder::from_message(&msg);
/// b.set_request_uri("sip:a@10.0.0.1");
/// b.insert_header(0, "Via", "SIP/2.0/UDP proxy;branch=z9hG4bK2");
/// let out = b.to_vec();
/// assert!(out.starts_with(b"OPTIONS sip:a@10.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP proxy"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageBuilder<'a> {
    start: Line<'a>,
    fields: Vec<Field<'a>>,
    body: Cow<'a, [u8]>,
    auto_length: bool,
}

impl<'a> MessageBuilder<'a> {
    /// A new request. A `Content-Length` is added on serialization if none was set.
    #[must_use]
    pub fn request(method: Method<'a>, uri: impl Into<Cow<'a, str>>) -> Self {
        Self::fresh(Line::Request {
            method: Cow::Borrowed(method.as_str()),
            uri: uri.into(),
        })
    }

    /// A new response.
    #[must_use]
    pub fn response(code: u16, reason: impl Into<Cow<'a, str>>) -> Self {
        Self::fresh(Line::Response {
            code,
            reason: reason.into(),
        })
    }

    fn fresh(start: Line<'a>) -> Self {
        Self {
            start,
            fields: Vec::new(),
            body: Cow::Borrowed(&[]),
            auto_length: true,
        }
    }

    /// An editable copy of a parsed message; every header stays byte-identical until changed.
    #[must_use]
    pub fn from_message(msg: &Message<'a>) -> Self {
        Self {
            start: Line::Raw(msg.start_line_raw()),
            fields: msg
                .headers()
                .iter()
                .map(|h| Field::Raw {
                    id: h.id(),
                    name: h.name(),
                    raw: h.raw(),
                })
                .collect(),
            body: Cow::Borrowed(msg.body()),
            auto_length: false,
        }
    }

    /// A response to `req` per §8.2.6: copies every Via (in order), From, To (adding `to_tag` if
    /// the To has no tag and one is given; §8.2.6.2), Call-ID and CSeq. 100 Trying never gets a tag.
    #[must_use]
    pub fn response_to(
        req: &Message<'a>,
        code: u16,
        reason: impl Into<Cow<'a, str>>,
        to_tag: Option<&str>,
    ) -> Self {
        let mut b = Self::response(code, reason);
        for h in req.headers() {
            match h.id() {
                HeaderName::Via | HeaderName::From | HeaderName::CallId | HeaderName::CSeq => {
                    b.fields.push(Field::New {
                        name: Cow::Borrowed(canonical(h.id())),
                        value: Cow::Borrowed(h.value()),
                    });
                }
                HeaderName::To => {
                    let has_tag = ToHeader::parse(h.value())
                        .ok()
                        .and_then(|t| t.tag())
                        .is_some();
                    let value = match to_tag {
                        Some(tag) if !has_tag && code != 100 => {
                            Cow::Owned(format!("{};tag={tag}", h.value()))
                        }
                        _ => Cow::Borrowed(h.value()),
                    };
                    b.fields.push(Field::New {
                        name: Cow::Borrowed("To"),
                        value,
                    });
                }
                _ => {}
            }
        }
        b
    }

    /// Replaces the Request-URI (turns the start line into a request line if it was raw).
    pub fn set_request_uri(&mut self, uri: impl Into<Cow<'a, str>>) -> &mut Self {
        let method = match &self.start {
            Line::Request { method, .. } => method.clone(),
            Line::Raw(raw) if !raw.starts_with("SIP/") => {
                Cow::Borrowed(raw.split(' ').next().unwrap_or_default())
            }
            _ => return self,
        };
        self.start = Line::Request {
            method,
            uri: uri.into(),
        };
        self
    }

    /// Replaces the status line of a response.
    pub fn set_status(&mut self, code: u16, reason: impl Into<Cow<'a, str>>) -> &mut Self {
        self.start = Line::Response {
            code,
            reason: reason.into(),
        };
        self
    }

    /// Appends a header.
    pub fn add_header(
        &mut self,
        name: impl Into<Cow<'a, str>>,
        value: impl Into<Cow<'a, str>>,
    ) -> &mut Self {
        self.fields.push(Field::New {
            name: name.into(),
            value: value.into(),
        });
        self
    }

    /// Inserts a header at `index` (clamped), e.g. a new top Via at 0.
    pub fn insert_header(
        &mut self,
        index: usize,
        name: impl Into<Cow<'a, str>>,
        value: impl Into<Cow<'a, str>>,
    ) -> &mut Self {
        let i = index.min(self.fields.len());
        self.fields.insert(
            i,
            Field::New {
                name: name.into(),
                value: value.into(),
            },
        );
        self
    }

    /// Removes every header with this name (any case, compact forms resolved); returns how many.
    pub fn remove_header(&mut self, name: &str) -> usize {
        let id = HeaderName::parse(name);
        let before = self.fields.len();
        self.fields.retain(|f| !f.matches(id, name));
        before - self.fields.len()
    }

    /// Removes only the first header with this name (e.g. the top Via of a response a proxy forwards).
    pub fn remove_first(&mut self, name: &str) -> bool {
        let id = HeaderName::parse(name);
        match self.fields.iter().position(|f| f.matches(id, name)) {
            Some(i) => {
                self.fields.remove(i);
                true
            }
            None => false,
        }
    }

    /// Replaces every header with this name by one header with `value`, at the first one's place
    /// (appended if there was none).
    pub fn replace_header(
        &mut self,
        name: impl Into<Cow<'a, str>>,
        value: impl Into<Cow<'a, str>>,
    ) -> &mut Self {
        let name = name.into();
        let id = HeaderName::parse(&name);
        let pos = self.fields.iter().position(|f| f.matches(id, &name));
        self.fields.retain(|f| !f.matches(id, &name));
        let i = pos.unwrap_or(self.fields.len()).min(self.fields.len());
        self.fields.insert(
            i,
            Field::New {
                name,
                value: value.into(),
            },
        );
        self
    }

    /// Rewrites the Contact (topology hiding): replaces all Contact headers with one.
    pub fn set_contact(&mut self, value: impl Into<Cow<'a, str>>) -> &mut Self {
        self.replace_header("Contact", value)
    }

    /// Sets the body and its Content-Length (and Content-Type if given).
    pub fn set_body(
        &mut self,
        body: impl Into<Cow<'a, [u8]>>,
        content_type: Option<&'a str>,
    ) -> &mut Self {
        self.body = body.into();
        if let Some(ct) = content_type {
            self.replace_header("Content-Type", ct);
        }
        let len = format!("{}", self.body.len());
        self.replace_header("Content-Length", len);
        self
    }

    fn start_len(&self) -> usize {
        match &self.start {
            Line::Raw(r) => r.len(),
            Line::Request { method, uri } => method.len() + uri.len() + 9,
            Line::Response { reason, .. } => 12 + reason.len(),
        }
    }

    fn needs_length(&self) -> bool {
        self.auto_length
            && !self
                .fields
                .iter()
                .any(|f| f.matches(HeaderName::ContentLength, "Content-Length"))
    }

    /// Exact size of the serialized message.
    #[must_use]
    pub fn encoded_len(&self) -> usize {
        let mut n = self.start_len() + 2;
        n += self.fields.iter().map(|f| f.len() + 2).sum::<usize>();
        if self.needs_length() {
            n += "Content-Length: ".len() + digits(self.body.len()) + 2;
        }
        n + 2 + self.body.len()
    }

    /// Serializes into `out` through the allocation-free [`MessageWriter`]; returns the bytes
    /// written.
    ///
    /// # Errors
    /// [`BufferTooSmall`] with the size needed; `out` is then left unspecified.
    pub fn write_to(&self, out: &mut [u8]) -> Result<usize, BufferTooSmall> {
        let needed = self.encoded_len();
        if out.len() < needed {
            return Err(BufferTooSmall { needed });
        }
        let mut w = match &self.start {
            Line::Raw(r) => MessageWriter::start_line(out, r),
            Line::Request { method, uri } => {
                MessageWriter::request(out, Method::Extension(method), uri)
            }
            Line::Response { code, reason } => MessageWriter::response(out, *code, reason),
        };
        for f in &self.fields {
            match f {
                Field::Raw { raw, .. } => w.raw_header(raw),
                Field::New { name, value } => w.header(name, value),
            };
        }
        w.finish_with(&self.body, self.needs_length())
    }

    /// Serializes into a new vector.
    #[must_use]
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = alloc::vec![0u8; self.encoded_len()];
        let n = self.write_to(&mut v).unwrap_or(0);
        v.truncate(n);
        v
    }
}

fn canonical(id: HeaderName) -> &'static str {
    id.canonical().unwrap_or("X")
}

fn digits(mut n: usize) -> usize {
    let mut d = 1;
    while n >= 10 {
        n /= 10;
        d += 1;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Header;

    const REQ: &[u8] = b"INVITE sip:bob@b SIP/2.0\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\r\nVia: SIP/2.0/UDP b;branch=z9hG4bK2\r\nFrom: <sip:a@a>;tag=9\r\nTo: <sip:bob@b>\r\nCall-ID: c1\r\nCSeq: 7 INVITE\r\nContact:  <sip:a@10.0.0.1>\r\nContent-Length: 0\r\n\r\n";

    #[test]
    fn identity_and_edits() {
        let mut st = [Header::EMPTY; 16];
        let m = Message::parse(REQ, &mut st).unwrap();
        let b = MessageBuilder::from_message(&m);
        assert_eq!(b.to_vec(), REQ);
        let mut b = MessageBuilder::from_message(&m);
        b.set_contact("<sip:a@203.0.113.1>");
        b.set_request_uri("sip:bob@192.0.2.9");
        assert_eq!(b.remove_header("v"), 2);
        let out = b.to_vec();
        let mut st2 = [Header::EMPTY; 16];
        let m2 = Message::parse(&out, &mut st2).unwrap();
        assert_eq!(m2.request_uri(), Some("sip:bob@192.0.2.9"));
        assert_eq!(m2.header("m").unwrap().value(), "<sip:a@203.0.113.1>");
        assert!(m2.header("via").is_none());
        let mut small = [0u8; 10];
        assert_eq!(
            b.write_to(&mut small),
            Err(BufferTooSmall { needed: out.len() })
        );
    }

    #[test]
    fn response_from_request() {
        let mut st = [Header::EMPTY; 16];
        let m = Message::parse(REQ, &mut st).unwrap();
        let out = MessageBuilder::response_to(&m, 486, "Busy Here", Some("xyz")).to_vec();
        let mut st2 = [Header::EMPTY; 16];
        let r = Message::parse(&out, &mut st2).unwrap();
        assert_eq!(r.status(), Some(486));
        assert_eq!(r.headers_named("via").count(), 2);
        assert_eq!(r.typed::<ToHeader>().unwrap().unwrap().tag(), Some("xyz"));
        assert_eq!(r.content_length(), Some(0));
        assert_eq!(r.header("call-id").unwrap().value(), "c1");
        assert_eq!(r.header("cseq").unwrap().value(), "7 INVITE");
        assert_eq!(r.header("from").unwrap().value(), "<sip:a@a>;tag=9");
        let trying = MessageBuilder::response_to(&m, 100, "Trying", Some("xyz")).to_vec();
        let mut st3 = [Header::EMPTY; 16];
        let t = Message::parse(&trying, &mut st3).unwrap();
        assert_eq!(t.typed::<ToHeader>().unwrap().unwrap().tag(), None);
    }
}
