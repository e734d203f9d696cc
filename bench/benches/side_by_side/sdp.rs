//! SDP: parse the shared Chrome offer at equal depth — rtcweb-sdp-core's owned model vs webrtc-rs
//! `sdp` (both keep lines and attributes as strings), and every attribute typed vs Mozilla's
//! `webrtc-sdp` (which types every attribute while parsing).

use std::hint::black_box;
use std::io::Cursor;

use rtcweb_bench::{per_op, Contender, Group, Harness, Workload};
use rtcweb_sdp_core::owned::Description;
use rtcweb_sdp_core::{AttributeValue, SessionDescription};

const OFFER: &[u8] = include_bytes!("../../data/sdp_chrome_offer.txt");

fn text() -> &'static str {
    std::str::from_utf8(OFFER).unwrap()
}

fn ours_owned(input: &[u8]) -> Description {
    Description::parse(input).unwrap()
}

fn webrtc_rs(input: &[u8]) -> sdp::SessionDescription {
    sdp::SessionDescription::unmarshal(&mut Cursor::new(input)).unwrap()
}

/// Parses, then types every attribute of the session and of every media section.
fn ours_typed(input: &[u8]) -> usize {
    let d = SessionDescription::parse(input).unwrap();
    let mut n = 0;
    for v in d.attribute_values() {
        black_box(&v);
        n += 1;
    }
    for m in d.media() {
        for v in m.attribute_values() {
            black_box(&v);
            n += 1;
        }
    }
    n
}

fn mozilla(input: &str) -> webrtc_sdp::SdpSession {
    webrtc_sdp::parse_sdp(input, false).unwrap()
}

/// Per media section: kind, number of attributes, mid.
type Shape = Vec<(String, usize, Option<String>)>;

fn owned_shape(d: &Description) -> (usize, Shape) {
    let session = d.session.iter().filter(|f| f.kind == 'a').count();
    let media = d
        .media
        .iter()
        .map(|m| {
            let kind = m.media_line.split(' ').next().unwrap_or("").to_owned();
            let attrs = m.fields.iter().filter(|f| f.kind == 'a');
            let mid = attrs
                .clone()
                .find_map(|f| f.value.strip_prefix("mid:").map(str::to_owned));
            (kind, attrs.count(), mid)
        })
        .collect();
    (session, media)
}

fn webrtc_rs_shape(d: &sdp::SessionDescription) -> (usize, Shape) {
    let media = d
        .media_descriptions
        .iter()
        .map(|m| {
            let mid = m
                .attributes
                .iter()
                .find(|a| a.key == "mid")
                .and_then(|a| a.value.clone());
            (m.media_name.media.clone(), m.attributes.len(), mid)
        })
        .collect();
    (d.attributes.len(), media)
}

/// Per media section: kind, rtpmap, candidate, extmap and ssrc counts, mid.
type Typed = Vec<(String, [usize; 4], Option<String>)>;

fn ours_typed_shape(input: &[u8]) -> Typed {
    let d = SessionDescription::parse(input).unwrap();
    d.media()
        .map(|m| {
            let mut counts = [0; 4];
            let mut mid = None;
            for v in m.attribute_values() {
                match v {
                    AttributeValue::Rtpmap(_) => counts[0] += 1,
                    AttributeValue::Candidate(_) => counts[1] += 1,
                    AttributeValue::Extmap(_) => counts[2] += 1,
                    AttributeValue::Ssrc(_) => counts[3] += 1,
                    AttributeValue::Mid(s) => mid = Some(s.to_owned()),
                    _ => {}
                }
            }
            (m.media_line().media.to_owned(), counts, mid)
        })
        .collect()
}

fn mozilla_shape(s: &webrtc_sdp::SdpSession) -> Typed {
    use webrtc_sdp::attribute_type::SdpAttribute;
    s.media
        .iter()
        .map(|m| {
            let mut counts = [0; 4];
            let mut mid = None;
            for a in m.get_attributes() {
                match a {
                    SdpAttribute::Rtpmap(_) => counts[0] += 1,
                    SdpAttribute::Candidate(_) => counts[1] += 1,
                    SdpAttribute::Extmap(_) => counts[2] += 1,
                    SdpAttribute::Ssrc(_) => counts[3] += 1,
                    SdpAttribute::Mid(s) => mid = Some(s.clone()),
                    _ => {}
                }
            }
            (m.get_type().to_string(), counts, mid)
        })
        .collect()
}

/// Before timing: the owned models hold the same sections and attribute counts; the typed parses
/// find the same rtpmaps, candidates, extmaps, ssrcs and mids.
pub fn check() {
    let a = owned_shape(&ours_owned(OFFER));
    let b = webrtc_rs_shape(&webrtc_rs(OFFER));
    assert_eq!(a, b, "rtcweb owned model and webrtc-rs sdp differ");
    assert_eq!(a.1.len(), 3);
    let a = ours_typed_shape(OFFER);
    let b = mozilla_shape(&mozilla(text()));
    assert_eq!(a, b, "rtcweb typed attributes and webrtc-sdp differ");
    assert!(a.iter().all(|(_, c, mid)| c[0] + c[1] > 0 || mid.is_some()));
    assert!(ours_typed(OFFER) > 80);

    // Serializations: each re-parses to the offer's typed shape.
    let want = ours_typed_shape(OFFER);
    let view = SessionDescription::parse(OFFER).unwrap();
    let mut buf = vec![0u8; 8192];
    let n = view.write_to(&mut buf).unwrap();
    assert_eq!(&buf[..n], OFFER, "borrowed view does not echo the input");
    let outputs = [
        ("rtcweb owned", ours_owned(OFFER).to_sdp()),
        ("webrtc-sdp", mozilla(text()).to_string()),
        ("sdp (webrtc-rs)", webrtc_rs(OFFER).marshal()),
    ];
    for (name, out) in outputs {
        assert_eq!(
            ours_typed_shape(out.as_bytes()),
            want,
            "{name} serialization"
        );
    }
}

pub fn group(h: &Harness) -> Group<'static> {
    let mut workloads = Vec::new();
    if h.wants("sdp_parse_owned") {
        workloads.push(Workload {
            id: "sdp_parse_owned".into(),
            title: "parse into an owned model".into(),
            contenders: vec![
                Contender::ours(
                    "rtcweb-sdp-core (owned)",
                    per_op(|| ours_owned(black_box(OFFER))),
                ),
                Contender::peer("sdp (webrtc-rs)", per_op(|| webrtc_rs(black_box(OFFER)))),
            ],
        });
    }
    if h.wants("sdp_parse_typed") {
        let input = text();
        workloads.push(Workload {
            id: "sdp_parse_typed".into(),
            title: "parse, every attribute typed".into(),
            contenders: vec![
                Contender::ours(
                    "rtcweb-sdp-core (typed)",
                    per_op(|| ours_typed(black_box(OFFER))),
                ),
                Contender::peer("webrtc-sdp", per_op(move || mozilla(black_box(input)))),
            ],
        });
    }
    if h.wants("sdp_serialize") {
        let owned = ours_owned(OFFER);
        let view = SessionDescription::parse(OFFER).unwrap();
        let mut buf = vec![0u8; 8192];
        let moz = mozilla(text());
        let rs = webrtc_rs(OFFER);
        workloads.push(Workload {
            id: "sdp_serialize".into(),
            title: "serialize the parsed offer".into(),
            contenders: vec![
                Contender::ours(
                    "rtcweb-sdp-core (owned)",
                    per_op(move || black_box(&owned).to_sdp()),
                ),
                Contender::ours(
                    "rtcweb-sdp-core (borrowed view)",
                    per_op(move || black_box(&view).write_to(&mut buf).unwrap()),
                ),
                Contender::peer("webrtc-sdp", per_op(move || black_box(&moz).to_string())),
                Contender::peer("sdp (webrtc-rs)", per_op(move || black_box(&rs).marshal())),
            ],
        });
    }
    Group {
        id: "sdp",
        title: "SDP parse — rtcweb-sdp-core vs webrtc-rs `sdp` 0.17 and Mozilla `webrtc-sdp` 0.3",
        note: "Input `sdp_chrome_offer.txt` (4191 B: audio + video + data channel, candidates, extmap, \
rtcp-fb, ssrc). Owned model: `owned::Description::parse` (every line copied into owned strings) vs \
`sdp::SessionDescription::unmarshal`. Every attribute typed: `SessionDescription::parse` then \
`attribute_values()` of the session and of each media section, each value through `black_box`, vs \
`webrtc_sdp::parse_sdp` (types every attribute eagerly). The result is dropped inside the timing. \
Serialize: each library's own parsed model to text (rtcweb owned: canonical CRLF `to_sdp()`; \
rtcweb borrowed view, unmodified: `write_to` a buffer, which copies the input's lines, so not \
like-for-like; `webrtc-sdp`: `to_string()`; `sdp`: `marshal()`). Checked first: same sections, \
attribute counts, rtpmaps, candidates, extmaps, ssrcs and mids; every serialization re-parses to \
the same typed shape.",
        workloads,
    }
}
