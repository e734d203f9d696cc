//! The whole relay over real UDP sockets on 127.0.0.1, syscalls included: a sender thread
//! offers PCMU-sized packets at a paced rate (or unpaced, as fast as it can) to one leg's
//! socket, the relay thread runs the gateway driver's media loop over the call
//! ([`crate::media_loop`]: epoll readiness, `read_web`/`read_trunk`, the web leg's timers and
//! transmits), a receiver thread counts what arrives from the other leg.
//!
//! Browser → phone: the browser's socket sends SRTP (protected by the sender thread as it
//! goes), the phone's socket counts RTP. Phone → browser: the phone's socket sends RTP, the
//! browser's counts SRTP. Loss = sent − received after a 200 ms drain.

use std::net::UdpSocket;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rtcweb_cli::gateway::browser::media::Relay;
use rtcweb_cli::gateway::browser::stats::CallStats;
use rtcweb_srtp_core::Session;

use crate::setup::{Browser, Shared};
use crate::transform::rtp;

const RTP_172: &[u8] = include_bytes!("../../data/rtp_172.bin");

/// Offered rates, packets/s (`None`: unpaced).
pub const RATES: [Option<u64>; 7] = [
    Some(10_000),
    Some(25_000),
    Some(50_000),
    Some(75_000),
    Some(100_000),
    Some(150_000),
    None,
];

#[derive(Clone, Copy)]
pub enum Way {
    WebToTrunk,
    TrunkToWeb,
}

/// One sample: packets sent and received in `seconds`.
#[derive(Clone, Copy)]
pub struct Sample {
    pub sent: u64,
    pub received: u64,
    pub seconds: f64,
}

/// Sends for `seconds` at `rate`, protecting with `srtp` when given; returns packets sent.
fn send(
    socket: &UdpSocket,
    to: std::net::SocketAddr,
    mut srtp: Option<&mut Session>,
    seq: &mut u16,
    rate: Option<u64>,
    seconds: f64,
) -> (u64, f64) {
    let mut buf = [0u8; 1600];
    let start = Instant::now();
    let end = Duration::from_secs_f64(seconds);
    let mut sent = 0u64;
    loop {
        let elapsed = start.elapsed();
        if elapsed >= end {
            return (sent, elapsed.as_secs_f64());
        }
        let due = rate.map_or(u64::MAX, |r| (elapsed.as_secs_f64() * r as f64) as u64);
        if sent >= due {
            std::thread::sleep(Duration::from_micros(200));
            continue;
        }
        // At most 64 packets per burst before looking at the clock again.
        for _ in 0..(due - sent).min(64) {
            *seq = seq.wrapping_add(1);
            let mut n = rtp(RTP_172, *seq, &mut buf);
            if let Some(s) = srtp.as_deref_mut() {
                n = s.protect_rtp(&mut buf, n).unwrap();
            }
            if socket.send_to(&buf[..n], to).is_ok() {
                sent += 1;
            }
        }
    }
}

fn count(socket: &UdpSocket, stop: &AtomicBool) -> u64 {
    socket
        .set_read_timeout(Some(Duration::from_millis(20)))
        .unwrap();
    let mut buf = [0u8; 2048];
    let mut got = 0;
    while !stop.load(Ordering::Relaxed) {
        if socket.recv(&mut buf).is_ok() {
            got += 1;
        }
    }
    while socket.recv(&mut buf).is_ok() {
        got += 1;
    }
    got
}

/// The gateway's media loop over one call until `stop`.
fn relay_loop(relay: &mut Relay, shared: &Shared, stop: &AtomicBool) -> CallStats {
    let mut stats = [CallStats::default()];
    crate::media_loop::run(std::slice::from_mut(relay), shared, stop, &mut stats);
    let [stats] = stats;
    stats
}

/// One sample of one direction at one rate.
#[allow(clippy::too_many_arguments)]
pub fn sample(
    relay: &mut Relay,
    browser: &mut Browser,
    phone: &UdpSocket,
    shared: &Shared,
    way: Way,
    rate: Option<u64>,
    seconds: f64,
    seq: &mut u16,
) -> Sample {
    let Browser { socket, srtp } = browser;
    socket.set_nonblocking(false).unwrap();
    phone.set_nonblocking(false).unwrap();
    let socket = &*socket;
    let (web_addr, trunk_addr) = (relay.web.addr, relay.trunk.addr);
    let stop_relay = AtomicBool::new(false);
    let stop_count = AtomicBool::new(false);
    let (sent, elapsed, received, stats) = std::thread::scope(|s| {
        let r = s.spawn(|| relay_loop(relay, shared, &stop_relay));
        let (to_socket, from_socket) = match way {
            Way::WebToTrunk => (socket, phone),
            Way::TrunkToWeb => (phone, socket),
        };
        let c = s.spawn(|| count(from_socket, &stop_count));
        let (sent, elapsed) = match way {
            Way::WebToTrunk => send(
                to_socket,
                web_addr,
                Some(&mut srtp.outbound),
                seq,
                rate,
                seconds,
            ),
            Way::TrunkToWeb => send(to_socket, trunk_addr, None, seq, rate, seconds),
        };
        std::thread::sleep(Duration::from_millis(200));
        stop_relay.store(true, Ordering::Relaxed);
        let stats = r.join().unwrap();
        stop_count.store(true, Ordering::Relaxed);
        (sent, elapsed, c.join().unwrap(), stats)
    });
    assert_eq!(stats.refused, 0, "nothing refused");
    let relayed = match way {
        Way::WebToTrunk => stats.web_to_phone,
        Way::TrunkToWeb => stats.phone_to_web,
    };
    assert!(relayed >= received, "received only what the relay sent");
    Sample {
        sent,
        received,
        seconds: elapsed,
    }
}
