//! RFC 5769 test vectors (all four messages) and RFC 8489 appendix B.1 (with verified erratum 6268).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::std_instead_of_core
)]

use rtcweb_stun_core::credentials::{
    long_term_key_md5, long_term_key_sha256, short_term_key, userhash,
};
use rtcweb_stun_core::wire::attributes::*;
use rtcweb_stun_core::wire::{
    Class, IntegrityAlgorithm, Message, MessageType, MessageWriter, Method,
};

fn hex(s: &str) -> Vec<u8> {
    let d: Vec<u8> = s.bytes().filter(u8::is_ascii_hexdigit).collect();
    d.chunks(2)
        .map(|c| u8::from_str_radix(std::str::from_utf8(c).unwrap(), 16).unwrap())
        .collect()
}

const PASSWORD: &str = "VOkJxbRl1RmTxUk/WvJxBt";

const REQUEST: &str = "00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
    80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
    00 24 00 04 6e 00 01 ff
    80 29 00 08 93 2f f9 b1 51 26 3b 36
    00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
    00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
    80 28 00 04 e5 7a 3b cf";

const IPV4_RESPONSE: &str = "01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
    80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
    00 20 00 08 00 01 a1 47 e1 12 a6 43
    00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
    80 28 00 04 c0 7d 4c 96";

const IPV6_RESPONSE: &str = "01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
    80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
    00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
    00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
    80 28 00 04 c8 fb 0b 4c";

const LONG_TERM: &str = "00 01 00 60 21 12 a4 42 78 ad 34 33 c6 ad 72 c0 29 da 41 2e
    00 06 00 12 e3 83 9e e3 83 88 e3 83 aa e3 83 83 e3 82 af e3 82 b9 00 00
    00 15 00 1c 66 2f 2f 34 39 39 6b 39 35 34 64 36 4f 4c 33 34 6f 4c 39 46 53 54 76 79 36 34 73 41
    00 14 00 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 00
    00 08 00 14 f6 70 24 65 6d d6 4a 3e 02 b8 e0 71 2e 85 c9 a2 8c a8 96 66";

const RFC8489_B1: &str = "00010090 2112a442 78ad3433c6ad72c029da412e
    001e0020 4a3cf38fef6992bda952c6780417da0f24819415569e60b205c46e41407f1704
    00150029 6f624d61744a6f733241414143662f2f3439396b3935346436
             4f4c33346f4c39465354767936347341 000000
    0014000b 6578616d706c652e6f7267 00
    001d0004 00020000
    001c0020 b5c7bf005b6c52a21c51c5e892f81924136296cb927c43149309278cc6518e65";

const USER: &str = "\u{30DE}\u{30C8}\u{30EA}\u{30C3}\u{30AF}\u{30B9}";

#[test]
fn rfc5769_sample_request() {
    let bytes = hex(REQUEST);
    let msg = Message::parse(&bytes).unwrap();
    assert_eq!(
        msg.message_type(),
        MessageType::new(Method::BINDING, Class::Request)
    );
    assert_eq!(
        msg.attribute::<Software>().unwrap(),
        Some(Software("STUN test client"))
    );
    assert_eq!(
        msg.attribute::<Username>().unwrap(),
        Some(Username("evtj:h6vY"))
    );
    assert_eq!(
        msg.attribute::<Priority>().unwrap(),
        Some(Priority(0x6e0001ff))
    );
    assert_eq!(
        msg.attribute::<IceControlled>().unwrap(),
        Some(IceControlled(0x932ff9b151263b36))
    );
    let key = short_term_key(PASSWORD).unwrap();
    assert_eq!(msg.verify_integrity(&key), Ok(IntegrityAlgorithm::HmacSha1));
    msg.verify_fingerprint().unwrap();
    assert!(msg
        .verify_integrity(&short_term_key("wrong").unwrap())
        .is_err());
    assert_eq!(msg.unknown_comprehension_required().count(), 0);
}

#[test]
fn rfc5769_responses() {
    let key = short_term_key(PASSWORD).unwrap();
    for (text, addr) in [
        (IPV4_RESPONSE, "192.0.2.1:32853"),
        (
            IPV6_RESPONSE,
            "[2001:db8:1234:5678:11:2233:4455:6677]:32853",
        ),
    ] {
        let bytes = hex(text);
        let msg = Message::parse(&bytes).unwrap();
        assert_eq!(msg.class(), Class::Success);
        assert_eq!(
            msg.attribute::<Software>().unwrap(),
            Some(Software("test vector"))
        );
        assert_eq!(
            msg.attribute::<XorMappedAddress>().unwrap(),
            Some(XorMappedAddress(addr.parse().unwrap()))
        );
        msg.verify_integrity(&key).unwrap();
        msg.verify_fingerprint().unwrap();
    }
}

/// Re-encodes a vector from its decoded attributes. SOFTWARE and USERNAME padding in the RFC's
/// vectors is 0x20, where we write zeros, so those bytes are compared modulo padding by re-parsing.
fn reencode(bytes: &[u8], key: &rtcweb_stun_core::IntegrityKey) -> Vec<u8> {
    let msg = Message::parse(bytes).unwrap();
    let mut out = vec![0u8; bytes.len()];
    let mut w = MessageWriter::new(&mut out, msg.message_type(), msg.transaction_id()).unwrap();
    for a in msg.attributes() {
        match a.typ {
            AttributeType::MESSAGE_INTEGRITY => w.add_message_integrity(key).unwrap(),
            AttributeType::MESSAGE_INTEGRITY_SHA256 => w.add_message_integrity_sha256(key).unwrap(),
            AttributeType::FINGERPRINT => w.add_fingerprint().unwrap(),
            typ => w.add_raw(typ, a.value).unwrap(),
        }
    }
    let n = w.finish();
    out.truncate(n);
    out
}

#[test]
fn rfc5769_long_term_and_byte_exact_reencode() {
    let bytes = hex(LONG_TERM);
    let msg = Message::parse(&bytes).unwrap();
    assert_eq!(msg.attribute::<Username>().unwrap(), Some(Username(USER)));
    assert_eq!(
        msg.attribute::<Nonce>().unwrap(),
        Some(Nonce("f//499k954d6OL34oL9FSTvy64sA"))
    );
    assert_eq!(
        msg.attribute::<Realm>().unwrap(),
        Some(Realm("example.org"))
    );
    assert!(!msg.has_fingerprint());
    let key = long_term_key_md5(USER, "example.org", "TheMatrIX").unwrap();
    // The password as the RFC gives it, before SASLprep, yields the same key.
    let key2 = long_term_key_md5(USER, "example.org", "The\u{AD}M\u{AA}tr\u{2168}").unwrap();
    assert_eq!(key, key2);
    msg.verify_integrity(&key.integrity_key()).unwrap();
    let wrong = long_term_key_md5(USER, "example.org", "thematrix").unwrap();
    assert!(msg.verify_integrity(&wrong.integrity_key()).is_err());
    // Zero padding everywhere in this vector: re-encoding gives the same bytes.
    assert_eq!(reencode(&bytes, &key.integrity_key()), bytes);
}

#[test]
fn rfc5769_short_term_reencode_differs_only_in_padding() {
    let key = short_term_key(PASSWORD).unwrap();
    for v in [REQUEST, IPV4_RESPONSE, IPV6_RESPONSE] {
        let bytes = hex(v);
        let again = reencode(&bytes, &key);
        assert_eq!(again.len(), bytes.len());
        let msg = Message::parse(&again).unwrap();
        msg.verify_integrity(&key).unwrap();
        msg.verify_fingerprint().unwrap();
        let a: Vec<_> = Message::parse(&bytes)
            .unwrap()
            .attributes()
            .map(|a| (a.typ, a.value))
            .collect();
        let b: Vec<_> = msg.attributes().map(|a| (a.typ, a.value)).collect();
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            if x.0 != AttributeType::MESSAGE_INTEGRITY && x.0 != AttributeType::FINGERPRINT {
                assert_eq!(x, y);
            }
        }
    }
}

#[test]
fn rfc8489_b1_sha256_userhash() {
    let bytes = hex(RFC8489_B1);
    let msg = Message::parse(&bytes).unwrap();
    assert_eq!(
        msg.attribute::<Userhash>().unwrap(),
        Some(Userhash(userhash(USER, "example.org")))
    );
    assert_eq!(
        msg.attribute::<Nonce>().unwrap(),
        Some(Nonce("obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA"))
    );
    let alg = msg.attribute::<PasswordAlgorithm>().unwrap().unwrap();
    assert_eq!(alg.algorithm, PasswordAlgorithm::SHA256);
    let key = long_term_key_sha256(USER, "example.org", "TheMatrIX").unwrap();
    assert_eq!(
        msg.verify_integrity(&key.integrity_key()),
        Ok(IntegrityAlgorithm::HmacSha256)
    );
    assert!(msg
        .verify_integrity(
            &long_term_key_sha256(USER, "example.org", "x")
                .unwrap()
                .integrity_key()
        )
        .is_err());
    assert_eq!(reencode(&bytes, &key.integrity_key()), bytes);
}
