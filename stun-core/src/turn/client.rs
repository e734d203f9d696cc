//! [`TurnClient`]: Allocate (with the 401 → credentials and 438 → new nonce retries), Refresh,
//! CreatePermission, ChannelBind, Send/Data indications and ChannelData (RFC 8656 §6–§12).

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;
use core::net::{IpAddr, SocketAddr};
use core::time::Duration;
use rtcweb_proto::time::InstantExt as _;

use rtcweb_proto::{BufferTooSmall, Rng, Transmit, Transport};

use crate::channel_data::ChannelData;
use crate::client::{ClientTransaction, TransactionConfig, TransactionState, MAX_REQUEST_LEN};
use crate::credentials::{long_term_key_md5, long_term_key_sha256};
use crate::demux::{classify, Packet};
use crate::wire::attributes::{
    ChannelNumber, Data, ErrorCode, Lifetime, Nonce, PasswordAlgorithm, PasswordAlgorithms, Realm,
    RequestedTransport, Username, XorMappedAddress, XorPeerAddress, XorRelayedAddress,
};
use crate::wire::{Class, Message, MessageType, MessageWriter, Method, TransactionId};
use crate::{Instant, IntegrityKey};

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

/// What happened, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TurnEvent {
    /// The allocation exists (RFC 8656 §7.3).
    Allocated {
        /// The relayed transport address peers send to.
        relayed: SocketAddr,
        /// The client's server-reflexive address, when the server said.
        mapped: Option<SocketAddr>,
        /// How long it lasts without a refresh.
        lifetime: Duration,
    },
    /// A Refresh succeeded (RFC 8656 §8).
    Refreshed {
        /// The new lifetime.
        lifetime: Duration,
    },
    /// The allocation was released (Refresh with LIFETIME 0).
    Deallocated,
    /// The allocation failed or was lost: error code from the server, or `None` on timeout.
    AllocationFailed {
        /// The server's error code.
        code: Option<u16>,
    },
    /// A permission is installed (RFC 8656 §9).
    PermissionCreated(IpAddr),
    /// A CreatePermission failed.
    PermissionFailed {
        /// The peer.
        peer: IpAddr,
        /// The server's error code, or `None` on timeout.
        code: Option<u16>,
    },
    /// A channel is bound (RFC 8656 §12).
    ChannelBound {
        /// The peer.
        peer: SocketAddr,
        /// The channel number.
        channel: u16,
    },
    /// A ChannelBind failed.
    ChannelBindFailed {
        /// The peer.
        peer: SocketAddr,
        /// The server's error code, or `None` on timeout.
        code: Option<u16>,
    },
}

/// Errors of calls into the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TurnError {
    /// No allocation yet (or any more).
    #[error("no allocation")]
    NotAllocated,
    /// No permission for that peer: call `create_permission` first.
    #[error("no permission for the peer")]
    NoPermission,
    /// A configured bound (permissions, channels) is reached.
    #[error("limit reached: {0}")]
    Limit(&'static str),
    /// Encoding failed (buffer too small, data too long).
    #[error("encoding: {0}")]
    Wire(#[from] crate::wire::Error),
    /// ChannelData encoding failed.
    #[error("channel data: {0}")]
    ChannelData(#[from] crate::channel_data::ChannelDataError),
    /// The password cannot be prepared (SASLprep).
    #[error("password: {0}")]
    Password(#[from] crate::credentials::SaslprepError),
}

/// What [`TurnClient::handle_receive`] made of a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received<'a> {
    /// Application data relayed from a peer (Data indication or ChannelData), borrowed from the
    /// datagram.
    Data {
        /// The peer.
        peer: SocketAddr,
        /// The data.
        data: &'a [u8],
    },
    /// A STUN message for the client; consumed.
    Handled,
    /// Not from the server or not TURN: the caller's to handle.
    NotMine,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Allocate,
    Refresh { lifetime: u32 },
    CreatePermission(IpAddr),
    ChannelBind { peer: SocketAddr, channel: u16 },
}

#[derive(Debug)]
struct Pending {
    kind: Kind,
    tx: ClientTransaction,
    /// Whether it carried MESSAGE-INTEGRITY (its response must too).
    authenticated: bool,
    /// 401s received for this request (a second one means wrong credentials).
    challenges: u8,
}

struct Auth {
    realm: String,
    nonce: String,
    key: IntegrityKey,
    sha256: bool,
    /// PASSWORD-ALGORITHMS as the server sent it, echoed back (RFC 8489 §9.2.4).
    algorithms: Vec<u8>,
}

#[derive(Debug, Clone, Copy)]
struct Permission {
    peer: IpAddr,
    refresh_at: Option<Instant>,
    installed: bool,
}

#[derive(Debug, Clone, Copy)]
struct Channel {
    peer: SocketAddr,
    number: u16,
    refresh_at: Option<Instant>,
    bound: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Idle,
    Allocating,
    Allocated {
        relayed: SocketAddr,
        expires: Instant,
        refresh_at: Instant,
    },
    Closed,
}

/// Permissions last 300 s; refresh a minute early (RFC 8656 §9).
/// 438 (Stale Nonce) answers retried for one request: a server rotating its nonce on every
/// retry is a failure, not a loop (RFC 8489 §9.2.5).
const MAX_CHALLENGES: u8 = 3;

const PERMISSION_REFRESH: Duration = Duration::from_secs(240);
/// Channel bindings last 600 s; refresh a minute early (RFC 8656 §12).
const CHANNEL_REFRESH: Duration = Duration::from_secs(540);

/// A TURN client for one allocation. See the [module docs](super) for the call order.
pub struct TurnClient {
    config: TurnConfig,
    state: State,
    auth: Option<Auth>,
    pending: Vec<Pending>,
    permissions: Vec<Permission>,
    channels: Vec<Channel>,
    events: VecDeque<TurnEvent>,
    rng: Rng,
    next_channel: u16,
}

impl core::fmt::Debug for TurnClient {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TurnClient")
            .field("server", &self.config.server)
            .field("state", &self.state)
            .field("pending", &self.pending.len())
            .field("permissions", &self.permissions)
            .field("channels", &self.channels)
            .finish_non_exhaustive()
    }
}

impl TurnClient {
    /// A client that will allocate on `config.server`. `seed` keys the CSPRNG
    /// ([`rtcweb_proto::Rng`]) that makes the transaction IDs: give 32 bytes from the OS's secure
    /// source (RFC 8489 §6: IDs must be unpredictable to off-path attackers).
    pub fn new(config: TurnConfig, seed: [u8; 32]) -> Self {
        TurnClient {
            config,
            state: State::Idle,
            auth: None,
            pending: Vec::new(),
            permissions: Vec::new(),
            channels: Vec::new(),
            events: VecDeque::new(),
            rng: Rng::from_seed(seed),
            next_channel: *ChannelNumber::RANGE.start(),
        }
    }

    /// The server.
    pub fn server(&self) -> SocketAddr {
        self.config.server
    }

    /// The relayed address, once allocated.
    pub fn relayed_address(&self) -> Option<SocketAddr> {
        match self.state {
            State::Allocated { relayed, .. } => Some(relayed),
            _ => None,
        }
    }

    /// The channel bound to `peer`, once the server confirmed it.
    pub fn channel(&self, peer: SocketAddr) -> Option<u16> {
        self.channels
            .iter()
            .find(|c| c.peer == peer && c.bound)
            .map(|c| c.number)
    }

    /// Whether a permission for `peer` is installed.
    pub fn has_permission(&self, peer: IpAddr) -> bool {
        self.permissions
            .iter()
            .any(|p| p.peer == peer && p.installed)
    }

    /// Starts the allocation (RFC 8656 §7.1).
    pub fn allocate(&mut self, now: Instant) -> Result<(), TurnError> {
        if self.state == State::Idle {
            self.state = State::Allocating;
            self.start(now, Kind::Allocate)?;
        }
        Ok(())
    }

    /// Installs (or refreshes) a permission for `peer` (RFC 8656 §9).
    pub fn create_permission(&mut self, now: Instant, peer: IpAddr) -> Result<(), TurnError> {
        self.require_allocation()?;
        if !self.permissions.iter().any(|p| p.peer == peer) {
            if self.permissions.len() >= self.config.max_permissions {
                return Err(TurnError::Limit("permissions"));
            }
            self.permissions.push(Permission {
                peer,
                refresh_at: None,
                installed: false,
            });
        }
        self.start(now, Kind::CreatePermission(peer))
    }

    /// Binds a channel to `peer` (RFC 8656 §12.1); this also installs its permission.
    pub fn bind_channel(&mut self, now: Instant, peer: SocketAddr) -> Result<u16, TurnError> {
        self.require_allocation()?;
        let number = match self.channels.iter().find(|c| c.peer == peer) {
            Some(c) => c.number,
            None => {
                if self.channels.len() >= self.config.max_channels
                    || !ChannelNumber::RANGE.contains(&self.next_channel)
                {
                    return Err(TurnError::Limit("channels"));
                }
                let number = self.next_channel;
                self.next_channel += 1;
                self.channels.push(Channel {
                    peer,
                    number,
                    refresh_at: None,
                    bound: false,
                });
                number
            }
        };
        self.start(
            now,
            Kind::ChannelBind {
                peer,
                channel: number,
            },
        )?;
        Ok(number)
    }

    /// Releases the allocation (Refresh with LIFETIME 0, RFC 8656 §8).
    pub fn deallocate(&mut self, now: Instant) -> Result<(), TurnError> {
        self.require_allocation()?;
        self.start(now, Kind::Refresh { lifetime: 0 })
    }

    /// Wraps `data` for `peer` into `buf`: ChannelData when a channel is bound, else a Send
    /// indication (RFC 8656 §11.1). Returns the datagram to send to the server.
    pub fn send_to(
        &mut self,
        peer: SocketAddr,
        data: &[u8],
        buf: &mut [u8],
    ) -> Result<Transmit, TurnError> {
        self.require_allocation()?;
        let destination = self.config.server;
        if let Some(channel) = self.channel(peer) {
            let len = ChannelData { channel, data }.encode(buf, self.config.reliable)?;
            return Ok(self.transmit(destination, len));
        }
        if !self.has_permission(peer.ip()) {
            return Err(TurnError::NoPermission);
        }
        let tid = self.next_tid();
        let mut w =
            MessageWriter::new(buf, MessageType::new(Method::SEND, Class::Indication), tid)?;
        w.add(&XorPeerAddress(peer))?;
        w.add(&Data(data))?;
        let len = w.finish();
        Ok(self.transmit(destination, len))
    }

    /// A message for the server: over UDP, or over the stream (TCP/TLS) of a `reliable` client.
    fn transmit(&self, destination: SocketAddr, len: usize) -> Transmit {
        Transmit {
            source: None,
            destination,
            transport: if self.config.reliable {
                Transport::Tcp
            } else {
                Transport::Udp
            },
            len,
        }
    }

    /// Feeds a datagram received from `from`. Relayed data comes back borrowed from `datagram`.
    pub fn handle_receive<'a>(
        &mut self,
        now: Instant,
        from: SocketAddr,
        datagram: &'a [u8],
    ) -> Received<'a> {
        if from != self.config.server {
            return Received::NotMine;
        }
        match classify(datagram) {
            Packet::ChannelData => {
                let parsed = if self.config.reliable {
                    ChannelData::parse_prefix(datagram).map(|(c, _)| c)
                } else {
                    ChannelData::parse(datagram)
                };
                match parsed {
                    Ok(cd) => match self.channels.iter().find(|c| c.number == cd.channel) {
                        Some(c) => Received::Data {
                            peer: c.peer,
                            data: cd.data,
                        },
                        None => Received::Handled,
                    },
                    Err(_) => Received::NotMine,
                }
            }
            Packet::Stun => match Message::parse(datagram) {
                Ok(msg) => self.handle_message(now, &msg),
                Err(_) => Received::NotMine,
            },
            _ => Received::NotMine,
        }
    }

    fn handle_message<'a>(&mut self, now: Instant, msg: &Message<'a>) -> Received<'a> {
        match msg.class() {
            Class::Indication if msg.method() == Method::DATA => {
                match (msg.attribute::<XorPeerAddress>(), msg.attribute::<Data>()) {
                    // RFC 8656 §11.6: only from a peer we asked a permission for (installed, or
                    // requested: its success may arrive after the first data); anything else
                    // was not relayed on our behalf and is dropped.
                    (Ok(Some(peer)), Ok(Some(data)))
                        if self.permissions.iter().any(|p| p.peer == peer.0.ip()) =>
                    {
                        Received::Data {
                            peer: peer.0,
                            data: data.0,
                        }
                    }
                    _ => Received::Handled,
                }
            }
            Class::Success | Class::Error => {
                let tid = msg.transaction_id();
                let Some(i) = self
                    .pending
                    .iter()
                    .position(|p| p.tx.transaction_id() == tid)
                else {
                    return Received::Handled;
                };
                let authenticated = self.pending.get(i).is_some_and(|p| p.authenticated);
                if authenticated && !self.authentic(msg) {
                    rtcweb_proto::log_debug!(
                        "turn {}: response without valid MESSAGE-INTEGRITY discarded (RFC 8489 §9.2.5)",
                        self.config.server
                    );
                    // Discarded as if never received; retransmissions go on (RFC 8489 §9.2.5).
                    return Received::Handled;
                }
                let p = self.pending.swap_remove(i);
                if msg.class() == Class::Success {
                    self.on_success(now, p.kind, msg);
                } else {
                    self.on_error(now, p, msg);
                }
                Received::Handled
            }
            _ => Received::Handled,
        }
    }

    /// Whether a response to an authenticated request may be acted on (RFC 8489 §9.2.5): its
    /// MESSAGE-INTEGRITY(-SHA256) verifies with our key; or it is a 401 or 438 without one (a
    /// server that no longer knows the key or nonce cannot sign, and the retry they cause is
    /// bounded). A forged success or error (a 403 ending the allocation, say) is discarded.
    fn authentic(&self, msg: &Message<'_>) -> bool {
        let Some(auth) = self.auth.as_ref() else {
            return false;
        };
        match msg.verify_integrity(&auth.key) {
            Ok(_) => true,
            Err(crate::wire::Error::NoIntegrity) => {
                msg.class() == Class::Error
                    && matches!(
                        msg.attribute::<ErrorCode>().ok().flatten().map(|e| e.code),
                        Some(ErrorCode::UNAUTHENTICATED | ErrorCode::STALE_NONCE)
                    )
            }
            Err(_) => false,
        }
    }

    fn on_success(&mut self, now: Instant, kind: Kind, msg: &Message<'_>) {
        let lifetime = msg
            .attribute::<Lifetime>()
            .ok()
            .flatten()
            .map_or(self.config.lifetime, |l| l.0);
        let lifetime_d = Duration::from_secs(u64::from(lifetime));
        match kind {
            Kind::Allocate => {
                let Ok(Some(XorRelayedAddress(relayed))) = msg.attribute::<XorRelayedAddress>()
                else {
                    self.fail_allocation(None);
                    return;
                };
                let mapped = msg
                    .attribute::<XorMappedAddress>()
                    .ok()
                    .flatten()
                    .map(|m| m.0);
                self.state = State::Allocated {
                    relayed,
                    expires: now.saturating_add(lifetime_d),
                    refresh_at: now.saturating_add(refresh_delay(lifetime_d)),
                };
                self.events.push_back(TurnEvent::Allocated {
                    relayed,
                    mapped,
                    lifetime: lifetime_d,
                });
            }
            Kind::Refresh { lifetime: 0 } => {
                self.close();
                self.events.push_back(TurnEvent::Deallocated);
            }
            Kind::Refresh { .. } => {
                if let State::Allocated { relayed, .. } = self.state {
                    self.state = State::Allocated {
                        relayed,
                        expires: now.saturating_add(lifetime_d),
                        refresh_at: now.saturating_add(refresh_delay(lifetime_d)),
                    };
                }
                self.events.push_back(TurnEvent::Refreshed {
                    lifetime: lifetime_d,
                });
            }
            Kind::CreatePermission(peer) => {
                if let Some(p) = self.permissions.iter_mut().find(|p| p.peer == peer) {
                    let first = !p.installed;
                    p.installed = true;
                    p.refresh_at = Some(now.saturating_add(PERMISSION_REFRESH));
                    if first {
                        self.events.push_back(TurnEvent::PermissionCreated(peer));
                    }
                }
            }
            Kind::ChannelBind { peer, channel } => {
                if let Some(c) = self.channels.iter_mut().find(|c| c.number == channel) {
                    let first = !c.bound;
                    c.bound = true;
                    c.refresh_at = Some(now.saturating_add(CHANNEL_REFRESH));
                    if first {
                        self.events
                            .push_back(TurnEvent::ChannelBound { peer, channel });
                    }
                }
            }
        }
    }

    fn on_error(&mut self, now: Instant, p: Pending, msg: &Message<'_>) {
        let code = msg.attribute::<ErrorCode>().ok().flatten().map(|e| e.code);
        let nonce = msg.attribute::<Nonce>().ok().flatten();
        let retry = match (code, nonce) {
            // 401 carries REALM and NONCE: retry once with credentials (RFC 8489 §9.2.3).
            (Some(ErrorCode::UNAUTHENTICATED), Some(nonce)) if p.challenges == 0 => {
                self.learn_auth(msg, nonce.0).is_ok()
            }
            // 438: the nonce went stale; retry with the new one (RFC 8489 §9.2.5).
            (Some(ErrorCode::STALE_NONCE), Some(nonce)) if p.challenges < MAX_CHALLENGES => {
                if let Some(a) = self.auth.as_mut() {
                    a.nonce = nonce.0.into();
                    true
                } else {
                    self.learn_auth(msg, nonce.0).is_ok()
                }
            }
            _ => false,
        };
        if retry && self.start_with(now, p.kind, p.challenges + 1).is_ok() {
            return;
        }
        self.fail(p.kind, code);
    }

    fn learn_auth(&mut self, msg: &Message<'_>, nonce: &str) -> Result<(), TurnError> {
        let realm = msg
            .attribute::<Realm>()
            .ok()
            .flatten()
            .map(|r| String::from(r.0))
            .unwrap_or_default();
        // SHA-256 only when the server offers it in PASSWORD-ALGORITHMS and before MD5.
        let offered = msg.attribute::<PasswordAlgorithms>().ok().flatten();
        let sha256 = offered.is_some_and(|list| {
            list.iter()
                .map(|a| a.algorithm)
                .find(|a| *a == PasswordAlgorithm::MD5 || *a == PasswordAlgorithm::SHA256)
                == Some(PasswordAlgorithm::SHA256)
        });
        let key = if sha256 {
            long_term_key_sha256(&self.config.username, &realm, &self.config.password)?
        } else {
            long_term_key_md5(&self.config.username, &realm, &self.config.password)?
        };
        let algorithms = msg
            .raw_attribute(crate::wire::AttributeType::PASSWORD_ALGORITHMS)
            .map(|a| a.value.to_vec())
            .unwrap_or_default();
        self.auth = Some(Auth {
            realm,
            nonce: nonce.into(),
            key: key.integrity_key(),
            sha256,
            algorithms,
        });
        Ok(())
    }

    fn fail(&mut self, kind: Kind, code: Option<u16>) {
        match kind {
            Kind::Allocate | Kind::Refresh { .. } => self.fail_allocation(code),
            Kind::CreatePermission(peer) => {
                self.permissions.retain(|p| p.peer != peer || p.installed);
                self.events
                    .push_back(TurnEvent::PermissionFailed { peer, code });
            }
            Kind::ChannelBind { peer, channel } => {
                self.channels.retain(|c| c.number != channel || c.bound);
                self.events
                    .push_back(TurnEvent::ChannelBindFailed { peer, code });
            }
        }
    }

    /// Forgets the allocation with everything that hangs on it.
    fn close(&mut self) {
        self.state = State::Closed;
        self.pending.clear();
        self.permissions.clear();
        self.channels.clear();
    }

    fn fail_allocation(&mut self, code: Option<u16>) {
        self.close();
        self.events.push_back(TurnEvent::AllocationFailed { code });
    }

    fn require_allocation(&self) -> Result<(), TurnError> {
        match self.state {
            State::Allocated { .. } => Ok(()),
            _ => Err(TurnError::NotAllocated),
        }
    }

    fn next_tid(&mut self) -> TransactionId {
        let mut tid = TransactionId::default();
        self.rng.fill(&mut tid.0);
        tid
    }

    fn start(&mut self, now: Instant, kind: Kind) -> Result<(), TurnError> {
        self.start_with(now, kind, 0)
    }

    /// Encodes a request of `kind` (with credentials once known) and starts its transaction.
    fn start_with(&mut self, now: Instant, kind: Kind, challenges: u8) -> Result<(), TurnError> {
        // One request per kind in flight: a newer one replaces an older one.
        self.pending.retain(|p| p.kind != kind);
        let tid = self.next_tid();
        let method = match kind {
            Kind::Allocate => Method::ALLOCATE,
            Kind::Refresh { .. } => Method::REFRESH,
            Kind::CreatePermission(_) => Method::CREATE_PERMISSION,
            Kind::ChannelBind { .. } => Method::CHANNEL_BIND,
        };
        let mut buf = [0u8; MAX_REQUEST_LEN];
        let mut w = MessageWriter::new(&mut buf, MessageType::new(method, Class::Request), tid)?;
        match kind {
            Kind::Allocate => {
                w.add(&RequestedTransport::UDP)?;
                w.add(&Lifetime(self.config.lifetime))?;
            }
            Kind::Refresh { lifetime } => w.add(&Lifetime(lifetime))?,
            Kind::CreatePermission(peer) => w.add(&XorPeerAddress(SocketAddr::new(peer, 0)))?,
            Kind::ChannelBind { peer, channel } => {
                w.add(&ChannelNumber(channel))?;
                w.add(&XorPeerAddress(peer))?;
            }
        }
        let authenticated = self.auth.is_some();
        if let Some(a) = &self.auth {
            w.add(&Username(&self.config.username))?;
            w.add(&Realm(&a.realm))?;
            w.add(&Nonce(&a.nonce))?;
            if !a.algorithms.is_empty() {
                w.add_raw(
                    crate::wire::AttributeType::PASSWORD_ALGORITHMS,
                    &a.algorithms,
                )?;
                let algorithm = if a.sha256 {
                    PasswordAlgorithm::SHA256
                } else {
                    PasswordAlgorithm::MD5
                };
                w.add(&PasswordAlgorithm {
                    algorithm,
                    parameters: &[],
                })?;
            }
            if a.sha256 {
                w.add_message_integrity_sha256(&a.key)?;
            } else {
                w.add_message_integrity(&a.key)?;
            }
        }
        w.add_fingerprint()?;
        let len = w.finish();
        let tx = ClientTransaction::new(
            now,
            buf.get(..len).unwrap_or_default(),
            self.config.reliable,
            self.config.transaction,
        )?;
        self.pending.push(Pending {
            kind,
            tx,
            authenticated,
            challenges,
        });
        Ok(())
    }

    /// Advances time: retransmissions, timeouts, and refreshes of the allocation, permissions
    /// and channels before they expire.
    pub fn handle_timeout(&mut self, now: Instant) {
        let mut failed = Vec::new();
        for p in &mut self.pending {
            p.tx.handle_timeout(now);
            if p.tx.state() == TransactionState::TimedOut {
                failed.push(p.kind);
            }
        }
        self.pending
            .retain(|p| p.tx.state() != TransactionState::TimedOut);
        for kind in failed {
            self.fail(kind, None);
        }
        let State::Allocated {
            expires,
            refresh_at,
            ..
        } = self.state
        else {
            return;
        };
        if now >= expires {
            self.fail_allocation(None);
            return;
        }
        let mut due = Vec::new();
        if now >= refresh_at && !self.in_flight(|k| matches!(k, Kind::Refresh { .. })) {
            due.push(Kind::Refresh {
                lifetime: self.config.lifetime,
            });
            // Until the refresh succeeds, the next deadline of the allocation is its expiry.
            if let State::Allocated { relayed, .. } = self.state {
                self.state = State::Allocated {
                    relayed,
                    expires,
                    refresh_at: expires,
                };
            }
        }
        for p in &self.permissions {
            if p.refresh_at.is_some_and(|t| now >= t) {
                due.push(Kind::CreatePermission(p.peer));
            }
        }
        for c in &self.channels {
            if c.refresh_at.is_some_and(|t| now >= t) {
                due.push(Kind::ChannelBind {
                    peer: c.peer,
                    channel: c.number,
                });
            }
        }
        for kind in due {
            if self.in_flight(|k| k == kind) {
                continue;
            }
            if let Kind::CreatePermission(peer) = kind {
                if let Some(p) = self.permissions.iter_mut().find(|p| p.peer == peer) {
                    p.refresh_at = None;
                }
            }
            if let Kind::ChannelBind { channel, .. } = kind {
                if let Some(c) = self.channels.iter_mut().find(|c| c.number == channel) {
                    c.refresh_at = None;
                }
            }
            // Encoding our own requests into a fixed buffer cannot fail for valid config; if it
            // does, the refresh is simply not sent and expiry reports the loss.
            let _ = self.start(now, kind);
        }
    }

    fn in_flight(&self, f: impl Fn(Kind) -> bool) -> bool {
        self.pending.iter().any(|p| f(p.kind))
    }

    /// The next datagram to send to the server, written into `buf`. A request that does not fit
    /// is not lost: it stays due, and the error says how large a buffer it needs
    /// ([`MAX_REQUEST_LEN`](crate::client::MAX_REQUEST_LEN) always suffices).
    ///
    /// # Errors
    /// [`BufferTooSmall`] when the next request does not fit in `buf`.
    pub fn poll_transmit(
        &mut self,
        now: Instant,
        buf: &mut [u8],
    ) -> Result<Option<Transmit>, BufferTooSmall> {
        let destination = self.config.server;
        let Some(p) = self
            .pending
            .iter_mut()
            .find(|p| p.tx.peek_transmit().is_some())
        else {
            return Ok(None);
        };
        let needed = p.tx.peek_transmit().map_or(0, <[u8]>::len);
        let dst = buf.get_mut(..needed).ok_or(BufferTooSmall { needed })?;
        let Some(bytes) = p.tx.poll_transmit(now) else {
            return Ok(None);
        };
        dst.copy_from_slice(bytes);
        Ok(Some(self.transmit(destination, needed)))
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<TurnEvent> {
        let e = self.events.pop_front();
        if let Some(_e) = &e {
            rtcweb_proto::log_debug!("turn {}: {_e:?}", self.config.server);
        }
        e
    }

    /// When to call [`handle_timeout`](Self::handle_timeout) next. The client holds at most
    /// `max_permissions + max_channels + 2` deadlines, so this scan is bounded.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let tx = self.pending.iter().filter_map(|p| p.tx.poll_timeout());
        let alloc = match self.state {
            State::Allocated {
                refresh_at,
                expires,
                ..
            } => [Some(refresh_at), Some(expires)],
            _ => [None, None],
        };
        let perms = self.permissions.iter().filter_map(|p| p.refresh_at);
        let chans = self.channels.iter().filter_map(|c| c.refresh_at);
        tx.chain(alloc.into_iter().flatten())
            .chain(perms)
            .chain(chans)
            .min()
    }
}

/// Refresh a minute before expiry, or at half the lifetime when it is short (RFC 8656 §8).
fn refresh_delay(lifetime: Duration) -> Duration {
    let early = lifetime.saturating_sub(Duration::from_secs(60));
    early.max(lifetime / 2)
}
