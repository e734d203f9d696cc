//! A registering phone against a hostile registrar (hardening review): replies whose durations
//! overflow the clock, endless `stale=true` challenges, and `Flow-Timer: 0`. The registration must
//! neither panic nor busy-loop nor send without bound.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use core::time::Duration;

use rtcweb_sip_core::message::{builder::MessageBuilder, Header, Message};
use rtcweb_sip_core::registration::{
    Credentials, Registration, RegistrationConfig, RegistrationEvent, RegistrationState,
};
use rtcweb_sip_core::Instant;

fn config(outbound: bool) -> RegistrationConfig {
    let mut cfg = RegistrationConfig::new(
        "sip:example.com",
        "sip:alice@example.com",
        "<sip:alice@192.0.2.1:5060>",
        "SIP/2.0/UDP 192.0.2.1:5060",
    );
    cfg.credentials = Some(Credentials::new("alice", "pw"));
    if outbound {
        cfg.instance_id = Some("<urn:uuid:00000000-0000-1000-8000-000A95A0E128>".into());
    }
    cfg
}

/// Answers `request` with `code` and extra header lines, and feeds the answer back.
fn answer(
    reg: &mut Registration,
    now: Instant,
    request: &[u8],
    code: u16,
    headers: &[(&str, &str)],
) {
    let mut st = [Header::EMPTY; 32];
    let req = Message::parse(request, &mut st).unwrap();
    let mut b = MessageBuilder::response_to(&req, code, "Reason", Some("r"));
    for (n, v) in headers {
        b.add_header(*n, *v);
    }
    let bytes = b.to_vec();
    let mut st = [Header::EMPTY; 32];
    let resp = Message::parse(&bytes, &mut st).unwrap();
    reg.handle_response(now, &resp);
}

#[test]
fn huge_flow_timer_and_expires_saturate_instead_of_panicking() {
    // Before the fix: `now + Duration::from_secs(u64::MAX)` panicked in sans-io-time.
    let mut reg = Registration::new(config(true), [1; 32]);
    let now = Instant::from_nanos(1_000_000_000);
    reg.register(now);
    let req = reg.poll_request().unwrap();
    answer(
        &mut reg,
        now,
        &req,
        200,
        &[
            ("Flow-Timer", "18446744073709551615"),
            ("Expires", "4294967295"),
        ],
    );
    assert_eq!(
        reg.poll_event(),
        Some(RegistrationEvent::Registered { expires: u32::MAX })
    );
    assert!(matches!(reg.state(), RegistrationState::Registered { .. }));
    let next = reg.poll_timeout().unwrap();
    assert!(next > now, "deadlines stay in the future");
    reg.handle_timeout(next);
    assert!(reg.poll_timeout().unwrap() >= next);
}

#[test]
fn flow_timer_zero_does_not_make_the_client_spin() {
    let mut reg = Registration::new(config(true), [2; 32]);
    let now = Instant::ZERO;
    reg.register(now);
    let req = reg.poll_request().unwrap();
    answer(
        &mut reg,
        now,
        &req,
        200,
        &[("Flow-Timer", "0"), ("Expires", "3600")],
    );
    let _ = reg.poll_event();
    let first = reg.poll_timeout().unwrap();
    assert!(
        first >= now + Duration::from_secs(8),
        "keep-alive at least 80 % of the 10 s floor away, got {first:?}"
    );
}

#[test]
fn endless_stale_challenges_are_capped_and_backed_off() {
    // Before the fix: every 401 with stale=true was answered at once, forever (1 000 401s gave
    // 1 000 REGISTERs with no back-off).
    let mut reg = Registration::new(config(false), [3; 32]);
    let mut now = Instant::ZERO;
    reg.register(now);
    let mut sent = 0u32;
    let mut nonce = 0u32;
    for _ in 0..1_000 {
        let Some(req) = reg.poll_request() else {
            // Nothing to send now: the client is waiting for its back-off deadline.
            let t = reg.poll_timeout().expect("a retry is scheduled");
            assert!(t > now);
            now = t;
            reg.handle_timeout(now);
            continue;
        };
        sent += 1;
        nonce += 1;
        let challenge = format!(
            "Digest realm=\"example.com\", nonce=\"n{nonce}\", qop=\"auth\", algorithm=MD5, stale=true"
        );
        answer(
            &mut reg,
            now,
            &req,
            401,
            &[("WWW-Authenticate", &challenge)],
        );
    }
    // Each attempt: the first REGISTER and at most `max_stale_retries` (2) stale answers; then a
    // back-off of 30 s, 60 s, … capped at 1800 s.
    let minutes = now.duration_since(Instant::ZERO).as_secs() / 60;
    assert!(
        sent <= 3 * (1 + u32::try_from(minutes).unwrap()),
        "{sent} REGISTERs in {minutes} min"
    );
    assert!(
        minutes > 60,
        "the back-off grew: {minutes} min for 1 000 challenges"
    );
    let failures = core::iter::from_fn(|| reg.poll_event())
        .filter(|e| matches!(e, RegistrationEvent::Failed { code: Some(401) }))
        .count();
    assert!(failures > 0);
}

#[test]
fn one_stale_challenge_is_still_answered_at_once() {
    let mut reg = Registration::new(config(false), [4; 32]);
    let now = Instant::ZERO;
    reg.register(now);
    let req = reg.poll_request().unwrap();
    answer(
        &mut reg,
        now,
        &req,
        401,
        &[(
            "WWW-Authenticate",
            "Digest realm=\"example.com\", nonce=\"a\", qop=\"auth\"",
        )],
    );
    let req = reg.poll_request().expect("answered with credentials");
    answer(
        &mut reg,
        now,
        &req,
        401,
        &[(
            "WWW-Authenticate",
            "Digest realm=\"example.com\", nonce=\"b\", qop=\"auth\", stale=true",
        )],
    );
    assert!(
        reg.poll_request().is_some(),
        "a stale nonce is retried at once"
    );
}

fn expires_of(request: &[u8]) -> u32 {
    let mut st = [Header::EMPTY; 32];
    let msg = Message::parse(request, &mut st).unwrap();
    msg.header("expires")
        .unwrap()
        .value()
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn unregister_while_a_register_is_in_flight_waits_and_reads_the_2xx_right() {
    // Before the fix: `unregister()` during an in-flight REGISTER flipped a flag, sent nothing,
    // and the 200 OK to the REGISTER (Expires: 3600) was reported as `Unregistered` while the
    // registrar held the binding.
    let mut reg = Registration::new(config(false), [3; 32]);
    let now = Instant::ZERO;
    reg.register(now);
    let first = reg.poll_request().unwrap();
    assert_eq!(expires_of(&first), 3600);
    reg.unregister(now);
    assert!(reg.poll_request().is_none(), "one REGISTER at a time");
    answer(&mut reg, now, &first, 200, &[("Expires", "3600")]);
    assert_eq!(
        reg.poll_event(),
        Some(RegistrationEvent::Registered { expires: 3600 })
    );
    let removal = reg.poll_request().expect("the queued removal goes out");
    assert_eq!(expires_of(&removal), 0);
    answer(&mut reg, now, &removal, 200, &[]);
    assert_eq!(reg.poll_event(), Some(RegistrationEvent::Unregistered));
    assert_eq!(reg.state(), RegistrationState::Unregistered);
    assert_eq!(reg.poll_timeout(), None, "no refresh of a removed binding");
}

#[test]
fn register_while_a_removal_is_in_flight_is_sent_after_it() {
    let mut reg = Registration::new(config(false), [4; 32]);
    let now = Instant::ZERO;
    reg.unregister(now);
    let removal = reg.poll_request().unwrap();
    reg.register(now);
    assert!(reg.poll_request().is_none());
    answer(&mut reg, now, &removal, 200, &[]);
    assert_eq!(reg.poll_event(), Some(RegistrationEvent::Unregistered));
    let again = reg.poll_request().unwrap();
    assert_eq!(expires_of(&again), 3600);
    answer(&mut reg, now, &again, 200, &[]);
    assert_eq!(
        reg.poll_event(),
        Some(RegistrationEvent::Registered { expires: 3600 })
    );
}

#[test]
fn a_423_to_a_removal_never_makes_a_new_binding() {
    // Before the fix: a 423 with Min-Expires to `Expires: 0` re-sent the REGISTER with
    // Expires: Min-Expires, registering a phone that asked to leave.
    let mut reg = Registration::new(config(false), [5; 32]);
    let now = Instant::ZERO;
    reg.unregister(now);
    let removal = reg.poll_request().unwrap();
    answer(&mut reg, now, &removal, 423, &[("Min-Expires", "7200")]);
    assert_eq!(
        reg.poll_event(),
        Some(RegistrationEvent::Failed { code: Some(423) })
    );
    assert!(reg.poll_request().is_none());
}

#[test]
fn alternating_401_and_423_is_bounded() {
    // Before the fix: each 423 reset the challenge counter, so 401/423/401/423… with a growing
    // Min-Expires drew one REGISTER per reply without end.
    let mut reg = Registration::new(config(false), [6; 32]);
    let now = Instant::ZERO;
    reg.register(now);
    let mut req = reg.poll_request().unwrap();
    let mut sent = 1;
    for i in 0..1000u32 {
        let min = (3601 + i).to_string();
        if i % 2 == 0 {
            answer(
                &mut reg,
                now,
                &req,
                401,
                &[(
                    "WWW-Authenticate",
                    &format!("Digest realm=\"r\", nonce=\"n{i}\", qop=\"auth\""),
                )],
            );
        } else {
            answer(&mut reg, now, &req, 423, &[("Min-Expires", &min)]);
        }
        match reg.poll_request() {
            Some(r) => {
                req = r;
                sent += 1;
            }
            None => break,
        }
    }
    assert!(sent <= 6, "{sent} REGISTERs in answer to 401/423 replies");
    assert!(reg
        .poll_timeout()
        .is_some_and(|t| t >= now + Duration::from_secs(30)));
}
