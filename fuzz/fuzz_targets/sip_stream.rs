#![no_main]
//! Stream framing over arbitrary bytes: never panics, always makes progress or asks for more.

use libfuzzer_sys::fuzz_target;
use rtcweb_sip_core::framing::{next_frame, Frame};
use rtcweb_sip_core::message::{Header, Limits};

fuzz_target!(|data: &[u8]| {
    let mut rest = data;
    loop {
        let mut st = [Header::EMPTY; 32];
        let n = match next_frame(rest, &mut st, &Limits::DEFAULT) {
            Ok(Frame::Message { len, .. }) | Ok(Frame::KeepAlive { len, .. }) => len,
            Ok(Frame::NeedMore { .. }) | Err(_) => break,
        };
        assert!(n > 0 && n <= rest.len());
        rest = &rest[n..];
    }
});
