//! The WebRTC-to-SIP gateway sketch end to end: a WebRTC-style caller (ICE + SRTP) calls a plain
//! SIP phone (RTP) through the B2BUA; media is relayed both ways and BYE crosses the gateway.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

use std::time::Duration;

use rtcweb_cli::gateway::demo;

#[test]
fn webrtc_to_sip_through_the_gateway() {
    let report = demo::run(Duration::from_secs(2)).unwrap();
    report.check().unwrap();
    assert!(report.relayed.web_to_phone >= 90, "{report:?}");
    assert!(report.relayed.phone_to_web >= 90, "{report:?}");
    assert_eq!(report.relayed.refused, 0);
}

#[test]
fn rtcweb_gateway_subcommand() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rtcweb"))
        .args(["gateway", "--seconds", "1"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("gateway call completed"), "{text}");
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_rtcweb"))
        .args(["gateway", "--seconds", "soon"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}
