//! The check list (RFC 8445 §6.1.2–§6.1.4, §8): pair formation, pruning and ordering, frozen and
//! waiting pairs, the triggered-check queue, Ta pacing, retransmissions, regular nomination, the
//! selected pair and the connection state.

use core::time::Duration;

use rtcweb_stun_core::wire::TransactionId;

use super::event::{ConnectionState, IceEvent, Role};
use super::pair::{pair_foundation, Check, Pair, PairState};
use super::timer::{after, Timer};
use super::{Agent, Out};
use crate::candidate::{pair_priority, CandidateKind};
use crate::Instant;

impl Agent {
    /// Pairs a new local candidate with every remote one.
    pub(super) fn form_pairs_for_local(&mut self, li: usize) {
        for ri in 0..self.remotes.len() {
            self.form_pair(li, ri);
        }
        self.schedule_pace(self.now);
    }

    /// Forms the pair (local, remote) if it may exist (RFC 8445 §6.1.2.2): same component and
    /// address family, UDP, and a local host or relayed candidate (server-reflexive ones are
    /// replaced by their base, which is the host candidate: §6.1.2.4 pruning). Over the cap the
    /// lowest-priority frozen or waiting pair is replaced, or the new pair dropped (§6.1.2.5).
    pub(super) fn form_pair(&mut self, li: usize, ri: usize) -> Option<usize> {
        let (Some(local), Some(remote)) = (self.locals.get(li), self.remotes.get(ri)) else {
            return None;
        };
        if local.cand.component != remote.component
            || local.cand.address.is_ipv4() != remote.address.is_ipv4()
            || !matches!(
                local.cand.kind,
                CandidateKind::Host | CandidateKind::Relayed
            )
        {
            return None;
        }
        if let Some(i) = self
            .pairs
            .iter()
            .position(|p| p.local == li && p.remote == ri)
        {
            return Some(i);
        }
        let priority = self.priority_of(local.cand.priority, remote.priority);
        let foundation =
            pair_foundation(local.cand.foundation.as_str(), remote.foundation.as_str());
        let component = local.cand.component;
        let remote_ip = remote.address.ip();
        let turn = local.turn;
        // A new foundation starts Waiting, others Frozen (§6.1.2.6); lite agents do not check.
        let active = self.pairs.iter().any(|p| {
            p.foundation == foundation
                && matches!(p.state, PairState::Waiting | PairState::InProgress)
        });
        // Once a component has its selected pair, new pairs are not checked (RFC 8445 §8.1.2),
        // unless the peer checks them (a triggered check revives them).
        let settled = self.selected_index(component).is_some();
        let state = if settled && !self.config.lite {
            PairState::Failed
        } else if self.config.lite || active {
            PairState::Frozen
        } else {
            PairState::Waiting
        };
        let pair = Pair {
            local: li,
            remote: ri,
            component,
            priority,
            foundation,
            state,
            nominated: false,
            nominating: false,
            nominate_on_success: false,
            check: None,
            last_consent: self.now,
            last_sent: self.now,
        };
        let index = if self.pairs.len() < self.config.max_pairs {
            self.pairs.push(pair);
            self.pairs.len() - 1
        } else {
            // Replace the lowest-priority pair that is not being checked or used.
            let victim = self
                .pairs
                .iter()
                .enumerate()
                .filter(|(i, p)| {
                    matches!(
                        p.state,
                        PairState::Frozen | PairState::Waiting | PairState::Failed
                    ) && !self.selected.contains(&Some(*i))
                        && !p.nominated
                })
                .min_by_key(|(_, p)| p.priority)
                .filter(|(_, p)| p.priority < priority)
                .map(|(i, _)| i)?;
            self.triggered.retain(|&t| t != victim);
            *self.pairs.get_mut(victim)? = pair;
            victim
        };
        // A relayed local candidate needs a permission for the peer before checks pass (RFC 8656 §9).
        if let Some(ti) = turn {
            let now = self.now;
            if let Some(t) = self.turns.get_mut(ti) {
                if !t.permissions.contains(&remote_ip)
                    && t.client.create_permission(now, remote_ip).is_ok()
                {
                    t.permissions.push(remote_ip);
                }
            }
            self.sync_turn_timer(ti);
        }
        Some(index)
    }

    pub(super) fn find_or_form_pair(&mut self, li: usize, ri: usize) -> Option<usize> {
        self.form_pair(li, ri)
    }

    fn priority_of(&self, local: u32, remote: u32) -> u64 {
        match self.role {
            Role::Controlling => pair_priority(local, remote),
            Role::Controlled => pair_priority(remote, local),
        }
    }

    pub(super) fn recompute_priorities(&mut self) {
        for i in 0..self.pairs.len() {
            let prio = self.pairs.get(i).and_then(|p| {
                let l = self.locals.get(p.local)?.cand.priority;
                let r = self.remotes.get(p.remote)?.priority;
                Some(self.priority_of(l, r))
            });
            if let (Some(prio), Some(p)) = (prio, self.pairs.get_mut(i)) {
                p.priority = prio;
            }
        }
    }

    /// Switches role after a conflict (RFC 8445 §7.3.1.1, §7.2.5.1): pair priorities change.
    pub(super) fn switch_role(&mut self, role: Role) {
        if self.role == role {
            return;
        }
        self.role = role;
        self.recompute_priorities();
        if role == Role::Controlled {
            self.nominate_at = None;
            for p in &mut self.pairs {
                p.nominating = false;
            }
        }
        self.events.push_back(IceEvent::RoleChanged(role));
    }

    /// Makes sure a paced tick is scheduled (no earlier than `now`).
    pub(super) fn schedule_pace(&mut self, now: Instant) {
        if self.config.lite || self.remote.is_none() || self.pace_at.is_some() {
            return;
        }
        let has_work = !self.triggered.is_empty()
            || self
                .pairs
                .iter()
                .any(|p| matches!(p.state, PairState::Waiting | PairState::Frozen));
        if has_work {
            self.pace_at = Some(now);
            self.timers.push(now, Timer::Pace);
        }
    }

    /// Advances time: paced checks, retransmissions, nomination, consent, keepalives, and the
    /// STUN and TURN transactions.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.now = self.now.max(now);
        let now = self.now;
        while let Some((at, timer)) = self.timers.pop_due(now) {
            match timer {
                Timer::Pace => {
                    if self.pace_at == Some(at) {
                        self.pace_at = None;
                        if self.pace_tick(now) {
                            let next = after(now, self.config.ta);
                            self.pace_at = Some(next);
                            self.timers.push(next, Timer::Pace);
                        }
                    }
                }
                Timer::Check(pi) => {
                    let due = self
                        .pairs
                        .get(pi)
                        .and_then(|p| p.check)
                        .is_some_and(|c| c.deadline == Some(at));
                    if due {
                        self.check_deadline(now, pi);
                    }
                }
                Timer::Nominate => {
                    if self.nominate_at == Some(at) {
                        self.nominate_at = None;
                        self.nominate_best(now, true);
                    }
                }
                Timer::Consent(c) => self.consent_timer(now, c, at),
                Timer::Keepalive(c) => self.keepalive_timer(now, c, at),
                Timer::Gather(i) => self.gather_timer(now, i, at),
                Timer::Turn(i) => self.turn_timer(now, i, at),
                Timer::Start => self.start_servers(now),
            }
        }
        self.update_selection(now);
        self.maybe_nominate(now);
        self.update_state();
    }

    /// One Ta tick (RFC 8445 §6.1.4.2): the triggered queue first, then the highest-priority
    /// waiting pair, else unfreeze one. Returns whether a check was started.
    fn pace_tick(&mut self, now: Instant) -> bool {
        if self.remote.is_none() {
            return false;
        }
        while let Some(pi) = self.triggered.pop_front() {
            let ready = self.pairs.get(pi).is_some_and(|p| {
                p.check.is_none() && (p.state == PairState::Waiting || p.nominating)
            });
            if ready {
                self.start_check(now, pi);
                return true;
            }
        }
        let waiting = self
            .pairs
            .iter()
            .enumerate()
            .filter(|(_, p)| p.state == PairState::Waiting && p.check.is_none())
            .max_by_key(|(_, p)| p.priority)
            .map(|(i, _)| i);
        if let Some(pi) = waiting {
            self.start_check(now, pi);
            return true;
        }
        // No waiting pair: unfreeze the best frozen pair whose foundation is idle (§6.1.4.2).
        let frozen = self
            .pairs
            .iter()
            .enumerate()
            .filter(|(_, p)| p.state == PairState::Frozen)
            .filter(|(_, p)| {
                !self.pairs.iter().any(|q| {
                    q.foundation == p.foundation
                        && matches!(q.state, PairState::Waiting | PairState::InProgress)
                })
            })
            .max_by_key(|(_, p)| p.priority)
            .map(|(i, _)| i);
        if let Some(pi) = frozen {
            self.start_check(now, pi);
            return true;
        }
        false
    }

    fn new_tid(&mut self) -> TransactionId {
        let mut tid = TransactionId::default();
        self.rng.fill(&mut tid.0);
        tid
    }

    pub(super) fn start_check(&mut self, now: Instant, pi: usize) {
        self.start_transaction(now, pi, false);
    }

    /// Starts a check (or consent check) on pair `pi` and queues its first transmission.
    pub(super) fn start_transaction(&mut self, _now: Instant, pi: usize, consent: bool) {
        let tid = self.new_tid();
        let controlling = self.role == Role::Controlling;
        // RTO = MAX(500 ms, Ta × (Num-Waiting + Num-In-Progress)) (RFC 8445 §14.3): many pairs
        // in flight retransmit less often.
        let active = self
            .pairs
            .iter()
            .filter(|p| matches!(p.state, PairState::Waiting | PairState::InProgress))
            .count();
        let rto = if consent {
            self.config.check_rto
        } else {
            self.config
                .check_rto
                .max(self.config.ta.saturating_mul(active as u32))
        };
        let Some(p) = self.pairs.get_mut(pi) else {
            return;
        };
        p.check = Some(Check {
            tid,
            sends: 0,
            rto,
            initial_rto: rto,
            deadline: None,
            use_candidate: p.nominating && !consent,
            consent,
            controlling,
        });
        if !consent && p.state != PairState::Succeeded {
            p.state = PairState::InProgress;
        }
        self.out.push_back(Out::Check { pair: pi, tid });
    }

    /// Called when a check's bytes go out: schedules its retransmission (RFC 8489 §6.2.1 with
    /// the ICE RTO, RFC 8445 §14.3).
    pub(super) fn mark_check_sent(&mut self, now: Instant, pi: usize) {
        let sends_max = self.config.check_sends.max(1);
        let Some(p) = self.pairs.get_mut(pi) else {
            return;
        };
        p.last_sent = now;
        let Some(c) = p.check.as_mut() else { return };
        c.sends += 1;
        let wait = if c.sends >= sends_max {
            // The last wait is Rm × RTO (RFC 8489 §6.2.1, Rm = 16).
            c.initial_rto.saturating_mul(16)
        } else {
            let w = c.rto;
            c.rto = c.rto.saturating_mul(2);
            w
        };
        let at = after(now, wait);
        c.deadline = Some(at);
        self.timers.push(at, Timer::Check(pi));
    }

    fn check_deadline(&mut self, now: Instant, pi: usize) {
        let sends_max = self.config.check_sends.max(1);
        let Some(p) = self.pairs.get_mut(pi) else {
            return;
        };
        let Some(c) = p.check.as_mut() else { return };
        if c.sends < sends_max {
            c.deadline = None;
            let tid = c.tid;
            self.out.push_back(Out::Check { pair: pi, tid });
            return;
        }
        let consent = c.consent;
        p.check = None;
        if !consent {
            // The check timed out: the pair fails (RFC 8445 §7.2.5.2.4... §14.3).
            if p.state != PairState::Succeeded {
                rtcweb_proto::log_debug!("ice: pair {pi} failed: no response to its check");
                p.state = PairState::Failed;
            }
            p.nominating = false;
        }
        let _ = now;
    }

    /// Regular nomination (RFC 8445 §8.1.1): once a component has a valid pair, the controlling
    /// agent nominates the best one when no better pair can still succeed, or after
    /// `nomination_wait`.
    pub(super) fn maybe_nominate(&mut self, now: Instant) {
        if self.config.lite || self.role != Role::Controlling || self.remote.is_none() {
            return;
        }
        self.nominate_best(now, false);
    }

    fn nominate_best(&mut self, now: Instant, deadline_passed: bool) {
        if self.config.lite || self.role != Role::Controlling {
            return;
        }
        for component in 1..=self.config.components {
            let busy = self
                .pairs
                .iter()
                .any(|p| p.component == component && (p.nominated || p.nominating));
            if busy {
                continue;
            }
            let best = self
                .pairs
                .iter()
                .enumerate()
                .filter(|(_, p)| p.component == component && p.state == PairState::Succeeded)
                .max_by_key(|(_, p)| p.priority)
                .map(|(i, p)| (i, p.priority));
            let Some((bi, best_prio)) = best else {
                continue;
            };
            let better_pending = self.pairs.iter().any(|p| {
                p.component == component
                    && p.priority > best_prio
                    && matches!(
                        p.state,
                        PairState::Frozen | PairState::Waiting | PairState::InProgress
                    )
            });
            if better_pending && !deadline_passed {
                if self.nominate_at.is_none() {
                    let at = after(now, self.config.nomination_wait);
                    self.nominate_at = Some(at);
                    self.timers.push(at, Timer::Nominate);
                }
                continue;
            }
            if let Some(p) = self.pairs.get_mut(bi) {
                p.nominating = true;
            }
            self.triggered.push_front(bi);
            self.schedule_pace(now);
            if self.pace_at.is_none() {
                self.pace_at = Some(now);
                self.timers.push(now, Timer::Pace);
            }
        }
    }

    /// Picks each component's selected pair: the highest-priority nominated valid pair (RFC 8445
    /// §8.1.1). A new selection stops checks on that component's other pairs (§8.1.2) and starts
    /// consent (full) or keepalives (lite).
    pub(super) fn update_selection(&mut self, now: Instant) {
        for component in 1..=self.config.components {
            let best = self
                .pairs
                .iter()
                .enumerate()
                .filter(|(_, p)| {
                    p.component == component && p.nominated && p.state == PairState::Succeeded
                })
                .max_by_key(|(_, p)| p.priority)
                .map(|(i, _)| i);
            let slot = usize::from(component - 1);
            let current = self.selected.get(slot).copied().flatten();
            if best.is_none() || best == current {
                continue;
            }
            if let Some(s) = self.selected.get_mut(slot) {
                *s = best;
            }
            let Some(bi) = best else { continue };
            // Stop the other checks of this component (RFC 8445 §8.1.2).
            let best_prio = self.pairs.get(bi).map_or(0, |p| p.priority);
            for (i, p) in self.pairs.iter_mut().enumerate() {
                if i == bi || p.component != component {
                    continue;
                }
                match p.state {
                    PairState::Frozen | PairState::Waiting => p.state = PairState::Failed,
                    PairState::InProgress if p.priority < best_prio => {
                        p.state = PairState::Failed;
                        p.check = None;
                    }
                    _ => {}
                }
            }
            self.triggered.retain(|&t| {
                self.pairs
                    .get(t)
                    .is_some_and(|p| p.component != component || t == bi)
            });
            self.nominate_at = None;
            let (local, remote, remote_addr, turn) = match self.pairs.get_mut(bi) {
                Some(p) => {
                    p.last_consent = now;
                    let local = self.locals.get(p.local);
                    let remote = self.remotes.get(p.remote);
                    match (local, remote) {
                        (Some(l), Some(r)) => (l.cand, *r, r.address, l.turn),
                        _ => continue,
                    }
                }
                None => continue,
            };
            // A channel makes relayed data 4 bytes of overhead instead of 36 (RFC 8656 §12).
            if let Some(ti) = turn {
                if let Some(t) = self.turns.get_mut(ti) {
                    if t.channel_for != Some(remote_addr)
                        && t.client.bind_channel(now, remote_addr).is_ok()
                    {
                        t.channel_for = Some(remote_addr);
                    }
                }
                self.sync_turn_timer(ti);
            }
            self.events.push_back(IceEvent::SelectedPair {
                component,
                local,
                remote,
            });
            self.start_liveness(now, component);
        }
    }

    /// Recomputes the connection state from the check list.
    pub(super) fn update_state(&mut self) {
        if self.state == ConnectionState::Failed {
            return;
        }
        let all_selected = self.selected.iter().all(Option::is_some);
        let state = if all_selected {
            let checking = self.pairs.iter().any(|p| {
                matches!(p.state, PairState::Waiting | PairState::InProgress)
                    || p.check.is_some_and(|c| !c.consent)
            });
            if self.disconnected {
                ConnectionState::Disconnected
            } else if checking {
                ConnectionState::Connected
            } else {
                ConnectionState::Completed
            }
        } else if self.remote.is_some() && (!self.remotes.is_empty() || self.received_check) {
            let live = self
                .pairs
                .iter()
                .any(|p| p.state != PairState::Failed || p.check.is_some())
                || !self.triggered.is_empty();
            let gathering =
                self.gathers.iter().any(|g| !g.done) || self.turns.iter().any(|t| !t.done);
            if !self.config.lite && self.remote_done && !live && !gathering {
                ConnectionState::Failed
            } else {
                ConnectionState::Checking
            }
        } else if self.config.lite && self.received_check {
            ConnectionState::Checking
        } else {
            self.state
        };
        if state == ConnectionState::Completed
            && matches!(self.state, ConnectionState::New | ConnectionState::Checking)
        {
            self.set_state(ConnectionState::Connected);
        }
        self.set_state(state);
    }

    /// How long until a jittered consent check: the interval × a factor in [0.8, 1.2]
    /// (RFC 7675 §5.1).
    pub(super) fn jittered(&mut self, base: Duration) -> Duration {
        let permille = 800 + self.rng.below(401);
        base.saturating_mul(permille as u32) / 1000
    }
}
