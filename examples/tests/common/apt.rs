//! Debian packages a test needs, installed when missing: `apt-get install`, then once more after
//! `apt-get update` if that failed (a fresh machine's package lists may be stale).
#![allow(dead_code)]

use std::process::Command;

/// Whether `have()` holds, installing `package` first when it does not.
pub fn ensure(package: &str, have: impl Fn() -> bool) -> bool {
    if have() {
        return true;
    }
    let install = || {
        Command::new("apt-get")
            .args(["install", "-y", "-qq", "--no-install-recommends", package])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .is_ok_and(|s| s.success())
    };
    if !install() {
        let _ = Command::new("apt-get").args(["update", "-qq"]).status();
        install();
    }
    have()
}
