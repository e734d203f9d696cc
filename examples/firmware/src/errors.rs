//! The negative status codes the C functions return (mirrored in `include/rtcweb_firmware.h`).

use rtcweb_stun_core::wire::Error;

/// A required pointer is NULL.
pub const RTCWEB_ERR_NULL: i32 = -1;
/// The output buffer is too small for the message.
pub const RTCWEB_ERR_BUFFER_TOO_SMALL: i32 = -2;
/// An argument is invalid: a username that is not UTF-8 or too long, a password that is not ASCII,
/// an unknown address family.
pub const RTCWEB_ERR_ARGUMENT: i32 = -3;
/// The input is not a well-formed STUN message.
pub const RTCWEB_ERR_MALFORMED: i32 = -4;
/// MESSAGE-INTEGRITY is missing or does not match the password.
pub const RTCWEB_ERR_INTEGRITY: i32 = -5;
/// FINGERPRINT does not match.
pub const RTCWEB_ERR_FINGERPRINT: i32 = -6;
/// The message is not a Binding success response.
pub const RTCWEB_ERR_NOT_SUCCESS: i32 = -7;
/// The transaction ID is not the request's.
pub const RTCWEB_ERR_TRANSACTION: i32 = -8;
/// The response carries no usable (XOR-)MAPPED-ADDRESS.
pub const RTCWEB_ERR_NO_ADDRESS: i32 = -9;

/// The status code of a codec error.
pub fn code(e: &Error) -> i32 {
    match e {
        Error::BufferTooSmall { .. } => RTCWEB_ERR_BUFFER_TOO_SMALL,
        Error::BadWrite { .. } => RTCWEB_ERR_ARGUMENT,
        Error::NoIntegrity | Error::IntegrityMismatch { .. } => RTCWEB_ERR_INTEGRITY,
        Error::NoFingerprint | Error::FingerprintMismatch { .. } => RTCWEB_ERR_FINGERPRINT,
        _ => RTCWEB_ERR_MALFORMED,
    }
}
