//! The gateway driver's media loop (`Driver::run` without its signalling: `Driver::media` and
//! the wait after it), over the relays given: the legs the [`MediaPoller`] reports readable are
//! read (at most `BATCH` datagrams each per turn), every call's web leg gets its timers and
//! sends what ICE and DTLS queued, then the loop waits for a datagram or the next ICE/DTLS
//! timer — at most 50 ms, the driver's refresh of its shared counters while calls run — or not
//! at all after a busy turn.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rtcweb_cli::gateway::browser::media::Relay;
use rtcweb_cli::gateway::browser::poller::{Leg, MediaPoller};
use rtcweb_cli::gateway::browser::stats::CallStats;
use rtcweb_cli::gateway::browser::table::CallKey;

use crate::setup::Shared;

/// The driver's longest wait while calls run (its refresh of the shared counters).
const PUBLISH: Duration = Duration::from_millis(50);

/// Runs until `stop`; `stats[i]` counts call `i`'s packets.
pub fn run(relays: &mut [Relay], shared: &Shared, stop: &AtomicBool, stats: &mut [CallStats]) {
    let mut poller = MediaPoller::new().unwrap();
    for (i, r) in relays.iter().enumerate() {
        poller.register(CallKey(i as u64), r).unwrap();
    }
    let mut buf = vec![0u8; 65_535];
    let mut events = Vec::new();
    let mut ready = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let now = shared.now();
        let mut busy = false;
        poller.take_ready(&mut ready);
        for &(key, leg) in &ready {
            let i = key.0 as usize;
            let (relay, stats) = (&mut relays[i], &mut stats[i]);
            let reads = match leg {
                Leg::Web => relay.read_web(now, &mut buf, stats, &mut events),
                Leg::Trunk => relay.read_trunk(now, &mut buf, stats),
            };
            busy |= reads.any();
            if reads.more {
                poller.again(key, leg);
            }
            events.clear();
        }
        for relay in relays.iter_mut() {
            relay.web.handle_timeout(now);
            busy |= relay.web.transmit(now, &mut buf);
        }
        let wait = if busy {
            Duration::ZERO
        } else {
            let now = shared.now();
            relays
                .iter()
                .filter_map(|r| r.web.poll_timeout())
                .min()
                .map_or(PUBLISH, |t| t.saturating_duration_since(now))
                .min(PUBLISH)
        };
        poller.wait(wait).unwrap();
    }
}

/// The loop the driver ran before it had a poller (to 2026-12-05, commit d5df96b): every
/// call's two sockets read every turn, a 1 ms sleep after a turn that read nothing. Kept to
/// measure what the poller changed.
pub fn run_reading_every_socket(
    relays: &mut [Relay],
    shared: &Shared,
    stop: &AtomicBool,
    stats: &mut [CallStats],
) {
    let mut buf = vec![0u8; 65_535];
    let mut events = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let now = shared.now();
        let mut busy = false;
        for (relay, stats) in relays.iter_mut().zip(stats.iter_mut()) {
            // Read to the end, as then (no per-turn cap).
            loop {
                let reads = relay.read_web(now, &mut buf, stats, &mut events);
                busy |= reads.any();
                if !reads.more {
                    break;
                }
            }
            events.clear();
            loop {
                let reads = relay.read_trunk(now, &mut buf, stats);
                busy |= reads.any();
                if !reads.more {
                    break;
                }
            }
            relay.web.handle_timeout(now);
            busy |= relay.web.transmit(now, &mut buf);
        }
        if !busy {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}
