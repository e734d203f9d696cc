//! Server transactions: INVITE (§17.2.1, RFC 6026 §8.5–§8.7) and non-INVITE (§17.2.2).

use alloc::vec::Vec;
use rtcweb_proto::time::InstantExt as _;

use super::config::TimerConfig;
use super::outbox::{Outbox, Timers};
use super::{Peer, TransactionEvent, TxId};
use crate::message::builder::MessageBuilder;
use crate::message::{Header, Message};
use crate::Instant;

/// States of a server transaction (Figures 7 and 8 of RFC 3261, Accepted from RFC 6026).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerState {
    /// Non-INVITE received, the TU has not answered.
    Trying,
    /// INVITE received, or a provisional response sent.
    Proceeding,
    /// A final (non-2xx for INVITE) response sent; retransmitting it (Timers G/H, J).
    Completed,
    /// INVITE: the ACK arrived; absorbing ACK retransmissions (Timer I).
    Confirmed,
    /// INVITE: a 2xx was sent; absorbing INVITE retransmissions until Timer L (RFC 6026 §8.7).
    Accepted,
    /// Done.
    Terminated,
}

/// One server transaction.
#[derive(Debug, Clone)]
pub(crate) struct ServerTx {
    pub(crate) invite: bool,
    pub(crate) state: ServerState,
    pub(crate) peer: Peer,
    pub(crate) request: Vec<u8>,
    last_response: Option<Vec<u8>>,
    pub(crate) timers: Timers,
}

/// What the TU tried to do that the state forbids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WrongState;

impl ServerTx {
    /// Creates the transaction for a new request (§17.2.1: INVITE starts in Proceeding).
    pub(crate) fn new(
        now: Instant,
        cfg: &TimerConfig,
        invite: bool,
        peer: Peer,
        request: Vec<u8>,
    ) -> Self {
        let mut timers = Timers::default();
        if invite {
            timers.trying = Some(now.saturating_add(cfg.trying_delay));
        } else {
            // A TU that never answers must not pin the transaction forever: after 64·T1 the
            // client has given up (Timer F), so the transaction ends with a Timeout event.
            timers.timeout = Some(now.saturating_add(cfg.t1x64()));
        }
        Self {
            invite,
            state: if invite {
                ServerState::Proceeding
            } else {
                ServerState::Trying
            },
            peer,
            request,
            last_response: None,
            timers,
        }
    }

    /// A retransmission of the request (or, for INVITE, its non-2xx ACK) arrived.
    pub(crate) fn on_request(
        &mut self,
        now: Instant,
        cfg: &TimerConfig,
        is_ack: bool,
        out: &mut Outbox,
    ) {
        let reliable = self.peer.transport.is_reliable();
        match (is_ack, self.state) {
            (true, ServerState::Completed) if self.invite => {
                // §17.2.1: ACK → Confirmed, Timer I.
                self.state = ServerState::Confirmed;
                self.timers.clear();
                self.timers.linger = Some(now.saturating_add(cfg.t4_or_zero(reliable)));
            }
            (false, ServerState::Proceeding | ServerState::Completed) => {
                if let Some(r) = &self.last_response {
                    out.send(self.peer, r);
                }
            }
            // Trying, Confirmed, Accepted: absorbed.
            _ => {}
        }
    }

    /// The TU sends a response with this status code.
    pub(crate) fn send_response(
        &mut self,
        now: Instant,
        cfg: &TimerConfig,
        code: u16,
        bytes: &[u8],
        out: &mut Outbox,
    ) -> Result<(), WrongState> {
        let reliable = self.peer.transport.is_reliable();
        match (self.invite, self.state, code) {
            (_, ServerState::Trying | ServerState::Proceeding, 100..=199) => {
                self.state = ServerState::Proceeding;
                self.timers.trying = None;
            }
            (true, ServerState::Proceeding, 200..=299) => {
                self.state = ServerState::Accepted;
                self.timers.clear();
                self.timers.linger = Some(now.saturating_add(cfg.t1x64()));
            }
            // RFC 6026 §8.7: 2xx retransmissions from the TU pass through in Accepted.
            (true, ServerState::Accepted, 200..=299) => {}
            (true, ServerState::Proceeding, 300..) => {
                self.state = ServerState::Completed;
                self.timers.clear();
                if !reliable {
                    self.timers.interval = cfg.t1;
                    self.timers.retransmit = Some(now.saturating_add(cfg.t1));
                }
                self.timers.timeout = Some(now.saturating_add(cfg.t1x64()));
            }
            (false, ServerState::Trying | ServerState::Proceeding, 200..) => {
                self.state = ServerState::Completed;
                self.timers.clear();
                self.timers.linger = Some(now.saturating_add(cfg.timer_j(reliable)));
            }
            _ => return Err(WrongState),
        }
        out.send(self.peer, bytes);
        self.last_response = Some(bytes.to_vec());
        Ok(())
    }

    /// Fires every timer due at `now`.
    pub(crate) fn on_timeout(
        &mut self,
        now: Instant,
        cfg: &TimerConfig,
        id: TxId,
        out: &mut Outbox,
    ) {
        if self.timers.timeout.is_some_and(|t| t <= now) {
            // INVITE: Timer H, no ACK. Non-INVITE: the TU did not answer within 64·T1.
            self.timers.clear();
            self.state = ServerState::Terminated;
            out.event(TransactionEvent::Timeout { tx: id });
            return;
        }
        if self.timers.linger.is_some_and(|t| t <= now) {
            // Timer I / J / L.
            self.timers.clear();
            self.state = ServerState::Terminated;
            return;
        }
        if self.timers.trying.is_some_and(|t| t <= now) {
            self.timers.trying = None;
            let mut st = [Header::EMPTY; 64];
            if let Ok(req) = Message::parse(&self.request, &mut st) {
                let trying = MessageBuilder::response_to(&req, 100, "Trying", None).to_vec();
                out.send(self.peer, &trying);
                self.last_response = Some(trying);
            }
        }
        if let Some(at) = self.timers.retransmit.filter(|t| *t <= now) {
            // Timer G.
            if let Some(r) = &self.last_response {
                out.send(self.peer, r);
            }
            self.timers.interval = self.timers.interval.saturating_mul(2).min(cfg.t2);
            self.timers.retransmit = Some(at.max(now).saturating_add(self.timers.interval));
        }
    }
}
