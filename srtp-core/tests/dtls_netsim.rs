//! Two `DtlsSrtp` endpoints as nodes of the test kit's network (`rtcweb-testkit`): a lossy,
//! duplicating link whose jitter reorders datagrams, on the virtual clock. For several seeds both
//! must reach `Connected` with the same exported keys, in opposite roles, each holding the
//! other's fingerprint, and the SRTP sessions they hand out must interoperate both ways.
//!
//! `dtls_handshake.rs` scripts the wire flight by flight; here the kit's random network does.
#![allow(
    missing_docs,
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod dtls_support;

use std::net::SocketAddr;
use std::time::Duration;

use dtls_support::assert_srtp_both_ways;
use rtcweb_srtp_core::dtls::{
    Certificate, Connected, DtlsConfig, DtlsError, DtlsEvent, DtlsSrtp, DtlsState, DtlsVersion,
    Fingerprint, VersionPolicy,
};
use rtcweb_srtp_core::{DtlsRole, Instant};
use rtcweb_testkit::{secs, BufferTooSmall, Link, Net, Node, Peer, Transmit};

/// 15 % loss, 10 % duplication, 20 ms plus up to 80 ms of jitter: datagrams of one flight, and
/// a flight and its retransmission, overtake each other.
const LINK: Link = Link {
    delay: Duration::from_millis(20),
    jitter: Duration::from_millis(80),
    loss: 150,
    duplication: 100,
};

/// One DTLS-SRTP endpoint on the network, talking to one peer.
struct Endpoint {
    addr: SocketAddr,
    peer: SocketAddr,
    ep: DtlsSrtp,
    fingerprint: Fingerprint,
    events: Vec<DtlsEvent>,
    /// Errors `handle_receive` returned.
    errors: Vec<DtlsError>,
    /// The datagrams received, in arrival order.
    received: Vec<Vec<u8>>,
}

impl Endpoint {
    fn connected(&self) -> Option<&Connected> {
        self.events.iter().find_map(|e| match e {
            DtlsEvent::Connected(c) => Some(&**c),
            _ => None,
        })
    }

    fn connected_mut(&mut self) -> &mut Connected {
        self.events
            .iter_mut()
            .find_map(|e| match e {
                DtlsEvent::Connected(c) => Some(&mut **c),
                _ => None,
            })
            .expect("connected")
    }

    fn failed(&self) -> Option<&DtlsError> {
        self.events.iter().find_map(|e| match e {
            DtlsEvent::Failed(f) => Some(f),
            _ => None,
        })
    }
}

impl Node for Endpoint {
    fn addr(&self) -> SocketAddr {
        self.addr
    }
    fn handle_receive(&mut self, now: Instant, from: Peer, bytes: &[u8]) {
        assert_eq!(from.addr, self.peer);
        self.received.push(bytes.to_vec());
        if let Err(e) = self.ep.handle_receive(now, bytes) {
            self.errors.push(e);
        }
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.ep.handle_timeout(now);
    }
    fn poll_transmit(
        &mut self,
        now: Instant,
        buf: &mut [u8],
    ) -> Result<Option<Transmit>, BufferTooSmall> {
        Ok(self
            .ep
            .poll_transmit(now, buf)?
            .map(|n| Transmit::udp(self.peer, n)))
    }
    fn poll_timeout(&self) -> Option<Instant> {
        self.ep.poll_timeout()
    }
    fn process(&mut self, _: Instant) {
        while let Some(e) = self.ep.poll_event() {
            self.events.push(e);
        }
    }
}

/// A client at 192.0.2.1 and a server at 192.0.2.2, certificates and seeds drawn from `net`.
fn pair(net: &mut Net, config: &DtlsConfig) -> [Endpoint; 2] {
    let addrs: [SocketAddr; 2] = [
        "192.0.2.1:5000".parse().unwrap(),
        "192.0.2.2:5000".parse().unwrap(),
    ];
    let certs = [
        Certificate::self_signed(&net.rng.seed()).unwrap(),
        Certificate::self_signed(&net.rng.seed()).unwrap(),
    ];
    let endpoint = |net: &mut Net, i: usize, role| {
        let ep = DtlsSrtp::new(
            net.now,
            role,
            &certs[i],
            Some(certs[1 - i].fingerprint()),
            config,
            &net.rng.seed(),
        )
        .unwrap();
        Endpoint {
            addr: addrs[i],
            peer: addrs[1 - i],
            ep,
            fingerprint: certs[i].fingerprint(),
            events: Vec::new(),
            errors: Vec::new(),
            received: Vec::new(),
        }
    };
    [
        endpoint(net, 0, DtlsRole::Client),
        endpoint(net, 1, DtlsRole::Server),
    ]
}

/// Whether `to` received `from`'s datagrams in another order than they were sent.
fn reordered(net: &Net, from: &Endpoint, to: &Endpoint) -> bool {
    let sent: Vec<&[u8]> = net
        .log
        .iter()
        .filter(|s| s.datagram.from == from.addr)
        .map(|s| &s.datagram.bytes[..])
        .collect();
    let order: Vec<usize> = to
        .received
        .iter()
        .filter_map(|r| sent.iter().position(|s| *s == &r[..]))
        .collect();
    order.windows(2).any(|w| w[1] < w[0])
}

/// What the link did in one run.
#[derive(Default)]
struct Damage {
    reordered: usize,
    lost: usize,
    duplicated: usize,
}

impl Damage {
    fn add(&mut self, other: Damage) {
        self.reordered += other.reordered;
        self.lost += other.lost;
        self.duplicated += other.duplicated;
    }
}

/// Runs one handshake over `link` and checks the outcome; returns what the link did.
fn handshake(
    seed: u64,
    link: Link,
    policy: VersionPolicy,
    version: DtlsVersion,
    mtu: usize,
) -> Damage {
    let config = DtlsConfig {
        versions: policy,
        mtu,
        flight_retries: 8,
        handshake_timeout: Duration::from_secs(120),
        ..DtlsConfig::default()
    };
    let mut net = Net::new(seed, link);
    let mut nodes = pair(&mut net, &config);
    let done = net.run_until(
        &mut nodes,
        |_, n| {
            n.iter()
                .all(|e| e.connected().is_some() || e.failed().is_some())
        },
        secs(200),
    );
    let [a, b] = &mut nodes;
    assert!(done, "seed {seed}: settled in time");
    assert_eq!(
        (a.ep.state(), b.ep.state()),
        (DtlsState::Connected, DtlsState::Connected),
        "seed {seed} {policy:?}: {:?} {:?}",
        a.failed(),
        b.failed()
    );
    assert!(
        a.errors.is_empty() && b.errors.is_empty(),
        "seed {seed}: {:?} {:?}",
        a.errors,
        b.errors
    );
    let (ka, kb) = (a.connected().unwrap(), b.connected().unwrap());
    assert_eq!((ka.version, kb.version), (version, version), "seed {seed}");
    assert_eq!((ka.role, kb.role), (DtlsRole::Client, DtlsRole::Server));
    assert_eq!(ka.profile, kb.profile);
    assert_eq!(
        ka.keying_material.as_bytes(),
        kb.keying_material.as_bytes(),
        "seed {seed}: both sides export the same SRTP keys"
    );
    assert_eq!(
        ka.keying_material.as_bytes().len(),
        ka.profile.keying_material_len()
    );
    assert_eq!(
        (ka.peer_fingerprint, kb.peer_fingerprint),
        (b.fingerprint, a.fingerprint)
    );
    // The keys work: SRTP and SRTCP protected by one side verify at the other, both ways.
    assert_srtp_both_ways(
        &mut a.connected_mut().srtp,
        &mut b.connected_mut().srtp,
        0x5eed_0000 + 2 * seed as u32,
    );
    Damage {
        reordered: usize::from(reordered(&net, a, b) || reordered(&net, b, a)),
        lost: net.stats.lost,
        duplicated: net.stats.duplicated,
    }
}

#[test]
fn dtls12_fragmented_flights_over_a_lossy_reordering_link() {
    let mut damage = Damage::default();
    for seed in 1..=10 {
        // MTU 300: every flight is several datagrams, which the jitter reorders.
        damage.add(handshake(
            seed,
            LINK,
            VersionPolicy::Dtls12,
            DtlsVersion::Dtls12,
            300,
        ));
    }
    assert!(damage.lost > 0 && damage.duplicated > 0);
    assert!(
        damage.reordered >= 3,
        "the link reordered in {} of 10 runs",
        damage.reordered
    );
}

#[test]
fn dtls13_over_a_lossy_reordering_link() {
    let mut damage = Damage::default();
    for seed in 1..=10 {
        // A DTLS 1.3 flight fits one datagram: a jitter beyond the first retransmission timeout
        // (1 s) makes retransmitted flights overtake the originals.
        let link = Link {
            jitter: Duration::from_millis(1500),
            ..LINK
        };
        damage.add(handshake(
            seed,
            link,
            VersionPolicy::Auto,
            DtlsVersion::Dtls13,
            1150,
        ));
    }
    assert!(damage.lost > 0 && damage.duplicated > 0);
    assert!(
        damage.reordered >= 1,
        "the link reordered in {} of 10 runs",
        damage.reordered
    );
}

/// RFC 6347 §4.2.4: the server's last flight (ChangeCipherSpec, Finished) is lost; the server
/// believes the handshake complete and has no timer of its own. The client's retransmission
/// of its final flight must make the server send its last flight again, or the client never
/// connects. Every datagram of the server past the `skip`-th is dropped `drops` times in a row.
fn final_flight_lost(drops: usize) {
    let config = DtlsConfig::default();
    let mut net = Net::new(7, Link::PERFECT);
    let mut nodes = pair(&mut net, &config);
    let server = nodes[1].addr;
    // The server's datagrams: HelloVerifyRequest, flight 4, flight 6 (its last).
    let mut seen = 0usize;
    net.drop_if(move |d| {
        if d.from != server {
            return false;
        }
        seen += 1;
        (3..3 + drops).contains(&seen)
    });
    let done = net.run_until(
        &mut nodes,
        |_, n| {
            n.iter()
                .all(|e| e.connected().is_some() || e.failed().is_some())
        },
        secs(60),
    );
    let [a, b] = &nodes;
    assert!(done, "settled");
    assert!(b.connected().is_some(), "the server connected at once");
    assert!(
        a.connected().is_some(),
        "the client connected after {drops} lost final flight(s): {:?}",
        a.failed()
    );
    assert!(net.stats.filtered >= drops);
}

#[test]
fn dtls12_server_resends_its_lost_final_flight() {
    final_flight_lost(1);
    final_flight_lost(2);
    final_flight_lost(3);
}
