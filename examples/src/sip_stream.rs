//! SIP over TCP and TLS for the std drivers (RFC 3261 §18; TLS with `rustls`, `sips:` on 5061).
//!
//! One thread per connection owns its stream (plain TCP, or a rustls session over it): it writes
//! what the driver queued for that connection, reads with a short timeout, cuts messages with
//! sip-core's stream framing (Content-Length, RFC 5626 CRLF keep-alives answered) and hands each
//! message to the driver with the [`Peer`] it came from. Connections are found by the remote
//! address (the flow): a response or an in-dialog request to a peer goes back on the
//! connection its request arrived on (§18.2.2, the connection reuse RFC 5923 asks for), and a
//! client opens a connection only when none to that address is open.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rtcweb_proto::Transport;
use rtcweb_sip_core::framing::{next_frame, Frame};
use rtcweb_sip_core::message::{Header, Limits};
use rtcweb_sip_core::transaction::Peer;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, ServerConfig, ServerConnection};

/// How long a connection thread blocks in `read` before it looks at its outbound queue.
const POLL: Duration = Duration::from_millis(5);

/// A message read from a connection.
#[derive(Debug)]
pub struct Incoming {
    /// Who sent it, on which transport.
    pub peer: Peer,
    /// One whole SIP message.
    pub bytes: Vec<u8>,
}

/// The crypto provider of every TLS configuration here: ring, already in the tree (srtp-core's
/// optional backend). rustls marks it deprecated because it lacks the post-quantum hybrid key
/// exchange of the aws-lc-rs provider, whose C build (cmake) the CLI does not want to carry;
/// classic ECDHE suites are what SIP peers (Kamailio, phones) negotiate today.
#[allow(deprecated)]
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A TLS server configuration from PEM files: the certificate chain and its private key.
///
/// # Errors
/// When a file cannot be read or parsed, or the key does not fit the certificate.
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, String> {
    let certs = CertificateDer::pem_file_iter(cert)
        .map_err(|e| format!("{}: {e}", cert.display()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{}: {e}", cert.display()))?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{}: {e}", key.display()))?;
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| e.to_string())?;
    Ok(Arc::new(config))
}

/// A TLS client configuration trusting the certificates of the PEM file `ca` only.
///
/// # Errors
/// When the file cannot be read or holds no usable certificate.
pub fn client_config(ca: &Path) -> Result<Arc<ClientConfig>, String> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca).map_err(|e| format!("{}: {e}", ca.display()))? {
        let cert = cert.map_err(|e| format!("{}: {e}", ca.display()))?;
        roots
            .add(cert)
            .map_err(|e| format!("{}: {e}", ca.display()))?;
    }
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The open connections, by remote address, each with its outbound queue.
type Table = Arc<Mutex<HashMap<SocketAddr, (Transport, Sender<Vec<u8>>)>>>;

/// Called after each message is handed over (a driver's wake-up: `mio::Waker::wake`).
pub type Notify = Arc<dyn Fn() + Send + Sync>;

/// Where the connections' threads hand their messages: the channel, and whom to wake.
#[derive(Clone)]
struct Inbox {
    tx: Sender<Incoming>,
    notify: Option<Notify>,
}

impl Inbox {
    /// Hands `m` over and wakes the reader; `Err` when the reader is gone.
    fn send(&self, m: Incoming) -> Result<(), ()> {
        self.tx.send(m).map_err(|_| ())?;
        if let Some(n) = &self.notify {
            n();
        }
        Ok(())
    }
}

/// SIP over TCP/TLS connections, listening and/or connecting, all delivering to one
/// [`Receiver<Incoming>`].
pub struct Streams {
    incoming: Inbox,
    table: Table,
    client_tls: Option<Arc<ClientConfig>>,
}

impl Streams {
    /// No connection yet; messages will arrive on the returned receiver. `client_tls` is
    /// needed to open TLS connections ([`Self::send`] to a TLS peer with none open).
    #[must_use]
    pub fn new(client_tls: Option<Arc<ClientConfig>>) -> (Self, Receiver<Incoming>) {
        Self::with_notify(client_tls, None)
    }

    /// [`Self::new`], and `notify` is called after every message is handed over, so that a
    /// driver sleeping on other sockets (epoll) wakes up to read the receiver.
    #[must_use]
    pub fn with_notify(
        client_tls: Option<Arc<ClientConfig>>,
        notify: Option<Notify>,
    ) -> (Self, Receiver<Incoming>) {
        let (tx, rx) = mpsc::channel();
        (
            Self {
                incoming: Inbox { tx, notify },
                table: Arc::new(Mutex::new(HashMap::new())),
                client_tls,
            },
            rx,
        )
    }

    /// Accepts connections on `addr`: plain TCP, or TLS with `tls`. Returns the bound address.
    ///
    /// # Errors
    /// When the listener cannot be bound.
    pub fn listen(
        &self,
        addr: SocketAddr,
        tls: Option<Arc<ServerConfig>>,
    ) -> io::Result<SocketAddr> {
        let listener = TcpListener::bind(addr)?;
        let local = listener.local_addr()?;
        let (incoming, table) = (self.incoming.clone(), Arc::clone(&self.table));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let Ok(remote) = stream.peer_addr() else {
                    continue;
                };
                let _ = match &tls {
                    Some(cfg) => match ServerConnection::new(Arc::clone(cfg)) {
                        Ok(conn) => spawn(
                            rustls::StreamOwned::new(conn, stream),
                            remote,
                            Transport::Tls,
                            &incoming,
                            &table,
                        ),
                        Err(_) => continue,
                    },
                    None => spawn(stream, remote, Transport::Tcp, &incoming, &table),
                };
            }
        });
        Ok(local)
    }

    /// Queues `bytes` for `peer`: on the open connection to its address, or on a new one
    /// (TCP, or TLS verified for `server_name`, the SIP domain, RFC 5922 §7).
    ///
    /// # Errors
    /// When no connection is open and one cannot be made.
    pub fn send(&self, peer: Peer, server_name: &str, bytes: &[u8]) -> Result<(), String> {
        if let Some((_, out)) = self
            .table
            .lock()
            .map_err(|e| e.to_string())?
            .get(&peer.addr)
        {
            if out.send(bytes.to_vec()).is_ok() {
                return Ok(());
            }
        }
        let stream = TcpStream::connect_timeout(&peer.addr, Duration::from_secs(3))
            .map_err(|e| format!("connecting to {}: {e}", peer.addr))?;
        let out = match peer.transport {
            Transport::Tls => {
                let cfg = self
                    .client_tls
                    .clone()
                    .ok_or("TLS needs a client configuration (a CA file)")?;
                let name = ServerName::try_from(server_name.to_string())
                    .map_err(|e| format!("{server_name}: {e}"))?;
                let conn = ClientConnection::new(cfg, name).map_err(|e| e.to_string())?;
                spawn(
                    rustls::StreamOwned::new(conn, stream),
                    peer.addr,
                    Transport::Tls,
                    &self.incoming,
                    &self.table,
                )
            }
            _ => spawn(
                stream,
                peer.addr,
                Transport::Tcp,
                &self.incoming,
                &self.table,
            ),
        }
        .map_err(|e| e.to_string())?;
        out.send(bytes.to_vec()).map_err(|e| e.to_string())
    }

    /// How many connections are open.
    #[must_use]
    pub fn connections(&self) -> usize {
        self.table.lock().map(|t| t.len()).unwrap_or(0)
    }
}

/// What a connection thread needs of its stream: reading, writing, and the socket underneath
/// for the read timeout.
trait Conn: Read + Write + Send + 'static {
    fn socket(&self) -> &TcpStream;
}

impl Conn for TcpStream {
    fn socket(&self) -> &TcpStream {
        self
    }
}

impl Conn for rustls::StreamOwned<ServerConnection, TcpStream> {
    fn socket(&self) -> &TcpStream {
        &self.sock
    }
}

impl Conn for rustls::StreamOwned<ClientConnection, TcpStream> {
    fn socket(&self) -> &TcpStream {
        &self.sock
    }
}

/// Registers a connection to `remote` and starts its thread; returns its outbound queue.
fn spawn<S: Conn>(
    stream: S,
    remote: SocketAddr,
    transport: Transport,
    incoming: &Inbox,
    table: &Table,
) -> io::Result<Sender<Vec<u8>>> {
    stream.socket().set_read_timeout(Some(POLL))?;
    stream.socket().set_nodelay(true)?;
    let (out, queue) = mpsc::channel::<Vec<u8>>();
    if let Ok(mut t) = table.lock() {
        t.insert(remote, (transport, out.clone()));
    }
    let (incoming, table) = (incoming.clone(), Arc::clone(table));
    std::thread::spawn(move || {
        run(stream, remote, transport, &queue, &incoming);
        if let Ok(mut t) = table.lock() {
            t.remove(&remote);
        }
    });
    Ok(out)
}

/// The connection loop: write what is queued, read what arrives, frame it, until either side
/// closes or the framing is lost.
fn run<S: Conn>(
    mut stream: S,
    remote: SocketAddr,
    transport: Transport,
    queue: &Receiver<Vec<u8>>,
    incoming: &Inbox,
) {
    let peer = Peer {
        addr: remote,
        transport,
    };
    let limits = Limits::DEFAULT;
    let mut buf: Vec<u8> = Vec::with_capacity(8192);
    let mut chunk = [0u8; 8192];
    loop {
        loop {
            match queue.try_recv() {
                Ok(bytes) => {
                    if let Err(e) = write_all(&mut stream, &bytes) {
                        log::warn!("sip {transport:?} to {remote}: closed on write: {e}");
                        return;
                    }
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return,
            }
        }
        match stream.read(&mut chunk) {
            Ok(0) => return,
            Ok(n) => buf.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                continue;
            }
            Err(e) => {
                log::warn!("sip {transport:?} from {remote}: closed on read: {e}");
                return;
            }
        }
        if buf.len() > limits.max_message_size.saturating_mul(2) {
            return; // a peer that never completes a message
        }
        loop {
            let mut storage = [Header::EMPTY; 128];
            let (consumed, message, pong) = match next_frame(&buf, &mut storage, &limits) {
                Ok(Frame::NeedMore { .. }) => break,
                Ok(Frame::KeepAlive { len, ping }) => (len, false, ping),
                Ok(Frame::Message { len, .. }) => (len, true, false),
                Err(e) => {
                    // Framing lost (§18.3): close.
                    log::warn!("sip {transport:?} from {remote}: framing lost: {e}");
                    return;
                }
            };
            if message {
                let bytes = buf.get(..consumed).unwrap_or_default().to_vec();
                if incoming.send(Incoming { peer, bytes }).is_err() {
                    return;
                }
            }
            if pong && write_all(&mut stream, b"\r\n").is_err() {
                return;
            }
            buf.drain(..consumed.min(buf.len()));
        }
    }
}

/// Writes all of `bytes` and flushes. The socket's read timeout makes a TLS handshake that is
/// still under way (rustls reads inside `write`) return `WouldBlock`: retried, for at most
/// 10 s of such waits.
fn write_all<S: Conn>(stream: &mut S, mut bytes: &[u8]) -> io::Result<()> {
    let mut waits = 0u32;
    let mut wait = |e: io::Error| -> io::Result<()> {
        if matches!(
            e.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
        ) && waits < 2000
        {
            waits += 1;
            Ok(())
        } else {
            Err(e)
        }
    };
    while !bytes.is_empty() {
        match stream.write(bytes) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => bytes = bytes.get(n..).unwrap_or_default(),
            Err(e) => wait(e)?,
        }
    }
    loop {
        match stream.flush() {
            Ok(()) => return Ok(()),
            Err(e) => wait(e)?,
        }
    }
}
