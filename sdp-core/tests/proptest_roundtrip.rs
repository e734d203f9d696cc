//! Generated descriptions: serialize → parse → equal, in CRLF and LF; typed attributes survive their own
//! serializers; arbitrary bytes never panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use proptest::prelude::*;
use rtcweb_sdp_core::attribute::{Candidate, Crypto, Direction, Extmap, Fmtp, Rtpmap};
use rtcweb_sdp_core::owned::{Description, Field, MediaSection};
use rtcweb_sdp_core::wire::{MediaLine, Origin};
use rtcweb_sdp_core::{LineEnding, ParseOptions, SessionDescription};

fn token() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9][a-zA-Z0-9_.+-]{0,11}"
}

fn ipv4() -> impl Strategy<Value = String> {
    any::<[u8; 4]>().prop_map(|a| format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3]))
}

fn candidate() -> impl Strategy<Value = String> {
    (
        "[a-zA-Z0-9+/]{1,32}",
        1u16..3,
        prop_oneof![Just("udp"), Just("UDP"), Just("tcp")],
        any::<u32>(),
        prop_oneof![
            ipv4(),
            "[0-9a-f]{8}-[0-9a-f]{4}\\.local".prop_map(String::from)
        ],
        any::<u16>(),
        prop_oneof![Just("host"), Just("srflx"), Just("prflx"), Just("relay")],
        proptest::option::of((ipv4(), any::<u16>())),
        proptest::option::of(any::<u32>()),
        proptest::option::of(("x-[a-z]{1,6}", "[a-z0-9]{1,6}")),
    )
        .prop_map(
            |(f, comp, tr, prio, addr, port, typ, rel, generation, ext)| {
                let mut s = format!("{f} {comp} {tr} {prio} {addr} {port} typ {typ}");
                if let Some((ra, rp)) = rel {
                    s += &format!(" raddr {ra} rport {rp}");
                }
                if let Some(g) = generation {
                    s += &format!(" generation {g}");
                }
                if let Some((n, v)) = ext {
                    s += &format!(" {n} {v}");
                }
                s
            },
        )
}

fn media_attribute() -> impl Strategy<Value = Field> {
    prop_oneof![
        (
            0u8..128,
            token(),
            1u32..200_000,
            proptest::option::of(1u16..9)
        )
            .prop_map(|(pt, enc, clock, ch)| {
                Field::attribute(
                    "rtpmap",
                    Rtpmap {
                        payload_type: pt,
                        encoding: &enc,
                        clock_rate: clock,
                        channels: ch,
                    },
                )
            }),
        (
            0u8..128,
            proptest::collection::vec(("[a-z-]{1,8}", "[0-9a-f]{1,6}"), 1..4)
        )
            .prop_map(|(pt, kv)| {
                let params = kv
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(";");
                Field::attribute(
                    "fmtp",
                    Fmtp {
                        format: &pt.to_string(),
                        params: &params,
                    },
                )
            }),
        candidate().prop_map(|c| Field::attribute("candidate", c)),
        (1u16..15, "urn:[a-z:-]{1,30}").prop_map(|(id, uri)| {
            Field::attribute(
                "extmap",
                Extmap {
                    id,
                    direction: None,
                    uri: &uri,
                    attributes: None,
                },
            )
        }),
        (1u32..1000, any::<[u8; 30]>(), proptest::option::of(1u8..48)).prop_map(
            |(tag, key, life)| {
                use base64::Engine as _;
                let mut kp = format!(
                    "inline:{}",
                    base64::engine::general_purpose::STANDARD.encode(key)
                );
                if let Some(l) = life {
                    kp += &format!("|2^{l}");
                }
                Field::attribute(
                    "crypto",
                    Crypto::new(tag, "AES_CM_128_HMAC_SHA1_80", &kp, None),
                )
            }
        ),
        token().prop_map(|m| Field::attribute("mid", m)),
        prop_oneof![
            Just(Direction::SendRecv),
            Just(Direction::SendOnly),
            Just(Direction::RecvOnly),
            Just(Direction::Inactive)
        ]
        .prop_map(|d| Field::flag(d.as_str())),
        Just(Field::flag("rtcp-mux")),
        (any::<u32>(), "[a-zA-Z0-9]{1,16}")
            .prop_map(|(s, c)| Field::attribute("ssrc", format!("{s} cname:{c}"))),
        ("x-[a-z]{1,10}", "[ -~]{0,30}").prop_map(|(n, v)| Field::attribute(&n, v)),
        "x-[a-z]{1,10}".prop_map(|n| Field::flag(&n)),
        ipv4().prop_map(|a| Field::new('c', format!("IN IP4 {a}"))),
        (0u64..1_000_000).prop_map(|b| Field::new('b', format!("AS:{b}"))),
    ]
}

fn media_section() -> impl Strategy<Value = MediaSection> {
    (
        prop_oneof![Just("audio"), Just("video"), Just("text")],
        any::<u16>(),
        prop_oneof![Just("RTP/AVP"), Just("RTP/SAVP"), Just("UDP/TLS/RTP/SAVPF")],
        proptest::collection::vec(0u8..128, 1..6),
        proptest::collection::vec(media_attribute(), 0..12),
    )
        .prop_map(|(kind, port, proto, pts, fields)| {
            let formats = pts.iter().map(u8::to_string).collect::<Vec<_>>().join(" ");
            let line = MediaLine {
                media: kind,
                port,
                num_ports: None,
                proto,
                formats_raw: &formats,
            };
            let mut m = MediaSection::new(&line);
            // RFC 8866 §5 order inside a media section: c=, then b=, then a= (stable).
            let mut fields = fields;
            fields.sort_by_key(|f| match f.kind {
                'c' => 0,
                'b' => 1,
                _ => 2,
            });
            m.fields = fields;
            m
        })
}

fn description() -> impl Strategy<Value = Description> {
    (
        "[a-z-]{1,8}",
        any::<u64>(),
        any::<u32>(),
        ipv4(),
        "[!-~][ -~]{0,20}",
        proptest::collection::vec(
            prop_oneof![
                token().prop_map(|m| Field::attribute("group", format!("BUNDLE {m}"))),
                Just(Field::flag("ice-lite")),
                Just(Field::attribute("ice-options", "trickle")),
                ("x-[a-z]{1,10}", "[ -~]{0,30}").prop_map(|(n, v)| Field::attribute(&n, v)),
            ],
            0..4,
        ),
        proptest::collection::vec(media_section(), 0..5),
    )
        .prop_map(|(user, id, version, addr, name, attrs, media)| {
            let id = id.to_string();
            let version = version.to_string();
            let o = Origin {
                username: &user,
                session_id: &id,
                session_version: &version,
                nettype: "IN",
                addrtype: "IP4",
                address: &addr,
            };
            let mut d = Description::new(&o);
            d.session[2] = Field::new('s', name);
            // §5.7: a session-level c= (before t=) covers media sections without their own.
            d.session
                .insert(3, Field::new('c', format!("IN IP4 {addr}")));
            d.session.extend(attrs);
            d.media = media;
            d
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn serialize_parse_equal(d in description()) {
        let text = d.to_sdp();
        prop_assert_eq!(&text, &d.to_string());
        let view = SessionDescription::parse(text.as_bytes()).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(view.line_ending(), LineEnding::CrLf);
        prop_assert_eq!(view.media_count(), d.media.len());
        prop_assert_eq!(&Description::from_view(&view), &d);
        let mut out = vec![0u8; text.len()];
        prop_assert_eq!(view.write_to(&mut out).unwrap(), text.len());
        prop_assert_eq!(out, text.as_bytes());
        let mut buf = vec![0u8; d.serialized_len()];
        prop_assert_eq!(d.write_to(&mut buf).unwrap(), text.len());
        prop_assert_eq!(buf, text.as_bytes());

        // Every typed attribute re-serializes to the text it came from.
        for m in view.media() {
            for a in m.attributes() {
                match a.parse().unwrap() {
                    rtcweb_sdp_core::AttributeValue::Rtpmap(r) => prop_assert_eq!(r.to_string(), a.value.unwrap()),
                    rtcweb_sdp_core::AttributeValue::Candidate(c) => prop_assert_eq!(c.to_string(), a.value.unwrap()),
                    rtcweb_sdp_core::AttributeValue::Crypto(c) => prop_assert_eq!(c.to_string(), a.value.unwrap()),
                    rtcweb_sdp_core::AttributeValue::Extmap(e) => prop_assert_eq!(e.to_string(), a.value.unwrap()),
                    _ => {}
                }
            }
        }

        // LF-only input parses to the same description.
        let lf = text.replace("\r\n", "\n");
        let view = SessionDescription::parse(lf.as_bytes()).unwrap();
        prop_assert_eq!(view.line_ending(), LineEnding::Lf);
        prop_assert_eq!(&Description::from_view(&view), &d);
        prop_assert_eq!(view.to_string(), lf);
    }

    #[test]
    fn candidate_round_trip(text in candidate()) {
        let c = Candidate::parse(&text).unwrap();
        let again = c.to_string();
        prop_assert_eq!(&again, &text);
        prop_assert_eq!(Candidate::parse(&again).unwrap(), c);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = SessionDescription::parse(&bytes);
        if let Ok(d) = SessionDescription::parse_with(&bytes, &ParseOptions::lenient(), |_| {}) {
            for m in d.media() {
                let _ = m.attribute_values().count();
            }
            let _ = Description::from_view(&d).to_sdp();
        }
    }

    #[test]
    fn sdp_like_lines_never_panic(lines in proptest::collection::vec("[vosctmab]=[ -~]{0,40}", 0..20)) {
        let text = format!("v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\n{}", lines.join("\r\n"));
        let _ = SessionDescription::parse(text.as_bytes());
        let _ = SessionDescription::parse_with(text.as_bytes(), &ParseOptions::lenient(), |_| {});
    }
}
