//! [`Node`]: one endpoint on the simulated network, seen through the family's one verb set.

use core::net::SocketAddr;

use rtcweb_proto::{BufferTooSmall, Instant, Transmit, Transport};

/// Where a datagram came from, and how it travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Peer {
    /// The sender's address, as the receiver sees it.
    pub addr: SocketAddr,
    /// The transport it came over ([`Transport::Udp`] unless the sender's [`Transmit`] said
    /// otherwise).
    pub transport: Transport,
}

/// An endpoint the [`crate::Net`] drives: a thin adapter over one state machine (a TURN client,
/// a SIP transaction layer or UA, a DTLS-SRTP association…) plus the test's application logic.
///
/// The network calls, after every input: [`Self::process`], then [`Self::poll_transmit`] until
/// `None`; it reads [`Self::poll_timeout`] to know when to call [`Self::handle_timeout`] —
/// the polling order of the family (README, "One verb set").
pub trait Node {
    /// The node's address: datagrams to it are delivered here; its transmits without a
    /// `source` leave from it.
    fn addr(&self) -> SocketAddr;

    /// A datagram arrived from `from`.
    fn handle_receive(&mut self, now: Instant, from: Peer, bytes: &[u8]);

    /// Time moved on (called at or after [`Self::poll_timeout`]).
    fn handle_timeout(&mut self, now: Instant);

    /// The next datagram to send, written into `buf`.
    ///
    /// # Errors
    /// [`BufferTooSmall`] when it does not fit; the network grows its buffer and asks again.
    fn poll_transmit(
        &mut self,
        now: Instant,
        buf: &mut [u8],
    ) -> Result<Option<Transmit>, BufferTooSmall>;

    /// When to call [`Self::handle_timeout`] next; `None`: nothing scheduled.
    fn poll_timeout(&self) -> Option<Instant>;

    /// The application: drain the state machine's events and act on them (answer a request,
    /// record what happened). Called after every input and before each transmit drain.
    fn process(&mut self, now: Instant) {
        let _ = now;
    }
}

impl<T: Node + ?Sized> Node for &mut T {
    fn addr(&self) -> SocketAddr {
        (**self).addr()
    }
    fn handle_receive(&mut self, now: Instant, from: Peer, bytes: &[u8]) {
        (**self).handle_receive(now, from, bytes);
    }
    fn handle_timeout(&mut self, now: Instant) {
        (**self).handle_timeout(now);
    }
    fn poll_transmit(
        &mut self,
        now: Instant,
        buf: &mut [u8],
    ) -> Result<Option<Transmit>, BufferTooSmall> {
        (**self).poll_transmit(now, buf)
    }
    fn poll_timeout(&self) -> Option<Instant> {
        (**self).poll_timeout()
    }
    fn process(&mut self, now: Instant) {
        (**self).process(now);
    }
}
