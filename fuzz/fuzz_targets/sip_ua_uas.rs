//! A `UserAgent` as the callee: requests from a fuzz-driven caller in any order — new INVITEs
//! (from small Call-ID/tag/branch alphabets, so retransmissions and CANCELs match), ACK, BYE,
//! CANCEL, UPDATE, INFO, OPTIONS, PRACK and re-INVITEs in the dialogs it learned from the UA's
//! answers, with right or wrong tags and CSeqs and arbitrary headers — while the application
//! answers, rings, rejects and hangs up per the input, time jumps, and responses to the UA's own
//! BYEs and refreshes arrive.
//!
//! Invariants (see `ua_harness`): no panic, deadlines never in the past, bounded calls,
//! transactions and output, no amplification, and no call stuck in a transient state.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod ua_harness;

use rtcweb_sip_core::session_timer::SessionTimerConfig;
use ua_harness::{Harness, Input};

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let mode = input.byte();
    let st = (mode & 0x10 != 0).then(SessionTimerConfig::default);
    let mut h = Harness::new(mode, st);
    while !input.is_empty() {
        let op = input.byte();
        match op % 12 {
            0..=4 => h.request(&mut input),
            5 | 6 => h.respond(input.byte()),
            7 => h.respond_to_sent(&mut input),
            8 => {
                let step = input.step();
                h.advance(step);
            }
            9 => h.advance_to_deadline(),
            10 => h.hangup(input.byte()),
            _ => {
                // A whole datagram from the input (a fixture, an RFC 4475 torture message): a
                // request transplanted out of dialog or into one, a response onto the UA's
                // request, or raw.
                let which = input.byte();
                let rand = input.u32();
                let raw = input.chunk().to_vec();
                match op >> 6 {
                    0 => h.transplant_request(None, rand, &raw),
                    1 => h.transplant_request(Some(usize::from(which)), rand, &raw),
                    2 => h.transplant_response(usize::from(which % 8), &raw),
                    _ => {
                        let from = h.from(which);
                        h.deliver(from, &raw);
                    }
                }
            }
        }
    }
});
