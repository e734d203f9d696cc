//! The client end of a SIP WebSocket (RFC 7118) over an in-memory connection, for the simulated
//! browsers and the attacker: tungstenite's client handshake asking for the `sip` subprotocol,
//! resumed until it completes, then frames in and out, non-blocking.

use std::net::SocketAddr;

use tungstenite::handshake::client::ClientHandshake;
use tungstenite::handshake::{HandshakeError, MidHandshake};
use tungstenite::protocol::WebSocketConfig;
use tungstenite::{Message, WebSocket};

use super::world::{Cutter, PipeEnd, World};

/// What one look at the connection found.
#[derive(Debug)]
pub enum Next {
    /// A text or binary frame's payload.
    Frame(Vec<u8>),
    /// Nothing more for now.
    Nothing,
    /// The connection is gone (closed, broken, or its handshake failed), with why.
    Lost(String),
}

/// One WebSocket connection of a client.
pub enum WsClient {
    Connecting(MidHandshake<ClientHandshake<PipeEnd>>),
    Open(Box<WebSocket<PipeEnd>>),
    Closed,
}

impl WsClient {
    /// Connects from `from` to the listener at `to` and starts the handshake; the handle cuts
    /// the connection later.
    pub fn connect(world: &World, from: SocketAddr, to: SocketAddr) -> (Self, Cutter) {
        let stream = world.connect(from, to).expect("the gateway listens");
        let cutter = stream.cutter();
        let mut req =
            tungstenite::client::IntoClientRequest::into_client_request(format!("ws://{to}/"))
                .expect("request");
        req.headers_mut()
            .insert("Sec-WebSocket-Protocol", "sip".parse().expect("header"));
        // 4 KiB reads: tungstenite zero-fills its read size before every read.
        let config = WebSocketConfig::default().read_buffer_size(4096);
        let ws = match tungstenite::client::client_with_config(req, stream, Some(config)) {
            Ok((ws, _)) => Self::Open(Box::new(ws)),
            Err(HandshakeError::Interrupted(mid)) => Self::Connecting(mid),
            Err(HandshakeError::Failure(e)) => panic!("WebSocket handshake: {e}"),
        };
        (ws, cutter)
    }

    /// Whether the handshake is done and the connection up.
    pub const fn is_open(&self) -> bool {
        matches!(self, Self::Open(_))
    }

    /// Whether the connection is gone.
    pub const fn is_closed(&self) -> bool {
        matches!(self, Self::Closed)
    }

    /// The next frame, advancing the handshake first if it is under way.
    pub fn next(&mut self) -> Next {
        if let Self::Connecting(_) = self {
            let Self::Connecting(mid) = std::mem::replace(self, Self::Closed) else {
                return Next::Nothing;
            };
            match mid.handshake() {
                Ok((ws, _)) => *self = Self::Open(Box::new(ws)),
                Err(HandshakeError::Interrupted(mid)) => {
                    *self = Self::Connecting(mid);
                    return Next::Nothing;
                }
                Err(HandshakeError::Failure(e)) => return Next::Lost(format!("handshake: {e}")),
            }
        }
        let Self::Open(ws) = self else {
            return Next::Nothing;
        };
        loop {
            match ws.read() {
                Ok(Message::Text(t)) => return Next::Frame(t.as_bytes().to_vec()),
                Ok(Message::Binary(b)) => return Next::Frame(b.to_vec()),
                // Pings are answered by tungstenite; pongs and close frames carry no SIP.
                Ok(_) => {}
                Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    return Next::Nothing
                }
                Err(e) => {
                    *self = Self::Closed;
                    return Next::Lost(e.to_string());
                }
            }
        }
    }

    /// Sends one frame; `false` (and the connection closed) when it could not.
    pub fn send(&mut self, message: Message) -> bool {
        let Self::Open(ws) = self else {
            return false;
        };
        if ws.send(message).is_err() {
            *self = Self::Closed;
            return false;
        }
        true
    }
}
