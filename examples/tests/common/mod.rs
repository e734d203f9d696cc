//! Helpers shared by the integration tests.
pub mod apt;
pub mod baresip;
pub mod browser;
pub mod coturn;
pub mod dns;
pub mod kamailio;
pub mod sipp;
pub mod tls;

use std::process::{Child, Command, Stdio};

/// A child process stopped by its own PID (never by name) when dropped, also when an assertion
/// fails.
#[allow(dead_code)]
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// sipp, from Debian's `sip-tester`, installed when missing.
#[allow(dead_code)]
pub fn sipp_installed() -> bool {
    apt::ensure("sip-tester", || {
        Command::new("sipp")
            .arg("-v")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    })
}
