//! RFC 3263 against a real DNS server: dnsmasq (Debian `dnsmasq-base`, installed if missing)
//! on 127.0.0.1 serves NAPTR, SRV and A records for `example.test`; `rtcweb options
//! sip:alice@example.test --dns …` resolves them with hickory-resolver through sip-core's
//! Sans-IO server selection and fails over exactly as §4.3 says: the first SRV target never
//! answers (Timer F), the second is a `rtcweb uas` at its transaction limit (503), the third a
//! `rtcweb uas` that answers 200; and a `sips:` URI reached over TLS (rustls, certificates made
//! by the test with openssl) through SIPS NAPTR/SRV records. Every process is bounded in time
//! and stopped by PID.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

mod common;
use common::dns::{dnsmasq, dnsmasq_installed, free_udp_port};
use common::tls::certificates;
use common::Killed;

use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn uas(port: u16, extra: &[&str]) -> Killed {
    Killed(
        Command::new(env!("CARGO_BIN_EXE_rtcweb"))
            .args([
                "uas",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--seconds",
                "60",
            ])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start rtcweb uas"),
    )
}

fn options(dns_port: u16, uri: &str) -> (Option<i32>, serde_json::Value, String) {
    options_with(dns_port, uri, &[])
}

fn options_with(
    dns_port: u16,
    uri: &str,
    extra: &[&str],
) -> (Option<i32>, serde_json::Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_rtcweb"))
        .args([
            "options",
            uri,
            "--dns",
            &format!("127.0.0.1:{dns_port}"),
            "--t1-ms",
            "50",
            "--dns-timeout-ms",
            "2000",
        ])
        .args(extra)
        .output()
        .expect("run rtcweb options");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let json = serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null);
    (
        out.status.code(),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// NAPTR → SRV (three priorities) → A, then a timeout, a 503 and a 200 in SRV order.
#[test]
fn naptr_srv_failover_over_timeout_and_503_to_the_live_server() {
    assert!(
        dnsmasq_installed(),
        "dnsmasq (Debian dnsmasq-base) is needed"
    );
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap(); // receives, never answers
    let dead = silent.local_addr().unwrap().port();
    let (busy, live) = (free_udp_port(), free_udp_port());
    let _busy = uas(busy, &["--max-transactions", "0"]);
    let _live = uas(live, &[]);
    let dns_port = free_udp_port();
    let records = [
        "--naptr-record=example.test,20,10,s,SIP+D2T,,_sip._tcp.example.test".to_string(),
        "--naptr-record=example.test,10,10,s,SIP+D2U,,_sip._udp.example.test".to_string(),
        format!("--srv-host=_sip._udp.example.test,dead.example.test,{dead},10,10"),
        format!("--srv-host=_sip._udp.example.test,busy.example.test,{busy},20,10"),
        format!("--srv-host=_sip._udp.example.test,live.example.test,{live},30,10"),
        "--srv-host=_sip._tcp.example.test,tcp.example.test,5060,10,10".to_string(),
        "--host-record=dead.example.test,127.0.0.1".to_string(),
        "--host-record=busy.example.test,127.0.0.1".to_string(),
        "--host-record=live.example.test,127.0.0.1".to_string(),
        "--host-record=tcp.example.test,127.0.0.2".to_string(),
        "--host-record=example.test,127.0.0.9".to_string(),
    ];
    let _dns = dnsmasq(dns_port, &records);
    let started = Instant::now();
    let (code, json, stderr) = options(dns_port, "sip:alice@example.test");
    assert_eq!(code, Some(0), "{json}\n{stderr}");
    let queries: Vec<(String, String)> = json["queries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["type"].as_str().unwrap().to_string(),
                q["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(queries[0], ("NAPTR".into(), "example.test".into()));
    assert!(queries.contains(&("SRV".into(), "_sip._udp.example.test".into())));
    // NAPTR order 10 (UDP) before order 20 (TCP): UDP targets by SRV priority, then TCP.
    let targets: Vec<String> = json["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            format!(
                "{}/{}",
                t["transport"].as_str().unwrap(),
                t["address"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        targets,
        [
            format!("udp/127.0.0.1:{dead}"),
            format!("udp/127.0.0.1:{busy}"),
            format!("udp/127.0.0.1:{live}"),
            "tcp/127.0.0.2:5060".to_string(),
        ]
    );
    let results: Vec<&str> = json["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["result"].as_str().unwrap())
        .collect();
    assert_eq!(results, ["timeout", "503", "200"], "{json}");
    assert_eq!(json["answered_by"], format!("127.0.0.1:{live}"));
    // The silent target really got the OPTIONS (and its retransmissions).
    silent.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 2048];
    let (n, _) = silent
        .recv_from(&mut buf)
        .expect("OPTIONS reached the first target");
    assert!(buf[..n].starts_with(b"OPTIONS sip:alice@example.test SIP/2.0\r\n"));
    // Timer F at T1 = 50 ms is 3.2 s: the whole run stays well under a minute.
    assert!(started.elapsed() < Duration::from_secs(30));
}

/// No NAPTR and no SRV: the domain's A record, UDP, port 5060 (§4.2) — here nobody listens
/// there on 127.0.0.10, so the only target times out and the command fails with exit 1.
#[test]
fn without_naptr_or_srv_the_a_record_and_the_default_port() {
    assert!(
        dnsmasq_installed(),
        "dnsmasq (Debian dnsmasq-base) is needed"
    );
    let dns_port = free_udp_port();
    let _dns = dnsmasq(
        dns_port,
        &["--host-record=example.test,127.0.0.10".to_string()],
    );
    let (code, json, _) = options(dns_port, "sip:example.test");
    assert_eq!(code, Some(1), "{json}");
    assert_eq!(json["targets"][0]["address"], "127.0.0.10:5060");
    assert_eq!(json["targets"][0]["transport"], "udp");
    assert_eq!(json["attempts"][0]["result"], "timeout");
    let srv_asked = json["queries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| q["type"] == "SRV")
        .count();
    assert_eq!(srv_asked, 3, "_sip._udp, _sip._tcp, _sips._tcp: {json}");
}

/// A sips: URI (RFC 3263 §4.1: SIPS NAPTR services only) reached over TLS: NAPTR SIPS+D2T →
/// SRV _sips._tcp → A, then the OPTIONS over a rustls connection verified for `example.test`
/// (RFC 5922) against the test CA, answered by `rtcweb uas --tls` on the same connection. With
/// another CA the certificate is refused and no target answers.
#[test]
fn sips_uri_over_tls_through_naptr_and_srv() {
    assert!(
        dnsmasq_installed(),
        "dnsmasq (Debian dnsmasq-base) is needed"
    );
    let dir = std::env::temp_dir().join(format!("rtcweb-dns-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    certificates(&dir);
    let other = dir.join("other");
    std::fs::create_dir_all(&other).unwrap();
    certificates(&other);
    let tls_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let udp_port = free_udp_port();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let _uas = uas(
        udp_port,
        &[
            "--tls",
            &format!("127.0.0.1:{tls_port}"),
            "--cert",
            cert.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
        ],
    );
    let dns_port = free_udp_port();
    let records = [
        "--naptr-record=example.test,10,10,s,SIP+D2U,,_sip._udp.example.test".to_string(),
        "--naptr-record=example.test,20,10,s,SIPS+D2T,,_sips._tcp.example.test".to_string(),
        format!("--srv-host=_sip._udp.example.test,tls.example.test,{udp_port},10,10"),
        format!("--srv-host=_sips._tcp.example.test,tls.example.test,{tls_port},10,10"),
        "--host-record=tls.example.test,127.0.0.1".to_string(),
    ];
    let _dns = dnsmasq(dns_port, &records);
    // Wait until the TLS listener accepts.
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", tls_port)).is_err() {
        assert!(Instant::now() < deadline, "rtcweb uas --tls did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    let ca = dir.join("ca.pem");
    let (code, json, stderr) = options_with(
        dns_port,
        "sips:example.test",
        &["--ca", ca.to_str().unwrap()],
    );
    assert_eq!(code, Some(0), "{json}\n{stderr}");
    assert_eq!(
        json["targets"].as_array().unwrap().len(),
        1,
        "SIPS services only: {json}"
    );
    assert_eq!(json["attempts"][0]["transport"], "tls");
    assert_eq!(json["attempts"][0]["result"], "200");
    assert_eq!(json["answered_by"], format!("127.0.0.1:{tls_port}"));

    let wrong_ca = other.join("ca.pem");
    let (code, json, _) = options_with(
        dns_port,
        "sips:example.test",
        &["--ca", wrong_ca.to_str().unwrap()],
    );
    assert_eq!(
        code,
        Some(1),
        "a certificate from another CA is refused: {json}"
    );
    assert_eq!(json["attempts"][0]["result"], "timeout");
    std::fs::remove_dir_all(&dir).ok();
}
