#![no_main]
//! Message parsing, typed headers, validation and re-serialization never panic.

use libfuzzer_sys::fuzz_target;
use rtcweb_sip_core::header::{CSeq, Contact, FromHeader, ToHeader, Via};
use rtcweb_sip_core::message::builder::MessageBuilder;
use rtcweb_sip_core::message::{Header, Message};
use rtcweb_sip_core::uri::Uri;

fuzz_target!(|data: &[u8]| {
    let mut st = [Header::EMPTY; 64];
    if let Ok(m) = Message::parse(data, &mut st) {
        let _ = rtcweb_sip_core::message::validate::validate_for_proxy(&m);
        for v in m.typed_all::<Via>().flatten() {
            let _ = (v.branch(), v.rport(), v.ttl());
        }
        for c in m.typed_all::<Contact>().flatten() {
            let _ = (c.q(), c.expires());
            if let Some(a) = c.addr() {
                let _ = a.parse_uri();
            }
        }
        let _ = m
            .typed::<FromHeader>()
            .map(|f| f.map(|f| f.display_name_chars().count()));
        let _ = m.typed::<ToHeader>();
        let _ = m.typed::<CSeq>();
        if let Some(u) = m.request_uri() {
            if let Ok(u) = Uri::parse(u) {
                let _ = u.equivalent(&u);
            }
        }
        let out = MessageBuilder::from_message(&m).to_vec();
        let mut st2 = [Header::EMPTY; 64];
        let again = Message::parse(&out, &mut st2);
        assert!(again.is_ok(), "re-serialized message must parse");
    }
});
