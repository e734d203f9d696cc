//! The shared known answers: `rtp_*.bin` protected by libsrtp with `srtp_master_key_salt.bin`.
#![allow(
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use rtcweb_srtp_core::{Config, KeyingMaterial, Profile, Stream};

fn input(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn stream() -> Stream {
    let key = KeyingMaterial::from_key_salt(
        Profile::AesCm128HmacSha1_80,
        &input("srtp_master_key_salt.bin"),
    )
    .unwrap();
    Stream::new(&key, &Config::default()).unwrap()
}

#[test]
fn protect_matches_libsrtp_and_unprotect_inverts() {
    for size in [172, 1212] {
        let rtp = input(&format!("rtp_{size}.bin"));
        let kat = input(&format!("srtp_kat_{size}.bin"));
        let mut buf = rtp.clone();
        buf.resize(size + 10, 0);
        let n = stream().protect_rtp(&mut buf, size).unwrap();
        assert_eq!(buf[..n], kat[..], "protect {size}");
        let mut buf = kat.clone();
        let n = stream().unprotect_rtp(&mut buf).unwrap();
        assert_eq!(buf[..n], rtp[..], "unprotect {size}");
    }
}
