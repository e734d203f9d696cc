//! [`RegistrationClient`] — the REGISTER state machine with its own client transactions, on the
//! family's one verb set — against a digest registrar, over the test kit's lossy, duplicating,
//! reordering network: it registers, refreshes every binding before it expires, keeps one
//! Call-ID with rising CSeqs (RFC 3261 §10.2.4), and unregisters — for many seeds.
#![allow(
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    clippy::type_complexity
)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::cell::RefCell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

use common::{addr, at, seed32, LayerNode, Link, Node, Sim, ALICE, BOB};
use rtcweb_sip_core::auth::digest::{verify, Algorithm};
use rtcweb_sip_core::header::{Authorization, CSeq, Expires};
use rtcweb_sip_core::message::{builder::MessageBuilder, Header, Message};
use rtcweb_sip_core::registration::{
    Credentials, RegistrationClient, RegistrationConfig, RegistrationEvent, RegistrationState,
};
use rtcweb_sip_core::transaction::{
    BufferTooSmall, LayerConfig, Peer, TransactionEvent, TransactionLayer, Transmit,
};
use rtcweb_sip_core::Instant;

/// What the registrar grants, in seconds.
const GRANTED: u32 = 60;

/// A [`RegistrationClient`] on the network, recording its events.
struct Registrant {
    client: RegistrationClient,
    events: Vec<(Instant, RegistrationEvent)>,
}

impl Registrant {
    fn new(seed: u64) -> Self {
        let mut cfg = RegistrationConfig::new(
            "sip:example.com",
            "sip:alice@example.com",
            &format!("<sip:alice@{ALICE}>"),
            &format!("SIP/2.0/UDP {ALICE}"),
        );
        cfg.credentials = Some(Credentials::new("alice", "pw"));
        Self {
            client: RegistrationClient::new(
                cfg,
                Peer::udp(addr(BOB)),
                LayerConfig::default(),
                seed32(seed),
            ),
            events: Vec::new(),
        }
    }

    fn count(&self, f: impl Fn(&RegistrationEvent) -> bool) -> usize {
        self.events.iter().filter(|(_, e)| f(e)).count()
    }
}

impl Node for Registrant {
    fn addr(&self) -> SocketAddr {
        addr(ALICE)
    }
    fn handle_receive(&mut self, now: Instant, from: rtcweb_testkit::Peer, bytes: &[u8]) {
        let from = Peer {
            addr: from.addr,
            transport: from.transport,
        };
        let _ = self.client.handle_receive(now, from, bytes);
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.client.handle_timeout(now);
    }
    fn poll_transmit(
        &mut self,
        now: Instant,
        buf: &mut [u8],
    ) -> Result<Option<Transmit>, BufferTooSmall> {
        self.client.poll_transmit(now, buf)
    }
    fn poll_timeout(&self) -> Option<Instant> {
        self.client.poll_timeout()
    }
    fn process(&mut self, now: Instant) {
        while let Some(e) = self.client.poll_event() {
            self.events.push((now, e));
        }
    }
}

/// One REGISTER as the registrar's TU saw it.
#[derive(Debug, Clone)]
struct Seen {
    at: Instant,
    call_id: String,
    cseq: u32,
    expires: u32,
    authorized: bool,
}

/// A registrar (nonce `n1`, qop=auth, MD5) that challenges REGISTERs without valid credentials
/// and grants [`GRANTED`] seconds to the others; logs every REGISTER its TU sees.
fn registrar(seen: Rc<RefCell<Vec<Seen>>>) -> LayerNode {
    let mut node = LayerNode::new(addr(BOB), TransactionLayer::new(LayerConfig::default()));
    node.tu = Box::new(move |now, layer, e| {
        let TransactionEvent::Request { tx, message, .. } = e else {
            return;
        };
        let mut st = [Header::EMPTY; 64];
        let m = Message::parse(message, &mut st).unwrap();
        let expires = m.typed::<Expires>().ok().flatten().map_or(3600, |e| e.0);
        let authorized = m.typed::<Authorization>().ok().flatten().is_some_and(|a| {
            let challenge = common::challenged(&m, "example.com", "n1", Algorithm::Md5);
            verify(&a, &challenge, b"pw", b"").is_ok()
        });
        seen.borrow_mut().push(Seen {
            at: now,
            call_id: m.header("call-id").unwrap().value().to_string(),
            cseq: m.typed::<CSeq>().unwrap().unwrap().seq,
            expires,
            authorized,
        });
        let response = if !authorized {
            let mut b = MessageBuilder::response_to(&m, 401, "Unauthorized", Some("r"));
            b.add_header(
                "WWW-Authenticate",
                "Digest realm=\"example.com\", nonce=\"n1\", qop=\"auth\", algorithm=MD5",
            );
            b
        } else {
            let mut b = MessageBuilder::response_to(&m, 200, "OK", Some("r"));
            if expires > 0 {
                let contact = m.header("contact").unwrap().value().to_string();
                b.add_header(
                    "Contact",
                    format!("{contact};expires={}", expires.min(GRANTED)),
                );
            }
            b
        };
        layer.send_response(now, *tx, &response.to_vec()).unwrap();
    });
    node
}

#[test]
fn registers_and_refreshes_before_expiry_over_a_lossy_link() {
    const RUN: u64 = 600_000;
    for seed in 1..=20 {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let mut a = Registrant::new(seed);
        let mut r = registrar(seen.clone());
        let mut sim = Sim::new(seed, Link::LOSSY);
        a.client.register(at(0));
        sim.run_to(&mut [&mut a, &mut r], at(RUN));

        // Registered, within one transaction timeout (Timer F, 64·T1) of starting.
        let registered: Vec<Instant> = a
            .events
            .iter()
            .filter(|(_, e)| *e == RegistrationEvent::Registered { expires: GRANTED })
            .map(|(t, _)| *t)
            .collect();
        let first = *registered.first().expect("registered");
        assert!(first < at(32_000), "seed {seed}: registered at {first}");
        // Every binding refreshed before it lapsed: the next grant came within GRANTED seconds.
        for w in registered.windows(2) {
            assert!(
                w[1] - w[0] < Duration::from_secs(u64::from(GRANTED)),
                "seed {seed}: the binding of {} lapsed before {}",
                w[0],
                w[1]
            );
        }
        assert!(
            *registered.last().unwrap() + Duration::from_secs(u64::from(GRANTED)) > at(RUN),
            "seed {seed}: still bound at the end"
        );
        // Refreshed at about half the granted time (max(30, 60 − 32) s): 10 min needs ≥ 10.
        assert!(
            registered.len() >= 10,
            "seed {seed}: {} grants",
            registered.len()
        );
        assert_eq!(
            a.count(|e| matches!(
                e,
                RegistrationEvent::Expired | RegistrationEvent::Failed { .. }
            )),
            0,
            "seed {seed}: {:?}",
            a.events
        );
        assert!(matches!(
            a.client.state(),
            RegistrationState::Registered { until } if until > sim.now
        ));

        // The registrar saw one Call-ID, each REGISTER once, with a rising CSeq (§10.2.4),
        // though the link duplicated and reordered datagrams.
        {
            let seen = seen.borrow();
            assert!(seen
                .iter()
                .all(|s| s.call_id == a.client.registration().call_id()));
            assert!(
                seen.windows(2).all(|w| w[1].cseq > w[0].cseq),
                "seed {seed}: {seen:?}"
            );
            assert!(seen.iter().all(|s| s.expires > 0));
            // The registrar's view: each binding it granted was renewed within GRANTED seconds.
            let grants: Vec<Instant> = seen.iter().filter(|s| s.authorized).map(|s| s.at).collect();
            assert!(
                grants
                    .windows(2)
                    .all(|w| w[1] - w[0] < Duration::from_secs(u64::from(GRANTED))),
                "seed {seed}: {seen:?}"
            );
            // Every grant reached the client, but for one whose 200 was in flight at the cut.
            assert!(
                (0..=1).contains(&(grants.len() - registered.len())),
                "seed {seed}: {} grants sent, {} received",
                grants.len(),
                registered.len()
            );
        }
        assert!(sim.stats.lost > 0 && sim.stats.duplicated > 0);

        // Unregister: Expires 0 goes out, the binding is removed, nothing is left scheduled.
        a.client.unregister(sim.now);
        let t = sim.now;
        sim.run_to(&mut [&mut a, &mut r], t + Duration::from_secs(100));
        assert_eq!(
            a.count(|e| *e == RegistrationEvent::Unregistered),
            1,
            "seed {seed}"
        );
        assert_eq!(a.client.state(), RegistrationState::Unregistered);
        assert!(seen
            .borrow()
            .last()
            .is_some_and(|s| s.expires == 0 && s.authorized));
        assert_eq!(
            a.poll_timeout(),
            None,
            "seed {seed}: no refresh after unregister"
        );
    }
}
