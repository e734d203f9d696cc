//! The whole browser gateway on a fake clock and an in-memory network (issue #17): the
//! gateway's own code ([`SimGateway`]: both user agents, the registrar, the call table, ICE-lite,
//! DTLS-SRTP, the relay) between simulated browsers (a JsSIP-like SIP-over-WebSocket client, a
//! full ICE agent, srtp-core's DTLS endpoint, SRTP media) and a simulated phone (SIP over UDP,
//! plain RTP echo or tone), over rtcweb-testkit's network with delay, jitter, loss and
//! duplication — many calls at once, WebSocket connections cut abruptly, the call bound.
//! Deterministic: no socket, no thread, no sleep; one seed fixes a run, and the same seed
//! gives the same run (checked).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

mod browser;
mod hostile;
mod phone;
mod sim;
mod world;
mod ws_client;

use std::net::SocketAddr;
use std::time::Duration;

use rtcweb_cli::gateway::browser::GatewayStats;
use rtcweb_testkit::{ms, secs, Link};

use hostile::Attacker;
use sim::{Sim, GATEWAY_IP};

/// What a run produced, compared between two runs of one seed.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    browsers: Vec<browser::Report>,
    phone: Vec<phone::PhoneCall>,
    finished: Vec<String>,
    net: rtcweb_testkit::Stats,
}

fn check_torn_down(sim: &mut Sim, st: &GatewayStats) {
    assert_eq!(st.active_calls, 0, "calls left: {:?}", st.active);
    assert_eq!(st.sockets_open, 0, "media sockets left open");
    // Only the trunk's SIP port is still bound on the gateway's address.
    assert_eq!(sim.world.ports_on(GATEWAY_IP), 1, "ports left bound");
}

/// Browsers call the phone, all at once, over a wide-area network (jitter, 1 % loss); three
/// of them lose their network in the middle of the call.
fn browsers_call_the_phone(seed: u64) -> Outcome {
    const N: usize = 24;
    const CUT: [usize; 3] = [0, 7, 13];
    let mut sim = Sim::new(seed, Link::WAN, N, 64);
    sim.register_all();
    for (i, b) in sim.browsers.iter_mut().enumerate() {
        b.talk = Some(Duration::from_secs(6));
        b.call(ms(1000 + 10 * i as u64), "sip:phone@example.com");
    }
    sim.run_until(secs(2));
    // Half of them trickle a late candidate (RFC 8840 INFO): taken, the call goes on.
    for b in sim.browsers.iter_mut().step_by(2) {
        b.trickle(sim.now);
    }
    sim.run_until(secs(3));
    let st = sim.gw.stats();
    assert_eq!(st.active_calls, N, "every call is up: {:?}", st.log);
    for i in CUT {
        sim.browsers[i].cut();
    }
    sim.run_until(secs(11));
    let st = sim.gw.stats();

    for (i, b) in sim.browsers.iter().enumerate() {
        let r = &b.report;
        assert!(r.established, "{}: {r:?} {:?}", b.user, b.log);
        // The answer to a Chrome-shaped offer (RFC 8829 §5.3, RFC 8843): ICE-lite, DTLS
        // passive, rtcp-mux, the audio section alone in the BUNDLE group, video refused.
        let answer = b.answer.as_deref().unwrap_or_default();
        for line in [
            "a=ice-lite",
            "a=group:BUNDLE 0\r\n",
            "a=setup:passive",
            "a=rtcp-mux",
            "m=video 0 ",
            "a=rtpmap:0 PCMU/8000",
        ] {
            assert!(answer.contains(line), "{}: {line} in {answer}", b.user);
        }
        assert!(
            r.dtls_connected && r.selected_pair.is_some(),
            "{}: {r:?}",
            b.user
        );
        assert_eq!(r.refused, 0, "{}: SRTP refused", b.user);
        if CUT.contains(&i) {
            assert!(r.ws_lost, "{}: its WebSocket broke", b.user);
            // The page keeps sending, but the gateway ended the call at the cut (t = 3 s):
            // nothing came back after, at most 2 s of echo before.
            assert!(r.verified <= 100, "{}: {r:?}", b.user);
        } else {
            assert!(r.ended, "{}: BYE answered: {r:?}", b.user);
            // A 20 ms frame from SRTP keyed to the hang-up, 6 s after the answer: the media
            // flowed without a gap (ICE and DTLS take longer when the handshake lost a packet).
            let keying = r.answer_to_srtp.expect("keyed");
            assert!(keying < Duration::from_secs(4), "{}: {r:?}", b.user);
            let expected = (Duration::from_secs(6) - keying).as_millis() as u64 / 20;
            assert!(
                r.sent.abs_diff(expected) <= 2,
                "{}: {expected} {r:?}",
                b.user
            );
            // The echo crosses four lossy hops (1 % each); the last frames are in flight
            // when the BYE goes.
            assert!(r.verified * 100 >= r.sent * 90, "{}: {r:?}", b.user);
            assert!(r.sent >= 50, "{}: {r:?}", b.user);
        }
    }
    let calls: Vec<_> = sim.phone.calls.values().cloned().collect();
    assert_eq!(calls.len(), N, "the phone got every call");
    for c in &calls {
        assert!(c.established, "{c:?}");
        // The browser's BYE, or the gateway's when the browser's WebSocket broke.
        assert_eq!(c.ended.as_deref(), Some("their BYE"), "{c:?}");
        assert!((50..=305).contains(&c.received), "{c:?}");
    }
    let cut_ended = st
        .finished
        .iter()
        .filter(|c| c.ended == "WebSocket closed")
        .count();
    assert_eq!(cut_ended, CUT.len(), "{:?}", st.finished);
    assert_eq!(st.finished.len(), N);
    assert_eq!(st.refused, 0, "no packet refused");
    assert_eq!(
        st.registered,
        N - CUT.len(),
        "the cut browsers' bindings are gone"
    );
    assert_eq!(sim.gw.connections(), N - CUT.len());
    // The gateway's counters agree with both ends: it relayed at least what arrived.
    let phone_received: u64 = calls.iter().map(|c| c.received).sum();
    let browsers_verified: u64 = sim.browsers.iter().map(|b| b.report.verified).sum();
    assert!(
        st.web_to_phone >= phone_received,
        "{} < {phone_received}",
        st.web_to_phone
    );
    assert!(st.phone_to_web >= browsers_verified);
    assert!(st.web_to_phone * 100 <= phone_received * 102 + 200);
    check_torn_down(&mut sim, &st);
    Outcome {
        browsers: sim.browsers.iter().map(|b| b.report.clone()).collect(),
        phone: calls,
        finished: st.finished.iter().map(|c| c.line()).collect(),
        net: sim.world.stats(),
    }
}

#[test]
fn browsers_call_the_phone_at_once_and_some_lose_their_websocket() {
    let first = browsers_call_the_phone(1);
    assert!(
        first.net.lost > 0,
        "the network lost packets: {:?}",
        first.net
    );
    // Same seed, same run: every report, call and counter.
    assert_eq!(browsers_call_the_phone(1), first);
    browsers_call_the_phone(2);
}

/// The phone calls every registered browser over a bad network (5 % loss, 5 % duplication,
/// up to 80 ms of jitter on every path, signalling included), and one user who never
/// registered.
#[test]
fn the_phone_calls_browsers_over_a_lossy_network() {
    const N: usize = 8;
    let bad = Link {
        delay: Duration::from_millis(20),
        jitter: Duration::from_millis(80),
        loss: 50,
        duplication: 50,
    };
    for seed in [3, 4] {
        let mut sim = Sim::new(seed, bad, N, 64);
        sim.register_all();
        // Long enough for DTLS to complete after a few lost flights (its timer doubles from
        // 1 s).
        sim.phone.talk = Duration::from_secs(8);
        let mut handles = Vec::new();
        for i in 0..N {
            handles.push(sim.phone.call(
                sim.now + Duration::from_millis(50 * i as u64),
                &format!("user{i}"),
            ));
        }
        let nobody = sim.phone.call(sim.now, "nobody");
        sim.run_until(secs(16));
        let st = sim.gw.stats();
        let duplicated = sim.world.stats().duplicated as u64;
        assert!(duplicated > 0);
        for b in &sim.browsers {
            let r = &b.report;
            assert!(
                r.established && r.dtls_connected,
                "{}: {r:?} {:?}",
                b.user,
                b.log
            );
            assert!(r.ended, "{}: the phone's BYE reached it: {r:?}", b.user);
            assert!(r.sent >= 100, "{}: {r:?}", b.user);
            // The phone's tone crosses two lossy hops.
            assert!(r.verified >= 80, "{}: {r:?}", b.user);
            // Refused: only the network's duplicates (SRTP replay protection).
            assert!(r.refused <= duplicated, "{}: {r:?}", b.user);
        }
        for h in &handles {
            let c = &sim.phone.calls[h];
            assert!(c.established, "{c:?}");
            assert_eq!(c.ended.as_deref(), Some("our BYE"), "{c:?}");
            assert!((395..=405).contains(&c.sent) && c.received >= 80, "{c:?}");
        }
        let c = &sim.phone.calls[&nobody];
        assert_eq!(c.failed, Some(404), "a user nobody registered: {c:?}");
        assert_eq!(st.finished.len(), N);
        assert!(st.finished.iter().all(|c| c.dtls_profile.is_some()));
        // The gateway refuses the duplicated SRTP too (replayed), nothing else.
        assert!(st.refused <= duplicated, "{} refused", st.refused);
        check_torn_down(&mut sim, &st);
    }
}

/// Past `max_calls`, new INVITEs get 503 and hold nothing; the calls admitted run normally.
#[test]
fn the_call_bound_refuses_with_503_and_holds_nothing() {
    let mut sim = Sim::new(5, Link::PERFECT, 6, 4);
    sim.register_all();
    for b in &mut sim.browsers {
        b.talk = Some(Duration::from_secs(2));
        b.call(sim.now, "sip:phone@example.com");
    }
    sim.run_until(sim.now + Duration::from_secs(1));
    let st = sim.gw.stats();
    assert_eq!(st.active_calls, 4);
    assert_eq!(st.sockets_open, 8, "two per call");
    assert_eq!(st.refused_calls, 2);
    sim.run_until(sim.now + Duration::from_secs(4));
    let refused = sim
        .browsers
        .iter()
        .filter(|b| b.report.failed == Some(503))
        .count();
    assert_eq!(refused, 2);
    let completed = sim
        .browsers
        .iter()
        .filter(|b| b.report.ended && b.report.verified >= 90)
        .count();
    assert_eq!(completed, 4);
    assert_eq!(
        sim.phone.calls.len(),
        4,
        "refused calls never reached the phone"
    );
    let st = sim.gw.stats();
    check_torn_down(&mut sim, &st);
}

/// An attacker on the gateway's WebSocket listener, its trunk SIP socket and the media sockets
/// of two calls in progress, 3 000 times in 6 s: the gateway neither panics nor lets it call,
/// end or disturb the calls, register, grow the call table, or draw more bytes to its UDP
/// address than it sent; everything is freed at the end.
#[test]
fn hostile_input_neither_crashes_nor_steers_the_gateway() {
    let mut sim = Sim::new(6, Link::WAN, 4, 8);
    sim.register_all();
    for b in &mut sim.browsers[..2] {
        b.talk = Some(Duration::from_secs(12));
        b.call(sim.now, "sip:phone@example.com");
    }
    sim.run_until(secs(3));
    let mut media: Vec<SocketAddr> = sim.browsers[..2]
        .iter()
        .filter_map(|b| b.report.selected_pair.map(|(_, gw)| gw))
        .collect();
    media.extend(sim.phone.calls.values().filter_map(|c| c.remote));
    assert_eq!(media.len(), 4, "both calls have their two media legs");
    // Ports next to them too (calls that could exist).
    let scanned: Vec<SocketAddr> = media
        .iter()
        .flat_map(|a| [*a, SocketAddr::new(a.ip(), a.port() + 1)])
        .collect();
    let before: Vec<u64> = sim.browsers[..2]
        .iter()
        .map(|b| b.report.verified)
        .collect();
    sim.attacker = Some(Attacker::new(
        &sim.world,
        99,
        sim.gw.ws_addr(),
        sim.gw.sip_addr(),
        scanned,
    ));
    for i in 0..3000 {
        sim.attacker.as_mut().unwrap().attack();
        let t = sim.now + Duration::from_millis(2);
        sim.run_until(t);
        if i % 100 == 0 {
            let st = sim.gw.stats();
            assert_eq!(st.active_calls, 2, "no call made or ended by the attacker");
            assert_eq!(st.sockets_open, 4);
            assert_eq!(st.registered, 4);
        }
    }
    let st = sim.gw.stats();
    let tally = sim.attacker.as_ref().unwrap().tally.clone();
    assert!(tally.ws_sent > 1000 && tally.udp_sent > 1000, "{tally:?}");
    assert!(
        sim.attacker.as_ref().unwrap().refused() > 0,
        "unregistered INVITEs refused 403: {:?}",
        tally.ws_statuses
    );
    // Nothing it sent over the WebSocket was accepted but OPTIONS and MESSAGE (answered 200
    // outside any dialog, as a registrar's UA does).
    for (code, method) in &tally.ws_statuses {
        assert!(
            *code >= 300 || method == "OPTIONS" || method == "MESSAGE",
            "{code} to {method}"
        );
    }
    assert!(
        tally.ws_closed > 0,
        "its protocol errors closed its connection"
    );
    assert!(
        st.foreign_requests > 0,
        "strangers' requests to the trunk socket dropped"
    );
    assert!(
        tally.udp_bytes_received <= tally.udp_bytes_sent,
        "no amplification: {tally:?}"
    );
    assert_eq!(
        sim.phone.calls.len(),
        2,
        "the phone got no call from the attacker"
    );
    for (b, before) in sim.browsers[..2].iter().zip(before) {
        let r = &b.report;
        assert!(!r.ended, "{}: the call survived: {r:?}", b.user);
        assert_eq!(
            r.refused, 0,
            "{}: nothing forged reached the browser",
            b.user
        );
        assert!(
            r.verified >= before + 280,
            "{}: media flowed on: {r:?}",
            b.user
        );
    }
    sim.attacker.as_mut().unwrap().disconnect();
    sim.run_until(secs(20));
    let st = sim.gw.stats();
    for b in &sim.browsers[..2] {
        assert!(b.report.ended, "{}: {:?}", b.user, b.report);
    }
    assert_eq!(st.finished.len(), 2);
    assert_eq!(sim.gw.connections(), 4, "the attacker's connection is gone");
    check_torn_down(&mut sim, &st);
}

/// Both ends hang up at the same instant, on calls in both directions: the two BYEs cross at
/// the gateway, which answers both and ends each call once, nothing left.
#[test]
fn crossed_byes_end_each_call_once() {
    let mut sim = Sim::new(8, Link::WAN, 4, 8);
    sim.register_all();
    sim.browsers[0].call(sim.now, "sip:phone@example.com");
    sim.browsers[1].call(sim.now, "sip:phone@example.com");
    sim.phone.talk = Duration::from_secs(60);
    sim.phone.call(sim.now, "user2");
    sim.phone.call(sim.now, "user3");
    sim.run_until(secs(4));
    assert_eq!(sim.gw.stats().active_calls, 4);
    let now = sim.now;
    for b in &mut sim.browsers {
        b.hang_up(now);
    }
    sim.phone.hang_up_all(now);
    sim.run_until(secs(40));
    let st = sim.gw.stats();
    for b in &sim.browsers {
        assert!(b.report.ended, "{}: {:?}", b.user, b.report);
    }
    for c in sim.phone.calls.values() {
        assert!(c.ended.is_some(), "{c:?}");
    }
    assert_eq!(
        st.finished.len(),
        4,
        "each call ended once: {:?}",
        st.finished
    );
    check_torn_down(&mut sim, &st);
}

/// The media timeout (`media_timeout`, 5 s here): a call whose phone keeps sending outlives it;
/// a phone that vanishes mid-call (no BYE, no media, no SIP) has its call ended between 5 and
/// 6 s later — BYE to the browser, the call's sockets freed — and not before.
#[test]
fn a_phone_that_vanishes_is_hung_up_after_the_media_timeout() {
    let mut sim = Sim::with_config(9, Link::WAN, 2, 8, |cfg| {
        cfg.media_timeout = Some(Duration::from_secs(5));
    });
    sim.register_all();
    // A 12-second call, media both ways all along: not timed out.
    sim.browsers[0].talk = Some(Duration::from_secs(12));
    sim.browsers[0].call(sim.now, "sip:phone@example.com");
    sim.run_until(sim.now + Duration::from_secs(16));
    let b = &sim.browsers[0].report;
    assert!(b.ended && b.verified >= 400, "{b:?}");
    let st = sim.gw.stats();
    assert_eq!(st.finished.len(), 1);
    assert!(
        !st.finished[0].ended.contains("no media"),
        "{:?}",
        st.finished[0].ended
    );
    // The second browser's call: its phone vanishes after 3 s.
    sim.browsers[1].call(sim.now, "sip:phone@example.com");
    sim.run_until(sim.now + Duration::from_secs(3));
    assert!(
        sim.browsers[1].report.verified >= 50,
        "{:?}",
        sim.browsers[1].report
    );
    assert_eq!(sim.gw.stats().active_calls, 1);
    sim.phone.vanished = true;
    let gone = sim.now;
    sim.run_until(gone + Duration::from_millis(4_800));
    assert_eq!(sim.gw.stats().active_calls, 1, "ended before the timeout");
    assert!(!sim.browsers[1].report.ended);
    sim.run_until(gone + Duration::from_secs(7));
    assert!(sim.browsers[1].report.ended, "the browser got no BYE");
    let st = sim.gw.stats();
    assert_eq!(st.finished.len(), 2);
    assert_eq!(st.finished[1].ended, "no media from the phone");
    check_torn_down(&mut sim, &st);
}
