//! The borrowed parse and typed header access allocate nothing (counting global allocator).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use rtcweb_sip_core::framing::{next_frame, Frame};
use rtcweb_sip_core::header::{
    challenges, CSeq, CallId, Contact, FromHeader, ProxyAuthenticate, ToHeader, Via,
    WwwAuthenticate,
};
use rtcweb_sip_core::message::validate::validate;
use rtcweb_sip_core::message::writer::MessageWriter;
use rtcweb_sip_core::message::{Header, Limits, Message, Method};
use rtcweb_sip_core::registration::{challenge_in, select_challenge};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use std::alloc::System;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const INVITE: &[u8] = include_bytes!("../benches/data/sip_invite.txt");
const OK200: &[u8] = include_bytes!("../benches/data/sip_200ok.txt");

/// A typed header the crate does not know (issue #15).
struct XThirdParty;

impl<'a> rtcweb_sip_core::header::TypedHeader<'a> for XThirdParty {
    const NAME: &'static str = "X-Third-Party";
    const COMPACT: Option<char> = Some('j');
    const LIST: bool = true;
    fn parse(_: &'a str) -> rtcweb_sip_core::header::ParseResult<Self> {
        Ok(Self)
    }
}

fn parse_and_read_headers_without_allocating() {
    let region = Region::new(GLOBAL);
    let mut total = 0usize;
    for raw in [INVITE, OK200] {
        let mut st = [Header::EMPTY; 32];
        let m = Message::parse(raw, &mut st).unwrap();
        validate(&m).unwrap();
        total += m
            .typed_all::<Via>()
            .map(|v| v.unwrap().branch().unwrap().len())
            .sum::<usize>();
        total += m
            .typed::<FromHeader>()
            .unwrap()
            .unwrap()
            .tag()
            .unwrap()
            .len();
        total += m.typed::<ToHeader>().unwrap().unwrap().uri.len();
        total += m.typed::<CallId>().unwrap().unwrap().0.len();
        total += m.typed::<CSeq>().unwrap().unwrap().seq as usize;
        total += m.typed_all::<Contact>().count();
        // A header type from outside the crate: matched by name, still no allocation.
        total += m.typed_all::<XThirdParty>().count();
        // The allocation-free writer: a request into a stack buffer, formatted numbers included.
        let mut out = [0u8; 512];
        let mut w = MessageWriter::request(&mut out, Method::Options, "sip:bob@example.com");
        w.header("Via", "SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1")
            .header_fmt("CSeq", format_args!("{} OPTIONS", total));
        total += w.finish(b"").unwrap();
        let mut st2 = [Header::EMPTY; 32];
        if let Frame::Message { len, .. } = next_frame(raw, &mut st2, &Limits::DEFAULT).unwrap() {
            total += len;
        }
    }
    let stats = region.change();
    assert!(total > 0);
    assert_eq!(stats.allocations, 0, "{stats:?}");
    assert_eq!(stats.reallocations, 0, "{stats:?}");
    challenge_splitting_and_selection_without_allocating();
}

/// RFC 7235 §4.1 challenge lists: several challenges per line, several lines, other schemes.
const CHALLENGE_401: &[u8] = b"SIP/2.0 401 Unauthorized\r\n\
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKx\r\n\
From: <sip:alice@example.com>;tag=1\r\n\
To: <sip:alice@example.com>;tag=2\r\n\
Call-ID: c1\r\n\
CSeq: 1 REGISTER\r\n\
WWW-Authenticate: Bearer realm=\"a, b\", scope=\"x\", Basic realm=\"a\"\r\n\
WWW-Authenticate: Digest realm=\"a\", nonce=\"x\", algorithm=MD5, qop=\"auth\", Digest realm=\"a\", nonce=\"x\\\", y\", algorithm=SHA-256, qop=\"auth\"\r\n\
Proxy-Authenticate: Digest realm=\"p\" nonce=\"bad\", Digest realm=\"p\", nonce=\"z\"\r\n\
Content-Length: 0\r\n\r\n";

/// Called from `main` one after the other: the allocation counter is global, so checks running
/// in parallel (or libtest's own threads) would add to each other's counts.
fn challenge_splitting_and_selection_without_allocating() {
    let region = Region::new(GLOBAL);
    let mut st = [Header::EMPTY; 16];
    let m = Message::parse(CHALLENGE_401, &mut st).unwrap();
    let mut total = 0usize;
    for w in m.typed_all::<WwwAuthenticate>() {
        let w = w.unwrap();
        total += w.scheme.len() + w.iter().map(|(n, v)| n.len() + v.len()).sum::<usize>();
    }
    let errors = m
        .typed_all::<ProxyAuthenticate>()
        .filter(Result::is_err)
        .count();
    let value = m.header("www-authenticate").unwrap().value();
    let n = challenges(value).count();
    let best = select_challenge(m.typed_all::<WwwAuthenticate>()).unwrap();
    let (chosen, header) = challenge_in(&m).unwrap();
    let stats = region.change();
    assert_eq!(stats.allocations, 0, "{stats:?}");
    assert_eq!(stats.reallocations, 0, "{stats:?}");
    assert!(total > 0);
    assert_eq!((n, errors), (2, 1));
    assert_eq!(m.typed_all::<WwwAuthenticate>().count(), 4);
    assert_eq!(best.get("algorithm"), Some("SHA-256"));
    assert_eq!(best.get("nonce"), Some("x\\\", y"));
    assert_eq!((chosen, header), (best, "Authorization"));
}

/// `harness = false` (Cargo.toml): no libtest threads allocate beside the checks.
fn main() {
    parse_and_read_headers_without_allocating();
    println!("no_alloc: SIP parse, typed headers and challenges: 0 allocations");
}
