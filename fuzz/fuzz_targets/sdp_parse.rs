//! Parser fuzz target: strict and lenient parsing, every typed accessor, both serializers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcweb_sdp_core::owned::Description;
use rtcweb_sdp_core::{ParseOptions, SessionDescription};

fuzz_target!(|data: &[u8]| {
    let _ = SessionDescription::parse(data);
    let Ok(d) = SessionDescription::parse_with(data, &ParseOptions::lenient(), |_| {}) else {
        return;
    };
    let mut out = vec![0u8; d.serialized_len()];
    let n = d.write_to(&mut out).expect("sized buffer");
    assert_eq!(&out[..n], data, "byte-exact round trip");
    let _ = (
        d.connection(),
        d.bundle_group(),
        d.ice_ufrag(),
        d.fingerprint(),
        d.msid_semantic(),
    );
    for v in d.attribute_values() {
        let _ = v;
    }
    for m in d.media() {
        let _ = (
            m.direction(),
            m.mid(),
            m.connection(),
            m.setup(),
            m.simulcast(),
            m.is_rejected(),
        );
        for c in m.candidates() {
            let text = c.to_string();
            assert!(rtcweb_sdp_core::Candidate::parse(&text).is_ok(), "{text}");
        }
        for c in m.cryptos() {
            if let Some(k) = c.key() {
                let _ = k.key_salt();
            }
        }
        for f in m.fmtps() {
            let _ = f.parameters().count();
        }
        let _ = m.bandwidths().count() + m.rtpmaps().count() + m.rids().count();
    }
    let owned = Description::from_view(&d);
    let canonical = owned.to_sdp();
    if SessionDescription::parse(data).is_ok() {
        // A strictly valid description survives the owned form's canonical CRLF.
        let again = SessionDescription::parse(canonical.as_bytes()).expect("canonical form parses");
        assert_eq!(Description::from_view(&again), owned);
    }
});
