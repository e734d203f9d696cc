//! [`MessageWriter`]: encodes a STUN message into a caller's buffer (RFC 8489 §5, §14).

use super::attributes::{put, Attribute, AttributeType};
use super::{padded, Error, MessageType, TransactionId, HEADER_LEN, MAGIC_COOKIE};
use crate::integrity::{self, IntegrityKey};

/// Writes one STUN message into a borrowed buffer, keeping the header's length current after every
/// attribute. MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT are computed by their own methods and must
/// come last, in that order (RFC 8489 §14.5–14.7).
///
/// ```
/// use rtcweb_stun_core::wire::{Class, Message, MessageType, MessageWriter, Method, TransactionId};
/// use rtcweb_stun_core::wire::attributes::Software;
///
/// let mut buf = [0u8; 64];
/// let tid = TransactionId([7; 12]);
/// let mut w = MessageWriter::new(&mut buf, MessageType::new(Method::BINDING, Class::Request), tid)?;
/// w.add(&Software("rtcweb"))?;
/// w.add_fingerprint()?;
/// let len = w.finish();
/// let msg = Message::parse(&buf[..len])?;
/// assert_eq!(msg.attribute::<Software>()?, Some(Software("rtcweb")));
/// msg.verify_fingerprint()?;
/// # Ok::<(), rtcweb_stun_core::wire::Error>(())
/// ```
#[derive(Debug)]
pub struct MessageWriter<'b> {
    buf: &'b mut [u8],
    len: usize,
    tid: TransactionId,
    /// 0: open; 1: after MESSAGE-INTEGRITY; 2: after -SHA256; 3: after FINGERPRINT.
    sealed: u8,
}

impl<'b> MessageWriter<'b> {
    /// Starts a message: writes the 20-byte header.
    pub fn new(buf: &'b mut [u8], typ: MessageType, tid: TransactionId) -> Result<Self, Error> {
        let header = buf.get_mut(..HEADER_LEN).ok_or(Error::BufferTooSmall {
            needed: HEADER_LEN,
            got: 0,
        })?;
        put(header, 0, &typ.to_u16().to_be_bytes());
        put(header, 2, &[0, 0]);
        put(header, 4, &MAGIC_COOKIE.to_be_bytes());
        put(header, 8, tid.as_bytes());
        Ok(MessageWriter {
            buf,
            len: HEADER_LEN,
            tid,
            sealed: 0,
        })
    }

    /// The transaction ID being written.
    pub fn transaction_id(&self) -> TransactionId {
        self.tid
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false: the header is written at once.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Reserves an attribute of `value_len` bytes, writes its header and padding, and returns the
    /// value's bytes.
    fn reserve(&mut self, typ: AttributeType, value_len: usize) -> Result<&mut [u8], Error> {
        let length = u16::try_from(value_len).map_err(|_| Error::BadWrite {
            typ,
            reason: "value longer than 65535 bytes",
        })?;
        let start = self.len;
        let end = start + 4 + padded(value_len);
        if end - HEADER_LEN > usize::from(u16::MAX) {
            return Err(Error::BadWrite {
                typ,
                reason: "message longer than 65535 bytes",
            });
        }
        let got = self.buf.len();
        let attr = self
            .buf
            .get_mut(start..end)
            .ok_or(Error::BufferTooSmall { needed: end, got })?;
        put(attr, 0, &typ.0.to_be_bytes());
        put(attr, 2, &length.to_be_bytes());
        // Padding is zero (RFC 8489 §14: any value, zero recommended).
        if let Some(pad) = attr.get_mut(4 + value_len..) {
            pad.fill(0);
        }
        self.len = end;
        let total = ((end - HEADER_LEN) as u16).to_be_bytes();
        put(self.buf, 2, &total);
        Ok(self
            .buf
            .get_mut(start + 4..start + 4 + value_len)
            .unwrap_or_default())
    }

    fn check_open(&self, typ: AttributeType) -> Result<(), Error> {
        if self.sealed == 0 {
            Ok(())
        } else {
            Err(Error::BadWrite {
                typ,
                reason: "only FINGERPRINT may follow MESSAGE-INTEGRITY",
            })
        }
    }

    /// Appends a typed attribute.
    pub fn add<'x, A: Attribute<'x>>(&mut self, attr: &A) -> Result<(), Error> {
        self.check_open(A::TYPE)?;
        let tid = self.tid;
        let out = self.reserve(A::TYPE, attr.encoded_len())?;
        attr.encode(&tid, out);
        Ok(())
    }

    /// Appends an attribute from its raw value (an unknown one being forwarded, say).
    pub fn add_raw(&mut self, typ: AttributeType, value: &[u8]) -> Result<(), Error> {
        self.check_open(typ)?;
        let out = self.reserve(typ, value.len())?;
        put(out, 0, value);
        Ok(())
    }

    /// Appends MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 §14.5).
    pub fn add_message_integrity(&mut self, key: &IntegrityKey) -> Result<(), Error> {
        self.check_open(AttributeType::MESSAGE_INTEGRITY)?;
        let at = self.len;
        self.reserve(AttributeType::MESSAGE_INTEGRITY, 20)?;
        let tag = integrity::sha1_tag(self.buf, at, key);
        put(self.buf, at + 4, &tag);
        self.sealed = 1;
        Ok(())
    }

    /// Appends MESSAGE-INTEGRITY-SHA256 (HMAC-SHA256, RFC 8489 §14.6), full 32 bytes.
    pub fn add_message_integrity_sha256(&mut self, key: &IntegrityKey) -> Result<(), Error> {
        if self.sealed > 1 {
            return Err(Error::BadWrite {
                typ: AttributeType::MESSAGE_INTEGRITY_SHA256,
                reason: "only FINGERPRINT may follow MESSAGE-INTEGRITY-SHA256",
            });
        }
        let at = self.len;
        self.reserve(AttributeType::MESSAGE_INTEGRITY_SHA256, 32)?;
        let tag = integrity::sha256_tag(self.buf, at, 32, key);
        put(self.buf, at + 4, &tag);
        self.sealed = 2;
        Ok(())
    }

    /// Appends FINGERPRINT (RFC 8489 §14.7); nothing may follow it.
    pub fn add_fingerprint(&mut self) -> Result<(), Error> {
        if self.sealed == 3 {
            return Err(Error::BadWrite {
                typ: AttributeType::FINGERPRINT,
                reason: "FINGERPRINT already written",
            });
        }
        let at = self.len;
        self.reserve(AttributeType::FINGERPRINT, 4)?;
        let crc = integrity::fingerprint(self.buf, at);
        put(self.buf, at + 4, &crc.to_be_bytes());
        self.sealed = 3;
        Ok(())
    }

    /// Finishes the message and returns its length.
    pub fn finish(self) -> usize {
        self.len
    }

    /// The bytes written so far.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }
}
