//! Dialog construction and in-dialog requests (RFC 3261 §12): route sets from Record-Route (loose
//! and strict routers), remote target refresh, CSeq ordering, early dialogs per fork.
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

use rtcweb_sip_core::dialog::{Dialog, DialogError, DialogId, DialogState};
use rtcweb_sip_core::message::{Header, Message, Method};

const INVITE: &[u8] = b"INVITE sip:bob@biloxi.example.com SIP/2.0\r\nVia: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK74bf9\r\n\
Max-Forwards: 70\r\nFrom: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl\r\nTo: Bob <sip:bob@biloxi.example.com>\r\n\
Call-ID: 3848276298220188511@atlanta.example.com\r\nCSeq: 1 INVITE\r\nContact: <sip:alice@pc33.atlanta.example.com>\r\n\
Record-Route: <sip:p1.example.com;lr>\r\nContent-Length: 0\r\n\r\n";

fn ok(tag: &str, code: u16, rr: &str, contact: &str) -> Vec<u8> {
    format!(
        "SIP/2.0 {code} X\r\nVia: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK74bf9\r\n\
From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl\r\nTo: Bob <sip:bob@biloxi.example.com>;tag={tag}\r\n\
Call-ID: 3848276298220188511@atlanta.example.com\r\nCSeq: 1 INVITE\r\n{rr}Contact: <{contact}>\r\nContent-Length: 0\r\n\r\n"
    )
    .into_bytes()
}

fn parse(b: &[u8], f: impl FnOnce(&Message<'_>)) {
    let mut st = [Header::EMPTY; 32];
    f(&Message::parse(b, &mut st).unwrap());
}

fn uac(resp: &[u8]) -> Dialog {
    let mut st = [Header::EMPTY; 32];
    let req = Message::parse(INVITE, &mut st).unwrap();
    let mut st2 = [Header::EMPTY; 32];
    let r = Message::parse(resp, &mut st2).unwrap();
    Dialog::uac(&req, &r).unwrap()
}

#[test]
fn uac_route_set_is_record_route_reversed_and_loose() {
    let resp = ok(
        "314159",
        200,
        "Record-Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr>\r\n",
        "sip:bob@192.0.2.4",
    );
    let mut d = uac(&resp);
    assert_eq!(d.state(), DialogState::Confirmed);
    assert_eq!(
        d.route_set(),
        ["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"]
    );
    let bye = d
        .request(Method::Bye, "SIP/2.0/UDP h;branch=z9hG4bKb1", &[], None)
        .unwrap();
    parse(&bye, |m| {
        assert_eq!(m.request_uri(), Some("sip:bob@192.0.2.4"));
        let routes: Vec<_> = m.values("route").collect();
        assert_eq!(
            routes,
            ["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"]
        );
        assert_eq!(m.header("cseq").unwrap().value(), "2 BYE");
        assert_eq!(
            m.header("to").unwrap().value(),
            "Bob <sip:bob@biloxi.example.com>;tag=314159"
        );
        assert_eq!(
            m.header("from").unwrap().value(),
            "Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl"
        );
    });
    // ACK for the 2xx keeps the INVITE's CSeq number.
    let ack = d.ack(1, "SIP/2.0/UDP h;branch=z9hG4bKa1", None);
    parse(&ack, |m| {
        assert_eq!(m.header("cseq").unwrap().value(), "1 ACK")
    });
}

#[test]
fn strict_router_becomes_request_uri() {
    let resp = ok(
        "t",
        200,
        "Record-Route: <sip:strict.example.com>\r\n",
        "sip:bob@192.0.2.4",
    );
    let mut d = uac(&resp);
    let info = d
        .request(
            Method::Info,
            "SIP/2.0/UDP h;branch=z9hG4bKi",
            &[],
            Some(("text/plain", b"hi")),
        )
        .unwrap();
    parse(&info, |m| {
        assert_eq!(m.request_uri(), Some("sip:strict.example.com"));
        assert_eq!(
            m.values("route").collect::<Vec<_>>(),
            ["<sip:bob@192.0.2.4>"]
        );
        assert_eq!(m.body(), b"hi");
    });
}

#[test]
fn forks_make_distinct_early_dialogs_and_2xx_confirms_one() {
    let a = uac(&ok("fork-a", 180, "", "sip:a@192.0.2.5"));
    let mut b = uac(&ok("fork-b", 183, "", "sip:b@192.0.2.6"));
    assert_eq!(a.state(), DialogState::Early);
    assert_ne!(a.id(), b.id());
    let ok_b = ok(
        "fork-b",
        200,
        "Record-Route: <sip:p9.example.com;lr>\r\n",
        "sip:b2@192.0.2.6",
    );
    parse(&ok_b, |m| b.confirm(m));
    assert_eq!(b.state(), DialogState::Confirmed);
    assert_eq!(b.remote_target(), "sip:b2@192.0.2.6");
    assert_eq!(b.route_set(), ["<sip:p9.example.com;lr>"]);
    // 1xx without a tag creates nothing.
    let mut st = [Header::EMPTY; 32];
    let req = Message::parse(INVITE, &mut st).unwrap();
    let trying = b"SIP/2.0 100 Trying\r\nVia: SIP/2.0/UDP x;branch=z9hG4bK74bf9\r\nFrom: <sip:a@a>;tag=9fxced76sl\r\nTo: <sip:b@b>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n\r\n";
    let mut st2 = [Header::EMPTY; 32];
    assert_eq!(
        Dialog::uac(&req, &Message::parse(trying, &mut st2).unwrap()),
        Err(DialogError::NoDialog)
    );
}

#[test]
fn uas_dialog_checks_cseq_and_refreshes_target() {
    let mut st = [Header::EMPTY; 32];
    let req = Message::parse(INVITE, &mut st).unwrap();
    let mut d = Dialog::uas(&req, "bobtag", "<sip:bob@192.0.2.4>", 0, true).unwrap();
    assert_eq!(d.route_set(), ["<sip:p1.example.com;lr>"]);
    assert_eq!(d.remote_target(), "sip:alice@pc33.atlanta.example.com");
    assert_eq!(
        d.id(),
        &DialogId {
            call_id: "3848276298220188511@atlanta.example.com".into(),
            local_tag: "bobtag".into(),
            remote_tag: "9fxced76sl".into()
        }
    );
    let reinvite = b"INVITE sip:bob@192.0.2.4 SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKr\r\nMax-Forwards: 70\r\n\
From: <sip:alice@atlanta.example.com>;tag=9fxced76sl\r\nTo: <sip:bob@biloxi.example.com>;tag=bobtag\r\n\
Call-ID: 3848276298220188511@atlanta.example.com\r\nCSeq: 2 INVITE\r\nContact: <sip:alice@198.51.100.7>\r\n\r\n";
    parse(reinvite, |m| {
        assert_eq!(DialogId::of_received_request(m).as_ref(), Some(d.id()));
        d.handle_request(m).unwrap();
    });
    assert_eq!(d.remote_target(), "sip:alice@198.51.100.7");
    assert_eq!(d.remote_seq(), Some(2));
    parse(reinvite, |m| {
        assert_eq!(
            d.handle_request(m),
            Err(DialogError::OutOfOrder { last: 2, got: 2 })
        )
    });
    // Our first request uses CSeq 1.
    let bye = d
        .request(Method::Bye, "SIP/2.0/UDP b;branch=z9hG4bKx", &[], None)
        .unwrap();
    parse(&bye, |m| {
        assert_eq!(m.header("cseq").unwrap().value(), "1 BYE")
    });
    d.terminate();
    assert!(d.request(Method::Bye, "v", &[], None).is_err());
}
