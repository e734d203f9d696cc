//! Client transactions: INVITE (§17.1.1, RFC 6026 §8.4) and non-INVITE (§17.1.2).

use alloc::vec::Vec;
use rtcweb_proto::time::InstantExt as _;

use super::ack::ack_for_non_2xx;
use super::config::TimerConfig;
use super::outbox::{Outbox, Timers};
use super::{Peer, TransactionEvent, TxId};
use crate::message::{Header, Message};
use crate::Instant;

/// States of a client transaction (Figures 5 and 6 of RFC 3261, Accepted from RFC 6026).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientState {
    /// INVITE sent, nothing heard (Timers A and B run).
    Calling,
    /// Non-INVITE sent, nothing heard (Timers E and F run).
    Trying,
    /// A provisional response arrived.
    Proceeding,
    /// A final response arrived (non-2xx for INVITE); absorbing retransmissions (Timer D or K).
    Completed,
    /// INVITE got a 2xx; further 2xx are passed up until Timer M (RFC 6026 §8.4).
    Accepted,
    /// Done.
    Terminated,
}

/// One client transaction.
#[derive(Debug, Clone)]
pub(crate) struct ClientTx {
    pub(crate) invite: bool,
    pub(crate) state: ClientState,
    pub(crate) peer: Peer,
    pub(crate) request: Vec<u8>,
    ack: Option<Vec<u8>>,
    pub(crate) timers: Timers,
}

impl ClientTx {
    /// Creates the transaction and sends the request (§17.1.1.2, §17.1.2.2).
    pub(crate) fn start(
        now: Instant,
        cfg: &TimerConfig,
        invite: bool,
        peer: Peer,
        request: Vec<u8>,
        out: &mut Outbox,
    ) -> Self {
        out.send(peer, &request);
        let mut timers = Timers::default();
        if !peer.transport.is_reliable() {
            timers.interval = cfg.t1;
            timers.retransmit = Some(now.saturating_add(cfg.t1));
        }
        timers.timeout = Some(now.saturating_add(cfg.t1x64()));
        Self {
            invite,
            state: if invite {
                ClientState::Calling
            } else {
                ClientState::Trying
            },
            peer,
            request,
            ack: None,
            timers,
        }
    }

    /// A response matched this transaction.
    pub(crate) fn on_response(
        &mut self,
        now: Instant,
        cfg: &TimerConfig,
        id: TxId,
        msg: &Message<'_>,
        raw: &[u8],
        out: &mut Outbox,
    ) {
        let Some(code) = msg.status() else { return };
        let reliable = self.peer.transport.is_reliable();
        let pass = |out: &mut Outbox| {
            out.event(TransactionEvent::Response {
                tx: id,
                message: raw.to_vec(),
            });
        };
        match (self.invite, self.state, code) {
            // INVITE client (§17.1.1.2, RFC 6026 §8.4).
            (true, ClientState::Calling | ClientState::Proceeding, 100..=199) => {
                self.state = ClientState::Proceeding;
                self.timers.retransmit = None;
                self.timers.timeout = Some(now.saturating_add(cfg.timer_c));
                pass(out);
            }
            (true, ClientState::Calling | ClientState::Proceeding, 200..=299) => {
                self.state = ClientState::Accepted;
                self.timers.clear();
                self.timers.linger = Some(now.saturating_add(cfg.t1x64()));
                pass(out);
            }
            (true, ClientState::Accepted, 200..=299) => pass(out),
            (true, ClientState::Calling | ClientState::Proceeding, 300..) => {
                self.state = ClientState::Completed;
                self.timers.clear();
                let mut st = [Header::EMPTY; 64];
                if let Ok(inv) = Message::parse(&self.request, &mut st) {
                    self.ack = ack_for_non_2xx(&inv, msg);
                }
                if let Some(ack) = &self.ack {
                    out.send(self.peer, ack);
                }
                self.timers.linger = Some(now.saturating_add(cfg.timer_d(reliable)));
                pass(out);
            }
            (true, ClientState::Completed, 300..) => {
                if let Some(ack) = &self.ack {
                    out.send(self.peer, ack);
                }
            }
            // Non-INVITE client (§17.1.2.2).
            (false, ClientState::Trying | ClientState::Proceeding, 100..=199) => {
                self.state = ClientState::Proceeding;
                pass(out);
            }
            (false, ClientState::Trying | ClientState::Proceeding, 200..) => {
                self.state = ClientState::Completed;
                self.timers.clear();
                self.timers.linger = Some(now.saturating_add(cfg.t4_or_zero(reliable)));
                pass(out);
            }
            _ => {}
        }
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
            // Timer B / F (or C in Proceeding).
            self.timers.clear();
            self.state = ClientState::Terminated;
            out.event(TransactionEvent::Timeout { tx: id });
            return;
        }
        if self.timers.linger.is_some_and(|t| t <= now) {
            // Timer D / K / M.
            self.timers.clear();
            self.state = ClientState::Terminated;
            return;
        }
        if let Some(at) = self.timers.retransmit.filter(|t| *t <= now) {
            // Timer A (doubles without cap) / E (doubles up to T2; T2 once Proceeding).
            out.send(self.peer, &self.request);
            self.timers.interval = match (self.invite, self.state) {
                (true, _) => self.timers.interval.saturating_mul(2),
                (false, ClientState::Proceeding) => cfg.t2,
                (false, _) => self.timers.interval.saturating_mul(2).min(cfg.t2),
            };
            self.timers.retransmit = Some(at.max(now).saturating_add(self.timers.interval));
        }
    }
}
