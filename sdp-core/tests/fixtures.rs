//! Realistic SDPs from browsers, SIP servers and JSEP-style examples: strict parse, byte-exact round trip
//! and typed values.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use rtcweb_sdp_core::attribute::{
    CandidateType, Lifetime, Mki, RidDirection, Setup, Simulcast, TcpType,
};
use rtcweb_sdp_core::{AttributeValue, Direction, LineEnding, Media, SessionDescription};

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("fixtures/", $name))
    };
}

const ALL: &[(&str, &[u8])] = &[
    ("bench_chrome_offer.sdp", fixture!("bench_chrome_offer.sdp")),
    ("chrome_answer.sdp", fixture!("chrome_answer.sdp")),
    ("chrome_plan_b.sdp", fixture!("chrome_plan_b.sdp")),
    ("firefox_offer.sdp", fixture!("firefox_offer.sdp")),
    ("firefox_answer.sdp", fixture!("firefox_answer.sdp")),
    ("safari_offer.sdp", fixture!("safari_offer.sdp")),
    ("safari_answer.sdp", fixture!("safari_answer.sdp")),
    ("asterisk_sdes.sdp", fixture!("asterisk_sdes.sdp")),
    ("freeswitch_sdes_lf.sdp", fixture!("freeswitch_sdes_lf.sdp")),
    ("rtpengine_ipv6.sdp", fixture!("rtpengine_ipv6.sdp")),
    ("jsep_offer.sdp", fixture!("jsep_offer.sdp")),
    ("jsep_answer.sdp", fixture!("jsep_answer.sdp")),
];

fn parse(bytes: &[u8]) -> SessionDescription<'_> {
    SessionDescription::parse(bytes).unwrap_or_else(|e| panic!("{e}"))
}

fn media<'a>(d: &SessionDescription<'a>, i: usize) -> Media<'a> {
    d.media().nth(i).unwrap()
}

#[test]
fn every_fixture_round_trips_byte_exact() {
    for (name, bytes) in ALL {
        let d = SessionDescription::parse(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut out = vec![0u8; bytes.len()];
        assert_eq!(d.serialized_len(), bytes.len(), "{name}");
        assert_eq!(d.write_to(&mut out).unwrap(), bytes.len(), "{name}");
        assert_eq!(&out, bytes, "{name}");
        assert_eq!(d.to_string().as_bytes(), *bytes, "{name}");
        assert!(d.write_to(&mut out[..bytes.len() - 1]).is_err());
        // The owned form keeps every line too.
        let owned = rtcweb_sdp_core::owned::Description::from_view(&d);
        let canonical = owned.to_string();
        let again = parse(canonical.as_bytes());
        assert_eq!(
            rtcweb_sdp_core::owned::Description::from_view(&again),
            owned,
            "{name}"
        );
        // Every attribute types without error, and all lines are kept in order.
        for m in d.media() {
            for a in m.attributes() {
                a.parse()
                    .unwrap_or_else(|e| panic!("{name} line {}: {e}", a.line));
            }
        }
        assert_eq!(
            d.lines().count(),
            bytes.iter().filter(|b| **b == b'\n').count(),
            "{name}"
        );
    }
}

#[test]
fn chrome_offer_typed() {
    let d = parse(fixture!("bench_chrome_offer.sdp"));
    assert_eq!(d.line_ending(), LineEnding::CrLf);
    assert_eq!(d.origin().session_id_u64(), Some(4_611_731_400_430_051_336));
    assert!(d.bundle_group().unwrap().mids().eq(["0", "1", "2"]));
    assert_eq!(d.msid_semantic().unwrap().semantic, "WMS");
    assert!(d.attribute("extmap-allow-mixed").is_some());
    assert_eq!(d.media_count(), 3);
    let audio = media(&d, 0);
    assert_eq!(
        (audio.kind(), audio.port(), audio.mid()),
        ("audio", 54609, Some("0"))
    );
    assert!(audio
        .media_line()
        .formats()
        .eq(["111", "63", "9", "0", "8", "13", "110", "126"]));
    assert_eq!(audio.ice_ufrag(), Some("Sx3q"));
    assert_eq!(audio.setup(), Some(Setup::ActPass));
    assert!(audio.rtcp_mux() && audio.ice_options().unwrap().trickle());
    let (fp, n) = audio.fingerprint().unwrap().to_bytes();
    assert_eq!((n, fp[0], fp[31]), (32, 0x9a, 0x89));
    let opus = audio.rtpmap(111).unwrap();
    assert_eq!(
        (opus.encoding, opus.clock_rate, opus.channels),
        ("opus", 48_000, Some(2))
    );
    assert_eq!(audio.fmtp("111").unwrap().get("useinbandfec"), Some("1"));
    let cands: Vec<_> = audio.candidates().collect();
    assert_eq!(cands.len(), 3);
    assert_eq!(cands[1].typ, CandidateType::ServerReflexive);
    assert_eq!(cands[1].raddr, Some("192.168.1.10"));
    assert_eq!(cands[2].tcptype, Some(TcpType::Active));
    assert_eq!(
        (cands[0].network_id, cands[0].network_cost),
        (Some(1), Some(10))
    );
    assert_eq!(
        audio.connection().unwrap().ip,
        Some("203.0.113.45".parse().unwrap())
    );
    let video = media(&d, 1);
    assert_eq!(
        video
            .rtcp_fbs()
            .filter(|f| f.payload_type == Some(96))
            .count(),
        5
    );
    assert!(video
        .ssrc_groups()
        .next()
        .unwrap()
        .ssrcs()
        .eq([2_882_400_001, 2_882_400_002]));
    assert_eq!(
        video.extmaps().find(|e| e.id == 13).unwrap().uri,
        "urn:3gpp:video-orientation"
    );
    let data = media(&d, 2);
    assert_eq!(
        (data.sctp_port(), data.max_message_size()),
        (Some(5000), Some(262_144))
    );
    assert!(!data.media_line().is_rtp());
}

#[test]
fn chrome_answer_and_plan_b() {
    let d = parse(fixture!("chrome_answer.sdp"));
    assert_eq!(media(&d, 0).setup(), Some(Setup::Active));
    assert_eq!(media(&d, 1).direction(), Direction::RecvOnly);
    let d = parse(fixture!("chrome_plan_b.sdp"));
    assert!(d
        .bundle_group()
        .unwrap()
        .mids()
        .eq(["audio", "video", "data"]));
    let v = media(&d, 1);
    let groups: Vec<_> = v.ssrc_groups().map(|g| g.semantics).collect();
    assert_eq!(groups, ["SIM", "FID"]);
    assert_eq!(v.ssrcs().filter(|s| s.attribute == "msid").count(), 4);
    let dc = media(&d, 2);
    assert_eq!(dc.media_line().proto, "DTLS/SCTP");
    match dc.attribute("sctpmap").unwrap().parse().unwrap() {
        AttributeValue::Sctpmap(s) => assert_eq!(
            (s.port, s.app, s.streams),
            (5000, "webrtc-datachannel", Some(1024))
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn firefox_offer_typed() {
    let d = parse(fixture!("firefox_offer.sdp"));
    assert_eq!(d.origin().username, "mozilla...THIS_IS_SDPARTA-128.0");
    assert_eq!(d.fingerprint().unwrap().hash_function, "sha-256");
    assert!(d.ice_options().unwrap().trickle());
    assert!(d.msid_semantic().unwrap().identifiers().eq(["*"]));
    let a = media(&d, 0);
    let c: Vec<_> = a.candidates().collect();
    assert!(c[0].is_mdns() && c[0].ip.is_none() && c[0].transport == "UDP");
    assert_eq!((c[2].raddr, c[2].rport), (Some("0.0.0.0"), Some(0)));
    assert!(a.end_of_candidates());
    assert_eq!(
        a.extmaps().nth(1).unwrap().direction,
        Some(Direction::RecvOnly)
    );
    assert_eq!(a.fmtp("101").unwrap().params, "0-15");
    assert_eq!(a.rtpmap(9).unwrap().channels, Some(1));
    let v = media(&d, 1);
    let rids: Vec<_> = v.rids().collect();
    assert_eq!(rids.len(), 3);
    assert_eq!(
        (rids[1].id, rids[1].direction, rids[1].get("max-width")),
        ("m", RidDirection::Send, Some("640"))
    );
    let sim = v.simulcast().unwrap();
    assert_eq!(Simulcast::streams(sim.send.unwrap()).count(), 3);
    assert_eq!(v.fmtp("126").unwrap().get("packetization-mode"), Some("1"));
    assert_eq!(media(&d, 2).max_message_size(), Some(1_073_741_823));
    let ans = parse(fixture!("firefox_answer.sdp"));
    assert_eq!(media(&ans, 0).direction(), Direction::RecvOnly);
}

#[test]
fn safari_typed() {
    let d = parse(fixture!("safari_offer.sdp"));
    let v = media(&d, 1);
    assert_eq!(
        v.fmtp("96").unwrap().get("profile-level-id"),
        Some("640c1f")
    );
    assert_eq!(v.rtpmap(100).unwrap().encoding, "H265");
    assert_eq!(
        media(&d, 0).candidates().next().unwrap().network_cost,
        Some(999)
    );
    assert!(parse(fixture!("safari_answer.sdp"))
        .msid_semantic()
        .unwrap()
        .identifiers()
        .next()
        .is_none());
}

#[test]
fn sip_sdes_typed() {
    let d = parse(fixture!("asterisk_sdes.sdp"));
    assert_eq!(d.session_name(), "Asterisk");
    assert_eq!(d.connection().unwrap().address, "203.0.113.10");
    let a = media(&d, 0);
    assert_eq!(a.media_line().proto, "RTP/SAVP");
    let c = a.cryptos().next().unwrap();
    assert_eq!((c.tag, c.suite), (1, "AES_CM_128_HMAC_SHA1_80"));
    let k = c.key().unwrap();
    assert_eq!(k.lifetime, Some(Lifetime::PowerOfTwo(31)));
    assert_eq!(k.key_salt().unwrap().as_bytes().len(), 30);
    let ptime = a.attribute_values().find_map(|v| match v {
        AttributeValue::Ptime(p) => Some(p.whole()),
        _ => None,
    });
    assert_eq!(ptime, Some(20));

    let d = parse(fixture!("freeswitch_sdes_lf.sdp"));
    assert_eq!(d.line_ending(), LineEnding::Lf);
    let a = media(&d, 0);
    let cs: Vec<_> = a.cryptos().collect();
    assert_eq!(cs.len(), 4);
    assert_eq!(
        cs[0].key().unwrap().key_salt().unwrap().as_bytes().len(),
        46
    );
    assert_eq!(
        cs[2].key().unwrap().mki,
        Some(Mki {
            value: 1,
            length: 1
        })
    );
    assert!(cs[3].session_params().eq(["UNENCRYPTED_SRTCP"]));
    let rtcp = a.attribute_values().find_map(|v| match v {
        AttributeValue::Rtcp(r) => Some(r),
        _ => None,
    });
    assert_eq!(rtcp.unwrap().port, 24585);
}

#[test]
fn ipv6_and_ice_lite() {
    let d = parse(fixture!("rtpengine_ipv6.sdp"));
    assert!(d.ice_lite());
    let c = d.connection().unwrap();
    assert_eq!(c.addrtype, "IP6");
    assert!(c.ip.unwrap().is_ipv6());
    let a = media(&d, 0);
    let cands: Vec<_> = a.candidates().collect();
    assert!(cands[0].ip.unwrap().is_ipv6());
    assert_eq!(cands[1].component, 2);
    assert_eq!(a.fingerprint().unwrap().to_bytes().1, 20);
    assert_eq!(a.cryptos().count(), 2);
}

#[test]
fn jsep_examples() {
    let d = parse(fixture!("jsep_offer.sdp"));
    let o = d.ice_options().unwrap();
    assert!(o.trickle() && o.ice2());
    let groups: Vec<_> = d.groups().map(|g| g.semantics).collect();
    assert_eq!(groups, ["BUNDLE", "LS"]);
    let a = media(&d, 0);
    assert_eq!(
        a.attribute("tls-id").unwrap().value,
        Some("91bbf309c0990a6bec11e38ba2933cee")
    );
    assert!(a
        .attribute_values()
        .any(|v| matches!(v, AttributeValue::Maxptime(m) if m.whole() == 120)));
    let msid = a.attribute_values().find_map(|v| match v {
        AttributeValue::Msid(m) => Some(m),
        _ => None,
    });
    assert_eq!(msid.unwrap().track_id, None);
    let ans = parse(fixture!("jsep_answer.sdp"));
    assert_eq!(media(&ans, 1).port(), 10200);
}
