//! Kamailio for tests (Debian `kamailio`, installed when missing): the binary, its modules, and
//! a process stopped by its PID (SIGTERM, then SIGKILL) when dropped.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::Duration;

/// The kamailio binary, installed when missing.
pub fn kamailio_binary() -> Option<PathBuf> {
    let find = || {
        [
            "/usr/sbin/kamailio",
            "/usr/local/sbin/kamailio",
            "/usr/bin/kamailio",
        ]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
    };
    super::apt::ensure("kamailio", || find().is_some());
    find()
}

pub fn module_dir() -> Option<PathBuf> {
    let candidates = [
        "/usr/lib/x86_64-linux-gnu/kamailio/modules",
        "/usr/lib/aarch64-linux-gnu/kamailio/modules",
        "/usr/lib/kamailio/modules",
        "/usr/local/lib64/kamailio/modules",
    ];
    candidates
        .into_iter()
        .map(PathBuf::from)
        .find(|d| d.join("tm.so").exists())
}

/// A Kamailio process we started; stopped by its PID on drop.
pub struct Kamailio {
    pub child: Child,
    pub log: PathBuf,
}

impl Drop for Kamailio {
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        for _ in 0..50 {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
