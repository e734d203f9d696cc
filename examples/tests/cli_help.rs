//! The CLI's promises to a newcomer: every subcommand's `--help` shows examples and the exit
//! status, a usage error exits 2, invalid input exits 1 with one line on stderr.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::process::Command;

fn rtcweb(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_rtcweb"))
        .args(args)
        .output()
        .expect("run rtcweb")
}

#[test]
fn every_subcommand_help_has_examples() {
    let subcommands: &[&[&str]] = &[
        &[],
        &["inspect", "stun"],
        &["inspect", "sip"],
        &["inspect", "sdp"],
        &["inspect", "pcap"],
        &["stun"],
        &["turn"],
        &["call"],
        &["gateway"],
        &["uas"],
        &["options"],
        &["srtp", "protect"],
        &["srtp", "unprotect"],
    ];
    for sub in subcommands {
        let mut args = sub.to_vec();
        args.push("--help");
        let out = rtcweb(&args);
        assert!(out.status.success(), "{args:?}: {:?}", out.status);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("Example"),
            "{args:?} --help has no example:\n{text}"
        );
        assert!(
            text.contains("rtcweb "),
            "{args:?} --help shows no command line:\n{text}"
        );
    }
}

#[test]
fn usage_error_exits_2_and_invalid_input_exits_1() {
    let out = rtcweb(&["inspect", "sdp", "--no-such-flag", "-"]);
    assert_eq!(out.status.code(), Some(2), "usage error");

    let dir = std::env::temp_dir().join(format!("rtcweb-cli-help-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.sdp");
    std::fs::write(&bad, b"v=0\r\nthis is not sdp\r\n").unwrap();
    let out = rtcweb(&["inspect", "sdp", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "invalid input");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line on stderr: {err}"
    );
    assert!(!err.contains("panicked"));
    std::fs::remove_dir_all(&dir).ok();
}
