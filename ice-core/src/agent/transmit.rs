//! What the agent sends (RFC 8445 §7.2, §11; RFC 8656 §11–§12): responses and checks queued by
//! the receive path, written into the caller's buffer by [`Agent::poll_transmit`], directly or
//! wrapped for the TURN server of a relayed candidate; application data by [`Agent::send`].

use core::net::SocketAddr;

use rtcweb_stun_core::wire::attributes::{
    ErrorCode, IceControlled, IceControlling, Priority, UseCandidate, Username, XorMappedAddress,
};
use rtcweb_stun_core::wire::{Class, MessageType, MessageWriter, Method, TransactionId};

use super::event::{transmit, AgentError};
use super::{Agent, Out, Response, RESPONSE_MAX};
use crate::candidate::{candidate_priority, type_preference, CandidateKind};
use crate::Instant;
use rtcweb_proto::{BufferTooSmall, Transmit};

/// Room for the longest check we write: USERNAME of 513 bytes plus the fixed attributes.
const SCRATCH: usize = 640;

/// The largest datagram the agent hands out of [`Agent::poll_transmit`]: a check or response
/// (at most 640 bytes) wrapped in a TURN Send indication (header, XOR-PEER-ADDRESS for IPv6,
/// DATA header and padding), or a TURN client request (576 bytes). A 1500-byte buffer is plenty.
pub const MAX_TRANSMIT_LEN: usize = SCRATCH + 64;

impl Agent {
    pub(super) fn queue_response(
        &mut self,
        li: usize,
        to: SocketAddr,
        bytes: [u8; RESPONSE_MAX],
        len: Option<usize>,
    ) {
        if let Some(len) = len {
            self.queued_responses += 1;
            self.out.push_back(Out::Response(Response {
                local: li,
                to,
                len,
                bytes,
            }));
        }
    }

    pub(super) fn queue_success(&mut self, li: usize, to: SocketAddr, tid: TransactionId) {
        if self.queued_responses >= self.config.max_queued_responses {
            return;
        }
        let mut bytes = [0u8; RESPONSE_MAX];
        let len = (|| {
            let typ = MessageType::new(Method::BINDING, Class::Success);
            let mut w = MessageWriter::new(&mut bytes, typ, tid).ok()?;
            w.add(&XorMappedAddress(to)).ok()?;
            w.add_message_integrity(&self.local_key).ok()?;
            w.add_fingerprint().ok()?;
            Some(w.finish())
        })();
        self.queue_response(li, to, bytes, len);
    }

    pub(super) fn queue_error(
        &mut self,
        li: usize,
        to: SocketAddr,
        tid: TransactionId,
        code: u16,
        reason: &str,
        integrity: bool,
    ) {
        if self.queued_responses >= self.config.max_queued_responses {
            return;
        }
        let mut bytes = [0u8; RESPONSE_MAX];
        let len = (|| {
            let typ = MessageType::new(Method::BINDING, Class::Error);
            let mut w = MessageWriter::new(&mut bytes, typ, tid).ok()?;
            w.add(&ErrorCode { code, reason }).ok()?;
            if integrity {
                w.add_message_integrity(&self.local_key).ok()?;
            }
            w.add_fingerprint().ok()?;
            Some(w.finish())
        })();
        self.queue_response(li, to, bytes, len);
    }

    /// Writes a check request for pair `pi` into `buf` (RFC 8445 §7.2.2).
    pub(super) fn encode_check(&self, pi: usize, buf: &mut [u8]) -> Option<usize> {
        let pair = self.pairs.get(pi)?;
        let check = pair.check?;
        let remote = self.remote.as_ref()?;
        let local = self.locals.get(pair.local)?;
        let local_pref = ((local.cand.priority >> 8) & 0xffff) as u16;
        let prflx = candidate_priority(
            type_preference(CandidateKind::PeerReflexive),
            local_pref,
            local.cand.component,
        );
        let typ = MessageType::new(Method::BINDING, Class::Request);
        let mut w = MessageWriter::new(buf, typ, check.tid).ok()?;
        w.add(&Username(&remote.username)).ok()?;
        w.add(&Priority(prflx)).ok()?;
        if check.controlling {
            w.add(&IceControlling(self.tie_breaker)).ok()?;
        } else {
            w.add(&IceControlled(self.tie_breaker)).ok()?;
        }
        if check.use_candidate {
            w.add(&UseCandidate).ok()?;
        }
        w.add_message_integrity(&remote.key).ok()?;
        w.add_fingerprint().ok()?;
        Some(w.finish())
    }

    /// Sends `msg` from local candidate `li` to `to`: directly from its base, or wrapped for the
    /// TURN server when the candidate is relayed (RFC 8656 §11, §12).
    pub(super) fn route(
        &mut self,
        now: Instant,
        li: usize,
        to: SocketAddr,
        msg: &[u8],
        buf: &mut [u8],
    ) -> Option<Transmit> {
        let local = *self.locals.get(li)?;
        if let Some(ti) = local.turn {
            let turn = self.turns.get_mut(ti)?;
            let sent = turn.client.send_to(to, msg, buf);
            let base = turn.base;
            if sent.is_err() && !turn.permissions.contains(&to.ip()) {
                // Checks may go out before the permission: ask for it; retransmissions follow.
                if turn.client.create_permission(now, to.ip()).is_ok() {
                    turn.permissions.push(to.ip());
                }
                self.sync_turn_timer(ti);
            }
            let t = sent.ok()?;
            return Some(transmit(base, t.destination, t.len));
        }
        buf.get_mut(..msg.len())?.copy_from_slice(msg);
        Some(transmit(local.base, to, msg.len()))
    }

    /// The next datagram to send, written into `buf`: checks, responses, keepalives, then STUN
    /// and TURN server traffic. `buf` must hold [`MAX_TRANSMIT_LEN`] bytes (any datagram the
    /// agent makes fits); a smaller one is refused before anything is taken from the queues.
    ///
    /// # Errors
    /// [`BufferTooSmall`] when `buf` is shorter than [`MAX_TRANSMIT_LEN`]; nothing changed.
    pub fn poll_transmit(
        &mut self,
        now: Instant,
        buf: &mut [u8],
    ) -> Result<Option<Transmit>, BufferTooSmall> {
        if buf.len() < MAX_TRANSMIT_LEN {
            return Err(BufferTooSmall {
                needed: MAX_TRANSMIT_LEN,
            });
        }
        Ok(self.next_transmit(now, buf))
    }

    pub(super) fn next_transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<Transmit> {
        self.now = self.now.max(now);
        let now = self.now;
        while let Some(out) = self.out.pop_front() {
            let mut scratch = [0u8; SCRATCH];
            match out {
                Out::Response(r) => {
                    self.queued_responses = self.queued_responses.saturating_sub(1);
                    let Some(bytes) = r.bytes.get(..r.len) else {
                        continue;
                    };
                    if let Some(t) = self.route(now, r.local, r.to, bytes, buf) {
                        return Some(t);
                    }
                }
                Out::Check { pair, tid } => {
                    let current = self
                        .pairs
                        .get(pair)
                        .and_then(|p| p.check)
                        .is_some_and(|c| c.tid == tid);
                    if !current {
                        continue;
                    }
                    let len = self.encode_check(pair, &mut scratch);
                    self.mark_check_sent(now, pair);
                    let Some(len) = len else { continue };
                    let (Some(li), Some(to)) = (
                        self.pairs.get(pair).map(|p| p.local),
                        self.pairs
                            .get(pair)
                            .and_then(|p| self.remotes.get(p.remote))
                            .map(|r| r.address),
                    ) else {
                        continue;
                    };
                    if let Some(t) =
                        self.route(now, li, to, scratch.get(..len).unwrap_or_default(), buf)
                    {
                        return Some(t);
                    }
                }
                Out::Keepalive { pair } => {
                    let Some(p) = self.pairs.get(pair) else {
                        continue;
                    };
                    let (li, ri) = (p.local, p.remote);
                    let Some(to) = self.remotes.get(ri).map(|r| r.address) else {
                        continue;
                    };
                    let mut tid = TransactionId::default();
                    self.rng.fill(&mut tid.0);
                    let typ = MessageType::new(Method::BINDING, Class::Indication);
                    let Ok(mut w) = MessageWriter::new(&mut scratch, typ, tid) else {
                        continue;
                    };
                    if w.add_fingerprint().is_err() {
                        continue;
                    }
                    let len = w.finish();
                    if let Some(p) = self.pairs.get_mut(pair) {
                        p.last_sent = now;
                    }
                    if let Some(t) =
                        self.route(now, li, to, scratch.get(..len).unwrap_or_default(), buf)
                    {
                        return Some(t);
                    }
                }
            }
        }
        self.poll_server_transmit(now, buf)
    }

    /// Sends application data on component 1's selected pair: written into `buf` as is, or
    /// wrapped in a Send indication or ChannelData when the pair is relayed.
    pub fn send(
        &mut self,
        now: Instant,
        data: &[u8],
        buf: &mut [u8],
    ) -> Result<Transmit, AgentError> {
        self.send_on(now, 1, data, buf)
    }

    /// [`send`](Self::send) on a given component.
    pub fn send_on(
        &mut self,
        now: Instant,
        component: u16,
        data: &[u8],
        buf: &mut [u8],
    ) -> Result<Transmit, AgentError> {
        if self.consent_lost {
            return Err(AgentError::NotConnected);
        }
        let pi = self
            .selected_index(component)
            .ok_or(AgentError::NotConnected)?;
        let pair = self.pairs.get_mut(pi).ok_or(AgentError::NotConnected)?;
        pair.last_sent = now;
        let (li, ri) = (pair.local, pair.remote);
        let to = self
            .remotes
            .get(ri)
            .ok_or(AgentError::NotConnected)?
            .address;
        let local = *self.locals.get(li).ok_or(AgentError::NotConnected)?;
        if let Some(ti) = local.turn {
            let turn = self.turns.get_mut(ti).ok_or(AgentError::NotConnected)?;
            let t = turn.client.send_to(to, data, buf).map_err(|_| {
                AgentError::Turn("cannot wrap the data (no permission, or too long)")
            })?;
            return Ok(transmit(turn.base, t.destination, t.len));
        }
        let got = buf.len();
        buf.get_mut(..data.len())
            .ok_or(AgentError::BufferTooSmall {
                needed: data.len(),
                got,
            })?
            .copy_from_slice(data);
        Ok(transmit(local.base, to, data.len()))
    }
}
