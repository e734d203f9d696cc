//! [`Message`]: a checked, zero-copy view of one STUN message (RFC 8489 §5, §14).

use super::attributes::{be16, be32, Attribute, AttributeType, RawAttribute};
use super::{padded, Class, Error, MessageType, Method, TransactionId, HEADER_LEN, MAGIC_COOKIE};
use crate::integrity::{self, IntegrityKey};

/// Bounds on what [`Message::parse_with`] accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most attributes a message may carry (default 64). STUN needs fewer than 16; the bound keeps a
    /// flood of tiny attributes from costing more than a fixed amount per message.
    pub max_attributes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_attributes: 64 }
    }
}

/// A parsed STUN message borrowing its input.
///
/// After [`parse`](Message::parse) succeeds every attribute lies within the message and no accessor
/// panics. Attributes that follow MESSAGE-INTEGRITY, other than MESSAGE-INTEGRITY-SHA256 and
/// FINGERPRINT, are ignored as RFC 8489 §14.5 requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message<'a> {
    buf: &'a [u8],
    typ: MessageType,
    tid: TransactionId,
    integrity: Option<usize>,
    integrity_sha256: Option<usize>,
    fingerprint: Option<usize>,
}

/// What a parse checked, without the buffer: kept by [`super::SharedMessage`] so that the view can
/// be rebuilt without parsing again.
#[cfg(feature = "bytes")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Parts {
    typ: MessageType,
    tid: TransactionId,
    integrity: Option<usize>,
    integrity_sha256: Option<usize>,
    fingerprint: Option<usize>,
}

#[cfg(feature = "bytes")]
impl<'a> Message<'a> {
    pub(crate) const fn parts(&self) -> Parts {
        Parts {
            typ: self.typ,
            tid: self.tid,
            integrity: self.integrity,
            integrity_sha256: self.integrity_sha256,
            fingerprint: self.fingerprint,
        }
    }

    /// The view of `buf` that parsed to `parts` (the same buffer: the caller guarantees it).
    pub(crate) const fn from_parts(buf: &'a [u8], parts: Parts) -> Self {
        Self {
            buf,
            typ: parts.typ,
            tid: parts.tid,
            integrity: parts.integrity,
            integrity_sha256: parts.integrity_sha256,
            fingerprint: parts.fingerprint,
        }
    }
}

impl<'a> Message<'a> {
    /// Parses a datagram holding exactly one message, with the default [`Limits`].
    pub fn parse(buf: &'a [u8]) -> Result<Self, Error> {
        Self::parse_with(buf, &Limits::default())
    }

    /// The length of the message that starts `buf`, from its header alone: what a stream transport
    /// (RFC 8489 §6.2.2) reads before it has the whole message. `None` with fewer than 4 bytes.
    pub fn peek_len(buf: &[u8]) -> Option<usize> {
        be16(buf, 2).map(|l| HEADER_LEN + usize::from(l))
    }

    /// Whether `buf` looks like STUN: top bits zero and the magic cookie (RFC 8489 §5). Cheap; use it
    /// to demultiplex before [`parse`](Message::parse).
    pub fn is_stun(buf: &[u8]) -> bool {
        matches!(buf.first(), Some(b) if b & 0xC0 == 0) && be32(buf, 4) == Some(MAGIC_COOKIE)
    }

    /// Parses a datagram holding exactly one message.
    pub fn parse_with(buf: &'a [u8], limits: &Limits) -> Result<Self, Error> {
        let header: &[u8; HEADER_LEN] = buf
            .get(..HEADER_LEN)
            .and_then(|h| h.try_into().ok())
            .ok_or(Error::Truncated {
                needed: HEADER_LEN,
                got: buf.len(),
            })?;
        let [t0, t1, l0, l1, c0, c1, c2, c3, ..] = *header;
        if t0 & 0xC0 != 0 {
            return Err(Error::NotStun);
        }
        let length = u16::from_be_bytes([l0, l1]);
        if length % 4 != 0 {
            return Err(Error::BadLength { length });
        }
        let cookie = u32::from_be_bytes([c0, c1, c2, c3]);
        if cookie != MAGIC_COOKIE {
            return Err(Error::BadMagicCookie { found: cookie });
        }
        let end = HEADER_LEN + usize::from(length);
        if buf.len() < end {
            return Err(Error::Truncated {
                needed: end,
                got: buf.len(),
            });
        }
        if buf.len() > end {
            return Err(Error::TrailingBytes {
                offset: end,
                extra: buf.len() - end,
            });
        }
        let mut tid = TransactionId::default();
        tid.0.copy_from_slice(header.get(8..).unwrap_or(&[0; 12]));
        let mut msg = Message {
            buf,
            typ: MessageType::from_u16(u16::from_be_bytes([t0, t1])),
            tid,
            integrity: None,
            integrity_sha256: None,
            fingerprint: None,
        };
        let mut count = 0;
        for item in RawIter::new(buf) {
            let attr = item?;
            if msg.fingerprint.is_some() {
                return Err(Error::AttributeAfterFingerprint {
                    offset: attr.offset,
                });
            }
            count += 1;
            if count > limits.max_attributes {
                return Err(Error::TooManyAttributes {
                    offset: attr.offset,
                    max: limits.max_attributes,
                });
            }
            match attr.typ {
                // MESSAGE-INTEGRITY after MESSAGE-INTEGRITY-SHA256 is ignored like any other
                // attribute after integrity (RFC 8489 §14.5).
                AttributeType::MESSAGE_INTEGRITY
                    if msg.integrity.is_none() && msg.integrity_sha256.is_none() =>
                {
                    if attr.value.len() != 20 {
                        return Err(bad_integrity(attr));
                    }
                    msg.integrity = Some(attr.offset);
                }
                AttributeType::MESSAGE_INTEGRITY_SHA256 if msg.integrity_sha256.is_none() => {
                    let n = attr.value.len();
                    if !(16..=32).contains(&n) || n % 4 != 0 {
                        return Err(bad_integrity(attr));
                    }
                    msg.integrity_sha256 = Some(attr.offset);
                }
                AttributeType::FINGERPRINT => {
                    if attr.value.len() != 4 {
                        return Err(bad_integrity(attr));
                    }
                    msg.fingerprint = Some(attr.offset);
                }
                _ => {}
            }
        }
        Ok(msg)
    }

    /// The whole message.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.buf
    }

    /// Method and class.
    pub fn message_type(&self) -> MessageType {
        self.typ
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.typ.method
    }

    /// The class.
    pub fn class(&self) -> Class {
        self.typ.class
    }

    /// The transaction ID.
    pub fn transaction_id(&self) -> TransactionId {
        self.tid
    }

    /// The attributes that count, in order (those after MESSAGE-INTEGRITY other than
    /// MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are skipped).
    pub fn attributes(&self) -> Attributes<'a> {
        Attributes {
            raw: RawIter::new(self.buf),
            integrity: self.integrity.or(self.integrity_sha256),
        }
    }

    /// The first attribute of a type, raw.
    pub fn raw_attribute(&self, typ: AttributeType) -> Option<RawAttribute<'a>> {
        self.attributes().find(|a| a.typ == typ)
    }

    /// The first attribute of type `A`, decoded; `Ok(None)` when absent.
    pub fn attribute<A: Attribute<'a>>(&self) -> Result<Option<A>, Error> {
        match self.raw_attribute(A::TYPE) {
            None => Ok(None),
            Some(raw) => {
                A::decode(raw.value, &self.tid)
                    .map(Some)
                    .map_err(|error| Error::BadAttribute {
                        offset: raw.offset,
                        typ: raw.typ,
                        error,
                    })
            }
        }
    }

    /// Comprehension-required attribute types this crate does not know: a server answers a request
    /// carrying any with 420 and lists them in UNKNOWN-ATTRIBUTES (RFC 8489 §6.3.1.1).
    pub fn unknown_comprehension_required(&self) -> impl Iterator<Item = AttributeType> + 'a {
        self.attributes()
            .map(|a| a.typ)
            .filter(|t| t.is_comprehension_required() && !t.is_known())
    }

    /// Whether MESSAGE-INTEGRITY or MESSAGE-INTEGRITY-SHA256 is present.
    pub fn has_integrity(&self) -> bool {
        self.integrity.is_some() || self.integrity_sha256.is_some()
    }

    /// Whether FINGERPRINT is present.
    pub fn has_fingerprint(&self) -> bool {
        self.fingerprint.is_some()
    }

    /// Verifies MESSAGE-INTEGRITY-SHA256 when present, else MESSAGE-INTEGRITY, in constant time
    /// (RFC 8489 §9.1.3, §9.2.4). Returns the algorithm that was checked.
    pub fn verify_integrity(&self, key: &IntegrityKey) -> Result<IntegrityAlgorithm, Error> {
        if let Some(at) = self.integrity_sha256 {
            return integrity::verify_sha256(self.buf, at, key)
                .then_some(IntegrityAlgorithm::HmacSha256)
                .ok_or(Error::IntegrityMismatch { offset: at });
        }
        if let Some(at) = self.integrity {
            return integrity::verify_sha1(self.buf, at, key)
                .then_some(IntegrityAlgorithm::HmacSha1)
                .ok_or(Error::IntegrityMismatch { offset: at });
        }
        Err(Error::NoIntegrity)
    }

    /// Verifies MESSAGE-INTEGRITY-SHA256 and refuses a message without it: for an agent that
    /// negotiated SHA-256 (RFC 8489 §9.2.4), where a downgrade to HMAC-SHA1 must not pass.
    pub fn verify_integrity_sha256(&self, key: &IntegrityKey) -> Result<(), Error> {
        let at = self.integrity_sha256.ok_or(Error::NoIntegrity)?;
        if integrity::verify_sha256(self.buf, at, key) {
            Ok(())
        } else {
            Err(Error::IntegrityMismatch { offset: at })
        }
    }

    /// Verifies FINGERPRINT (RFC 8489 §14.7).
    pub fn verify_fingerprint(&self) -> Result<(), Error> {
        let at = self.fingerprint.ok_or(Error::NoFingerprint)?;
        if integrity::fingerprint_matches(self.buf, at) {
            Ok(())
        } else {
            Err(Error::FingerprintMismatch { offset: at })
        }
    }
}

/// Which MESSAGE-INTEGRITY was verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntegrityAlgorithm {
    /// MESSAGE-INTEGRITY (HMAC-SHA1).
    HmacSha1,
    /// MESSAGE-INTEGRITY-SHA256 (HMAC-SHA256).
    HmacSha256,
}

fn bad_integrity(attr: RawAttribute<'_>) -> Error {
    Error::BadAttribute {
        offset: attr.offset,
        typ: attr.typ,
        error: super::AttributeError::BadLength {
            expected:
                "20 for MESSAGE-INTEGRITY, 16-32 in steps of 4 for -SHA256, 4 for FINGERPRINT",
            got: attr.value.len(),
        },
    }
}

/// Walks the attributes of a message whose header is already checked.
#[derive(Debug, Clone)]
struct RawIter<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> RawIter<'a> {
    fn new(buf: &'a [u8]) -> Self {
        RawIter {
            buf,
            at: HEADER_LEN,
        }
    }
}

impl<'a> Iterator for RawIter<'a> {
    type Item = Result<RawAttribute<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let offset = self.at;
        if offset >= self.buf.len() {
            return None;
        }
        let (Some(typ), Some(length)) = (be16(self.buf, offset), be16(self.buf, offset + 2)) else {
            self.at = self.buf.len();
            return Some(Err(Error::AttributeOverrun {
                offset,
                typ: AttributeType(be16(self.buf, offset).unwrap_or(0)),
                length: 0,
            }));
        };
        let start = offset + 4;
        let value = self.buf.get(start..start + usize::from(length));
        let next = start + padded(usize::from(length));
        match value {
            Some(value) if next <= self.buf.len() => {
                self.at = next;
                Some(Ok(RawAttribute {
                    typ: AttributeType(typ),
                    value,
                    offset,
                }))
            }
            _ => {
                self.at = self.buf.len();
                Some(Err(Error::AttributeOverrun {
                    offset,
                    typ: AttributeType(typ),
                    length,
                }))
            }
        }
    }
}

/// Iterator over the attributes of a [`Message`].
#[derive(Debug, Clone)]
pub struct Attributes<'a> {
    raw: RawIter<'a>,
    integrity: Option<usize>,
}

impl<'a> Iterator for Attributes<'a> {
    type Item = RawAttribute<'a>;

    fn next(&mut self) -> Option<RawAttribute<'a>> {
        loop {
            // The message was checked in `parse`: errors cannot occur here.
            let attr = self.raw.next()?.ok()?;
            let ignored = matches!(self.integrity, Some(mi) if attr.offset > mi)
                && !matches!(
                    attr.typ,
                    AttributeType::MESSAGE_INTEGRITY_SHA256 | AttributeType::FINGERPRINT
                );
            if !ignored {
                return Some(attr);
            }
        }
    }
}
