//! Interop and load with a SIP tool nobody here wrote: sipp's built-in `uac` scenario (INVITE,
//! 100/180/200 expected, ACK, pause, BYE, 200) calls `rtcweb uas` (sip-core's `UserAgent` over
//! UDP on 127.0.0.1) 300 times at 100 calls/s. Every call must succeed on both sides. sipp
//! (Debian `sip-tester`) is installed if missing; both processes are bounded in time and stopped
//! by PID. The rates a 2-core machine holds are measured by `scripts/sipp-load.sh`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

mod common;
use common::{sipp_installed, Killed};

use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn sipp_uac_calls_our_uas_300_times_without_a_failure() {
    assert!(sipp_installed(), "sipp (Debian sip-tester) is needed");
    let port = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = std::env::temp_dir().join(format!("rtcweb-sipp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let uas = Killed(
        Command::new(env!("CARGO_BIN_EXE_rtcweb"))
            .args([
                "uas",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--calls",
                "300",
                "--seconds",
                "60",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting rtcweb uas"),
    );
    std::thread::sleep(Duration::from_millis(300));
    let stat = dir.join("stat.csv");
    let started = Instant::now();
    let sipp = Command::new("sipp")
        .current_dir(&dir)
        .args([
            "-sn",
            "uac",
            "-r",
            "100",
            "-m",
            "300",
            "-l",
            "200",
            "-d",
            "200",
            "-nostdin",
            "-trace_stat",
            "-fd",
            "1",
            "-timeout",
            "40s",
            "-stf",
        ])
        .arg(&stat)
        .arg(format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("running sipp");
    assert!(sipp.success(), "sipp reported failed calls: {sipp:?}");
    // sipp's cumulative counters: SuccessfulCall(C) is field 16, FailedCall(C) field 18.
    let csv = std::fs::read_to_string(&stat).unwrap();
    let last: Vec<&str> = csv.lines().last().unwrap().split(';').collect();
    assert_eq!(
        (last[15], last[17]),
        ("300", "0"),
        "sipp: successful, failed"
    );
    let mut uas = uas;
    let out = {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if uas.0.try_wait().unwrap().is_some() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "rtcweb uas did not stop after 300 calls"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut s = String::new();
        std::io::Read::read_to_string(uas.0.stdout.as_mut().unwrap(), &mut s).unwrap();
        s
    };
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for k in ["invites", "answered", "confirmed", "ended"] {
        assert_eq!(v[k], 300, "{k}: {v}");
    }
    assert_eq!(v["transactions_rejected_503"], 0, "{v}");
    assert_eq!(v["malformed"], 0, "{v}");
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "sipp -sn uac: 300 calls at 100/s in {:.1} s, all answered and ended; peak {} simultaneous calls",
        started.elapsed().as_secs_f64(),
        v["peak_simultaneous_calls"]
    );
}
