//! The browsers' signalling leg: the WebSocket listener and connections (RFC 7118), the user
//! agent every browser's calls live in, and the registrar browsers REGISTER with.
//!
//! Each connection is a [`Peer`] `{ addr: <its remote address>, transport: Ws }`: the UA answers
//! over the connection a request came on, and requests to a browser (BYE, or an INVITE from the
//! trunk to a registered user) go over the connection it called or registered on, whatever the
//! `.invalid` hosts in its Via and Contact say (RFC 7118 §5).
//!
//! With a TLS configuration the listener serves `wss://` instead of `ws://` (RFC 7118 §3): each
//! accepted stream is wrapped in a rustls session ([`WebStream`]) and everything else is the
//! same — the same non-blocking loop, the same connections keyed by remote address. The
//! gateway's own Via then says `SIP/2.0/WSS`; browsers' Vias say `WSS` and are answered over the
//! connection whatever they say.

use std::collections::BTreeMap;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rtcweb_sip_core::transaction::{Peer, Transport};
use rtcweb_sip_core::ua::{UaConfig, UserAgent};
use rtcweb_sip_core::Instant;

use crate::ws::{
    ws_peer, Accept, Handshake, Registrar, RegistrarConfig, WebStream, WsConnection, WsError,
};

use super::net::Listener;

/// How long a client may take to complete the WebSocket handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Most messages read from one connection per round (one chatty browser cannot starve the rest).
const READ_BATCH: usize = 64;

/// What reading the connections brought.
#[derive(Debug, Default)]
pub struct WebInput {
    /// SIP messages, one per frame, with the connection they came over.
    pub messages: Vec<(SocketAddr, Vec<u8>)>,
    /// Connections that closed or broke.
    pub closed: Vec<SocketAddr>,
    /// Lines for the log.
    pub said: Vec<String>,
    /// Connections accepted: their number and descriptor (to watch for readiness).
    pub opened: Vec<(u64, std::os::fd::RawFd)>,
    /// Connections read up to the per-turn cap (64 messages): more may wait, read them next turn.
    pub more: Vec<u64>,
}

/// The browsers' leg. See the [module docs](self).
#[derive(Debug)]
pub struct WebSide {
    listener: Listener,
    /// `wss://` when set: every accepted stream is wrapped in TLS.
    tls: Option<Arc<rustls::ServerConfig>>,
    /// Handshakes under way: the remote address, the connection's number, since when.
    pending: Vec<(SocketAddr, u64, Instant, Handshake<WebStream>)>,
    conns: BTreeMap<SocketAddr, WsConnection<WebStream>>,
    /// Each connection's number (its readiness token) and remote address, from its accept to its end.
    addrs: BTreeMap<u64, SocketAddr>,
    next_id: u64,
    /// The user agent of every browser's call (topology hiding: nothing of its dialogs reaches
    /// the trunk's).
    pub ua: UserAgent,
    /// Bindings of registered browsers (REGISTER over their connection).
    pub registrar: Registrar,
    /// The listener's address.
    pub local: SocketAddr,
}

impl WebSide {
    /// The leg on `listener` (`wss://` with `tls`); `seed` keys the UA, `registrar_seed` the
    /// registrar's nonces.
    ///
    /// # Errors
    /// The listener's address could not be read.
    pub fn new(
        listener: Listener,
        tls: Option<Arc<rustls::ServerConfig>>,
        seed: [u8; 32],
        registrar: RegistrarConfig,
        registrar_seed: [u8; 32],
        max_calls: usize,
    ) -> io::Result<Self> {
        let local = listener.local_addr()?;
        let ip = local.ip();
        // RFC 7118 §5.2: Via transport `WSS` over secure WebSocket; the URI parameter is `ws`
        // for both.
        let via = if tls.is_some() { "WSS" } else { "WS" };
        let mut cfg = UaConfig::new(
            &format!("sip:gateway@{ip}"),
            &format!("<sip:gateway@{local};transport=ws>"),
            &format!("SIP/2.0/{via} {local}"),
            ws_peer(local),
            seed,
        );
        cfg.user_agent = "rtcweb-gateway".into();
        // The browser's new offers (hold, resume) are answered by the gateway once the trunk
        // has answered the same change.
        cfg.answer_offers = false;
        // Calls that are ending still hold a place in the UA: room beyond the gateway's bound.
        cfg.max_calls = max_calls.saturating_mul(2).max(4);
        Ok(Self {
            listener,
            tls,
            pending: Vec::new(),
            conns: BTreeMap::new(),
            addrs: BTreeMap::new(),
            next_id: 0,
            ua: UserAgent::new(cfg),
            registrar: Registrar::new(registrar, registrar_seed),
            local,
        })
    }

    /// Whether the listener serves `wss://`.
    #[must_use]
    pub const fn is_secure(&self) -> bool {
        self.tls.is_some()
    }

    /// `wss` or `ws`, for the log.
    const fn scheme(&self) -> &'static str {
        if self.is_secure() {
            "wss"
        } else {
            "ws"
        }
    }

    /// The listener's descriptor (to watch for readiness; `None` on a simulated network).
    #[must_use]
    pub fn listener_fd(&self) -> Option<std::os::fd::RawFd> {
        self.listener.raw_fd()
    }

    /// Whether WebSocket handshakes are under way (their time limit needs the loop's turns).
    #[must_use]
    pub fn handshaking(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Open connections.
    #[must_use]
    pub fn connections(&self) -> usize {
        self.conns.len()
    }

    /// Accepts new connections, advances handshakes, and reads the connections numbered in
    /// `ready` (what epoll reported, and those left with more to read), or every connection
    /// when `ready` is `None` (the first turn, a simulated network).
    pub fn read(&mut self, now: Instant, ready: Option<&[u64]>, input: &mut WebInput) -> bool {
        let mut busy = false;
        while let Some((stream, addr, fd)) = self.listener.accept(self.tls.as_ref()) {
            busy = true;
            let stream = match stream {
                Ok(s) => s,
                Err(e) => {
                    input.said.push(format!("ws: {addr} refused: {e}"));
                    continue;
                }
            };
            let id = self.next_id;
            self.next_id += 1;
            self.addrs.insert(id, addr);
            if let Some(fd) = fd {
                input.opened.push((id, fd));
            }
            self.handshake_step(now, (addr, id), now, Handshake::start(stream), input);
        }
        for (addr, id, since, h) in std::mem::take(&mut self.pending) {
            self.handshake_step(now, (addr, id), since, h.resume(), input);
        }
        let chosen: Vec<(u64, SocketAddr)> = match ready {
            Some(ids) => ids
                .iter()
                .filter_map(|id| Some((*id, *self.addrs.get(id)?)))
                .collect(),
            None => self.addrs.iter().map(|(id, a)| (*id, *a)).collect(),
        };
        let mut gone = Vec::new();
        for (id, addr) in chosen {
            let Some(conn) = self.conns.get_mut(&addr) else {
                continue;
            };
            let mut capped = true;
            for _ in 0..READ_BATCH {
                match conn.read_sip() {
                    Ok(Some(msg)) => {
                        busy = true;
                        input.messages.push((addr, msg.to_vec()));
                    }
                    Ok(None) => {
                        capped = false;
                        break;
                    }
                    Err(e) => {
                        if !matches!(e, WsError::Closed) {
                            input.said.push(format!("ws: {addr}: {e}"));
                        }
                        input.closed.push(addr);
                        gone.push(id);
                        capped = false;
                        break;
                    }
                }
            }
            if capped {
                input.more.push(id);
            }
        }
        for addr in &input.closed {
            if self.conns.remove(addr).is_some() {
                input
                    .said
                    .push(format!("{}: {addr} disconnected", self.scheme()));
            }
        }
        for id in gone {
            self.addrs.remove(&id);
        }
        busy
    }

    fn handshake_step(
        &mut self,
        now: Instant,
        (addr, id): (SocketAddr, u64),
        since: Instant,
        r: Result<Accept<WebStream>, WsError>,
        input: &mut WebInput,
    ) {
        match r {
            Ok(Accept::Done(c)) => {
                input
                    .said
                    .push(format!("{}: {addr} connected", self.scheme()));
                self.conns.insert(addr, c);
                // What came with the handshake may wait in the connection's buffer, where
                // epoll does not see it: read it next turn.
                input.more.push(id);
            }
            Ok(Accept::Pending(h)) if now.saturating_duration_since(since) < HANDSHAKE_TIMEOUT => {
                self.pending.push((addr, id, since, h));
            }
            Ok(Accept::Pending(_)) => {
                input.said.push(format!("ws: {addr} handshake timed out"));
                self.addrs.remove(&id);
            }
            Err(e) => {
                input.said.push(format!("ws: {addr} refused: {e}"));
                self.addrs.remove(&id);
            }
        }
    }

    /// Writes one SIP message to a connection (a response made outside the UA: REGISTER, a
    /// refusal at the bound).
    pub fn write(&mut self, to: SocketAddr, msg: &[u8]) {
        if let Some(c) = self.conns.get_mut(&to) {
            let _ = c.write_sip(msg);
        }
    }

    /// Sends what the UA has queued, each message over its connection; flushes them all.
    pub fn transmit(&mut self, now: Instant, buf: &mut [u8]) -> bool {
        let mut busy = false;
        while let Ok(Some(t)) = self.ua.poll_transmit(now, buf) {
            busy = true;
            let conn = match t.transport {
                Transport::Ws => self.conns.get_mut(&t.destination),
                _ => None,
            };
            // No connection: the browser is gone and a reliable transport has nowhere else to
            // go (RFC 7118 §5); the transaction times out.
            if let (Some(c), Some(msg)) = (conn, buf.get(..t.len)) {
                let _ = c.write_sip(msg);
            }
        }
        for c in self.conns.values_mut() {
            let _ = c.flush();
        }
        busy
    }

    /// Closes every connection (the gateway stops).
    pub fn close_all(&mut self) {
        for (_, mut c) in std::mem::take(&mut self.conns) {
            c.close();
        }
        self.addrs.clear();
    }

    /// The peer of a connection.
    #[must_use]
    pub const fn peer(addr: SocketAddr) -> Peer {
        ws_peer(addr)
    }
}
