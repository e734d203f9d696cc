//! Where the gateway's sockets live: the operating system's, or a simulated network's.
//!
//! Every socket the gateway owns is one of two kinds: a [`UdpPort`] (each call leg's media,
//! the trunk's SIP over UDP) or a [`Listener`] of WebSocket connections. Each is either the
//! operating system's (std sockets, watched by epoll: [`super::poller`]) or one in a
//! [`SimNetwork`] — an in-memory network that a test owns, with the test's clock
//! ([`super::SimGateway`]). Everything above the sockets (both user agents, the registrar, the
//! bridge, ICE, DTLS, the relay) is the same code either way, so a deterministic test of the
//! whole gateway exercises what runs in production.
//!
//! A simulated network delivers what it likes when it likes (loss, duplication, reordering,
//! connections cut): the gateway only asks it to bind, send, take what has arrived and accept
//! connections, all non-blocking.

use std::fmt::Debug;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::Arc;

use crate::ws::WebStream;

/// The bytes of one simulated connection, as the gateway's end sees them: `read` gives
/// [`io::ErrorKind::WouldBlock`] when nothing has arrived, `Ok(0)` once the far end closed,
/// an error once the connection broke.
pub trait SimStream: Read + Write + Send + Debug {}

impl<T: Read + Write + Send + Debug> SimStream for T {}

/// A network the gateway's sockets live in instead of the operating system's (tests). Every
/// call is non-blocking; addresses are the network's own.
pub trait SimNetwork: Send + Sync + Debug {
    /// Binds a UDP port at `addr` (port 0: any free one); its address.
    ///
    /// # Errors
    /// The address is taken.
    fn bind_udp(&self, addr: SocketAddr) -> io::Result<SocketAddr>;
    /// The port at `local` closes: what arrives for it later is dropped.
    fn close_udp(&self, local: SocketAddr);
    /// Puts a datagram from `from` to `to` on the network.
    ///
    /// # Errors
    /// The network refused it (as a kernel may: no route).
    fn send_to(&self, from: SocketAddr, to: SocketAddr, datagram: &[u8]) -> io::Result<()>;
    /// The next datagram that arrived at `local`, copied into `buf` (truncated to it), with its
    /// source; `None` when none is waiting.
    fn recv_from(&self, local: SocketAddr, buf: &mut [u8]) -> Option<(usize, SocketAddr)>;
    /// Whether a datagram is waiting at `local` (what epoll would say).
    fn has_datagram(&self, local: SocketAddr) -> bool;
    /// Listens for connections at `addr` (port 0: any free one); its address.
    ///
    /// # Errors
    /// The address is taken.
    fn listen(&self, addr: SocketAddr) -> io::Result<SocketAddr>;
    /// The next connection made to the listener at `local`, with its remote address.
    fn accept(&self, local: SocketAddr) -> Option<(Box<dyn SimStream>, SocketAddr)>;
}

/// The operating system's sockets, or a simulated network's.
#[derive(Debug, Clone, Default)]
pub enum Backend {
    /// std sockets, epoll.
    #[default]
    Os,
    /// A test's network.
    Sim(Arc<dyn SimNetwork>),
}

/// A UDP socket of the gateway. See the [module docs](self).
#[derive(Debug)]
pub enum UdpPort {
    /// A non-blocking std socket.
    Os(UdpSocket),
    /// A port of a simulated network (closed when dropped).
    Sim {
        /// The network.
        net: Arc<dyn SimNetwork>,
        /// Its address.
        local: SocketAddr,
    },
}

impl UdpPort {
    /// Binds `addr` (port 0: any) on `backend`, non-blocking.
    ///
    /// # Errors
    /// Binding failed.
    pub fn bind(backend: &Backend, addr: SocketAddr) -> io::Result<Self> {
        match backend {
            Backend::Os => {
                let socket = UdpSocket::bind(addr)?;
                socket.set_nonblocking(true)?;
                Ok(Self::Os(socket))
            }
            Backend::Sim(net) => Ok(Self::Sim {
                local: net.bind_udp(addr)?,
                net: Arc::clone(net),
            }),
        }
    }

    /// Its address.
    ///
    /// # Errors
    /// The kernel could not say.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        match self {
            Self::Os(s) => s.local_addr(),
            Self::Sim { local, .. } => Ok(*local),
        }
    }

    /// Sends `datagram` to `to`.
    ///
    /// # Errors
    /// The send failed.
    pub fn send_to(&self, datagram: &[u8], to: SocketAddr) -> io::Result<usize> {
        match self {
            Self::Os(s) => s.send_to(datagram, to),
            Self::Sim { net, local } => net.send_to(*local, to, datagram).map(|()| datagram.len()),
        }
    }

    /// The next datagram waiting ([`io::ErrorKind::WouldBlock`] when none is).
    ///
    /// # Errors
    /// None waiting, or an error the socket reports.
    pub fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        match self {
            Self::Os(s) => s.recv_from(buf),
            Self::Sim { net, local } => net
                .recv_from(*local, buf)
                .ok_or_else(|| io::ErrorKind::WouldBlock.into()),
        }
    }

    /// The descriptor to watch with epoll (`None` on a simulated network).
    #[must_use]
    pub fn raw_fd(&self) -> Option<RawFd> {
        match self {
            Self::Os(s) => Some(s.as_raw_fd()),
            Self::Sim { .. } => None,
        }
    }

    /// On a simulated network, whether a datagram is waiting (epoll says it for OS sockets:
    /// `false` there).
    #[must_use]
    pub fn sim_readable(&self) -> bool {
        match self {
            Self::Os(_) => false,
            Self::Sim { net, local } => net.has_datagram(*local),
        }
    }
}

impl Drop for UdpPort {
    fn drop(&mut self) {
        if let Self::Sim { net, local } = self {
            net.close_udp(*local);
        }
    }
}

/// The WebSocket listener: a std TCP listener, or a simulated network's.
#[derive(Debug)]
pub enum Listener {
    /// A non-blocking std listener.
    Os(TcpListener),
    /// A listener of a simulated network.
    Sim {
        /// The network.
        net: Arc<dyn SimNetwork>,
        /// Its address.
        local: SocketAddr,
    },
}

impl Listener {
    /// Listens on `addr` on `backend` (non-blocking).
    ///
    /// # Errors
    /// Binding failed.
    pub fn bind(backend: &Backend, addr: SocketAddr) -> io::Result<Self> {
        match backend {
            Backend::Os => Self::os(TcpListener::bind(addr)?),
            Backend::Sim(net) => Ok(Self::Sim {
                local: net.listen(addr)?,
                net: Arc::clone(net),
            }),
        }
    }

    /// Wraps a std listener (made non-blocking).
    ///
    /// # Errors
    /// The kernel refused the mode.
    pub fn os(listener: TcpListener) -> io::Result<Self> {
        listener.set_nonblocking(true)?;
        Ok(Self::Os(listener))
    }

    /// Its address.
    ///
    /// # Errors
    /// The kernel could not say.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        match self {
            Self::Os(l) => l.local_addr(),
            Self::Sim { local, .. } => Ok(*local),
        }
    }

    /// The next connection, wrapped in TLS when `tls` is given (OS listener only: a simulated
    /// connection is plain `ws://`). `None` when none is waiting; `Some(Err)` when one came
    /// and could not be set up.
    pub fn accept(
        &self,
        tls: Option<&Arc<rustls::ServerConfig>>,
    ) -> Option<(io::Result<WebStream>, SocketAddr, Option<RawFd>)> {
        match self {
            Self::Os(l) => {
                let (stream, addr) = l.accept().ok()?;
                let fd = stream.as_raw_fd();
                let stream = stream.set_nonblocking(true).and_then(|()| {
                    let _ = stream.set_nodelay(true);
                    WebStream::accept(stream, tls)
                });
                Some((stream, addr, Some(fd)))
            }
            Self::Sim { net, local } => {
                let (stream, addr) = net.accept(*local)?;
                Some((Ok(WebStream::Sim(stream)), addr, None))
            }
        }
    }

    /// The descriptor to watch with epoll (`None` on a simulated network).
    #[must_use]
    pub fn raw_fd(&self) -> Option<RawFd> {
        match self {
            Self::Os(l) => Some(l.as_raw_fd()),
            Self::Sim { .. } => None,
        }
    }
}
