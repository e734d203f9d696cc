//! Ten thousand calls between two UAs (issue #15): set up, one hung up in the middle, all torn
//! down; `poll_timeout` stays the earliest deadline of the calls and the transaction layer
//! throughout. The UA finds a call by its dialog through an index and keeps call deadlines in
//! a heap, so each of the 20 000 ACKs and BYEs here costs O(log n), not a visit to every call.
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::{addr, at, ua_config, ALICE, BOB};
use rtcweb_sip_core::transaction::Peer;
use rtcweb_sip_core::ua::{CallHandle, CallState, EndReason, UaEvent, UserAgent};
use rtcweb_sip_core::Instant;
use std::collections::BTreeMap;
use std::time::Duration;

const N: u64 = 10_000;
const SDP: &[u8] = b"v=0\r\n";

fn ua(user: &str, me: &str, to: &str, seed: u64) -> UserAgent {
    let mut cfg = ua_config(user, me, to, seed);
    cfg.max_calls = 2 * N as usize;
    cfg.max_events = 4 * N as usize;
    cfg.layer.max_transactions = 4 * N as usize;
    cfg.layer.max_pending_transmits = 4 * N as usize;
    cfg.layer.max_pending_events = 4 * N as usize;
    UserAgent::new(cfg)
}

/// Every datagram `from` has, delivered to `to` unless `keep` says to hold it back.
fn deliver(
    now: Instant,
    from: &mut UserAgent,
    from_addr: &str,
    to: &mut UserAgent,
    mut keep: impl FnMut(&[u8]) -> bool,
    held: &mut Vec<Vec<u8>>,
) -> usize {
    let mut buf = vec![0u8; 65535];
    let mut n = 0;
    while let Some(t) = from.poll_transmit(now, &mut buf).unwrap() {
        let bytes = &buf[..t.len];
        if keep(bytes) {
            let _ = to.handle_receive(now, Peer::udp(addr(from_addr)), bytes);
        } else {
            held.push(bytes.to_vec());
        }
        n += 1;
    }
    n
}

/// The earliest of the transaction layer's deadline and `calls`.
fn expected(ua: &UserAgent, calls: Option<Instant>) -> Option<Instant> {
    [ua.transactions().poll_timeout(), calls]
        .into_iter()
        .flatten()
        .min()
}

#[test]
fn ten_thousand_calls_set_up_found_and_torn_down() {
    let mut alice = ua("alice", ALICE, BOB, 1);
    let mut bob = ua("bob", BOB, ALICE, 2);
    let mut held_acks = Vec::new();
    let mut none = Vec::new();
    let t1 = Duration::from_millis(500);
    // Call i is placed and answered at i ms; bob's 2xx of call i is retransmitted at i ms + T1
    // until its ACK. ACKs of odd calls are held back for now.
    let mut ours: Vec<CallHandle> = Vec::new();
    let mut answered_at: BTreeMap<CallHandle, Instant> = BTreeMap::new();
    for i in 0..N {
        let now = at(i);
        ours.push(alice.call(now, "sip:bob@example.com", SDP).unwrap());
        deliver(now, &mut alice, ALICE, &mut bob, |_| true, &mut none);
        while let Some(e) = bob.poll_event() {
            if let UaEvent::IncomingCall { call, .. } = e {
                bob.answer(now, call, SDP).unwrap();
                answered_at.insert(call, now);
            }
        }
        deliver(now, &mut bob, BOB, &mut alice, |_| true, &mut none);
        let odd = i % 2 == 1;
        deliver(
            now,
            &mut alice,
            ALICE,
            &mut bob,
            |b| !(odd && b.starts_with(b"ACK ")),
            &mut held_acks,
        );
    }
    assert!(none.is_empty());
    assert_eq!(held_acks.len() as u64, N / 2);
    assert_eq!(alice.call_count() as u64, N);
    assert_eq!(bob.call_count() as u64, N);
    let states = |ua: &UserAgent, s: CallState| {
        answered_at
            .keys()
            .filter(|&&h| ua.call_state(h) == Some(s))
            .count() as u64
    };
    assert_eq!(states(&bob, CallState::Established), N / 2);
    assert_eq!(states(&bob, CallState::Answering), N / 2);
    assert!(ours
        .iter()
        .all(|&c| alice.call_state(c) == Some(CallState::Established)));

    // Bob's earliest call deadline: the first unacknowledged 2xx (call 1, answered at 1 ms).
    let now = at(N);
    let first_unacked = answered_at
        .iter()
        .filter(|(&h, _)| bob.call_state(h) == Some(CallState::Answering))
        .map(|(_, &t)| t + t1)
        .min();
    assert_eq!(first_unacked, Some(at(1) + t1));
    assert_eq!(bob.poll_timeout(), expected(&bob, first_unacked));
    assert_eq!(alice.poll_timeout(), expected(&alice, None));

    // The held ACKs arrive, last first: each is matched to its call by the dialog index.
    for ack in held_acks.iter().rev() {
        bob.handle_receive(now, Peer::udp(addr(ALICE)), ack)
            .unwrap();
    }
    let confirmed = std::iter::from_fn(|| bob.poll_event())
        .filter(|e| matches!(e, UaEvent::Confirmed { .. }))
        .count() as u64;
    assert_eq!(confirmed, N / 2);
    assert_eq!(states(&bob, CallState::Established), N);
    assert_eq!(bob.poll_timeout(), expected(&bob, None));

    // One call in the middle hangs up: exactly that call ends on both sides.
    let k = ours[(N / 2) as usize];
    alice.hangup(now, k).unwrap();
    deliver(now, &mut alice, ALICE, &mut bob, |_| true, &mut none);
    let ended: Vec<UaEvent> = std::iter::from_fn(|| bob.poll_event()).collect();
    assert_eq!(ended.len(), 1, "{ended:?}");
    assert!(matches!(
        ended[0],
        UaEvent::CallEnded {
            reason: EndReason::RemoteHangup,
            ..
        }
    ));
    deliver(now, &mut bob, BOB, &mut alice, |_| true, &mut none);
    assert_eq!(alice.call_state(k), None);
    assert_eq!(alice.call_count() as u64, N - 1);
    assert_eq!(bob.call_count() as u64, N - 1);

    // Everyone else hangs up, in a scattered order.
    let mut order: Vec<CallHandle> = ours.iter().copied().filter(|&c| c != k).collect();
    order.sort_by_key(|c| (c.0.wrapping_mul(0x9E37_79B9_7F4A_7C15), c.0));
    for c in order {
        alice.hangup(now, c).unwrap();
    }
    deliver(now, &mut alice, ALICE, &mut bob, |_| true, &mut none);
    deliver(now, &mut bob, BOB, &mut alice, |_| true, &mut none);
    assert_eq!(alice.call_count(), 0);
    assert_eq!(bob.call_count(), 0);
    let ended = |ua: &mut UserAgent, why: EndReason| {
        std::iter::from_fn(|| ua.poll_event())
            .filter(|e| matches!(e, UaEvent::CallEnded { reason, .. } if *reason == why))
            .count() as u64
    };
    assert_eq!(ended(&mut alice, EndReason::LocalHangup), N);
    assert_eq!(ended(&mut bob, EndReason::RemoteHangup), N - 1);
    assert_eq!(alice.poll_timeout(), expected(&alice, None));
    assert_eq!(bob.poll_timeout(), expected(&bob, None));

    // The transactions run out; then nothing is scheduled at all.
    let mut now = now;
    for ua in [&mut alice, &mut bob] {
        while let Some(t) = ua.poll_timeout() {
            now = now.max(t);
            ua.handle_timeout(now);
            let mut buf = vec![0u8; 65535];
            while ua.poll_transmit(now, &mut buf).unwrap().is_some() {}
        }
        assert!(ua.transactions().is_empty());
    }
}
