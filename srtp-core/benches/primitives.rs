//! The primitives SRTP spends its time in, ours against `ring` 0.17, in one run: AES-128-GCM seal
//! and open over the 160- and 1200-byte payloads of the shared RTP packets (12-byte IV, the 12-byte
//! RTP header as AAD), `aes-gcm` (RustCrypto) vs `ring::aead::AES_128_GCM`; and HMAC-SHA1 over the
//! 172- and 1212-byte packets plus the 4-byte ROC, our precomputed-state HMAC vs
//! `ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY`. Decides which backend `srtp-core` uses where.
//!
//! `cargo bench -p rtcweb-srtp-core --bench primitives -- --warm-up-time 1 --measurement-time 3`
#![allow(
    missing_docs,
    dead_code,
    unused_imports,
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// The crate's own HMAC-SHA1, compiled here as it is in the library (it is crate-private there).
#[path = "../src/crypto/hmac_sha1.rs"]
mod hmac_sha1;

fn input(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

const KEY: [u8; 16] = [0x42; 16];
const IV: [u8; 12] = [0x17; 12];

fn gcm(c: &mut Criterion) {
    for size in [172usize, 1212] {
        let packet = input(&format!("rtp_{size}.bin"));
        let (aad, plain) = packet.split_at(12);
        let ring_key = ring::aead::LessSafeKey::new(
            ring::aead::UnboundKey::new(&ring::aead::AES_128_GCM, &KEY).unwrap(),
        );
        #[cfg(feature = "gcm")]
        let rc_key = {
            use aes_gcm::KeyInit;
            aes_gcm::Aes128Gcm::new((&KEY).into())
        };

        let mut group = c.benchmark_group(format!("gcm_seal_{}", plain.len()));
        group.throughput(Throughput::Bytes(plain.len() as u64));
        let mut buf = plain.to_vec();
        #[cfg(feature = "gcm")]
        group.bench_function("aes-gcm", |b| {
            use aes_gcm::aead::AeadInPlace;
            b.iter(|| {
                let tag = rc_key
                    .encrypt_in_place_detached(
                        aes_gcm::Nonce::from_slice(black_box(&IV)),
                        black_box(aad),
                        black_box(&mut buf),
                    )
                    .unwrap();
                black_box(tag)
            })
        });
        group.bench_function("ring", |b| {
            b.iter(|| {
                let tag = ring_key
                    .seal_in_place_separate_tag(
                        ring::aead::Nonce::assume_unique_for_key(*black_box(&IV)),
                        ring::aead::Aad::from(black_box(aad)),
                        black_box(&mut buf),
                    )
                    .unwrap();
                black_box(tag)
            })
        });
        group.finish();

        // Open: a real ciphertext and tag, restored before each call (the copy is in both rows).
        let mut sealed = plain.to_vec();
        let tag = ring_key
            .seal_in_place_separate_tag(
                ring::aead::Nonce::assume_unique_for_key(IV),
                ring::aead::Aad::from(aad),
                &mut sealed,
            )
            .unwrap();
        let tag: [u8; 16] = tag.as_ref().try_into().unwrap();
        let mut with_tag = sealed.clone();
        with_tag.extend_from_slice(&tag);
        let mut group = c.benchmark_group(format!("gcm_open_{}", plain.len()));
        group.throughput(Throughput::Bytes(plain.len() as u64));
        let mut buf = sealed.clone();
        #[cfg(feature = "gcm")]
        group.bench_function("aes-gcm", |b| {
            use aes_gcm::aead::AeadInPlace;
            b.iter(|| {
                buf.copy_from_slice(&sealed);
                rc_key
                    .decrypt_in_place_detached(
                        aes_gcm::Nonce::from_slice(black_box(&IV)),
                        black_box(aad),
                        black_box(&mut buf),
                        aes_gcm::Tag::from_slice(black_box(&tag)),
                    )
                    .unwrap();
            })
        });
        let mut buf = with_tag.clone();
        group.bench_function("ring", |b| {
            b.iter(|| {
                buf.copy_from_slice(&with_tag);
                let out = ring_key
                    .open_in_place(
                        ring::aead::Nonce::assume_unique_for_key(*black_box(&IV)),
                        ring::aead::Aad::from(black_box(aad)),
                        black_box(&mut buf),
                    )
                    .unwrap();
                black_box(out.len());
            })
        });
        group.finish();
    }
}

fn hmac(c: &mut Criterion) {
    let key = [0x5a; 20];
    let ours = hmac_sha1::HmacSha1::new(&key);
    let ring_key = ring::hmac::Key::new(ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, &key);
    let roc = [0u8, 0, 0, 1];
    for size in [172usize, 1212] {
        let packet = input(&format!("rtp_{size}.bin"));
        // Same answer first.
        let mut ctx = ring::hmac::Context::with_key(&ring_key);
        ctx.update(&packet);
        ctx.update(&roc);
        assert_eq!(ctx.sign().as_ref(), &ours.mac(&packet, &roc)[..]);

        let mut group = c.benchmark_group(format!("hmac_sha1_{size}+4"));
        group.throughput(Throughput::Bytes(size as u64 + 4));
        group.bench_function("ours-precomputed", |b| {
            b.iter(|| black_box(ours.mac(black_box(&packet), black_box(&roc))))
        });
        group.bench_function("ring", |b| {
            b.iter(|| {
                let mut ctx = ring::hmac::Context::with_key(&ring_key);
                ctx.update(black_box(&packet));
                ctx.update(black_box(&roc));
                black_box(ctx.sign())
            })
        });
        group.finish();
    }
}

criterion_group!(benches, gcm, hmac);
criterion_main!(benches);
