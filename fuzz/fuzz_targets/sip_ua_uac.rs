//! A `UserAgent` as the caller: it places calls (and OPTIONS, REGISTER, in-dialog requests, hang
//! ups), then receives responses built from the requests it really sent — any status, any order,
//! forks, with matching or forged branch, Call-ID, From tag and CSeq, with or without Contact,
//! session-timer and auth headers — plus requests from the callee in the dialogs (BYE,
//! re-INVITE, UPDATE, …), raw datagrams and time jumps up to centuries.
//!
//! Invariants (see `ua_harness`): no panic, deadlines never in the past, bounded calls,
//! transactions, forks and output, no amplification, and no call stuck in a transient state.
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
            0 | 1 => h.call(op & 0x80 != 0),
            2..=5 => h.respond_to_sent(&mut input),
            6 => {
                // The callee speaks in a dialog (or a stranger sends something).
                let sel = input.byte() | 1;
                let flags = input.byte();
                let rand = input.u32();
                let extra = input.headers();
                let method = [
                    "BYE", "INVITE", "UPDATE", "INFO", "ACK", "OPTIONS", "CANCEL", "PRACK",
                ][usize::from(sel >> 5)];
                let body = if flags & 1 != 0 { "v=0\r\n" } else { "" };
                h.request_with(
                    method,
                    Some(usize::from(sel >> 1)),
                    flags,
                    op,
                    rand,
                    &extra,
                    body,
                );
            }
            7 => {
                // A whole datagram from the input (a fixture, an RFC 4475 torture message):
                // transplanted onto a request the UA sent or into a dialog, or raw.
                let which = input.byte();
                let rand = input.u32();
                let raw = input.chunk().to_vec();
                match op >> 6 {
                    0 => h.transplant_response(usize::from(which % 8), &raw),
                    1 => h.transplant_request(Some(usize::from(which)), rand, &raw),
                    _ => {
                        let from = h.from(which);
                        h.deliver(from, &raw);
                    }
                }
            }
            8 => {
                let step = input.step();
                h.advance(step);
            }
            9 => h.advance_to_deadline(),
            10 => h.hangup(input.byte()),
            _ => {
                let b = input.byte();
                if b & 1 == 0 {
                    h.in_dialog(b >> 1);
                } else {
                    h.options_or_register(b >> 1);
                }
            }
        }
    }
});
