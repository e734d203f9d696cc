//! SIP over WebSocket, server side (RFC 7118): what a browser SIP client (JsSIP, SIP.js) connects
//! to, the first leg of a browser-to-phone gateway.
//!
//! | file | what |
//! |---|---|
//! | [`connection`] | one WebSocket connection: the handshake requiring and echoing the `sip` subprotocol (§4), one SIP message per frame (§5), pings, close |
//! | [`ephemeral`] | ephemeral (TURN REST, Kamailio `auth_ephemeral`) credentials for REGISTER, from a shared secret |
//! | [`registrar`] | REGISTER with HTTP Digest, bindings with expiry, unregister, bindings removed with their connection (Sans-IO) |
//! | [`service`] | the SIP side: sip-core's transaction layer, the registrar, OPTIONS/MESSAGE answered 200, requests sent to registered browsers (Sans-IO) |
//! | [`stream`] | the bytes under a connection: plain TCP (`ws://`) or rustls TLS (`wss://`) |
//! | [`server`] | the std driver: a thread with a non-blocking listener, a map from remote address to connection, channels to the application |
//!
//! Each connection is one [`Peer`](rtcweb_sip_core::transaction::Peer)
//! `{ addr: <remote address>, transport: Ws }`: responses go back on the connection the request
//! came over (whatever its Via says: browsers send `.invalid` hosts, §5), and requests to a
//! registered browser go over the connection it registered on.
//!
//! ```
//! use rtcweb_cli::ws::{Command, ServerEvent, ServiceConfig, WsServer};
//!
//! let cfg = ServiceConfig::new("example.com", &[("alice", "secret")], "", [7; 32]);
//! let server = WsServer::start("127.0.0.1:0".parse().unwrap(), cfg).unwrap();
//! println!("JsSIP: new JsSIP.WebSocketInterface('ws://{}')", server.local_addr());
//! server.command(Command::Send { method: "OPTIONS".into(), aor: "sip:alice@example.com".into(), body: None });
//! // Nobody registered yet.
//! let e = server.events().recv().unwrap();
//! assert!(matches!(e, ServerEvent::CommandFailed(_)));
//! ```

pub mod connection;
pub mod ephemeral;
pub mod registrar;
pub mod server;
pub mod service;
pub mod stream;

pub use connection::{offers_sip, Accept, Handshake, WsConnection, WsError, SUBPROTOCOL};
pub use ephemeral::EphemeralAuth;
pub use registrar::{Binding, Registrar, RegistrarConfig, RegistrarEvent, Removal};
pub use server::{Command, ServerEvent, WsServer};
pub use service::{stamp_via, ws_peer, SendError, Service, ServiceConfig, ServiceEvent};
pub use stream::WebStream;

#[cfg(test)]
mod tests;
