//! What has something to read (epoll, through `mio`): which calls' media sockets, and whether
//! any signalling socket (the WebSocket listener and connections, the trunk's UDP socket). The
//! driver reads only those, and between turns sleeps until one of them is readable, the next
//! timer of any state machine is due, or [`MediaPoller::waker`] is woken (the gateway stops,
//! or the trunk's TCP connections handed a message over) — not on a fixed tick.
//!
//! Each call registers its two sockets when it is admitted. Readiness is edge-triggered (mio's
//! one mode): a leg that became readable is read until its socket would block, but at most
//! [`BATCH`](super::media::BATCH) datagrams per turn, so that one busy call cannot hold up the
//! others; a leg stopped at the cap stays on the ready list for the next turn, which then does
//! not wait. A socket closed with its call leaves epoll by itself (the last descriptor closed).

use std::io;
use std::os::fd::RawFd;
use std::sync::Arc;
use std::time::Duration;

use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token, Waker};

use super::media::Relay;
use super::table::CallKey;

/// One of a call's two media legs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Leg {
    /// The browser's socket (STUN, DTLS, SRTP).
    Web,
    /// The phone's socket (RTP).
    Trunk,
}

/// Readiness events taken per wait (more wait for the next turn).
const EVENTS: usize = 1024;

/// The token of the waker.
const WAKE: Token = Token(0);
/// The token the WebSocket listener and the trunk's UDP socket share: the driver reads both
/// when one is readable.
const SIGNALLING: Token = Token(1);
/// Media tokens start here.
const MEDIA: usize = 16;
/// WebSocket connections' tokens: this bit and the connection's number (media tokens stay
/// below it).
const CONNECTION: usize = 1 << (usize::BITS - 2);

/// The sockets' readiness.
#[derive(Debug)]
pub struct MediaPoller {
    poll: Poll,
    events: Events,
    /// Legs to read, in the order they became ready (a leg may appear twice: its second read
    /// finds nothing). A `Vec` kept across turns: no allocation per turn.
    ready: Vec<(CallKey, Leg)>,
    /// WebSocket connections to read, by number.
    ready_connections: Vec<u64>,
    signalling: bool,
    waker: Arc<Waker>,
}

/// The token of a call's leg: the key, then one bit for the leg, past the fixed tokens.
fn token(key: CallKey, leg: Leg) -> Token {
    let key = usize::try_from(key.0).unwrap_or(usize::MAX >> 2);
    Token(MEDIA + (key << 1 | usize::from(leg == Leg::Trunk)))
}

/// The call's leg of a media token (`None` for the fixed ones and connections').
fn leg_of(token: Token) -> Option<(CallKey, Leg)> {
    if token.0 & CONNECTION != 0 {
        return None;
    }
    let t = token.0.checked_sub(MEDIA)?;
    let leg = if t & 1 == 1 { Leg::Trunk } else { Leg::Web };
    Some((CallKey((t >> 1) as u64), leg))
}

impl MediaPoller {
    /// An epoll instance with nothing registered.
    ///
    /// # Errors
    /// The kernel refused one.
    pub fn new() -> io::Result<Self> {
        let poll = Poll::new()?;
        let waker = Arc::new(Waker::new(poll.registry(), WAKE)?);
        Ok(Self {
            poll,
            events: Events::with_capacity(EVENTS),
            ready: Vec::with_capacity(EVENTS),
            ready_connections: Vec::new(),
            signalling: false,
            waker,
        })
    }

    /// Wakes [`Self::wait`] from another thread.
    #[must_use]
    pub fn waker(&self) -> Arc<Waker> {
        Arc::clone(&self.waker)
    }

    /// Watches a signalling socket (readable, and writable again after a full send buffer).
    ///
    /// # Errors
    /// The kernel refused the registration.
    pub fn register_signalling(&mut self, fd: RawFd) -> io::Result<()> {
        self.poll.registry().register(
            &mut SourceFd(&fd),
            SIGNALLING,
            Interest::READABLE | Interest::WRITABLE,
        )
    }

    /// Watches a WebSocket connection, numbered `id` (readable, and writable again after a
    /// full send buffer).
    ///
    /// # Errors
    /// The kernel refused the registration.
    pub fn register_connection(&mut self, fd: RawFd, id: u64) -> io::Result<()> {
        let token = usize::try_from(id).unwrap_or(0) & (CONNECTION - 1);
        self.poll.registry().register(
            &mut SourceFd(&fd),
            Token(CONNECTION | token),
            Interest::READABLE | Interest::WRITABLE,
        )
    }

    /// Whether a signalling socket (or a WebSocket connection) became ready since the last
    /// call (then reset).
    pub fn take_signalling(&mut self) -> bool {
        std::mem::take(&mut self.signalling)
    }

    /// The WebSocket connections to read now, moved into `into` (the list empties).
    pub fn take_ready_connections(&mut self, into: &mut Vec<u64>) {
        into.clear();
        into.append(&mut self.ready_connections);
    }

    /// Connections read up to their cap: read them again next turn.
    pub fn connections_again(&mut self, ids: &[u64]) {
        if !ids.is_empty() {
            self.ready_connections.extend_from_slice(ids);
            self.signalling = true;
        }
    }

    /// Watches both sockets of call `key`. Datagrams already waiting count as readiness.
    ///
    /// # Errors
    /// The kernel refused the registration.
    pub fn register(&mut self, key: CallKey, relay: &Relay) -> io::Result<()> {
        let fds = [
            (Leg::Web, relay.web.socket().raw_fd()),
            (Leg::Trunk, relay.trunk.socket().raw_fd()),
        ];
        for (leg, fd) in fds.into_iter().filter_map(|(l, fd)| Some((l, fd?))) {
            self.poll.registry().register(
                &mut SourceFd(&fd),
                token(key, leg),
                Interest::READABLE,
            )?;
        }
        Ok(())
    }

    /// Waits up to `timeout` for a readable socket or the waker — not at all when a leg is
    /// still to be read — and notes what became ready.
    ///
    /// # Errors
    /// `epoll_wait` failed (an interruption is not an error).
    pub fn wait(&mut self, timeout: Duration) -> io::Result<()> {
        let timeout = if self.ready.is_empty() && !self.signalling {
            timeout
        } else {
            Duration::ZERO
        };
        match self.poll.poll(&mut self.events, Some(timeout)) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(()),
            r => r?,
        }
        for e in &self.events {
            match e.token() {
                // Stopping, or the trunk's TCP connections handed a message over.
                WAKE => self.signalling = true,
                SIGNALLING => self.signalling = true,
                t if t.0 & CONNECTION != 0 => {
                    self.signalling = true;
                    self.ready_connections.push((t.0 & (CONNECTION - 1)) as u64);
                }
                t => {
                    self.ready.extend(leg_of(t));
                }
            }
        }
        Ok(())
    }

    /// The legs to read now, moved into `into` (the list empties; both keep their capacity).
    pub fn take_ready(&mut self, into: &mut Vec<(CallKey, Leg)>) {
        into.clear();
        into.append(&mut self.ready);
    }

    /// A leg read up to the cap: read it again next turn.
    pub fn again(&mut self, key: CallKey, leg: Leg) {
        self.ready.push((key, leg));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_name_the_call_and_the_leg() {
        assert_eq!(leg_of(WAKE), None);
        assert_eq!(leg_of(SIGNALLING), None);
        assert_eq!(leg_of(Token(CONNECTION | 5)), None);
        for key in [1, 2, 77, 1 << 40] {
            for leg in [Leg::Web, Leg::Trunk] {
                assert_eq!(leg_of(token(CallKey(key), leg)), Some((CallKey(key), leg)));
            }
        }
    }
}
