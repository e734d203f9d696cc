//! RFC 4475 torture messages, RFC 5118 IPv6 messages and real-world fixtures: the valid ones parse
//! with the right values, the invalid ones give the right error.
//!
//! `tests/rfc4475/*.sip` hold every single-message test of RFC 4475 §3.1.1, §3.1.2, §3.2, §3.3 and
//! §3.4 as wire bytes: CRLF line ends, the RFC's `<allOneLine>` lines joined, `<repeat count=N>`
//! expanded, `<hex>` runs decoded (intmeth's NUL/BEL/DEL quoted-pairs, mpart01's PKCS#7 part), UTF-8
//! kept as UTF-8. Every body matches its Content-Length except where the RFC wants a mismatch
//! (clerr, ncl, mcl01, dblreq's trailing noise). `.gitattributes` there keeps git from touching them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use rtcweb_sip_core::header::{
    AuthParams, Authorization, CSeq, CallId, Contact, ContentLength, ContentType, Event,
    FromHeader, HeaderErrorKind, MaxForwards, ProxyRequire, Reason, RecordRoute, ReferTo, Require,
    SessionExpires, SubscriptionState, ToHeader, Via, WwwAuthenticate,
};
use rtcweb_sip_core::message::validate::{validate, validate_for_proxy, ValidationError};
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

fn parse_ok(raw: &[u8], f: impl FnOnce(&Message<'_>)) {
    let mut st = [Header::EMPTY; 64];
    let m = Message::parse(raw, &mut st).unwrap_or_else(|e| panic!("{e}"));
    f(&m);
}

fn sip_uri(s: &str) -> rtcweb_sip_core::uri::SipUri<'_> {
    match Uri::parse(s).unwrap() {
        Uri::Sip(u) => u,
        other => panic!("{other:?}"),
    }
}

/// §3.1.1.2: every token and word character, quoted-pairs of NUL/BEL/DEL, UTF-8 values.
#[test]
fn intmeth_wide_range_of_valid_characters() {
    const METHOD: &str = "!interesting-Method0123456789_*+`.%indeed'~";
    parse_ok(fixture!("rfc4475/intmeth.sip"), |m| {
        validate(m).unwrap();
        assert_eq!(m.method(), Some(Method::Extension(METHOD)));
        let u = sip_uri(m.request_uri().unwrap());
        assert_eq!(
            (u.user, u.password, u.host),
            (
                Some("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*"),
                Some("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)"),
                Host::Domain("example.com")
            )
        );
        assert_eq!(
            m.typed::<Via>().unwrap().unwrap().branch(),
            Some("z9hG4bK-.!%66*_+`'~")
        );
        let to = m.typed::<ToHeader>().unwrap().unwrap();
        assert!(to
            .display_name_chars()
            .eq("BEL:\u{7} NUL:\0 DEL:\u{7f}".chars()));
        assert_eq!(
            sip_uri(to.uri).user,
            Some("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
        );
        let from = m.typed::<FromHeader>().unwrap().unwrap();
        assert_eq!(from.display_name(), Some("token1~` token2'+_ token3*%!.-"));
        assert_eq!(from.params.value("fromParam''~+*_!.-%"), Some("работающий"));
        assert_eq!(from.tag(), Some("_token~1'+`*%!-."));
        assert_eq!(
            m.typed::<CallId>().unwrap().unwrap().0,
            "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{"
        );
        assert_eq!(
            m.typed::<CSeq>().unwrap().unwrap(),
            CSeq {
                seq: 139_122_385,
                method: Method::Extension(METHOD)
            }
        );
        assert_eq!(m.typed::<MaxForwards>().unwrap().unwrap().0, 255);
        assert_eq!(
            m.header("extensionHeader-!.%*+_`'~").unwrap().value(),
            "\u{feff}大停電"
        );
    });
}

/// §3.1.1.7: long values, 34 Via values in every spelling of the name.
#[test]
fn longreq_long_values() {
    parse_ok(fixture!("rfc4475/longreq.sip"), |m| {
        validate(m).unwrap();
        let to = m.typed::<ToHeader>().unwrap().unwrap();
        assert_eq!(
            to.display_name(),
            Some(format!("I have a user name of {} proportion", "extreme".repeat(10)).as_str())
        );
        let u = sip_uri(to.uri);
        assert_eq!(u.port, Some(6000));
        assert_eq!(
            u.param("unknownparam1"),
            Some(format!("very{}value", "long".repeat(20)).as_str())
        );
        assert_eq!(
            u.param(&format!("longparam{}", "name".repeat(25))),
            Some("shortvalue")
        );
        let from = m.typed::<FromHeader>().unwrap().unwrap();
        assert_eq!(
            from.tag(),
            Some(format!("12{}424", "982".repeat(50)).as_str())
        );
        assert!(from
            .params
            .contains(&format!("unknownValueless{}", "paramname".repeat(10))));
        assert_eq!(
            m.typed::<CallId>().unwrap().unwrap().0,
            format!("longreq.one{}longcallid", "really".repeat(20))
        );
        let vias: Vec<_> = m.typed_all::<Via>().map(Result::unwrap).collect();
        assert_eq!(vias.len(), 34);
        for (i, v) in vias.iter().take(33).enumerate() {
            assert_eq!(v.host, Host::Domain(&format!("sip{}.example.com", 33 - i)));
        }
        assert_eq!(vias[33].received(), Some("192.0.2.5"));
        assert_eq!(
            vias[33].branch(),
            Some(format!("very{}branchvalue", "long".repeat(50)).as_str())
        );
        assert_eq!(m.typed::<ContentLength>().unwrap().unwrap().0, 150);
        assert_eq!(m.body().len(), 150);
    });
}

/// §3.1.1.11: a binary body part with NUL and bare CR octets is framed by Content-Length.
#[test]
fn mpart01_multipart_binary_body() {
    parse_ok(fixture!("rfc4475/mpart01.sip"), |m| {
        validate(m).unwrap();
        assert_eq!(m.method(), Some(Method::Message));
        let v = m.typed::<Via>().unwrap().unwrap();
        assert_eq!((v.port, v.rport()), (Some(5070), Some(None)));
        let ct = m.typed::<ContentType>().unwrap().unwrap();
        assert!(ct.is("multipart", "mixed"));
        assert_eq!(ct.params.value("boundary"), Some("7a9cbec02ceef655"));
        assert_eq!(m.content_length(), Some(553));
        let body = m.body();
        assert_eq!(body.len(), 553);
        assert!(body.contains(&0));
        assert!(body.starts_with(b"--7a9cbec02ceef655\r\n"));
        assert!(body.ends_with(b"\r\n--7a9cbec02ceef655--\r\n"));
        assert_eq!(m.len(), fixture!("rfc4475/mpart01.sip").len());
    });
}

/// §3.1.1.12 and §3.1.1.13: a UTF-8 reason phrase; an empty one.
#[test]
fn unreason_noreason() {
    parse_ok(fixture!("rfc4475/unreason.sip"), |m| {
        validate(m).unwrap();
        assert_eq!(
            (m.status(), m.reason()),
            (
                Some(200),
                Some("= 2**3 * 5**2 но сто девяносто девять - простое")
            )
        );
        assert_eq!(m.body().len(), 154);
    });
    parse_ok(fixture!("rfc4475/noreason.sip"), |m| {
        validate(m).unwrap();
        assert_eq!((m.status(), m.reason()), (Some(100), Some("")));
    });
}

/// §3.1.2: the invalid messages, each refused with the error (and status) the RFC asks for.
#[test]
fn invalid_torture_messages() {
    let status = |raw: &[u8]| {
        let mut st = [Header::EMPTY; 64];
        Message::parse(raw, &mut st).unwrap_err().status_code()
    };
    // §3.1.2.1 badinv01: empty Via parameters and values → 400.
    match validation_err(fixture!("rfc4475/badinv01.sip")) {
        ValidationError::Malformed(e) => assert_eq!(e.header, HeaderName::Via),
        other => panic!("{other:?}"),
    }
    // §3.1.2.2 clerr: Content-Length larger than the datagram → 400 on UDP.
    assert_eq!(
        parse_err(fixture!("rfc4475/clerr.sip")),
        ErrorKind::BodyTruncated
    );
    // §3.1.2.3 ncl: negative Content-Length.
    assert_eq!(
        parse_err(fixture!("rfc4475/ncl.sip")),
        ErrorKind::ContentLength
    );
    // §3.1.2.4 scalar02 / §3.1.2.5 scalarlg: CSeq > 2**32-1 → 400 (the response is dropped).
    for f in [
        fixture!("rfc4475/scalar02.sip"),
        fixture!("rfc4475/scalarlg.sip"),
    ] {
        let e = validation_err(f);
        assert!(
            matches!(e, ValidationError::Malformed(h) if h.header == HeaderName::CSeq && h.kind == HeaderErrorKind::Number),
            "{e:?}"
        );
        assert_eq!(e.status_code(), 400);
    }
    // §3.1.2.6 quotbal: unterminated quoted display name → 400.
    match validation_err(fixture!("rfc4475/quotbal.sip")) {
        ValidationError::Malformed(e) => {
            assert_eq!((e.header, e.kind), (HeaderName::To, HeaderErrorKind::Quote));
        }
        other => panic!("{other:?}"),
    }
    // §3.1.2.7 ltgtruri: Request-URI in <> → 400.
    let e = validation_err(fixture!("rfc4475/ltgtruri.sip"));
    assert!(
        matches!(e, ValidationError::BadRequestUri { offset: 7 }),
        "{e:?}"
    );
    assert_eq!(e.status_code(), 400);
    // §3.1.2.8 lwsruri, §3.1.2.9 lwsstart, §3.1.2.10 trws: LWS in the Request-Line → 400.
    for f in [
        fixture!("rfc4475/lwsruri.sip"),
        fixture!("rfc4475/lwsstart.sip"),
        fixture!("rfc4475/trws.sip"),
    ] {
        assert_eq!(parse_err(f), ErrorKind::RequestLine);
        assert_eq!(status(f), 400);
    }
    // §3.1.2.11 escruri: headers in the Request-URI → 400.
    let e = validation_err(fixture!("rfc4475/escruri.sip"));
    assert!(
        matches!(e, ValidationError::BadRequestUri { offset: 27 }),
        "{e:?}"
    );
    // §3.1.2.13 regbadct: a URI with `?` outside <> in Contact → the Contact is malformed.
    let mut st = [Header::EMPTY; 64];
    let m = Message::parse(fixture!("rfc4475/regbadct.sip"), &mut st).unwrap();
    let e = m.typed::<Contact>().unwrap_err();
    assert_eq!(e.kind, HeaderErrorKind::NameAddr);
    assert_eq!(&fixture!("rfc4475/regbadct.sip")[e.offset..][..1], b"?");
    // §3.1.2.15 baddn: unquoted display names with a comma → 400.
    match validation_err(fixture!("rfc4475/baddn.sip")) {
        ValidationError::Malformed(e) => {
            assert_eq!(
                (e.header, e.kind),
                (HeaderName::From, HeaderErrorKind::NameAddr)
            );
            assert_eq!(&fixture!("rfc4475/baddn.sip")[e.offset..][..5], b"Bell,");
        }
        other => panic!("{other:?}"),
    }
    // §3.1.2.16 badvers: SIP/7.0 → 505.
    assert_eq!(
        parse_err(fixture!("rfc4475/badvers.sip")),
        ErrorKind::Version
    );
    assert_eq!(status(fixture!("rfc4475/badvers.sip")), 505);
    // §3.1.2.17 mismatch01 → 400; §3.1.2.18 mismatch02 → 501 preferred, 400 acceptable: the
    // message layer reports the mismatch (400); answering an unknown method 501 is the UA's call.
    for f in [
        fixture!("rfc4475/mismatch01.sip"),
        fixture!("rfc4475/mismatch02.sip"),
    ] {
        let e = validation_err(f);
        assert!(
            matches!(e, ValidationError::CSeqMethodMismatch { .. }),
            "{e:?}"
        );
        assert_eq!(e.status_code(), 400);
    }
    let mut st = [Header::EMPTY; 64];
    let m = Message::parse(fixture!("rfc4475/mismatch02.sip"), &mut st).unwrap();
    assert_eq!(m.method(), Some(Method::Extension("NEWMETHOD")));
    assert_eq!(m.body().len(), 138);
    // §3.1.2.19 bigcode: status code > 699 → dropped.
    assert_eq!(
        parse_err(fixture!("rfc4475/bigcode.sip")),
        ErrorKind::StatusLine
    );
}

/// §3.1.2 messages the RFC lets a liberal element accept: the message layer accepts them.
#[test]
fn invalid_but_liberally_accepted() {
    // §3.1.2.12 baddate: a non-GMT Date is only an error to whoever reads the Date.
    parse_ok(fixture!("rfc4475/baddate.sip"), |m| {
        validate(m).unwrap();
        assert_eq!(
            m.header("Date").unwrap().value(),
            "Fri, 01 Jan 2010 16:00:00 EST"
        );
    });
    // §3.1.2.14 badaspec: "Elements attempting to be liberal may ignore the spaces" in `< … >`.
    parse_ok(fixture!("rfc4475/badaspec.sip"), |m| {
        validate(m).unwrap();
        let to = m.typed::<ToHeader>().unwrap().unwrap();
        assert_eq!(
            (to.display_name(), to.uri),
            (Some("Watson, Thomas"), "sip:t.watson@example.org")
        );
    });
}

/// §3.2.1 badbranch: the magic cookie alone; parse it, and do not take it as an RFC 3261 branch.
#[test]
fn badbranch_cookie_without_identifier() {
    parse_ok(fixture!("rfc4475/badbranch.sip"), |m| {
        validate(m).unwrap();
        let v = m.typed::<Via>().unwrap().unwrap();
        assert_eq!(v.branch(), Some("z9hG4bK"));
        assert!(!v.is_rfc3261_branch());
    });
}

/// §3.3: valid syntax, refused (or not) above the parser; checked as far as the message layer goes.
#[test]
fn application_layer_messages() {
    // §3.3.1 insuf: To, From and Call-ID missing → 400.
    let e = validation_err(fixture!("rfc4475/insuf.sip"));
    assert!(matches!(e, ValidationError::MissingHeader { .. }), "{e:?}");
    assert_eq!(e.status_code(), 400);
    // §3.3.2 unkscm, §3.3.3 novelsc: unknown Request-URI scheme → 416.
    for f in [
        fixture!("rfc4475/unkscm.sip"),
        fixture!("rfc4475/novelsc.sip"),
    ] {
        let e = validation_err(f);
        assert!(
            matches!(e, ValidationError::UnsupportedUriScheme { offset: 8 }),
            "{e:?}"
        );
        assert_eq!(e.status_code(), 416);
    }
    // §3.3.4 unksm2: unknown schemes in To/From/Contact are well formed (a registrar answers 400).
    parse_ok(fixture!("rfc4475/unksm2.sip"), |m| {
        validate(m).unwrap();
        let to = m.typed::<ToHeader>().unwrap().unwrap();
        assert_eq!(to.parse_uri().unwrap().scheme(), "isbn");
        let from = m.typed::<FromHeader>().unwrap().unwrap();
        assert_eq!(
            (from.uri, from.tag()),
            ("http://www.example.com", Some("3234233"))
        );
        let c = m.typed::<Contact>().unwrap().unwrap();
        assert_eq!(c.addr().unwrap().uri, "name:John_Smith");
    });
    // §3.3.5 bext01: unknown Require / Proxy-Require option tags (420 above the parser).
    parse_ok(fixture!("rfc4475/bext01.sip"), |m| {
        validate(m).unwrap();
        let r: Vec<_> = m.typed_all::<Require>().map(|r| r.unwrap().0).collect();
        assert_eq!(r, ["nothingSupportsThis", "nothingSupportsThisEither"]);
        let p: Vec<_> = m
            .typed_all::<ProxyRequire>()
            .map(|r| r.unwrap().0)
            .collect();
        assert_eq!(p, ["noProxiesSupportThis", "norDoAnyProxiesSupportThis"]);
        assert_eq!(m.typed::<Via>().unwrap().unwrap().transport, "TLS");
    });
    // §3.3.6 invut: unknown body type (415 above the parser).
    parse_ok(fixture!("rfc4475/invut.sip"), |m| {
        validate(m).unwrap();
        assert!(m
            .typed::<ContentType>()
            .unwrap()
            .unwrap()
            .is("application", "unknownformat"));
        assert_eq!(
            m.body(),
            b"<audio>\r\n <pcmu port=\"443\"/>\r\n</audio>\r\n"
        );
    });
    // §3.3.7 regaut01: unknown authorization scheme (a registrar challenges with 401).
    parse_ok(fixture!("rfc4475/regaut01.sip"), |m| {
        validate(m).unwrap();
        let a = m.typed::<Authorization>().unwrap().unwrap().0;
        assert_eq!(a.scheme, "NoOneKnowsThisScheme");
        assert!(!a.is_digest());
        assert_eq!(a.get("opaque-data"), Some("here"));
    });
    // §3.3.8 multi01: several single-valued headers twice → 400.
    let e = validation_err(fixture!("rfc4475/multi01.sip"));
    assert!(
        matches!(e, ValidationError::DuplicateHeader { .. }),
        "{e:?}"
    );
    assert_eq!(e.status_code(), 400);
    // §3.3.9 mcl01: two different Content-Length values → 400.
    assert_eq!(
        parse_err(fixture!("rfc4475/mcl01.sip")),
        ErrorKind::ContentLengthConflict
    );
    // §3.3.10 bcast: a broadcast address in the second Via is well formed.
    parse_ok(fixture!("rfc4475/bcast.sip"), |m| {
        validate(m).unwrap();
        let v = m.typed_all::<Via>().nth(1).unwrap().unwrap();
        assert_eq!(v.host, Host::Ipv4("255.255.255.255".parse().unwrap()));
    });
    // §3.3.11 zeromf: Max-Forwards 0 → a UA answers it; a proxy answers 483.
    parse_ok(fixture!("rfc4475/zeromf.sip"), |m| {
        validate(m).unwrap();
        let e = validate_for_proxy(m).unwrap_err();
        assert!(matches!(e, ValidationError::TooManyHops { .. }), "{e:?}");
        assert_eq!(e.status_code(), 483);
    });
    // §3.3.12 cparam01: in addr-spec form, `;unknownparam` is a Contact parameter.
    parse_ok(fixture!("rfc4475/cparam01.sip"), |m| {
        validate(m).unwrap();
        let c = m.typed::<Contact>().unwrap().unwrap();
        assert_eq!(c.addr().unwrap().uri, "sip:+19725552222@gw1.example.net");
        assert!(c.params().contains("unknownparam"));
    });
    // §3.3.13 cparam02: inside <>, it is a URI parameter.
    parse_ok(fixture!("rfc4475/cparam02.sip"), |m| {
        validate(m).unwrap();
        let c = m.typed::<Contact>().unwrap().unwrap();
        assert!(!c.params().contains("unknownparam"));
        let u = sip_uri(c.addr().unwrap().uri);
        assert!(u.params.contains("unknownparam"));
    });
    // §3.3.14 regescrt: an escaped header in a Contact URI inside <> is legal.
    parse_ok(fixture!("rfc4475/regescrt.sip"), |m| {
        validate(m).unwrap();
        let c = m.typed::<Contact>().unwrap().unwrap();
        let u = sip_uri(c.addr().unwrap().uri);
        assert_eq!(u.headers, Some("Route=%3Csip:sip.example.com%3E"));
    });
    // §3.3.15 sdp01: an SDP body despite `Accept: text/nobodyKnowsThis` (415 above the parser).
    parse_ok(fixture!("rfc4475/sdp01.sip"), |m| {
        validate(m).unwrap();
        assert_eq!(
            m.values("accept").collect::<Vec<_>>(),
            ["text/nobodyKnowsThis"]
        );
        assert_eq!(m.body().len(), 150);
    });
}

/// §3.4.1 inv2543: an RFC 2543 INVITE (no Max-Forwards, no branch, no tag, no Content-Length)
/// must be accepted, by a proxy too (§16.3 step 3 passes without Max-Forwards).
#[test]
fn inv2543_backward_compatibility() {
    parse_ok(fixture!("rfc4475/inv2543.sip"), |m| {
        validate(m).unwrap();
        validate_for_proxy(m).unwrap();
        let v = m.typed::<Via>().unwrap().unwrap();
        assert_eq!((v.branch(), v.is_rfc3261_branch()), (None, false));
        assert_eq!(m.typed::<FromHeader>().unwrap().unwrap().tag(), None);
        assert_eq!(m.content_length(), None);
        assert_eq!(m.body().len(), 105);
    });
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
        // §4.10: "an implementation must tolerate" the three-colon form of the RFC 3261 ABNF.
        fixture!("rfc5118/ipv6-3-colons.sip"),
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
