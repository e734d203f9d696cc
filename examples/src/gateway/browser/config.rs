//! What the gateway is told: where it listens, whom it calls, how many calls it holds.

use std::net::SocketAddr;
use std::sync::Arc;

use rtcweb_proto::Transport;

/// Where the gateway listens, whom it calls and its bounds.
#[derive(Debug, Clone)]
pub struct BrowserGatewayConfig {
    /// The WebSocket listener (`ws://` + this, or `wss://` with [`Self::tls`]). The media
    /// sockets are bound on its IP.
    pub ws: SocketAddr,
    /// Serve secure WebSocket (`wss://`, RFC 7118 §3) with this rustls configuration
    /// (default `None`: plain `ws://`); see [`crate::sip_stream::server_config`] to load one
    /// from PEM files.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// The phone (or trunk) every browser's call goes to.
    pub trunk: SocketAddr,
    /// How SIP reaches it: [`Transport::Udp`] (the default) or [`Transport::Tcp`].
    pub trunk_transport: Transport,
    /// Offer the trunk SRTP keyed by SDES (`RTP/SAVP`, `a=crypto`, RFC 4568) on the browsers'
    /// calls, and require it in the answer (default `false`: plain `RTP/AVP`). A trunk's own
    /// `RTP/SAVP` offer is answered with SDES either way ([`super::sdes`]).
    pub trunk_srtp: bool,
    /// Our SIP address towards the trunk (a UDP socket, or a TCP listener), where its calls to
    /// browsers arrive (default: the WebSocket listener's IP, any port; see
    /// [`super::BrowserGateway::sip_addr`]).
    pub sip: Option<SocketAddr>,
    /// Key of the CSPRNG behind tags, ICE credentials, SSRCs and the DTLS certificate.
    pub seed: [u8; 32],
    /// Most calls held at once (default 64): each holds two UDP sockets. An INVITE past it, from
    /// either side, is answered 503 with `Retry-After` ([`Self::retry_after`]).
    pub max_calls: usize,
    /// Seconds in the `Retry-After` of a 503 at the limit (default 5).
    pub retry_after: u32,
    /// The registrar's domain: browsers register `sip:user@domain` (default `example.com`). A
    /// call from the trunk to `sip:user@<any host>` goes to the browser registered as `user`.
    pub domain: String,
    /// Users and passwords the registrar challenges (digest, RFC 3261 §22.4). Empty (the
    /// default) and no [`Self::auth_secret`]: any user may register without credentials.
    pub users: Vec<(String, String)>,
    /// Accept ephemeral credentials instead of [`Self::users`] (Kamailio `auth_ephemeral`,
    /// TURN REST): username `<expiry unix time>:<user>`, password
    /// base64(HMAC-SHA1(this secret, username)); `<user>` registers `sip:<user>@domain`
    /// (see [`crate::ws::ephemeral`]).
    pub auth_secret: Option<String>,
    /// Codecs the gateway may relay, by encoding name, among PCMU, PCMA, G722 and opus
    /// (default: all four; see [`super::codec`]).
    pub codecs: Vec<String>,
    /// End a call whose phone has sent nothing (RTP or RTCP) on the media leg for this long
    /// while it should be sending — answered, and its last offer or answer `sendrecv` or
    /// `sendonly` — with a BYE on both legs (default 60 s, as rtpengine's `timeout`; `None`:
    /// never). A phone that vanishes without a BYE (power cut, network gone) no longer leaves
    /// its call up until the browser hangs up; a browser that vanishes is caught by its
    /// WebSocket closing.
    pub media_timeout: Option<std::time::Duration>,
}

impl BrowserGatewayConfig {
    /// Defaults for a gateway on `ws` calling `trunk`.
    #[must_use]
    pub fn new(ws: SocketAddr, trunk: SocketAddr, seed: [u8; 32]) -> Self {
        Self {
            ws,
            tls: None,
            trunk,
            trunk_transport: Transport::Udp,
            trunk_srtp: false,
            sip: None,
            seed,
            max_calls: 64,
            retry_after: 5,
            domain: "example.com".into(),
            users: Vec::new(),
            auth_secret: None,
            codecs: super::codec::DEFAULT_CODECS
                .iter()
                .map(|c| (*c).to_string())
                .collect(),
            media_timeout: Some(std::time::Duration::from_secs(60)),
        }
    }
}
