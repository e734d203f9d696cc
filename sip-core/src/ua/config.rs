//! [`UaConfig`]: identity, transport and bounds of a [`super::UserAgent`].

use alloc::format;
use alloc::string::String;

use crate::registration::Credentials;
use crate::session_timer::SessionTimerConfig;
use crate::transaction::{LayerConfig, Peer};

/// What a UA needs to know.
#[derive(Debug, Clone)]
pub struct UaConfig {
    /// Address of record, e.g. `sip:alice@example.com` (From of our requests).
    pub aor: String,
    /// Our Contact name-addr, e.g. `<sip:alice@192.0.2.1:5060>`.
    pub contact: String,
    /// Via sent-protocol and sent-by, e.g. `SIP/2.0/UDP 192.0.2.1:5060`.
    pub via: String,
    /// Where every request goes (outbound proxy / registrar / the peer).
    pub proxy: Peer,
    /// Registrar Request-URI (default: `sip:` + the AOR's host).
    pub registrar: String,
    /// Expiry requested by REGISTER, seconds (default 3600).
    pub register_expires: u32,
    /// Digest credentials for 401/407 challenges.
    pub credentials: Option<Credentials>,
    /// RFC 5626 `+sip.instance` for registration (e.g. `<urn:uuid:…>`).
    pub instance_id: Option<String>,
    /// Session timers (RFC 4028), or `None` to not ask for them.
    pub session_timer: Option<SessionTimerConfig>,
    /// Transaction layer configuration.
    pub layer: LayerConfig,
    /// Most simultaneous calls (default 64); further INVITEs get 486.
    pub max_calls: usize,
    /// Most queued events (default 1024); more are dropped and counted.
    pub max_events: usize,
    /// How many recent INVITEs are remembered so that a late 2xx to one of them (a fork answering
    /// after the transaction ended) is ACKed and ended with BYE (default 64). Stray 2xx to any
    /// other INVITE are dropped.
    pub max_sent_invites: usize,
    /// Reliable provisional responses (RFC 3262): default [`Rel100::Supported`](super::Rel100::Supported) (INVITEs say
    /// `Supported: 100rel` and reliable 1xx are PRACKed; our 1xx are reliable when the caller
    /// requires it).
    pub rel100: super::Rel100,
    /// Whether the UA answers a new offer in a call (re-INVITE or UPDATE with SDP) by itself,
    /// with the call's current SDP (default `true`). `false`: it comes up as
    /// [`UaEvent::Offer`](super::UaEvent::Offer) and the application answers it with
    /// [`answer_offer`](super::UserAgent::answer_offer) (hold: `a=recvonly` to a `sendonly`
    /// offer, RFC 3264 §6.1) or refuses it with
    /// [`reject_offer`](super::UserAgent::reject_offer).
    pub answer_offers: bool,
    /// `User-Agent` header value.
    pub user_agent: String,
    /// Key of the CSPRNG behind every Call-ID, tag, branch and cnonce this UA makes: 32 bytes
    /// from the OS's secure random source (RFC 3261 §19.3). A constant is for tests only.
    pub seed: [u8; 32],
}

impl UaConfig {
    /// Defaults for `aor` reachable at `contact`, sending through `proxy`.
    #[must_use]
    pub fn new(aor: &str, contact: &str, via: &str, proxy: Peer, seed: [u8; 32]) -> Self {
        let host = aor.rsplit('@').next().unwrap_or(aor);
        let host = host.trim_start_matches("sip:");
        Self {
            aor: aor.into(),
            contact: contact.into(),
            via: via.into(),
            proxy,
            registrar: format!("sip:{host}"),
            register_expires: 3600,
            credentials: None,
            instance_id: None,
            session_timer: None,
            layer: LayerConfig::default(),
            max_calls: 64,
            max_events: 1024,
            max_sent_invites: 64,
            rel100: super::Rel100::default(),
            answer_offers: true,
            user_agent: String::from("rtcweb-sip-core"),
            seed,
        }
    }
}
