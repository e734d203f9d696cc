//! [`RegistrationClient`] (a registration with its own transactions) on the one verb set, against a scripted registrar that checks what it
//! receives: the digest challenge answered and verified, the refresh before expiry, UDP
//! retransmissions absorbed, requests from the registrar answered, nothing dropped on a small
//! buffer, and the RFC 5626 keep-alive over TCP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use core::time::Duration;

use rtcweb_proto::time::InstantExt as _;
use rtcweb_sip_core::auth::digest::{verify, Algorithm, Challenged, NonceCheck, Qop};
use rtcweb_sip_core::header::{Authorization, CSeq, Expires};
use rtcweb_sip_core::message::{builder::MessageBuilder, Header, Message, Method};
use rtcweb_sip_core::registration::{
    Credentials, RegistrationClient, RegistrationConfig, RegistrationEvent, RegistrationState,
};
use rtcweb_sip_core::transaction::{LayerConfig, Peer, Transport};
use rtcweb_sip_core::Instant;
use rtcweb_testkit::secs;

const REALM: &str = "example.com";
const NONCE: &str = "n0nce";

fn registrar(transport: Transport) -> Peer {
    Peer {
        addr: "192.0.2.9:5060".parse().unwrap(),
        transport,
    }
}

fn client(transport: Transport) -> RegistrationClient {
    let mut cfg = RegistrationConfig::new(
        "sip:example.com",
        "sip:alice@example.com",
        "<sip:alice@192.0.2.1:5060>",
        "SIP/2.0/UDP 192.0.2.1:5060",
    );
    cfg.credentials = Some(Credentials::new("alice", "pw"));
    cfg.expires = 600;
    if transport.is_reliable() {
        cfg.instance_id = Some("<urn:uuid:00000000-0000-1000-8000-000A95A0E128>".into());
    }
    RegistrationClient::new(cfg, registrar(transport), LayerConfig::default(), [3; 32])
}

fn at(n: u64) -> Instant {
    secs(n)
}

/// Every datagram the client has to send now.
fn drain(c: &mut RegistrationClient, now: Instant) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = [0u8; 2048];
    while let Some(t) = c.poll_transmit(now, &mut buf).unwrap() {
        assert_eq!(t.destination, c.registrar().addr);
        out.push(buf[..t.len].to_vec());
    }
    out
}

fn events(c: &mut RegistrationClient) -> Vec<RegistrationEvent> {
    core::iter::from_fn(|| c.poll_event()).collect()
}

/// The registrar: 401 to a REGISTER without credentials, 200 with `expires` to one whose
/// credentials verify, 403 otherwise.
fn registrar_answer(request: &[u8], expires: u32) -> Vec<u8> {
    let mut st = [Header::EMPTY; 32];
    let req = Message::parse(request, &mut st).unwrap();
    assert_eq!(req.method(), Some(Method::Register));
    let Ok(Some(auth)) = req.typed::<Authorization>() else {
        let mut b = MessageBuilder::response_to(&req, 401, "Unauthorized", Some("reg"));
        b.add_header(
            "WWW-Authenticate",
            format!(r#"Digest realm="{REALM}", nonce="{NONCE}", qop="auth", algorithm=SHA-256"#),
        );
        return b.to_vec();
    };
    let challenged = Challenged {
        realm: REALM,
        nonce: NonceCheck::Exact(NONCE),
        algorithm: Algorithm::Sha256,
        qop: Some(Qop::Auth),
        method: "REGISTER",
        request_uri: "sip:example.com",
    };
    if verify(&auth, &challenged, b"pw", b"").is_err() {
        return MessageBuilder::response_to(&req, 403, "Forbidden", Some("reg")).to_vec();
    }
    let mut b = MessageBuilder::response_to(&req, 200, "OK", Some("reg"));
    b.add_header(
        "Contact",
        format!("<sip:alice@192.0.2.1:5060>;expires={expires}"),
    );
    b.to_vec()
}

fn cseq(msg: &[u8]) -> u32 {
    let mut st = [Header::EMPTY; 32];
    Message::parse(msg, &mut st)
        .unwrap()
        .typed::<CSeq>()
        .unwrap()
        .unwrap()
        .seq
}

#[test]
fn registers_through_a_challenge_and_refreshes_before_expiry() {
    let peer = registrar(Transport::Udp);
    let mut c = client(Transport::Udp);
    let t0 = at(1);
    c.register(t0);
    let first = drain(&mut c, t0);
    assert_eq!(first.len(), 1, "one REGISTER");
    // Lost: Timer E retransmits the same request after T1.
    let t_e = c.poll_timeout().unwrap();
    assert_eq!(t_e, at(1).saturating_add(Duration::from_millis(500)));
    c.handle_timeout(t_e);
    let again = drain(&mut c, t_e);
    assert_eq!(again, first, "a retransmission, byte for byte");
    // The 401 arrives (twice: the duplicate is absorbed by the transaction).
    let challenge = registrar_answer(&first[0], 600);
    c.handle_receive(t_e, peer, &challenge).unwrap();
    let _ = c.handle_receive(t_e, peer, &challenge);
    let authed = drain(&mut c, t_e);
    assert_eq!(authed.len(), 1, "one authenticated REGISTER");
    assert_eq!(
        cseq(&authed[0]),
        cseq(&first[0]) + 1,
        "CSeq moves on (§10.2)"
    );
    let ok = registrar_answer(&authed[0], 600);
    assert!(ok.starts_with(b"SIP/2.0 200"), "the credentials verify");
    c.handle_receive(t_e, peer, &ok).unwrap();
    assert_eq!(
        events(&mut c),
        [RegistrationEvent::Registered { expires: 600 }]
    );
    assert!(matches!(c.state(), RegistrationState::Registered { .. }));
    // The refresh comes before the 600 s binding expires (32 s ahead by default).
    let mut now;
    let refresh = loop {
        now = c.poll_timeout().expect("a refresh is scheduled");
        assert!(now < at(601), "refreshed before expiry");
        c.handle_timeout(now);
        let sent = drain(&mut c, now);
        if let Some(r) = sent.into_iter().next() {
            break r;
        }
    };
    assert!(
        now >= at(500),
        "not long before the refresh margin: {now:?}"
    );
    // A fresh REGISTER (no credentials): challenged again, answered again.
    let challenge = registrar_answer(&refresh, 600);
    assert!(challenge.starts_with(b"SIP/2.0 401"));
    c.handle_receive(now, peer, &challenge).unwrap();
    let authed = drain(&mut c, now);
    assert_eq!(authed.len(), 1);
    let ok = registrar_answer(&authed[0], 600);
    assert!(
        ok.starts_with(b"SIP/2.0 200"),
        "the refresh's credentials verify"
    );
    c.handle_receive(now, peer, &ok).unwrap();
    assert_eq!(
        events(&mut c),
        [RegistrationEvent::Registered { expires: 600 }]
    );
    // Unregister: Expires 0, then Unregistered.
    c.unregister(now);
    let removal = drain(&mut c, now);
    assert_eq!(removal.len(), 1);
    let mut st = [Header::EMPTY; 32];
    let m = Message::parse(&removal[0], &mut st).unwrap();
    assert!(matches!(m.typed::<Expires>(), Ok(Some(Expires(0)))));
    c.handle_receive(now, peer, &registrar_answer(&removal[0], 0))
        .unwrap();
    let authed = drain(&mut c, now);
    assert_eq!(authed.len(), 1, "the removal answers its challenge too");
    let ok = registrar_answer(&authed[0], 0);
    assert!(ok.starts_with(b"SIP/2.0 200"));
    c.handle_receive(now, peer, &ok).unwrap();
    assert_eq!(events(&mut c), [RegistrationEvent::Unregistered]);
    assert_eq!(c.state(), RegistrationState::Unregistered);
    assert_eq!(
        c.poll_timeout().filter(|t| *t > at(700)),
        None,
        "nothing left to refresh"
    );
}

#[test]
fn requests_from_the_registrar_side_are_answered() {
    let peer = registrar(Transport::Udp);
    let mut c = client(Transport::Udp);
    let now = at(1);
    let options = b"OPTIONS sip:alice@192.0.2.1:5060 SIP/2.0\r\n\
Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bKping1\r\n\
From: <sip:ping@example.com>;tag=p\r\nTo: <sip:alice@example.com>\r\n\
Call-ID: ping-1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
    c.handle_receive(now, peer, options).unwrap();
    let out = drain(&mut c, now);
    assert_eq!(out.len(), 1);
    assert!(out[0].starts_with(b"SIP/2.0 200 OK\r\n"));
    let invite = String::from_utf8_lossy(options)
        .replace("OPTIONS sip", "INVITE sip")
        .replace("1 OPTIONS", "1 INVITE")
        .replace("ping1", "inv1");
    c.handle_receive(now, peer, invite.as_bytes()).unwrap();
    let out = drain(&mut c, now);
    let text = String::from_utf8_lossy(out.last().unwrap());
    assert!(text.starts_with("SIP/2.0 405 "), "{text}");
    assert!(text.contains("\r\nAllow: OPTIONS\r\n"));
    // Garbage is refused with a typed error, and nothing is sent.
    assert!(c.handle_receive(now, peer, b"\x00\x01garbage").is_err());
    assert!(drain(&mut c, now).is_empty());
}

#[test]
fn a_small_buffer_loses_nothing() {
    let mut c = client(Transport::Udp);
    let now = at(1);
    c.register(now);
    let mut small = [0u8; 16];
    let err = c.poll_transmit(now, &mut small).unwrap_err();
    assert!(err.needed > 16);
    let mut buf = vec![0u8; err.needed];
    let t = c.poll_transmit(now, &mut buf).unwrap().unwrap();
    assert_eq!(t.len, err.needed);
    assert!(buf.starts_with(b"REGISTER "));
}

#[test]
fn keep_alive_over_tcp_is_a_double_crlf_and_the_pong_is_taken() {
    let peer = registrar(Transport::Tcp);
    let mut c = client(Transport::Tcp);
    let now = at(1);
    c.register(now);
    let first = drain(&mut c, now);
    c.handle_receive(now, peer, &registrar_answer(&first[0], 600))
        .unwrap();
    let authed = drain(&mut c, now);
    let mut ok = registrar_answer(&authed[0], 600);
    // RFC 5626 §4.4.1: the registrar says how often to ping.
    let at_end = ok.len() - 2;
    ok.splice(at_end..at_end, b"Flow-Timer: 30\r\n".iter().copied());
    c.handle_receive(now, peer, &ok).unwrap();
    assert_eq!(
        events(&mut c),
        [RegistrationEvent::Registered { expires: 600 }]
    );
    let mut t;
    let ping = loop {
        t = c.poll_timeout().unwrap();
        c.handle_timeout(t);
        if let Some(p) = drain(&mut c, t).into_iter().next() {
            break p;
        }
    };
    assert_eq!(ping, b"\r\n\r\n");
    assert!(t <= at(31), "within the Flow-Timer: {t:?}");
    assert!(
        events(&mut c).is_empty(),
        "the ping is sent here, not reported"
    );
    c.handle_receive(t, peer, b"\r\n").unwrap();
}
