//! [`Transmit`]: what every state machine of the family hands out of `poll_transmit`.

use core::net::SocketAddr;

/// How a message travels (RFC 3261 §18, RFC 7118 for WebSocket; STUN, TURN and ICE use UDP,
/// or TCP/TLS framing per RFC 8489 §6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Transport {
    /// UDP: unreliable; the state machine retransmits.
    Udp,
    /// TCP.
    Tcp,
    /// TLS over TCP.
    Tls,
    /// WebSocket (RFC 7118).
    Ws,
    /// Secure WebSocket.
    Wss,
}

impl Transport {
    /// Whether the transport is reliable (no retransmissions, zero-length wait timers; RFC 3261
    /// §17.1.1.2).
    #[must_use]
    pub const fn is_reliable(self) -> bool {
        !matches!(self, Self::Udp)
    }

    /// The transport token of a SIP Via header (RFC 3261 §20.42, RFC 7118 §5.2).
    #[must_use]
    pub const fn via_token(self) -> &'static str {
        match self {
            Self::Udp => "UDP",
            Self::Tcp => "TCP",
            Self::Tls => "TLS",
            Self::Ws => "WS",
            Self::Wss => "WSS",
        }
    }
}

/// A message to send, already written into the caller's buffer by `poll_transmit(now, buf)`:
/// the same type from the STUN/TURN client, the ICE agent, the SIP transaction layer and the UA,
/// so that one driver loop serves them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct Transmit {
    /// The local address to send from, when the state machine chooses it (an ICE agent with
    /// several host candidates); `None`: the caller's socket for that state machine.
    pub source: Option<SocketAddr>,
    /// Where to send.
    pub destination: SocketAddr,
    /// How: UDP for STUN, TURN and ICE over UDP; SIP says which transport its peer uses.
    pub transport: Transport,
    /// How many bytes of the buffer hold the message.
    pub len: usize,
}

impl Transmit {
    /// A UDP datagram from the caller's socket to `destination`.
    pub const fn udp(destination: SocketAddr, len: usize) -> Self {
        Self {
            source: None,
            destination,
            transport: Transport::Udp,
            len,
        }
    }
}
