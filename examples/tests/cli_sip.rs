//! `rtcweb inspect sip`: JSON and exit 0 for valid messages, one-line error and exit 1 otherwise.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::Write as _;
use std::process::{Command, Stdio};

const OPTIONS: &str = "OPTIONS sip:carol@chicago.example.com SIP/2.0\r\n\
Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKhjhs8ass877\r\n\
Max-Forwards: 70\r\n\
To: <sip:carol@chicago.example.com>\r\n\
From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n\
Call-ID: a84b4c76e66710\r\n\
CSeq: 63104 OPTIONS\r\n\
Contact: <sip:alice@pc33.atlanta.example.com>\r\n\
Accept: application/sdp\r\n\
Content-Length: 0\r\n\r\n";

fn run_stdin(input: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rtcweb"))
        .args(["inspect", "sip", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn valid_options_prints_json() {
    let (code, out, err) = run_stdin(OPTIONS);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["start_line"]["method"], "OPTIONS");
    assert_eq!(v["body_length"], 0);
    let via = &v["headers"][0]["typed"][0];
    assert_eq!(via["branch"], "z9hG4bKhjhs8ass877");
    assert_eq!(v["headers"][3]["typed"]["tag"], "1928301774");
    assert_eq!(v["headers"][5]["typed"]["seq"], 63104);
}

#[test]
fn file_argument_works() {
    let path = std::env::temp_dir().join(format!("rtcweb-cli-sip-{}.sip", std::process::id()));
    std::fs::write(&path, OPTIONS).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_rtcweb"))
        .args(["inspect", "sip"])
        .arg(&path)
        .output()
        .unwrap();
    std::fs::remove_file(&path).ok();
    assert_eq!(out.status.code(), Some(0));
}

fn assert_rejected(input: &str, needle: &str) {
    let (code, out, err) = run_stdin(input);
    assert_eq!(code, 1, "stdout: {out}");
    assert!(out.is_empty());
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.contains("byte "), "offset named: {err}");
    assert!(err.contains(needle), "{needle} in {err}");
}

#[test]
fn options_without_call_id_exits_1() {
    let input = OPTIONS.replace("Call-ID: a84b4c76e66710\r\n", "");
    assert_rejected(&input, "Call-ID");
}

#[test]
fn malformed_messages_exit_1() {
    assert_rejected("OPTIONS sip:a@b SIP/2.0\r\nVia x\r\n\r\n", "':'");
    assert_rejected(
        &OPTIONS.replace("CSeq: 63104 OPTIONS", "CSeq: 63104 INVITE"),
        "CSeq",
    );
    assert_rejected(
        &OPTIONS.replace("Content-Length: 0", "Content-Length: 99"),
        "Content-Length",
    );
    assert_rejected(
        &OPTIONS.replace("SIP/2.0\r\nVia", "SIP/7.0\r\nVia"),
        "SIP-Version",
    );
    assert_rejected(
        &OPTIONS.replace(
            "OPTIONS sip:carol@chicago.example.com",
            "OPTIONS nobody:opaque",
        ),
        "scheme",
    );
    assert_rejected("", "empty");
}
