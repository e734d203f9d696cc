//! [`TurnConfig`]: the server, credentials and bounds of one TURN client.

use core::net::SocketAddr;

use alloc::string::String;

use crate::client::TransactionConfig;

/// What the client needs to know.
#[derive(Debug, Clone)]
pub struct TurnConfig {
    /// The TURN server.
    pub server: SocketAddr,
    /// The long-term (or ephemeral, TURN REST) username.
    pub username: String,
    /// Its password.
    pub password: String,
    /// Requested allocation lifetime in seconds (RFC 8656 default 600).
    pub lifetime: u32,
    /// Retransmission parameters.
    pub transaction: TransactionConfig,
    /// True over TCP/TLS: no retransmissions, ChannelData padded (RFC 8656 §12.5).
    pub reliable: bool,
    /// Most permissions kept at once (default 64).
    pub max_permissions: usize,
    /// Most channels bound at once (default 64; RFC 8656 allows 4096).
    pub max_channels: usize,
}

impl TurnConfig {
    /// A configuration with the RFC defaults.
    pub fn new(server: SocketAddr, username: &str, password: &str) -> Self {
        TurnConfig {
            server,
            username: username.into(),
            password: password.into(),
            lifetime: 600,
            transaction: TransactionConfig::default(),
            reliable: false,
            max_permissions: 64,
            max_channels: 64,
        }
    }
}
