//! Answer-generation fuzz target: any offer that parses is answered without panicking, and the answer
//! parses strictly.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcweb_sdp_core::attribute::Setup;
use rtcweb_sdp_core::offer_answer::{
    create_answer, AnswerConfig, Codec, MediaCapabilities, SdesKey,
};
use rtcweb_sdp_core::{ParseOptions, SessionDescription};

fuzz_target!(|data: &[u8]| {
    let Some((&flags, sdp)) = data.split_first() else {
        return;
    };
    let Ok(offer) = SessionDescription::parse_with(sdp, &ParseOptions::lenient(), |_| {}) else {
        return;
    };
    let mut cfg = AnswerConfig::new(
        if flags & 1 == 0 {
            "0.0.0.0"
        } else {
            "2001:db8::1"
        },
        9,
    );
    cfg.ice_credentials = Some(("abcd".into(), "0123456789abcdefghijkl".into()));
    cfg.fingerprint = (flags & 2 == 0).then(|| ("sha-256".into(), "AB:CD".into()));
    cfg.setup_when_actpass = if flags & 4 == 0 {
        Setup::Active
    } else {
        Setup::Passive
    };
    cfg.data_channel = (flags & 8 == 0).then_some(262_144);
    cfg.bundle = flags & 16 == 0;
    cfg.rtcp_mux = flags & 32 == 0;
    cfg.sdes_keys.push(SdesKey {
        suite: "AES_CM_128_HMAC_SHA1_80".into(),
        key_salt_base64: String::from("WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz").into(),
    });
    cfg.media.push(MediaCapabilities::new(
        "audio",
        vec![
            Codec::new("opus", 48000, 2),
            Codec::new("PCMU", 8000, 1),
            Codec::new("telephone-event", 8000, 1),
        ],
    ));
    cfg.media.push(MediaCapabilities::new(
        "video",
        vec![
            Codec::new("H264", 90000, 1).with_fmtp("packetization-mode=1;profile-level-id=42e01f"),
            Codec::new("VP8", 90000, 1).with_rtcp_fb(&["nack", "nack pli"]),
            Codec::new("rtx", 90000, 1),
        ],
    ));
    if let Ok(answer) = create_answer(&offer, &cfg) {
        let text = answer.description.to_sdp();
        if let Err(e) = SessionDescription::parse(text.as_bytes()) {
            // Offer text echoed into the answer (mids, sctpmap) was only leniently valid.
            assert!(SessionDescription::parse(sdp).is_err(), "{e}\n{text}");
        }
    }
});
