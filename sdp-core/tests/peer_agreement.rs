//! Cross-check against an independent parser: webrtc-rs `sdp` must see the same media sections,
//! formats and attributes (name and value, in order) as this crate's view, for every fixture it accepts.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::Cursor;

use rtcweb_sdp_core::SessionDescription;

#[test]
fn webrtc_rs_sdp_sees_the_same_structure() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let mut compared = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "sdp") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let ours = SessionDescription::parse(&bytes).unwrap();
        let Ok(peer) = sdp::SessionDescription::unmarshal(&mut Cursor::new(&bytes)) else {
            eprintln!("webrtc-rs sdp rejects {path:?}; skipped");
            continue;
        };
        compared += 1;
        let session: Vec<_> = ours
            .attributes()
            .map(|a| (a.name.to_string(), a.value.map(str::to_string)))
            .collect();
        let peer_session: Vec<_> = peer
            .attributes
            .iter()
            .map(|a| (a.key.clone(), a.value.clone()))
            .collect();
        assert_eq!(session, peer_session, "{path:?}");
        assert_eq!(
            ours.media_count(),
            peer.media_descriptions.len(),
            "{path:?}"
        );
        for (m, p) in ours.media().zip(&peer.media_descriptions) {
            assert_eq!(m.kind(), p.media_name.media, "{path:?}");
            assert_eq!(
                isize::try_from(m.port()).unwrap(),
                p.media_name.port.value,
                "{path:?}"
            );
            assert!(
                m.media_line()
                    .formats()
                    .eq(p.media_name.formats.iter().map(String::as_str)),
                "{path:?}"
            );
            let attrs: Vec<_> = m
                .attributes()
                .map(|a| (a.name.to_string(), a.value.map(str::to_string)))
                .collect();
            let peer_attrs: Vec<_> = p
                .attributes
                .iter()
                .map(|a| (a.key.clone(), a.value.clone()))
                .collect();
            assert_eq!(attrs, peer_attrs, "{path:?} media {}", m.index());
        }
    }
    assert!(compared >= 8, "only {compared} fixtures compared");
}
