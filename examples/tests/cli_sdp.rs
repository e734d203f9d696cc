//! `rtcweb inspect sdp`: JSON and exit 0 when valid, one `line N: …` line and exit 1 when not,
//! warnings and exit 0 with `--lenient`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../sdp-core/tests/fixtures");

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rtcweb"))
        .args(["inspect", "sdp"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The tool may exit before reading its input: a broken pipe is fine.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

#[test]
fn valid_file_prints_json() {
    let path = format!("{FIXTURES}/bench_chrome_offer.sdp");
    let out = run(&[&path], b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["line_ending"], "CRLF");
    assert_eq!(v["media"].as_array().unwrap().len(), 3);
    assert_eq!(v["media"][0]["mid"], "0");
    assert_eq!(v["media"][1]["formats"][0], "96");
    let cand = v["media"][0]["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "candidate")
        .unwrap();
    assert_eq!(cand["typed"]["type"], "host");
    assert_eq!(v["attributes"][0]["typed"]["mids"][2], "2");
}

#[test]
fn every_fixture_is_valid() {
    for entry in std::fs::read_dir(FIXTURES).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "sdp") {
            let out = run(&[path.to_str().unwrap()], b"");
            assert!(
                out.status.success(),
                "{path:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap();
        }
    }
}

#[test]
fn stdin_and_crypto_key_not_printed() {
    let sdp = std::fs::read(format!("{FIXTURES}/asterisk_sdes.sdp")).unwrap();
    let out = run(&["-"], &sdp);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let crypto = &v["media"][0]["attributes"][0]["typed"];
    assert_eq!(crypto["suite"], "AES_CM_128_HMAC_SHA1_80");
    assert_eq!(crypto["keys"][0]["key_salt_len"], 30);
}

#[test]
fn invalid_port_is_one_line_with_line_number() {
    let sdp = b"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio port RTP/AVP 0\r\n";
    let out = run(&["-"], sdp);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("line 5: "), "{err}");
    assert!(err.contains("port"), "{err}");
}

#[test]
fn strict_rejects_malformed_attribute_lenient_warns() {
    let sdp = b"v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\nm=audio 9 RTP/AVP 0\nc=IN IP4 192.0.2.1\na=rtpmap:0 PCMU\na=x-ok:1\n";
    let out = run(&["-"], sdp);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("line 7: "), "{err}");

    let out = run(&["--lenient", "-"], sdp);
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("warning: line 7: "), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["line_ending"], "LF");
    assert_eq!(v["warnings"].as_array().unwrap().len(), 1);
    assert_eq!(v["media"][0]["attributes"][1]["name"], "x-ok");
}

#[test]
fn strict_refuses_what_rfc_8866_forbids_lenient_warns() {
    // A media section with no c= and none at session level (§5.7), a session c= after t= (§5
    // order), a NUL byte in a text field (§9): one line each, with the line number.
    let cases: [(&[u8], &str, &str); 3] = [
        (
            b"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n",
            "line 5: ",
            "c=",
        ),
        (
            b"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nc=IN IP4 192.0.2.1\r\n",
            "line 5: ",
            "order",
        ),
        (
            b"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=a\0b\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n",
            "line 3: ",
            "NUL",
        ),
    ];
    for (sdp, line, what) in cases {
        let out = run(&["-"], sdp);
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(line) && err.contains(what), "{err}");
        let out = run(&["--lenient", "-"], sdp);
        assert!(out.status.success());
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(&format!("warning: {line}")), "{err}");
    }
}

#[test]
fn garbage_and_missing_file_fail_cleanly() {
    for input in [&b""[..], b"hello", b"\xff\xfe", b"v=1\r\n"] {
        let out = run(&["-"], input);
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("line 1: "), "{err}");
    }
    let out = run(&["/nonexistent/x.sdp"], b"");
    assert_eq!(out.status.code(), Some(1));
}
