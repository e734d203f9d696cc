//! The loopback call, as the README's demo runs it, with both drivers: call established, ICE
//! selected a pair, ≥ 99 % of SRTP packets verified both ways, BYE answered. Bounded in time.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

use std::process::Command;
use std::time::Duration;

use rtcweb_cli::call::{run, run_captured, Driver, Keying};

#[test]
fn std_driver_call() {
    // 4 s: each side's RTT needs its SR answered by the other's next report (RTCP intervals of
    // about a second, randomized), which 2 s did not always leave room for on a loaded machine.
    let report = run(Driver::Std, Duration::from_secs(4), None).unwrap();
    report.check().unwrap();
    assert!(report.caller.sent >= 180, "{report:?}");
    assert_eq!(report.caller.received.refused, 0);
    // RTCP sender reports went both ways: the RTT on loopback is measured and small.
    for r in [&report.caller, &report.callee] {
        let rtt = r.rtt.expect("an RTT from RTCP SR/RR");
        assert!(rtt < Duration::from_millis(500), "{rtt:?}");
    }
}

#[test]
fn tokio_driver_call() {
    let report = run(Driver::Tokio, Duration::from_secs(2), None).unwrap();
    report.check().unwrap();
    assert!(report.callee.sent >= 90, "{report:?}");
}

#[test]
fn dtls_srtp_call_with_both_drivers() {
    // RFC 5763/5764: a=fingerprint + a=setup in the SDP, the DTLS handshake over the ICE pair,
    // SRTP keyed from the exporter; dimpl on both sides picks AEAD_AES_256_GCM.
    for driver in [Driver::Std, Driver::Tokio] {
        let report =
            run_captured(driver, Duration::from_secs(2), None, Keying::Dtls, None).unwrap();
        report.check().unwrap();
        for r in [&report.caller, &report.callee] {
            assert_eq!(
                r.dtls_profile,
                Some(rtcweb_srtp_core::Profile::AeadAes256Gcm),
                "{report:?}"
            );
            assert!(r.sent >= 80, "{report:?}");
            assert_eq!(r.received.refused, 0, "{report:?}");
        }
    }
}

mod common;

#[test]
fn call_relayed_through_coturn() {
    let server = common::coturn::start_coturn();
    let (user, pass) = server
        .credentials("test", Duration::from_secs(600))
        .unwrap();
    let report = run(
        Driver::Std,
        Duration::from_secs(2),
        Some((server.addr, user, pass)),
    )
    .unwrap();
    report.check().unwrap();
    // Both sides offered only relayed candidates: every selected pair has an end on coturn's
    // relay port range (the other end may be a host address learned as peer-reflexive).
    let relayed = |a: std::net::SocketAddr| (50000..=59999).contains(&a.port());
    for r in [&report.caller, &report.callee] {
        let (local, remote) = r.selected_pair.unwrap();
        assert!(
            relayed(local) || relayed(remote),
            "{local} -> {remote} is not relayed"
        );
    }
}

#[test]
fn rtcweb_call_prints_the_protocol_steps() {
    let out = Command::new(env!("CARGO_BIN_EXE_rtcweb"))
        .args(["call", "--seconds", "1"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for step in [
        "INVITE",
        "180 Ringing",
        "200 OK",
        "ACK",
        "ICE: selected pair",
        "SRTP",
        "BYE",
        "call completed",
    ] {
        assert!(text.contains(step), "missing {step:?} in:\n{text}");
    }
    let bad = Command::new(env!("CARGO_BIN_EXE_rtcweb"))
        .args(["call", "--driver", "carrier-pigeon"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2), "clap rejects an unknown driver");
}
