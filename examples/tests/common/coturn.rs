//! A coturn on 127.0.0.1 for tests: installed if missing, then started through the examples
//! library's [`Coturn`] (free port, TURN REST credentials, stopped by PID on drop).
#![allow(dead_code)]

use std::process::Command;

pub use rtcweb_cli::coturn::Coturn;

pub const SECRET: &str = "rtcweb-interop-secret";

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

pub fn start_coturn() -> Coturn {
    ensure_coturn();
    Coturn::start(SECRET).expect("starting coturn")
}
