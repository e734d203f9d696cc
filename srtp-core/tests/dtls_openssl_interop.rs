//! DTLS-SRTP against OpenSSL's `s_server` and `s_client` over UDP on 127.0.0.1, both roles, each
//! profile dimpl negotiates (`SRTP_AES128_CM_SHA1_80`, `SRTP_AEAD_AES_128_GCM`,
//! `SRTP_AEAD_AES_256_GCM`, OpenSSL offering or accepting only that one): the handshake
//! completes, the keying material OpenSSL exports (`-keymatexport EXTRACTOR-dtls_srtp`) equals
//! ours byte for byte, and the SRTP sessions our endpoint hands out interoperate both ways, RTP
//! and RTCP, with libsrtp2 keyed from OpenSSL's export for OpenSSL's role (RFC 5764 §4.2 layout,
//! split here independently of srtp-core): byte-identical protection, each side verifying and
//! decrypting the other's packets. Needs the `openssl` binary; fails (never skips) without it or
//! when it misbehaves; each case is bounded in time and the OpenSSL child is killed by its handle
//! (its PID) when the case ends.
#![allow(
    missing_docs,
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::Read;
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use rtcweb_srtp_core::dtls::{
    Certificate, Connected, DtlsConfig, DtlsEvent, DtlsSrtp, Fingerprint, HashFunction,
    SrtpProtectionProfile, SrtpSessions, VersionPolicy,
};
use rtcweb_srtp_core::{DtlsRole, Instant, Profile};
use rtcweb_srtp_interop::{LibSrtp, Suite, MAX_TRAILER};

/// Whole-test bound per case.
const CASE_LIMIT: Duration = Duration::from_secs(20);

/// The OpenSSL child, killed by its handle when dropped.
struct OpenSsl {
    child: Child,
}

impl Drop for OpenSsl {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl OpenSsl {
    /// Closes its stdin (s_client and s_server end the session on EOF), waits up to 5 s for it
    /// to exit, kills it otherwise, and returns everything it printed.
    fn finish(mut self) -> String {
        drop(self.child.stdin.take());
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while std::time::Instant::now() < deadline {
            if self.child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut out = String::new();
        self.child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        let mut err = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        out + &err
    }
}

fn openssl(args: &[&str], dir: &Path) -> std::process::Output {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the `openssl` binary must be installed (Debian package `openssl`)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A fresh directory with OpenSSL's P-256 certificate and key; returns it and the
/// certificate's fingerprint.
fn openssl_identity(name: &str) -> (PathBuf, Fingerprint) {
    let dir = std::env::temp_dir().join(format!("rtcweb-dtls-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    openssl(
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
            "-days",
            "1",
            "-subj",
            "/CN=openssl",
        ],
        &dir,
    );
    openssl(
        &[
            "x509", "-in", "cert.pem", "-outform", "DER", "-out", "cert.der",
        ],
        &dir,
    );
    let der = std::fs::read(dir.join("cert.der")).unwrap();
    (dir, Fingerprint::of_certificate(HashFunction::Sha256, &der))
}

fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn spawn(args: &[String], dir: &Path) -> OpenSsl {
    let child = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the `openssl` binary must be installed");
    OpenSsl { child }
}

/// Runs our endpoint over `sock` until it connects; `peer` is learned from the first datagram
/// when `None` (we are the server).
fn drive(
    ep: &mut DtlsSrtp,
    sock: &UdpSocket,
    mut peer: Option<SocketAddr>,
) -> (Box<Connected>, SocketAddr) {
    let start = std::time::Instant::now();
    let clock = |s: std::time::Instant| Instant::from_nanos(s.elapsed().as_nanos() as i64);
    let mut buf = [0u8; 65_536];
    loop {
        assert!(
            start.elapsed() < CASE_LIMIT,
            "no handshake within {CASE_LIMIT:?}"
        );
        let now = clock(start);
        if ep.poll_timeout().is_some_and(|t| t <= now) {
            ep.handle_timeout(now);
        }
        if let Some(to) = peer {
            while let Some(n) = ep.poll_transmit(now, &mut buf).unwrap() {
                sock.send_to(&buf[..n], to).unwrap();
            }
        }
        match ep.poll_event() {
            Some(DtlsEvent::Connected(c)) => return (c, peer.unwrap()),
            Some(other) => panic!("unexpected event {other:?}"),
            None => {}
        }
        let wait = ep
            .poll_timeout()
            .map_or(Duration::from_millis(20), |t| {
                t.saturating_duration_since(now)
            })
            .clamp(Duration::from_millis(1), Duration::from_millis(20));
        sock.set_read_timeout(Some(wait)).unwrap();
        if let Ok((n, from)) = sock.recv_from(&mut buf) {
            peer.get_or_insert(from);
            let now = clock(start);
            if DtlsSrtp::accepts(&buf[..n]) {
                ep.handle_receive(now, &buf[..n]).unwrap();
            }
        }
    }
}

/// Sends close_notify so OpenSSL ends the session.
fn close(ep: &mut DtlsSrtp, sock: &UdpSocket, to: SocketAddr) {
    let now = Instant::from_nanos(i64::MAX / 2);
    ep.close(now);
    let mut buf = [0u8; 2048];
    while let Some(n) = ep.poll_transmit(now, &mut buf).unwrap() {
        sock.send_to(&buf[..n], to).unwrap();
    }
}

/// The hex after "Keying material:" in OpenSSL's output.
fn exported_by_openssl(output: &str) -> Vec<u8> {
    let line = output
        .lines()
        .find_map(|l| l.trim().strip_prefix("Keying material:"))
        .unwrap_or_else(|| panic!("OpenSSL printed no keying material:\n{output}"));
    let hex = line.trim();
    assert!(hex.len() % 2 == 0, "{hex}");
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

/// An RTP packet with `ssrc` and `seq`, with libsrtp's worst-case trailer room behind it.
fn rtp(ssrc: u32, seq: u16) -> (Vec<u8>, usize) {
    let mut p = vec![0x80, 0, 0, 0, 0, 0, 0, 0];
    p[2..4].copy_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(b"twenty bytes of media");
    let len = p.len();
    p.resize(len + MAX_TRAILER, 0);
    (p, len)
}

/// An RTCP receiver report of `ssrc`, with room behind it.
fn rtcp(ssrc: u32) -> (Vec<u8>, usize) {
    let mut p = vec![0x80, 201, 0, 1];
    p.extend_from_slice(&ssrc.to_be_bytes());
    let len = p.len();
    p.resize(len + MAX_TRAILER, 0);
    (p, len)
}

/// The libsrtp suite of a profile.
fn suite(profile: SrtpProtectionProfile) -> Suite {
    match profile {
        SrtpProtectionProfile::Aes128CmHmacSha1_80 => Suite::AesCm128HmacSha1_80,
        SrtpProtectionProfile::AeadAes128Gcm => Suite::AeadAes128Gcm,
        SrtpProtectionProfile::AeadAes256Gcm => Suite::AeadAes256Gcm,
        other => panic!("no libsrtp suite for {other}"),
    }
}

/// The master key || salt `role` protects with, cut from the export by hand (RFC 5764 §4.2:
/// client key, server key, client salt, server salt; RFC 7714 §12 lengths).
fn key_salt(exported: &[u8], profile: SrtpProtectionProfile, role: DtlsRole) -> Vec<u8> {
    let (k, s) = match profile {
        SrtpProtectionProfile::Aes128CmHmacSha1_80 => (16, 14),
        SrtpProtectionProfile::AeadAes128Gcm => (16, 12),
        _ => (32, 12),
    };
    assert_eq!(exported.len(), 2 * (k + s));
    let (key, salt) = match role {
        DtlsRole::Client => (&exported[..k], &exported[2 * k..2 * k + s]),
        DtlsRole::Server => (&exported[k..2 * k], &exported[2 * k + s..]),
    };
    [key, salt].concat()
}

/// Our sessions against libsrtp keyed as OpenSSL's side: what we send, libsrtp (keyed with our
/// key) protects byte for byte the same and verifies; what libsrtp sends with OpenSSL's key, we
/// verify and decrypt. RTP and RTCP.
fn assert_srtp_interop(
    ours: &mut SrtpSessions,
    exported: &[u8],
    profile: SrtpProtectionProfile,
    our_role: DtlsRole,
) {
    let their_role = match our_role {
        DtlsRole::Client => DtlsRole::Server,
        DtlsRole::Server => DtlsRole::Client,
    };
    let suite = suite(profile);
    let ours_ks = key_salt(exported, profile, our_role);
    let theirs_ks = key_salt(exported, profile, their_role);
    // libsrtp protecting with our key must write the very bytes we do.
    let mut reference_tx = LibSrtp::new(suite, &ours_ks, true, 128);
    let mut their_rx = LibSrtp::new(suite, &ours_ks, false, 128);
    let mut their_tx = LibSrtp::new(suite, &theirs_ks, true, 128);
    for seq in 1..=5 {
        let (mut p, len) = rtp(0x1111, seq);
        let clear = p[..len].to_vec();
        let mut reference = p.clone();
        let n = ours.outbound.protect_rtp(&mut p, len).unwrap();
        let r = reference_tx.protect(&mut reference, len).unwrap();
        assert_eq!(
            p[..n],
            reference[..r],
            "{profile}: SRTP differs from libsrtp's"
        );
        let m = their_rx.unprotect(&mut p[..n]).unwrap();
        assert_eq!(p[..m], clear[..], "{profile}: libsrtp refused ours");

        let (mut p, len) = rtp(0x2222, seq);
        let clear = p[..len].to_vec();
        let n = their_tx.protect(&mut p, len).unwrap();
        let m = ours.inbound.unprotect_rtp(&mut p[..n]).unwrap();
        assert_eq!(p[..m], clear[..], "{profile}: we refused libsrtp's");
    }
    for _ in 0..3 {
        let (mut p, len) = rtcp(0x1111);
        let clear = p[..len].to_vec();
        let n = ours.outbound.protect_rtcp(&mut p, len).unwrap();
        let m = their_rx.unprotect_rtcp(&mut p[..n]).unwrap();
        assert_eq!(p[..m], clear[..], "{profile}: libsrtp refused our SRTCP");

        let (mut p, len) = rtcp(0x2222);
        let clear = p[..len].to_vec();
        let n = their_tx.protect_rtcp(&mut p, len).unwrap();
        let m = ours.inbound.unprotect_rtcp(&mut p[..n]).unwrap();
        assert_eq!(p[..m], clear[..], "{profile}: we refused libsrtp's SRTCP");
    }
}

fn check(mut ours: Box<Connected>, output: &str, profile: SrtpProtectionProfile) {
    assert!(
        output.contains(&format!(
            "SRTP Extension negotiated, profile={}",
            profile.name()
        )),
        "{output}"
    );
    assert_eq!(ours.profile, profile);
    let theirs = exported_by_openssl(output);
    assert_eq!(theirs.len(), profile.keying_material_len());
    assert_eq!(
        ours.keying_material.as_bytes(),
        &theirs[..],
        "exported keying material differs"
    );
    // The sessions we handed out, for the negotiated profile.
    let expected: Profile = profile.srtp_profile();
    assert_eq!(ours.srtp.outbound.profile(), expected);
    assert_eq!(ours.srtp.inbound.profile(), expected);
    let role = ours.role;
    assert_srtp_interop(&mut ours.srtp, &theirs, profile, role);
}

fn config(versions: VersionPolicy) -> DtlsConfig {
    DtlsConfig {
        versions,
        ..DtlsConfig::default()
    }
}

/// Our client against `openssl s_server`.
fn we_are_client(profile: SrtpProtectionProfile, versions: VersionPolicy) {
    let (dir, their_fingerprint) = openssl_identity(&format!("s-{}-{versions:?}", profile.id()));
    let port = free_port();
    let len = profile.keying_material_len().to_string();
    let args: Vec<String> = [
        "s_server",
        "-dtls1_2",
        "-accept",
        &format!("127.0.0.1:{port}"),
        "-cert",
        "cert.pem",
        "-key",
        "key.pem",
        "-use_srtp",
        profile.name(),
        "-keymatexport",
        "EXTRACTOR-dtls_srtp",
        "-keymatexportlen",
        &len,
        "-naccept",
        "1",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let server = spawn(&args, &dir);
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let ours = Certificate::self_signed(&[5; 32]).unwrap();
    let mut ep = DtlsSrtp::new(
        Instant::ZERO,
        DtlsRole::Client,
        &ours,
        Some(their_fingerprint),
        &config(versions),
        &[6; 32],
    )
    .unwrap();
    let to: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let (connected, _) = drive(&mut ep, &sock, Some(to));
    assert_eq!(connected.peer_fingerprint, their_fingerprint);
    close(&mut ep, &sock, to);
    let output = server.finish();
    check(connected, &output, profile);
    let _ = std::fs::remove_dir_all(dir);
}

/// Our server against `openssl s_client` (which must present a certificate: RFC 5763 §5).
fn we_are_server(profile: SrtpProtectionProfile, versions: VersionPolicy) {
    let (dir, their_fingerprint) = openssl_identity(&format!("c-{}-{versions:?}", profile.id()));
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = sock.local_addr().unwrap().port();
    let ours = Certificate::self_signed(&[7; 32]).unwrap();
    let mut ep = DtlsSrtp::new(
        Instant::ZERO,
        DtlsRole::Server,
        &ours,
        Some(their_fingerprint),
        &config(versions),
        &[8; 32],
    )
    .unwrap();
    let len = profile.keying_material_len().to_string();
    let args: Vec<String> = [
        "s_client",
        "-dtls1_2",
        "-connect",
        &format!("127.0.0.1:{port}"),
        "-cert",
        "cert.pem",
        "-key",
        "key.pem",
        "-use_srtp",
        profile.name(),
        "-keymatexport",
        "EXTRACTOR-dtls_srtp",
        "-keymatexportlen",
        &len,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let client = spawn(&args, &dir);
    let (connected, client_addr) = drive(&mut ep, &sock, None);
    assert_eq!(connected.peer_fingerprint, their_fingerprint);
    close(&mut ep, &sock, client_addr);
    let output = client.finish();
    check(connected, &output, profile);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn openssl_s_server_aes_cm_sha1_80() {
    we_are_client(
        SrtpProtectionProfile::Aes128CmHmacSha1_80,
        VersionPolicy::Dtls12,
    );
}

#[test]
fn openssl_s_client_aes_cm_sha1_80() {
    we_are_server(
        SrtpProtectionProfile::Aes128CmHmacSha1_80,
        VersionPolicy::Dtls12,
    );
}

#[test]
fn openssl_s_server_aead_aes_128_gcm() {
    we_are_client(SrtpProtectionProfile::AeadAes128Gcm, VersionPolicy::Dtls12);
}

#[test]
fn openssl_s_client_aead_aes_128_gcm() {
    we_are_server(SrtpProtectionProfile::AeadAes128Gcm, VersionPolicy::Dtls12);
}

#[test]
fn openssl_s_server_aead_aes_256_gcm() {
    we_are_client(SrtpProtectionProfile::AeadAes256Gcm, VersionPolicy::Dtls12);
}

#[test]
fn openssl_s_client_aead_aes_256_gcm() {
    we_are_server(SrtpProtectionProfile::AeadAes256Gcm, VersionPolicy::Dtls12);
}

/// Version auto-sensing meets a DTLS 1.2-only OpenSSL in both roles.
#[test]
fn openssl_with_version_auto() {
    we_are_client(
        SrtpProtectionProfile::Aes128CmHmacSha1_80,
        VersionPolicy::Auto,
    );
    we_are_server(
        SrtpProtectionProfile::Aes128CmHmacSha1_80,
        VersionPolicy::Auto,
    );
}
