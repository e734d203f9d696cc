//! Connectivity checks coming in: the datagram entry point and `accepts`, Binding requests
//! answered (RFC 8445 §7.3), responses to our checks handled (§7.2.5); what goes out is in
//! `transmit.rs`.

use core::net::SocketAddr;

use rtcweb_stun_core::demux::{classify, Packet};
use rtcweb_stun_core::turn::Received;
use rtcweb_stun_core::wire::attributes::{
    ErrorCode, IceControlled, IceControlling, Priority, UseCandidate, Username,
};
use rtcweb_stun_core::wire::{Class, Message, Method};

use super::event::{Discard, Receive, Role};
use super::pair::PairState;
use super::Agent;
use crate::candidate::{Candidate, CandidateKind, Foundation};
use crate::Instant;

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
}
