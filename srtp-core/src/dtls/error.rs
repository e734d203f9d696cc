//! The errors of the DTLS-SRTP endpoint and its helpers.

use alloc::string::String;

use super::Setup;

/// Why a DTLS-SRTP operation failed.
///
/// The fatal ones (everything but [`Self::NotDtls`] and the constructor-time errors) end the association: the endpoint reports them once as
/// [`super::DtlsEvent::Failed`] (and from the call that caused them), then refuses further
/// input with [`Self::Closed`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DtlsError {
    /// The datagram's first byte is outside 20..=63, so it is not DTLS (RFC 7983 §7): STUN,
    /// RTP/RTCP or TURN ChannelData belong elsewhere. Not fatal.
    #[error("not a DTLS record (RFC 7983 first byte)")]
    NotDtls,
    /// The peer's certificate does not hash to the `a=fingerprint` it signalled (RFC 8122 §5,
    /// RFC 5763 §5): the handshake is refused with a `bad_certificate` alert.
    #[error("peer certificate does not match the remote fingerprint")]
    FingerprintMismatch,
    /// The handshake ended without a peer certificate to check (RFC 5763 §5 requires one from
    /// both sides).
    #[error("peer sent no certificate")]
    NoPeerCertificate,
    /// The handshake completed without `use_srtp` (RFC 5764 §4.1.1): no SRTP keys.
    #[error("no SRTP protection profile was negotiated")]
    NoSrtpProfile,
    /// The peer sent a fatal alert (RFC 5246 §7.2, RFC 8446 §6.2); `description` is its code
    /// (40 handshake_failure, 42 bad_certificate, …).
    #[error("peer sent fatal alert {description}")]
    FatalAlert {
        /// The alert description code.
        description: u8,
    },
    /// The handshake did not complete in time: the peer stopped answering, or both sides wait
    /// for the other (both `passive`) (RFC 6347 §4.2.4, [`super::DtlsConfig::handshake_timeout`]).
    #[error("DTLS handshake timed out")]
    Timeout,
    /// Any other fatal DTLS failure reported by the handshake engine (dimpl), with its reason.
    #[error("DTLS failure: {reason}")]
    Protocol {
        /// dimpl's description of the failure.
        reason: String,
    },
    /// The endpoint has failed or closed and takes no more input.
    #[error("DTLS association closed")]
    Closed,
    /// An `a=fingerprint` value or hash function could not be used (RFC 8122 §5).
    #[error("bad fingerprint: {0}")]
    BadFingerprint(&'static str),
    /// A certificate or private key could not be made or loaded.
    #[error("certificate: {0}")]
    Certificate(&'static str),
    /// A [`super::DtlsConfig`] value is out of range.
    #[error("bad DTLS configuration: {reason}")]
    Config {
        /// What is wrong.
        reason: String,
    },
    /// Both sides claim the same DTLS role (RFC 5763 §5, RFC 8842 §5): both `active`, both
    /// `passive`, or an `actpass` answer.
    #[error("a=setup conflict: local {local:?}, remote {remote:?}")]
    RoleConflict {
        /// This side's `a=setup`.
        local: Setup,
        /// The peer's `a=setup`.
        remote: Setup,
    },
}
