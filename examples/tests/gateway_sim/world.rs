//! The simulated network the whole gateway runs on: rtcweb-testkit's [`Net`] (delay, jitter,
//! loss, duplication per path, one seed) carries every UDP datagram — media, ICE, DTLS, the
//! trunk's SIP — between bound ports; WebSocket connections are in-memory byte pipes (TCP:
//! reliable and in order, delivered at once) that a test can cut abruptly.

use std::collections::{BTreeMap, VecDeque};
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use rtcweb_cli::gateway::browser::net::{SimNetwork, SimStream};
use rtcweb_testkit::{Datagram, Instant, Link, Net};

/// Datagrams kept waiting at one port before more are dropped (a socket's receive buffer).
const INBOX: usize = 4096;

/// A connection made to a listener and not yet accepted: the listener's end, the remote address.
type Pending = (Box<dyn SimStream>, SocketAddr);

/// The state behind [`World`].
#[derive(Debug)]
pub struct Inner {
    pub net: Net,
    /// Bound UDP ports and what arrived for each.
    inboxes: BTreeMap<SocketAddr, VecDeque<(SocketAddr, Vec<u8>)>>,
    /// Listeners and the connections waiting to be accepted.
    listeners: BTreeMap<SocketAddr, VecDeque<Pending>>,
    next_port: u16,
    /// Datagrams that arrived at a port nobody has bound (a call's socket already closed).
    pub unroutable: usize,
}

/// The network, shared by the gateway and the test's endpoints.
#[derive(Debug, Clone)]
pub struct World(Arc<Mutex<Inner>>);

impl World {
    pub fn new(seed: u64, link: Link) -> Self {
        let mut net = Net::new(seed, link);
        net.record = false;
        Self(Arc::new(Mutex::new(Inner {
            net,
            inboxes: BTreeMap::new(),
            listeners: BTreeMap::new(),
            next_port: 20_000,
            unroutable: 0,
        })))
    }

    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Moves the clock to `now` and hands every datagram due to its port.
    pub fn deliver(&self, now: Instant) {
        let mut w = self.lock();
        w.net.advance_to(now);
        while let Some(d) = w.net.pop_due() {
            match w.inboxes.get_mut(&d.to) {
                Some(q) if q.len() < INBOX => q.push_back((d.from, d.bytes)),
                Some(_) => {}
                None => w.unroutable += 1,
            }
        }
    }

    /// When the next datagram arrives.
    pub fn next_delivery(&self) -> Option<Instant> {
        self.lock().net.next_delivery()
    }

    /// An endpoint's datagram.
    pub fn send(&self, from: SocketAddr, to: SocketAddr, bytes: &[u8]) {
        self.lock()
            .net
            .send(Datagram::udp(from, to, bytes.to_vec()));
    }

    /// What arrived at an endpoint's port.
    pub fn take(&self, local: SocketAddr) -> Option<(SocketAddr, Vec<u8>)> {
        self.lock().inboxes.get_mut(&local)?.pop_front()
    }

    /// An endpoint binds a port.
    pub fn bind(&self, addr: SocketAddr) {
        self.lock().inboxes.entry(addr).or_default();
    }

    /// A browser connects to the listener at `to` from `from`: its end of the connection.
    pub fn connect(&self, from: SocketAddr, to: SocketAddr) -> io::Result<PipeEnd> {
        let (client, server) = pipe();
        let mut w = self.lock();
        let q = w
            .listeners
            .get_mut(&to)
            .ok_or_else(|| io::Error::from(io::ErrorKind::ConnectionRefused))?;
        q.push_back((Box::new(server), from));
        Ok(client)
    }

    /// Counters of the datagram network.
    pub fn stats(&self) -> rtcweb_testkit::Stats {
        self.lock().net.stats
    }

    /// Bound UDP ports whose address is `ip` (the gateway's, to check its teardown).
    pub fn ports_on(&self, ip: std::net::IpAddr) -> usize {
        self.lock().inboxes.keys().filter(|a| a.ip() == ip).count()
    }
}

impl SimNetwork for World {
    fn bind_udp(&self, addr: SocketAddr) -> io::Result<SocketAddr> {
        let mut w = self.lock();
        let addr = if addr.port() == 0 {
            loop {
                let port = w.next_port;
                w.next_port = w.next_port.checked_add(2).unwrap_or(20_000);
                let a = SocketAddr::new(addr.ip(), port);
                if !w.inboxes.contains_key(&a) {
                    break a;
                }
            }
        } else if w.inboxes.contains_key(&addr) {
            return Err(io::ErrorKind::AddrInUse.into());
        } else {
            addr
        };
        w.inboxes.insert(addr, VecDeque::new());
        Ok(addr)
    }

    fn close_udp(&self, local: SocketAddr) {
        self.lock().inboxes.remove(&local);
    }

    fn send_to(&self, from: SocketAddr, to: SocketAddr, datagram: &[u8]) -> io::Result<()> {
        self.send(from, to, datagram);
        Ok(())
    }

    fn recv_from(&self, local: SocketAddr, buf: &mut [u8]) -> Option<(usize, SocketAddr)> {
        let (from, bytes) = self.take(local)?;
        let n = bytes.len().min(buf.len());
        buf.get_mut(..n)?.copy_from_slice(bytes.get(..n)?);
        Some((n, from))
    }

    fn has_datagram(&self, local: SocketAddr) -> bool {
        self.lock()
            .inboxes
            .get(&local)
            .is_some_and(|q| !q.is_empty())
    }

    fn listen(&self, addr: SocketAddr) -> io::Result<SocketAddr> {
        let mut w = self.lock();
        if w.listeners.contains_key(&addr) {
            return Err(io::ErrorKind::AddrInUse.into());
        }
        w.listeners.insert(addr, VecDeque::new());
        Ok(addr)
    }

    fn accept(&self, local: SocketAddr) -> Option<(Box<dyn SimStream>, SocketAddr)> {
        self.lock().listeners.get_mut(&local)?.pop_front()
    }
}

/// Both directions of one connection.
#[derive(Debug, Default)]
struct Pipe {
    /// Bytes towards each end ([0]: the client's, [1]: the server's).
    to: [VecDeque<u8>; 2],
    /// An end closed (a FIN: the other reads 0 once it has read everything).
    closed: [bool; 2],
    /// Cut: both ends get errors (a reset, a dead NAT binding).
    broken: bool,
}

/// One end of an in-memory connection: non-blocking reads (`WouldBlock` when empty); dropped,
/// it closes its direction (a FIN).
#[derive(Debug)]
pub struct PipeEnd {
    pipe: Arc<Mutex<Pipe>>,
    side: usize,
}

fn pipe() -> (PipeEnd, PipeEnd) {
    let p = Arc::new(Mutex::new(Pipe::default()));
    (
        PipeEnd {
            pipe: Arc::clone(&p),
            side: 0,
        },
        PipeEnd { pipe: p, side: 1 },
    )
}

impl PipeEnd {
    fn lock(&self) -> MutexGuard<'_, Pipe> {
        self.pipe
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A handle that can cut the connection later.
    pub fn cutter(&self) -> Cutter {
        Cutter(Arc::clone(&self.pipe))
    }
}

/// Cuts a connection: both ends fail from then on (no close frame, no FIN), as when a
/// browser's network goes away.
#[derive(Debug, Clone)]
pub struct Cutter(Arc<Mutex<Pipe>>);

impl Cutter {
    pub fn cut(&self) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .broken = true;
    }
}

impl Read for PipeEnd {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let side = self.side;
        let mut p = self.lock();
        if p.broken {
            return Err(io::ErrorKind::ConnectionReset.into());
        }
        let q = &mut p.to[side];
        if q.is_empty() {
            return if p.closed[1 - side] {
                Ok(0)
            } else {
                Err(io::ErrorKind::WouldBlock.into())
            };
        }
        let n = buf.len().min(q.len());
        for (b, byte) in buf.iter_mut().zip(q.drain(..n)) {
            *b = byte;
        }
        Ok(n)
    }
}

impl Write for PipeEnd {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let side = self.side;
        let mut p = self.lock();
        if p.broken || p.closed[1 - side] || p.closed[side] {
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        p.to[1 - side].extend(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for PipeEnd {
    fn drop(&mut self) {
        let side = self.side;
        self.lock().closed[side] = true;
    }
}
