//! sipp as the phone of the browser gateway tests: started on a port of the test's choosing with
//! a scenario of `tests/jssip/`, echoing RTP (`-rtp_echo`) on a free even port, stopped by PID
//! ([`Killed`]) when the test is done.
#![allow(dead_code)]

use std::net::UdpSocket;
use std::path::Path;
use std::process::{Command, Stdio};

use super::browser::folder;
use super::Killed;

/// A UDP port free on loopback right now.
pub fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts sipp as a phone on `sip_port` for `calls` calls (sipp `-m`): `scenario` in
/// `tests/jssip/`, RTP echoed on a free even port, `-key` pairs for the scenario, its error
/// trace in `dir`.
pub fn phone_for(
    scenario: &str,
    sip_port: u16,
    dir: &Path,
    keys: &[(&str, String)],
    calls: u32,
) -> Killed {
    phone_with(scenario, sip_port, dir, keys, calls, &[])
}

/// [`phone_for`] with more sipp arguments (`-t t1`: SIP over TCP, one connection).
pub fn phone_with(
    scenario: &str,
    sip_port: u16,
    dir: &Path,
    keys: &[(&str, String)],
    calls: u32,
    args: &[&str],
) -> Killed {
    let mut media_port = free_udp_port();
    if media_port % 2 == 1 {
        media_port -= 1;
    }
    let mut cmd = Command::new("sipp");
    cmd.args([
        "-sf",
        folder().join(scenario).to_str().unwrap(),
        "-i",
        "127.0.0.1",
        "-p",
        &sip_port.to_string(),
        "-mi",
        "127.0.0.1",
        "-mp",
        &media_port.to_string(),
        "-rtp_echo",
        "-m",
        &calls.to_string(),
        "-nostdin",
        "-trace_err",
    ]);
    cmd.args(args);
    for (k, v) in keys {
        cmd.args(["-key", k, v]);
    }
    Killed(
        cmd.current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting sipp"),
    )
}
