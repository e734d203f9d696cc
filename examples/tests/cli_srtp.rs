//! `rtcweb srtp protect|unprotect` against the shared libsrtp known answer.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::Write as _;
use std::process::{Command, Stdio};

use base64::Engine as _;

fn input(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../srtp-core/tests/data/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn run(mode: &str, key: &str, stdin: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rtcweb"))
        .args(["srtp", mode, "--key", key])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The tool may refuse its arguments and exit before reading: a broken pipe is fine.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn protect_and_unprotect_match_libsrtp() {
    let key = base64::engine::general_purpose::STANDARD.encode(input("srtp_master_key_salt.bin"));
    for size in [172, 1212] {
        let rtp = hex(&input(&format!("rtp_{size}.bin")));
        let kat = hex(&input(&format!("srtp_kat_{size}.bin")));
        // Whitespace in the input is allowed.
        let spaced = format!("{}\n {}\n", &rtp[..20], &rtp[20..]);
        let (ok, out, err) = run("protect", &key, &spaced);
        assert!(ok, "{err}");
        assert_eq!(out.trim(), kat);
        let (ok, out, err) = run("unprotect", &key, &kat);
        assert!(ok, "{err}");
        assert_eq!(out.trim(), rtp);
    }
}

#[test]
fn unprotect_refuses_a_bad_tag_with_one_line() {
    let key = base64::engine::general_purpose::STANDARD.encode(input("srtp_master_key_salt.bin"));
    let mut kat = input("srtp_kat_172.bin");
    kat[100] ^= 1;
    let (ok, out, err) = run("unprotect", &key, &hex(&kat));
    assert!(!ok);
    assert!(out.is_empty());
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("authentication"), "{err}");
    let (ok, _, err) = run("protect", "not base64!", "8000");
    assert!(!ok && err.lines().count() == 1);
    let (ok, _, _) = run("protect", &key, "80zz");
    assert!(!ok);
}
