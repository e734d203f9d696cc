//! The browser gateway's media relay (issue #17, "Measurements"): the per-packet transform
//! alone, the whole relay over loopback UDP sockets, and heap bytes per established call. Every
//! relay is the gateway's own code (`rtcweb_cli::gateway::browser`), keyed by a real DTLS
//! handshake over 127.0.0.1 with a browser-like peer.
//!
//! `cargo bench -p rtcweb-bench --bench relay [-- transform|loopback|memory]` prints Markdown
//! tables (BENCHMARKS.md, "Other measurements"). Environment: `RTCWEB_BENCH_ROUNDS` (default 5),
//! `RTCWEB_BENCH_SECONDS` (per sample, default 1).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc
)]

mod loopback;
mod memory;
mod setup;
mod transform;

use std::alloc::System;
use std::net::UdpSocket;

use rtcweb_bench::{median, Harness, Settings};
use stats_alloc::{StatsAlloc, INSTRUMENTED_SYSTEM};

use loopback::{Way, RATES};
use setup::{keyed_call, Shared, LOOPBACK};

/// Counts heap bytes (for `memory`; the relay allocates nothing per packet).
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Live heap bytes now.
pub fn live() -> isize {
    let s = GLOBAL.stats();
    s.bytes_allocated as isize - s.bytes_deallocated as isize + s.bytes_reallocated
}

/// Calls counted for the memory figure, per run.
const CALLS: usize = 100;

fn main() {
    let settings = Settings::from_env().unwrap_or_else(|e| {
        eprintln!("rtcweb-bench: {e}");
        std::process::exit(2);
    });
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wants = |part: &str| filter.as_deref().is_none_or(|f| part.contains(f));
    let mut shared = Shared::new();
    let phone = UdpSocket::bind((LOOPBACK, 0)).unwrap();
    phone.set_nonblocking(true).unwrap();

    if wants("transform") {
        let mut calls = Vec::new();
        let mut profile = String::new();
        for _ in 0..4 {
            let (relay, browser, p) = keyed_call(&mut shared, &phone);
            profile = p;
            calls.push((relay, browser));
        }
        for (relay, browser) in &mut calls {
            transform::check(relay, browser);
        }
        eprintln!("transform checks passed (profile {profile})");
        let mut harness = Harness::new(settings, None, None);
        transform::run(&mut harness, &mut calls, &profile);
    }

    if wants("loopback") {
        let (mut relay, mut browser, profile) = keyed_call(&mut shared, &phone);
        // One RTP sequence per sender (the browser's SRTP sender needs its own continuous one).
        let mut seqs = [0u16; 2];
        // rate × way × rounds, interleaved round by round.
        let mut samples = vec![vec![Vec::new(); 2]; RATES.len()];
        for round in 0..settings.rounds {
            for (i, rate) in RATES.iter().enumerate() {
                for (w, way) in [Way::WebToTrunk, Way::TrunkToWeb].into_iter().enumerate() {
                    let s = loopback::sample(
                        &mut relay,
                        &mut browser,
                        &phone,
                        &shared,
                        way,
                        *rate,
                        settings.seconds,
                        &mut seqs[w],
                    );
                    eprintln!(
                        "round {round} rate {rate:?} way {w}: sent {} received {}",
                        s.sent, s.received
                    );
                    samples[i][w].push(s);
                }
            }
        }
        println!("### Relay over loopback UDP (profile {profile})\n");
        println!(
            "| offered pkt/s | way | sent pkt/s median (min–max) | received pkt/s median (min–max) | loss % median (min–max) | rounds with zero loss |"
        );
        println!("|---:|---|---:|---:|---:|---:|");
        for (i, rate) in RATES.iter().enumerate() {
            for (w, name) in ["browser → phone", "phone → browser"].iter().enumerate() {
                let ss = &samples[i][w];
                let sent: Vec<f64> = ss.iter().map(|s| s.sent as f64 / s.seconds).collect();
                let got: Vec<f64> = ss.iter().map(|s| s.received as f64 / s.seconds).collect();
                let loss: Vec<f64> = ss
                    .iter()
                    .map(|s| 100.0 * (s.sent - s.received.min(s.sent)) as f64 / s.sent as f64)
                    .collect();
                let zero = ss.iter().filter(|s| s.received >= s.sent).count();
                let mm = |v: &[f64]| {
                    (
                        v.iter().copied().fold(f64::INFINITY, f64::min),
                        v.iter().copied().fold(0.0, f64::max),
                    )
                };
                let ((s0, s1), (g0, g1), (l0, l1)) = (mm(&sent), mm(&got), mm(&loss));
                println!(
                    "| {} | {name} | {:.0} ({:.0}–{:.0}) | {:.0} ({:.0}–{:.0}) | {:.2} ({:.2}–{:.2}) | {zero}/{} |",
                    rate.map_or_else(|| "unpaced".into(), |r| r.to_string()),
                    median(sent.iter().copied()),
                    s0,
                    s1,
                    median(got.iter().copied()),
                    g0,
                    g1,
                    median(loss.iter().copied()),
                    l0,
                    l1,
                    ss.len(),
                );
            }
        }
        println!();
    }

    if wants("memory") {
        let mut media = Vec::new();
        let mut entry = Vec::new();
        for _ in 0..settings.rounds {
            let (m, e) = memory::per_call(&mut shared, &phone, CALLS);
            eprintln!("memory: media {m:.0} B, entry {e:.0} B per call");
            media.push(m);
            entry.push(e);
        }
        let row = |v: &[f64]| {
            format!(
                "{:.0} ({:.0}–{:.0})",
                median(v.iter().copied()),
                v.iter().copied().fold(f64::INFINITY, f64::min),
                v.iter().copied().fold(0.0, f64::max)
            )
        };
        println!("### Heap bytes per established call ({CALLS} calls per run)\n");
        println!("| what | bytes per call, median (min–max) |");
        println!("|---|---:|");
        println!("| media legs (`Relay`) | {} |", row(&media));
        println!(
            "| call-table entry (`Call` in `CallTable`) | {} |",
            row(&entry)
        );
        println!();
    }
}
