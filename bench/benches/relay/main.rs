//! The browser gateway's media relay (issue #17, "Measurements"): the per-packet transform
//! alone, the whole relay over loopback UDP sockets, and heap bytes per established call. Every
//! relay is the gateway's own code (`rtcweb_cli::gateway::browser`), keyed by a real DTLS
//! handshake over 127.0.0.1 with a browser-like peer.
//!
//! `cargo bench -p rtcweb-bench --bench relay [-- transform|loopback|concurrent|memory|setup]` prints Markdown
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

mod concurrent;
mod loopback;
mod media_loop;
mod memory;
mod setup;
mod setup_rate;
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

/// The 1-, 5- and 15-minute load averages, as `/proc/loadavg` gives them.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
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

    if wants("setup") {
        let load_before = load_average();
        let mut samples = Vec::new();
        for round in 0..settings.rounds {
            let s = setup_rate::sample(round as u64 + 1);
            eprintln!("setup round {round}: {s:?}");
            samples.push(s);
        }
        let load_after = load_average();
        println!(
            "### Call set-up and tear-down through the whole gateway, one core ({} calls per sample, {} rounds; load average {load_before} before, {load_after} after)\n",
            setup_rate::CALLS,
            samples.len()
        );
        println!("| per | gateway time median | min–max | per second of one core (median) |");
        println!("|---|---:|---:|---:|");
        let rows: [(&str, setup_rate::Field); 3] = [
            ("REGISTER with digest (401, then 200)", |s| s.register),
            ("call from a browser: INVITE … BYE, ICE-lite, DTLS 1.2 server, 0.5 s of media, teardown", |s| s.browser_call),
            ("call from the phone to a registered browser, the same", |s| s.phone_call),
        ];
        for (name, f) in rows {
            let v: Vec<f64> = samples.iter().map(f).collect();
            let m = median(v.iter().copied());
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = v.iter().copied().fold(0.0, f64::max);
            println!(
                "| {name} | {:.3} ms | {:.3}–{:.3} ms | {:.0} |",
                m / 1e6,
                lo / 1e6,
                hi / 1e6,
                1e9 / m
            );
        }
        println!();
    }

    if wants("concurrent") {
        let most = concurrent::CALL_COUNTS.iter().copied().max().unwrap_or(0);
        let (mut relays, mut peers) = (Vec::new(), Vec::new());
        let mut profile = String::new();
        for _ in 0..most {
            let own_phone = UdpSocket::bind((LOOPBACK, 0)).unwrap();
            let (mut relay, browser, p) = keyed_call(&mut shared, &own_phone);
            relay.trunk.remote = Some(own_phone.local_addr().unwrap());
            profile = p;
            relays.push(relay);
            peers.push(concurrent::Peers {
                browser,
                phone: own_phone,
                seq_browser: 0,
                seq_phone: 0,
            });
        }
        eprintln!("concurrent: {most} calls keyed ({profile})");
        // At least 3 s of media per sample: 150 frames each way per call.
        let seconds = settings.seconds.max(3.0);
        let counts = concurrent::CALL_COUNTS;
        let loops = [concurrent::Loop::Poller, concurrent::Loop::EverySocket];
        let mut samples = vec![vec![Vec::new(); loops.len()]; counts.len()];
        let load_before = load_average();
        for round in 0..settings.rounds {
            for (i, n) in counts.iter().enumerate() {
                for (l, kind) in loops.iter().enumerate() {
                    let s = concurrent::sample(
                        &mut relays[..*n],
                        &mut peers[..*n],
                        &shared,
                        seconds,
                        *kind,
                    );
                    eprintln!("round {round}: {n} calls, {kind:?}: {s:?}");
                    samples[i][l].push(s);
                }
            }
        }
        let load_after = load_average();
        println!(
            "### Concurrent calls through one relay thread (profile {profile}; load average {load_before} before, {load_after} after)\n"
        );
        println!(
            "| calls | media loop | packets/s relayed (both ways) | relay thread CPU, % of one core: median (min–max) | per call, % of one core | µs of CPU per packet relayed | calls with every packet both ways, worst round | loss % median (max) |"
        );
        println!("|---:|---|---:|---:|---:|---:|---:|---:|");
        for (i, n) in counts.iter().enumerate() {
            for (l, kind) in loops.iter().enumerate() {
                let ss = &samples[i][l];
                let cpu: Vec<f64> = ss
                    .iter()
                    .map(|s| 100.0 * s.relay_cpu.as_secs_f64() / s.relay_wall.as_secs_f64())
                    .collect();
                let relayed: Vec<f64> = ss
                    .iter()
                    .map(|s| (s.web_to_phone.1 + s.phone_to_web.1) as f64)
                    .collect();
                let rate: Vec<f64> = ss
                    .iter()
                    .zip(&relayed)
                    .map(|(s, r)| r / s.seconds)
                    .collect();
                let per_packet: Vec<f64> = ss
                    .iter()
                    .zip(&relayed)
                    .map(|(s, r)| 1e6 * s.relay_cpu.as_secs_f64() / r.max(1.0))
                    .collect();
                let loss: Vec<f64> = ss
                    .iter()
                    .map(|s| {
                        let sent = (s.web_to_phone.0 + s.phone_to_web.0) as f64;
                        let got = (s.web_to_phone.1 + s.phone_to_web.1) as f64;
                        100.0 * (sent - got) / sent
                    })
                    .collect();
                let worst = ss.iter().map(|s| s.whole_calls).min().unwrap_or(0);
                let (c0, c1) = (
                    cpu.iter().copied().fold(f64::INFINITY, f64::min),
                    cpu.iter().copied().fold(0.0, f64::max),
                );
                let cpu_median = median(cpu.iter().copied());
                let name = match kind {
                    concurrent::Loop::Poller => "epoll readiness (the driver's)",
                    concurrent::Loop::EverySocket => "every socket every turn (before)",
                };
                println!(
                    "| {n} | {name} | {:.0} | {cpu_median:.2} ({c0:.2}–{c1:.2}) | {:.3} | {:.2} | {worst}/{n} | {:.3} ({:.3}) |",
                    median(rate.iter().copied()),
                    cpu_median / *n as f64,
                    median(per_packet.iter().copied()),
                    median(loss.iter().copied()),
                    loss.iter().copied().fold(0.0, f64::max),
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
