//! `unprotect_rtp` / `unprotect_rtcp` on arbitrary bytes, for every profile: never panics, and the
//! buffer is unchanged whenever the packet is refused. Packets protected from the input are also
//! fed back to check the round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcweb_srtp_core::{Config, KeyingMaterial, Profile, Stream};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, packet)) = data.split_first() else {
        return;
    };
    let profile = match selector % 3 {
        0 => Profile::AesCm128HmacSha1_80,
        1 => Profile::AesCm128HmacSha1_32,
        _ => Profile::AeadAes128Gcm,
    };
    let key = [selector; 30];
    let Ok(material) =
        KeyingMaterial::from_key_salt(profile, &key[..16 + profile.master_salt_len()])
    else {
        return;
    };
    let Ok(mut rx) = Stream::new(&material, &Config::default()) else {
        return;
    };
    let mut buf = packet.to_vec();
    if rx.unprotect_rtp(&mut buf).is_err() {
        assert_eq!(buf, packet);
    }
    let mut buf = packet.to_vec();
    if rx.unprotect_rtcp(&mut buf).is_err() {
        assert_eq!(buf, packet);
    }
    // Round trip: whatever protects must unprotect to the same bytes.
    let Ok(mut tx) = Stream::new(&material, &Config::default()) else {
        return;
    };
    let Ok(mut rx) = Stream::new(&material, &Config::default()) else {
        return;
    };
    let mut buf = packet.to_vec();
    buf.resize(packet.len() + tx.rtp_overhead(), 0);
    if let Ok(n) = tx.protect_rtp(&mut buf, packet.len()) {
        let len = rx.unprotect_rtp(&mut buf[..n]).expect("own packet");
        assert_eq!(&buf[..len], packet);
    }
    let mut buf = packet.to_vec();
    buf.resize(packet.len() + tx.rtcp_overhead(), 0);
    if let Ok(n) = tx.protect_rtcp(&mut buf, packet.len()) {
        let len = rx.unprotect_rtcp(&mut buf[..n]).expect("own packet");
        assert_eq!(&buf[..len], packet);
    }
});
