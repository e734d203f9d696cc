//! The REGISTER client (`registration::Registration`) against a hostile registrar: final and
//! provisional responses to its real REGISTERs with arbitrary status codes and headers (Expires,
//! Contact;expires, Flow-Timer, Min-Expires, WWW-/Proxy-Authenticate with and without stale,
//! garbage lines), transaction timeouts, application calls and time jumps up to centuries.
//!
//! Invariants, beyond "no panic":
//! - one REGISTER at a time (§10.2): none is produced while the previous one is unanswered;
//! - after every input, `poll_timeout` is `None` or strictly after `now` (every deadline at or
//!   before `now` fired in `handle_timeout`; every new one lies ahead), and a `Registered` state's
//!   `until` lies ahead;
//! - REGISTERs sent in direct answer to responses (401/407/423 retries) come in bounded runs:
//!   at most `max_auth_attempts + max_stale_retries + 2` in a row, then the client backs off;
//! - a REGISTER sent by a timer comes at least 500 ms (the refresh of `Expires: 1`) after the last
//!   final response, and at least `retry_base` after a failure: at most 7 200 timer-driven
//!   REGISTERs per simulated hour;
//! - `Registered` / `Unregistered` events only right after a 2xx, and only for a REGISTER that
//!   asked for it (Expires > 0 / Expires: 0);
//! - at most three events per input (no loops filling the queue).
#![no_main]

mod input;

use core::time::Duration;

use libfuzzer_sys::fuzz_target;

use input::{byte, take};
use rtcweb_sip_core::message::builder::MessageBuilder;
use rtcweb_sip_core::message::{Header, Message};
use rtcweb_sip_core::registration::{
    Credentials, Registration, RegistrationConfig, RegistrationEvent, RegistrationState,
};
use rtcweb_sip_core::Instant;

const CONTACT: &str = "<sip:alice@192.0.2.1:5060>";
/// The clock stops here (200 years): beyond, `now + d` saturates to the end of time and a
/// deadline cannot lie strictly ahead any more.
const MAX_NOW: i64 = 200 * 365 * 86_400 * 1_000_000_000;

/// A number as a registrar might write it: small, boundary, huge, negative or not a number.
fn number(data: &mut &[u8]) -> String {
    let sel = byte(data);
    let raw = take(data, 8);
    let mut b = [0u8; 8];
    b[..raw.len()].copy_from_slice(raw);
    let v = u64::from_le_bytes(b);
    match sel % 12 {
        0 => "0".into(),
        1 => "1".into(),
        2 => "60".into(),
        3 => "3600".into(),
        4 => "4294967295".into(),
        5 => "4294967296".into(),
        6 => "18446744073709551615".into(),
        7 => "99999999999999999999999".into(),
        8 => "-1".into(),
        9 => format!("{}", v % 100_000),
        10 => format!("{}", v as u32),
        _ => format!("{v}"),
    }
}

/// A header line a registrar might send.
fn header(data: &mut &[u8]) -> (String, String) {
    let kind = byte(data);
    let n = number(data);
    let stale = if kind & 0x80 != 0 { ", stale=true" } else { "" };
    let nonce = byte(data) % 4;
    match kind % 12 {
        0 => ("Expires".into(), n),
        1 => ("Contact".into(), format!("{CONTACT};expires={n}")),
        2 => ("Contact".into(), format!("<sip:other@192.0.2.7>;expires={n}")),
        3 => ("Flow-Timer".into(), n),
        4 => ("Min-Expires".into(), n),
        5 => (
            "WWW-Authenticate".into(),
            format!("Digest realm=\"example.com\", nonce=\"n{nonce}\", qop=\"auth\"{stale}"),
        ),
        6 => (
            "Proxy-Authenticate".into(),
            format!("Digest realm=\"example.com\", nonce=\"n{nonce}\", algorithm=SHA-256{stale}"),
        ),
        7 => (
            "WWW-Authenticate".into(),
            format!("Digest realm=\"r\", nonce=\"n{nonce}\", qop=\"auth-int\", algorithm=MD5-sess{stale}"),
        ),
        8 => ("WWW-Authenticate".into(), "Basic realm=\"r\"".into()),
        9 => ("Contact".into(), "*".into()),
        10 => ("Retry-After".into(), n),
        _ => {
            // Any line: a name and a value from the input.
            let len = usize::from(byte(data) % 48);
            let raw = String::from_utf8_lossy(take(data, len)).into_owned();
            let (name, value) = raw.split_once(':').unwrap_or(("X-Fuzz", raw.as_str()));
            (name.trim().to_owned(), value.trim().to_owned())
        }
    }
}

/// The REGISTER waiting for its final response.
struct Pending {
    bytes: Vec<u8>,
    expires: u32,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Cause {
    App,
    Response,
    Timer,
}

fn expires_of(request: &[u8]) -> u32 {
    let mut st = [Header::EMPTY; 64];
    let msg = Message::parse(request, &mut st).expect("the client's REGISTER parses");
    let value = msg.header("expires").expect("REGISTER has Expires").value();
    value.trim().parse().expect("numeric Expires")
}

struct Model {
    pending: Option<Pending>,
    /// REGISTERs sent in answer to responses since the last one sent by a timer or the app.
    run: u32,
    last_final: Option<Instant>,
    last_failure: Option<Instant>,
    hour: i64,
    timer_registers_this_hour: u32,
}

fuzz_target!(|input: &[u8]| {
    let mut data = input;
    let mode = byte(&mut data);
    let mut cfg = RegistrationConfig::new(
        "sip:example.com",
        "sip:alice@example.com",
        CONTACT,
        "SIP/2.0/UDP 192.0.2.1:5060",
    );
    if mode & 1 == 0 {
        cfg.credentials = Some(Credentials::new("alice", "pw"));
    }
    if mode & 2 != 0 {
        cfg.instance_id = Some("<urn:uuid:00000000-0000-1000-8000-000A95A0E128>".into());
    }
    cfg.expires = [3600, 1, 120, u32::MAX][usize::from(mode >> 2) % 4];
    let (max_auth, max_stale, retry_base) =
        (cfg.max_auth_attempts, cfg.max_stale_retries, cfg.retry_base);
    let mut reg = Registration::new(cfg, [mode; 32]);
    let mut now = Instant::ZERO;
    let mut m = Model {
        pending: None,
        run: 0,
        last_final: None,
        last_failure: None,
        hour: 0,
        timer_registers_this_hour: 0,
    };
    while !data.is_empty() {
        let op = byte(&mut data);
        let mut cause = Cause::App;
        let mut answered: Option<(u16, u32)> = None;
        match op % 9 {
            // An application call may queue a request (sent when the one in flight is
            // answered): the run of response-driven REGISTERs starts again either way.
            0 => {
                m.run = 0;
                reg.register(now);
            }
            1 => {
                m.run = 0;
                reg.unregister(now);
            }
            2..=4 | 8 => {
                // A response to the REGISTER in flight (none reaches the client otherwise: the
                // transaction layer matches them): status and headers from the menus, or (op 8)
                // from a whole response in the input (a fixture), transplanted onto the request.
                let Some(p) = &m.pending else { continue };
                let mut st = [Header::EMPTY; 64];
                let req = Message::parse(&p.bytes, &mut st).expect("the client's REGISTER parses");
                let bytes = if op % 9 == 8 {
                    let len = usize::from(u16::from_le_bytes([byte(&mut data), byte(&mut data)]));
                    let raw = take(&mut data, len);
                    let mut st = [Header::EMPTY; 64];
                    let Ok(fixture) = Message::parse(raw, &mut st) else {
                        continue;
                    };
                    let Some(code) = fixture.status() else {
                        continue;
                    };
                    let mut b = MessageBuilder::response_to(&req, code, "Fixture", Some("reg1"));
                    for h in fixture.headers() {
                        if !matches!(
                            h.name().to_ascii_lowercase().as_str(),
                            "via"
                                | "from"
                                | "to"
                                | "call-id"
                                | "cseq"
                                | "content-length"
                                | "v"
                                | "f"
                                | "t"
                                | "i"
                                | "l"
                        ) {
                            b.add_header(h.name(), h.value());
                        }
                    }
                    b.to_vec()
                } else {
                    let code = match byte(&mut data) % 12 {
                        0 => 100,
                        1 => 183,
                        2 | 3 => 200,
                        4 | 5 => 401,
                        6 => 407,
                        7 | 8 => 423,
                        9 => 403,
                        10 => 503,
                        _ => 100 + u16::from(byte(&mut data)) * 3,
                    };
                    let mut b = MessageBuilder::response_to(&req, code, "Fuzz", Some("reg1"));
                    for _ in 0..byte(&mut data) % 6 {
                        let (name, value) = header(&mut data);
                        b.add_header(name, value);
                    }
                    b.to_vec()
                };
                let mut st = [Header::EMPTY; 64];
                let Ok(resp) = Message::parse(&bytes, &mut st) else {
                    continue;
                };
                let Some(code) = resp.status() else { continue };
                if code >= 200 {
                    answered = Some((code, p.expires));
                    m.pending = None;
                    m.last_final = Some(now);
                }
                reg.handle_response(now, &resp);
                cause = Cause::Response;
            }
            5 => {
                // Timer F, or the transaction layer refused the request.
                if m.pending.take().is_none() {
                    continue;
                }
                m.last_final = Some(now);
                reg.handle_transaction_timeout(now);
                cause = Cause::Response;
            }
            _ => {
                let step = match byte(&mut data) % 6 {
                    0 => Duration::from_millis(u64::from(byte(&mut data)) * 10),
                    1 => Duration::from_secs(u64::from(byte(&mut data))),
                    2 => Duration::from_secs(u64::from(byte(&mut data)) * 600),
                    3 => Duration::from_secs(
                        u64::from(u16::from_le_bytes([byte(&mut data), byte(&mut data)])) * 86_400,
                    ),
                    4 => Duration::from_secs(u64::MAX),
                    _ => reg
                        .poll_timeout()
                        .map_or(Duration::ZERO, |t| t.saturating_duration_since(now)),
                };
                let nanos = i64::try_from(step.as_nanos()).unwrap_or(i64::MAX);
                now = Instant::from_nanos(now.as_nanos().saturating_add(nanos).min(MAX_NOW));
                reg.handle_timeout(now);
                cause = Cause::Timer;
            }
        }

        // Output: at most one REGISTER per input, never two at once.
        if let Some(req) = reg.poll_request() {
            assert!(
                m.pending.is_none(),
                "a second REGISTER while one is unanswered"
            );
            match cause {
                Cause::Response => {
                    m.run += 1;
                    assert!(
                        m.run <= u32::from(max_auth) + u32::from(max_stale) + 2,
                        "{} REGISTERs in a row sent in answer to responses, without back-off",
                        m.run
                    );
                }
                Cause::Timer => {
                    m.run = 0;
                    if let Some(t) = m.last_final {
                        assert!(
                            now.saturating_duration_since(t) >= Duration::from_millis(500),
                            "timer REGISTER {:?} after the last final response",
                            now.saturating_duration_since(t)
                        );
                    }
                    if let Some(t) = m.last_failure {
                        assert!(
                            now.saturating_duration_since(t) >= retry_base,
                            "retry {:?} after a failure, before the back-off",
                            now.saturating_duration_since(t)
                        );
                    }
                    let hour = now.as_nanos() / 3_600_000_000_000;
                    if hour != m.hour {
                        m.hour = hour;
                        m.timer_registers_this_hour = 0;
                    }
                    m.timer_registers_this_hour += 1;
                    assert!(m.timer_registers_this_hour <= 7_200);
                }
                Cause::App => m.run = 0,
            }
            m.pending = Some(Pending {
                expires: expires_of(&req),
                bytes: req,
            });
            assert!(reg.poll_request().is_none());
        }
        let mut events = 0;
        while let Some(e) = reg.poll_event() {
            events += 1;
            match e {
                RegistrationEvent::Registered { .. } => {
                    let (code, expires) = answered.expect("Registered without a response");
                    assert!(
                        (200..300).contains(&code) && expires > 0,
                        "Registered after {code} to Expires: {expires}"
                    );
                    m.last_failure = None;
                }
                RegistrationEvent::Unregistered => {
                    let (code, expires) = answered.expect("Unregistered without a response");
                    assert!(
                        (200..300).contains(&code) && expires == 0,
                        "Unregistered after {code} to a REGISTER with Expires: {expires}: the registrar still holds the binding"
                    );
                }
                RegistrationEvent::Failed { .. } => m.last_failure = Some(now),
                _ => {}
            }
        }
        assert!(events <= 3, "{events} events from one input");
        if let Some(t) = reg.poll_timeout() {
            assert!(t > now, "deadline {t} not after {now}");
        }
        if let RegistrationState::Registered { until } = reg.state() {
            assert!(until > now, "registered until {until}, now {now}");
        }
    }
});
