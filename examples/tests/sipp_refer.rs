//! RFC 3515 with a peer nobody here wrote: sipp plays a contact-center agent's phone
//! (`tests/sipp/uac_refer.xml`) that calls `rtcweb uas` (sip-core's `UserAgent` over UDP on
//! 127.0.0.1) and sends REFER once the call is up. Our UA answers 202 and keeps the implicit
//! subscription: a NOTIFY with `SIP/2.0 100 Trying` (active), then the final one (terminated;
//! `rtcweb uas` transfers nothing and reports 603). sipp's regexp checks on Event,
//! Subscription-State and the sipfrag bodies, and its exit status, decide. sipp (Debian
//! `sip-tester`) is installed if missing; both processes are bounded in time, stopped by PID.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

mod common;
use common::dns::free_udp_port;
use common::{sipp_installed, Killed};

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn sipp_agent_refers_its_call_and_gets_the_notify_subscription() {
    assert!(sipp_installed(), "sipp (Debian sip-tester) is needed");
    let port = free_udp_port();
    let mut uas = Killed(
        Command::new(env!("CARGO_BIN_EXE_rtcweb"))
            .args([
                "uas",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--calls",
                "1",
                "--seconds",
                "30",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    std::thread::sleep(Duration::from_millis(300));
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sipp/uac_refer.xml");
    let out = Command::new("timeout")
        .args([
            "60",
            "sipp",
            "-sf",
            scenario,
            "-i",
            "127.0.0.1",
            "-m",
            "1",
            "-timeout",
            "30s",
            "-timeout_error",
            "-nostdin",
            &format!("127.0.0.1:{port}"),
        ])
        .output()
        .expect("run sipp");
    assert!(
        out.status.success(),
        "sipp failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    // The UAS ends after its one call and prints its counters.
    let deadline = Instant::now() + Duration::from_secs(15);
    while uas.0.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "rtcweb uas did not finish");
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut json = String::new();
    use std::io::Read as _;
    uas.0
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut json)
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["refers"], 1, "{json}");
    assert_eq!(v["ended"], 1, "{json}");
}
