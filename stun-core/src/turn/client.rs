//! [`TurnClient`]: Allocate, Refresh, CreatePermission and ChannelBind requests, Send
//! indications and ChannelData out, timers (RFC 8656 §6–§12); what comes back is handled in
//! `response.rs`.

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;
use core::net::{IpAddr, SocketAddr};
use core::time::Duration;

use rtcweb_proto::{BufferTooSmall, Rng, Transmit, Transport};

use crate::channel_data::ChannelData;
use crate::client::{ClientTransaction, TransactionState, MAX_REQUEST_LEN};
use crate::wire::attributes::{
    ChannelNumber, Data, Lifetime, Nonce, PasswordAlgorithm, Realm, RequestedTransport, Username,
    XorPeerAddress,
};
use crate::wire::{Class, MessageType, MessageWriter, Method, TransactionId};
use crate::{Instant, IntegrityKey};

use super::config::TurnConfig;
use super::event::{TurnError, TurnEvent};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Allocate,
    Refresh { lifetime: u32 },
    CreatePermission(IpAddr),
    ChannelBind { peer: SocketAddr, channel: u16 },
}

#[derive(Debug)]
pub(super) struct Pending {
    pub(super) kind: Kind,
    pub(super) tx: ClientTransaction,
    /// Whether it carried MESSAGE-INTEGRITY (its response must too).
    pub(super) authenticated: bool,
    /// 401s received for this request (a second one means wrong credentials).
    pub(super) challenges: u8,
}

pub(super) struct Auth {
    pub(super) realm: String,
    pub(super) nonce: String,
    pub(super) key: IntegrityKey,
    pub(super) sha256: bool,
    /// PASSWORD-ALGORITHMS as the server sent it, echoed back (RFC 8489 §9.2.4).
    pub(super) algorithms: Vec<u8>,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Permission {
    pub(super) peer: IpAddr,
    pub(super) refresh_at: Option<Instant>,
    pub(super) installed: bool,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Channel {
    pub(super) peer: SocketAddr,
    pub(super) number: u16,
    pub(super) refresh_at: Option<Instant>,
    pub(super) bound: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum State {
    Idle,
    Allocating,
    Allocated {
        relayed: SocketAddr,
        expires: Instant,
        refresh_at: Instant,
    },
    Closed,
}

/// 438 (Stale Nonce) answers retried for one request: a server rotating its nonce on every
/// retry is a failure, not a loop (RFC 8489 §9.2.5).
pub(super) const MAX_CHALLENGES: u8 = 3;

/// Permissions last 300 s; refresh a minute early (RFC 8656 §9).
pub(super) const PERMISSION_REFRESH: Duration = Duration::from_secs(240);
/// Channel bindings last 600 s; refresh a minute early (RFC 8656 §12).
pub(super) const CHANNEL_REFRESH: Duration = Duration::from_secs(540);

/// A TURN client for one allocation. See the [module docs](super) for the call order.
pub struct TurnClient {
    pub(super) config: TurnConfig,
    pub(super) state: State,
    pub(super) auth: Option<Auth>,
    pub(super) pending: Vec<Pending>,
    pub(super) permissions: Vec<Permission>,
    pub(super) channels: Vec<Channel>,
    pub(super) events: VecDeque<TurnEvent>,
    pub(super) rng: Rng,
    pub(super) next_channel: u16,
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
    pub(super) fn transmit(&self, destination: SocketAddr, len: usize) -> Transmit {
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

    pub(super) fn fail(&mut self, kind: Kind, code: Option<u16>) {
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
    pub(super) fn close(&mut self) {
        self.state = State::Closed;
        self.pending.clear();
        self.permissions.clear();
        self.channels.clear();
    }

    pub(super) fn fail_allocation(&mut self, code: Option<u16>) {
        self.close();
        self.events.push_back(TurnEvent::AllocationFailed { code });
    }

    pub(super) fn require_allocation(&self) -> Result<(), TurnError> {
        match self.state {
            State::Allocated { .. } => Ok(()),
            _ => Err(TurnError::NotAllocated),
        }
    }

    pub(super) fn next_tid(&mut self) -> TransactionId {
        let mut tid = TransactionId::default();
        self.rng.fill(&mut tid.0);
        tid
    }

    pub(super) fn start(&mut self, now: Instant, kind: Kind) -> Result<(), TurnError> {
        self.start_with(now, kind, 0)
    }

    /// Encodes a request of `kind` (with credentials once known) and starts its transaction.
    pub(super) fn start_with(
        &mut self,
        now: Instant,
        kind: Kind,
        challenges: u8,
    ) -> Result<(), TurnError> {
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

    pub(super) fn in_flight(&self, f: impl Fn(Kind) -> bool) -> bool {
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
pub(super) fn refresh_delay(lifetime: Duration) -> Duration {
    let early = lifetime.saturating_sub(Duration::from_secs(60));
    early.max(lifetime / 2)
}
