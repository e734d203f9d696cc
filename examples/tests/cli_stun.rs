//! The `rtcweb inspect stun`, `rtcweb stun` and `rtcweb turn` subcommands, on valid and invalid
//! input, the network ones against a coturn on loopback.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_rtcweb");

/// RFC 5769 §2.1.
const REQUEST_HEX: &str = "000100582112a442b7e7a701bc34d686fa87dfae802200105354554e207465737420636c69656e74002400046e0001ff80290008932ff9b151263b36000600096576746a3a68367659202020000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf";

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(BIN)
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

fn assert_one_line_error(out: &Output, needle: &str) {
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains(needle), "{err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn inspect_valid_request_with_password() {
    let out = run(
        &[
            "inspect",
            "stun",
            "-",
            "--password",
            "VOkJxbRl1RmTxUk/WvJxBt",
        ],
        &hex(REQUEST_HEX),
    );
    assert!(out.status.success(), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["method"], "Binding");
    assert_eq!(json["class"], "request");
    assert_eq!(json["message_integrity"]["verified"], true);
    assert_eq!(json["fingerprint"]["verified"], true);
    let names: Vec<_> = json["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "SOFTWARE",
            "PRIORITY",
            "ICE-CONTROLLED",
            "USERNAME",
            "MESSAGE-INTEGRITY",
            "FINGERPRINT"
        ]
    );
    assert_eq!(json["attributes"][3]["value"], "evtj:h6vY");
}

#[test]
fn inspect_without_password_checks_fingerprint_only() {
    let out = run(&["inspect", "stun", "-"], &hex(REQUEST_HEX));
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["message_integrity"]["verified"], false);
    assert_eq!(json["fingerprint"]["verified"], true);
}

#[test]
fn inspect_rejects_wrong_password_truncation_and_corruption() {
    let msg = hex(REQUEST_HEX);
    assert_one_line_error(
        &run(&["inspect", "stun", "-", "--password", "wrong"], &msg),
        "byte 76",
    );
    assert_one_line_error(&run(&["inspect", "stun", "-"], &msg[..30]), "truncated");
    let mut bad = msg.clone();
    *bad.last_mut().unwrap() ^= 1;
    assert_one_line_error(
        &run(&["inspect", "stun", "-"], &bad),
        "byte 100: FINGERPRINT",
    );
    let mut overrun = msg.clone();
    overrun[22] = 0xFF; // SOFTWARE length runs past the message
    assert_one_line_error(&run(&["inspect", "stun", "-"], &overrun), "byte 20");
    assert_one_line_error(
        &run(&["inspect", "stun", "/nonexistent/file"], b""),
        "reading",
    );
}

#[test]
fn help_for_every_subcommand() {
    for args in [
        &["--help"][..],
        &["inspect", "stun", "--help"],
        &["stun", "--help"],
        &["turn", "--help"],
    ] {
        let out = run(args, b"");
        assert!(out.status.success(), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage"));
    }
}

#[test]
fn stun_and_turn_against_coturn() {
    let server = common::coturn::start_coturn();
    let addr = server.addr.to_string();
    // coturn may take a moment to listen: the client retransmits (RTO 100 ms).
    let out = run(&["stun", &addr, "--rto-ms", "100"], b"");
    assert!(out.status.success(), "{out:?}");
    let mapped: std::net::SocketAddr = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    assert_eq!(mapped.ip(), std::net::IpAddr::from([127, 0, 0, 1]));

    let out = run(
        &[
            "turn",
            "--server",
            &addr,
            "--secret",
            common::coturn::SECRET,
        ],
        b"",
    );
    assert!(out.status.success(), "{out:?}");
    let relayed: std::net::SocketAddr =
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    assert_eq!(relayed.ip(), std::net::IpAddr::from([127, 0, 0, 1]));

    let out = run(
        &["turn", "--server", &addr, "--secret", "not-the-secret"],
        b"",
    );
    assert_one_line_error(&out, "error 401");
}

#[test]
fn stun_to_a_silent_port_times_out_cleanly() {
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap().to_string();
    let out = run(&["stun", &addr, "--rto-ms", "5"], b"");
    assert_one_line_error(&out, "no response after 7 requests");
    assert_one_line_error(&run(&["stun", "not-a-host"], b""), "not-a-host");
}
