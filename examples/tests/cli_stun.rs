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

/// `inspect stun` on TURN ChannelData (RFC 8656 §12.4), told from STUN by its first byte
/// (RFC 7983): unpadded as over UDP, padded as over TCP, with no data; refused only for a channel
/// number outside 0x4000-0x4FFF or a length that disagrees with the bytes present.
#[test]
fn inspect_channel_data_framing() {
    let json = |input: &[u8]| -> serde_json::Value {
        let out = run(&["inspect", "stun", "-"], input);
        assert!(out.status.success(), "{input:02x?}: {out:?}");
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let unpadded = json(b"\x40\x01\x00\x05hello");
    assert_eq!(unpadded["type"], "ChannelData");
    assert_eq!(unpadded["channel"], "0x4001");
    assert_eq!(unpadded["length"], 5);
    assert_eq!(unpadded["padding"], 0);
    assert_eq!(unpadded["data"], "68656c6c6f");
    let padded = json(b"\x4f\xff\x00\x05hello\x00\x00\x00");
    assert_eq!(padded["channel"], "0x4fff");
    assert_eq!(padded["length"], 5);
    assert_eq!(padded["padding"], 3);
    let empty = json(&[0x40, 0x00, 0x00, 0x00]);
    assert_eq!(empty["length"], 0);
    assert_eq!(empty["data"], "");

    // Wrong length: more than announced plus padding, fewer than announced, a cut header.
    assert_one_line_error(
        &run(&["inspect", "stun", "-"], b"\x40\x01\x00\x01abcdef"),
        "byte 5",
    );
    assert_one_line_error(
        &run(&["inspect", "stun", "-"], b"\x40\x01\x00\x09hello"),
        "byte 2: length 9 needs 13 bytes, 9 present",
    );
    assert_one_line_error(&run(&["inspect", "stun", "-"], b"\x40\x01"), "byte 2");
    // Wrong channel: 0x5000-0x7FFF is the ChannelData range of the first byte, not a channel.
    assert_one_line_error(
        &run(&["inspect", "stun", "-"], b"\x5a\x00\x00\x00"),
        "channel number 0x5a00 outside 0x4000-0x4fff",
    );
    // STUN is still STUN.
    assert!(run(&["inspect", "stun", "-"], &hex(REQUEST_HEX))
        .status
        .success());
}

/// ChannelData as coturn sends it to a client over UDP: allocate, bind a channel to a local peer,
/// the peer sends datagrams (empty, 5, 8 and 3 bytes) to the relay; what arrives on the client's
/// socket is inspected.
#[test]
fn inspect_channel_data_relayed_by_coturn() {
    use rtcweb_stun_core::turn::{TurnClient, TurnConfig, TurnEvent};
    use std::net::UdpSocket;
    use std::time::{Duration, Instant as StdInstant};

    let server = common::coturn::start_coturn();
    let (user, pass) = server
        .credentials("cd-test", Duration::from_secs(600))
        .unwrap();
    let start = StdInstant::now();
    let now = || {
        rtcweb_stun_core::Instant::from_nanos(i64::try_from(start.elapsed().as_nanos()).unwrap())
    };
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(20)))
        .unwrap();
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    let peer_addr = peer.local_addr().unwrap();
    let mut client = TurnClient::new(TurnConfig::new(server.addr, &user, &pass), [3; 32]);
    client.allocate(now()).unwrap();
    let mut relayed = None;
    let mut channel = None;
    let (mut tx, mut rx) = ([0u8; 1500], [0u8; 1500]);
    let give_up = StdInstant::now() + Duration::from_secs(10);
    while channel.is_none() {
        assert!(StdInstant::now() < give_up, "no channel bound within 10 s");
        client.handle_timeout(now());
        while let Ok(Some(t)) = client.poll_transmit(now(), &mut tx) {
            socket.send_to(&tx[..t.len], t.destination).unwrap();
        }
        while let Some(e) = client.poll_event() {
            match e {
                TurnEvent::Allocated { relayed: r, .. } => {
                    relayed = Some(r);
                    client.bind_channel(now(), peer_addr).unwrap();
                }
                TurnEvent::ChannelBound { channel: c, .. } => channel = Some(c),
                TurnEvent::AllocationFailed { code } => panic!("allocation failed: {code:?}"),
                _ => {}
            }
        }
        if let Ok((n, from)) = socket.recv_from(&mut rx) {
            let _ = client.handle_receive(now(), from, &rx[..n]);
        }
    }
    let (relayed, channel) = (relayed.unwrap(), channel.unwrap());
    // The datagram the client socket receives when the peer sends `payload` to the relay.
    let mut relay = |payload: &[u8]| -> Vec<u8> {
        peer.send_to(payload, relayed).unwrap();
        let give_up = StdInstant::now() + Duration::from_secs(5);
        loop {
            assert!(StdInstant::now() < give_up, "coturn relayed nothing");
            if let Ok((n, from)) = socket.recv_from(&mut rx) {
                if from == server.addr && (0x40..=0x4f).contains(&rx[0]) {
                    return rx[..n].to_vec();
                }
            }
        }
    };
    let channel_hex = format!("{channel:#06x}");
    for payload in [&b""[..], b"hello", b"12345678", &[0xde, 0xad, 0xbe]] {
        let datagram = relay(payload);
        let out = run(&["inspect", "stun", "-"], &datagram);
        assert!(out.status.success(), "{datagram:02x?}: {out:?}");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["type"], "ChannelData");
        assert_eq!(json["channel"], channel_hex.as_str());
        assert_eq!(json["length"], payload.len());
        // Over UDP coturn does not pad (RFC 8656 §12.5: padding is optional there), so the
        // 5- and 3-byte data arrive unpadded.
        assert_eq!(datagram.len(), 4 + payload.len());
        assert_eq!(json["padding"], 0);
        let hexed: String = payload.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(json["data"], hexed.as_str());
    }
}
