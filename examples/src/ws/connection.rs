//! One SIP WebSocket connection (RFC 7118) over any byte stream: the RFC 6455 server handshake that
//! requires and echoes the `sip` subprotocol (RFC 7118 §4), then one SIP message per text or binary
//! frame (§5). `tungstenite` does the framing, answers pings and completes the close handshake; the
//! stream may be non-blocking, in which case every call returns at once.

use std::io::{self, Read, Write};

use tungstenite::handshake::server::{Callback, ErrorResponse, Request, Response, ServerHandshake};
use tungstenite::handshake::{HandshakeError, MidHandshake};
use tungstenite::http::{HeaderValue, StatusCode};
use tungstenite::protocol::WebSocketConfig;
use tungstenite::{Message, WebSocket};

/// The WebSocket subprotocol of SIP (RFC 7118 §4, IANA "WebSocket Subprotocol Name Registry").
pub const SUBPROTOCOL: &str = "sip";

/// Largest SIP message accepted in one frame, bytes (the transaction layer's default maximum).
pub const MAX_MESSAGE: usize = 65_535;

/// Bytes queued for a peer that does not read before the connection is dropped.
const MAX_QUEUED: usize = 1 << 20;

/// Why a connection cannot go on.
#[derive(Debug)]
#[non_exhaustive]
pub enum WsError {
    /// The client did not offer the `sip` subprotocol; it was answered 400 (RFC 7118 §4).
    NoSipSubprotocol,
    /// The handshake failed (not an HTTP upgrade, bad key, I/O error).
    Handshake(tungstenite::Error),
    /// The peer closed the connection (close frame or end of stream).
    Closed,
    /// A frame that cannot carry SIP, a protocol violation or an I/O error.
    Protocol(tungstenite::Error),
}

impl core::fmt::Display for WsError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::NoSipSubprotocol => {
                f.write_str("the WebSocket client did not offer the `sip` subprotocol")
            }
            Self::Handshake(e) => write!(f, "WebSocket handshake failed: {e}"),
            Self::Closed => f.write_str("connection closed"),
            Self::Protocol(e) => write!(f, "WebSocket error: {e}"),
        }
    }
}

impl std::error::Error for WsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Handshake(e) | Self::Protocol(e) => Some(e),
            Self::NoSipSubprotocol | Self::Closed => None,
        }
    }
}

/// Whether an offered `Sec-WebSocket-Protocol` list names `sip` (RFC 6455 §11.3.4: a
/// comma-separated list of case-sensitive tokens, possibly over several header lines).
#[must_use]
pub fn offers_sip<'a>(values: impl IntoIterator<Item = &'a str>) -> bool {
    values
        .into_iter()
        .flat_map(|v| v.split(','))
        .any(|p| p.trim() == SUBPROTOCOL)
}

/// The handshake callback: accept only clients that offer `sip`, and say `sip` back.
#[derive(Debug, Clone, Copy)]
pub struct SipSubprotocol;

impl Callback for SipSubprotocol {
    fn on_request(
        self,
        request: &Request,
        mut response: Response,
    ) -> Result<Response, ErrorResponse> {
        let offered = request
            .headers()
            .get_all("Sec-WebSocket-Protocol")
            .iter()
            .filter_map(|v| v.to_str().ok());
        if !offers_sip(offered) {
            let mut refusal = ErrorResponse::new(Some(
                "the sip WebSocket subprotocol is required (RFC 7118)".into(),
            ));
            *refusal.status_mut() = StatusCode::BAD_REQUEST;
            return Err(refusal);
        }
        response.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static(SUBPROTOCOL),
        );
        Ok(response)
    }
}

/// Bytes tungstenite reads at a time. Its read zero-fills that much of its buffer before every
/// `read` (tungstenite 0.30 `FrameCodec::read_in`), even one that finds nothing: its default,
/// 128 KiB, cost a 128 KiB memset per connection per look, the gateway's largest cost with many
/// browsers connected. A SIP message is a few kilobytes; a larger one (up to [`MAX_MESSAGE`]) is
/// gathered over several reads.
const READ_CHUNK: usize = 4096;

fn config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(READ_CHUNK)
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_MESSAGE))
        .write_buffer_size(0)
        .max_write_buffer_size(MAX_QUEUED)
}

fn would_block(e: &tungstenite::Error) -> bool {
    matches!(e, tungstenite::Error::Io(io) if matches!(io.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut))
}

/// A server handshake in progress (the stream had no more bytes yet).
pub struct Handshake<S: Read + Write>(MidHandshake<ServerHandshake<S, SipSubprotocol>>);

impl<S: Read + Write> core::fmt::Debug for Handshake<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Handshake(..)")
    }
}

/// Where a handshake stands.
#[derive(Debug)]
pub enum Accept<S: Read + Write> {
    /// The connection is up.
    Done(WsConnection<S>),
    /// Waiting for more bytes from the client: call [`Handshake::resume`] later.
    Pending(Handshake<S>),
}

impl<S: Read + Write> Handshake<S> {
    /// Starts the server handshake on a freshly accepted stream.
    ///
    /// # Errors
    /// [`WsError::NoSipSubprotocol`] or [`WsError::Handshake`].
    pub fn start(stream: S) -> Result<Accept<S>, WsError> {
        Self::step(ServerHandshake::start(stream, SipSubprotocol, Some(config())).handshake())
    }

    /// Goes on once the stream may have more bytes.
    ///
    /// # Errors
    /// As [`Self::start`].
    pub fn resume(self) -> Result<Accept<S>, WsError> {
        Self::step(self.0.handshake())
    }

    fn step(
        r: Result<WebSocket<S>, HandshakeError<ServerHandshake<S, SipSubprotocol>>>,
    ) -> Result<Accept<S>, WsError> {
        match r {
            Ok(ws) => Ok(Accept::Done(WsConnection { ws })),
            Err(HandshakeError::Interrupted(mid)) => Ok(Accept::Pending(Self(mid))),
            Err(HandshakeError::Failure(tungstenite::Error::Http(resp)))
                if resp.status() == StatusCode::BAD_REQUEST =>
            {
                Err(WsError::NoSipSubprotocol)
            }
            Err(HandshakeError::Failure(e)) => Err(WsError::Handshake(e)),
        }
    }
}

/// An established SIP WebSocket connection: read and write whole SIP messages.
pub struct WsConnection<S: Read + Write> {
    ws: WebSocket<S>,
}

impl<S: Read + Write> core::fmt::Debug for WsConnection<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("WsConnection(..)")
    }
}

impl<S: Read + Write> WsConnection<S> {
    /// The next SIP message, or `None` when no whole frame has arrived yet (a non-blocking stream).
    /// Pings are answered and pongs skipped on the way (RFC 6455 §5.5.2); each text or binary
    /// frame is one SIP message (RFC 7118 §5), handed out as received.
    ///
    /// # Errors
    /// [`WsError::Closed`] once the peer closed (the close handshake is answered first), or
    /// [`WsError::Protocol`]: the connection must be dropped.
    pub fn read_sip(&mut self) -> Result<Option<Vec<u8>>, WsError> {
        loop {
            match self.ws.read() {
                Ok(Message::Text(t)) => return Ok(Some(t.as_bytes().to_vec())),
                Ok(Message::Binary(b)) => return Ok(Some(b.to_vec())),
                Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_)) => {}
                // The close reply is queued; the next read finishes the handshake.
                Ok(Message::Close(_)) => {}
                Err(e) if would_block(&e) => return Ok(None),
                Err(
                    tungstenite::Error::ConnectionClosed
                    | tungstenite::Error::AlreadyClosed
                    | tungstenite::Error::Protocol(
                        tungstenite::error::ProtocolError::ResetWithoutClosingHandshake,
                    ),
                ) => return Err(WsError::Closed),
                Err(e) => return Err(WsError::Protocol(e)),
            }
        }
    }

    /// Sends one SIP message in one frame: text when it is UTF-8 (every SIP message without a
    /// binary body), binary otherwise (RFC 7118 §5). On a non-blocking stream what did not fit
    /// stays queued; [`Self::flush`] sends it on.
    ///
    /// # Errors
    /// [`WsError::Closed`] or [`WsError::Protocol`] (e.g. more than 1 MiB queued for a peer that
    /// does not read).
    pub fn write_sip(&mut self, message: &[u8]) -> Result<(), WsError> {
        let frame = match std::str::from_utf8(message) {
            Ok(text) => Message::text(text),
            Err(_) => Message::binary(message.to_vec()),
        };
        match self.ws.send(frame) {
            Ok(()) => Ok(()),
            Err(e) if would_block(&e) => Ok(()),
            Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
                Err(WsError::Closed)
            }
            Err(e) => Err(WsError::Protocol(e)),
        }
    }

    /// Sends what earlier writes left queued (and pongs).
    ///
    /// # Errors
    /// As [`Self::write_sip`].
    pub fn flush(&mut self) -> Result<(), WsError> {
        match self.ws.flush() {
            Ok(()) => Ok(()),
            Err(e) if would_block(&e) => Ok(()),
            Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
                Err(WsError::Closed)
            }
            Err(e) => Err(WsError::Protocol(e)),
        }
    }

    /// Starts the close handshake (status 1000 by default, RFC 6455 §7.1.2); best effort.
    pub fn close(&mut self) {
        let _ = self.ws.close(None);
    }

    /// The underlying stream (e.g. to read its peer address).
    pub fn get_ref(&self) -> &S {
        self.ws.get_ref()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use std::net::{TcpListener, TcpStream};
    use tungstenite::client::IntoClientRequest;

    fn client(port: u16, protocol: Option<&str>) -> tungstenite::Result<WebSocket<TcpStream>> {
        let mut req = format!("ws://127.0.0.1:{port}/").into_client_request()?;
        if let Some(p) = protocol {
            req.headers_mut()
                .insert("Sec-WebSocket-Protocol", HeaderValue::from_str(p).unwrap());
        }
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        tungstenite::client(req, stream)
            .map(|(ws, _)| ws)
            .map_err(|e| match e {
                HandshakeError::Failure(e) => e,
                HandshakeError::Interrupted(_) => panic!("blocking client interrupted"),
            })
    }

    fn accept_blocking(listener: &TcpListener) -> Result<WsConnection<TcpStream>, WsError> {
        let (s, _) = listener.accept().unwrap();
        match Handshake::start(s)? {
            Accept::Done(c) => Ok(c),
            Accept::Pending(_) => panic!("blocking stream pending"),
        }
    }

    #[test]
    fn subprotocol_lists() {
        assert!(offers_sip(["sip"]));
        assert!(offers_sip(["chat, sip"]));
        assert!(offers_sip(["chat", " sip "]));
        assert!(!offers_sip(["SIP"]));
        assert!(!offers_sip(["sips"]));
        assert!(!offers_sip([]));
    }

    #[test]
    fn echoes_sip_and_carries_one_message_per_frame() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let t = std::thread::spawn(move || {
            let mut ws = client(port, Some("sip")).unwrap();
            ws.send(Message::Ping(b"p".to_vec().into())).unwrap();
            ws.send(Message::text("OPTIONS sip:a@b SIP/2.0\r\n\r\n"))
                .unwrap();
            ws.send(Message::binary(b"MESSAGE sip:a@b SIP/2.0\r\n\r\n".to_vec()))
                .unwrap();
            let mut got = vec![];
            loop {
                match ws.read() {
                    Ok(Message::Text(t)) => got.push(t.to_string()),
                    Ok(Message::Pong(p)) => {
                        got.push(format!("pong {}", String::from_utf8_lossy(&p)))
                    }
                    Ok(_) => {}
                    Err(_) => break,
                }
                if got.len() == 2 {
                    ws.close(None).unwrap();
                }
            }
            got
        });
        let mut conn = accept_blocking(&listener).unwrap();
        assert_eq!(
            conn.read_sip().unwrap().unwrap(),
            b"OPTIONS sip:a@b SIP/2.0\r\n\r\n"
        );
        assert_eq!(
            conn.read_sip().unwrap().unwrap(),
            b"MESSAGE sip:a@b SIP/2.0\r\n\r\n"
        );
        conn.write_sip(b"SIP/2.0 200 OK\r\n\r\n").unwrap();
        assert!(matches!(conn.read_sip(), Err(WsError::Closed)));
        drop(conn); // the server closes the TCP connection first (RFC 6455 §7.1.1)
        assert_eq!(t.join().unwrap(), ["pong p", "SIP/2.0 200 OK\r\n\r\n"]);
    }

    #[test]
    fn refuses_clients_without_the_sip_subprotocol() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let t = std::thread::spawn(move || client(port, None).map(|_| ()));
        assert!(matches!(
            accept_blocking(&listener),
            Err(WsError::NoSipSubprotocol)
        ));
        let refused = t.join().unwrap().unwrap_err();
        assert!(
            matches!(&refused, tungstenite::Error::Http(r) if r.status() == StatusCode::BAD_REQUEST),
            "{refused:?}"
        );
    }
}
