//! The byte stream under a SIP WebSocket connection: plain TCP (`ws://`) or TLS over TCP
//! (`wss://`, RFC 7118 §3: "SIP over secure WebSocket"), behind one type so that one
//! non-blocking loop serves both. TLS is rustls with the ring provider (the CLI's TLS stack, see
//! [`crate::sip_stream::server_config`]); the TLS handshake runs inside the first reads and
//! writes of the WebSocket handshake, which on a non-blocking socket return `WouldBlock` until
//! the client's bytes arrive — exactly what [`Handshake`](super::Handshake) already resumes on.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

use rustls::{ServerConfig, ServerConnection, StreamOwned};

/// A server-side stream of a SIP WebSocket connection: plain or TLS.
#[derive(Debug)]
pub enum WebStream {
    /// `ws://`: the TCP stream itself.
    Plain(TcpStream),
    /// `wss://`: a rustls server session over the TCP stream (boxed: it carries its buffers).
    Tls(Box<StreamOwned<ServerConnection, TcpStream>>),
    /// A connection of a simulated network (the gateway's deterministic tests,
    /// [`crate::gateway::browser::net`]): plain `ws://`.
    Sim(Box<dyn crate::gateway::browser::net::SimStream>),
}

impl WebStream {
    /// Wraps a freshly accepted TCP stream: in TLS when `tls` is given (the handshake starts
    /// with the first read).
    ///
    /// # Errors
    /// rustls could not start a server session.
    pub fn accept(tcp: TcpStream, tls: Option<&Arc<ServerConfig>>) -> io::Result<Self> {
        match tls {
            None => Ok(Self::Plain(tcp)),
            Some(cfg) => {
                let conn = ServerConnection::new(Arc::clone(cfg)).map_err(io::Error::other)?;
                Ok(Self::Tls(Box::new(StreamOwned::new(conn, tcp))))
            }
        }
    }

    /// Whether the stream is TLS (`wss://`).
    #[must_use]
    pub const fn is_secure(&self) -> bool {
        matches!(self, Self::Tls(_))
    }
}

impl Read for WebStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::Plain(s) => s.read(buf),
            Self::Tls(s) => s.read(buf),
            Self::Sim(s) => s.read(buf),
        }
    }
}

impl Write for WebStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Self::Plain(s) => s.write(buf),
            Self::Tls(s) => s.write(buf),
            Self::Sim(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Self::Plain(s) => s.flush(),
            Self::Tls(s) => s.flush(),
            Self::Sim(s) => s.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::ws::{Accept, Handshake};
    use std::net::TcpListener;

    /// The plain variant passes bytes through: a WebSocket handshake completes over it. (The
    /// TLS variant is exercised end to end, with an openssl-made certificate and Chromium, by
    /// `wss_jssip_in_chromium_calls_sipp_through_the_gateway` in `tests/browser_call.rs`.)
    #[test]
    fn plain_stream_carries_a_websocket_handshake() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let t = std::thread::spawn(move || {
            let mut req = tungstenite::client::IntoClientRequest::into_client_request(format!(
                "ws://127.0.0.1:{port}/"
            ))
            .unwrap();
            req.headers_mut()
                .insert("Sec-WebSocket-Protocol", "sip".parse().unwrap());
            let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
            tungstenite::client(req, s).map(|_| ()).is_ok()
        });
        let (tcp, _) = listener.accept().unwrap();
        let stream = WebStream::accept(tcp, None).unwrap();
        assert!(!stream.is_secure());
        assert!(matches!(Handshake::start(stream), Ok(Accept::Done(_))));
        assert!(t.join().unwrap());
    }
}
