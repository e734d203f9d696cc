//! A deterministic network simulator for ICE agents: a fake clock, links with delay, jitter
//! (reordering) and loss from a seeded RNG, NAT models (RFC 4787 mapping and filtering
//! behaviours), a UDP-blocking firewall, and a STUN and a TURN server. No sockets, no sleeps.
#![allow(dead_code)]

pub mod nat;
pub mod turn;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use rtcweb_ice_core::{Agent, ConnectionState, IceEvent, Instant, Receive};
use rtcweb_stun_core::wire::attributes::XorMappedAddress;
use rtcweb_stun_core::wire::{Class, Message, MessageType, MessageWriter, Method};

pub use nat::{Nat, NatKind};
pub use turn::TurnSim;

pub const STUN_SERVER: &str = "198.51.100.1:3478";
pub const TURN_SERVER: &str = "198.51.100.2:3478";
pub const TURN_USER: &str = "user";
pub const TURN_PASS: &str = "pass";

pub fn ms(n: u64) -> Instant {
    Instant::from_nanos((n * 1_000_000) as i64)
}

pub fn as_ms(t: Instant) -> u64 {
    (t.as_nanos() / 1_000_000) as u64
}

/// A small deterministic RNG (SplitMix64).
#[derive(Debug, Clone)]
pub struct SimRng(pub u64);

impl SimRng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() % 1_000_000) as f64 / 1_000_000.0 < p
    }
    pub fn seed(&mut self) -> [u8; 32] {
        let mut s = [0u8; 32];
        for c in s.chunks_mut(8) {
            c.copy_from_slice(&self.next().to_le_bytes());
        }
        s
    }
}

/// Link behaviour, the same on every path.
#[derive(Debug, Clone, Copy)]
pub struct Link {
    pub delay: Duration,
    /// Uniform extra delay in [0, jitter): reorders packets.
    pub jitter: Duration,
    pub loss: f64,
}

impl Default for Link {
    fn default() -> Self {
        Link {
            delay: Duration::from_millis(20),
            jitter: Duration::from_millis(10),
            loss: 0.01,
        }
    }
}

#[derive(Debug)]
struct Packet {
    src: SocketAddr,
    dst: SocketAddr,
    data: Vec<u8>,
}

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
    pub now: Instant,
    pub rng: SimRng,
    pub link: Link,
    pub nodes: Vec<Node>,
    pub sites: Vec<Nat>,
    pub turn: Option<TurnSim>,
    pub stun_enabled: bool,
    in_flight: BinaryHeap<Reverse<(Instant, u64, usize)>>,
    packets: Vec<Option<Packet>>,
    seq: u64,
    signals: VecDeque<(Instant, usize, Signal)>,
    pub signalling_delay: Duration,
    pub delivered: usize,
    pub dropped: usize,
}

impl Sim {
    pub fn new(seed: u64) -> Self {
        Sim {
            now: Instant::ZERO,
            rng: SimRng(seed),
            link: Link::default(),
            nodes: Vec::new(),
            sites: Vec::new(),
            turn: None,
            stun_enabled: true,
            in_flight: BinaryHeap::new(),
            packets: Vec::new(),
            seq: 0,
            signals: VecDeque::new(),
            signalling_delay: Duration::from_millis(100),
            delivered: 0,
            dropped: 0,
        }
    }

    pub fn enable_turn(&mut self) {
        self.turn = Some(TurnSim::new(TURN_SERVER.parse().unwrap()));
    }

    /// Adds a site with a NAT of `kind`; `public` is its public IP (the node's own IP if `None`).
    pub fn add_site(&mut self, kind: NatKind, public: IpAddr) -> usize {
        self.sites.push(Nat::new(kind, public));
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
        if self.rng.chance(self.link.loss) {
            self.dropped += 1;
            return;
        }
        let jitter = self.link.jitter.as_nanos() as u64;
        let extra = if jitter == 0 {
            0
        } else {
            self.rng.next() % jitter
        };
        let at = self.now + self.link.delay + Duration::from_nanos(extra);
        self.packets.push(Some(Packet { src, dst, data }));
        self.seq += 1;
        self.in_flight
            .push(Reverse((at, self.seq, self.packets.len() - 1)));
    }

    /// A datagram leaves node `n`'s socket: through its site's NAT, onto the link.
    fn egress(&mut self, n: usize, node_addr: SocketAddr, dst: SocketAddr, data: Vec<u8>) {
        let site = self.nodes[n].site;
        let turn_addr: SocketAddr = TURN_SERVER.parse().unwrap();
        match self.sites[site].outbound(node_addr, dst, turn_addr) {
            Some(src) => self.send(src, dst, data),
            None => self.dropped += 1,
        }
    }

    /// A datagram arrives at `dst` on the "internet".
    fn ingress(&mut self, p: Packet) {
        let stun: SocketAddr = STUN_SERVER.parse().unwrap();
        if p.dst == stun {
            if self.stun_enabled {
                if let Some(resp) = stun_response(&p.data, p.src) {
                    self.send(stun, p.src, resp);
                }
            }
            return;
        }
        if let Some(turn) = self.turn.as_mut() {
            if turn.owns(p.dst) {
                let outs = turn.handle(p.src, p.dst, &p.data);
                for (src, dst, data) in outs {
                    self.send(src, dst, data);
                }
                return;
            }
        }
        // A NAT's public address, or a public node.
        for (site, nat) in self.sites.iter_mut().enumerate() {
            if let Some(private) = nat.inbound(p.src, p.dst) {
                if let Some(n) = self.nodes.iter().position(|node| {
                    node.site == site && (node.addr == private || node.extra.contains(&private))
                }) {
                    self.deliver(n, private, p.src, p.data);
                    return;
                }
            }
        }
        self.dropped += 1;
    }

    fn deliver(&mut self, n: usize, local: SocketAddr, from: SocketAddr, data: Vec<u8>) {
        self.delivered += 1;
        let now = self.now;
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
                let now = self.now;
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
                let at = self.now + self.signalling_delay;
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
                        self.nodes[n].states.push((self.now, s));
                        if s == ConnectionState::Connected && self.nodes[n].connected_at.is_none() {
                            self.nodes[n].connected_at = Some(self.now);
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    fn next_wakeup(&self) -> Option<Instant> {
        let pkt = self.in_flight.peek().map(|Reverse((t, _, _))| *t);
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
                self.now = until;
                return;
            }
            self.now = self.now.max(next);
            let now = self.now;
            while let Some(Reverse((t, _, idx))) = self.in_flight.peek().copied() {
                if t > now {
                    break;
                }
                self.in_flight.pop();
                if let Some(p) = self.packets[idx].take() {
                    self.ingress(p);
                }
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
        let now = self.now;
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

fn stun_response(req: &[u8], src: SocketAddr) -> Option<Vec<u8>> {
    let msg = Message::parse(req).ok()?;
    if msg.method() != Method::BINDING || msg.class() != Class::Request {
        return None;
    }
    let mut buf = [0u8; 64];
    let mut w = MessageWriter::new(
        &mut buf,
        MessageType::new(Method::BINDING, Class::Success),
        msg.transaction_id(),
    )
    .ok()?;
    w.add(&XorMappedAddress(src)).ok()?;
    w.add_fingerprint().ok()?;
    let len = w.finish();
    Some(buf[..len].to_vec())
}
