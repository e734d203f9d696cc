//! Unit tests of the stream context.

use super::*;
use crate::{Mki, Profile};

fn material(profile: Profile) -> KeyingMaterial {
    let ks: alloc::vec::Vec<u8> = (0..44u8).collect();
    let len = profile.master_key_len() + profile.master_salt_len();
    KeyingMaterial::from_key_salt(profile, &ks[..len]).unwrap()
}

fn rtp(seq: u16) -> alloc::vec::Vec<u8> {
    let mut p = alloc::vec![0x80, 0, 0, 0, 0, 0, 0, 1, 0xca, 0xfe, 0xba, 0xbe];
    p[2..4].copy_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&[0x42; 50]);
    p
}

fn pair(m: &KeyingMaterial, config: &Config) -> (Stream, Stream) {
    (
        Stream::new(m, config).unwrap(),
        Stream::new(m, config).unwrap(),
    )
}

fn protect(tx: &mut Stream, plain: &[u8]) -> alloc::vec::Vec<u8> {
    let mut buf = plain.to_vec();
    buf.resize(plain.len() + tx.rtp_overhead(), 0);
    let n = tx.protect_rtp(&mut buf, plain.len()).unwrap();
    assert_eq!(n, buf.len());
    buf
}

#[test]
fn tag_comparison() {
    assert!(tag_matches(&[1, 2, 3], &[1, 2, 3]));
    assert!(!tag_matches(&[1, 2, 3], &[1, 2, 2]));
    assert!(!tag_matches(&[1, 2, 3], &[1, 2]));
    assert!(!tag_matches(&[0x80], &[0]));
}

#[test]
fn buffer_without_tail_room_is_a_typed_error() {
    let (mut tx, _) = pair(&material(Profile::AesCm128HmacSha1_80), &Config::default());
    let mut buf = rtp(1);
    let before = buf.clone();
    let len = buf.len();
    assert_eq!(
        tx.protect_rtp(&mut buf, len),
        Err(Error::BufferTooSmall {
            needed: len + 10,
            got: len
        })
    );
    assert_eq!(buf, before);
    assert_eq!(
        tx.protect_rtp(&mut buf, len + 1),
        Err(Error::LengthOutOfBounds {
            len: len + 1,
            buf: len
        })
    );
    let mut rtcp = [0x80, 200, 0, 1, 0, 0, 0, 1];
    assert_eq!(
        tx.protect_rtcp(&mut rtcp, 8),
        Err(Error::BufferTooSmall { needed: 22, got: 8 })
    );
}

#[test]
fn mki_is_sent_and_checked() {
    for profile in [
        Profile::AesCm128HmacSha1_80,
        Profile::AeadAes128Gcm,
        Profile::AeadAes256Gcm,
    ] {
        let m = material(profile).with_mki(Mki::new(&[0, 0, 0, 7]).unwrap());
        let (mut tx, mut rx) = pair(&m, &Config::default());
        let tag = profile.rtp_tag_len();
        assert_eq!(tx.rtp_overhead(), 4 + tag);
        let plain = rtp(9);
        let mut p = protect(&mut tx, &plain);
        // AES-CM: MKI then tag (RFC 3711 §3.1); GCM: tag then MKI (RFC 7714 §8).
        let mki_at = if profile.is_aead() {
            plain.len() + tag
        } else {
            plain.len()
        };
        assert_eq!(&p[mki_at..mki_at + 4], &[0, 0, 0, 7]);
        let mut wrong = p.clone();
        wrong[mki_at + 3] = 8;
        assert_eq!(rx.unprotect_rtp(&mut wrong), Err(Error::UnknownMki));
        let n = rx.unprotect_rtp(&mut p).unwrap();
        assert_eq!(p[..n], plain[..]);
        // SRTCP too.
        let rtcp = [0x80u8, 200, 0, 1, 0, 0, 0, 1, 9, 9, 9, 9];
        let mut buf = rtcp.to_vec();
        buf.resize(12 + tx.rtcp_overhead(), 0);
        let n = tx.protect_rtcp(&mut buf, 12).unwrap();
        assert_eq!(n, 12 + 4 + 4 + profile.rtcp_tag_len());
        let mut wrong = buf.clone();
        let at = if profile.is_aead() {
            n - 1
        } else {
            n - profile.rtcp_tag_len() - 1
        };
        wrong[at] ^= 1;
        assert_eq!(rx.unprotect_rtcp(&mut wrong), Err(Error::UnknownMki));
        let n = rx.unprotect_rtcp(&mut buf).unwrap();
        assert_eq!(buf[..n], rtcp);
    }
}

#[test]
fn reordering_around_the_wrap() {
    let (mut tx, mut rx) = pair(&material(Profile::AesCm128HmacSha1_80), &Config::default());
    let seqs = [65533u16, 65534, 65535, 0, 1, 2];
    let packets: alloc::vec::Vec<_> = seqs.iter().map(|&s| protect(&mut tx, &rtp(s))).collect();
    for i in [0usize, 3, 2, 4, 1, 5] {
        let mut p = packets[i].clone();
        let n = rx
            .unprotect_rtp(&mut p)
            .unwrap_or_else(|e| panic!("seq {}: {e}", seqs[i]));
        assert_eq!(p[..n], rtp(seqs[i])[..]);
        let roc = u32::from(i >= 3 || rx.roc() == 1);
        assert_eq!(rx.roc(), roc);
    }
    assert_eq!(rx.highest_index(), Some(0x1_0002));
    // Every one of them is now a replay, on either side of the wrap.
    for p in &packets {
        assert!(matches!(
            rx.unprotect_rtp(&mut p.clone()),
            Err(Error::Replayed { .. })
        ));
    }
}

#[test]
fn roc_survives_rekey_and_can_be_set() {
    let (mut tx, mut rx) = pair(&material(Profile::AesCm128HmacSha1_80), &Config::default());
    for seq in [65534u16, 65535, 0, 1] {
        let mut p = protect(&mut tx, &rtp(seq));
        rx.unprotect_rtp(&mut p).unwrap();
    }
    assert_eq!((tx.roc(), rx.roc()), (1, 1));
    let fresh = KeyingMaterial::from_key_salt(Profile::AesCm128HmacSha1_80, &[9u8; 30]).unwrap();
    tx.rekey(&fresh);
    rx.rekey(&fresh);
    assert_eq!((tx.roc(), rx.roc()), (1, 1));
    let mut p = protect(&mut tx, &rtp(2));
    assert_eq!(rx.unprotect_rtp(&mut p).unwrap(), rtp(2).len());
    assert_eq!(rx.highest_index(), Some(0x1_0002));
    // A late joiner told the ROC out of band.
    let mut late = Stream::new(&fresh, &Config::default()).unwrap();
    late.set_roc(1);
    let mut p = protect(&mut tx, &rtp(3));
    assert!(late.unprotect_rtp(&mut p).is_ok());
    // Without the ROC the tag does not verify.
    let mut wrong = Stream::new(&fresh, &Config::default()).unwrap();
    let mut p = protect(&mut tx, &rtp(4));
    assert_eq!(
        wrong.unprotect_rtp(&mut p),
        Err(Error::AuthenticationFailed)
    );
}

#[test]
fn lifetime_is_reported_before_it_is_exceeded() {
    let m = material(Profile::AesCm128HmacSha1_80).with_lifetime(3);
    let (mut tx, _) = pair(&m, &Config::default());
    for seq in 0..3 {
        protect(&mut tx, &rtp(seq));
    }
    let mut buf = rtp(3);
    buf.resize(buf.len() + 10, 0);
    let len = buf.len() - 10;
    assert_eq!(
        tx.protect_rtp(&mut buf, len),
        Err(Error::KeyLifetimeExceeded)
    );
    tx.rekey(&m);
    assert!(tx.protect_rtp(&mut buf, len).is_ok());
    // SRTCP: the 31-bit index is the limit.
    let mut s = Stream::new(&material(Profile::AesCm128HmacSha1_80), &Config::default()).unwrap();
    s.rtcp_next_index = (1 << 31) - 1;
    let mut rtcp = [0u8; 8 + 24];
    rtcp[..8].copy_from_slice(&[0x80, 200, 0, 1, 0, 0, 0, 1]);
    assert!(s.protect_rtcp(&mut rtcp, 8).is_ok());
    rtcp[..8].copy_from_slice(&[0x80, 200, 0, 1, 0, 0, 0, 1]);
    assert_eq!(
        s.protect_rtcp(&mut rtcp, 8),
        Err(Error::KeyLifetimeExceeded)
    );
}

#[test]
fn nonzero_key_derivation_rate_round_trips_and_rekeys() {
    let config = Config {
        key_derivation_rate: 4,
        ..Config::default()
    };
    let m = material(Profile::AesCm128HmacSha1_80);
    let (mut tx, mut rx) = pair(&m, &config);
    let (mut tx0, _) = pair(&m, &Config::default());
    for seq in 0..20u16 {
        let plain = rtp(seq);
        let mut p = protect(&mut tx, &plain);
        let p0 = protect(&mut tx0, &plain);
        // Index 0..3 share r = 0 with kdr 0; from index 4 the keys differ.
        assert_eq!(p == p0, seq < 4, "seq {seq}");
        let n = rx.unprotect_rtp(&mut p).unwrap();
        assert_eq!(p[..n], plain[..]);
    }
    assert!(Stream::new(
        &m,
        &Config {
            key_derivation_rate: 3,
            ..Config::default()
        }
    )
    .is_err());
    assert!(Stream::new(
        &m,
        &Config {
            replay_window: 2000,
            ..Config::default()
        }
    )
    .is_err());
}

#[test]
fn repeated_tx_index_is_refused_unless_allowed() {
    let m = material(Profile::AesCm128HmacSha1_32);
    let (mut tx, _) = pair(&m, &Config::default());
    protect(&mut tx, &rtp(5));
    let mut buf = rtp(5);
    let len = buf.len();
    buf.resize(len + 4, 0);
    assert_eq!(
        tx.protect_rtp(&mut buf, len),
        Err(Error::Replayed { index: 5 })
    );
    let mut tx = Stream::new(
        &m,
        &Config {
            allow_repeat_tx: true,
            ..Config::default()
        },
    )
    .unwrap();
    let a = protect(&mut tx, &rtp(5));
    let b = protect(&mut tx, &rtp(5));
    assert_eq!(a, b);
}

#[test]
fn bad_input_is_refused_and_buffer_unchanged() {
    for profile in [
        Profile::AesCm128HmacSha1_80,
        Profile::AesCm128HmacSha1_32,
        Profile::AeadAes128Gcm,
        Profile::AeadAes256Gcm,
    ] {
        let m = material(profile);
        let (mut tx, mut rx) = pair(&m, &Config::default());
        let p = protect(&mut tx, &rtp(1));
        for cut in 0..p.len() {
            let mut short = p[..cut].to_vec();
            let before = short.clone();
            assert!(
                rx.unprotect_rtp(&mut short).is_err(),
                "{profile:?} cut {cut}"
            );
            assert_eq!(short, before);
        }
        let mut v = p.clone();
        v[0] = 0x40;
        assert_eq!(rx.unprotect_rtp(&mut v), Err(Error::BadVersion(1)));
        for cut in 0..30 {
            let mut junk = alloc::vec![0x80u8; cut];
            assert!(rx.unprotect_rtcp(&mut junk).is_err());
        }
    }
}
