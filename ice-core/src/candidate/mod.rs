//! ICE candidates (RFC 8445 §5.1): the [`Candidate`] value, its RFC 8839 `a=candidate` text form
//! ([`Candidate::parse`], `Display`), and the priority and foundation rules.
//!
//! Everything here works without an allocator: a candidate is a small `Copy` value with its
//! foundation stored inline.

mod foundation;
#[cfg(feature = "sdp")]
mod from_sdp;
mod parse;
mod priority;

use core::fmt;
use core::net::SocketAddr;

pub(crate) use foundation::is_ice_char;
pub use foundation::Foundation;
pub use parse::CandidateError;
pub use priority::{candidate_priority, pair_priority, type_preference, MAX_LOCAL_PREFERENCE};

/// The four candidate types (RFC 8445 §5.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CandidateKind {
    /// An address of the agent's own interface (`typ host`).
    Host,
    /// The address a NAT gave, learned from a STUN server (`typ srflx`).
    ServerReflexive,
    /// An address learned from a connectivity check (`typ prflx`).
    PeerReflexive,
    /// An address on a TURN server (`typ relay`).
    Relayed,
}

impl CandidateKind {
    /// The `typ` token of RFC 8839 §5.1.
    pub const fn as_str(self) -> &'static str {
        match self {
            CandidateKind::Host => "host",
            CandidateKind::ServerReflexive => "srflx",
            CandidateKind::PeerReflexive => "prflx",
            CandidateKind::Relayed => "relay",
        }
    }
}

/// The transport protocol of a candidate (RFC 8839 §5.1). Only UDP candidates are paired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// UDP.
    Udp,
    /// TCP (RFC 6544); parsed and kept, never paired by this agent.
    Tcp,
}

impl Transport {
    /// The transport of an `a=candidate` token (`udp`/`tcp`, any case, RFC 8839 §5.1).
    pub(crate) fn from_token(token: &str) -> Option<Self> {
        if token.eq_ignore_ascii_case("udp") {
            Some(Self::Udp)
        } else if token.eq_ignore_ascii_case("tcp") {
            Some(Self::Tcp)
        } else {
            None
        }
    }

    /// The token as written in SDP.
    pub const fn as_str(self) -> &'static str {
        match self {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
        }
    }
}

/// One ICE candidate (RFC 8445 §5.1), local or remote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Candidate {
    /// Candidates with the same type, base IP, server and transport share a foundation.
    pub foundation: Foundation,
    /// The component: 1 for RTP (or everything with rtcp-mux), 2 for RTCP.
    pub component: u16,
    /// The transport.
    pub transport: Transport,
    /// The priority (RFC 8445 §5.1.2).
    pub priority: u32,
    /// The transport address.
    pub address: SocketAddr,
    /// The type.
    pub kind: CandidateKind,
    /// `raddr`/`rport`: the base of a reflexive candidate, the mapped address of a relayed one.
    pub related: Option<SocketAddr>,
}

impl Candidate {
    /// A candidate of `kind` for `component` at `address` with `local_preference`, its priority
    /// computed as RFC 8445 §5.1.2.1 says.
    pub fn new(
        kind: CandidateKind,
        component: u16,
        address: SocketAddr,
        local_preference: u16,
        foundation: Foundation,
    ) -> Self {
        Candidate {
            foundation,
            component,
            transport: Transport::Udp,
            priority: candidate_priority(type_preference(kind), local_preference, component),
            address,
            kind,
            related: None,
        }
    }
}

impl fmt::Display for Candidate {
    /// The RFC 8839 §5.1 attribute value, without the `a=` prefix:
    /// `candidate:1 1 udp 2130706431 192.0.2.1 5000 typ host`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "candidate:{} {} {} {} {} {} typ {}",
            self.foundation,
            self.component,
            self.transport.as_str(),
            self.priority,
            self.address.ip(),
            self.address.port(),
            self.kind.as_str()
        )?;
        if let Some(r) = self.related {
            write!(f, " raddr {} rport {}", r.ip(), r.port())?;
        }
        Ok(())
    }
}
