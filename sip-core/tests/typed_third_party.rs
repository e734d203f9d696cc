//! A typed header defined outside the crate (issue #15): it names itself by its canonical name
//! and compact form, and `Message::typed` / `typed_all` find exactly its lines — long or compact,
//! any case (RFC 3261 §7.3.1, §7.3.3) — never another unknown header nor a known one.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use rtcweb_sip_core::header::{HeaderErrorKind, ParseResult, TypedHeader, Via};
use rtcweb_sip_core::message::{Header, HeaderName, Message};

/// `X-My-Header: token`, no compact form.
#[derive(Debug, PartialEq, Eq)]
struct XMyHeader<'a>(&'a str);

impl<'a> TypedHeader<'a> for XMyHeader<'a> {
    const NAME: &'static str = "X-My-Header";
    const LIST: bool = false;
    fn parse(value: &'a str) -> ParseResult<Self> {
        if value.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(Self(value))
        } else {
            let at = value
                .bytes()
                .position(|b| !b.is_ascii_alphanumeric())
                .unwrap();
            Err((HeaderErrorKind::Token, at))
        }
    }
}

/// `Request-Disposition` (RFC 3841 §9.1), compact `d`, a list; the crate does not know it.
#[derive(Debug, PartialEq, Eq)]
struct RequestDisposition<'a>(&'a str);

impl<'a> TypedHeader<'a> for RequestDisposition<'a> {
    const NAME: &'static str = "Request-Disposition";
    const COMPACT: Option<char> = Some('d');
    const LIST: bool = true;
    fn parse(value: &'a str) -> ParseResult<Self> {
        Ok(Self(value))
    }
}

/// A header that claims a compact letter the crate already gives to `Via`.
struct XVee<'a>(#[allow(dead_code)] &'a str);

impl<'a> TypedHeader<'a> for XVee<'a> {
    const NAME: &'static str = "X-Vee";
    const COMPACT: Option<char> = Some('v');
    const LIST: bool = false;
    fn parse(value: &'a str) -> ParseResult<Self> {
        Ok(Self(value))
    }
}

/// A third-party type for a header the crate knows, named in another case: the fast path.
#[derive(Debug, PartialEq, Eq)]
struct RawVia<'a>(&'a str);

impl<'a> TypedHeader<'a> for RawVia<'a> {
    const NAME: &'static str = "via";
    const LIST: bool = true;
    fn parse(value: &'a str) -> ParseResult<Self> {
        Ok(Self(value))
    }
}

const MSG: &[u8] = b"OPTIONS sip:bob@example.com SIP/2.0\r\n\
    Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1\r\n\
    X-Other: other\r\n\
    X-My-Headers: plural\r\n\
    X-My-Header-2: suffixed\r\n\
    x-my-header: first\r\n\
    X-Vee: vee\r\n\
    d: proxy, parallel\r\n\
    v: SIP/2.0/UDP b.example.com;branch=z9hG4bK2\r\n\
    X-MY-HEADER: second\r\n\
    REQUEST-DISPOSITION: queue\r\n\
    D: no-fork\r\n\
    Max-Forwards: 70\r\n\
    Content-Length: 0\r\n\r\n";

fn values<'a, H: TypedHeader<'a>>(m: &Message<'a>) -> Vec<H> {
    m.typed_all::<H>().map(Result::unwrap).collect()
}

#[test]
fn third_party_header_matches_only_its_own_lines() {
    let mut st = [Header::EMPTY; 32];
    let m = Message::parse(MSG, &mut st).unwrap();

    assert_eq!(m.typed::<XMyHeader>().unwrap().unwrap(), XMyHeader("first"));
    assert_eq!(
        values::<XMyHeader>(&m),
        [XMyHeader("first"), XMyHeader("second")]
    );
    let lines: Vec<&str> = m
        .headers()
        .iter()
        .filter(|h| h.is_typed::<XMyHeader>())
        .map(Header::name)
        .collect();
    assert_eq!(lines, ["x-my-header", "X-MY-HEADER"]);

    // Long and compact forms, any case, list elements split.
    assert_eq!(
        values::<RequestDisposition>(&m),
        ["proxy", "parallel", "queue", "no-fork"].map(RequestDisposition)
    );

    // A compact letter the crate resolves to Via names Via only.
    let vees: Vec<&str> = m.typed_all::<XVee>().map(|v| v.unwrap().0).collect();
    assert_eq!(vees, ["vee"]);

    // A known header named by a third-party type: matched through the resolved id, both forms.
    assert_eq!(
        values::<RawVia>(&m),
        [
            RawVia("SIP/2.0/UDP a.example.com;branch=z9hG4bK1"),
            RawVia("SIP/2.0/UDP b.example.com;branch=z9hG4bK2"),
        ]
    );
    assert_eq!(m.typed_all::<Via>().count(), 2);
}

#[test]
fn absent_and_malformed_third_party_header() {
    let raw = b"OPTIONS sip:bob@example.com SIP/2.0\r\nX-Other: a\r\nX-My-Headerx: b\r\n\r\n";
    let mut st = [Header::EMPTY; 8];
    let m = Message::parse(raw, &mut st).unwrap();
    assert_eq!(m.typed::<XMyHeader>(), Ok(None));
    assert_eq!(m.typed::<RequestDisposition>(), Ok(None));
    assert_eq!(m.typed_all::<XMyHeader>().count(), 0);

    let raw = b"OPTIONS sip:bob@example.com SIP/2.0\r\nX-My-Header: a b\r\n\r\n";
    let mut st = [Header::EMPTY; 8];
    let m = Message::parse(raw, &mut st).unwrap();
    let err = m.typed::<XMyHeader>().unwrap_err();
    assert_eq!(err.header, HeaderName::Other);
    assert_eq!(err.name, "X-My-Header");
    assert_eq!(err.kind, HeaderErrorKind::Token);
    assert_eq!(&raw[err.offset..err.offset + 1], b" ");
    assert!(err.to_string().contains("X-My-Header"), "{err}");
}
