//! proptest: build → serialize → parse gives back what was built; parse → serialize of an
//! unmodified message is byte-identical; arbitrary bytes never panic the parser or framer.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use proptest::prelude::*;
use rtcweb_sip_core::framing::next_frame;
use rtcweb_sip_core::message::builder::MessageBuilder;
use rtcweb_sip_core::message::{Header, Limits, Message, Method};

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9.!%*_+`'~-]{0,15}"
}

fn value() -> impl Strategy<Value = String> {
    // Header values: printable text without leading/trailing whitespace, may contain UTF-8.
    "[A-Za-z0-9<>@;=:/\"(),.é漢-]([A-Za-z0-9 <>@;=:/\"(),.é漢-]{0,40}[A-Za-z0-9<>@;=:/\"(),.é漢-])?"
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((token(), value()), 0..12)
}

proptest! {
    #[test]
    fn build_serialize_parse(is_req in any::<bool>(), method in token(), user in "[a-z0-9]{1,10}",
                             code in 100u16..700, reason in "[A-Za-z é]{0,20}", hs in headers(),
                             body in prop::collection::vec(any::<u8>(), 0..64)) {
        let uri = format!("sip:{user}@example.com");
        let mut b = if is_req {
            MessageBuilder::request(Method::from_token(&method), uri.clone())
        } else {
            MessageBuilder::response(code, reason.clone())
        };
        let hs: Vec<_> = hs.into_iter().filter(|(n, _)| !n.eq_ignore_ascii_case("content-length") && !n.eq_ignore_ascii_case("l")).collect();
        for (n, v) in &hs {
            b.add_header(n.clone(), v.clone());
        }
        b.set_body(body.clone(), None);
        let out = b.to_vec();
        prop_assert_eq!(out.len(), b.encoded_len());
        let mut st = [Header::EMPTY; 32];
        let m = Message::parse(&out, &mut st).unwrap();
        if is_req {
            prop_assert_eq!(m.method().unwrap().as_str(), method.as_str());
            prop_assert_eq!(m.request_uri(), Some(uri.as_str()));
        } else {
            prop_assert_eq!(m.status(), Some(code));
            prop_assert_eq!(m.reason(), Some(reason.as_str()));
        }
        prop_assert_eq!(m.body(), &body[..]);
        for (i, (n, v)) in hs.iter().enumerate() {
            prop_assert_eq!(m.headers()[i].name(), n.as_str());
            prop_assert_eq!(m.headers()[i].value(), v.as_str());
        }
        // And the same bytes frame as one stream message.
        let mut st2 = [Header::EMPTY; 32];
        let framed = next_frame(&out, &mut st2, &Limits::DEFAULT).unwrap();
        let framed_len = match framed { rtcweb_sip_core::framing::Frame::Message { len, .. } => len, _ => 0 };
        prop_assert_eq!(framed_len, out.len());
    }

    #[test]
    fn parse_serialize_is_identity(hs in headers(), fold in any::<bool>(), body in "[ -~]{0,50}") {
        let hs: Vec<_> = hs.into_iter().filter(|(n, _)| !n.eq_ignore_ascii_case("content-length") && !n.eq_ignore_ascii_case("l")).collect();
        let mut raw = String::from("INVITE sip:bob@example.com SIP/2.0\r\n");
        for (n, v) in &hs {
            if fold {
                raw.push_str(&format!("{n} :  {v}\r\n\t{v}\r\n"));
            } else {
                raw.push_str(&format!("{n}:{v}\r\n"));
            }
        }
        raw.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        let mut st = [Header::EMPTY; 32];
        let m = Message::parse(raw.as_bytes(), &mut st).unwrap();
        prop_assert_eq!(MessageBuilder::from_message(&m).to_vec(), raw.as_bytes());
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..512)) {
        let mut st = [Header::EMPTY; 16];
        if let Ok(m) = Message::parse(&data, &mut st) {
            let _ = rtcweb_sip_core::message::validate::validate(&m);
            let _ = MessageBuilder::from_message(&m).to_vec();
        }
        let mut st = [Header::EMPTY; 16];
        let _ = next_frame(&data, &mut st, &Limits::DEFAULT);
    }
}
