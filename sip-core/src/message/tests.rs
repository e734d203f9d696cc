//! Parser unit tests: structure, folding, compact forms, limits and offsets.

use super::*;
use crate::header::{CSeq, Contact, FromHeader, ToHeader, Via};
use alloc::vec::Vec;

const INVITE: &[u8] = b"INVITE sip:bob@biloxi.com SIP/2.0\r\n\
Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds, SIP/2.0/TCP p2.example.com;branch=z9hG4bKx\r\n\
v: SIP/2.0/UDP third.example.com;branch=z9hG4bK3\r\n\
Max-Forwards: 70\r\n\
To: Bob <sip:bob@biloxi.com>\r\n\
From: Alice <sip:alice@atlanta.com>;tag=1928301774\r\n\
Call-ID: a84b4c76e66710@pc33.atlanta.com\r\n\
CSeq: 314159 INVITE\r\n\
Subject: folded\r\n  over two lines\r\n\
X-Unknown: kept\r\n\
Content-Type: application/sdp\r\n\
Content-Length: 4\r\n\
\r\n\
v=0\r\nEXTRA";

#[test]
fn parses_structure() {
    let mut st = [Header::EMPTY; 32];
    let m = Message::parse(INVITE, &mut st).unwrap();
    assert_eq!(m.method(), Some(Method::Invite));
    assert_eq!(m.request_uri(), Some("sip:bob@biloxi.com"));
    assert_eq!(m.headers().len(), 11);
    assert_eq!(m.body(), b"v=0\r");
    assert_eq!(m.content_length(), Some(4));
    assert_eq!(
        m.header("subject").unwrap().value(),
        "folded\r\n  over two lines"
    );
    assert_eq!(
        m.header("subject").unwrap().raw(),
        "Subject: folded\r\n  over two lines"
    );
    assert_eq!(m.header("x-unknown").unwrap().value(), "kept");
    let vias: Vec<_> = m.typed_all::<Via>().map(|v| v.unwrap().host).collect();
    assert_eq!(vias.len(), 3);
    assert_eq!(m.values("via").count(), 3);
    assert_eq!(m.typed::<CSeq>().unwrap().unwrap().method, Method::Invite);
    assert_eq!(
        m.typed::<FromHeader>().unwrap().unwrap().tag(),
        Some("1928301774")
    );
    assert_eq!(m.typed::<ToHeader>().unwrap().unwrap().tag(), None);
    assert_eq!(m.typed::<Contact>(), Ok(None));
    let h = m.header("call-id").unwrap();
    assert_eq!(
        &INVITE[h.value_offset()..h.value_offset() + h.value().len()],
        h.value().as_bytes()
    );
}

#[test]
fn response_and_leading_crlf() {
    let raw = b"\r\n\r\nSIP/2.0 200 OK\r\nCSeq: 1 BYE\r\n\r\n";
    let mut st = [Header::EMPTY; 4];
    let m = Message::parse(raw, &mut st).unwrap();
    assert_eq!((m.status(), m.reason()), (Some(200), Some("OK")));
    assert_eq!(m.start_offset(), 4);
    assert!(m.body().is_empty());
}

#[test]
fn bare_lf_tolerated() {
    let raw = b"OPTIONS sip:a@b SIP/2.0\nCall-ID: x\n\nbody";
    let mut st = [Header::EMPTY; 4];
    let m = Message::parse(raw, &mut st).unwrap();
    assert_eq!(m.header("call-id").unwrap().value(), "x");
    assert_eq!(m.body(), b"body");
}

fn err(raw: &[u8]) -> Error {
    let mut st = [Header::EMPTY; 8];
    Message::parse(raw, &mut st).unwrap_err()
}

#[test]
fn errors_carry_offsets() {
    assert_eq!(err(b"").kind, ErrorKind::Empty);
    assert_eq!(
        err(b"INVITE sip:a@b SIP/2.0\r\nVia x\r\n\r\n"),
        Error::new(ErrorKind::MissingColon, 24)
    );
    assert_eq!(
        err(b"INVITE sip:a@b SIP/2.0\r\nBad Name: x\r\n\r\n").kind,
        ErrorKind::HeaderName
    );
    assert_eq!(
        err(b"INVITE sip:a@b SIP/2.0\r\n folded\r\n\r\n").kind,
        ErrorKind::Folding
    );
    assert_eq!(
        err(b"INVITE sip:a@b SIP/2.0\r\nA: \x01\r\n\r\n"),
        Error::new(ErrorKind::Control, 27)
    );
    assert_eq!(
        err(b"INVITE sip:a@b SIP/2.0\r\nA: \xff\r\n\r\n"),
        Error::new(ErrorKind::Utf8, 27)
    );
    assert_eq!(
        err(b"INVITE sip:a@b SIP/2.0\r\nl: 5\r\n\r\nabc"),
        Error::new(ErrorKind::BodyTruncated, 24)
    );
    assert_eq!(
        err(b"INVITE sip:a@b SIP/2.0\r\nl: -1\r\n\r\n").kind,
        ErrorKind::ContentLength
    );
    assert_eq!(
        err(b"INVITE sip:a@b SIP/2.0\r\nl: 1\r\nl: 2\r\n\r\nab").kind,
        ErrorKind::ContentLengthConflict
    );
    assert_eq!(
        err(b"INVITE sip:a@b SIP/2.0\r\nA: b\r\n").kind,
        ErrorKind::Incomplete
    );
    assert_eq!(
        err(b"INVITE sip:a@b SIP/2.0\r\n").kind,
        ErrorKind::Incomplete
    );
}

#[test]
fn quoted_pair_controls_and_bare_cr() {
    // §25.1 quoted-pair: NUL, BEL, DEL escaped inside a quoted string (RFC 4475 intmeth).
    let raw =
        b"OPTIONS sip:a@b SIP/2.0\r\nTo: \"BEL:\\\x07 NUL:\\\x00 DEL:\\\x7f\" <sip:a@b>\r\n\r\n";
    let mut st = [Header::EMPTY; 8];
    let m = Message::parse(raw, &mut st).unwrap();
    let to = m.typed::<ToHeader>().unwrap().unwrap();
    assert!(to
        .display_name_chars()
        .eq("BEL:\u{7} NUL:\0 DEL:\u{7f}".chars()));
    // ... but not unescaped, nor escaped outside a quoted string.
    assert_eq!(
        err(b"OPTIONS sip:a@b SIP/2.0\r\nTo: \"a\x00\" <sip:a@b>\r\n\r\n"),
        Error::new(ErrorKind::Control, 31)
    );
    assert_eq!(
        err(b"OPTIONS sip:a@b SIP/2.0\r\nX: a\\\x00\r\n\r\n"),
        Error::new(ErrorKind::Control, 30)
    );
    // A quote left open on one line does not reach into the next header line.
    assert_eq!(
        err(b"OPTIONS sip:a@b SIP/2.0\r\nX: \"\r\nY: \\\x07\r\n\r\n"),
        Error::new(ErrorKind::Control, 35)
    );
    // §7: a CR must be followed by LF.
    assert_eq!(
        err(b"OPTIONS sip:a@b SIP/2.0\r\nX: a\rb\r\n\r\n"),
        Error::new(ErrorKind::BareCr, 29)
    );
    assert_eq!(
        err(b"OPTIONS sip:a@b SIP/2.0\rX: a\r\n\r\n").kind,
        ErrorKind::BareCr
    );
    assert_eq!(err(b"OPTIONS sip:a@b SIP/7.0\r\n\r\n").status_code(), 505);
    assert_eq!(
        err(b"OPTIONS sip:a@b SIP/2.0\r\nX: a\rb\r\n\r\n").status_code(),
        400
    );
}

#[test]
fn limits_enforced() {
    let mut raw = b"OPTIONS sip:a@b SIP/2.0\r\n".to_vec();
    for _ in 0..9 {
        raw.extend_from_slice(b"X: y\r\n");
    }
    raw.extend_from_slice(b"\r\n");
    assert_eq!(err(&raw).kind, ErrorKind::TooManyHeaders);
    let mut st = [Header::EMPTY; 64];
    let limits = Limits {
        max_headers: 4,
        ..Limits::DEFAULT
    };
    assert_eq!(
        Message::parse_with(&raw, &mut st, &limits)
            .unwrap_err()
            .kind,
        ErrorKind::TooManyHeaders
    );
    let limits = Limits {
        max_line_len: 10,
        ..Limits::DEFAULT
    };
    assert_eq!(
        Message::parse_with(&raw, &mut st, &limits)
            .unwrap_err()
            .kind,
        ErrorKind::LineTooLong
    );
    let limits = Limits {
        max_message_size: 30,
        ..Limits::DEFAULT
    };
    assert_eq!(
        Message::parse_with(&raw, &mut st, &limits)
            .unwrap_err()
            .kind,
        ErrorKind::TooLarge
    );
}

/// A 401 with several challenges in one line, a folded line, other schemes and a malformed one.
const CHALLENGES_401: &[u8] = b"SIP/2.0 401 Unauthorized\r\n\
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKx\r\n\
From: <sip:alice@example.com>;tag=1\r\n\
To: <sip:alice@example.com>;tag=2\r\n\
Call-ID: c1\r\n\
CSeq: 1 REGISTER\r\n\
WWW-Authenticate: Digest realm=\"a\", nonce=\"x\", algorithm=SHA-256, qop=\"auth\", Digest realm=\"a\", nonce=\"x\", algorithm=MD5, qop=\"auth\"\r\n\
WWW-Authenticate: Bearer realm=\"a, b\", scope=\"x\",\r\n Basic realm=\"a\"\r\n\
WWW-Authenticate: Digest realm=\"b\" nonce=\"y\", Negotiate\r\n\
Proxy-Authenticate: Digest realm=\"p\", nonce=\"z\"\r\n\
Content-Length: 0\r\n\r\n";

#[test]
fn challenges_across_lines_and_inside_lines() {
    use crate::header::{HeaderErrorKind, ProxyAuthenticate, WwwAuthenticate};
    let mut st = [Header::EMPTY; 32];
    let m = Message::parse(CHALLENGES_401, &mut st).unwrap();
    let all: Vec<_> = m.typed_all::<WwwAuthenticate>().collect();
    let ok: Vec<_> = all
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|w| (w.scheme, w.get("algorithm").or(w.get("realm"))))
        .collect();
    assert_eq!(
        ok,
        [
            ("Digest", Some("SHA-256")),
            ("Digest", Some("MD5")),
            ("Bearer", Some("a, b")),
            ("Basic", Some("a")),
            ("Negotiate", None),
        ]
    );
    // The malformed third line's Digest is reported at its byte in the message.
    let errs: Vec<_> = all.iter().filter_map(|r| r.err()).collect();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].kind, HeaderErrorKind::AuthParam);
    assert_eq!(errs[0].header, HeaderName::WwwAuthenticate);
    let text = core::str::from_utf8(CHALLENGES_401).unwrap();
    assert_eq!(
        text.get(errs[0].offset..errs[0].offset + 10),
        Some(" nonce=\"y\"")
    );
    assert_eq!(
        all.iter().position(Result::is_err),
        Some(4),
        "in order: line 3's Digest comes before its Negotiate"
    );
    // `typed` is the first challenge; Proxy-Authenticate is separate.
    let first = m.typed::<WwwAuthenticate>().unwrap().unwrap();
    assert_eq!(first.get("algorithm"), Some("SHA-256"));
    let p: Vec<_> = m
        .typed_all::<ProxyAuthenticate>()
        .map(|r| r.unwrap().get("realm"))
        .collect();
    assert_eq!(p, [Some("p")]);
}

/// Heads within the first window, past it (the parser validates more and goes on), and past the
/// second (the three-pass path): the same fields, a folded value across the first boundary, and
/// a non-UTF-8 body either way.
#[test]
fn long_heads_take_every_path() {
    for headers in [4, 30, 90] {
        let mut raw = alloc::string::String::from("OPTIONS sip:a@b SIP/2.0\r\n");
        for i in 0..headers {
            raw.push_str(&alloc::format!(
                "X-H{i:03}: value {i:03} of a fairly long header line\r\n"
            ));
            // Ends 1002 bytes in; its continuation crosses byte 1024.
            if i == 19 {
                raw.push_str("Subject: folded\r\n  across a window boundary\r\n");
            }
        }
        raw.push_str("Content-Length: 3\r\n\r\n");
        let mut bytes = raw.into_bytes();
        bytes.extend_from_slice(&[0xff, 0xfe, b'x']);
        let mut st = [Header::EMPTY; 128];
        let m = Message::parse(&bytes, &mut st).unwrap_or_else(|e| panic!("{headers}: {e}"));
        let extra = usize::from(headers > 19);
        assert_eq!(m.headers().len(), headers + 1 + extra);
        assert_eq!(m.body(), [0xff, 0xfe, b'x']);
        for (i, h) in m
            .headers()
            .iter()
            .filter(|h| h.name().starts_with("X-H"))
            .enumerate()
        {
            assert_eq!(
                h.value(),
                alloc::format!("value {i:03} of a fairly long header line")
            );
        }
        if headers > 19 {
            assert_eq!(
                m.header("subject").map(Header::value),
                Some("folded\r\n  across a window boundary")
            );
        }
    }
}
