//! Parse and serialize a Chrome offer (audio + video + data, 4191 bytes, the shared bench input) with this
//! crate, `webrtc-sdp` (Mozilla) and `sdp` (webrtc-rs), side by side in one run.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::std_instead_of_core
)]

use std::hint::black_box;
use std::io::Cursor;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rtcweb_sdp_core::owned::Description;
use rtcweb_sdp_core::SessionDescription;

const OFFER: &[u8] = include_bytes!("data/sdp_chrome_offer.txt");

fn parse(c: &mut Criterion) {
    let text = std::str::from_utf8(OFFER).unwrap();
    let mut g = c.benchmark_group("sdp_parse_chrome_offer");
    g.throughput(Throughput::Bytes(OFFER.len() as u64));
    g.bench_function("rtcweb-sdp-core", |b| {
        b.iter(|| SessionDescription::parse(black_box(OFFER)).unwrap())
    });
    // Parse into the owned model (one string per line), as webrtc-rs `sdp` builds.
    g.bench_function("rtcweb-sdp-core-owned", |b| {
        b.iter(|| Description::parse(black_box(OFFER)).unwrap())
    });
    // Parse, then read every attribute typed: the work the peers do eagerly.
    g.bench_function("rtcweb-sdp-core+typed-walk", |b| {
        b.iter(|| {
            let d = SessionDescription::parse(black_box(OFFER)).unwrap();
            let mut n = d.attribute_values().count();
            for m in d.media() {
                n += m.attribute_values().count();
            }
            n
        })
    });
    g.bench_function("webrtc-sdp", |b| {
        b.iter(|| webrtc_sdp::parse_sdp(black_box(text), false).unwrap())
    });
    g.bench_function("sdp(webrtc-rs)", |b| {
        b.iter(|| sdp::SessionDescription::unmarshal(&mut Cursor::new(black_box(OFFER))).unwrap())
    });
    g.finish();
}

fn serialize(c: &mut Criterion) {
    let text = std::str::from_utf8(OFFER).unwrap();
    let ours = SessionDescription::parse(OFFER).unwrap();
    let owned = Description::from_view(&ours);
    let moz = webrtc_sdp::parse_sdp(text, false).unwrap();
    let rs = sdp::SessionDescription::unmarshal(&mut Cursor::new(OFFER)).unwrap();
    let mut buf = vec![0u8; 8192];
    let mut g = c.benchmark_group("sdp_serialize_chrome_offer");
    g.throughput(Throughput::Bytes(OFFER.len() as u64));
    g.bench_function("rtcweb-sdp-core", |b| {
        b.iter(|| black_box(&ours).write_to(&mut buf).unwrap())
    });
    g.bench_function("rtcweb-sdp-core-owned", |b| {
        b.iter(|| black_box(&owned).to_sdp())
    });
    g.bench_function("webrtc-sdp", |b| b.iter(|| black_box(&moz).to_string()));
    g.bench_function("sdp(webrtc-rs)", |b| b.iter(|| black_box(&rs).marshal()));
    g.finish();
}

criterion_group!(benches, parse, serialize);
criterion_main!(benches);
