//! ERROR-CODE (RFC 8489 §14.8).

use super::{put, Attribute, AttributeError, AttributeType};
use crate::wire::TransactionId;

/// ERROR-CODE: a code from 300 to 699 and a UTF-8 reason phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ErrorCode<'a> {
    /// The code, 300–699.
    pub code: u16,
    /// The reason phrase.
    pub reason: &'a str,
}

impl ErrorCode<'_> {
    /// 300 Try Alternate.
    pub const TRY_ALTERNATE: u16 = 300;
    /// 400 Bad Request.
    pub const BAD_REQUEST: u16 = 400;
    /// 401 Unauthenticated.
    pub const UNAUTHENTICATED: u16 = 401;
    /// 403 Forbidden (RFC 8656).
    pub const FORBIDDEN: u16 = 403;
    /// 420 Unknown Attribute.
    pub const UNKNOWN_ATTRIBUTE: u16 = 420;
    /// 437 Allocation Mismatch (RFC 8656).
    pub const ALLOCATION_MISMATCH: u16 = 437;
    /// 438 Stale Nonce.
    pub const STALE_NONCE: u16 = 438;
    /// 440 Address Family not Supported (RFC 8656).
    pub const ADDRESS_FAMILY_NOT_SUPPORTED: u16 = 440;
    /// 441 Wrong Credentials (RFC 8656).
    pub const WRONG_CREDENTIALS: u16 = 441;
    /// 442 Unsupported Transport Protocol (RFC 8656).
    pub const UNSUPPORTED_TRANSPORT_PROTOCOL: u16 = 442;
    /// 443 Peer Address Family Mismatch (RFC 8656).
    pub const PEER_ADDRESS_FAMILY_MISMATCH: u16 = 443;
    /// 486 Allocation Quota Reached (RFC 8656).
    pub const ALLOCATION_QUOTA_REACHED: u16 = 486;
    /// 487 Role Conflict (RFC 8445).
    pub const ROLE_CONFLICT: u16 = 487;
    /// 500 Server Error.
    pub const SERVER_ERROR: u16 = 500;
    /// 508 Insufficient Capacity (RFC 8656).
    pub const INSUFFICIENT_CAPACITY: u16 = 508;
}

/// Decodes the class/number/reason layout shared by ERROR-CODE and ADDRESS-ERROR-CODE (after their
/// first two bytes).
pub(crate) fn decode_code(value: &[u8]) -> Result<(u16, &str), AttributeError> {
    let (head, reason) = value.split_at_checked(4).ok_or(AttributeError::BadLength {
        expected: "at least 4",
        got: value.len(),
    })?;
    let class = u16::from(head.get(2).copied().unwrap_or(0) & 0x07);
    let number = u16::from(head.get(3).copied().unwrap_or(0));
    if !(3..=6).contains(&class) || number > 99 {
        return Err(AttributeError::OutOfRange("error code outside 300-699"));
    }
    if reason.len() > 763 {
        return Err(AttributeError::BadLength {
            expected: "reason of at most 763 bytes",
            got: reason.len(),
        });
    }
    let reason = core::str::from_utf8(reason).map_err(|e| AttributeError::NotUtf8 {
        valid_up_to: 4 + e.valid_up_to(),
    })?;
    Ok((class * 100 + number, reason))
}

pub(crate) fn encode_code(code: u16, reason: &str, out: &mut [u8]) {
    put(out, 2, &[(code / 100) as u8 & 0x07, (code % 100) as u8]);
    put(out, 4, reason.as_bytes());
}

impl<'a> Attribute<'a> for ErrorCode<'a> {
    const TYPE: AttributeType = AttributeType::ERROR_CODE;

    fn decode(value: &'a [u8], _tid: &TransactionId) -> Result<Self, AttributeError> {
        decode_code(value).map(|(code, reason)| ErrorCode { code, reason })
    }

    fn encoded_len(&self) -> usize {
        4 + self.reason.len()
    }

    fn encode(&self, _tid: &TransactionId, out: &mut [u8]) {
        put(out, 0, &[0, 0]);
        encode_code(self.code, self.reason, out)
    }
}
