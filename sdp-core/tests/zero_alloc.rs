//! A counting global allocator proves the borrowed parse, the typed accessors and the view's
//! serializer never touch the heap.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::alloc::System;

use rtcweb_sdp_core::{ParseOptions, SessionDescription};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

// Counts every allocation of this test binary (the crate forbids `unsafe`, so the counter comes from
// `stats_alloc`).
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const FIXTURES: &[&[u8]] = &[
    include_bytes!("fixtures/bench_chrome_offer.sdp"),
    include_bytes!("fixtures/firefox_offer.sdp"),
    include_bytes!("fixtures/safari_offer.sdp"),
    include_bytes!("fixtures/chrome_plan_b.sdp"),
    include_bytes!("fixtures/freeswitch_sdes_lf.sdp"),
    include_bytes!("fixtures/rtpengine_ipv6.sdp"),
];

fn walk(input: &[u8], out: &mut [u8]) -> usize {
    let d = SessionDescription::parse(input).unwrap();
    let mut n = d.attribute_values().count() + d.write_to(out).unwrap();
    for m in d.media() {
        n += m.attribute_values().count() + m.candidates().count() + m.rtpmaps().count();
        n += usize::from(m.direction().sends()) + m.mid().map_or(0, str::len);
        for c in m.cryptos() {
            n += c.key().unwrap().key_salt().unwrap().as_bytes().len();
        }
        for f in m.fmtps() {
            n += f.parameters().count();
        }
    }
    let mut warnings = 0;
    let lenient =
        SessionDescription::parse_with(input, &ParseOptions::lenient(), |_| warnings += 1).unwrap();
    n + lenient.media_count() + warnings
}

fn borrowed_parse_and_serialize_do_not_allocate() {
    let mut out = [0u8; 8192];
    // Warm up anything lazily initialised by the test harness.
    let _ = walk(FIXTURES[0], &mut out);
    let region = Region::new(GLOBAL);
    let mut total = 0;
    for f in FIXTURES {
        total += walk(f, &mut out);
    }
    let stats = region.change();
    assert!(total > 0);
    assert_eq!(
        (stats.allocations, stats.reallocations),
        (0, 0),
        "the borrowed parse allocated"
    );

    // The counter is live: the owned form does allocate.
    let region = Region::new(GLOBAL);
    let d = SessionDescription::parse(FIXTURES[0]).unwrap();
    let owned = rtcweb_sdp_core::owned::Description::from_view(&d);
    assert!(region.change().allocations > 0);
    assert_eq!(owned.media.len(), 3);
}

/// `harness = false` (Cargo.toml): the counter is process-wide, and libtest's own threads
/// allocate beside a test (a CI run counted 4 of theirs).
fn main() {
    borrowed_parse_and_serialize_do_not_allocate();
    println!("zero_alloc: SDP borrowed parse and serialize: 0 allocations");
}
