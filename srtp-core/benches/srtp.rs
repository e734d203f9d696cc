//! SRTP protect/unprotect, AES_CM_128_HMAC_SHA1_80, on the shared 172- and 1212-byte packets:
//! rtcweb-srtp-core vs libsrtp2 (OpenSSL backend) vs webrtc-srtp, in one run, plus the crypto limit
//! of this CPU from `openssl speed` (see shared/PEERS.md) and a summary table in % of that limit.
//! Then the same for AEAD_AES_128_GCM (`srtp_gcm_*` groups), where our row names the AES-GCM
//! backend compiled in: `aes-gcm` by default, `ring` with `--features ring`. The backend is chosen
//! at compile time, so compare the two through two runs, each with libsrtp2 as the anchor:
//!
//! `cargo bench -p rtcweb-srtp-core --bench srtp -- --warm-up-time 1 --measurement-time 3`
//! `cargo bench -p rtcweb-srtp-core --bench srtp --features ring -- --warm-up-time 1 --measurement-time 3 gcm`
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
    std::fs::read(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
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

type Maker = Box<dyn Fn(bool) -> Box<dyn Srtp>>;

/// The AES-GCM backend compiled into srtp-core.
const GCM_BACKEND: &str = if cfg!(feature = "ring") {
    "rtcweb-srtp-core(ring)"
} else {
    "rtcweb-srtp-core(aes-gcm)"
};

/// The profiles benchmarked: AES-CM/HMAC always, AES-GCM when built in.
fn profiles() -> Vec<Profile> {
    vec![
        Profile::AesCm128HmacSha1_80,
        #[cfg(any(feature = "gcm", feature = "ring"))]
        Profile::AeadAes128Gcm,
    ]
}

/// The master key and salt of `profile`: the shared file's, the salt cut to 12 bytes for GCM.
fn profile_key_salt(profile: Profile) -> Vec<u8> {
    let mut ks = key_salt();
    ks.truncate(profile.master_key_len() + profile.master_salt_len());
    ks
}

fn peers(profile: Profile) -> Vec<(&'static str, Maker)> {
    let is_gcm = profile.is_aead();
    let (suite, webrtc_profile) = if is_gcm {
        (Suite::AeadAes128Gcm, ProtectionProfile::AeadAes128Gcm)
    } else {
        (
            Suite::AesCm128HmacSha1_80,
            ProtectionProfile::Aes128CmHmacSha1_80,
        )
    };
    vec![
        (
            if is_gcm {
                GCM_BACKEND
            } else {
                "rtcweb-srtp-core"
            },
            Box::new(move |_outbound| {
                let key =
                    KeyingMaterial::from_key_salt(profile, &profile_key_salt(profile)).unwrap();
                Box::new(Ours(Stream::new(&key, &Config::default()).unwrap())) as Box<dyn Srtp>
            }),
        ),
        (
            "libsrtp2-openssl",
            Box::new(move |outbound| {
                Box::new(Lib(LibSrtp::new(
                    suite,
                    &profile_key_salt(profile),
                    outbound,
                    128,
                ))) as Box<dyn Srtp>
            }),
        ),
        (
            "webrtc-srtp",
            Box::new(move |_outbound| {
                let ks = profile_key_salt(profile);
                let ctx =
                    WebrtcContext::new(&ks[..16], &ks[16..], webrtc_profile, None, None).unwrap();
                Box::new(Webrtc(ctx)) as Box<dyn Srtp>
            }),
        ),
    ]
}

/// Protects `iters` copies of `plain` with consecutive sequence numbers.
fn run_protect(make: &Maker, plain: &[u8], iters: u64) -> Duration {
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
fn run_unprotect(make: &Maker, ring: &[Vec<u8>], iters: u64) -> Duration {
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

fn protected_ring(profile: Profile, plain: &[u8]) -> Vec<Vec<u8>> {
    let key = KeyingMaterial::from_key_salt(profile, &profile_key_salt(profile)).unwrap();
    let mut tx = Stream::new(&key, &Config::default()).unwrap();
    (0..=RING)
        .map(|i| {
            let mut buf = plain.to_vec();
            buf.resize(plain.len() + tx.rtp_overhead(), 0);
            buf[2..4].copy_from_slice(&(i as u16).to_be_bytes());
            let n = tx.protect_rtp(&mut buf, plain.len()).unwrap();
            buf.truncate(n);
            buf
        })
        .collect()
}

/// `srtp_` for AES-CM/HMAC (the group names of earlier runs), `srtp_gcm_` for AES-GCM.
fn group_prefix(profile: Profile) -> &'static str {
    if profile.is_aead() {
        "srtp_gcm"
    } else {
        "srtp"
    }
}

fn bench(c: &mut Criterion) {
    for profile in profiles() {
        let prefix = group_prefix(profile);
        for size in [172usize, 1212] {
            let plain = input(&format!("rtp_{size}.bin"));
            let ring = protected_ring(profile, &plain);
            let mut group = c.benchmark_group(format!("{prefix}_protect_{size}"));
            group.throughput(Throughput::Bytes(size as u64));
            for (name, make) in peers(profile) {
                group.bench_function(name, |b| {
                    b.iter_custom(|iters| run_protect(&make, &plain, iters))
                });
            }
            group.finish();
            let mut group = c.benchmark_group(format!("{prefix}_unprotect_{size}"));
            group.throughput(Throughput::Bytes(size as u64));
            for (name, make) in peers(profile) {
                group.bench_function(name, |b| {
                    b.iter_custom(|iters| run_unprotect(&make, &ring, iters))
                });
            }
            group.finish();
        }
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

/// After criterion: the crypto limit per packet and each peer as a share of it, same run. The
/// limit of AES-CM/HMAC is AES-CTR over the payload plus the SHA-1 blocks; that of AES-GCM is the
/// payload at `openssl speed -evp aes-128-gcm`'s bulk rate.
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
    let gcm = best("aes-128-gcm");
    println!(
        "\ncrypto limit (openssl speed, 8 KiB): aes-128-ctr {:.0} MB/s, sha1 {:.0} MB/s, aes-128-gcm {:.0} MB/s",
        aes / 1e6,
        sha / 1e6,
        gcm.unwrap_or(0.0) / 1e6
    );
    println!(
        "{:<10} {:<5} {:<26} {:>10} {:>10} {:>10}",
        "op", "suite", "impl", "ns/pkt", "limit ns", "% limit"
    );
    for profile in profiles() {
        for (size, sha_blocks) in [(172usize, 4.0), (1212, 21.0)] {
            let payload = (size - 12) as f64;
            let limit_ns = if profile.is_aead() {
                gcm.map_or(f64::NAN, |gcm| payload / gcm * 1e9)
            } else {
                (payload / aes + sha_blocks * 64.0 / sha) * 1e9
            };
            let plain = input(&format!("rtp_{size}.bin"));
            let ring = protected_ring(profile, &plain);
            for (op, is_protect) in [("protect", true), ("unprotect", false)] {
                for (name, make) in peers(profile) {
                    let iters = 100_000u64;
                    // Best of five: the machine is shared.
                    let best = (0..5)
                        .map(|_| {
                            if is_protect {
                                run_protect(&make, &plain, iters)
                            } else {
                                run_unprotect(&make, &ring, iters)
                            }
                        })
                        .min()
                        .unwrap();
                    let ns = best.as_nanos() as f64 / iters as f64;
                    println!(
                        "{:<10} {:<5} {:<26} {:>10.1} {:>10.1} {:>9.0}%",
                        format!("{op} {size}"),
                        if profile.is_aead() { "gcm" } else { "cm80" },
                        name,
                        ns,
                        limit_ns,
                        100.0 * limit_ns / ns
                    );
                }
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
