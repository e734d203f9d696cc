//! The service against sip-core's own UA as a browser stand-in, on a virtual clock: no sockets.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::time::Duration;

use rtcweb_sip_core::message::Method;
use rtcweb_sip_core::registration::Credentials;
use rtcweb_sip_core::transaction::Peer;
use rtcweb_sip_core::ua::{UaConfig, UaEvent, UserAgent};
use rtcweb_sip_core::Instant;

use super::{ws_peer, RegistrarEvent, Removal, Service, ServiceConfig, ServiceEvent};

const AOR: &str = "sip:alice@example.com";

struct World {
    now: Instant,
    service: Service,
    ua: UserAgent,
    ua_addr: SocketAddr,
    server_addr: SocketAddr,
    service_events: Vec<ServiceEvent>,
    ua_events: Vec<UaEvent>,
}

impl World {
    /// A browser-like UA: `.invalid` host in Via and Contact, WS transport (RFC 7118 §5).
    fn new(password: &str, expires: u32) -> Self {
        let ua_addr: SocketAddr = "127.0.0.1:50000".parse().unwrap();
        let server_addr: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let mut cfg = UaConfig::new(
            AOR,
            "<sip:k3v9@df7jal23ls0d.invalid;transport=ws>",
            "SIP/2.0/WS df7jal23ls0d.invalid",
            ws_peer(server_addr),
            [3; 32],
        );
        cfg.credentials = Some(Credentials::new("alice", password));
        cfg.register_expires = expires;
        let service = Service::new(ServiceConfig::new(
            "example.com",
            &[("alice", "wonderland"), ("bob", "builder")],
            "127.0.0.1:8080",
            [9; 32],
        ));
        Self {
            now: Instant::from_nanos(1_000_000_000_000),
            service,
            ua: UserAgent::new(cfg),
            ua_addr,
            server_addr,
            service_events: Vec::new(),
            ua_events: Vec::new(),
        }
    }

    /// Shuttles frames both ways until both sides are quiet.
    fn settle(&mut self) {
        let mut buf = vec![0u8; 65535];
        for _ in 0..16 {
            let mut moved = false;
            while let Some(t) = self.ua.poll_transmit(self.now, &mut buf).unwrap() {
                assert_eq!(t.destination, self.server_addr);
                self.service
                    .handle_message(self.now, ws_peer(self.ua_addr), &buf[..t.len]);
                moved = true;
            }
            while let Some(t) = self.service.poll_transmit(self.now, &mut buf).unwrap() {
                // Whatever the Via says, everything goes back over the browser's connection.
                assert_eq!(Peer::from(t), ws_peer(self.ua_addr));
                let _ = self
                    .ua
                    .handle_receive(self.now, ws_peer(self.server_addr), &buf[..t.len]);
                moved = true;
            }
            self.service_events
                .extend(std::iter::from_fn(|| self.service.poll_event()));
            self.ua_events
                .extend(std::iter::from_fn(|| self.ua.poll_event()));
            if !moved {
                return;
            }
        }
        panic!("no quiescence");
    }

    fn advance(&mut self, d: Duration) {
        self.now += d;
        self.service.handle_timeout(self.now);
        self.ua.handle_timeout(self.now);
        self.settle();
    }

    fn registers(&self) -> Vec<(u16, Option<String>)> {
        self.service_events
            .iter()
            .filter_map(|e| match e {
                ServiceEvent::Registrar(RegistrarEvent::Register { status, user, .. }) => {
                    Some((*status, user.clone()))
                }
                _ => None,
            })
            .collect()
    }

    fn removals(&self) -> Vec<Removal> {
        self.service_events
            .iter()
            .filter_map(|e| match e {
                ServiceEvent::Registrar(RegistrarEvent::BindingRemoved { why, .. }) => Some(*why),
                _ => None,
            })
            .collect()
    }
}

fn registered() -> World {
    let mut w = World::new("wonderland", 600);
    w.ua.register(w.now);
    w.settle();
    assert_eq!(
        w.registers(),
        [(401, None), (200, Some("alice".to_string()))],
        "a digest challenge, then the authenticated REGISTER"
    );
    assert!(w
        .ua_events
        .iter()
        .any(|e| matches!(e, UaEvent::Registered { expires: 600 })));
    let b: Vec<_> = w.service.registrar().bindings(AOR).collect();
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].contact, "sip:k3v9@df7jal23ls0d.invalid;transport=ws");
    assert_eq!(b[0].peer, ws_peer(w.ua_addr));
    w
}

#[test]
fn register_after_a_digest_challenge_then_requests_both_ways() {
    let mut w = registered();
    // Server -> browser, over the connection it registered on.
    let txs = w
        .service
        .send_request(w.now, Method::Options, AOR, None)
        .unwrap();
    assert_eq!(txs.len(), 1);
    w.settle();
    assert!(w.service_events.iter().any(|e| matches!(e,
        ServiceEvent::Response { method, status: 200, target, .. }
            if method == "OPTIONS" && target == "sip:k3v9@df7jal23ls0d.invalid;transport=ws")));
    // Browser -> server.
    w.ua.options(w.now, "sip:rtcweb@example.com").unwrap();
    w.settle();
    assert!(w.service_events.iter().any(|e| matches!(e,
        ServiceEvent::Request { method, from, .. } if method == "OPTIONS" && from == AOR)));
    assert!(w
        .ua_events
        .iter()
        .any(|e| matches!(e, UaEvent::OptionsResponse { code: 200, .. })));
}

#[test]
fn unregister_expiry_and_connection_close_remove_bindings() {
    let mut w = registered();
    w.ua.unregister(w.now);
    w.settle();
    assert_eq!(w.removals(), [Removal::Unregistered]);
    assert_eq!(w.service.registrar().bindings(AOR).count(), 0);

    let mut w = registered();
    w.advance(Duration::from_secs(601));
    assert!(w.removals().contains(&Removal::Expired));

    let mut w = registered();
    w.service.connection_closed(w.now, ws_peer(w.ua_addr));
    w.settle();
    assert_eq!(w.removals(), [Removal::ConnectionClosed]);
    assert!(w
        .service
        .send_request(w.now, Method::Message, AOR, Some(("text/plain", b"hi")))
        .is_err());
}

#[test]
fn wrong_password_is_forbidden_and_short_expiry_gets_423() {
    let mut w = World::new("not-the-password", 600);
    w.ua.register(w.now);
    w.settle();
    assert_eq!(w.registers(), [(401, None), (403, None)]);
    assert_eq!(w.service.registrar().all_bindings().count(), 0);

    let mut w = World::new("wonderland", 10);
    w.ua.register(w.now);
    w.settle();
    let codes: Vec<u16> = w.registers().iter().map(|r| r.0).collect();
    assert_eq!(&codes[..2], [401, 423]);
}

/// One raw REGISTER from the browser's connection; the response the service sends back.
fn exchange(w: &mut World, register: &str) -> String {
    w.service
        .handle_message(w.now, ws_peer(w.ua_addr), register.as_bytes());
    let mut buf = vec![0u8; 65535];
    let t = w.service.poll_transmit(w.now, &mut buf).unwrap().unwrap();
    String::from_utf8(buf[..t.len].to_vec()).unwrap()
}

fn raw_register(cseq: u32, authorization: Option<&str>) -> String {
    let auth = authorization.map_or(String::new(), |a| format!("Authorization: {a}\r\n"));
    format!(
        "REGISTER sip:example.com SIP/2.0\r\n\
         Via: SIP/2.0/WSS h4k8.invalid;branch=z9hG4bK{cseq}x\r\n\
         Max-Forwards: 69\r\nTo: <sip:alice@example.com>\r\n\
         From: <sip:alice@example.com>;tag=t1\r\nCall-ID: c1\r\nCSeq: {cseq} REGISTER\r\n\
         Contact: <sip:u1@h4k8.invalid;transport=ws>;+sip.instance=\"<urn:uuid:1>\";reg-id=1;expires=600\r\n\
         {auth}Expires: 600\r\nContent-Length: 0\r\n\r\n"
    )
}

#[test]
fn stale_nonce_is_challenged_again_with_stale_true_and_contact_params_echoed() {
    use rtcweb_sip_core::header::WwwAuthenticate;
    use rtcweb_sip_core::message::{Header, Message};
    use rtcweb_sip_core::registration::authorization;

    let mut w = World::new("wonderland", 600);
    let challenge = exchange(&mut w, &raw_register(1, None));
    assert!(challenge.starts_with("SIP/2.0 401 "), "{challenge}");
    let mut st = [Header::EMPTY; 32];
    let msg = Message::parse(challenge.as_bytes(), &mut st).unwrap();
    let c = msg.typed::<WwwAuthenticate>().unwrap().unwrap();
    let creds = Credentials::new("alice", "wonderland");
    let auth = authorization(&c, &creds, "REGISTER", "sip:example.com", b"", "cn", 1).unwrap();
    let ok = exchange(&mut w, &raw_register(2, Some(&auth)));
    assert!(ok.starts_with("SIP/2.0 200 "), "{ok}");
    // §18.2.1: the `.invalid` sent-by gets the connection's address as `received`.
    assert!(
        ok.contains("Via: SIP/2.0/WSS h4k8.invalid;branch=z9hG4bK2x;received=127.0.0.1\r\n"),
        "{ok}"
    );
    assert!(
        ok.contains("Contact: <sip:u1@h4k8.invalid;transport=ws>;+sip.instance=\"<urn:uuid:1>\";reg-id=1;expires=600\r\n"),
        "{ok}"
    );
    // The same credentials after the nonce's 300 s: challenged again, stale=true (RFC 7616 §3.3).
    w.now += Duration::from_secs(301);
    let stale = exchange(&mut w, &raw_register(3, Some(&auth)));
    assert!(stale.starts_with("SIP/2.0 401 "), "{stale}");
    assert!(stale.contains("stale=true"), "{stale}");
    // Replayed CSeq with a fresh nonce: out of order (RFC 3261 §10.3 step 7).
    let mut st = [Header::EMPTY; 32];
    let msg = Message::parse(stale.as_bytes(), &mut st).unwrap();
    let c = msg.typed::<WwwAuthenticate>().unwrap().unwrap();
    let auth = authorization(&c, &creds, "REGISTER", "sip:example.com", b"", "cn", 1).unwrap();
    let old = exchange(&mut w, &raw_register(2, Some(&auth)).replace("K2x", "K4x"));
    assert!(old.starts_with("SIP/2.0 500 "), "{old}");
    // `Contact: *` with Expires: 0 removes every binding.
    let star = raw_register(5, Some(&auth))
        .replace(
            "<sip:u1@h4k8.invalid;transport=ws>;+sip.instance=\"<urn:uuid:1>\";reg-id=1;expires=600",
            "*",
        )
        .replace("Expires: 600", "Expires: 0");
    let gone = exchange(&mut w, &star);
    assert!(
        gone.starts_with("SIP/2.0 200 ") && !gone.contains("Contact"),
        "{gone}"
    );
    w.service_events
        .extend(std::iter::from_fn(|| w.service.poll_event()));
    assert_eq!(w.removals(), [Removal::Unregistered]);
}
