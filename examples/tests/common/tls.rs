//! Certificates for TLS tests, made by the openssl command (installed when missing): a test CA
//! and a server certificate for `example.test` signed by it.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Stdio};

use super::apt;

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A test CA and a server certificate for `example.test` signed by it (PEM files in `dir`):
/// ca.pem, cert.pem, key.pem.
pub fn certificates(dir: &Path) {
    assert!(apt::ensure("openssl", || Command::new("openssl")
        .arg("version")
        .stdout(Stdio::null())
        .status()
        .is_ok()));
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    ca.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=rtcweb test CA",
    ]);
    openssl(dir, &ca);
    let mut csr = vec!["req"];
    csr.extend(ec);
    csr.extend([
        "-keyout",
        "key.pem",
        "-out",
        "leaf.csr",
        "-subj",
        "/CN=example.test",
    ]);
    openssl(dir, &csr);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:example.test\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "cert.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ],
    );
}

/// A self-signed server certificate for `127.0.0.1` and `localhost` (PEM files in `dir`:
/// self.pem, self.key), as a browser-facing `wss://` test server uses. Returns the base64
/// SHA-256 of its SubjectPublicKeyInfo: what Chromium's
/// `--ignore-certificate-errors-spki-list` takes to trust this one key and nothing else.
pub fn self_signed(dir: &Path) -> String {
    assert!(apt::ensure("openssl", || Command::new("openssl")
        .arg("version")
        .stdout(Stdio::null())
        .status()
        .is_ok()));
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            "self.key",
            "-out",
            "self.pem",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-addext",
            "extendedKeyUsage=serverAuth",
        ],
    );
    openssl(
        dir,
        &[
            "x509", "-in", "self.pem", "-pubkey", "-noout", "-out", "self.pub",
        ],
    );
    openssl(
        dir,
        &[
            "pkey",
            "-pubin",
            "-in",
            "self.pub",
            "-outform",
            "der",
            "-out",
            "self.spki",
        ],
    );
    openssl(
        dir,
        &[
            "dgst",
            "-sha256",
            "-binary",
            "-out",
            "self.spki.sha256",
            "self.spki",
        ],
    );
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(["base64", "-A", "-in", "self.spki.sha256"])
        .output()
        .expect("run openssl");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}
