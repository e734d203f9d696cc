//! The Sans-IO ICE [`Agent`] (RFC 8445 full and lite, RFC 8838 trickle, RFC 7675 consent).
//!
//! # Call order
//! The family's verb set:
//! - in: [`handle_receive`](Agent::handle_receive) for every datagram on the agent's sockets
//!   (STUN is taken, media is handed back), [`handle_timeout`](Agent::handle_timeout) at or after
//!   [`poll_timeout`](Agent::poll_timeout), and the mutators (`add_*`, `set_remote_credentials`,
//!   `end_of_remote_candidates`, `restart`, `send`);
//! - out: drain [`poll_transmit`](Agent::poll_transmit), then [`poll_event`](Agent::poll_event),
//!   then read [`poll_timeout`](Agent::poll_timeout).
//!
//! Call `poll_transmit` after every call that takes no `now` (`add_stun_server`, ...): server
//! transactions start there, at the time it is given.
//!
//! # Bounds
//! Pairs, remote and peer-reflexive candidates, servers, local hosts and queued responses are
//! capped by [`AgentConfig`]; beyond a cap new ones are refused (or, for checks from unknown
//! addresses, answered without being learned). Memory is therefore fixed per agent.

mod check;
mod checklist;
mod config;
mod consent;
mod event;
mod gather;
mod pair;
mod timer;
mod transmit;

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;
use core::net::{IpAddr, SocketAddr};

use rtcweb_stun_core::client::ClientTransaction;
use rtcweb_stun_core::turn::TurnClient;
use rtcweb_stun_core::wire::TransactionId;
use rtcweb_stun_core::IntegrityKey;
use zeroize::Zeroizing;

pub use config::AgentConfig;
pub use event::{AgentError, ConnectionState, Discard, IceEvent, Receive, Role};
pub use pair::PairState;
/// The family's transmit types (`rtcweb-proto`), shared with TURN and SIP.
pub use rtcweb_proto::{BufferTooSmall, Transmit, Transport};
pub use transmit::MAX_TRANSMIT_LEN;

use crate::candidate::{Candidate, CandidateKind, Foundation, MAX_LOCAL_PREFERENCE};
use crate::credentials::{self, ICE_CHARS};
use crate::Instant;
use pair::Pair;
use rtcweb_proto::Rng;
use timer::Timers;

/// A local candidate with where its datagrams leave from.
#[derive(Debug, Clone, Copy)]
struct Local {
    cand: Candidate,
    /// The base (RFC 8445 §5.1.1): the host address for host and server-reflexive candidates,
    /// the relayed address for relayed ones.
    base: SocketAddr,
    /// The TURN client a relayed candidate belongs to.
    turn: Option<usize>,
}

/// Server-reflexive gathering: one Binding transaction from a host base to a STUN server.
#[derive(Debug)]
struct Gather {
    base: SocketAddr,
    component: u16,
    server: SocketAddr,
    tx: Option<ClientTransaction>,
    done: bool,
    scheduled: Option<Instant>,
}

/// A relayed candidate's TURN allocation from one host base.
#[derive(Debug)]
struct Turn {
    base: SocketAddr,
    component: u16,
    client: TurnClient,
    started: bool,
    done: bool,
    local: Option<usize>,
    permissions: Vec<IpAddr>,
    channel_for: Option<SocketAddr>,
    scheduled: Option<Instant>,
}

#[derive(Debug, Clone)]
struct TurnServer {
    addr: SocketAddr,
    username: String,
    password: Zeroizing<String>,
}

struct RemoteCredentials {
    ufrag: String,
    pwd: Zeroizing<String>,
    key: IntegrityKey,
    /// USERNAME of our checks: `remote-ufrag:local-ufrag` (RFC 8445 §7.2.2).
    username: String,
}

/// A STUN response waiting for `poll_transmit`, encoded when the request was handled.
#[derive(Debug, Clone, Copy)]
struct Response {
    local: usize,
    to: SocketAddr,
    len: usize,
    bytes: [u8; RESPONSE_MAX],
}

const RESPONSE_MAX: usize = 128;

#[derive(Debug, Clone, Copy)]
enum Out {
    Response(Response),
    Check { pair: usize, tid: TransactionId },
    Keepalive { pair: usize },
}

/// An ICE agent for one data stream. See the [module docs](self) for the call order.
pub struct Agent {
    config: AgentConfig,
    rng: Rng,
    role: Role,
    tie_breaker: u64,
    local_ufrag: String,
    local_pwd: Zeroizing<String>,
    local_key: IntegrityKey,
    /// `local-ufrag:` — the USERNAME prefix of checks for us.
    expected_username: String,
    remote: Option<RemoteCredentials>,
    locals: Vec<Local>,
    remotes: Vec<Candidate>,
    peer_reflexive: usize,
    remote_done: bool,
    pairs: Vec<Pair>,
    triggered: VecDeque<usize>,
    out: VecDeque<Out>,
    /// Responses in `out` (capped by `max_queued_responses`).
    queued_responses: usize,
    events: VecDeque<IceEvent>,
    timers: Timers,
    pace_at: Option<Instant>,
    nominate_at: Option<Instant>,
    selected: Vec<Option<usize>>,
    consent_at: Vec<Option<Instant>>,
    disconnected: bool,
    consent_lost: bool,
    state: ConnectionState,
    stun_servers: Vec<SocketAddr>,
    turn_servers: Vec<TurnServer>,
    gathers: Vec<Gather>,
    turns: Vec<Turn>,
    gathering_reported: bool,
    received_check: bool,
    now: Instant,
}

impl core::fmt::Debug for Agent {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Agent")
            .field("lite", &self.config.lite)
            .field("role", &self.role)
            .field("state", &self.state)
            .field("locals", &self.locals.len())
            .field("remotes", &self.remotes.len())
            .field("pairs", &self.pairs.len())
            .field("selected", &self.selected)
            .finish_non_exhaustive()
    }
}

fn random_string(rng: &mut Rng, len: usize) -> String {
    (0..len)
        .map(|_| {
            let i = rng.below(ICE_CHARS.len() as u64) as usize;
            char::from(ICE_CHARS.get(i).copied().unwrap_or(b'x'))
        })
        .collect()
}

fn username_prefix(ufrag: &str) -> String {
    let mut s = String::with_capacity(ufrag.len() + 1);
    s.push_str(ufrag);
    s.push(':');
    s
}

impl Agent {
    /// A new agent. `seed` is its only randomness (tie-breaker, credentials, transaction IDs,
    /// consent jitter): give 32 bytes from a secure RNG (RFC 8445 §5.3 wants unguessable
    /// passwords; RFC 8489 §6 unpredictable transaction IDs).
    pub fn new(config: AgentConfig, seed: [u8; 32]) -> Self {
        let mut rng = Rng::from_seed(seed);
        let tie_breaker = rng.next_u64();
        let local_ufrag = random_string(&mut rng, 8);
        let local_pwd = Zeroizing::new(random_string(&mut rng, 24));
        let local_key = IntegrityKey::new(local_pwd.as_bytes());
        let components = usize::from(config.components.max(1));
        let mut config = config;
        config.components = config.components.clamp(1, 256);
        if config.lite {
            config.controlling = false;
        }
        Agent {
            role: if config.controlling {
                Role::Controlling
            } else {
                Role::Controlled
            },
            expected_username: username_prefix(&local_ufrag),
            config,
            rng,
            tie_breaker,
            local_ufrag,
            local_pwd,
            local_key,
            remote: None,
            locals: Vec::new(),
            remotes: Vec::new(),
            peer_reflexive: 0,
            remote_done: false,
            pairs: Vec::new(),
            triggered: VecDeque::new(),
            out: VecDeque::new(),
            queued_responses: 0,
            events: VecDeque::new(),
            timers: Timers::default(),
            pace_at: None,
            nominate_at: None,
            selected: alloc::vec![None; components],
            consent_at: alloc::vec![None; components],
            disconnected: false,
            consent_lost: false,
            state: ConnectionState::New,
            stun_servers: Vec::new(),
            turn_servers: Vec::new(),
            gathers: Vec::new(),
            turns: Vec::new(),
            gathering_reported: false,
            received_check: false,
            now: Instant::ZERO,
        }
    }

    // ---- getters -------------------------------------------------------------------------

    /// Our `ice-ufrag` and `ice-pwd`, for the SDP (RFC 8839 §5.4).
    pub fn local_credentials(&self) -> (&str, &str) {
        (&self.local_ufrag, &self.local_pwd)
    }

    /// The `ice-options` to signal: `trickle` (RFC 8840 §4.1.1). Lite agents also signal
    /// `a=ice-lite` (see [`is_lite`](Self::is_lite)).
    pub fn ice_options(&self) -> &'static str {
        "trickle"
    }

    /// Whether this is an ICE-lite agent.
    pub fn is_lite(&self) -> bool {
        self.config.lite
    }

    /// The current role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// Our tie-breaker (RFC 8445 §16.1).
    pub fn tie_breaker(&self) -> u64 {
        self.tie_breaker
    }

    /// The connection state.
    pub fn state(&self) -> ConnectionState {
        self.state
    }

    /// The configuration.
    pub fn config(&self) -> &AgentConfig {
        &self.config
    }

    /// Local candidates gathered so far (host, server-reflexive, relayed), to put into the SDP.
    pub fn local_candidates(&self) -> impl Iterator<Item = &Candidate> + '_ {
        self.locals.iter().map(|l| &l.cand)
    }

    /// Remote candidates known (signalled and peer-reflexive).
    pub fn remote_candidates(&self) -> impl Iterator<Item = &Candidate> + '_ {
        self.remotes.iter()
    }

    /// Every candidate pair: local, remote, state, and whether it is nominated.
    pub fn pairs(&self) -> impl Iterator<Item = (&Candidate, &Candidate, PairState, bool)> + '_ {
        self.pairs.iter().filter_map(|p| {
            Some((
                &self.locals.get(p.local)?.cand,
                self.remotes.get(p.remote)?,
                p.state,
                p.nominated,
            ))
        })
    }

    /// The selected pair of a component (local, remote), once nominated.
    pub fn selected_pair(&self, component: u16) -> Option<(Candidate, Candidate)> {
        let p = self.pairs.get(self.selected_index(component)?)?;
        Some((self.locals.get(p.local)?.cand, *self.remotes.get(p.remote)?))
    }

    /// Deadlines held (stale ones included until they fall due): for memory accounting.
    pub fn pending_timers(&self) -> usize {
        self.timers.len()
    }

    fn selected_index(&self, component: u16) -> Option<usize> {
        self.selected
            .get(usize::from(component).checked_sub(1)?)
            .copied()
            .flatten()
    }

    // ---- mutators ------------------------------------------------------------------------

    /// Adds a host candidate for component 1 at `addr` (an address of one of the integrator's
    /// UDP sockets) and returns it; it is also reported as [`IceEvent::LocalCandidate`].
    pub fn add_local_host(&mut self, addr: SocketAddr) -> Result<Candidate, AgentError> {
        self.add_local_host_for(addr, 1)
    }

    /// Adds a host candidate for `component` (2 is RTCP without rtcp-mux, RFC 8445 §5.1.1.1).
    pub fn add_local_host_for(
        &mut self,
        addr: SocketAddr,
        component: u16,
    ) -> Result<Candidate, AgentError> {
        if component == 0 || component > self.config.components {
            return Err(AgentError::Candidate("component out of range"));
        }
        if addr.ip().is_unspecified() || addr.port() == 0 {
            return Err(AgentError::Candidate("unspecified address or port"));
        }
        if self.locals.iter().any(|l| l.base == addr) {
            return Err(AgentError::Candidate("duplicate host address"));
        }
        let hosts = self
            .locals
            .iter()
            .filter(|l| l.cand.kind == CandidateKind::Host && l.cand.component == component)
            .count();
        if hosts >= self.config.max_local_hosts {
            return Err(AgentError::Limit("local host candidates"));
        }
        let pref = MAX_LOCAL_PREFERENCE - hosts as u16;
        let cand = Candidate::new(
            CandidateKind::Host,
            component,
            addr,
            pref,
            Foundation::compute(CandidateKind::Host, addr.ip(), None),
        );
        let li = self.push_local(cand, addr, None);
        // The next `handle_timeout` starts any gathering and reports `GatheringComplete` when
        // there is none to do (host candidates need no server).
        self.timers.push(self.now, timer::Timer::Start);
        for server in self.stun_servers.clone() {
            self.add_gather(addr, component, server);
        }
        for server in self.turn_servers.clone() {
            self.add_turn(addr, component, &server);
        }
        self.form_pairs_for_local(li);
        Ok(cand)
    }

    /// Gathers server-reflexive candidates from this STUN server (RFC 8445 §5.1.1.2) for every
    /// host candidate of its address family.
    pub fn add_stun_server(&mut self, server: SocketAddr) -> Result<(), AgentError> {
        if self.config.lite {
            return Err(AgentError::Candidate(
                "ICE-lite agents gather host candidates only",
            ));
        }
        if self.stun_servers.len() >= self.config.max_servers {
            return Err(AgentError::Limit("STUN servers"));
        }
        self.stun_servers.push(server);
        let hosts: Vec<_> = self.host_bases();
        for (base, component) in hosts {
            self.add_gather(base, component, server);
        }
        Ok(())
    }

    /// Allocates a relayed candidate on this TURN server (RFC 8656 long-term credentials) for
    /// every host candidate of its address family.
    pub fn add_turn_server(
        &mut self,
        server: SocketAddr,
        username: &str,
        password: &str,
    ) -> Result<(), AgentError> {
        if self.config.lite {
            return Err(AgentError::Candidate(
                "ICE-lite agents gather host candidates only",
            ));
        }
        if self.turn_servers.len() >= self.config.max_servers {
            return Err(AgentError::Limit("TURN servers"));
        }
        let entry = TurnServer {
            addr: server,
            username: username.into(),
            password: Zeroizing::new(password.into()),
        };
        let hosts: Vec<_> = self.host_bases();
        for (base, component) in hosts {
            self.add_turn(base, component, &entry);
        }
        self.turn_servers.push(entry);
        Ok(())
    }

    fn host_bases(&self) -> Vec<(SocketAddr, u16)> {
        self.locals
            .iter()
            .filter(|l| l.cand.kind == CandidateKind::Host)
            .map(|l| (l.base, l.cand.component))
            .collect()
    }

    /// Replaces our generated `ice-ufrag`/`ice-pwd` (a gateway keeping credentials it already
    /// signalled, or a test). They must be 4–256 and 22–256 ice-chars (RFC 8839 §5.4).
    pub fn set_local_credentials(&mut self, ufrag: &str, pwd: &str) -> Result<(), AgentError> {
        credentials::validate(ufrag, pwd)?;
        self.local_ufrag = ufrag.into();
        self.local_pwd = Zeroizing::new(pwd.into());
        self.local_key = IntegrityKey::new(pwd.as_bytes());
        self.expected_username = username_prefix(ufrag);
        if let Some(r) = self.remote.as_mut() {
            r.username.truncate(r.ufrag.len() + 1);
            r.username.push_str(ufrag);
        }
        Ok(())
    }

    /// Sets the peer's `ice-ufrag`/`ice-pwd` (RFC 8445 §5.3). New credentials after earlier ones
    /// mean the peer restarted ICE: its old candidates and our pairs are dropped (call
    /// [`restart`](Self::restart) too, as RFC 8445 §9 requires).
    pub fn set_remote_credentials(&mut self, ufrag: &str, pwd: &str) -> Result<(), AgentError> {
        credentials::validate(ufrag, pwd)?;
        if let Some(r) = &self.remote {
            if r.ufrag == ufrag && *r.pwd == pwd {
                return Ok(());
            }
            self.clear_remote();
        }
        let mut username = String::with_capacity(ufrag.len() + 1 + self.local_ufrag.len());
        username.push_str(ufrag);
        username.push(':');
        username.push_str(&self.local_ufrag);
        self.remote = Some(RemoteCredentials {
            ufrag: ufrag.into(),
            pwd: Zeroizing::new(pwd.into()),
            key: IntegrityKey::new(pwd.as_bytes()),
            username,
        });
        self.schedule_pace(self.now);
        self.update_state();
        Ok(())
    }

    /// Adds a remote candidate, at any time (trickle, RFC 8838 §8.2). TCP candidates, components
    /// we do not have and candidates over the cap are refused; a candidate already learned as
    /// peer-reflexive takes the signalled type and priority.
    pub fn add_remote_candidate(&mut self, cand: Candidate) -> Result<(), AgentError> {
        if cand.transport != crate::candidate::Transport::Udp {
            return Err(AgentError::Candidate("only UDP candidates are paired"));
        }
        if cand.component == 0 || cand.component > self.config.components {
            return Err(AgentError::Candidate("component out of range"));
        }
        if cand.address.port() == 0 || cand.address.ip().is_unspecified() {
            return Err(AgentError::Candidate("unspecified address or port"));
        }
        if let Some(r) = self
            .remotes
            .iter_mut()
            .find(|r| r.address == cand.address && r.component == cand.component)
        {
            if r.kind == CandidateKind::PeerReflexive && cand.kind != CandidateKind::PeerReflexive {
                *r = cand;
                self.recompute_priorities();
            }
            return Ok(());
        }
        if self.remotes.len() >= self.config.max_remote_candidates {
            return Err(AgentError::Limit("remote candidates"));
        }
        self.remotes.push(cand);
        let ri = self.remotes.len() - 1;
        let locals: Vec<usize> = (0..self.locals.len()).collect();
        for li in locals {
            self.form_pair(li, ri);
        }
        self.schedule_pace(self.now);
        self.update_state();
        Ok(())
    }

    /// The peer signalled end-of-candidates (RFC 8838 §8.2): once every pair fails, the state
    /// is `Failed` rather than waiting for more.
    pub fn end_of_remote_candidates(&mut self) {
        self.remote_done = true;
        self.update_state();
    }

    /// ICE restart (RFC 8445 §9): new local ufrag/pwd, remote credentials, candidates and pairs
    /// forgotten, state back to `New`. Local candidates (and TURN allocations) are kept; signal
    /// them again with the new credentials.
    pub fn restart(&mut self) {
        self.local_ufrag = random_string(&mut self.rng, 8);
        self.local_pwd = Zeroizing::new(random_string(&mut self.rng, 24));
        self.local_key = IntegrityKey::new(self.local_pwd.as_bytes());
        self.expected_username = username_prefix(&self.local_ufrag);
        self.remote = None;
        self.clear_remote();
        self.consent_lost = false;
        self.received_check = false;
        self.set_state(ConnectionState::New);
    }

    fn clear_remote(&mut self) {
        self.remotes.clear();
        self.pairs.clear();
        self.triggered.clear();
        self.out.retain(|o| matches!(o, Out::Response(_)));
        self.peer_reflexive = 0;
        self.remote_done = false;
        self.pace_at = None;
        self.nominate_at = None;
        self.selected.iter_mut().for_each(|s| *s = None);
        self.consent_at.iter_mut().for_each(|s| *s = None);
        self.disconnected = false;
        // Deadlines of pairs and consent are stale now; gathering and TURN keep theirs.
        self.timers.clear();
        for i in 0..self.gathers.len() {
            if let Some(g) = self.gathers.get_mut(i) {
                g.scheduled = None;
            }
            self.sync_gather_timer(i);
        }
        for i in 0..self.turns.len() {
            if let Some(t) = self.turns.get_mut(i) {
                t.scheduled = None;
            }
            self.sync_turn_timer(i);
        }
    }

    fn push_local(&mut self, cand: Candidate, base: SocketAddr, turn: Option<usize>) -> usize {
        self.locals.push(Local { cand, base, turn });
        self.events.push_back(IceEvent::LocalCandidate(cand));
        self.locals.len() - 1
    }

    fn set_state(&mut self, state: ConnectionState) {
        if self.state != state {
            self.state = state;
            self.events.push_back(IceEvent::StateChanged(state));
        }
    }

    // ---- out -----------------------------------------------------------------------------

    /// The next event.
    pub fn poll_event(&mut self) -> Option<IceEvent> {
        let e = self.events.pop_front();
        if let Some(_e) = &e {
            rtcweb_proto::log_debug!("ice: {_e:?}");
        }
        e
    }

    /// When to call [`handle_timeout`](Self::handle_timeout) next (O(1): the earliest entry of
    /// a binary heap). `None`: nothing scheduled.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next()
    }
}

#[cfg(test)]
mod tests;
