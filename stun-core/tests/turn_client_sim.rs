//! The TURN client against a simulated TURN server on the test kit's virtual clock and a lossy,
//! duplicating in-memory link (`rtcweb-testkit`): deterministic, no sockets, no sleeps.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::ops::{Deref, DerefMut};
use std::time::Duration;

use rtcweb_stun_core::credentials::long_term_key_md5;
use rtcweb_stun_core::turn::{Received, TurnClient, TurnConfig, TurnEvent};
use rtcweb_stun_core::wire::attributes::*;
use rtcweb_stun_core::wire::{Class, Message, MessageType, MessageWriter, Method};
use rtcweb_stun_core::{Instant, IntegrityKey};
use rtcweb_testkit::{BufferTooSmall, Datagram, Link, Net, Node, Peer, Transmit};

const USER: &str = "alice";
const PASS: &str = "secret";
const REALM: &str = "sim.test";

fn server_addr() -> SocketAddr {
    "192.0.2.10:3478".parse().unwrap()
}
fn client_addr() -> SocketAddr {
    "10.0.0.2:5000".parse().unwrap()
}
fn relayed() -> SocketAddr {
    "192.0.2.10:50000".parse().unwrap()
}
fn peer() -> SocketAddr {
    "203.0.113.5:7000".parse().unwrap()
}

/// A TURN server model: long-term auth with a nonce it can make stale, and counters.
struct SimServer {
    key: IntegrityKey,
    nonce: String,
    /// Make the nonce stale once, after this many authenticated requests.
    stale_after: Option<usize>,
    authenticated: usize,
    silent: bool,
    counts: std::collections::HashMap<&'static str, usize>,
    relayed_to_peer: Vec<Vec<u8>>,
    /// Responses waiting for the network.
    outbox: VecDeque<Vec<u8>>,
}

impl SimServer {
    fn new(password: &str) -> Self {
        SimServer {
            key: long_term_key_md5(USER, REALM, password)
                .unwrap()
                .integrity_key(),
            nonce: "nonce-1".into(),
            stale_after: None,
            authenticated: 0,
            silent: false,
            counts: Default::default(),
            relayed_to_peer: vec![],
            outbox: VecDeque::new(),
        }
    }

    fn handle(&mut self, datagram: &[u8]) -> Option<Vec<u8>> {
        if self.silent {
            return None;
        }
        if datagram[0] & 0xC0 == 0x40 {
            let cd = rtcweb_stun_core::channel_data::ChannelData::parse(datagram).unwrap();
            self.relayed_to_peer.push(cd.data.to_vec());
            return None;
        }
        let msg = Message::parse(datagram).expect("client sent a valid message");
        msg.verify_fingerprint()
            .expect("client adds FINGERPRINT to requests");
        if msg.class() == Class::Indication {
            assert_eq!(msg.method(), Method::SEND);
            assert_eq!(
                msg.attribute::<XorPeerAddress>().unwrap().unwrap().0,
                peer()
            );
            self.relayed_to_peer
                .push(msg.attribute::<Data>().unwrap().unwrap().0.to_vec());
            return None;
        }
        let name = match msg.method() {
            Method::ALLOCATE => "allocate",
            Method::REFRESH => "refresh",
            Method::CREATE_PERMISSION => "permission",
            Method::CHANNEL_BIND => "channel",
            m => panic!("unexpected {m:?}"),
        };
        *self.counts.entry(name).or_default() += 1;
        let tid = msg.transaction_id();
        let mut out = vec![0u8; 512];
        if !msg.has_integrity() {
            let mut w =
                MessageWriter::new(&mut out, MessageType::new(msg.method(), Class::Error), tid)
                    .unwrap();
            w.add(&ErrorCode {
                code: 401,
                reason: "Unauthorized",
            })
            .unwrap();
            w.add(&Realm(REALM)).unwrap();
            w.add(&Nonce(&self.nonce)).unwrap();
            let n = w.finish();
            out.truncate(n);
            return Some(out);
        }
        assert_eq!(msg.attribute::<Username>().unwrap(), Some(Username(USER)));
        if msg.verify_integrity(&self.key).is_err() {
            let mut w =
                MessageWriter::new(&mut out, MessageType::new(msg.method(), Class::Error), tid)
                    .unwrap();
            w.add(&ErrorCode {
                code: 401,
                reason: "Unauthorized",
            })
            .unwrap();
            w.add(&Realm(REALM)).unwrap();
            w.add(&Nonce(&self.nonce)).unwrap();
            let n = w.finish();
            out.truncate(n);
            return Some(out);
        }
        self.authenticated += 1;
        if self.stale_after == Some(self.authenticated) {
            self.stale_after = None;
            self.nonce = "nonce-2".into();
        }
        if msg.attribute::<Nonce>().unwrap() != Some(Nonce(&self.nonce)) {
            let mut w =
                MessageWriter::new(&mut out, MessageType::new(msg.method(), Class::Error), tid)
                    .unwrap();
            w.add(&ErrorCode {
                code: 438,
                reason: "Stale Nonce",
            })
            .unwrap();
            w.add(&Realm(REALM)).unwrap();
            w.add(&Nonce(&self.nonce)).unwrap();
            let n = w.finish();
            out.truncate(n);
            return Some(out);
        }
        let mut w = MessageWriter::new(
            &mut out,
            MessageType::new(msg.method(), Class::Success),
            tid,
        )
        .unwrap();
        match msg.method() {
            Method::ALLOCATE => {
                assert_eq!(
                    msg.attribute::<RequestedTransport>().unwrap(),
                    Some(RequestedTransport::UDP)
                );
                w.add(&XorRelayedAddress(relayed())).unwrap();
                w.add(&XorMappedAddress(client_addr())).unwrap();
                w.add(&Lifetime(600)).unwrap();
            }
            Method::REFRESH => {
                let l = msg.attribute::<Lifetime>().unwrap().unwrap().0;
                w.add(&Lifetime(l.min(600))).unwrap();
            }
            Method::CHANNEL_BIND => {
                assert!(ChannelNumber::RANGE
                    .contains(&msg.attribute::<ChannelNumber>().unwrap().unwrap().0));
            }
            _ => {}
        }
        w.add_message_integrity(&self.key).unwrap();
        w.add_fingerprint().unwrap();
        let n = w.finish();
        out.truncate(n);
        Some(out)
    }
}

impl Node for SimServer {
    fn addr(&self) -> SocketAddr {
        server_addr()
    }
    fn handle_receive(&mut self, _: Instant, from: Peer, bytes: &[u8]) {
        assert_eq!(from.addr, client_addr());
        if let Some(resp) = self.handle(bytes) {
            self.outbox.push_back(resp);
        }
    }
    fn handle_timeout(&mut self, _: Instant) {}
    fn poll_transmit(
        &mut self,
        _: Instant,
        buf: &mut [u8],
    ) -> Result<Option<Transmit>, BufferTooSmall> {
        let Some(resp) = self.outbox.pop_front() else {
            return Ok(None);
        };
        buf[..resp.len()].copy_from_slice(&resp);
        Ok(Some(Transmit::udp(client_addr(), resp.len())))
    }
    fn poll_timeout(&self) -> Option<Instant> {
        None
    }
}

/// The TURN client as a network node: what it reports and the relayed data it hands up.
struct Client {
    turn: TurnClient,
    events: Vec<(Instant, TurnEvent)>,
    data: Vec<Vec<u8>>,
}

impl Deref for Client {
    type Target = TurnClient;
    fn deref(&self) -> &TurnClient {
        &self.turn
    }
}

impl DerefMut for Client {
    fn deref_mut(&mut self) -> &mut TurnClient {
        &mut self.turn
    }
}

impl Node for Client {
    fn addr(&self) -> SocketAddr {
        client_addr()
    }
    fn handle_receive(&mut self, now: Instant, from: Peer, bytes: &[u8]) {
        match self.turn.handle_receive(now, from.addr, bytes) {
            Received::Data { data, .. } => self.data.push(data.to_vec()),
            Received::Handled => {}
            Received::NotMine => panic!("the client refused a server datagram"),
        }
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.turn.handle_timeout(now);
    }
    fn poll_transmit(
        &mut self,
        now: Instant,
        buf: &mut [u8],
    ) -> Result<Option<Transmit>, BufferTooSmall> {
        let t = self.turn.poll_transmit(now, buf)?;
        if let Some(t) = t {
            assert_eq!(t.destination, server_addr());
        }
        Ok(t)
    }
    fn poll_timeout(&self) -> Option<Instant> {
        self.turn.poll_timeout()
    }
    fn process(&mut self, now: Instant) {
        while let Some(e) = self.turn.poll_event() {
            self.events.push((now, e));
        }
    }
}

/// Client and server over a link that drops every `drop_every`-th datagram (both directions
/// counted together) and delivers `dup_permille` ‰ twice; 20 ms one-way delay.
struct Sim {
    client: Client,
    server: SimServer,
    net: Net,
}

const DELAY: Duration = Duration::from_millis(20);

impl Sim {
    fn new(password: &str, client_password: &str, drop_every: usize, dup_permille: u32) -> Self {
        let cfg = TurnConfig::new(server_addr(), USER, client_password);
        let link = Link {
            delay: DELAY,
            duplication: dup_permille,
            ..Link::PERFECT
        };
        let mut net = Net::new(1, link);
        if drop_every > 0 {
            let mut sent = 0;
            net.drop_if(move |_| {
                sent += 1;
                sent % drop_every == 0
            });
        }
        Sim {
            client: Client {
                turn: TurnClient::new(cfg, [1; 32]),
                events: vec![],
                data: vec![],
            },
            server: SimServer::new(password),
            net,
        }
    }

    /// Runs until `until`, jumping the clock to the next deadline or delivery.
    fn run(&mut self, until: Instant) {
        let nodes: &mut [&mut dyn Node] = &mut [&mut self.client, &mut self.server];
        self.net.run_to(nodes, until);
    }

    /// Puts a datagram from the client on the wire.
    fn inject(&mut self, bytes: Vec<u8>) {
        self.net
            .send(Datagram::udp(client_addr(), server_addr(), bytes));
    }

    fn at(secs: f64) -> Instant {
        Instant::from_nanos((secs * 1e9) as i64)
    }

    fn count(&self, f: impl Fn(&TurnEvent) -> bool) -> usize {
        self.client.events.iter().filter(|(_, e)| f(e)).count()
    }
}

#[test]
fn allocates_refreshes_and_relays_over_a_lossy_link() {
    let mut sim = Sim::new(PASS, PASS, 3, 250);
    sim.server.stale_after = Some(3);
    sim.client.allocate(sim.net.now).unwrap();
    sim.run(Sim::at(10.0));
    let (t, e) = sim.client.events.first().cloned().expect("an event");
    assert!(
        matches!(e, TurnEvent::Allocated { relayed: r, mapped: Some(_), .. } if r == relayed()),
        "{e:?}"
    );
    assert!(t < Sim::at(5.0), "allocated at {t} despite loss");
    assert_eq!(sim.client.relayed_address(), Some(relayed()));

    sim.client
        .create_permission(sim.net.now, peer().ip())
        .unwrap();
    let ch = sim.client.bind_channel(sim.net.now, peer()).unwrap();
    sim.run(Sim::at(30.0));
    assert_eq!(
        sim.count(|e| matches!(e, TurnEvent::PermissionCreated(_))),
        1
    );
    assert_eq!(
        sim.count(|e| matches!(e, TurnEvent::ChannelBound { channel, .. } if *channel == ch)),
        1
    );

    // Relayed data both ways: ChannelData to the server; Data indication and ChannelData back.
    let mut buf = [0u8; 256];
    let t = sim.client.send_to(peer(), b"hello", &mut buf).unwrap();
    assert_eq!(&buf[..2], &ch.to_be_bytes());
    let r = sim
        .client
        .turn
        .handle_receive(sim.net.now, server_addr(), &buf[..t.len]);
    assert_eq!(
        r,
        Received::Data {
            peer: peer(),
            data: b"hello"
        }
    );

    // Thirty minutes: the allocation (600 s), permission (300 s) and channel (600 s) are refreshed
    // before they expire, through loss, duplication and a stale nonce.
    sim.run(Sim::at(1800.0));
    assert_eq!(
        sim.count(|e| matches!(e, TurnEvent::AllocationFailed { .. })),
        0,
        "{:?}",
        sim.client.events
    );
    assert!(sim.count(|e| matches!(e, TurnEvent::Refreshed { .. })) >= 3);
    assert!(
        sim.server.counts["permission"] >= 7,
        "{:?}",
        sim.server.counts
    );
    assert!(sim.server.counts["channel"] >= 3, "{:?}", sim.server.counts);
    assert!(sim.client.has_permission(peer().ip()));
    assert_eq!(sim.client.channel(peer()), Some(ch));
    let stats = sim.net.stats;
    assert!(
        stats.filtered > 10 && stats.duplicated > 5,
        "the link dropped and duplicated: {stats:?}"
    );

    sim.client.deallocate(sim.net.now).unwrap();
    sim.run(Sim::at(1900.0));
    assert!(matches!(
        sim.client.events.last(),
        Some((_, TurnEvent::Deallocated))
    ));
    assert_eq!(sim.client.turn.poll_timeout(), None);
}

#[test]
fn wrong_password_fails_with_401() {
    let mut sim = Sim::new(PASS, "not-the-password", 0, 0);
    sim.client.allocate(sim.net.now).unwrap();
    sim.run(Sim::at(5.0));
    assert_eq!(sim.client.events.len(), 1);
    assert_eq!(
        sim.client.events[0].1,
        TurnEvent::AllocationFailed { code: Some(401) }
    );
    assert_eq!(
        sim.server.counts["allocate"], 2,
        "one retry with credentials, no more"
    );
}

#[test]
fn silent_server_times_out_after_rfc_schedule() {
    let mut sim = Sim::new(PASS, PASS, 0, 0);
    sim.server.silent = true;
    sim.client.allocate(sim.net.now).unwrap();
    sim.run(Sim::at(60.0));
    assert_eq!(sim.client.events.len(), 1);
    let (t, e) = &sim.client.events[0];
    assert_eq!(*e, TurnEvent::AllocationFailed { code: None });
    assert_eq!(*t, Sim::at(39.5));
    assert_eq!(sim.net.stats.sent, 7, "Rc = 7 transmissions");
}

#[test]
fn data_before_allocation_is_refused_and_strangers_are_not_mine() {
    let mut sim = Sim::new(PASS, PASS, 0, 0);
    let mut buf = [0u8; 64];
    assert!(sim.client.send_to(peer(), b"x", &mut buf).is_err());
    assert_eq!(
        sim.client
            .turn
            .handle_receive(sim.net.now, peer(), &[0, 1, 0, 0]),
        Received::NotMine
    );
    assert_eq!(
        sim.client
            .turn
            .handle_receive(sim.net.now, server_addr(), &[0x80, 0, 0, 0]),
        Received::NotMine
    );
}

/// A Data indication from `from` carrying `data`, as a TURN server would relay it.
fn data_indication(from: SocketAddr, data: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; 256];
    let tid = rtcweb_stun_core::wire::TransactionId([7; 12]);
    let mut w = MessageWriter::new(
        &mut out,
        MessageType::new(Method::DATA, Class::Indication),
        tid,
    )
    .unwrap();
    w.add(&XorPeerAddress(from)).unwrap();
    w.add(&Data(data)).unwrap();
    let n = w.finish();
    out.truncate(n);
    out
}

#[test]
fn data_from_a_peer_without_permission_is_dropped() {
    // Before the fix: any Data indication the server (or a spoofer of its address) sent was
    // handed up as relayed data, whatever the peer (RFC 8656 §11.6).
    let mut sim = Sim::new(PASS, PASS, 0, 0);
    sim.client.allocate(sim.net.now).unwrap();
    sim.run(Sim::at(1.0));
    sim.client
        .create_permission(sim.net.now, peer().ip())
        .unwrap();
    sim.run(Sim::at(2.0));
    let stranger: SocketAddr = "198.51.100.99:4000".parse().unwrap();
    let d = data_indication(stranger, b"spoof");
    assert_eq!(
        sim.client
            .turn
            .handle_receive(sim.net.now, server_addr(), &d),
        Received::Handled
    );
    // Another port of a permitted address is fine: permissions are per IP (RFC 8656 §9).
    let other_port = SocketAddr::new(peer().ip(), 1);
    let d = data_indication(other_port, b"ok");
    assert_eq!(
        sim.client
            .turn
            .handle_receive(sim.net.now, server_addr(), &d),
        Received::Data {
            peer: other_port,
            data: b"ok"
        }
    );
}

#[test]
fn forged_errors_to_authenticated_requests_are_discarded() {
    // Before the fix: an error response with the right transaction ID but no (or a wrong)
    // MESSAGE-INTEGRITY was acted on: a forged 403 failed the permission.
    let mut sim = Sim::new(PASS, PASS, 0, 0);
    sim.client.allocate(sim.net.now).unwrap();
    sim.run(Sim::at(1.0));
    sim.client
        .create_permission(sim.net.now, peer().ip())
        .unwrap();
    let mut buf = [0u8; 1500];
    let t = sim
        .client
        .poll_transmit(sim.net.now, &mut buf)
        .unwrap()
        .unwrap();
    let request = buf[..t.len].to_vec();
    let tid = Message::parse(&request).unwrap().transaction_id();
    let wrong_key = long_term_key_md5(USER, REALM, "attacker")
        .unwrap()
        .integrity_key();
    for signed in [false, true] {
        let mut out = vec![0u8; 256];
        let mut w = MessageWriter::new(
            &mut out,
            MessageType::new(Method::CREATE_PERMISSION, Class::Error),
            tid,
        )
        .unwrap();
        w.add(&ErrorCode {
            code: 403,
            reason: "Forbidden",
        })
        .unwrap();
        if signed {
            w.add_message_integrity(&wrong_key).unwrap();
        }
        let n = w.finish();
        assert_eq!(
            sim.client
                .turn
                .handle_receive(sim.net.now, server_addr(), &out[..n]),
            Received::Handled
        );
        assert!(sim.client.poll_event().is_none(), "signed: {signed}");
    }
    // The real request still goes through.
    sim.inject(request);
    sim.run(Sim::at(5.0));
    assert_eq!(
        sim.count(|e| matches!(e, TurnEvent::PermissionCreated(_))),
        1,
        "{:?}",
        sim.client.events
    );
    assert_eq!(
        sim.count(|e| matches!(e, TurnEvent::PermissionFailed { .. })),
        0
    );
}

#[test]
fn a_small_buffer_keeps_the_request_due() {
    let mut client = TurnClient::new(TurnConfig::new(server_addr(), USER, PASS), [2; 32]);
    client.allocate(Instant::from_nanos(0)).unwrap();
    let mut small = [0u8; 8];
    let needed = match client.poll_transmit(Instant::from_nanos(0), &mut small) {
        Err(e) => e.needed,
        other => panic!("{other:?}"),
    };
    let mut buf = [0u8; 1500];
    let t = client
        .poll_transmit(Instant::from_nanos(0), &mut buf)
        .unwrap()
        .expect("the Allocate is still due");
    assert_eq!(t.len, needed);
    assert_eq!(t.destination, server_addr());
    assert_eq!(
        client.poll_transmit(Instant::from_nanos(0), &mut buf),
        Ok(None)
    );
}
