//! The Sans-IO TURN client (RFC 8656): one allocation on one server, with its permissions and
//! channels, refreshed before they expire. Needs the `alloc` feature.
//!
//! The call order, as in every rtcweb state machine: feed datagrams from the server with
//! [`TurnClient::handle_receive`] and time with [`TurnClient::handle_timeout`]; then drain
//! [`TurnClient::poll_transmit`] (datagrams to send to the server), [`TurnClient::poll_event`] and
//! finally [`TurnClient::poll_timeout`] (when to call again).

mod client;
mod config;
mod event;
mod response;

pub use client::TurnClient;
pub use config::TurnConfig;
pub use event::{Received, TurnError, TurnEvent};
/// The family's transmit type (`rtcweb-proto`), shared with ICE and SIP.
pub use rtcweb_proto::{BufferTooSmall, Transmit, Transport};
