//! Proves the promise: no heap allocation per packet, for `Stream` and for an existing `Session`
//! stream, protect and unprotect, RTP and RTCP.
#![allow(
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use rtcweb_srtp_core::{pair, Config, KeyingMaterial, Profile, Session, Stream};
use rtcweb_srtp_interop::CountingAllocator;

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

fn rtp(seq: u16, buf: &mut [u8; 1300]) -> usize {
    buf[..12].copy_from_slice(&[0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5]);
    buf[2..4].copy_from_slice(&seq.to_be_bytes());
    1212
}

#[test]
fn no_allocation_per_packet() {
    // The counter does count.
    let c = CountingAllocator::count();
    drop(std::hint::black_box(vec![1u8; 10]));
    assert_eq!(CountingAllocator::count(), c + 1);
    for profile in [
        Profile::AesCm128HmacSha1_80,
        Profile::AeadAes128Gcm,
        Profile::AeadAes256Gcm,
    ] {
        let len = profile.master_key_len() + profile.master_salt_len();
        let key = KeyingMaterial::from_key_salt(profile, &[3u8; 44][..len]).unwrap();
        let mut tx = Stream::new(&key, &Config::default()).unwrap();
        let mut rx = Stream::new(&key, &Config::default()).unwrap();
        let mut stx = Session::new(&key, &Config::default()).unwrap();
        let mut srx = Session::new(&key, &Config::default()).unwrap();
        let mut buf = [0u8; 1300];
        // Create the session streams first: that allocates once per SSRC.
        let len = rtp(0, &mut buf);
        let n = stx.protect_rtp(&mut buf, len).unwrap();
        srx.unprotect_rtp(&mut buf[..n]).unwrap();

        let before = CountingAllocator::count();
        for seq in 1..2000u16 {
            let len = rtp(seq, &mut buf);
            let n = tx.protect_rtp(&mut buf, len).unwrap();
            rx.unprotect_rtp(&mut buf[..n]).unwrap();
            buf[..8].copy_from_slice(&[0x80, 200, 0, 1, 0, 0, 0, 5]);
            let n = tx.protect_rtcp(&mut buf, 100).unwrap();
            rx.unprotect_rtcp(&mut buf[..n]).unwrap();
        }
        assert_eq!(CountingAllocator::count() - before, 0, "Stream {profile:?}");
        let before = CountingAllocator::count();
        for seq in 1..2000u16 {
            let len = rtp(seq, &mut buf);
            let n = stx.protect_rtp(&mut buf, len).unwrap();
            srx.unprotect_rtp(&mut buf[..n]).unwrap();
        }
        assert_eq!(
            CountingAllocator::count() - before,
            0,
            "Session {profile:?}"
        );
        // Two at a time: one session, then two (the second session's stream made first).
        let mut other_tx = Session::new(&key, &Config::default()).unwrap();
        let mut other_rx = Session::new(&key, &Config::default()).unwrap();
        let mut second = [0u8; 1300];
        let len = rtp(0, &mut second);
        let n = other_tx.protect_rtp(&mut second, len).unwrap();
        other_rx.unprotect_rtp(&mut second[..n]).unwrap();
        let before = CountingAllocator::count();
        for seq in (2000..8000u16).step_by(3) {
            let (la, lb) = (rtp(seq, &mut buf), rtp(seq + 1, &mut second));
            let [na, nb] = stx.protect_rtp_pair((&mut buf, la), (&mut second, lb));
            let (na, nb) = (na.unwrap(), nb.unwrap());
            let [ra, rb] = srx.unprotect_rtp_pair(&mut buf[..na], &mut second[..nb]);
            assert_eq!((ra.unwrap(), rb.unwrap()), (la, lb));
            let (la, lb) = (rtp(seq + 2, &mut buf), rtp(seq, &mut second));
            let [na, nb] =
                pair::protect_rtp((&mut stx, &mut buf, la), (&mut other_tx, &mut second, lb));
            let (na, nb) = (na.unwrap(), nb.unwrap());
            let [ra, rb] = pair::unprotect_rtp(
                (&mut srx, &mut buf[..na]),
                (&mut other_rx, &mut second[..nb]),
            );
            assert_eq!((ra.unwrap(), rb.unwrap()), (la, lb));
        }
        assert_eq!(CountingAllocator::count() - before, 0, "pairs {profile:?}");
    }
}
