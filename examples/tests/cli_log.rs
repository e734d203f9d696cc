//! `rtcweb -vv call` (or RUST_LOG=debug) tells why each step happened: the crates' `log` records
//! (sip-core, ice-core) reach stderr through env_logger; without `-v`, nothing below warnings.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

fn call(args: &[&str], rust_log: Option<&str>) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rtcweb"));
    cmd.args(args).args(["call", "--seconds", "1"]);
    cmd.env_remove("RUST_LOG");
    if let Some(l) = rust_log {
        cmd.env("RUST_LOG", l);
    }
    let out = cmd.output().expect("running rtcweb call");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn verbose_call_logs_sip_and_ice_steps() {
    for (args, env) in [(&["-vv"][..], None), (&[][..], Some("debug"))] {
        let err = call(args, env);
        for needle in [
            "ua: incoming call",
            "ua: answered",
            "ice: pair 0 succeeded",
            "ice: StateChanged(Connected)",
            "ua: call ended",
        ] {
            assert!(err.contains(needle), "{needle:?} missing from:\n{err}");
        }
    }
    let quiet = call(&[], None);
    assert!(
        !quiet.contains("DEBUG") && !quiet.contains("INFO"),
        "{quiet}"
    );
}
