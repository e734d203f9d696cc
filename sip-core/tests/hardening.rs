//! Regression tests for the smaller defects of the hardening review (issue #14, item 9): each
//! input here was accepted (or mis-handled) before.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use rtcweb_sip_core::framing::{next_frame, Frame};
use rtcweb_sip_core::header::{TypedHeader, Via};
use rtcweb_sip_core::message::validate::{validate, ValidationError};
use rtcweb_sip_core::message::{Header, HeaderName, Limits, Message};
use rtcweb_sip_core::session_timer::uac_from_response;
use rtcweb_sip_core::uri::Uri;

#[test]
fn uris_with_broken_escapes_or_nameless_params_are_refused() {
    for bad in [
        "sip:%zz@d",
        "sip:%@d",
        "sip:a%4@d",
        "sip:d;x=%",
        "sip:d;x=%g1",
        "sip:d;;x",
        "sip:d;=x",
        "sip:d;x;",
    ] {
        assert!(Uri::parse(bad).is_err(), "{bad} accepted");
    }
    for good in ["sip:%61lice@d", "sip:d;x=%41", "sip:d;lr;x=1", "sip:a;b@d"] {
        assert!(Uri::parse(good).is_ok(), "{good} refused");
    }
}

#[test]
fn via_rport_must_be_empty_or_a_port() {
    assert!(Via::parse("SIP/2.0/UDP h;branch=z9hG4bK1;rport=99999").is_err());
    assert!(Via::parse("SIP/2.0/UDP h;branch=z9hG4bK1;rport=x").is_err());
    assert_eq!(
        Via::parse("SIP/2.0/UDP h;branch=z9hG4bK1;rport=5060")
            .unwrap()
            .rport(),
        Some(Some(5060))
    );
    assert_eq!(
        Via::parse("SIP/2.0/UDP h;branch=z9hG4bK1;rport")
            .unwrap()
            .rport(),
        Some(None)
    );
}

#[test]
fn a_duplicate_max_forwards_fails_validation() {
    let m = b"OPTIONS sip:b@d SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nMax-Forwards: 70\r\n\
        Max-Forwards: 5\r\nFrom: <sip:a@d>;tag=1\r\nTo: <sip:b@d>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n";
    let mut st = [Header::EMPTY; 16];
    let msg = Message::parse(m, &mut st).unwrap();
    assert!(matches!(
        validate(&msg),
        Err(ValidationError::DuplicateHeader {
            header: HeaderName::MaxForwards,
            ..
        })
    ));
}

#[test]
fn session_expires_below_90_is_raised_to_the_rfc_floor() {
    let m = b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@d>;tag=1\r\n\
        To: <sip:b@d>;tag=2\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nSession-Expires: 1;refresher=uac\r\n\r\n";
    let mut st = [Header::EMPTY; 16];
    let msg = Message::parse(m, &mut st).unwrap();
    assert_eq!(uac_from_response(&msg).unwrap().interval, 90);
}

#[test]
fn a_huge_content_length_on_a_stream_is_too_large_not_an_overflow() {
    let m = b"OPTIONS sip:b@d SIP/2.0\r\nContent-Length: 4294967295\r\n\r\n";
    let mut st = [Header::EMPTY; 16];
    // Larger than max_message_size: refused at once rather than waited for.
    assert!(!matches!(
        next_frame(m, &mut st, &Limits::DEFAULT),
        Ok(Frame::NeedMore { .. } | Frame::Message { .. })
    ));
}

/// RFC 5118 §4.10: an IPv6 reference with three colons before an embedded IPv4 address, which
/// "an implementation must tolerate" (found by a corpus of real and mutated messages).
#[test]
fn rfc5118_ipv6_reference_with_three_colons_is_tolerated() {
    let m = b"REGISTER sip:[2001:db8:::192.0.2.1] SIP/2.0\r\n\
        To: sip:user@example.com\r\nFrom: sip:user@example.com;tag=810x2\r\n\
        Via: SIP/2.0/UDP [2001:db8:::192.0.2.1];branch=z9hG4bKas3-111\r\n\
        Call-ID: SSG9559905523997077@hlau_4100\r\nMax-Forwards: 70\r\n\
        Contact: \"Caller\" <sip:caller@[2001:db8:::192.0.2.1]>\r\nCSeq: 98176 REGISTER\r\n\
        Content-Length: 0\r\n\r\n";
    let mut st = [Header::EMPTY; 16];
    let msg = Message::parse(m, &mut st).unwrap();
    validate(&msg).unwrap();
    let Uri::Sip(u) = Uri::parse("sip:[2001:db8:::192.0.2.1]").unwrap() else {
        panic!("not a SIP URI")
    };
    assert_eq!(
        u.host.to_string(),
        "[2001:db8:::192.0.2.1]",
        "kept as written"
    );
    assert!(
        Uri::parse("sip:[2001:db8:::1]").is_err(),
        "only before an IPv4 address"
    );
}
