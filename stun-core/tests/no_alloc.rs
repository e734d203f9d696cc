//! Proves the hot paths allocate nothing: decoding and verifying an ICE Binding request
//! (MESSAGE-INTEGRITY and FINGERPRINT), encoding the same message into a stack buffer, and keying
//! an [`IntegrityKey`]. A counting global allocator records every allocation in this test binary.
//!
//! The binary runs without libtest (`harness = false`): the count is process-wide, and libtest's
//! own threads (printing results, capturing output) would allocate while a check counts.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::std_instead_of_core
)]

use std::alloc::System;

use rtcweb_stun_core::wire::attributes::{IceControlling, Priority, UseCandidate, Username};
use rtcweb_stun_core::wire::{Class, Message, MessageType, MessageWriter, Method};
use rtcweb_stun_core::IntegrityKey;
use stats_alloc::{StatsAlloc, INSTRUMENTED_SYSTEM};

/// Counts every allocation and reallocation of this test binary (the workspace forbids the
/// `unsafe` a hand-written `GlobalAlloc` needs, so the counter comes from `stats_alloc`).
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Runs `f` and returns how many allocations and reallocations happened meanwhile.
fn count<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let before = GLOBAL.stats();
    let r = std::hint::black_box(f());
    let after = GLOBAL.stats();
    let allocations =
        (after.allocations - before.allocations) + (after.reallocations - before.reallocations);
    (r, allocations)
}

const REQUEST: &[u8] = include_bytes!("data/stun_binding_request.bin");
const PASSWORD: &[u8] = include_bytes!("data/stun_binding_request.key");

fn password() -> &'static [u8] {
    // Tolerate a trailing newline in the key file.
    PASSWORD.strip_suffix(b"\n").unwrap_or(PASSWORD)
}

fn decode_and_verify_binding_request_allocates_nothing() {
    let key = IntegrityKey::new(password());
    let input = std::hint::black_box(REQUEST);
    let (result, allocations) = count(|| {
        let msg = Message::parse(input)?;
        msg.verify_integrity(&key)?;
        msg.verify_fingerprint()?;
        let user = msg.attribute::<Username>()?.map(|u| u.0.len());
        let prio = msg.attribute::<Priority>()?.map(|p| p.0);
        let tie = msg.attribute::<IceControlling>()?.map(|t| t.0);
        let nominated = msg.attribute::<UseCandidate>()?.is_some();
        let attrs = msg.attributes().count();
        Ok::<_, rtcweb_stun_core::wire::Error>((user, prio, tie, nominated, attrs))
    });
    assert_eq!(allocations, 0, "decode + verify allocated");
    let (user, prio, tie, nominated, attrs) = result.unwrap();
    assert_eq!(user, Some(9));
    assert_eq!(prio, Some(0x6e7f_1eff));
    assert_eq!(tie, Some(0x1a2b_3c4d_5e6f_7081));
    assert!(nominated);
    assert_eq!(attrs, 6);
}

fn encode_binding_request_allocates_nothing() {
    let key = IntegrityKey::new(password());
    let parsed = Message::parse(REQUEST).unwrap();
    let tid = parsed.transaction_id();
    let username = parsed.attribute::<Username>().unwrap().unwrap();
    let (result, allocations) = count(|| {
        let mut buf = [0u8; 128];
        let typ = MessageType::new(Method::BINDING, Class::Request);
        let mut w = MessageWriter::new(&mut buf, typ, tid)?;
        w.add(&username)?;
        w.add(&Priority(0x6e7f_1eff))?;
        w.add(&IceControlling(0x1a2b_3c4d_5e6f_7081))?;
        w.add(&UseCandidate)?;
        w.add_message_integrity(&key)?;
        w.add_fingerprint()?;
        let len = w.finish();
        Ok::<_, rtcweb_stun_core::wire::Error>((buf, len))
    });
    assert_eq!(allocations, 0, "encode allocated");
    let (buf, len) = result.unwrap();
    // The shared input was written in exactly this order: the encoding is byte-identical.
    assert_eq!(&buf[..len], REQUEST);
}

fn integrity_key_new_allocates_nothing() {
    let pw = std::hint::black_box(password());
    let (key, allocations) = count(|| IntegrityKey::new(pw));
    assert_eq!(allocations, 0, "IntegrityKey::new allocated");
    // A key longer than the HMAC block (hashed first) takes the same, allocation-free path.
    let long = [0x5au8; 200];
    let (long_key, allocations) = count(|| IntegrityKey::new(std::hint::black_box(&long)));
    assert_eq!(allocations, 0, "IntegrityKey::new of a long key allocated");
    drop((key, long_key));
}

fn the_counter_sees_allocations() {
    let (v, allocations) = count(|| vec![std::hint::black_box(1u8); 100]);
    assert!(allocations >= 1, "the counting allocator is not installed");
    drop(v);
}

fn main() {
    let checks: [(&str, fn()); 4] = [
        ("the_counter_sees_allocations", the_counter_sees_allocations),
        (
            "decode_and_verify_binding_request_allocates_nothing",
            decode_and_verify_binding_request_allocates_nothing,
        ),
        (
            "encode_binding_request_allocates_nothing",
            encode_binding_request_allocates_nothing,
        ),
        (
            "integrity_key_new_allocates_nothing",
            integrity_key_new_allocates_nothing,
        ),
    ];
    for (name, check) in checks {
        check();
        println!("test {name} ... ok");
    }
    println!("no_alloc: {} checks passed", checks.len());
}
