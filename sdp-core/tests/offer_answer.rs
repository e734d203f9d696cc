//! Offer/answer against realistic offers: codecs, payload-type mapping, fmtp-aware H.264, direction,
//! rejection, BUNDLE, rtcp-mux, DTLS role and SDES suite selection.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use rtcweb_sdp_core::attribute::Setup;
use rtcweb_sdp_core::offer_answer::{
    create_answer, AnswerConfig, AnswerError, Codec, MediaCapabilities, Rejection, SdesKey,
};
use rtcweb_sdp_core::{Direction, SessionDescription};
use zeroize::Zeroizing;

fn webrtc_config() -> AnswerConfig {
    let mut c = AnswerConfig::new("0.0.0.0", 9);
    c.session_id = 8_262_591_331_357_937_411;
    c.ice_credentials = Some(("K9fW".into(), "lYq0X3kX2m0Hf0rZbJx7Qw8T".into()));
    c.ice_options = vec!["trickle".into()];
    c.fingerprint = Some(("sha-256".into(), "3C:5E:0A:77".into()));
    c.data_channel = Some(262_144);
    let mut audio = MediaCapabilities::new(
        "audio",
        vec![
            Codec::new("opus", 48000, 2)
                .with_fmtp("minptime=10;useinbandfec=1")
                .with_rtcp_fb(&["transport-cc"]),
            Codec::new("PCMU", 8000, 1),
            Codec::new("telephone-event", 8000, 1),
        ],
    );
    audio.extensions = vec!["urn:ietf:params:rtp-hdrext:sdes:mid".into()];
    let mut video = MediaCapabilities::new(
        "video",
        vec![
            Codec::new("H264", 90000, 1)
                .with_fmtp("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f")
                .with_rtcp_fb(&["nack", "nack pli"]),
            Codec::new("VP8", 90000, 1).with_rtcp_fb(&["nack", "nack pli", "ccm fir"]),
            Codec::new("rtx", 90000, 1),
        ],
    );
    video.direction = Direction::RecvOnly;
    c.media = vec![audio, video];
    c
}

fn reparse(s: &str) -> SessionDescription<'_> {
    SessionDescription::parse(s.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{s}"))
}

#[test]
fn answers_chrome_offer() {
    let offer =
        SessionDescription::parse(include_bytes!("fixtures/bench_chrome_offer.sdp")).unwrap();
    let a = create_answer(&offer, &webrtc_config()).unwrap();
    let text = a.description.to_string();
    let ans = reparse(&text);
    assert!(ans.bundle_group().unwrap().mids().eq(["0", "1", "2"]));
    assert_eq!(a.bundle, ["0", "1", "2"]);
    let m: Vec<_> = ans.media().collect();
    // Audio: opus, PCMU and telephone-event/8000 with the offer's numbers, in the offer's order.
    assert!(m[0].media_line().formats().eq(["111", "0", "126"]));
    assert_eq!(m[0].setup(), Some(Setup::Active));
    assert!(m[0].rtcp_mux());
    assert_eq!(m[0].direction(), Direction::SendRecv);
    assert_eq!(
        m[0].extmaps().map(|e| (e.id, e.uri)).collect::<Vec<_>>(),
        [(4, "urn:ietf:params:rtp-hdrext:sdes:mid")]
    );
    assert_eq!(m[0].rtcp_fbs().count(), 1);
    assert_eq!(m[0].fmtp("111").unwrap().get("useinbandfec"), Some("1"));
    assert_eq!(m[0].ice_ufrag(), Some("K9fW"));
    // Video: VP8 and its RTX (apt=96) only; we only receive, so the answer is recvonly.
    assert!(m[1].media_line().formats().eq(["96", "97"]));
    assert_eq!(m[1].fmtp("97").unwrap().get("apt"), Some("96"));
    assert_eq!(m[1].direction(), Direction::RecvOnly);
    assert_eq!(m[1].rtcp_fbs().count(), 3);
    assert!(m[1].has_attribute("rtcp-rsize"));
    assert_eq!(a.media[1].payload_types, [(96, 1), (97, 2)]);
    // Data channel.
    assert_eq!(
        (m[2].sctp_port(), m[2].max_message_size()),
        (Some(5000), Some(262_144))
    );
    assert_eq!(a.media.iter().filter(|o| o.rejected.is_none()).count(), 3);
}

#[test]
fn h264_fmtp_aware_choice_in_safari_offer() {
    let offer = SessionDescription::parse(include_bytes!("fixtures/safari_offer.sdp")).unwrap();
    let a = create_answer(&offer, &webrtc_config()).unwrap();
    let text = a.description.to_string();
    let ans = reparse(&text);
    let v = ans.media().nth(1).unwrap();
    // 96 is Constrained High (640c1f): not ours. 98 is Constrained Baseline, packetization-mode 1.
    assert!(v.media_line().formats().eq(["98", "99", "127", "125"]));
    assert_eq!(
        v.fmtp("98").unwrap().get("profile-level-id"),
        Some("42e01f")
    );
    assert_eq!(v.fmtp("99").unwrap().get("apt"), Some("98"));
}

#[test]
fn firefox_offer_with_mdns_and_session_level_fingerprint() {
    let offer = SessionDescription::parse(include_bytes!("fixtures/firefox_offer.sdp")).unwrap();
    let mut cfg = webrtc_config();
    cfg.setup_when_actpass = Setup::Passive;
    let a = create_answer(&offer, &cfg).unwrap();
    let ans = reparse(&a.description.to_string()).to_string();
    let ans = reparse(&ans);
    let v = ans.media().nth(1).unwrap();
    // 126 is H264 packetization-mode=1 constrained baseline; 97 lacks packetization-mode (0): no match.
    assert!(v.media_line().formats().eq(["120", "124", "126", "127"]));
    assert_eq!(v.setup(), Some(Setup::Passive));
    assert!(ans
        .media()
        .next()
        .unwrap()
        .media_line()
        .formats()
        .eq(["109", "0", "101"]));
}

#[test]
fn sip_sdes_offer_picks_first_suite_we_hold_a_key_for() {
    let offer =
        SessionDescription::parse(include_bytes!("fixtures/freeswitch_sdes_lf.sdp")).unwrap();
    let mut cfg = AnswerConfig::new("192.0.2.2", 30000);
    cfg.media.push(MediaCapabilities::new(
        "audio",
        vec![
            Codec::new("PCMA", 8000, 1),
            Codec::new("telephone-event", 8000, 1),
        ],
    ));
    cfg.sdes_keys = vec![SdesKey {
        suite: "AES_CM_128_HMAC_SHA1_80".into(),
        key_salt_base64: Zeroizing::new("WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz".into()),
    }];
    let a = create_answer(&offer, &cfg).unwrap();
    let text = a.description.to_string();
    let ans = reparse(&text);
    let m = ans.media().next().unwrap();
    assert_eq!(m.media_line().proto, "RTP/SAVP");
    assert!(m.media_line().formats().eq(["8", "101"]));
    let c = m.cryptos().next().unwrap();
    assert_eq!((c.tag, c.suite), (3, "AES_CM_128_HMAC_SHA1_80"));
    assert_eq!(
        a.media[0].crypto,
        Some((3, "AES_CM_128_HMAC_SHA1_80".into()))
    );
    assert_eq!(m.fmtp("101").unwrap().params, "0-16");
    assert!(!m.rtcp_mux());
    assert_eq!(m.connection().unwrap().address, "192.0.2.2");

    cfg.sdes_keys[0].suite = "AEAD_AES_256_GCM".into();
    let a = create_answer(&offer, &cfg).unwrap();
    assert_eq!(a.media[0].rejected, Some(Rejection::NoCommonCryptoSuite));
}

#[test]
fn rejects_disabled_unknown_and_codecless_sections() {
    let offer = b"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n\
        m=audio 0 RTP/AVP 0\r\na=mid:a\r\n\
        m=text 4002 RTP/AVP 98\r\na=mid:t\r\na=rtpmap:98 t140/1000\r\n\
        m=video 4004 RTP/AVP 31\r\na=mid:v\r\n\
        m=audio 4006 RTP/AVP 18 0\r\na=mid:b\r\na=sendonly\r\n";
    let offer = SessionDescription::parse(offer).unwrap();
    let a = create_answer(&offer, &webrtc_config()).unwrap();
    let r: Vec<_> = a.media.iter().map(|o| o.rejected).collect();
    assert_eq!(
        r,
        [
            Some(Rejection::DisabledInOffer),
            Some(Rejection::Unsupported),
            Some(Rejection::NoCommonCodec),
            None
        ]
    );
    assert_eq!(a.media[3].direction, Direction::RecvOnly);
    let text = a.description.to_string();
    let ans = reparse(&text);
    let ports: Vec<_> = ans.media().map(|m| m.port()).collect();
    assert_eq!(ports, [0, 0, 0, 9]);
    assert_eq!(ans.media().nth(1).unwrap().mid(), Some("t"));
    assert!(ans.bundle_group().is_none());
}

#[test]
fn bundle_only_and_dtls_roles() {
    let offer = b"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\na=group:BUNDLE a v\r\n\
        m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:a\r\na=setup:active\r\na=rtcp-mux\r\n\
        m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=mid:v\r\na=bundle-only\r\na=setup:passive\r\na=rtpmap:96 VP8/90000\r\n";
    let offer = SessionDescription::parse(offer).unwrap();
    let a = create_answer(&offer, &webrtc_config()).unwrap();
    assert_eq!(a.bundle, ["a", "v"]);
    assert_eq!(a.media[0].setup, Some(Setup::Passive));
    assert_eq!(a.media[1].setup, Some(Setup::Active));
    assert!(a.media[0].rtcp_mux && !a.media[1].rtcp_mux);

    let mut no_fp = webrtc_config();
    no_fp.fingerprint = None;
    let a = create_answer(&offer, &no_fp).unwrap();
    assert_eq!(a.media[0].rejected, Some(Rejection::NoFingerprint));
    assert!(a.bundle.is_empty());
    // With nothing accepted into it, the answer carries no BUNDLE group at all (RFC 9143 §7.3).
    assert!(!a.description.to_sdp().contains("a=group"));
}

#[test]
fn session_level_direction_and_setup_apply_to_media() {
    let offer =
        b"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\na=sendonly\r\na=setup:passive\r\n\
        m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:a\r\n\
        m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:b\r\na=inactive\r\n";
    let offer = SessionDescription::parse(offer).unwrap();
    assert_eq!(
        offer.media_direction(&offer.media().next().unwrap()),
        Direction::SendOnly
    );
    let a = create_answer(&offer, &webrtc_config()).unwrap();
    assert_eq!(a.media[0].direction, Direction::RecvOnly);
    assert_eq!(a.media[1].direction, Direction::Inactive);
    assert_eq!(a.media[0].setup, Some(Setup::Active));
}

#[test]
fn duplicate_and_static_payload_types() {
    let offer = b"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n\
        m=audio 4000 RTP/AVP 0 0 8 96\r\na=rtpmap:96 opus/48000/2\r\na=rtpmap:96 PCMU/8000\r\n";
    let offer = SessionDescription::parse(offer).unwrap();
    let a = create_answer(&offer, &webrtc_config()).unwrap();
    // PCMU from the static table once; the first rtpmap of 96 wins (opus/48000/2).
    assert_eq!(a.media[0].payload_types, [(0, 1), (96, 0)]);
}

#[test]
fn offer_level_errors() {
    let cfg = webrtc_config();
    let no_media = SessionDescription::parse(
        b"v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n",
    )
    .unwrap();
    assert_eq!(
        create_answer(&no_media, &cfg).unwrap_err(),
        AnswerError::NoMedia
    );
    let dup = SessionDescription::parse(b"v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=mid:x\r\nm=audio 9 RTP/AVP 0\r\na=mid:x\r\n").unwrap();
    assert_eq!(
        create_answer(&dup, &cfg).unwrap_err(),
        AnswerError::DuplicateMid
    );
    let bad = SessionDescription::parse(b"v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\na=group:BUNDLE x y\r\nm=audio 9 RTP/AVP 0\r\na=mid:x\r\n").unwrap();
    assert_eq!(
        create_answer(&bad, &cfg).unwrap_err(),
        AnswerError::UnknownBundleMid
    );
}

#[test]
fn every_fixture_can_be_answered_and_the_answer_parses() {
    for f in [
        &include_bytes!("fixtures/chrome_plan_b.sdp")[..],
        include_bytes!("fixtures/jsep_offer.sdp"),
        include_bytes!("fixtures/asterisk_sdes.sdp"),
        include_bytes!("fixtures/rtpengine_ipv6.sdp"),
    ] {
        let offer = SessionDescription::parse(f).unwrap();
        let a = create_answer(&offer, &webrtc_config()).unwrap();
        let text = a.description.to_string();
        let ans = reparse(&text);
        assert_eq!(ans.media_count(), offer.media_count());
    }
}
