//! A local DNS server for tests: dnsmasq (Debian `dnsmasq-base`, installed when missing) on
//! 127.0.0.1 with the records a test gives it, in the foreground, stopped by PID.
#![allow(dead_code)]

use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{apt, Killed};

/// dnsmasq, installed when missing.
pub fn dnsmasq_installed() -> bool {
    apt::ensure("dnsmasq-base", || {
        Command::new("dnsmasq")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    })
}

/// A free UDP port on 127.0.0.1 (bound and released).
pub fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// dnsmasq on 127.0.0.1:`port` with `records` (dnsmasq options), nothing else: no upstream,
/// no /etc/hosts, no configuration file, in the foreground.
pub fn dnsmasq(port: u16, records: &[String]) -> Killed {
    let child = Command::new("dnsmasq")
        .args([
            "--no-daemon",
            &format!("--port={port}"),
            "--listen-address=127.0.0.1",
            "--bind-interfaces",
            "--no-resolv",
            "--no-hosts",
            "--conf-file=/dev/null",
            "--user=root",
            "--pid-file",
        ])
        .args(records)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start dnsmasq");
    let mut guard = Killed(child);
    // Ready when it answers: a query for a name it serves.
    let deadline = Instant::now() + Duration::from_secs(10);
    let probe = UdpSocket::bind("127.0.0.1:0").unwrap();
    probe
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    // A minimal DNS query for "example.test" A (RFC 1035 §4.1).
    let mut q = vec![0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in ["example", "test"] {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.extend_from_slice(&[0, 0, 1, 0, 1]);
    let mut buf = [0u8; 512];
    loop {
        assert!(
            guard.0.try_wait().unwrap().is_none(),
            "dnsmasq exited early"
        );
        let _ = probe.send_to(&q, ("127.0.0.1", port));
        if let Ok((n, _)) = probe.recv_from(&mut buf) {
            if n >= 12 && buf[..2] == [0x12, 0x34] {
                return guard;
            }
        }
        assert!(Instant::now() < deadline, "dnsmasq did not answer in 10 s");
    }
}
