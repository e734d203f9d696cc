//! ICE agents on the test kit's network (`rtcweb-testkit`): its virtual clock, seeded links
//! with delay, jitter (reordering) and loss, RFC 4787 NAT models, a UDP-blocking firewall, and
//! its STUN and TURN servers. What is ICE's own stays here: agents behind sites' NATs, the
//! routing between them and the servers, and the signalling channel that trickles candidates.
//! No sockets, no sleeps.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use rtcweb_ice_core::{Agent, ConnectionState, IceEvent, Instant, Receive};
use rtcweb_testkit::stun_server::binding_response;
use rtcweb_testkit::{Datagram, Link, Nat, Net, TurnServer};

pub use rtcweb_testkit::{as_ms, ms, NatKind};

pub const STUN_SERVER: &str = "198.51.100.1:3478";
pub const TURN_SERVER: &str = "198.51.100.2:3478";
pub const TURN_USER: &str = "user";
pub const TURN_PASS: &str = "pass";

/// One agent on a site (its private address behind the site's NAT, or public).
pub struct Node {
    pub agent: Agent,
    pub addr: SocketAddr,
    /// Further sockets (RTCP without rtcp-mux).
    pub extra: Vec<SocketAddr>,
    pub site: usize,
    pub connected_at: Option<Instant>,
    pub states: Vec<(Instant, ConnectionState)>,
    pub received: Vec<Vec<u8>>,
    pub discards: usize,
    pub gathered: bool,
}

enum Signal {
    Candidate(String),
    EndOfCandidates,
}

pub struct Sim {
    /// The kit's network: clock (`net.now`), link (`net.link`), seeded RNG (`net.rng`).
    pub net: Net,
    pub nodes: Vec<Node>,
    pub sites: Vec<Nat>,
    pub turn: Option<TurnServer>,
    pub stun_enabled: bool,
    signals: VecDeque<(Instant, usize, Signal)>,
    pub signalling_delay: Duration,
    /// Datagrams a firewall, a NAT's filter or a closed port dropped (the link's losses are in
    /// `net.stats`).
    pub dropped: usize,
}

impl Sim {
    pub fn new(seed: u64) -> Self {
        let mut net = Net::new(seed, Link::WAN);
        net.record = false;
        Sim {
            net,
            nodes: Vec::new(),
            sites: Vec::new(),
            turn: None,
            stun_enabled: true,
            signals: VecDeque::new(),
            signalling_delay: Duration::from_millis(100),
            dropped: 0,
        }
    }

    pub fn enable_turn(&mut self) {
        self.turn = Some(TurnServer::new(TURN_SERVER.parse().unwrap()));
    }

    /// Adds a site with a NAT of `kind` on the public IP `public` (a `UdpBlocked` firewall
    /// passes only the TURN server).
    pub fn add_site(&mut self, kind: NatKind, public: IpAddr) -> usize {
        let mut nat = Nat::new(kind, public);
        nat.allow(TURN_SERVER.parse().unwrap());
        self.sites.push(nat);
        self.sites.len() - 1
    }

    pub fn add_node(&mut self, agent: Agent, site: usize, addr: SocketAddr) -> usize {
        self.nodes.push(Node {
            agent,
            addr,
            extra: Vec::new(),
            site,
            connected_at: None,
            states: Vec::new(),
            received: Vec::new(),
            discards: 0,
            gathered: false,
        });
        self.nodes.len() - 1
    }

    /// Offer/answer: exchange credentials now; candidates trickle as they are gathered.
    pub fn exchange_credentials(&mut self, a: usize, b: usize) {
        let (ua, pa) = {
            let (u, p) = self.nodes[a].agent.local_credentials();
            (u.to_string(), p.to_string())
        };
        let (ub, pb) = {
            let (u, p) = self.nodes[b].agent.local_credentials();
            (u.to_string(), p.to_string())
        };
        self.nodes[a]
            .agent
            .set_remote_credentials(&ub, &pb)
            .unwrap();
        self.nodes[b]
            .agent
            .set_remote_credentials(&ua, &pa)
            .unwrap();
    }

    fn send(&mut self, src: SocketAddr, dst: SocketAddr, data: Vec<u8>) {
        self.net.send(Datagram::udp(src, dst, data));
    }

    /// A datagram leaves node `n`'s socket: through its site's NAT, onto the link.
    fn egress(&mut self, n: usize, node_addr: SocketAddr, dst: SocketAddr, data: Vec<u8>) {
        let site = self.nodes[n].site;
        match self.sites[site].outbound(node_addr, dst) {
            Some(src) => self.send(src, dst, data),
            None => self.dropped += 1,
        }
    }

    /// A datagram arrives at `dst` on the "internet".
    fn ingress(&mut self, p: Datagram) {
        let stun: SocketAddr = STUN_SERVER.parse().unwrap();
        if p.to == stun {
            if self.stun_enabled {
                if let Some(resp) = binding_response(&p.bytes, p.from) {
                    self.send(stun, p.from, resp);
                }
            }
            return;
        }
        if let Some(turn) = self.turn.as_mut() {
            if turn.owns(p.to) {
                for out in turn.handle(p.from, p.to, &p.bytes) {
                    self.net.send(out);
                }
                return;
            }
        }
        // A NAT's public address, or a public node.
        for (site, nat) in self.sites.iter().enumerate() {
            if let Some(private) = nat.inbound(p.from, p.to) {
                if let Some(n) = self.nodes.iter().position(|node| {
                    node.site == site && (node.addr == private || node.extra.contains(&private))
                }) {
                    self.deliver(n, private, p.from, p.bytes);
                    return;
                }
            }
        }
        self.dropped += 1;
    }

    fn deliver(&mut self, n: usize, local: SocketAddr, from: SocketAddr, data: Vec<u8>) {
        let now = self.net.now;
        let node = &mut self.nodes[n];
        match node.agent.handle_receive(now, local, from, &data) {
            Receive::NotStun => node.received.push(data),
            Receive::Relayed { data, .. } => node.received.push(data.to_vec()),
            Receive::Discarded(_) => node.discards += 1,
            Receive::Handled => {}
        }
    }

    fn peer_of(&self, n: usize) -> usize {
        if n == 0 {
            1
        } else {
            0
        }
    }

    /// Drains transmissions and events of every node.
    fn drain(&mut self) {
        let mut buf = vec![0u8; 1500];
        for n in 0..self.nodes.len() {
            loop {
                let now = self.net.now;
                let Ok(Some(t)) = self.nodes[n].agent.poll_transmit(now, &mut buf) else {
                    break;
                };
                let node = &self.nodes[n];
                assert!(
                    t.source == Some(node.addr)
                        || t.source.is_some_and(|s| node.extra.contains(&s)),
                    "agents send from their sockets"
                );
                let data = buf[..t.len].to_vec();
                self.egress(
                    n,
                    t.source.expect("ICE names the source"),
                    t.destination,
                    data,
                );
            }
            while let Some(e) = self.nodes[n].agent.poll_event() {
                let peer = self.peer_of(n);
                let at = self.net.now + self.signalling_delay;
                match e {
                    IceEvent::LocalCandidate(c) => {
                        self.signals
                            .push_back((at, peer, Signal::Candidate(c.to_string())))
                    }
                    IceEvent::GatheringComplete => {
                        self.nodes[n].gathered = true;
                        self.signals.push_back((at, peer, Signal::EndOfCandidates))
                    }
                    IceEvent::StateChanged(s) => {
                        self.nodes[n].states.push((self.net.now, s));
                        if s == ConnectionState::Connected && self.nodes[n].connected_at.is_none() {
                            self.nodes[n].connected_at = Some(self.net.now);
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    fn next_wakeup(&self) -> Option<Instant> {
        let pkt = self.net.next_delivery();
        let sig = self.signals.iter().map(|(t, _, _)| *t).min();
        let agents = self
            .nodes
            .iter()
            .filter_map(|n| n.agent.poll_timeout())
            .min();
        [pkt, sig, agents].into_iter().flatten().min()
    }

    /// Runs until `until` (simulated) or `stop` holds.
    pub fn run(&mut self, until: Instant, mut stop: impl FnMut(&Sim) -> bool) {
        loop {
            self.drain();
            if stop(self) {
                return;
            }
            let Some(next) = self.next_wakeup() else {
                return;
            };
            if next > until {
                self.net.advance_to(until);
                return;
            }
            self.net.advance_to(next);
            let now = self.net.now;
            while let Some(p) = self.net.pop_due() {
                self.ingress(p);
            }
            while let Some(pos) = self.signals.iter().position(|(t, _, _)| *t <= now) {
                let (_, n, sig) = self.signals.remove(pos).unwrap();
                match sig {
                    Signal::Candidate(line) => {
                        let c = rtcweb_ice_core::candidate::Candidate::parse(&line).unwrap();
                        let _ = self.nodes[n].agent.add_remote_candidate(c);
                    }
                    Signal::EndOfCandidates => self.nodes[n].agent.end_of_remote_candidates(),
                }
            }
            for node in &mut self.nodes {
                if node.agent.poll_timeout().is_some_and(|t| t <= now) {
                    node.agent.handle_timeout(now);
                }
            }
        }
    }

    /// Sends `data` from node `n` over its selected pair.
    pub fn send_data(&mut self, n: usize, data: &[u8]) -> bool {
        let mut buf = vec![0u8; 1500];
        let now = self.net.now;
        match self.nodes[n].agent.send(now, data, &mut buf) {
            Ok(t) => {
                let out = buf[..t.len].to_vec();
                self.egress(
                    n,
                    t.source.expect("ICE names the source"),
                    t.destination,
                    out,
                );
                true
            }
            Err(_) => false,
        }
    }
}
