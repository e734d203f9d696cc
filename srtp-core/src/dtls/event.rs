//! What a [`super::DtlsSrtp`] endpoint reports.

use alloc::boxed::Box;

use super::{Connected, DtlsError};

/// What happened, from [`super::DtlsSrtp::poll_event`].
#[derive(Debug)]
#[non_exhaustive]
pub enum DtlsEvent {
    /// The handshake completed and the peer's certificate matched its fingerprint: SRTP keys are
    /// ready (RFC 5764 §4.2). Reported once.
    Connected(Box<Connected>),
    /// The peer closed the association with a `close_notify` alert (RFC 5246 §7.2.1, RFC 8446
    /// §6.1). SRTP keyed from it stays usable until the application stops it.
    PeerClosed,
    /// The association failed for good: a fatal alert from the peer, a certificate that does not
    /// match its fingerprint, a handshake timeout, or another DTLS failure. Reported once.
    Failed(DtlsError),
}
