//! The std driver: one thread owns a non-blocking `TcpListener`, the WebSocket connections (a map
//! from remote address to [`WsConnection`]) and the Sans-IO [`Service`]; it moves frames and time
//! between them. The application talks to the thread through channels: [`Command`]s in,
//! [`ServerEvent`]s out.

use std::collections::BTreeMap;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use rtcweb_sip_core::message::Method;
use rtcweb_sip_core::transaction::Transport;
use rtcweb_sip_core::Instant;

use super::connection::{Accept, Handshake, WsConnection, WsError, MAX_MESSAGE};
use super::service::{ws_peer, Service, ServiceConfig, ServiceEvent};

/// How long a client may take to complete the WebSocket handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Most messages read from one connection per round of the loop.
const READ_BATCH: usize = 64;
/// Longest sleep of the loop when nothing happens (the latency of commands and new bytes).
const IDLE: Duration = Duration::from_millis(2);

/// What the application asks the server thread to do.
#[derive(Debug, Clone)]
pub enum Command {
    /// Send OPTIONS or MESSAGE to every contact of `aor` over its connection.
    Send {
        /// `OPTIONS` or `MESSAGE`.
        method: String,
        /// The address of record, `sip:user@domain`.
        aor: String,
        /// Content type and body, if any.
        body: Option<(String, Vec<u8>)>,
    },
}

/// What the server thread reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerEvent {
    /// A WebSocket connection with the `sip` subprotocol is up.
    Connected(SocketAddr),
    /// A client was refused during the handshake (e.g. no `sip` subprotocol).
    Refused(SocketAddr, String),
    /// A connection ended (closed by the peer, an error, or the server stopping).
    Disconnected(SocketAddr),
    /// From the SIP service.
    Sip(ServiceEvent),
    /// A [`Command`] could not be carried out.
    CommandFailed(String),
}

/// A running SIP-over-WebSocket server (RFC 7118, `ws://`). Stops when dropped.
#[derive(Debug)]
pub struct WsServer {
    local_addr: SocketAddr,
    commands: Sender<Command>,
    events: Receiver<ServerEvent>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl WsServer {
    /// Binds `listen` and starts the server thread. `cfg.via_sent_by` is set to the bound
    /// address when empty.
    ///
    /// # Errors
    /// Binding the listener failed.
    pub fn start(listen: SocketAddr, mut cfg: ServiceConfig) -> io::Result<Self> {
        let listener = TcpListener::bind(listen)?;
        listener.set_nonblocking(true)?;
        let local_addr = listener.local_addr()?;
        if cfg.via_sent_by.is_empty() {
            cfg.via_sent_by = local_addr.to_string();
        }
        let (commands, command_rx) = channel();
        let (event_tx, events) = channel();
        let stop = Arc::new(AtomicBool::new(false));
        let driver = Driver {
            listener,
            service: Service::new(cfg),
            pending: Vec::new(),
            conns: BTreeMap::new(),
            commands: command_rx,
            events: event_tx,
            stop: Arc::clone(&stop),
            clock: std::time::Instant::now(),
        };
        let thread = std::thread::Builder::new()
            .name("sip-ws".into())
            .spawn(move || driver.run())?;
        Ok(Self {
            local_addr,
            commands,
            events,
            stop,
            thread: Some(thread),
        })
    }

    /// The bound address (`ws://` + this).
    #[must_use]
    pub const fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The events, in order.
    #[must_use]
    pub const fn events(&self) -> &Receiver<ServerEvent> {
        &self.events
    }

    /// Asks the thread to carry out `cmd`; failures come back as [`ServerEvent::CommandFailed`].
    pub fn command(&self, cmd: Command) {
        let _ = self.commands.send(cmd);
    }

    /// Stops the thread: every connection gets a close frame.
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for WsServer {
    fn drop(&mut self) {
        self.stop();
    }
}

struct Driver {
    listener: TcpListener,
    service: Service,
    pending: Vec<(SocketAddr, std::time::Instant, Handshake<TcpStream>)>,
    conns: BTreeMap<SocketAddr, WsConnection<TcpStream>>,
    commands: Receiver<Command>,
    events: Sender<ServerEvent>,
    stop: Arc<AtomicBool>,
    clock: std::time::Instant,
}

impl Driver {
    fn now(&self) -> Instant {
        Instant::from_nanos(i64::try_from(self.clock.elapsed().as_nanos()).unwrap_or(i64::MAX))
    }

    fn report(&self, e: ServerEvent) {
        let _ = self.events.send(e);
    }

    fn run(mut self) {
        let mut buf = vec![0u8; MAX_MESSAGE];
        while !self.stop.load(Ordering::Relaxed) {
            let mut busy = self.accept();
            busy |= self.handshakes();
            busy |= self.read_all();
            busy |= self.run_commands();
            let now = self.now();
            if self.service.poll_timeout().is_some_and(|t| t <= now) {
                self.service.handle_timeout(now);
            }
            busy |= self.transmit(&mut buf);
            self.flush_all();
            while let Some(e) = self.service.poll_event() {
                self.report(ServerEvent::Sip(e));
            }
            if !busy {
                std::thread::sleep(IDLE);
            }
        }
        for (addr, mut c) in std::mem::take(&mut self.conns) {
            c.close();
            self.report(ServerEvent::Disconnected(addr));
        }
    }

    fn accept(&mut self) -> bool {
        let mut busy = false;
        loop {
            match self.listener.accept() {
                Ok((stream, addr)) => {
                    busy = true;
                    if stream.set_nonblocking(true).is_err() {
                        continue;
                    }
                    let _ = stream.set_nodelay(true);
                    self.start_handshake(addr, stream);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return busy,
                Err(e) => {
                    log::warn!("ws: accept failed: {e}");
                    return busy;
                }
            }
        }
    }

    fn start_handshake(&mut self, addr: SocketAddr, stream: TcpStream) {
        let r = Handshake::start(stream);
        self.handshake_step(addr, std::time::Instant::now(), r);
    }

    fn handshake_step(
        &mut self,
        addr: SocketAddr,
        since: std::time::Instant,
        r: Result<Accept<TcpStream>, WsError>,
    ) {
        match r {
            Ok(Accept::Done(c)) => {
                log::info!("ws: {addr} connected");
                self.conns.insert(addr, c);
                self.report(ServerEvent::Connected(addr));
            }
            Ok(Accept::Pending(h)) if since.elapsed() < HANDSHAKE_TIMEOUT => {
                self.pending.push((addr, since, h));
            }
            Ok(Accept::Pending(_)) => {
                self.report(ServerEvent::Refused(addr, "handshake timed out".into()));
            }
            Err(e) => {
                log::info!("ws: {addr} refused: {e}");
                self.report(ServerEvent::Refused(addr, e.to_string()));
            }
        }
    }

    /// Resumes the handshakes in progress; busy when one finished (a stalled client costs a
    /// `read` returning `WouldBlock` per loop, never a busy loop).
    fn handshakes(&mut self) -> bool {
        let before = self.pending.len();
        for (addr, since, h) in std::mem::take(&mut self.pending) {
            let r = h.resume();
            self.handshake_step(addr, since, r);
        }
        self.pending.len() != before
    }

    fn read_all(&mut self) -> bool {
        let mut busy = false;
        let mut closed = Vec::new();
        let now = self.now();
        for (&addr, conn) in &mut self.conns {
            // A bounded batch per connection and round: one chatty client cannot starve the rest.
            for _ in 0..READ_BATCH {
                match conn.read_sip() {
                    Ok(Some(msg)) => {
                        busy = true;
                        self.service.handle_message(now, ws_peer(addr), &msg);
                    }
                    Ok(None) => break,
                    Err(e) => {
                        if !matches!(e, WsError::Closed) {
                            log::info!("ws: {addr}: {e}");
                        }
                        closed.push(addr);
                        break;
                    }
                }
            }
        }
        for addr in closed {
            self.disconnect(now, addr);
        }
        busy
    }

    fn disconnect(&mut self, now: Instant, addr: SocketAddr) {
        if self.conns.remove(&addr).is_some() {
            log::info!("ws: {addr} disconnected");
            self.service.connection_closed(now, ws_peer(addr));
            self.report(ServerEvent::Disconnected(addr));
        }
    }

    fn run_commands(&mut self) -> bool {
        let mut busy = false;
        while let Ok(cmd) = self.commands.try_recv() {
            busy = true;
            let Command::Send { method, aor, body } = cmd;
            let m = Method::from_token(&method);
            let body = body.as_ref().map(|(t, b)| (t.as_str(), b.as_slice()));
            let now = self.now();
            if let Err(e) = self.service.send_request(now, m, &aor, body) {
                self.report(ServerEvent::CommandFailed(format!(
                    "{method} to {aor}: {e}"
                )));
            }
        }
        busy
    }

    fn transmit(&mut self, buf: &mut [u8]) -> bool {
        let mut busy = false;
        let mut broken = Vec::new();
        let now = self.now();
        loop {
            match self.service.poll_transmit(now, buf) {
                Ok(Some(t)) => {
                    busy = true;
                    let conn = match t.transport {
                        Transport::Ws => self.conns.get_mut(&t.destination),
                        _ => None,
                    };
                    match conn {
                        Some(c) => {
                            if let Err(e) = c.write_sip(&buf[..t.len]) {
                                log::info!("ws: {}: {e}", t.destination);
                                broken.push(t.destination);
                            }
                        }
                        // The connection is gone: a reliable transport has nowhere else to go
                        // (RFC 7118 §5; the transaction will time out).
                        None => {
                            log::info!("ws: no connection to {}, message dropped", t.destination)
                        }
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    log::warn!("ws: {e}");
                    break;
                }
            }
        }
        for addr in broken {
            self.disconnect(now, addr);
        }
        busy
    }

    fn flush_all(&mut self) {
        let broken: Vec<SocketAddr> = self
            .conns
            .iter_mut()
            .filter_map(|(&a, c)| c.flush().is_err().then_some(a))
            .collect();
        let now = self.now();
        for addr in broken {
            self.disconnect(now, addr);
        }
    }
}
