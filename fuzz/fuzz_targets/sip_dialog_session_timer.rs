//! Dialogs with session timers (RFC 4028): a call set up with a fuzz-chosen Session-Expires,
//! refresher and Min-SE (the UA as caller or callee, its own interval and Min-SE fuzz-chosen too),
//! then refreshes from the peer (re-INVITE, UPDATE with arbitrary Session-Expires / Min-SE /
//! Supported / Require), answers to the UA's own refreshes (2xx, 422, 408, 481, 491, 500, none),
//! BYE, and time jumps, mostly to the next deadline.
//!
//! Invariants (see `ua_harness`): beyond no panic and deadlines ahead of `now`, an established
//! call with a session timer ends within the session interval of its last refresh, the UA's
//! refreshes come at least 45 s apart (half the 90 s floor), and nothing is left stuck.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod ua_harness;

use rtcweb_sip_core::session_timer::SessionTimerConfig;
use ua_harness::{Harness, Input};

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let mode = input.byte();
    let cfg = SessionTimerConfig {
        session_expires: [90, 120, 1800, 86_400][usize::from(input.byte() % 4)],
        min_se: [90, 0, 300, 1800][usize::from(input.byte() % 4)],
    };
    let mut h = Harness::new(mode & !0x40, Some(cfg));
    // Set-up: one call with the peer's session-timer headers.
    let refresher = ["", ";refresher=uac", ";refresher=uas"][usize::from(input.byte() % 3)];
    let se = input.number();
    let mut st = vec![
        ("Session-Expires".to_owned(), format!("{se}{refresher}")),
        ("Supported".to_owned(), "timer".to_owned()),
    ];
    if input.byte() & 1 != 0 {
        st.push(("Min-SE".to_owned(), input.number()));
    }
    if mode & 0x80 != 0 {
        h.call(true);
        h.respond_with(0, 200, 0, 1, 0, &st);
    } else {
        h.request_with("INVITE", None, 0, 0, 0, &st, "v=0\r\n");
        h.respond(0);
        h.request_with("ACK", Some(usize::MAX), 0, 0, 1, &[], "");
    }
    while !input.is_empty() {
        let op = input.byte();
        match op % 10 {
            0 | 1 => {
                // A refresh from the peer.
                let method = if op & 0x10 != 0 { "UPDATE" } else { "INVITE" };
                let flags = input.byte() & !0x22;
                let extra = input.headers();
                let rand = input.u32();
                h.request_with(method, Some(usize::MAX), flags, 0, rand, &extra, "");
                if method == "INVITE" {
                    h.request_with("ACK", Some(usize::MAX), 0, 0, rand ^ 1, &[], "");
                }
            }
            2 | 3 => {
                // An answer to the UA's newest request (its refresh, BYE or re-INVITE).
                let code = [200, 200, 422, 408, 481, 491, 500, 100][usize::from(input.byte() % 8)];
                let extra = input.headers();
                h.respond_with(0, code, 0, 1, 0, &extra);
            }
            4..=6 => h.advance_to_deadline(),
            7 => {
                let step = input.step();
                h.advance(step);
            }
            8 => {
                // A fixture (or any datagram) as a refresh in the dialog.
                let rand = input.u32();
                let raw = input.chunk().to_vec();
                h.transplant_request(Some(usize::MAX), rand, &raw);
            }
            _ => match input.byte() % 4 {
                0 => h.hangup(0),
                1 => h.request(&mut input),
                2 => h.respond_to_sent(&mut input),
                _ => h.respond(input.byte()),
            },
        }
    }
});
