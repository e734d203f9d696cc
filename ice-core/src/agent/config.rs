//! [`AgentConfig`]: the agent's mode, timers (RFC 8445 §14, RFC 7675 §5.1) and bounds.

use core::time::Duration;

/// How an [`Agent`](super::Agent) behaves, and the bounds that keep its memory fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgentConfig {
    /// ICE-lite (RFC 8445 §2.5): host candidates only, no checks of its own, always controlled;
    /// it answers checks and accepts the peer's nomination.
    pub lite: bool,
    /// Start as the controlling agent (the offerer, RFC 8445 §6.1.1). Ignored when `lite`.
    pub controlling: bool,
    /// Components in the data stream: 1 with rtcp-mux, 2 without (RTP and RTCP).
    pub components: u16,
    /// Ta, the pacing of new checks (RFC 8445 §14.2; default 50 ms).
    pub ta: Duration,
    /// The first retransmission timeout of a check (RFC 8445 §14.3: at least 500 ms by default).
    pub check_rto: Duration,
    /// How many times a check is sent before its pair fails (Rc, default 7).
    pub check_sends: u32,
    /// After the first valid pair, how long the controlling agent waits for a better one before it
    /// nominates (default 1 s; regular nomination, RFC 8445 §8.1.1).
    pub nomination_wait: Duration,
    /// Most candidate pairs kept (RFC 8445 §6.1.2.5: default 100).
    pub max_pairs: usize,
    /// Most remote candidates kept, signalled and peer-reflexive together (default 64).
    pub max_remote_candidates: usize,
    /// Most peer-reflexive remote candidates learned from checks (default 16): a flood of checks
    /// from new addresses is answered but teaches nothing beyond this.
    pub max_peer_reflexive: usize,
    /// Most responses waiting for `poll_transmit` (default 64); more are dropped, as UDP would.
    pub max_queued_responses: usize,
    /// Most STUN and TURN servers (each, default 4).
    pub max_servers: usize,
    /// Most local host addresses (default 8).
    pub max_local_hosts: usize,
    /// Consent checks on the selected pair, about every this long ±20 % (RFC 7675 §5.1: 5 s).
    pub consent_interval: Duration,
    /// Consent is lost this long after the last response (RFC 7675 §5.1: 30 s): state `Failed`.
    pub consent_timeout: Duration,
    /// Without a consent response for this long the state is `Disconnected` (default 8 s).
    pub disconnected_after: Duration,
    /// Keepalive (a Binding indication) when nothing was sent on the selected pair for this long
    /// (RFC 8445 §11: Tr, default 15 s). Full agents' consent checks already keep the path alive.
    pub keepalive_interval: Duration,
    /// TURN allocation lifetime requested, in seconds (RFC 8656 default 600).
    pub turn_lifetime: u32,
}

impl Default for AgentConfig {
    fn default() -> Self {
        AgentConfig {
            lite: false,
            controlling: true,
            components: 1,
            ta: Duration::from_millis(50),
            check_rto: Duration::from_millis(500),
            check_sends: 7,
            nomination_wait: Duration::from_secs(1),
            max_pairs: 100,
            max_remote_candidates: 64,
            max_peer_reflexive: 16,
            max_queued_responses: 64,
            max_servers: 4,
            max_local_hosts: 8,
            consent_interval: Duration::from_secs(5),
            consent_timeout: Duration::from_secs(30),
            disconnected_after: Duration::from_secs(8),
            keepalive_interval: Duration::from_secs(15),
            turn_lifetime: 600,
        }
    }
}

impl AgentConfig {
    /// The ICE-lite configuration of a gateway answering browsers (RFC 8445 §2.5).
    pub fn lite() -> Self {
        AgentConfig {
            lite: true,
            controlling: false,
            ..AgentConfig::default()
        }
    }

    /// A full agent that starts controlled (the answerer, RFC 8445 §6.1.1).
    pub fn controlled_full() -> Self {
        AgentConfig {
            controlling: false,
            ..AgentConfig::default()
        }
    }
}
