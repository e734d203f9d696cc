//! Many calls at once with media flowing both ways, the gateway's relay on one core: each call
//! is a [`Relay`] keyed by its own DTLS handshake (as in [`crate::setup`]), with its two UDP
//! sockets; the relay thread runs the gateway driver's media loop over all of them
//! ([`crate::media_loop`]: the legs epoll reports readable are read, every call's timers run;
//! the signalling, which costs nothing between calls' set-ups and hang-ups, left out).
//!
//! The peers run in one other thread, as N browsers and N phones would: every 20 ms each
//! browser sends one 172-byte PCMU frame as SRTP (protected as it goes) to its call's web leg,
//! and each phone one RTP frame to its call's trunk leg; between ticks the thread reads every
//! browser's and phone's socket. After the last tick,
//! 200 ms of drain.
//!
//! Measured per sample: the relay thread's CPU time (`/proc/thread-self/schedstat`, ns on the
//! CPU), packets sent and received each way, and how many calls got every packet both ways.

use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rtcweb_cli::gateway::browser::media::Relay;
use rtcweb_cli::gateway::browser::stats::CallStats;

use crate::setup::{Browser, Shared};
use crate::transform::rtp;

const RTP_172: &[u8] = include_bytes!("../../data/rtp_172.bin");

/// Calls held at once, per row.
pub const CALL_COUNTS: [usize; 4] = [10, 100, 300, 600];

/// A 20 ms frame interval (50 packets/s per direction per call).
const PTIME: Duration = Duration::from_millis(20);

/// Each call's peers: its browser, its phone's socket (one per call, as N phones: one socket
/// for all would overflow its receive buffer when every call's frame arrives in the same
/// millisecond — the bench's loss, not the gateway's), and the sequence numbers of what the
/// browser and the phone send (continuing across samples: the relay's replay window sees one
/// stream).
pub struct Peers {
    pub browser: Browser,
    pub phone: UdpSocket,
    pub seq_browser: u16,
    pub seq_phone: u16,
}

/// One sample with `calls` calls.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    pub seconds: f64,
    /// The relay thread's time on the CPU, and its wall time (the sending and the drain).
    pub relay_cpu: Duration,
    pub relay_wall: Duration,
    /// Browser → phone: sent, received. Phone → browser: sent, received.
    pub web_to_phone: (u64, u64),
    pub phone_to_web: (u64, u64),
    /// Calls that received every packet sent, both ways.
    pub whole_calls: usize,
}

/// This thread's time on the CPU so far (the first field of `schedstat`, in ns).
fn thread_cpu() -> Duration {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    let ns = text
        .split_whitespace()
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    Duration::from_nanos(ns)
}

/// Which media loop the relay thread runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loop {
    /// The driver's: epoll readiness ([`crate::media_loop::run`]).
    Poller,
    /// The driver's before it had a poller: every socket read every turn.
    EverySocket,
}

/// The media loop over every call until `stop`; returns its CPU time, its wall time and the
/// packets it refused.
fn relay_loop(
    relays: &mut [Relay],
    shared: &Shared,
    stop: &AtomicBool,
    kind: Loop,
) -> (Duration, Duration, u64) {
    let mut stats = vec![CallStats::default(); relays.len()];
    let (cpu, wall) = (thread_cpu(), Instant::now());
    match kind {
        Loop::Poller => crate::media_loop::run(relays, shared, stop, &mut stats),
        Loop::EverySocket => {
            crate::media_loop::run_reading_every_socket(relays, shared, stop, &mut stats);
        }
    }
    let refused = stats.iter().map(|s| s.refused).sum();
    (thread_cpu().saturating_sub(cpu), wall.elapsed(), refused)
}

/// Reads whatever waits on every browser's and phone's socket, counting per call.
fn drain(peers: &[Peers], to_web: &mut [u64], to_phone: &mut [u64], buf: &mut [u8]) {
    for (i, p) in peers.iter().enumerate() {
        while p.browser.socket.recv(buf).is_ok() {
            to_web[i] += 1;
        }
        while p.phone.recv(buf).is_ok() {
            to_phone[i] += 1;
        }
    }
}

/// One sample: the first `relays.len()` calls, media for `seconds`.
pub fn sample(
    relays: &mut [Relay],
    peers: &mut [Peers],
    shared: &Shared,
    seconds: f64,
    kind: Loop,
) -> Sample {
    let n = relays.len();
    let web_addrs: Vec<SocketAddr> = relays.iter().map(|r| r.web.addr).collect();
    let trunk_addrs: Vec<SocketAddr> = relays.iter().map(|r| r.trunk.addr).collect();
    let mut buf = [0u8; 2048];
    for p in peers.iter() {
        p.browser.socket.set_nonblocking(true).unwrap();
        p.phone.set_nonblocking(true).unwrap();
    }
    // Whatever an earlier sample left in flight is not this one's.
    let (mut to_web, mut to_phone) = (vec![0u64; n], vec![0u64; n]);
    drain(peers, &mut to_web, &mut to_phone, &mut buf);
    to_web.fill(0);
    to_phone.fill(0);
    let stop = AtomicBool::new(false);
    let ticks = (seconds / PTIME.as_secs_f64()).ceil() as u32;
    let (sent_each, elapsed, (relay_cpu, relay_wall, refused)) = std::thread::scope(|s| {
        let r = s.spawn(|| relay_loop(relays, shared, &stop, kind));
        let start = Instant::now();
        for tick in 0..ticks {
            let due = start + PTIME * tick;
            loop {
                drain(peers, &mut to_web, &mut to_phone, &mut buf);
                if Instant::now() >= due {
                    break;
                }
                std::thread::sleep(Duration::from_micros(500));
            }
            for (i, p) in peers.iter_mut().enumerate() {
                p.seq_browser = p.seq_browser.wrapping_add(1);
                let len = rtp(RTP_172, p.seq_browser, &mut buf);
                let len = p.browser.srtp.outbound.protect_rtp(&mut buf, len).unwrap();
                p.browser.socket.send_to(&buf[..len], web_addrs[i]).unwrap();
                p.seq_phone = p.seq_phone.wrapping_add(1);
                let len = rtp(RTP_172, p.seq_phone, &mut buf);
                p.phone.send_to(&buf[..len], trunk_addrs[i]).unwrap();
            }
        }
        let elapsed = start.elapsed().as_secs_f64();
        let end = Instant::now() + Duration::from_millis(200);
        while Instant::now() < end {
            drain(peers, &mut to_web, &mut to_phone, &mut buf);
            std::thread::sleep(Duration::from_micros(500));
        }
        stop.store(true, Ordering::Relaxed);
        let cpu = r.join().unwrap();
        (u64::from(ticks), elapsed, cpu)
    });
    assert_eq!(refused, 0, "nothing refused");
    let whole_calls = (0..n)
        .filter(|&i| to_web[i] >= sent_each && to_phone[i] >= sent_each)
        .count();
    let sum = |v: &[u64]| v.iter().map(|x| (*x).min(sent_each)).sum::<u64>();
    let sent = sent_each * n as u64;
    Sample {
        seconds: elapsed,
        relay_cpu,
        relay_wall,
        web_to_phone: (sent, sum(&to_phone)),
        phone_to_web: (sent, sum(&to_web)),
        whole_calls,
    }
}
