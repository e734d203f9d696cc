//! Settings of a [`super::DtlsSrtp`] endpoint.

use core::time::Duration;

use crate::Config;

/// A DTLS protocol version (RFC 6347, RFC 9147).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DtlsVersion {
    /// DTLS 1.2 (RFC 6347): what browsers and OpenSSL 3.0 speak.
    Dtls12,
    /// DTLS 1.3 (RFC 9147).
    Dtls13,
}

/// Which DTLS versions an endpoint speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum VersionPolicy {
    /// DTLS 1.2 only (the default: every WebRTC peer speaks it).
    #[default]
    Dtls12,
    /// DTLS 1.3 only.
    Dtls13,
    /// Either: a client sends a ClientHello both a 1.2 and a 1.3 server accept, a server answers
    /// in the version the ClientHello offers (RFC 9147 §5.3 `supported_versions`).
    Auto,
}

/// Settings of a [`super::DtlsSrtp`] endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DtlsConfig {
    /// DTLS versions to speak.
    pub versions: VersionPolicy,
    /// Largest datagram to send, bytes (default 1150, dimpl's: fits any path with IPv6 and TURN
    /// overhead). At least 64.
    pub mtu: usize,
    /// First retransmission timeout of a flight, doubled per retry with ±25 % jitter
    /// (RFC 6347 §4.2.4.1; default 1 s).
    pub flight_start_rto: Duration,
    /// Retransmissions per flight after the first transmission (default 4).
    pub flight_retries: usize,
    /// Time from [`super::DtlsSrtp::new`] to a completed handshake before the endpoint gives up
    /// with [`super::DtlsError::Timeout`] (default 30 s; also dimpl's own handshake deadline).
    pub handshake_timeout: Duration,
    /// Settings of the SRTP sessions handed out on completion.
    pub srtp: Config,
}

impl Default for DtlsConfig {
    fn default() -> Self {
        Self {
            versions: VersionPolicy::Dtls12,
            mtu: 1150,
            flight_start_rto: Duration::from_secs(1),
            flight_retries: 4,
            handshake_timeout: Duration::from_secs(30),
            srtp: Config::default(),
        }
    }
}
