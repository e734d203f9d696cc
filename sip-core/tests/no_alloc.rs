//! The borrowed parse and typed header access allocate nothing (counting global allocator).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use rtcweb_sip_core::framing::{next_frame, Frame};
use rtcweb_sip_core::header::{CSeq, CallId, Contact, FromHeader, ToHeader, Via};
use rtcweb_sip_core::message::validate::validate;
use rtcweb_sip_core::message::{Header, Limits, Message};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use std::alloc::System;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const INVITE: &[u8] = include_bytes!("../benches/data/sip_invite.txt");
const OK200: &[u8] = include_bytes!("../benches/data/sip_200ok.txt");

#[test]
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
        let mut st2 = [Header::EMPTY; 32];
        if let Frame::Message { len, .. } = next_frame(raw, &mut st2, &Limits::DEFAULT).unwrap() {
            total += len;
        }
    }
    let stats = region.change();
    assert!(total > 0);
    assert_eq!(stats.allocations, 0, "{stats:?}");
    assert_eq!(stats.reallocations, 0, "{stats:?}");
}
