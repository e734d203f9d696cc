//! [`ClientTransaction`]: one request until its response or its timeout (RFC 8489 §6.2.1).

use core::time::Duration;
use rtcweb_proto::time::InstantExt as _;

use crate::wire::{Error, Message, TransactionId};
use crate::Instant;

/// The largest request a transaction keeps for retransmission. RFC 8489 §6.1 asks for requests that
/// fit the path MTU; 576 covers the IPv4 minimum with room to spare.
pub const MAX_REQUEST_LEN: usize = 576;

/// Retransmission parameters (RFC 8489 §6.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransactionConfig {
    /// The initial retransmission timeout; RFC default 500 ms (ICE paces with its own Ta).
    pub rto: Duration,
    /// Rc: how many times the request is sent in all; default 7.
    pub rc: u32,
    /// Rm: the last wait is Rm × RTO; default 16.
    pub rm: u32,
    /// Ti: the timeout over reliable transports; default 39.5 s.
    pub ti: Duration,
}

impl Default for TransactionConfig {
    fn default() -> Self {
        TransactionConfig {
            rto: Duration::from_millis(500),
            rc: 7,
            rm: 16,
            ti: Duration::from_millis(39_500),
        }
    }
}

/// Where a transaction is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionState {
    /// Waiting for a response; the request may be (re)sent.
    Pending,
    /// A response with the transaction's ID arrived.
    Completed,
    /// No response before the last deadline.
    TimedOut,
}

/// One STUN request transaction. The call order is: [`poll_transmit`](Self::poll_transmit) until
/// `None`, then [`poll_timeout`](Self::poll_timeout); feed time with
/// [`handle_timeout`](Self::handle_timeout) and responses with
/// [`handle_response`](Self::handle_response).
#[derive(Debug, Clone)]
pub struct ClientTransaction {
    request: [u8; MAX_REQUEST_LEN],
    len: usize,
    tid: TransactionId,
    config: TransactionConfig,
    reliable: bool,
    sends: u32,
    transmit_due: bool,
    deadline: Instant,
    rto: Duration,
    state: TransactionState,
}

impl ClientTransaction {
    /// Starts a transaction for an encoded request. `reliable` is true over TCP/TLS (no
    /// retransmissions, RFC 8489 §6.2.2).
    pub fn new(
        now: Instant,
        request: &[u8],
        reliable: bool,
        config: TransactionConfig,
    ) -> Result<Self, Error> {
        let msg = Message::parse(request)?;
        let mut stored = [0u8; MAX_REQUEST_LEN];
        stored
            .get_mut(..request.len())
            .ok_or(Error::BufferTooSmall {
                needed: request.len(),
                got: MAX_REQUEST_LEN,
            })?
            .copy_from_slice(request);
        Ok(ClientTransaction {
            request: stored,
            len: request.len(),
            tid: msg.transaction_id(),
            config,
            reliable,
            sends: 0,
            transmit_due: true,
            deadline: now,
            rto: config.rto,
            state: TransactionState::Pending,
        })
    }

    /// The transaction ID.
    pub fn transaction_id(&self) -> TransactionId {
        self.tid
    }

    /// The state.
    pub fn state(&self) -> TransactionState {
        self.state
    }

    /// How many times the request has been sent.
    pub fn sends(&self) -> u32 {
        self.sends
    }

    /// The request bytes when a (re)transmission is due, without taking it: lets a caller check
    /// that its buffer fits before [`Self::poll_transmit`] commits the send.
    pub fn peek_transmit(&self) -> Option<&[u8]> {
        if self.state != TransactionState::Pending || !self.transmit_due {
            return None;
        }
        self.request.get(..self.len)
    }

    /// The request bytes, when a (re)transmission is due; the caller sends them at `now`, which
    /// sets the next deadline.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<&[u8]> {
        if self.state != TransactionState::Pending || !self.transmit_due {
            return None;
        }
        self.transmit_due = false;
        self.sends += 1;
        self.deadline = if self.reliable {
            now.saturating_add(self.config.ti)
        } else if self.sends >= self.config.rc {
            now.saturating_add(self.config.rto.saturating_mul(self.config.rm))
        } else {
            let wait = self.rto;
            self.rto = self.rto.saturating_mul(2);
            now.saturating_add(wait)
        };
        self.request.get(..self.len)
    }

    /// The next deadline, when pending.
    pub fn poll_timeout(&self) -> Option<Instant> {
        (self.state == TransactionState::Pending && !self.transmit_due).then_some(self.deadline)
    }

    /// Advances time: schedules the next retransmission, or times out.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.state != TransactionState::Pending || self.transmit_due || now < self.deadline {
            return;
        }
        if self.reliable || self.sends >= self.config.rc {
            self.state = TransactionState::TimedOut;
        } else {
            self.transmit_due = true;
        }
    }

    /// Completes the transaction if `response` carries its ID; returns whether it did.
    pub fn handle_response(&mut self, response: &Message<'_>) -> bool {
        if self.state == TransactionState::Pending && response.transaction_id() == self.tid {
            self.state = TransactionState::Completed;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{Class, MessageType, MessageWriter, Method};

    fn request(tid: u8) -> ([u8; 20], TransactionId) {
        let mut buf = [0u8; 20];
        let t = TransactionId([tid; 12]);
        let w = MessageWriter::new(
            &mut buf,
            MessageType::new(Method::BINDING, Class::Request),
            t,
        )
        .unwrap();
        w.finish();
        (buf, t)
    }

    fn ms(n: u64) -> Instant {
        Instant::from_nanos((n * 1_000_000) as i64)
    }

    /// RFC 8489 §6.2.1's example: sends at 0, 500, 1500, 3500, 7500, 15500 and 31500 ms; failure
    /// at 39500 ms.
    #[test]
    fn udp_schedule_matches_the_rfc() {
        let (req, _) = request(1);
        let mut t =
            ClientTransaction::new(ms(0), &req, false, TransactionConfig::default()).unwrap();
        let mut sent_at = alloc::vec::Vec::new();
        let mut now = ms(0);
        loop {
            t.handle_timeout(now);
            while t.poll_transmit(now).is_some() {
                sent_at.push(now);
            }
            match t.poll_timeout() {
                Some(d) => now = d,
                None => break,
            }
        }
        assert_eq!(
            sent_at,
            [0, 500, 1500, 3500, 7500, 15500, 31500].map(ms).to_vec()
        );
        assert_eq!(t.state(), TransactionState::TimedOut);
        assert_eq!(now, ms(39500));
    }

    #[test]
    fn reliable_sends_once_and_response_completes() {
        let (req, tid) = request(2);
        let mut t =
            ClientTransaction::new(ms(0), &req, true, TransactionConfig::default()).unwrap();
        assert!(t.poll_transmit(ms(0)).is_some());
        assert!(t.poll_transmit(ms(0)).is_none());
        assert_eq!(t.poll_timeout(), Some(ms(39500)));
        let mut buf = [0u8; 20];
        let w = MessageWriter::new(
            &mut buf,
            MessageType::new(Method::BINDING, Class::Success),
            TransactionId([9; 12]),
        )
        .unwrap();
        w.finish();
        assert!(!t.handle_response(&Message::parse(&buf).unwrap()));
        let w = MessageWriter::new(
            &mut buf,
            MessageType::new(Method::BINDING, Class::Success),
            tid,
        )
        .unwrap();
        w.finish();
        assert!(t.handle_response(&Message::parse(&buf).unwrap()));
        assert_eq!(t.state(), TransactionState::Completed);
        assert_eq!(t.poll_timeout(), None);
    }
}
