//! Gathering (RFC 8445 §5.1.1): server-reflexive candidates through STUN Binding transactions
//! and relayed candidates through TURN allocations (stun-core's client state machines).

use core::net::SocketAddr;

use rtcweb_stun_core::client::{ClientTransaction, TransactionConfig, TransactionState};
use rtcweb_stun_core::turn::{TurnClient, TurnConfig, TurnEvent};
use rtcweb_stun_core::wire::attributes::XorMappedAddress;
use rtcweb_stun_core::wire::{Class, Message, MessageType, MessageWriter, Method, TransactionId};

use super::event::{transmit, IceEvent};
use super::timer::Timer;
use super::{Agent, Gather, Turn, TurnServer};
use crate::candidate::{Candidate, CandidateKind, Foundation};
use crate::Instant;
use rtcweb_proto::Transmit;

impl Agent {
    pub(super) fn add_gather(&mut self, base: SocketAddr, component: u16, server: SocketAddr) {
        if base.is_ipv4() != server.is_ipv4() {
            return;
        }
        self.gathering_reported = false;
        self.timers.push(self.now, Timer::Start);
        self.gathers.push(Gather {
            base,
            component,
            server,
            tx: None,
            done: false,
            scheduled: None,
        });
    }

    pub(super) fn add_turn(&mut self, base: SocketAddr, component: u16, server: &TurnServer) {
        if base.is_ipv4() != server.addr.is_ipv4() {
            return;
        }
        self.gathering_reported = false;
        self.timers.push(self.now, Timer::Start);
        let mut config = TurnConfig::new(server.addr, &server.username, &server.password);
        config.lifetime = self.config.turn_lifetime;
        let client = TurnClient::new(config, self.rng.seed32());
        self.turns.push(Turn {
            base,
            component,
            client,
            started: false,
            done: false,
            local: None,
            permissions: alloc::vec::Vec::new(),
            channel_for: None,
            scheduled: None,
        });
    }

    /// Starts transactions added since the last call (they need a `now`).
    pub(super) fn start_servers(&mut self, now: Instant) {
        for i in 0..self.gathers.len() {
            let mut tid = TransactionId::default();
            let pending = self
                .gathers
                .get(i)
                .is_some_and(|g| g.tx.is_none() && !g.done);
            if !pending {
                continue;
            }
            self.rng.fill(&mut tid.0);
            let mut req = [0u8; 28];
            let typ = MessageType::new(Method::BINDING, Class::Request);
            let len = MessageWriter::new(&mut req, typ, tid)
                .ok()
                .and_then(|mut w| {
                    w.add_fingerprint().ok()?;
                    Some(w.finish())
                });
            let tx = len.and_then(|len| {
                let config = TransactionConfig::default();
                ClientTransaction::new(now, req.get(..len)?, false, config).ok()
            });
            if let Some(g) = self.gathers.get_mut(i) {
                match tx {
                    Some(tx) => g.tx = Some(tx),
                    None => g.done = true,
                }
            }
        }
        for i in 0..self.turns.len() {
            let Some(t) = self.turns.get_mut(i) else {
                continue;
            };
            if t.started {
                continue;
            }
            t.started = true;
            if t.client.allocate(now).is_err() {
                t.done = true;
            }
            self.sync_turn_timer(i);
        }
        self.check_gathering_complete();
    }

    /// STUN and TURN server traffic for `poll_transmit`.
    pub(super) fn poll_server_transmit(
        &mut self,
        now: Instant,
        buf: &mut [u8],
    ) -> Option<Transmit> {
        for i in 0..self.gathers.len() {
            let Some(g) = self.gathers.get_mut(i) else {
                continue;
            };
            let (base, server) = (g.base, g.server);
            let Some(tx) = g.tx.as_mut() else { continue };
            if let Some(bytes) = tx.poll_transmit(now) {
                let len = bytes.len();
                let dst = buf.get_mut(..len)?;
                dst.copy_from_slice(bytes);
                self.sync_gather_timer(i);
                return Some(transmit(base, server, len));
            }
        }
        for i in 0..self.turns.len() {
            let Some(t) = self.turns.get_mut(i) else {
                continue;
            };
            let base = t.base;
            if let Ok(Some(tr)) = t.client.poll_transmit(now, buf) {
                self.sync_turn_timer(i);
                return Some(transmit(base, tr.destination, tr.len));
            }
        }
        None
    }

    pub(super) fn sync_gather_timer(&mut self, i: usize) {
        let Some(g) = self.gathers.get_mut(i) else {
            return;
        };
        let next = g.tx.as_ref().and_then(ClientTransaction::poll_timeout);
        if let Some(at) = next {
            if g.scheduled != Some(at) {
                g.scheduled = Some(at);
                self.timers.push(at, Timer::Gather(i));
            }
        }
    }

    pub(super) fn sync_turn_timer(&mut self, i: usize) {
        let Some(t) = self.turns.get_mut(i) else {
            return;
        };
        if let Some(at) = t.client.poll_timeout() {
            if t.scheduled != Some(at) {
                t.scheduled = Some(at);
                self.timers.push(at, Timer::Turn(i));
            }
        }
    }

    pub(super) fn gather_timer(&mut self, now: Instant, i: usize, at: Instant) {
        let Some(g) = self.gathers.get_mut(i) else {
            return;
        };
        if g.scheduled != Some(at) {
            return;
        }
        g.scheduled = None;
        if let Some(tx) = g.tx.as_mut() {
            tx.handle_timeout(now);
            if tx.state() == TransactionState::TimedOut {
                g.done = true;
            }
        }
        self.sync_gather_timer(i);
        self.check_gathering_complete();
    }

    pub(super) fn turn_timer(&mut self, now: Instant, i: usize, at: Instant) {
        let Some(t) = self.turns.get_mut(i) else {
            return;
        };
        if t.scheduled != Some(at) {
            return;
        }
        t.scheduled = None;
        t.client.handle_timeout(now);
        self.turn_events(now, i);
        self.sync_turn_timer(i);
    }

    /// A Binding response from a STUN server: maybe a server-reflexive candidate.
    pub(super) fn gather_response(&mut self, _now: Instant, i: usize, msg: &Message<'_>) {
        let Some(g) = self.gathers.get_mut(i) else {
            return;
        };
        let Some(tx) = g.tx.as_mut() else { return };
        if !tx.handle_response(msg) {
            return;
        }
        g.done = true;
        let (base, component, server) = (g.base, g.component, g.server);
        if msg.class() == Class::Success {
            if let Ok(Some(XorMappedAddress(mapped))) = msg.attribute::<XorMappedAddress>() {
                self.add_reflexive(base, component, server, mapped);
            }
        }
        self.check_gathering_complete();
    }

    fn add_reflexive(
        &mut self,
        base: SocketAddr,
        component: u16,
        server: SocketAddr,
        mapped: SocketAddr,
    ) {
        // Same as a candidate we have (no NAT, or a second server saw the same mapping): redundant.
        if self
            .locals
            .iter()
            .any(|l| l.cand.address == mapped && l.cand.component == component)
        {
            return;
        }
        let pref = self
            .locals
            .iter()
            .find(|l| l.base == base && l.cand.kind == CandidateKind::Host)
            .map_or(0, |l| ((l.cand.priority >> 8) & 0xffff) as u16);
        let mut cand = Candidate::new(
            CandidateKind::ServerReflexive,
            component,
            mapped,
            pref,
            Foundation::compute(CandidateKind::ServerReflexive, base.ip(), Some(server.ip())),
        );
        cand.related = Some(base);
        self.push_local(cand, base, None);
    }

    /// Reacts to what a TURN client reports.
    pub(super) fn turn_events(&mut self, _now: Instant, i: usize) {
        loop {
            let Some(t) = self.turns.get_mut(i) else {
                return;
            };
            let Some(event) = t.client.poll_event() else {
                break;
            };
            let (base, component, server) = (t.base, t.component, t.client.server());
            match event {
                TurnEvent::Allocated {
                    relayed, mapped, ..
                } => {
                    t.done = true;
                    let pref = self
                        .locals
                        .iter()
                        .find(|l| l.base == base && l.cand.kind == CandidateKind::Host)
                        .map_or(0, |l| ((l.cand.priority >> 8) & 0xffff) as u16);
                    let mut cand = Candidate::new(
                        CandidateKind::Relayed,
                        component,
                        relayed,
                        pref,
                        Foundation::compute(CandidateKind::Relayed, base.ip(), Some(server.ip())),
                    );
                    cand.related = mapped;
                    let li = self.push_local(cand, relayed, Some(i));
                    if let Some(t) = self.turns.get_mut(i) {
                        t.local = Some(li);
                    }
                    if let Some(m) = mapped {
                        self.add_reflexive(base, component, server, m);
                    }
                    self.form_pairs_for_local(li);
                }
                TurnEvent::AllocationFailed { .. } => {
                    t.done = true;
                }
                _ => {}
            }
        }
        self.check_gathering_complete();
    }

    pub(super) fn check_gathering_complete(&mut self) {
        if self.gathering_reported {
            return;
        }
        let pending = self.gathers.iter().any(|g| !g.done) || self.turns.iter().any(|t| !t.done);
        if !pending {
            self.gathering_reported = true;
            self.events.push_back(IceEvent::GatheringComplete);
        }
    }
}
