//! Connectivity checks on the wire: answering Binding requests (RFC 8445 §7.3), handling
//! responses (§7.2.5), encoding requests (§7.2.2, §16), and the datagram entry and exit points.

use core::net::SocketAddr;

use rtcweb_stun_core::demux::{classify, Packet};
use rtcweb_stun_core::turn::Received;
use rtcweb_stun_core::wire::attributes::{
    ErrorCode, IceControlled, IceControlling, Priority, UseCandidate, Username, XorMappedAddress,
};
use rtcweb_stun_core::wire::{Class, Message, MessageType, MessageWriter, Method, TransactionId};

use super::event::{transmit, AgentError, Discard, Receive, Role};
use super::pair::PairState;
use super::{Agent, Out, Response, RESPONSE_MAX};
use crate::candidate::{candidate_priority, type_preference, Candidate, CandidateKind, Foundation};
use crate::Instant;
use rtcweb_proto::{BufferTooSmall, Transmit};

/// Room for the longest check we write: USERNAME of 513 bytes plus the fixed attributes.
const SCRATCH: usize = 640;

/// The largest datagram the agent hands out of [`Agent::poll_transmit`]: a check or response
/// (at most 640 bytes) wrapped in a TURN Send indication (header, XOR-PEER-ADDRESS for IPv6,
/// DATA header and padding), or a TURN client request (576 bytes). A 1500-byte buffer is plenty.
pub const MAX_TRANSMIT_LEN: usize = SCRATCH + 64;

impl Agent {
    /// Feeds a datagram that arrived on the local socket `local` from `from`. STUN (checks,
    /// responses, TURN) is consumed; anything else is handed back ([`Receive::NotStun`]), and data
    /// relayed by our TURN server comes back unwrapped ([`Receive::Relayed`]).
    pub fn handle_receive<'a>(
        &mut self,
        now: Instant,
        local: SocketAddr,
        from: SocketAddr,
        datagram: &'a [u8],
    ) -> Receive<'a> {
        let received = self.receive(now, local, from, datagram);
        if let Receive::Discarded(_why) = received {
            rtcweb_proto::log_debug!("ice: datagram from {from} on {local} discarded: {_why:?}");
        }
        received
    }

    /// Whether `datagram`, arriving on `local` from `from`, belongs to this agent, without
    /// changing anything: for a server that runs many agents on one socket (an SBC's ICE-lite
    /// port) and must route each datagram before handing it over (str0m's `accepts`).
    ///
    /// Yes for: anything from one of our TURN servers on its base; a Binding request whose
    /// USERNAME starts with our `ufrag:` (RFC 8445 §7.2.2, not yet authenticated: the agent
    /// verifies MESSAGE-INTEGRITY in [`Self::handle_receive`]); a response to one of our checks
    /// or gathering transactions; a Binding indication or media from a remote candidate we know
    /// on that socket.
    #[must_use]
    pub fn accepts(&self, local: SocketAddr, from: SocketAddr, datagram: &[u8]) -> bool {
        if self
            .turns
            .iter()
            .any(|t| t.base == local && t.client.server() == from)
        {
            return true;
        }
        let known_remote = || self.remotes.iter().any(|r| r.address == from);
        if classify(datagram) != Packet::Stun {
            let on_local = self.locals.iter().any(|l| l.base == local);
            return on_local && known_remote();
        }
        let Ok(msg) = Message::parse(datagram) else {
            return false;
        };
        let tid = msg.transaction_id();
        match msg.class() {
            Class::Request => msg
                .attribute::<Username>()
                .ok()
                .flatten()
                .is_some_and(|u| u.0.starts_with(self.expected_username.as_str())),
            Class::Success | Class::Error => {
                self.pairs
                    .iter()
                    .any(|p| p.check.is_some_and(|c| c.tid == tid))
                    || self.gathers.iter().any(|g| {
                        g.base == local
                            && g.server == from
                            && g.tx.as_ref().is_some_and(|t| t.transaction_id() == tid)
                    })
            }
            Class::Indication => known_remote(),
        }
    }

    fn receive<'a>(
        &mut self,
        now: Instant,
        local: SocketAddr,
        from: SocketAddr,
        datagram: &'a [u8],
    ) -> Receive<'a> {
        self.now = self.now.max(now);
        let now = self.now;
        if let Some(ti) = self
            .turns
            .iter()
            .position(|t| t.base == local && t.client.server() == from)
        {
            let received = self
                .turns
                .get_mut(ti)
                .map(|t| t.client.handle_receive(now, from, datagram));
            self.turn_events(now, ti);
            self.sync_turn_timer(ti);
            match received {
                Some(Received::Data { peer, data }) => {
                    let Some(li) = self.turns.get(ti).and_then(|t| t.local) else {
                        return Receive::Discarded(Discard::UnknownSocket);
                    };
                    if classify(data) != Packet::Stun {
                        return Receive::Relayed { peer, data };
                    }
                    let verdict = match Message::parse(data) {
                        Ok(msg) => self.handle_stun(now, li, peer, &msg),
                        Err(_) => Receive::Discarded(Discard::Malformed),
                    };
                    self.after_input(now);
                    return verdict;
                }
                Some(Received::Handled) => {
                    self.after_input(now);
                    return Receive::Handled;
                }
                Some(Received::NotMine) | None => {}
            }
        }
        if classify(datagram) != Packet::Stun {
            return Receive::NotStun;
        }
        let Ok(msg) = Message::parse(datagram) else {
            return Receive::Discarded(Discard::Malformed);
        };
        if matches!(msg.class(), Class::Success | Class::Error) {
            if let Some(gi) = self.gathers.iter().position(|g| {
                g.base == local
                    && g.server == from
                    && g.tx
                        .as_ref()
                        .is_some_and(|t| t.transaction_id() == msg.transaction_id())
            }) {
                self.gather_response(now, gi, &msg);
                self.after_input(now);
                return Receive::Handled;
            }
        }
        let Some(li) = self.locals.iter().position(|l| {
            l.base == local && l.turn.is_none() && l.cand.kind == CandidateKind::Host
        }) else {
            return Receive::Discarded(Discard::UnknownSocket);
        };
        let verdict = self.handle_stun(now, li, from, &msg);
        self.after_input(now);
        verdict
    }

    fn after_input(&mut self, now: Instant) {
        self.update_selection(now);
        self.maybe_nominate(now);
        self.update_state();
    }

    fn handle_stun(
        &mut self,
        now: Instant,
        li: usize,
        from: SocketAddr,
        msg: &Message<'_>,
    ) -> Receive<'static> {
        if msg.method() != Method::BINDING {
            return Receive::Discarded(Discard::Unexpected);
        }
        match msg.class() {
            Class::Request => self.handle_request(now, li, from, msg),
            Class::Success | Class::Error => self.handle_response(now, li, from, msg),
            // A keepalive (RFC 8445 §11): nothing to do.
            Class::Indication => Receive::Handled,
        }
    }

    /// Answers a check (RFC 8445 §7.3) and learns from it.
    fn handle_request(
        &mut self,
        now: Instant,
        li: usize,
        from: SocketAddr,
        msg: &Message<'_>,
    ) -> Receive<'static> {
        if msg.verify_fingerprint().is_err() {
            return Receive::Discarded(Discard::BadFingerprint);
        }
        let username = match msg.attribute::<Username>() {
            Ok(Some(Username(u))) if msg.has_integrity() => u,
            _ => {
                self.queue_error(
                    li,
                    from,
                    msg.transaction_id(),
                    ErrorCode::BAD_REQUEST,
                    "Bad Request",
                    false,
                );
                return Receive::Discarded(Discard::Unauthenticated);
            }
        };
        if !username.starts_with(self.expected_username.as_str())
            || msg.verify_integrity(&self.local_key).is_err()
        {
            self.queue_error(
                li,
                from,
                msg.transaction_id(),
                ErrorCode::UNAUTHENTICATED,
                "Unauthenticated",
                false,
            );
            return Receive::Discarded(Discard::Unauthenticated);
        }
        let Ok(Some(Priority(priority))) = msg.attribute::<Priority>() else {
            self.queue_error(
                li,
                from,
                msg.transaction_id(),
                ErrorCode::BAD_REQUEST,
                "Bad Request",
                true,
            );
            return Receive::Discarded(Discard::Unauthenticated);
        };
        // Role conflicts (RFC 8445 §7.3.1.1). A lite agent is always controlled and never switches.
        if !self.config.lite {
            let theirs_controlling = msg.attribute::<IceControlling>().ok().flatten();
            let theirs_controlled = msg.attribute::<IceControlled>().ok().flatten();
            match (self.role, theirs_controlling, theirs_controlled) {
                (Role::Controlling, Some(IceControlling(tb)), _) => {
                    if self.tie_breaker >= tb {
                        self.queue_error(
                            li,
                            from,
                            msg.transaction_id(),
                            ErrorCode::ROLE_CONFLICT,
                            "Role Conflict",
                            true,
                        );
                        return Receive::Discarded(Discard::RoleConflict);
                    }
                    self.switch_role(Role::Controlled);
                }
                (Role::Controlled, _, Some(IceControlled(tb))) => {
                    if self.tie_breaker >= tb {
                        self.switch_role(Role::Controlling);
                    } else {
                        self.queue_error(
                            li,
                            from,
                            msg.transaction_id(),
                            ErrorCode::ROLE_CONFLICT,
                            "Role Conflict",
                            true,
                        );
                        return Receive::Discarded(Discard::RoleConflict);
                    }
                }
                _ => {}
            }
        }
        let use_candidate = matches!(msg.attribute::<UseCandidate>(), Ok(Some(_)));
        self.received_check = true;
        self.queue_success(li, from, msg.transaction_id());

        let component = self.locals.get(li).map_or(1, |l| l.cand.component);
        let Some(ri) = self.remote_for(from, component, priority) else {
            return Receive::Handled;
        };
        let Some(pi) = self.find_or_form_pair(li, ri) else {
            return Receive::Handled;
        };
        let lite = self.config.lite;
        let controlled = self.role == Role::Controlled;
        let remote_known = self.remote.is_some();
        let Some(pair) = self.pairs.get_mut(pi) else {
            return Receive::Handled;
        };
        if lite {
            // No checks of our own: a check that authenticates makes the pair usable (§2.5).
            pair.state = PairState::Succeeded;
            pair.last_consent = now;
            if use_candidate {
                pair.nominated = true;
            }
            return Receive::Handled;
        }
        // A full agent's consent comes only from responses to its own checks (RFC 7675 §5.1).
        match pair.state {
            PairState::Succeeded => {
                if use_candidate && controlled {
                    pair.nominated = true;
                }
            }
            PairState::InProgress => {
                if use_candidate && controlled {
                    pair.nominate_on_success = true;
                }
            }
            PairState::Frozen | PairState::Waiting | PairState::Failed => {
                pair.state = PairState::Waiting;
                if use_candidate && controlled {
                    pair.nominate_on_success = true;
                }
                if !self.triggered.contains(&pi) {
                    self.triggered.push_back(pi);
                }
                if remote_known {
                    self.schedule_pace(now);
                }
            }
        }
        Receive::Handled
    }

    /// The remote candidate a check came from, learning a peer-reflexive one within the caps
    /// (RFC 8445 §7.3.1.3).
    fn remote_for(&mut self, from: SocketAddr, component: u16, priority: u32) -> Option<usize> {
        if let Some(i) = self
            .remotes
            .iter()
            .position(|r| r.address == from && r.component == component)
        {
            return Some(i);
        }
        if self.peer_reflexive >= self.config.max_peer_reflexive
            || self.remotes.len() >= self.config.max_remote_candidates
        {
            return None;
        }
        self.peer_reflexive += 1;
        self.remotes.push(Candidate {
            foundation: Foundation::from_u32(self.rng.next_u64() as u32),
            component,
            transport: crate::candidate::Transport::Udp,
            priority,
            address: from,
            kind: CandidateKind::PeerReflexive,
            related: None,
        });
        Some(self.remotes.len() - 1)
    }

    /// A response to one of our checks (RFC 8445 §7.2.5).
    fn handle_response(
        &mut self,
        now: Instant,
        li: usize,
        from: SocketAddr,
        msg: &Message<'_>,
    ) -> Receive<'static> {
        let tid = msg.transaction_id();
        let Some(pi) = self
            .pairs
            .iter()
            .position(|p| p.check.is_some_and(|c| c.tid == tid))
        else {
            return Receive::Discarded(Discard::UnknownTransaction);
        };
        // Only the peer knows its password: anything without valid integrity is an attacker's
        // (or garbage) and is dropped, leaving the transaction to retransmit (RFC 8489 §9.1.4).
        let authentic = self
            .remote
            .as_ref()
            .is_some_and(|r| msg.verify_integrity(&r.key).is_ok());
        if !authentic {
            return Receive::Discarded(Discard::Unauthenticated);
        }
        let Some(pair) = self.pairs.get_mut(pi) else {
            return Receive::Discarded(Discard::UnknownTransaction);
        };
        let Some(check) = pair.check.take() else {
            return Receive::Discarded(Discard::UnknownTransaction);
        };
        let remote_addr = self.remotes.get(pair.remote).map(|r| r.address);
        // Non-symmetric transport addresses fail the pair (RFC 8445 §7.2.5.2.1).
        if remote_addr != Some(from) || li != pair.local {
            if !check.consent {
                rtcweb_proto::log_debug!(
                    "ice: pair {pi} failed: response from {from}, not the checked address (RFC 8445 §7.2.5.2.1)"
                );
                pair.state = PairState::Failed;
                pair.nominating = false;
            }
            return Receive::Handled;
        }
        if check.consent {
            if msg.class() == Class::Success {
                pair.last_consent = now;
                self.disconnected = false;
            }
            return Receive::Handled;
        }
        if msg.class() == Class::Error {
            let code = msg.attribute::<ErrorCode>().ok().flatten().map(|e| e.code);
            if code == Some(ErrorCode::ROLE_CONFLICT) {
                // RFC 8445 §7.2.5.1: switch to the opposite of what the request claimed, retry.
                pair.state = PairState::Waiting;
                pair.nominating = false;
                let new_role = if check.controlling {
                    Role::Controlled
                } else {
                    Role::Controlling
                };
                self.triggered.push_back(pi);
                if self.role != new_role {
                    self.switch_role(new_role);
                }
                self.schedule_pace(now);
            } else {
                rtcweb_proto::log_debug!("ice: pair {pi} failed: error {code:?} from {from}");
                pair.state = PairState::Failed;
                pair.nominating = false;
            }
            return Receive::Handled;
        }
        let controlled = self.role == Role::Controlled;
        rtcweb_proto::log_debug!("ice: pair {pi} succeeded ({from})");
        pair.state = PairState::Succeeded;
        pair.last_consent = now;
        if check.use_candidate || (controlled && pair.nominate_on_success) {
            pair.nominated = true;
        }
        pair.nominating = false;
        let foundation = pair.foundation;
        // Unfreeze pairs of the same foundation (RFC 8445 §7.2.5.3.3).
        let mut unfrozen = false;
        for p in &mut self.pairs {
            if p.state == PairState::Frozen && p.foundation == foundation {
                p.state = PairState::Waiting;
                unfrozen = true;
            }
        }
        if unfrozen {
            self.schedule_pace(now);
        }
        Receive::Handled
    }

    fn queue_response(
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

    fn queue_success(&mut self, li: usize, to: SocketAddr, tid: TransactionId) {
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

    fn queue_error(
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
    fn encode_check(&self, pi: usize, buf: &mut [u8]) -> Option<usize> {
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
    fn route(
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

    fn next_transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<Transmit> {
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
