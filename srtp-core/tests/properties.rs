//! Properties: unprotect(protect(p)) == p, any single bit flip is refused (buffer unchanged), and a
//! replay is refused; for RTP and RTCP, every profile, random headers (CSRCs, extensions) and payloads.
#![allow(
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use proptest::prelude::*;
use rtcweb_srtp_core::{Config, Error, KeyingMaterial, Profile, Stream};

fn profile() -> impl Strategy<Value = Profile> {
    prop_oneof![
        Just(Profile::AesCm128HmacSha1_80),
        Just(Profile::AesCm128HmacSha1_32),
        Just(Profile::AeadAes128Gcm),
        Just(Profile::AeadAes256Gcm),
    ]
}

fn rtp_packet() -> impl Strategy<Value = Vec<u8>> {
    (
        any::<u16>(),
        any::<u32>(),
        0u8..4,
        proptest::option::of(0u16..4),
        proptest::collection::vec(any::<u8>(), 0..300),
    )
        .prop_map(|(seq, ssrc, cc, ext_words, payload)| {
            let mut p = vec![0x80 | cc | if ext_words.is_some() { 0x10 } else { 0 }, 0x60];
            p.extend_from_slice(&seq.to_be_bytes());
            p.extend_from_slice(&[1, 2, 3, 4]);
            p.extend_from_slice(&ssrc.to_be_bytes());
            p.extend((0..4 * usize::from(cc)).map(|i| i as u8));
            if let Some(words) = ext_words {
                p.extend_from_slice(&[0xbe, 0xde]);
                p.extend_from_slice(&words.to_be_bytes());
                p.extend((0..4 * usize::from(words)).map(|i| i as u8 ^ 0x33));
            }
            p.extend(payload);
            p
        })
}

fn rtcp_packet() -> impl Strategy<Value = Vec<u8>> {
    (any::<u32>(), proptest::collection::vec(any::<u8>(), 0..200)).prop_map(|(ssrc, body)| {
        let mut p = vec![0x81, 201, 0, 1];
        p.extend_from_slice(&ssrc.to_be_bytes());
        p.extend(body);
        p
    })
}

fn streams(profile: Profile, key: &[u8]) -> (Stream, Stream) {
    let m = KeyingMaterial::from_key_salt(
        profile,
        &key[..profile.master_key_len() + profile.master_salt_len()],
    )
    .unwrap();
    (
        Stream::new(&m, &Config::default()).unwrap(),
        Stream::new(&m, &Config::default()).unwrap(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn rtp_round_trip_bit_flip_and_replay(
        profile in profile(),
        key in proptest::collection::vec(any::<u8>(), 44),
        plain in rtp_packet(),
        flip in any::<prop::sample::Index>(),
    ) {
        let (mut tx, mut rx) = streams(profile, &key);
        let mut buf = plain.clone();
        buf.resize(plain.len() + tx.rtp_overhead(), 0);
        let n = tx.protect_rtp(&mut buf, plain.len()).unwrap();
        prop_assert_eq!(n, buf.len());

        let bit = flip.index(n * 8);
        let mut flipped = buf.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        let before = flipped.clone();
        let refused = rx.unprotect_rtp(&mut flipped);
        prop_assert!(refused.is_err(), "bit {} accepted", bit);
        prop_assert_eq!(&flipped, &before);

        let m = rx.unprotect_rtp(&mut buf).unwrap();
        prop_assert_eq!(&buf[..m], &plain[..]);

        let mut again = before.clone();
        again[bit / 8] ^= 1 << (bit % 8);
        prop_assert!(matches!(rx.unprotect_rtp(&mut again), Err(Error::Replayed { .. })), "replay accepted");
    }

    #[test]
    fn rtcp_round_trip_bit_flip_and_replay(
        profile in profile(),
        key in proptest::collection::vec(any::<u8>(), 44),
        plain in rtcp_packet(),
        flip in any::<prop::sample::Index>(),
    ) {
        let (mut tx, mut rx) = streams(profile, &key);
        let mut buf = plain.clone();
        buf.resize(plain.len() + tx.rtcp_overhead(), 0);
        let n = tx.protect_rtcp(&mut buf, plain.len()).unwrap();
        let protected = buf.clone();

        let bit = flip.index(n * 8);
        let mut flipped = buf.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        let before = flipped.clone();
        prop_assert!(rx.unprotect_rtcp(&mut flipped).is_err(), "bit {} accepted", bit);
        prop_assert_eq!(&flipped, &before);

        let m = rx.unprotect_rtcp(&mut buf).unwrap();
        prop_assert_eq!(&buf[..m], &plain[..]);
        let mut again = protected;
        prop_assert!(matches!(rx.unprotect_rtcp(&mut again), Err(Error::Replayed { .. })), "replay accepted");
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200), profile in profile()) {
        let (_, mut rx) = streams(profile, &[7; 44]);
        let mut a = bytes.clone();
        let _ = rx.unprotect_rtp(&mut a);
        prop_assert_eq!(&a, &bytes);
        let mut b = bytes.clone();
        let _ = rx.unprotect_rtcp(&mut b);
        prop_assert_eq!(&b, &bytes);
    }
}
