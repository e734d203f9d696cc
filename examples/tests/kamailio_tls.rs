//! Kamailio as a TLS proxy in front of a phone (RFC 3261 §26.2, `sips:`): `rtcweb options
//! sips:example.test` finds Kamailio through NAPTR/SRV (dnsmasq on 127.0.0.1), opens a rustls
//! connection to it verified for `example.test` against the test CA, and Kamailio (its tls
//! module over OpenSSL, with the certificate the test made) relays the OPTIONS over UDP to
//! `rtcweb uas`; the 200 comes back through Kamailio on the same TLS connection. Kamailio
//! (Debian `kamailio`, `kamailio-tls-modules`), dnsmasq and openssl are installed when missing;
//! every process is bounded in time and stopped by PID.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

mod common;
use common::dns::{dnsmasq, dnsmasq_installed, free_udp_port};
use common::kamailio::{kamailio_binary, module_dir, Kamailio};
use common::tls::certificates;
use common::{apt, Killed};

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn free_tcp_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn options_over_tls_through_kamailio_to_a_udp_phone() {
    assert!(
        dnsmasq_installed(),
        "dnsmasq (Debian dnsmasq-base) is needed"
    );
    let bin = kamailio_binary().expect("kamailio is needed");
    let modules = module_dir().expect("kamailio modules");
    assert!(
        apt::ensure("kamailio-tls-modules", || modules.join("tls.so").exists()),
        "kamailio-tls-modules is needed"
    );
    let dir = std::env::temp_dir().join(format!("rtcweb-kamailio-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    certificates(&dir);

    // The phone: rtcweb uas on UDP.
    let phone = free_udp_port();
    let _phone = Killed(
        Command::new(env!("CARGO_BIN_EXE_rtcweb"))
            .args([
                "uas",
                "--listen",
                &format!("127.0.0.1:{phone}"),
                "--seconds",
                "60",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );

    // Kamailio: TLS in, UDP to the phone.
    let (udp, tls) = (free_udp_port(), free_tcp_port());
    let tls_cfg = dir.join("tls.cfg");
    std::fs::write(
        &tls_cfg,
        format!(
            "[server:default]\nmethod = TLSv1.2+\ncertificate = {}\nprivate_key = {}\n\
             verify_certificate = no\nrequire_certificate = no\n\n\
             [client:default]\nverify_certificate = no\nrequire_certificate = no\n",
            dir.join("cert.pem").display(),
            dir.join("key.pem").display()
        ),
    )
    .unwrap();
    let cfg = include_str!("kamailio/tls_proxy.cfg")
        .replace("@UDP@", &udp.to_string())
        .replace("@TLS@", &tls.to_string())
        .replace("@PHONE@", &phone.to_string())
        .replace("@MPATH@", &format!("{}/", modules.display()))
        .replace("@TLSCFG@", &tls_cfg.display().to_string());
    let cfg_path = dir.join("kamailio.cfg");
    std::fs::write(&cfg_path, cfg).unwrap();
    let log = dir.join("kamailio.log");
    let child = Command::new(&bin)
        .args(["-DD", "-E", "-f"])
        .arg(&cfg_path)
        .arg("-P")
        .arg(dir.join("kamailio.pid"))
        .arg("-w")
        .arg(&dir)
        .args(["-m", "32"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("spawn kamailio");
    let mut kamailio = Kamailio {
        child,
        log: log.clone(),
    };
    let deadline = Instant::now() + Duration::from_secs(15);
    while std::net::TcpStream::connect(("127.0.0.1", tls)).is_err() {
        assert!(
            kamailio.child.try_wait().unwrap().is_none(),
            "kamailio exited: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        assert!(Instant::now() < deadline, "kamailio did not listen on TLS");
        std::thread::sleep(Duration::from_millis(100));
    }

    // DNS: sips:example.test -> SIPS+D2T -> _sips._tcp -> kamailio's TLS port.
    let dns_port = free_udp_port();
    let _dns = dnsmasq(
        dns_port,
        &[
            "--naptr-record=example.test,10,10,s,SIPS+D2T,,_sips._tcp.example.test".to_string(),
            format!("--srv-host=_sips._tcp.example.test,proxy.example.test,{tls},10,10"),
            "--host-record=proxy.example.test,127.0.0.1".to_string(),
        ],
    );

    let out = Command::new(env!("CARGO_BIN_EXE_rtcweb"))
        .args([
            "options",
            "sips:phone@example.test",
            "--dns",
            &format!("127.0.0.1:{dns_port}"),
            "--ca",
            dir.join("ca.pem").to_str().unwrap(),
            "--t1-ms",
            "100",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_default();
    let klog = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        out.status.success(),
        "{stdout}\n{}\nkamailio:\n{klog}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json["attempts"][0]["transport"], "tls");
    assert_eq!(json["status"], 200);
    assert_eq!(json["answered_by"], format!("127.0.0.1:{tls}"));
    // Kamailio saw it arrive over TLS (its log line names the protocol).
    assert!(
        klog.contains("OPTIONS sips:phone@example.test from tls:127.0.0.1"),
        "kamailio log:\n{klog}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
