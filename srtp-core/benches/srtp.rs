//! SRTP protect/unprotect, AES_CM_128_HMAC_SHA1_80, on the shared 172- and 1212-byte packets:
//! rtcweb-srtp-core vs libsrtp2 (OpenSSL backend) vs webrtc-srtp, in one run, plus the crypto limit
//! of this CPU from `openssl speed` (see shared/PEERS.md) and a summary table in % of that limit.
//!
//! `cargo bench -p rtcweb-srtp-core --bench srtp -- --warm-up-time 1 --measurement-time 3`
#![allow(
    missing_docs,
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion, Throughput};
use rtcweb_srtp_core::{Config, KeyingMaterial, Profile, Stream};
use rtcweb_srtp_interop::{LibSrtp, Suite, MAX_TRAILER};
use webrtc_srtp::context::Context as WebrtcContext;
use webrtc_srtp::protection_profile::ProtectionProfile;

/// Distinct protected packets per receiver: few enough to stay in cache like a just-received packet.
const RING: usize = 128;

fn input(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../shared/bench-inputs/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn key_salt() -> Vec<u8> {
    input("srtp_master_key_salt.bin")
}

/// One SRTP implementation, seen through the smallest common surface.
trait Srtp {
    fn protect(&mut self, buf: &mut [u8], len: usize) -> usize;
    fn unprotect(&mut self, buf: &mut [u8]) -> usize;
}

struct Ours(Stream);
impl Srtp for Ours {
    fn protect(&mut self, buf: &mut [u8], len: usize) -> usize {
        self.0.protect_rtp(buf, len).unwrap()
    }
    fn unprotect(&mut self, buf: &mut [u8]) -> usize {
        self.0.unprotect_rtp(buf).unwrap()
    }
}

struct Lib(LibSrtp);
impl Srtp for Lib {
    fn protect(&mut self, buf: &mut [u8], len: usize) -> usize {
        self.0.protect(buf, len).unwrap()
    }
    fn unprotect(&mut self, buf: &mut [u8]) -> usize {
        self.0.unprotect(buf).unwrap()
    }
}

struct Webrtc(WebrtcContext);
impl Srtp for Webrtc {
    fn protect(&mut self, buf: &mut [u8], len: usize) -> usize {
        let out = self.0.encrypt_rtp(&buf[..len]).unwrap();
        black_box(&out);
        out.len()
    }
    fn unprotect(&mut self, buf: &mut [u8]) -> usize {
        let out = self.0.decrypt_rtp(buf).unwrap();
        black_box(&out);
        out.len()
    }
}

type Maker = fn(bool) -> Box<dyn Srtp>;

fn peers() -> Vec<(&'static str, Maker)> {
    vec![
        ("rtcweb-srtp-core", |_outbound| {
            let key =
                KeyingMaterial::from_key_salt(Profile::AesCm128HmacSha1_80, &key_salt()).unwrap();
            Box::new(Ours(Stream::new(&key, &Config::default()).unwrap()))
        }),
        ("libsrtp2-openssl", |outbound| {
            Box::new(Lib(LibSrtp::new(
                Suite::AesCm128HmacSha1_80,
                &key_salt(),
                outbound,
                128,
            )))
        }),
        ("webrtc-srtp", |_outbound| {
            let ks = key_salt();
            let ctx = WebrtcContext::new(
                &ks[..16],
                &ks[16..],
                ProtectionProfile::Aes128CmHmacSha1_80,
                None,
                None,
            )
            .unwrap();
            Box::new(Webrtc(ctx))
        }),
    ]
}

/// Protects `iters` copies of `plain` with consecutive sequence numbers.
fn run_protect(make: Maker, plain: &[u8], iters: u64) -> Duration {
    let mut tx = make(true);
    let mut buf = vec![0u8; plain.len() + MAX_TRAILER];
    // Warm-up packet (seq 0) outside the timing: per-SSRC setup is not what is measured.
    buf[..plain.len()].copy_from_slice(plain);
    buf[2..4].copy_from_slice(&0u16.to_be_bytes());
    tx.protect(&mut buf, plain.len());
    let start = Instant::now();
    for i in 1..=iters {
        buf[..plain.len()].copy_from_slice(plain);
        buf[2..4].copy_from_slice(&(i as u16).to_be_bytes());
        black_box(tx.protect(black_box(&mut buf), plain.len()));
    }
    start.elapsed()
}

/// Unprotects `iters` packets in order from a ring of distinct protected packets; a fresh receiver
/// (outside the timing, and warmed up with `ring[0]` so per-SSRC setup is not timed) each time the
/// ring is used up.
fn run_unprotect(make: Maker, ring: &[Vec<u8>], iters: u64) -> Duration {
    let mut total = Duration::ZERO;
    let mut done = 0u64;
    let mut buf = vec![0u8; ring[0].len()];
    let (warm_up, ring) = ring.split_first().unwrap();
    while done < iters {
        let mut rx = make(false);
        buf.copy_from_slice(warm_up);
        rx.unprotect(&mut buf);
        let batch = (iters - done).min(ring.len() as u64) as usize;
        let start = Instant::now();
        for packet in &ring[..batch] {
            buf.copy_from_slice(packet);
            black_box(rx.unprotect(black_box(&mut buf)));
        }
        total += start.elapsed();
        done += batch as u64;
    }
    total
}

fn protected_ring(plain: &[u8]) -> Vec<Vec<u8>> {
    let key = KeyingMaterial::from_key_salt(Profile::AesCm128HmacSha1_80, &key_salt()).unwrap();
    let mut tx = Stream::new(&key, &Config::default()).unwrap();
    (0..=RING)
        .map(|i| {
            let mut buf = plain.to_vec();
            buf.resize(plain.len() + 10, 0);
            buf[2..4].copy_from_slice(&(i as u16).to_be_bytes());
            let n = tx.protect_rtp(&mut buf, plain.len()).unwrap();
            buf.truncate(n);
            buf
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    for size in [172usize, 1212] {
        let plain = input(&format!("rtp_{size}.bin"));
        let ring = protected_ring(&plain);
        let mut group = c.benchmark_group(format!("srtp_protect_{size}"));
        group.throughput(Throughput::Bytes(size as u64));
        for (name, make) in peers() {
            group.bench_function(name, |b| {
                b.iter_custom(|iters| run_protect(make, &plain, iters))
            });
        }
        group.finish();
        let mut group = c.benchmark_group(format!("srtp_unprotect_{size}"));
        group.throughput(Throughput::Bytes(size as u64));
        for (name, make) in peers() {
            group.bench_function(name, |b| {
                b.iter_custom(|iters| run_unprotect(make, &ring, iters))
            });
        }
        group.finish();
    }
}

/// Bulk rate in bytes/s of an `openssl speed -evp ALG` run on 8 KiB blocks.
fn openssl_rate(alg: &str) -> Option<f64> {
    let out = std::process::Command::new("openssl")
        .args([
            "speed", "-elapsed", "-seconds", "2", "-bytes", "8192", "-evp", alg,
        ])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .rev()
        .find(|l| l.to_ascii_lowercase().starts_with(alg))?;
    let k = line.split_whitespace().last()?.strip_suffix('k')?;
    Some(k.parse::<f64>().ok()? * 1000.0)
}

/// After criterion: the crypto limit per packet and each peer as a share of it, same run.
fn summary() {
    // Best of two runs each: on a shared machine a slow run would flatter every percentage.
    let best = |alg| {
        [openssl_rate(alg), openssl_rate(alg)]
            .into_iter()
            .flatten()
            .reduce(f64::max)
    };
    let (Some(aes), Some(sha)) = (best("aes-128-ctr"), best("sha1")) else {
        println!("openssl speed unavailable: no crypto limit printed");
        return;
    };
    println!(
        "\ncrypto limit (openssl speed, 8 KiB): aes-128-ctr {:.0} MB/s, sha1 {:.0} MB/s",
        aes / 1e6,
        sha / 1e6
    );
    println!(
        "{:<10} {:<18} {:>10} {:>10} {:>10}",
        "op", "impl", "ns/pkt", "limit ns", "% limit"
    );
    for (size, sha_blocks) in [(172usize, 4.0), (1212, 21.0)] {
        let payload = (size - 12) as f64;
        let limit_ns = (payload / aes + sha_blocks * 64.0 / sha) * 1e9;
        let plain = input(&format!("rtp_{size}.bin"));
        let ring = protected_ring(&plain);
        for (op, is_protect) in [("protect", true), ("unprotect", false)] {
            for (name, make) in peers() {
                let iters = 100_000u64;
                // Best of five: the machine is shared.
                let best = (0..5)
                    .map(|_| {
                        if is_protect {
                            run_protect(make, &plain, iters)
                        } else {
                            run_unprotect(make, &ring, iters)
                        }
                    })
                    .min()
                    .unwrap();
                let ns = best.as_nanos() as f64 / iters as f64;
                println!(
                    "{:<10} {:<18} {:>10.1} {:>10.1} {:>9.0}%",
                    format!("{op} {size}"),
                    name,
                    ns,
                    limit_ns,
                    100.0 * limit_ns / ns
                );
            }
        }
    }
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    summary();
}
