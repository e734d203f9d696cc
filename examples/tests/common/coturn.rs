//! A coturn on 127.0.0.1 for tests: installed if missing, started on a free port with TURN REST
//! credentials, stopped by its PID when dropped.
#![allow(dead_code)]

use std::net::{SocketAddr, UdpSocket};
use std::process::{Child, Command, Stdio};

pub const SECRET: &str = "rtcweb-interop-secret";

pub struct Coturn {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl Drop for Coturn {
    fn drop(&mut self) {
        // Stopped by its own PID, never by name.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ensure_coturn() {
    if Command::new("turnserver").arg("--version").output().is_ok() {
        return;
    }
    let install = || {
        Command::new("apt-get")
            .args(["install", "-y", "-qq", "coturn"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .is_ok_and(|s| s.success())
    };
    let ok = install() || {
        let _ = Command::new("apt-get").args(["update", "-qq"]).status();
        install()
    };
    assert!(
        ok,
        "coturn is not installed and apt-get install coturn failed"
    );
}

fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn start_coturn() -> Coturn {
    ensure_coturn();
    let port = free_udp_port();
    let dir = std::env::temp_dir().join(format!("rtcweb-coturn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let child = Command::new("turnserver")
        .args([
            "-n",
            "--listening-ip=127.0.0.1",
            &format!("--listening-port={port}"),
            "--relay-ip=127.0.0.1",
            "--use-auth-secret",
            &format!("--static-auth-secret={SECRET}"),
            "--realm=rtcweb.test",
            "--allow-loopback-peers",
            "--no-cli",
            "--no-tls",
            "--no-dtls",
            "--min-port=50000",
            "--max-port=50999",
            "--simple-log",
            "--no-stdout-log",
            &format!("--log-file={}", dir.join("turn.log").display()),
            &format!("--pidfile={}", dir.join("turn.pid").display()),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting turnserver");
    Coturn {
        child,
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
    }
}
