//! [`Node`]: what every Sans-IO participant of the demos looks like to a driver — datagrams and
//! time in, datagrams (with the index of the socket to send from), deadlines and narration out.

use std::net::SocketAddr;

use rtcweb_sip_core::Instant;

/// A datagram to send: from which of the node's sockets, to where, how many bytes of the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Out {
    /// Index of the socket in the node's socket list.
    pub socket: usize,
    /// The destination.
    pub destination: SocketAddr,
    /// Bytes of the buffer.
    pub len: usize,
}

/// A Sans-IO participant with a fixed list of UDP sockets.
pub trait Node {
    /// Time moved on.
    fn handle_timeout(&mut self, now: Instant);
    /// A datagram arrived on socket `socket` from `from`.
    fn handle_datagram(&mut self, now: Instant, socket: usize, from: SocketAddr, data: &mut [u8]);
    /// The next datagram to send, written into `buf`.
    fn poll_transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<Out>;
    /// The next deadline.
    fn poll_timeout(&mut self) -> Option<Instant>;
    /// The next line of narration.
    fn poll_log(&mut self) -> Option<String>;
    /// Whether the node has finished.
    fn is_done(&self) -> bool;
}
