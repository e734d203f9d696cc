//! RFC 4475 torture messages, RFC 5118 IPv6 messages and real-world fixtures: the valid ones parse
//! with the right values, the invalid ones give the right error.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use rtcweb_sip_core::header::{
    AuthParams, Authorization, CSeq, CallId, Contact, ContentType, Event, FromHeader, MaxForwards,
    Reason, RecordRoute, ReferTo, SessionExpires, SubscriptionState, ToHeader, Via,
    WwwAuthenticate,
};
use rtcweb_sip_core::message::validate::{validate, ValidationError};
use rtcweb_sip_core::message::{ErrorKind, Header, HeaderName, Message, Method};
use rtcweb_sip_core::uri::{escape::unescape, Host, Uri};

macro_rules! fixture {
    ($path:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/", $path)).as_slice()
    };
}

fn parse_err(raw: &[u8]) -> ErrorKind {
    let mut st = [Header::EMPTY; 64];
    Message::parse(raw, &mut st).unwrap_err().kind
}

fn validation_err(raw: &[u8]) -> ValidationError {
    let mut st = [Header::EMPTY; 64];
    let m = Message::parse(raw, &mut st).unwrap();
    validate(&m).unwrap_err()
}

#[test]
fn wsinv_short_tortuous_invite() {
    let raw = fixture!("rfc4475/wsinv.sip");
    let mut st = [Header::EMPTY; 64];
    let m = Message::parse(raw, &mut st).unwrap();
    validate(&m).unwrap();
    assert_eq!(
        m.request_uri(),
        Some("sip:vivekg@chair-dnrc.example.com;unknownparam")
    );
    let to = m.typed::<ToHeader>().unwrap().unwrap();
    assert_eq!(
        (to.uri, to.tag()),
        ("sip:vivekg@chair-dnrc.example.com", Some("1918181833n"))
    );
    let from = m.typed::<FromHeader>().unwrap().unwrap();
    assert_eq!(from.tag(), Some("98asjd8"));
    assert!(from.display_name_chars().eq("J Rosenberg \\\"".chars()));
    assert_eq!(m.typed::<MaxForwards>().unwrap().unwrap().0, 68);
    assert_eq!(
        m.typed::<CSeq>().unwrap().unwrap(),
        CSeq {
            seq: 9,
            method: Method::Invite
        }
    );
    let vias: Vec<_> = m.typed_all::<Via>().map(Result::unwrap).collect();
    assert_eq!(vias.len(), 3);
    assert_eq!(
        (vias[0].transport, vias[0].host),
        ("UDP", Host::Ipv4("192.0.2.2".parse().unwrap()))
    );
    assert_eq!(vias[1].branch(), Some("z9hG4bK9ikj8"));
    assert_eq!(vias[2].branch(), Some("z9hG4bK30239"));
    assert_eq!(m.header("s").unwrap().value(), "");
    assert_eq!(
        m.header("newfangledheader").unwrap().value(),
        "newfangled value\r\n continued newfangled value"
    );
    assert_eq!(
        m.header("UnknownHeaderWithUnusualValue").unwrap().value(),
        ";;,,;;,;"
    );
    let c = m.typed::<Contact>().unwrap().unwrap();
    assert_eq!(c.q(), Some(330));
    assert_eq!(c.params().value("newparam"), Some("newvalue"));
    assert!(c.params().contains("secondparam"));
    assert_eq!(m.body().len(), 150);
}

#[test]
fn esc01_escapes_kept_raw_and_decodable() {
    let raw = fixture!("rfc4475/esc01.sip");
    let mut st = [Header::EMPTY; 64];
    let m = Message::parse(raw, &mut st).unwrap();
    validate(&m).unwrap();
    let Uri::Sip(ruri) = Uri::parse(m.request_uri().unwrap()).unwrap() else {
        panic!()
    };
    assert!(unescape(ruri.user.unwrap()).eq(b"sips:user@example.com".iter().copied()));
    let to = m.typed::<ToHeader>().unwrap().unwrap();
    let Uri::Sip(t) = to.parse_uri().unwrap() else {
        panic!()
    };
    let Uri::Sip(other) = Uri::parse("sip:user@example.com").unwrap() else {
        panic!()
    };
    assert!(t.equivalent(&other));
    assert_eq!(m.typed::<ContentType>().unwrap().unwrap().subtype, "sdp");
    let c = m.typed::<Contact>().unwrap().unwrap();
    assert_eq!(
        c.addr().unwrap().uri,
        "sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31"
    );
}

#[test]
fn escnull_and_esc02() {
    let mut st = [Header::EMPTY; 64];
    let m = Message::parse(fixture!("rfc4475/escnull.sip"), &mut st).unwrap();
    validate(&m).unwrap();
    assert_eq!(m.typed_all::<Contact>().count(), 2);
    let mut st = [Header::EMPTY; 64];
    let m = Message::parse(fixture!("rfc4475/esc02.sip"), &mut st).unwrap();
    validate(&m).unwrap();
    assert_eq!(m.method(), Some(Method::Extension("RE%47IST%45R")));
    assert_eq!(m.headers_named("contact").count(), 2);
    assert!(m.header("C%6Fntact").is_some());
    assert_eq!(
        m.typed::<ToHeader>().unwrap().unwrap().display_name(),
        Some("%Z%45")
    );
}

#[test]
fn lwsdisp_semiuri_transports_noreason() {
    let mut st = [Header::EMPTY; 64];
    let m = Message::parse(fixture!("rfc4475/lwsdisp.sip"), &mut st).unwrap();
    validate(&m).unwrap();
    assert_eq!(
        m.typed::<FromHeader>().unwrap().unwrap().display_name(),
        Some("caller")
    );

    let mut st = [Header::EMPTY; 64];
    let m = Message::parse(fixture!("rfc4475/semiuri.sip"), &mut st).unwrap();
    validate(&m).unwrap();
    let Uri::Sip(u) = Uri::parse(m.request_uri().unwrap()).unwrap() else {
        panic!()
    };
    assert_eq!(
        (u.user, u.host),
        (
            Some("user;par=u%40example.net"),
            Host::Domain("example.com")
        )
    );
    assert_eq!(m.values("accept").count(), 6);

    let mut st = [Header::EMPTY; 64];
    let m = Message::parse(fixture!("rfc4475/transports.sip"), &mut st).unwrap();
    validate(&m).unwrap();
    let t: Vec<_> = m.typed_all::<Via>().map(|v| v.unwrap().transport).collect();
    assert_eq!(t, ["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"]);
    assert_eq!(
        m.typed::<CallId>().unwrap().unwrap().0,
        "transports.kijh4akdnaqjkwendsasfdj"
    );

    let mut st = [Header::EMPTY; 64];
    let m = Message::parse(fixture!("rfc4475/noreason.sip"), &mut st).unwrap();
    validate(&m).unwrap();
    assert_eq!((m.status(), m.reason()), (Some(100), Some("")));
}

#[test]
fn dblreq_extra_octets_ignored() {
    let raw = fixture!("rfc4475/dblreq.sip");
    let mut st = [Header::EMPTY; 64];
    let m = Message::parse(raw, &mut st).unwrap();
    validate(&m).unwrap();
    assert_eq!(m.method(), Some(Method::Register));
    assert!(m.body().is_empty());
    assert!(m.len() < raw.len());
}

#[test]
fn invalid_torture_messages() {
    assert_eq!(
        parse_err(fixture!("rfc4475/clerr.sip")),
        ErrorKind::BodyTruncated
    );
    assert_eq!(
        parse_err(fixture!("rfc4475/ncl.sip")),
        ErrorKind::ContentLength
    );
    assert_eq!(
        parse_err(fixture!("rfc4475/lwsstart.sip")),
        ErrorKind::RequestLine
    );
    assert_eq!(
        parse_err(fixture!("rfc4475/trws.sip")),
        ErrorKind::RequestLine
    );
    assert_eq!(
        parse_err(fixture!("rfc4475/badvers.sip")),
        ErrorKind::Version
    );
    assert_eq!(
        parse_err(fixture!("rfc4475/bigcode.sip")),
        ErrorKind::StatusLine
    );
    for f in [
        fixture!("rfc4475/scalar01.sip"),
        fixture!("rfc4475/scalar02.sip"),
    ] {
        match validation_err(f) {
            ValidationError::Malformed(e) => assert_eq!(e.header, HeaderName::CSeq),
            other => panic!("{other:?}"),
        }
    }
    for f in [
        fixture!("rfc4475/mismatch01.sip"),
        fixture!("rfc4475/mismatch02.sip"),
    ] {
        assert!(matches!(
            validation_err(f),
            ValidationError::CSeqMethodMismatch { .. }
        ));
    }
    for f in [
        fixture!("rfc4475/unkscm.sip"),
        fixture!("rfc4475/novelsc.sip"),
    ] {
        let e = validation_err(f);
        assert!(
            matches!(e, ValidationError::UnsupportedUriScheme { .. }),
            "{e:?}"
        );
        assert_eq!(e.status_code(), 416);
    }
}

#[test]
fn rfc5118_ipv6() {
    for f in [
        fixture!("rfc5118/ipv6-good.sip"),
        fixture!("rfc5118/port-ambiguous.sip"),
        fixture!("rfc5118/port-unambiguous.sip"),
        fixture!("rfc5118/via-received-param-with-delim.sip"),
        fixture!("rfc5118/ipv4-mapped.sip"),
        fixture!("rfc5118/ipv6-2-colons.sip"),
    ] {
        let mut st = [Header::EMPTY; 64];
        let m = Message::parse(f, &mut st).unwrap();
        validate(&m).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(f)));
        assert!(matches!(
            m.typed::<Via>().unwrap().unwrap().host,
            Host::Ipv6(..)
        ));
    }
    let mut st = [Header::EMPTY; 64];
    let m = Message::parse(fixture!("rfc5118/port-unambiguous.sip"), &mut st).unwrap();
    assert_eq!(
        Uri::parse(m.request_uri().unwrap())
            .unwrap()
            .as_sip()
            .unwrap()
            .port,
        Some(5070)
    );
    assert!(matches!(
        validation_err(fixture!("rfc5118/ipv6-bad.sip")),
        ValidationError::BadRequestUri { .. }
    ));
    match validation_err(fixture!("rfc5118/ipv6-3-colons.sip")) {
        ValidationError::Malformed(e) => assert_eq!(e.header, HeaderName::Via),
        other => panic!("{other:?}"),
    }
}

#[test]
fn real_world_fixtures() {
    let all: [&[u8]; 8] = [
        fixture!("fixtures/invite_wss_jssip.sip"),
        fixture!("fixtures/register_digest.sip"),
        fixture!("fixtures/401_www_authenticate.sip"),
        fixture!("fixtures/200_record_route.sip"),
        fixture!("fixtures/options.sip"),
        fixture!("fixtures/bye.sip"),
        fixture!("fixtures/notify.sip"),
        fixture!("fixtures/refer.sip"),
    ];
    for raw in all {
        let mut st = [Header::EMPTY; 64];
        let m = Message::parse(raw, &mut st).unwrap();
        validate(&m).unwrap();
    }
    let mut st = [Header::EMPTY; 64];
    let m = Message::parse(all[0], &mut st).unwrap();
    assert_eq!(m.typed::<Via>().unwrap().unwrap().transport, "WSS");
    assert_eq!(m.typed::<SessionExpires>().unwrap().unwrap().delta, 90);
    assert_eq!(m.values("allow").count(), 10);
    assert_eq!(m.body().len(), 139);

    let mut st = [Header::EMPTY; 64];
    let m = Message::parse(all[1], &mut st).unwrap();
    let a: AuthParams<'_> = m.typed::<Authorization>().unwrap().unwrap().0;
    assert_eq!(
        (a.get("username"), a.get("qop"), a.get("nc")),
        (Some("bob"), Some("auth"), Some("00000001"))
    );
    let c = m.typed::<Contact>().unwrap().unwrap();
    assert_eq!(
        c.sip_instance(),
        Some("<urn:uuid:00000000-0000-1000-8000-000A95A0E128>")
    );
    assert_eq!((c.expires(), c.reg_id()), (Some(3600), Some(1)));

    let mut st = [Header::EMPTY; 64];
    let m = Message::parse(all[2], &mut st).unwrap();
    let w = m.typed::<WwwAuthenticate>().unwrap().unwrap();
    assert_eq!(
        (w.get("realm"), w.get("stale")),
        (Some("atlanta.example.com"), Some("FALSE"))
    );

    let mut st = [Header::EMPTY; 64];
    let m = Message::parse(all[3], &mut st).unwrap();
    let rr: Vec<_> = m
        .typed_all::<RecordRoute>()
        .map(|r| r.unwrap().uri)
        .collect();
    assert_eq!(
        rr,
        [
            "sip:server10.biloxi.example.com;lr",
            "sip:bigbox3.site3.atlanta.example.com;lr"
        ]
    );
    assert_eq!(
        m.typed_all::<Via>().nth(2).unwrap().unwrap().received(),
        Some("192.0.2.1")
    );

    let mut st = [Header::EMPTY; 64];
    let m = Message::parse(all[5], &mut st).unwrap();
    let r = m.typed::<Reason>().unwrap().unwrap();
    assert_eq!(
        (r.protocol, r.cause(), r.text()),
        ("Q.850", Some(16), Some("Terminated"))
    );

    let mut st = [Header::EMPTY; 64];
    let m = Message::parse(all[6], &mut st).unwrap();
    assert_eq!(m.typed::<Event>().unwrap().unwrap().id(), Some("93809824"));
    assert_eq!(
        m.typed::<SubscriptionState>().unwrap().unwrap().expires(),
        Some(60)
    );
    assert_eq!(m.body(), b"SIP/2.0 100 Trying\r\n");

    let mut st = [Header::EMPTY; 64];
    let m = Message::parse(all[7], &mut st).unwrap();
    let rt = m.typed::<ReferTo>().unwrap().unwrap();
    assert_eq!(
        rt.parse_uri()
            .unwrap()
            .as_sip()
            .unwrap()
            .headers
            .map(|h| h.starts_with("Replaces=")),
        Some(true)
    );
}
