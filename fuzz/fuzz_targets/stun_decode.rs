//! STUN decoding (rtcweb-stun-core): `Message::parse` on arbitrary bytes must never panic; a message
//! that parses has every attribute inside it, decodes or rejects each one cleanly, verifies (or
//! not) without panicking, and re-encodes byte for byte through `MessageWriter::add_raw`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcweb_stun_core::wire::{AttributeType, Message, MessageWriter, HEADER_LEN};
use rtcweb_stun_core::IntegrityKey;

fuzz_target!(|data: &[u8]| {
    let Ok(msg) = Message::parse(data) else {
        return;
    };
    let tid = msg.transaction_id();
    for attr in msg.attributes() {
        assert!(attr.offset >= HEADER_LEN);
        assert!(attr.offset + 4 + attr.value.len() <= data.len());
        let _ = attr.decode(&tid);
    }
    let key = IntegrityKey::new(b"fuzz-key");
    let _ = msg.verify_integrity(&key);
    let _ = msg.verify_fingerprint();
    let _ = msg.unknown_comprehension_required().count();

    // Re-encode. Attributes after MESSAGE-INTEGRITY are skipped by `attributes()` and the writer
    // computes integrity and FINGERPRINT itself, so only messages without them round-trip raw.
    let raw_only = msg.attributes().all(|a| {
        !matches!(
            a.typ,
            AttributeType::MESSAGE_INTEGRITY
                | AttributeType::MESSAGE_INTEGRITY_SHA256
                | AttributeType::FINGERPRINT
        )
    });
    if !raw_only || msg.has_integrity() || msg.has_fingerprint() {
        return;
    }
    let mut out = vec![0u8; data.len()];
    let mut w = MessageWriter::new(&mut out, msg.message_type(), tid).expect("header fits");
    for attr in msg.attributes() {
        w.add_raw(attr.typ, attr.value).expect("attribute fits");
    }
    let len = w.finish();
    let again = Message::parse(&out[..len]).expect("re-encoded message parses");
    assert_eq!(again.message_type(), msg.message_type());
    assert_eq!(again.transaction_id(), tid);
    assert!(again
        .attributes()
        .map(|a| (a.typ, a.value))
        .eq(msg.attributes().map(|a| (a.typ, a.value))));
    // Padding may hold any value on the wire (RFC 8489 §14); the writer zeroes it. Everything else
    // is identical.
    assert_eq!(len, data.len());
});
