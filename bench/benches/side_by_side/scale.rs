//! Per-core scale (issue #18): SIP server transactions per second in a steady state, the way a
//! proxy or B2BUA front end sees them, and media relayed through a TURN allocation by the TURN
//! client. No peer: none of the Rust SIP crates in `shared/PEERS.md` has a transaction layer
//! (rsip is a parser), and the peers' TURN clients are async clients that own their sockets.

use rtcweb_bench::{per_op, Contender, Group, Harness, Workload};
use rtcweb_sip_core::message::builder::MessageBuilder;
use rtcweb_sip_core::message::{Header, Message};
use rtcweb_sip_core::transaction::{
    LayerConfig, Peer, TransactionEvent, TransactionLayer, Transport,
};
use rtcweb_sip_core::Instant;
use rtcweb_stun_core::turn::{Received, TurnClient, TurnConfig, TurnEvent};
use rtcweb_testkit::TurnServer;

/// Distinct requests in the ring: more than the transactions alive at once (Timer J keeps a
/// UDP non-INVITE server transaction 32 s, i.e. 32 000 at one request per virtual millisecond),
/// so every request starts a new transaction.
const RING: usize = 65_536;

fn options(i: usize) -> Vec<u8> {
    format!(
        "OPTIONS sip:gw@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK{i:x}f\r\n\
Max-Forwards: 70\r\nFrom: <sip:probe@example.com>;tag=p{i:x}\r\nTo: <sip:gw@example.com>\r\n\
Call-ID: {i:x}@198.51.100.7\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
    )
    .into_bytes()
}

/// The layer and its workload: each operation is one OPTIONS received, its server transaction
/// created and handed up, answered 200 by the application (the response built from the request,
/// §8.2.6), the 200 written into the caller's buffer; the virtual clock moves 1 ms and
/// `handle_timeout` runs, so transactions end at Timer J as they would at 1 000 requests/s.
struct Front {
    layer: TransactionLayer,
    requests: Vec<Vec<u8>>,
    next: usize,
    now: i64,
    buf: Vec<u8>,
    peer: Peer,
}

impl Front {
    fn new(transport: Transport) -> Self {
        let cfg = LayerConfig {
            max_transactions: 2 * RING,
            ..LayerConfig::default()
        };
        Self {
            layer: TransactionLayer::new(cfg),
            requests: (0..RING).map(options).collect(),
            next: 0,
            now: 0,
            buf: vec![0u8; 65_535],
            peer: Peer {
                addr: "198.51.100.7:5060".parse().unwrap(),
                transport,
            },
        }
    }

    /// One request through; the bytes sent.
    fn step(&mut self) -> usize {
        let now = Instant::from_nanos(self.now);
        self.now += 1_000_000;
        let req = &self.requests[self.next];
        self.next = (self.next + 1) % RING;
        self.layer.handle_receive(now, self.peer, req).unwrap();
        let mut sent = 0;
        while let Some(e) = self.layer.poll_event() {
            if let TransactionEvent::Request { tx, message, .. } = e {
                let mut st = [Header::EMPTY; 16];
                let m = Message::parse(&message, &mut st).unwrap();
                let mut b = MessageBuilder::response_to(&m, 200, "OK", Some("gw"));
                b.add_header("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS");
                let n = b.write_to(&mut self.buf).unwrap();
                self.layer.send_response(now, tx, &self.buf[..n]).unwrap();
            }
        }
        while let Some(t) = self.layer.poll_transmit(now, &mut self.buf).unwrap() {
            sent += t.len;
        }
        self.layer.handle_timeout(now);
        sent
    }
}

/// Before timing: every request gets exactly one 200 and, over UDP, the table reaches the
/// steady state Timer J gives (about 32 000 transactions), not more.
pub fn check() {
    let mut f = Front::new(Transport::Udp);
    for _ in 0..40_000 {
        assert!(f.step() > 0, "a 200 per request");
    }
    let live = f.layer.len();
    assert!(
        (31_000..=33_000).contains(&live),
        "{live} live transactions"
    );
    let mut f = Front::new(Transport::Tcp);
    for _ in 0..1_000 {
        assert!(f.step() > 0);
    }
    assert!(f.layer.len() <= 1, "over TCP Timer J is 0");
}

/// A TURN client with an allocation and a channel bound to `PEER` on the testkit's TURN server
/// model (the datagrams shuttled in memory), and the ChannelData datagram the server relays from
/// the peer.
struct Relay {
    client: TurnClient,
    payload: Vec<u8>,
    from_peer: Vec<u8>,
    buf: Vec<u8>,
}

const TURN_SERVER: &str = "192.0.2.10:3478";
const CLIENT: &str = "10.0.0.2:5000";
const PEER: &str = "203.0.113.5:7000";

impl Relay {
    fn new(size: usize) -> Self {
        let server_addr = TURN_SERVER.parse().unwrap();
        let client_addr = CLIENT.parse().unwrap();
        let peer = PEER.parse().unwrap();
        let mut server = TurnServer::new(server_addr);
        let mut client = TurnClient::new(TurnConfig::new(server_addr, "user", "pass"), [5; 32]);
        let mut buf = vec![0u8; 2048];
        let now = Instant::ZERO;
        let mut shuttle = |client: &mut TurnClient, server: &mut TurnServer| {
            while let Some(t) = client.poll_transmit(now, &mut buf).unwrap() {
                for d in server.handle(client_addr, t.destination, &buf[..t.len]) {
                    assert_eq!(
                        client.handle_receive(now, d.from, &d.bytes),
                        Received::Handled
                    );
                }
            }
        };
        client.allocate(now).unwrap();
        shuttle(&mut client, &mut server);
        assert!(client.relayed_address().is_some(), "allocated");
        client.bind_channel(now, peer).unwrap();
        shuttle(&mut client, &mut server);
        assert!(client.channel(peer).is_some(), "channel bound");
        while let Some(e) = client.poll_event() {
            assert!(!matches!(e, TurnEvent::AllocationFailed { .. }));
        }
        // What the peer's packet looks like when the server relays it on the channel.
        let payload: Vec<u8> = (0..size).map(|i| i as u8).collect();
        let relayed = client.relayed_address().unwrap();
        let from_peer = server
            .handle(peer, relayed, &payload)
            .into_iter()
            .next()
            .expect("relayed to the client")
            .bytes;
        Self {
            client,
            payload,
            from_peer,
            buf,
        }
    }

    /// One payload to the peer: ChannelData written into the caller's buffer.
    fn send(&mut self) -> usize {
        let peer = PEER.parse().unwrap();
        self.client
            .send_to(peer, &self.payload, &mut self.buf)
            .unwrap()
            .len
    }

    /// One relayed ChannelData in: the payload, borrowed from the datagram.
    fn receive(&mut self) -> usize {
        let server = TURN_SERVER.parse().unwrap();
        match self
            .client
            .handle_receive(Instant::ZERO, server, &self.from_peer)
        {
            Received::Data { data, .. } => data.len(),
            other => panic!("{other:?}"),
        }
    }
}

/// Before timing: data sent on the channel is ChannelData of the payload's size plus its
/// 4-byte header, and the relayed ChannelData gives back the peer's payload.
pub fn check_turn() {
    for size in [160, 1200] {
        let mut r = Relay::new(size);
        assert_eq!(
            r.send(),
            size + 4,
            "ChannelData header + payload (padding only on streams)"
        );
        assert_eq!(r.receive(), size);
    }
}

pub fn group(h: &Harness) -> Group<'static> {
    let mut workloads = Vec::new();
    for size in [160usize, 1200] {
        let id = format!("turn_send_{size}");
        if h.wants(&id) {
            let mut r = Relay::new(size);
            workloads.push(Workload {
                id,
                title: format!("TURN client: {size} B to the peer on a channel (ChannelData out)"),
                contenders: vec![Contender::ours(
                    "rtcweb-stun-core",
                    per_op(move || r.send()),
                )],
            });
        }
        let id = format!("turn_receive_{size}");
        if h.wants(&id) {
            let mut r = Relay::new(size);
            workloads.push(Workload {
                id,
                title: format!("TURN client: {size} B from the peer on a channel (ChannelData in)"),
                contenders: vec![Contender::ours(
                    "rtcweb-stun-core",
                    per_op(move || r.receive()),
                )],
            });
        }
    }
    for (id, transport, title) in [
        (
            "sip_tx_options_udp",
            Transport::Udp,
            "OPTIONS in, 200 out, UDP (≈ 32 000 transactions live)",
        ),
        (
            "sip_tx_options_tcp",
            Transport::Tcp,
            "OPTIONS in, 200 out, TCP (Timer J = 0)",
        ),
    ] {
        if h.wants(id) {
            let mut f = Front::new(transport);
            // Fill the table to its steady state before the first sample.
            for _ in 0..40_000 {
                f.step();
            }
            workloads.push(Workload {
                id: id.into(),
                title: title.into(),
                contenders: vec![Contender::ours("rtcweb-sip-core", per_op(move || f.step()))],
            });
        }
    }
    Group {
        id: "scale",
        title: "Per-core scale: SIP server transactions, TURN relaying — rtcweb (no peer)",
        note:
            "Each operation: one OPTIONS (distinct branch) parsed by the `TransactionLayer`, its \
server transaction created and handed up as an event, the application's 200 built from the \
request (`MessageBuilder::response_to`, §8.2.6) and sent through the transaction, the datagram \
written into the caller's buffer, then the virtual clock moves 1 ms and `handle_timeout` runs \
(Timer J: 32 s over UDP, so about 32 000 transactions are alive; 0 over TCP). No Rust peer has a \
transaction layer to compare with. Checked first: one 200 per request, and the table stays at \
the size Timer J gives. TURN: a `TurnClient` with an allocation and a channel bound on \
rtcweb-testkit's TURN server model; send: `send_to(peer, payload, buf)` writes the ChannelData \
datagram; receive: `handle_receive` of the ChannelData the server relays from the peer gives \
the payload borrowed from the datagram (checked first: sizes and payload).",
        workloads,
    }
}
