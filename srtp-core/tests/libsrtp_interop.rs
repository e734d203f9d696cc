//! Byte-exact cross-check against libsrtp2 (OpenSSL backend), the reference implementation: every
//! packet we protect is byte-identical to libsrtp's, libsrtp unprotects ours and we unprotect
//! libsrtp's, over 70 000 sequence numbers (the ROC wraps) delivered with loss and reordering,
//! for RTP and RTCP and each profile.
#![allow(
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use rtcweb_srtp_core::{Config, Error, KeyingMaterial, Profile, Session};
use rtcweb_srtp_interop::{LibSrtp, Status, Suite, MAX_TRAILER};

const PACKETS: usize = 70_000;

fn suites() -> Vec<(Profile, Suite)> {
    vec![
        (Profile::AesCm128HmacSha1_80, Suite::AesCm128HmacSha1_80),
        (Profile::AesCm128HmacSha1_32, Suite::AesCm128HmacSha1_32),
        (Profile::AeadAes128Gcm, Suite::AeadAes128Gcm),
        (Profile::AeadAes256Gcm, Suite::AeadAes256Gcm),
    ]
}

fn key_salt(profile: Profile) -> Vec<u8> {
    (0..profile.master_key_len() + profile.master_salt_len())
        .map(|i| (i as u8).wrapping_mul(37) ^ 0x5a)
        .collect()
}

/// RTP packet `i`: sequence numbers start just below the wrap; some packets carry CSRCs, a header
/// extension or padding, and payload sizes vary.
fn rtp_packet(i: usize) -> Vec<u8> {
    let seq = (65_000u32 + i as u32) as u16;
    let cc = if i % 5 == 1 { 2 } else { 0 };
    let ext = i % 7 == 3;
    let pad = i % 11 == 4;
    let mut p = vec![0x80 | (u8::from(ext) << 4) | (u8::from(pad) << 5) | cc, 96];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&(i as u32 * 160).to_be_bytes());
    p.extend_from_slice(&0x1234_5678u32.to_be_bytes());
    for c in 0..cc {
        p.extend_from_slice(&(0xc000_0000u32 + u32::from(c)).to_be_bytes());
    }
    if ext {
        p.extend_from_slice(&[0xbe, 0xde, 0, 1, 0x10, 0xaa, 0, 0]);
    }
    let payload = [0, 1, 17, 160, 333, 1200][i % 6];
    p.extend((0..payload).map(|b| (b as u8) ^ (i as u8)));
    if pad {
        p.extend_from_slice(&[0, 0, 3]);
    }
    p
}

fn rtcp_packet(i: usize) -> Vec<u8> {
    // A sender report with no report blocks, then an SDES chunk: a compound packet.
    let mut p = vec![0x80, 200, 0, 6];
    p.extend_from_slice(&0x1234_5678u32.to_be_bytes());
    p.extend((0..20).map(|b| b as u8 ^ i as u8));
    p.extend_from_slice(&[0x81, 202, 0, 2, 0x12, 0x34, 0x56, 0x78, 1, 2, b'a', 0]);
    p
}

/// Delivery order: every 9th packet lost, pairs three apart swapped every 10 packets.
fn delivery(n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    for i in (0..n.saturating_sub(3)).step_by(10) {
        order.swap(i, i + 3);
    }
    order.into_iter().filter(|i| i % 9 != 8).collect()
}

fn protect_both(ours: &mut Session, theirs: &mut LibSrtp, packet: &[u8], rtcp: bool) -> Vec<u8> {
    let mut a = packet.to_vec();
    a.resize(packet.len() + MAX_TRAILER, 0);
    let mut b = a.clone();
    let n = if rtcp {
        ours.protect_rtcp(&mut a, packet.len())
    } else {
        ours.protect_rtp(&mut a, packet.len())
    }
    .unwrap();
    let m = if rtcp {
        theirs.protect_rtcp(&mut b, packet.len())
    } else {
        theirs.protect(&mut b, packet.len())
    }
    .unwrap();
    assert_eq!(a[..n], b[..m], "protected bytes differ");
    a.truncate(n);
    a
}

#[test]
fn rtp_matches_libsrtp_across_the_rollover() {
    for (profile, suite) in suites() {
        let ks = key_salt(profile);
        let key = KeyingMaterial::from_key_salt(profile, &ks).unwrap();
        let mut ours_tx = Session::new(&key, &Config::default()).unwrap();
        let mut lib_tx = LibSrtp::new(suite, &ks, true, 128);
        let protected: Vec<Vec<u8>> = (0..PACKETS)
            .map(|i| protect_both(&mut ours_tx, &mut lib_tx, &rtp_packet(i), false))
            .collect();
        // 65 000 + 70 000 sequence numbers: two wraps.
        assert_eq!(ours_tx.roc(0x1234_5678), Some(2), "{profile:?}");

        let mut ours_rx = Session::new(&key, &Config::default()).unwrap();
        let mut lib_rx = LibSrtp::new(suite, &ks, false, 128);
        for i in delivery(PACKETS) {
            let plain = rtp_packet(i);
            let mut a = protected[i].clone();
            let n = ours_rx
                .unprotect_rtp(&mut a)
                .unwrap_or_else(|e| panic!("{profile:?} packet {i}: {e}"));
            assert_eq!(a[..n], plain[..]);
            let mut b = protected[i].clone();
            let m = lib_rx
                .unprotect(&mut b)
                .unwrap_or_else(|e| panic!("libsrtp {profile:?} packet {i}: {e:?}"));
            assert_eq!(b[..m], plain[..]);
        }
        // A replay is refused by both.
        let mut a = protected[PACKETS - 1].clone();
        assert!(matches!(
            ours_rx.unprotect_rtp(&mut a),
            Err(Error::Replayed { .. })
        ));
        assert_eq!(a, protected[PACKETS - 1]);
        assert_eq!(
            lib_rx.unprotect(&mut protected[PACKETS - 1].clone()),
            Err(Status::REPLAY_FAIL)
        );
        // A flipped bit in a fresh packet too.
        let mut a = protect_both(&mut ours_tx, &mut lib_tx, &rtp_packet(PACKETS), false);
        a[14] ^= 0x40;
        let before = a.clone();
        assert_eq!(
            ours_rx.unprotect_rtp(&mut a),
            Err(Error::AuthenticationFailed)
        );
        assert_eq!(a, before);
        assert_eq!(
            lib_rx.unprotect(&mut before.clone()),
            Err(Status::AUTH_FAIL)
        );
    }
}

#[test]
fn rtcp_matches_libsrtp() {
    for (profile, suite) in suites() {
        let ks = key_salt(profile);
        let key = KeyingMaterial::from_key_salt(profile, &ks).unwrap();
        let mut ours_tx = Session::new(&key, &Config::default()).unwrap();
        let mut lib_tx = LibSrtp::new(suite, &ks, true, 128);
        let n = 3000;
        // RFC 3711 §3.4 starts the SRTCP index at 0; libsrtp starts at 1. Spend index 0 to line up.
        let mut first = rtcp_packet(0);
        first.resize(first.len() + MAX_TRAILER, 0);
        ours_tx
            .protect_rtcp(&mut first, rtcp_packet(0).len())
            .unwrap();
        let protected: Vec<Vec<u8>> = (0..n)
            .map(|i| protect_both(&mut ours_tx, &mut lib_tx, &rtcp_packet(i), true))
            .collect();
        let mut ours_rx = Session::new(&key, &Config::default()).unwrap();
        let mut lib_rx = LibSrtp::new(suite, &ks, false, 128);
        for i in delivery(n) {
            let plain = rtcp_packet(i);
            let mut a = protected[i].clone();
            let len = ours_rx
                .unprotect_rtcp(&mut a)
                .unwrap_or_else(|e| panic!("{profile:?} rtcp {i}: {e}"));
            assert_eq!(a[..len], plain[..]);
            let mut b = protected[i].clone();
            let len = lib_rx
                .unprotect_rtcp(&mut b)
                .unwrap_or_else(|e| panic!("libsrtp {profile:?} rtcp {i}: {e:?}"));
            assert_eq!(b[..len], plain[..]);
        }
        let mut a = protected[n - 1].clone();
        assert!(matches!(
            ours_rx.unprotect_rtcp(&mut a),
            Err(Error::Replayed { .. })
        ));
    }
}
