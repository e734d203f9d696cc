//! Interop with a real TURN server: coturn on 127.0.0.1 (TURN REST credentials) gives agent A a
//! relayed candidate; the test blocks A's host socket for everything but coturn, so the checks,
//! the nomination and the data between A and agent B really go through the relay (Send
//! indications / ChannelData wrapped by the agent). coturn is installed if missing, started on
//! a free port and stopped by PID.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use rtcweb_ice_core::candidate::CandidateKind;
use rtcweb_ice_core::{Agent, AgentConfig, ConnectionState, IceEvent, Instant, Receive};
use rtcweb_stun_core::credentials::ephemeral;

mod common;
use common::coturn::{start_coturn, SECRET};

struct Clock(std::time::Instant);
impl Clock {
    fn now(&self) -> Instant {
        Instant::from_nanos(self.0.elapsed().as_nanos() as i64)
    }
}

/// One agent on one UDP socket; `only` restricts the socket to one remote address (the test's
/// firewall).
struct Node {
    agent: Agent,
    socket: UdpSocket,
    addr: SocketAddr,
    only: Option<SocketAddr>,
    blocked: usize,
    received: Vec<Vec<u8>>,
    events: Vec<IceEvent>,
}

impl Node {
    fn new(agent: Agent, only: Option<SocketAddr>) -> Node {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.set_nonblocking(true).unwrap();
        let addr = socket.local_addr().unwrap();
        Node {
            agent,
            socket,
            addr,
            only,
            blocked: 0,
            received: vec![],
            events: vec![],
        }
    }

    fn pump(&mut self, clock: &Clock) {
        let mut buf = [0u8; 1500];
        while let Ok((n, from)) = self.socket.recv_from(&mut buf) {
            if self.only.is_some_and(|o| o != from) {
                self.blocked += 1;
                continue;
            }
            match self
                .agent
                .handle_receive(clock.now(), self.addr, from, &buf[..n])
            {
                Receive::NotStun => self.received.push(buf[..n].to_vec()),
                Receive::Relayed { data, .. } => self.received.push(data.to_vec()),
                _ => {}
            }
        }
        let now = clock.now();
        if self.agent.poll_timeout().is_some_and(|t| t <= now) {
            self.agent.handle_timeout(now);
        }
        while let Ok(Some(t)) = self.agent.poll_transmit(clock.now(), &mut buf) {
            assert_eq!(t.source, Some(self.addr));
            if self.only.is_some_and(|o| o != t.destination) {
                self.blocked += 1;
                continue;
            }
            let _ = self.socket.send_to(&buf[..t.len], t.destination);
        }
        while let Some(e) = self.agent.poll_event() {
            self.events.push(e);
        }
    }

    fn connected(&self) -> bool {
        matches!(
            self.agent.state(),
            ConnectionState::Connected | ConnectionState::Completed
        )
    }

    fn send(&mut self, clock: &Clock, data: &[u8]) {
        let mut buf = [0u8; 1500];
        let t = self.agent.send(clock.now(), data, &mut buf).unwrap();
        assert!(self.only.is_none_or(|o| o == t.destination));
        self.socket.send_to(&buf[..t.len], t.destination).unwrap();
    }
}

/// Signals every new local candidate of `from` to `to` (trickle, as strings through SDP).
fn trickle(from: &mut Node, to: &mut Node, sent: &mut usize) {
    let cands: Vec<String> = from
        .agent
        .local_candidates()
        .map(|c| c.to_string())
        .collect();
    for line in cands.iter().skip(*sent) {
        let c = rtcweb_ice_core::candidate::Candidate::parse(line).unwrap();
        to.agent.add_remote_candidate(c).unwrap();
    }
    *sent = cands.len();
}

#[test]
fn relayed_candidate_through_coturn_carries_checks_and_data() {
    let server = start_coturn();
    let clock = Clock(std::time::Instant::now());
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut ubuf = [0u8; 64];
    let username = ephemeral::username(&mut ubuf, unix + 600, "ice").unwrap();
    let password = ephemeral::password(SECRET.as_bytes(), username);

    let mut a = Node::new(
        Agent::new(AgentConfig::default(), [11; 32]),
        Some(server.addr),
    );
    let mut b = Node::new(Agent::new(AgentConfig::controlled_full(), [12; 32]), None);
    a.agent.add_local_host(a.addr).unwrap();
    b.agent.add_local_host(b.addr).unwrap();
    a.agent
        .add_turn_server(server.addr, username, password.as_str())
        .unwrap();
    let (ua, pa) = a.agent.local_credentials();
    let (ua, pa) = (ua.to_string(), pa.to_string());
    let (ub, pb) = b.agent.local_credentials();
    let (ub, pb) = (ub.to_string(), pb.to_string());
    a.agent.set_remote_credentials(&ub, &pb).unwrap();
    b.agent.set_remote_credentials(&ua, &pa).unwrap();

    let (mut sent_a, mut sent_b) = (0, 0);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !(a.connected() && b.connected()) {
        assert!(
            std::time::Instant::now() < deadline,
            "no connection in 20 s: A {:?} B {:?}\nA events {:?}",
            a.agent.state(),
            b.agent.state(),
            a.events
        );
        a.pump(&clock);
        b.pump(&clock);
        trickle(&mut a, &mut b, &mut sent_a);
        trickle(&mut b, &mut a, &mut sent_b);
        std::thread::sleep(Duration::from_millis(2));
    }
    let (local, remote) = a.agent.selected_pair(1).unwrap();
    assert_eq!(
        local.kind,
        CandidateKind::Relayed,
        "A's selected pair is relayed"
    );
    assert_eq!(remote.address, b.addr);
    let (_, b_remote) = b.agent.selected_pair(1).unwrap();
    assert_eq!(
        b_remote.address, local.address,
        "B sees A at its relayed address"
    );
    assert!(a.blocked > 0, "host checks were attempted and blocked");

    // Data both ways through coturn (ChannelData once the channel is bound, Send before).
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut i = 0u32;
    while !(a.received.iter().any(|d| d.starts_with(b"\x80pong"))
        && b.received.iter().any(|d| d.starts_with(b"\x80ping")))
    {
        assert!(
            std::time::Instant::now() < deadline,
            "no data through the relay"
        );
        if i % 50 == 0 {
            a.send(&clock, b"\x80ping");
            b.send(&clock, b"\x80pong");
        }
        i += 1;
        a.pump(&clock);
        b.pump(&clock);
        std::thread::sleep(Duration::from_millis(2));
    }
    println!(
        "connected through coturn: A {} -> B {} (blocked {} direct datagrams)",
        local.address, remote.address, a.blocked
    );
}
