//! The negative status codes the C functions return (mirrored in `include/rtcweb_firmware.h`), and
//! the mapping from each core crate's error type to them.

/// A required pointer is NULL.
pub const RTCWEB_ERR_NULL: i32 = -1;
/// The output buffer is too small for the message (or an SRTP packet has no room for its tag).
pub const RTCWEB_ERR_BUFFER_TOO_SMALL: i32 = -2;
/// An argument is invalid: a username that is not UTF-8 or too long, a password that is not ASCII,
/// an unknown address family, a key of the wrong length, SIP text with control characters.
pub const RTCWEB_ERR_ARGUMENT: i32 = -3;
/// The input is not a well-formed STUN message, RTP/RTCP packet or SIP message.
pub const RTCWEB_ERR_MALFORMED: i32 = -4;
/// MESSAGE-INTEGRITY is missing or does not match the password.
pub const RTCWEB_ERR_INTEGRITY: i32 = -5;
/// FINGERPRINT does not match.
pub const RTCWEB_ERR_FINGERPRINT: i32 = -6;
/// The message is not a Binding success response.
pub const RTCWEB_ERR_NOT_SUCCESS: i32 = -7;
/// The transaction ID (STUN), or the Call-ID or CSeq method (SIP), is not the request's.
pub const RTCWEB_ERR_TRANSACTION: i32 = -8;
/// The response carries no usable (XOR-)MAPPED-ADDRESS.
pub const RTCWEB_ERR_NO_ADDRESS: i32 = -9;
/// Not built in or not supported: an unknown SRTP profile, a digest algorithm or qop this build
/// cannot answer.
pub const RTCWEB_ERR_UNSUPPORTED: i32 = -10;
/// The SRTP/SRTCP authentication tag (or MKI) does not verify: altered, or another key.
pub const RTCWEB_ERR_AUTH: i32 = -11;
/// The SRTP/SRTCP packet index was already received or lies left of the replay window.
pub const RTCWEB_ERR_REPLAY: i32 = -12;
/// The SRTP context is not initialized (never, or cleared) or not suitably aligned.
pub const RTCWEB_ERR_STATE: i32 = -13;
/// The master key has protected as many packets as RFC 3711 §9.2 allows: re-key.
pub const RTCWEB_ERR_KEY_LIFETIME: i32 = -14;
/// The SIP message is not a 401/407, or carries no Digest challenge.
pub const RTCWEB_ERR_NO_CHALLENGE: i32 = -15;

/// The status code of a STUN codec error.
pub fn stun(e: &rtcweb_stun_core::wire::Error) -> i32 {
    use rtcweb_stun_core::wire::Error;
    match e {
        Error::BufferTooSmall { .. } => RTCWEB_ERR_BUFFER_TOO_SMALL,
        Error::BadWrite { .. } => RTCWEB_ERR_ARGUMENT,
        Error::NoIntegrity | Error::IntegrityMismatch { .. } => RTCWEB_ERR_INTEGRITY,
        Error::NoFingerprint | Error::FingerprintMismatch { .. } => RTCWEB_ERR_FINGERPRINT,
        _ => RTCWEB_ERR_MALFORMED,
    }
}

/// The status code of an SRTP error.
pub fn srtp(e: &rtcweb_srtp_core::Error) -> i32 {
    use rtcweb_srtp_core::Error;
    match e {
        Error::BufferTooSmall { .. } | Error::LengthOutOfBounds { .. } => {
            RTCWEB_ERR_BUFFER_TOO_SMALL
        }
        Error::AuthenticationFailed | Error::UnknownMki => RTCWEB_ERR_AUTH,
        Error::Replayed { .. } | Error::TooOld { .. } => RTCWEB_ERR_REPLAY,
        Error::KeyLifetimeExceeded => RTCWEB_ERR_KEY_LIFETIME,
        Error::BadKey(_) | Error::BadReplayWindow(_) => RTCWEB_ERR_ARGUMENT,
        Error::Unsupported(_) | Error::TooManyStreams { .. } => RTCWEB_ERR_UNSUPPORTED,
        // Truncated, BadVersion and whatever a later version adds.
        _ => RTCWEB_ERR_MALFORMED,
    }
}
