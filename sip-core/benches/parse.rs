//! Parse a SIP message and read Via/From/To/Call-ID/CSeq: sip-core vs rsip, same run, same inputs
//! (`/work/shared/bench-inputs/sip_invite.txt` and `sip_200ok.txt`, copied into `benches/data/`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use rtcweb_sip_core::header::{CSeq, CallId, FromHeader, ToHeader, Via};
use rtcweb_sip_core::message::{Header, Message};

const INVITE: &[u8] = include_bytes!("data/sip_invite.txt");
const OK200: &[u8] = include_bytes!("data/sip_200ok.txt");

fn ours(buf: &[u8]) -> usize {
    let mut st = [Header::EMPTY; 32];
    let m = Message::parse(buf, &mut st).unwrap();
    let via = m.typed::<Via>().unwrap().unwrap();
    let from = m.typed::<FromHeader>().unwrap().unwrap();
    let to = m.typed::<ToHeader>().unwrap().unwrap();
    let call = m.typed::<CallId>().unwrap().unwrap();
    let cseq = m.typed::<CSeq>().unwrap().unwrap();
    via.branch().unwrap().len()
        + from.tag().unwrap().len()
        + to.uri.len()
        + call.0.len()
        + cseq.seq as usize
}

fn rsip(buf: &[u8]) -> usize {
    use rsip::prelude::*;
    let m = rsip::SipMessage::try_from(buf).unwrap();
    let via = m.via_header().unwrap().typed().unwrap();
    let from = m.from_header().unwrap().typed().unwrap();
    let to = m.to_header().unwrap().typed().unwrap();
    let call = m.call_id_header().unwrap().value().len();
    let cseq = m.cseq_header().unwrap().typed().unwrap();
    via.branch().map_or(0, |b| b.to_string().len())
        + from.tag().map_or(0, |t| t.to_string().len())
        + to.uri.to_string().len()
        + call
        + cseq.seq as usize
}

fn bench(c: &mut Criterion) {
    assert_eq!(ours(INVITE), rsip(INVITE));
    for (name, input) in [("invite_1k", INVITE), ("ok200_400b", OK200)] {
        let mut g = c.benchmark_group(format!("sip_parse/{name}"));
        g.throughput(Throughput::Elements(1));
        g.bench_function("rtcweb-sip-core", |b| b.iter(|| ours(black_box(input))));
        g.bench_function("rsip", |b| b.iter(|| rsip(black_box(input))));
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
