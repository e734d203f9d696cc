//! DTLS-SRTP handshake cost and endpoint memory.
//!
//! - `dtls_handshake_<backend>/{1.2,1.3}_shared_context`: one complete handshake per iteration,
//!   both endpoints in memory (construction, every flight, certificate checks, key export, SRTP
//!   session setup), on one thread: wall time per iteration is the CPU time of one handshake for
//!   both sides together. Certificates and the shared `DtlsContext` are made once, outside the
//!   loop, as an application would.
//! - `…/{1.2,1.3}_seeded_per_endpoint`: the same through `DtlsSrtp::new` (a seeded context per
//!   endpoint); `…/new_pair_only`: that construction alone (dimpl's provider self-tests).
//! - Then the heap each endpoint holds, measured with a counting allocator: just made (a
//!   client with its ClientHello queued, a server waiting), and once connected (the
//!   `Connected` event with its two SRTP sessions handed out and dropped).
//!
//! `cargo bench -p rtcweb-srtp-core --features dtls --bench dtls -- --warm-up-time 1 --measurement-time 5`
//! (`--features dtls-aws-lc-rs` for dimpl's aws-lc-rs backend instead of RustCrypto).
#![allow(
    missing_docs,
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::alloc::System;
use std::hint::black_box;

use criterion::{criterion_group, Criterion};
use rtcweb_srtp_core::dtls::{
    Certificate, DtlsConfig, DtlsContext, DtlsEvent, DtlsSrtp, DtlsState, VersionPolicy,
};
use rtcweb_srtp_core::{DtlsRole, Instant};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

struct Certs {
    client: Certificate,
    server: Certificate,
}

/// Both endpoints from one shared, OS-seeded context (no per-endpoint `Config::build`).
fn shared_endpoints(certs: &Certs, context: &DtlsContext) -> (DtlsSrtp, DtlsSrtp) {
    let c = DtlsSrtp::with_context(
        Instant::ZERO,
        DtlsRole::Client,
        &certs.client,
        Some(certs.server.fingerprint()),
        context,
    );
    let s = DtlsSrtp::with_context(
        Instant::ZERO,
        DtlsRole::Server,
        &certs.server,
        Some(certs.client.fingerprint()),
        context,
    );
    (c, s)
}

/// Both endpoints with their own seeded context each (`DtlsSrtp::new`).
fn endpoints(certs: &Certs, versions: VersionPolicy) -> (DtlsSrtp, DtlsSrtp) {
    let config = DtlsConfig {
        versions,
        ..DtlsConfig::default()
    };
    let c = DtlsSrtp::new(
        Instant::ZERO,
        DtlsRole::Client,
        &certs.client,
        Some(certs.server.fingerprint()),
        &config,
        &[1; 32],
    )
    .unwrap();
    let s = DtlsSrtp::new(
        Instant::ZERO,
        DtlsRole::Server,
        &certs.server,
        Some(certs.client.fingerprint()),
        &config,
        &[2; 32],
    )
    .unwrap();
    (c, s)
}

/// Runs the flights over a lossless wire until both are connected.
fn complete(c: &mut DtlsSrtp, s: &mut DtlsSrtp, buf: &mut [u8]) {
    let now = Instant::ZERO;
    for _ in 0..16 {
        while let Some(n) = c.poll_transmit(now, buf).unwrap() {
            s.handle_receive(now, &buf[..n]).unwrap();
        }
        while let Some(n) = s.poll_transmit(now, buf).unwrap() {
            c.handle_receive(now, &buf[..n]).unwrap();
        }
        if c.state() == DtlsState::Connected && s.state() == DtlsState::Connected {
            return;
        }
    }
    panic!("no handshake: {:?} {:?}", c.state(), s.state());
}

fn drain_events(ep: &mut DtlsSrtp) -> usize {
    let mut connected = 0;
    while let Some(e) = ep.poll_event() {
        if matches!(e, DtlsEvent::Connected(_)) {
            connected += 1;
        }
    }
    connected
}

fn live_bytes(region: &Region<'_, System>) -> isize {
    let c = region.change();
    c.bytes_allocated as isize - c.bytes_deallocated as isize + c.bytes_reallocated
}

fn backend() -> &'static str {
    if cfg!(feature = "dtls-aws-lc-rs") {
        "aws-lc-rs"
    } else {
        "rust-crypto"
    }
}

fn bench_handshake(c: &mut Criterion) {
    let certs = Certs {
        client: Certificate::self_signed(&[7; 32]).unwrap(),
        server: Certificate::self_signed(&[8; 32]).unwrap(),
    };
    let mut group = c.benchmark_group(format!("dtls_handshake_{}", backend()));
    // Construction alone (both endpoints): dimpl checks its crypto provider with known-answer
    // tests, key exchanges included, on every `Config::build`, and each endpoint builds one for
    // its own seed.
    group.bench_function("new_pair_only", |b| {
        b.iter(|| black_box(endpoints(&certs, VersionPolicy::Dtls12)));
    });
    for (name, versions) in [
        ("1.2_shared_context", VersionPolicy::Dtls12),
        ("1.3_shared_context", VersionPolicy::Dtls13),
    ] {
        let context = DtlsContext::new(&DtlsConfig {
            versions,
            ..DtlsConfig::default()
        })
        .unwrap();
        group.bench_function(name, |b| {
            let mut buf = vec![0u8; 2048];
            b.iter(|| {
                let (mut cl, mut sv) = shared_endpoints(&certs, &context);
                complete(&mut cl, &mut sv, &mut buf);
                assert_eq!(drain_events(&mut cl) + drain_events(&mut sv), 2);
                black_box((cl, sv))
            });
        });
    }
    for (name, versions) in [
        ("1.2", VersionPolicy::Dtls12),
        ("1.3", VersionPolicy::Dtls13),
    ] {
        group.bench_function(format!("{name}_seeded_per_endpoint"), |b| {
            let mut buf = vec![0u8; 2048];
            b.iter(|| {
                let (mut cl, mut sv) = endpoints(&certs, versions);
                complete(&mut cl, &mut sv, &mut buf);
                assert_eq!(drain_events(&mut cl) + drain_events(&mut sv), 2);
                black_box((cl, sv))
            });
        });
    }
    group.finish();
}

fn report_memory() {
    let certs = Certs {
        client: Certificate::self_signed(&[7; 32]).unwrap(),
        server: Certificate::self_signed(&[8; 32]).unwrap(),
    };
    println!(
        "\nDTLS-SRTP endpoint memory ({}, shared context), size_of::<DtlsSrtp>() = {} bytes inline",
        backend(),
        std::mem::size_of::<DtlsSrtp>()
    );
    for (name, versions) in [
        ("1.2", VersionPolicy::Dtls12),
        ("1.3", VersionPolicy::Dtls13),
    ] {
        let mut buf = vec![0u8; 2048];
        // A shared context, made before counting: what each endpoint adds.
        let context = DtlsContext::new(&DtlsConfig {
            versions,
            ..DtlsConfig::default()
        })
        .unwrap();
        let region = Region::new(GLOBAL);
        let (mut cl, mut sv) = shared_endpoints(&certs, &context);
        let fresh = live_bytes(&region);
        let region = Region::new(GLOBAL);
        complete(&mut cl, &mut sv, &mut buf);
        assert_eq!(drain_events(&mut cl) + drain_events(&mut sv), 2);
        let grown = live_bytes(&region);
        let allocations = region.change().allocations;
        println!(
            "DTLS {name}: heap per endpoint {} B just made, {} B connected \
             (mean of client and server; {} allocations for one handshake, both sides)",
            fresh / 2,
            (fresh + grown) / 2,
            allocations
        );
        black_box((cl, sv));
    }
}

criterion_group!(benches, bench_handshake);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    report_memory();
}
