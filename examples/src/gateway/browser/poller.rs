//! Which calls' media sockets have datagrams waiting (epoll, through `mio`): the driver reads
//! only those legs, and between turns waits for the next datagram — woken at once — or for its
//! signalling check, instead of reading every socket of every call and sleeping blindly.
//!
//! Each call registers its two sockets when it is admitted. Readiness is edge-triggered (mio's
//! one mode): a leg that became readable is read until its socket would block, but at most
//! [`BATCH`](super::media::BATCH) datagrams per turn, so that one busy call cannot hold up the
//! others; a leg stopped at the cap stays on the ready list for the next turn, which then does
//! not wait. A socket closed with its call leaves epoll by itself (the last descriptor closed).

use std::collections::BTreeSet;
use std::io;
use std::os::fd::AsRawFd;
use std::time::Duration;

use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};

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

/// The media sockets' readiness.
#[derive(Debug)]
pub struct MediaPoller {
    poll: Poll,
    events: Events,
    ready: BTreeSet<(CallKey, Leg)>,
}

/// The token of a call's leg: the key, then one bit for the leg.
fn token(key: CallKey, leg: Leg) -> Token {
    let key = usize::try_from(key.0).unwrap_or(usize::MAX >> 1);
    Token(key << 1 | usize::from(leg == Leg::Trunk))
}

/// The call's leg of a token.
fn leg_of(token: Token) -> (CallKey, Leg) {
    let leg = if token.0 & 1 == 1 {
        Leg::Trunk
    } else {
        Leg::Web
    };
    (CallKey((token.0 >> 1) as u64), leg)
}

impl MediaPoller {
    /// An epoll instance with nothing registered.
    ///
    /// # Errors
    /// The kernel refused one.
    pub fn new() -> io::Result<Self> {
        Ok(Self {
            poll: Poll::new()?,
            events: Events::with_capacity(EVENTS),
            ready: BTreeSet::new(),
        })
    }

    /// Watches both sockets of call `key`. Datagrams already waiting count as readiness.
    ///
    /// # Errors
    /// The kernel refused the registration.
    pub fn register(&mut self, key: CallKey, relay: &Relay) -> io::Result<()> {
        for (leg, fd) in [
            (Leg::Web, relay.web.socket().as_raw_fd()),
            (Leg::Trunk, relay.trunk.socket().as_raw_fd()),
        ] {
            self.poll.registry().register(
                &mut SourceFd(&fd),
                token(key, leg),
                Interest::READABLE,
            )?;
        }
        Ok(())
    }

    /// Waits up to `timeout` for a datagram on any call's socket — not at all when a leg is
    /// still to be read — and adds the legs that became readable to the ready list.
    ///
    /// # Errors
    /// `epoll_wait` failed (an interruption is not an error).
    pub fn wait(&mut self, timeout: Duration) -> io::Result<()> {
        let timeout = if self.ready.is_empty() {
            timeout
        } else {
            Duration::ZERO
        };
        match self.poll.poll(&mut self.events, Some(timeout)) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(()),
            r => r?,
        }
        for e in &self.events {
            self.ready.insert(leg_of(e.token()));
        }
        Ok(())
    }

    /// The legs to read now (the list empties).
    pub fn take_ready(&mut self) -> BTreeSet<(CallKey, Leg)> {
        std::mem::take(&mut self.ready)
    }

    /// A leg read up to the cap: read it again next turn.
    pub fn again(&mut self, key: CallKey, leg: Leg) {
        self.ready.insert((key, leg));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_name_the_call_and_the_leg() {
        for key in [1, 2, 77, 1 << 40] {
            for leg in [Leg::Web, Leg::Trunk] {
                assert_eq!(leg_of(token(CallKey(key), leg)), (CallKey(key), leg));
            }
        }
    }
}
