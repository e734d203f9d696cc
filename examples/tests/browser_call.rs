//! A real browser calls a SIP phone through our gateway (issue #17, minimum slice): JsSIP 3.13 in
//! headless Debian Chromium (fake microphone) connects over WebSocket to
//! `rtcweb_cli::gateway::browser::BrowserGateway` and calls `sip:phone@…`; the gateway
//! answers the browser as an ICE-lite, DTLS-passive endpoint and calls the phone over UDP with
//! plain RTP/AVP PCMU. The phone is sipp (Debian `sip-tester`, nobody here wrote it) running
//! `tests/jssip/uas_pcmu.xml` (200 OK with a PCMU SDP) with `-rtp_echo`: every RTP packet the
//! gateway relays to it comes back, is protected by the gateway and reaches the browser.
//!
//! Asserted (bounded: 90 s; sipp, node and Chromium stopped by PID): the browser's `getStats`
//! shows DTLS connected and an SRTP cipher, more than 200 packets sent and more than 200 received,
//! and the audio played back has energy (the fake microphone's beeps, echoed) with little
//! concealment; the gateway's counters agree (packets relayed each way, nothing refused); a BYE
//! ended both legs — the browser's in one test, sipp's (`tests/jssip/uas_pcmu_bye.xml`) in the
//! other — and sipp finished its scenario with one successful call. Two more: a trunk that
//! requires 100rel and plays early media before its answer, and a phone that transfers the call
//! to a second sipp with REFER (the browser then talks to the target).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

mod common;
use common::browser::{chromium_installed, npm_packages_installed, run_js};
use common::sipp::{free_udp_port, phone_for, phone_with};
use common::{sipp_installed, Killed};

use std::net::UdpSocket;
use std::time::{Duration, Instant};

use rtcweb_cli::gateway::browser::{BrowserGateway, BrowserGatewayConfig, GatewayStats};
use serde_json::Value;

const DEADLINE: Duration = Duration::from_secs(90);
const MIN_PACKETS: u64 = 200;
/// Most packets by which the browser's and the gateway's counts may differ (1 s of PCMU).
const AGREE: u64 = 50;

fn stat(s: &Value, key: &str) -> u64 {
    s.get(key).and_then(Value::as_u64).unwrap_or(0)
}

fn stat_f64(s: &Value, key: &str) -> f64 {
    s.get(key).and_then(Value::as_f64).unwrap_or(0.0)
}

fn stat_str<'a>(s: &'a Value, key: &str) -> &'a str {
    s.get(key).and_then(Value::as_str).unwrap_or("")
}

/// One browser test at a time (each runs Chromium, sipp and the gateway on a 2-core machine).
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn jssip_in_chromium_calls_sipp_through_the_gateway_and_hangs_up() {
    let st = call_through_gateway("uas_pcmu.xml", false);
    assert_eq!(st.early_media, 0, "{st:?}");
}

#[test]
fn sipp_hangs_up_a_call_from_jssip_through_the_gateway() {
    let _ = call_through_gateway("uas_pcmu_bye.xml", true);
}

/// A trunk that requires 100rel and plays early media: its reliable 183 with SDP is PRACKed by
/// the gateway's trunk leg and relayed to the browser as a 183 with our answer, so ICE, DTLS and
/// audio run before the 200 that comes 4 s later (RFC 3262, RFC 3960).
#[test]
fn trunk_requiring_100rel_plays_early_media_to_the_browser_before_the_answer() {
    let st = call_through_gateway("uas_100rel_early.xml", false);
    // 4 s of early media echoed at 50 packets/s, less ICE and DTLS set-up.
    assert!(st.early_media > 100, "{st:?}");
    assert!(
        st.phone_to_web > st.early_media,
        "media went on after the answer: {st:?}"
    );
    assert_logged(&st, "early media");
}

/// Chromium + JsSIP call sipp (`scenario`, in `tests/jssip/`) through the gateway; the browser
/// hangs up after 6 s, or, with `phone_hangs_up`, sipp does after 7 s (the browser would wait 30 s).
fn call_through_gateway(scenario: &str, phone_hangs_up: bool) -> GatewayStats {
    call_with(scenario, phone_hangs_up, None, false).0
}

/// How the browser reaches the gateway in [`call_via`].
#[derive(Default)]
struct Leg {
    /// `wss://` with a self-signed certificate (Chromium trusts its SPKI hash only).
    tls: bool,
    /// The gateway's `--auth-secret`: the browser registers with ephemeral credentials
    /// (`<expiry>:alice`, HMAC-SHA1 of the secret) made by the test, then calls.
    auth_secret: Option<&'static str>,
    /// How long the browser talks before hanging up, when not the default of the scenario.
    seconds: Option<u64>,
    /// SIP over TCP to the phone: sipp with `-t t1` (it then has no UDP socket for SIP at
    /// all) and the gateway's `trunk_transport` TCP.
    trunk_tcp: bool,
    /// How long the phone holds the call (its scenario's pauses), with nothing echoed.
    held: Duration,
    /// The phone is baresip, not sipp: SRTP keyed by SDES required on its side
    /// (`mediaenc=srtp-mand`), the gateway's `trunk_srtp` on, a tone as its microphone.
    baresip: bool,
    /// The browser asks for its camera too: its offer has an audio and a video section.
    video: bool,
}

/// SIP over secure WebSocket (RFC 7118 §3): the gateway serves `wss://` with a self-signed
/// certificate made by openssl for 127.0.0.1; Chromium is started with
/// `--ignore-certificate-errors-spki-list=<its SPKI SHA-256>`, trusting that one key and no
/// other (not `--ignore-certificate-errors`, which would trust anything). JsSIP sends Via
/// `SIP/2.0/WSS`; the call is asserted as over `ws://`: DTLS connected, packets both ways,
/// BYE answered, no call left.
#[test]
fn wss_jssip_in_chromium_calls_sipp_through_the_gateway() {
    let leg = Leg {
        tls: true,
        ..Leg::default()
    };
    let (st, _) = call_via("uas_pcmu.xml", false, None, false, &leg);
    assert!(
        st.log.iter().any(|l| l.starts_with("wss: ")),
        "{:?}",
        st.log
    );
    assert_eq!((st.active_calls, st.sockets_open), (0, 0), "{st:?}");
}

/// Chromium offers audio and video (JsSIP with `video: true`, the fake camera): the gateway
/// answers with the audio section kept and the video one refused in its place (port 0, RFC 3264
/// §6), which Chromium accepts; the call runs as an audio call.
#[test]
fn an_audio_and_video_offer_is_answered_with_audio_alone() {
    let leg = Leg {
        video: true,
        ..Leg::default()
    };
    let (st, _) = call_via("uas_pcmu.xml", false, None, false, &leg);
    assert_eq!(st.finished.len(), 1, "{st:?}");
    assert_eq!((st.active_calls, st.sockets_open), (0, 0), "{st:?}");
}

/// Ephemeral credentials (Kamailio auth_ephemeral, TURN REST): the gateway runs with an auth
/// secret and no user table; the test computes `<now + 1 h>:alice` and its password with
/// rtcweb-proto's `turn_rest` (as a web application would), JsSIP registers with them
/// (`authorization_user`, digest after a 401) and then calls sipp. Asserted: the REGISTER was
/// answered 200 after the challenge and bound alice's AOR, and the call as in the other tests.
#[test]
fn jssip_registers_with_ephemeral_credentials_then_calls_through_the_gateway() {
    let leg = Leg {
        auth_secret: Some("north-wind"),
        ..Leg::default()
    };
    let (st, page) = call_via("uas_pcmu.xml", false, None, false, &leg);
    assert!(
        page.iter().any(|(k, d)| k == "registered" && d == "200"),
        "{page:?}"
    );
    let registers: Vec<&String> = st
        .log
        .iter()
        .filter(|l| l.starts_with("registrar: REGISTER sip:alice@example.com"))
        .collect();
    assert!(
        registers.len() >= 2
            && registers[0].ends_with("-> 401")
            && registers[1].ends_with("-> 200"),
        "challenged, then registered: {:?}",
        st.log
    );
    assert!(
        st.log
            .iter()
            .any(|l| l.starts_with("registrar: sip:alice@example.com bound at")),
        "{:?}",
        st.log
    );
    assert_eq!(st.finished.len(), 1, "{st:?}");
    assert_eq!(st.finished[0].browser, "alice", "{st:?}");
    assert_eq!((st.active_calls, st.sockets_open), (0, 0), "{st:?}");
}

/// Starts sipp as a phone for one call (see [`phone_for`]).
fn phone(scenario: &str, sip_port: u16, dir: &std::path::Path, keys: &[(&str, String)]) -> Killed {
    phone_for(scenario, sip_port, dir, keys, 1)
}

/// [`call_through_gateway`]; with `transfer_to` (a second sipp scenario), the first phone refers
/// the call to a second sipp running it, and the browser talks to that one for the rest.
fn call_with(
    scenario: &str,
    phone_hangs_up: bool,
    transfer_to: Option<&str>,
    hold: bool,
) -> (GatewayStats, Vec<(String, String)>) {
    call_via(scenario, phone_hangs_up, transfer_to, hold, &Leg::default())
}

/// [`call_with`] over the browser `leg` given (`wss://`, ephemeral credentials).
fn call_via(
    scenario: &str,
    phone_hangs_up: bool,
    transfer_to: Option<&str>,
    hold: bool,
    leg: &Leg,
) -> (GatewayStats, Vec<(String, String)>) {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    assert!(sipp_installed(), "sipp (Debian sip-tester) is needed");
    assert!(chromium_installed(), "chromium is needed");
    assert!(npm_packages_installed(), "npm ci in tests/jssip failed");

    // The phone: sipp answering PCMU and echoing RTP; with a transfer, the target too.
    let sip_port = free_udp_port();
    let dir = std::env::temp_dir().join(format!("rtcweb-browser-call-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let target_port = free_udp_port();
    let mut target = transfer_to.map(|t| phone(t, target_port, &dir, &[]));
    let keys = [("target", format!("127.0.0.1:{target_port}"))];
    let baresip = leg
        .baresip
        .then(|| common::baresip::start(sip_port, &dir.join("baresip"), None));
    let mut sipp = (!leg.baresip).then(|| {
        phone_with(
            scenario,
            sip_port,
            &dir,
            if target.is_some() { &keys } else { &[] },
            1,
            if leg.trunk_tcp { &["-t", "t1"] } else { &[] },
        )
    });

    let mut gw_cfg = BrowserGatewayConfig::new(
        "127.0.0.1:0".parse().unwrap(),
        format!("127.0.0.1:{sip_port}").parse().unwrap(),
        [17; 32],
    );
    if leg.trunk_tcp {
        gw_cfg.trunk_transport = rtcweb_proto::Transport::Tcp;
    }
    gw_cfg.trunk_srtp = leg.baresip;
    let mut chromium_args: Vec<String> = CALL_ARGS.iter().map(|a| (*a).to_string()).collect();
    if leg.tls {
        let spki = common::tls::self_signed(&dir);
        gw_cfg.tls = Some(
            rtcweb_cli::sip_stream::server_config(&dir.join("self.pem"), &dir.join("self.key"))
                .unwrap(),
        );
        chromium_args.push(format!("--ignore-certificate-errors-spki-list={spki}"));
    }
    // Ephemeral credentials as a web application hands them out: valid for an hour.
    let (auth_user, password) = match leg.auth_secret {
        Some(secret) => {
            gw_cfg.auth_secret = Some(secret.into());
            let expiry = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs()
                + 3600;
            let mut buf = [0u8; 64];
            let user = rtcweb_proto::turn_rest::username(&mut buf, expiry, "alice").unwrap();
            let password = rtcweb_proto::turn_rest::password(secret.as_bytes(), user);
            (
                Value::from(user.to_string()),
                Value::from(password.as_str().to_string()),
            )
        }
        None => (Value::Null, Value::Null),
    };
    let mut gateway = BrowserGateway::start(gw_cfg).unwrap();
    let ws = gateway.local_addr();

    let cfg = serde_json::json!({
        "url": gateway.url(),
        "authorization_user": auth_user,
        "password": password,
        "uri": "sip:alice@example.com",
        "target": format!("sip:{}@{ws}", if leg.baresip { "baresip" } else { "phone" }),
        "seconds": if let Some(seconds) = leg.seconds {
            seconds
        } else if phone_hangs_up {
            30
        } else if transfer_to.is_some() || hold {
            10
        } else {
            6
        },
        "page": "call_page.js",
        "video": leg.video,
        "hold": if hold { serde_json::json!([3, 5]) } else { Value::Null },
        "args": chromium_args,
    });
    let (mut driver, from_node) = run_js(&cfg);

    let deadline = Instant::now() + DEADLINE;
    let mut page: Vec<(String, String)> = Vec::new();
    let mut final_stats = Value::Null;
    let mut last_stats = Value::Null;
    loop {
        let st = gateway.stats();
        assert!(
            Instant::now() < deadline,
            "no complete call within {DEADLINE:?}: page {page:?}, last stats {last_stats}, gateway {st:?}"
        );
        match from_node.recv_timeout(Duration::from_millis(100)) {
            Ok((kind, detail)) => {
                if kind == "browser-pid" {
                    driver.browser_pid = detail.parse().ok();
                }
                if kind == "stats" {
                    let v: Value = serde_json::from_str(&detail).unwrap_or(Value::Null);
                    // Stats of a closed connection (after the BYE) are empty.
                    if stat(&v, "packetsSent") > 0 {
                        last_stats = v;
                    }
                    continue;
                }
                if kind == "final-stats" {
                    final_stats = serde_json::from_str(&detail).unwrap();
                }
                assert!(
                    kind != "error",
                    "browser: {detail}: page {page:?}, gateway {st:?}"
                );
                let done = kind == "done";
                page.push((kind, detail));
                if done {
                    break;
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(e) => panic!("node went away ({e}): page {page:?}, gateway {st:?}"),
        }
    }
    // The BYE reached the phone: the gateway saw both legs end.
    let wait = Instant::now();
    while !(gateway.stats().web_ended && gateway.stats().trunk_ended)
        && wait.elapsed() < Duration::from_secs(5)
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    let st = gateway.stats();
    // sipp -m 1 exits after its one call: 0 when it succeeded.
    let wait = Instant::now();
    let sipp_status = sipp.as_mut().map(|sipp| loop {
        if let Some(s) = sipp.0.try_wait().unwrap() {
            break Some(s);
        }
        if wait.elapsed() > Duration::from_secs(10) {
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    });
    let target_status = target.as_mut().map(|t| {
        let wait = Instant::now();
        loop {
            if let Some(s) = t.0.try_wait().unwrap() {
                break Some(s);
            }
            if wait.elapsed() > Duration::from_secs(10) {
                break None;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    drop(driver);
    gateway.stop();

    // The browser hanging up reports its stats just before; otherwise the last ones before the
    // phone's BYE.
    let s = if phone_hangs_up {
        &last_stats
    } else {
        &final_stats
    };
    println!("page: {page:?}");
    println!("browser final stats: {s}");
    println!("gateway: {st:#?}");
    println!("sipp: {sipp_status:?}");
    assert_eq!(stat_str(s, "dtlsState"), "connected", "{s}");
    assert!(!stat_str(s, "srtpCipher").is_empty(), "{s}");
    assert!(stat(s, "packetsSent") > MIN_PACKETS, "{s}");
    assert!(stat(s, "packetsReceived") > MIN_PACKETS, "{s}");
    // What came back is sound, not silence nor concealment: the fake microphone's beeps, relayed
    // to sipp as RTP, echoed, relayed back as SRTP and played by the page.
    assert!(stat_f64(s, "totalAudioEnergy") > 0.01, "{s}");
    assert!(stat(s, "totalSamplesReceived") > 0, "{s}");
    // While the phone holds the call, the browser (recvonly) sends nothing for it to echo: that
    // silence is concealed, at PCMU's 8000 samples/s (the codec every scenario here answers).
    let held_samples = (leg.held.as_secs_f64() * 8000.0) as u64;
    assert!(
        stat(s, "concealedSamples").saturating_sub(held_samples) * 10
            <= stat(s, "totalSamplesReceived"),
        "more than 10% of the received audio concealed (beyond {held_samples} samples held): {s}"
    );
    assert!(st.dtls_profile.is_some(), "{st:?}");
    assert!(st.web_to_phone > MIN_PACKETS, "{st:?}");
    assert!(st.phone_to_web > MIN_PACKETS, "{st:?}");
    // The gateway's counts and the browser's agree, but for the packets of the last stats
    // period (the browser's stats are taken up to 500 ms before the call ends: 25 packets).
    let near = |a: u64, b: u64| a.abs_diff(b) <= AGREE;
    assert!(
        near(stat(s, "packetsReceived"), st.phone_to_web),
        "{s} {st:?}"
    );
    assert!(near(stat(s, "packetsSent"), st.web_to_phone), "{s} {st:?}");
    assert_eq!(st.refused, 0, "{st:?}");
    assert!(st.web_ended && st.trunk_ended, "{st:?}");
    if !leg.baresip {
        assert!(
            st.finished.iter().all(|c| c.trunk_srtp.is_none()),
            "plain RTP: {st:?}"
        );
    }
    let who = if phone_hangs_up { "remote" } else { "local" };
    assert!(
        page.iter().any(|(k, d)| k == "ended" && d.starts_with(who)),
        "the call did not end by a {who} BYE: {page:?}"
    );
    if let Some(status) = sipp_status {
        let status = status.expect("sipp did not finish its scenario");
        assert!(status.success(), "sipp: {status:?}");
    }
    if let Some(b) = &baresip {
        // What baresip heard — the browser's fake microphone, decrypted by baresip from the
        // gateway's SDES-SRTP — is sound.
        let rms = b.heard_rms(100.0);
        let log = std::fs::read_to_string(&b.log).unwrap_or_default();
        println!("baresip heard RMS {rms:.0}; its log:\n{log}");
        assert!(rms > 100.0, "baresip heard silence (RMS {rms:.0}): {log}");
    }
    if let Some(t) = target_status {
        let t = t.expect("the transfer target's sipp did not finish");
        assert!(t.success(), "transfer target sipp: {t:?}");
    }
    (st, page)
}

/// The phone transfers the browser's call (RFC 3515): sipp as the first phone
/// (`uas_transferor.xml`) answers, then REFERs the call to a second sipp (`uas_pcmu.xml`); the
/// gateway calls the target, moves the relay to it when it answers, NOTIFYs the transferor
/// 100 then 200 (checked by its scenario) and releases its leg; the browser, untouched, hears
/// the target's echo until it hangs up, and its BYE reaches the target.
#[test]
fn the_phone_transfers_the_browser_call_to_another_phone() {
    let (st, _) = call_with("uas_transferor.xml", false, Some("uas_pcmu.xml"), false);
    assert_logged(&st, "transfer: target answered");
}

/// The browser puts the call on hold and resumes it (JsSIP `hold()` / `unhold()`, re-INVITEs
/// with a=sendonly then a=sendrecv): the gateway forwards each change to the phone as a
/// re-INVITE with the same direction (`uas_hold.xml` checks both and answers recvonly, then
/// sendrecv) and answers the browser with the mirrored direction once the phone has answered.
#[test]
fn the_browser_holds_and_resumes_the_call_through_the_gateway() {
    let (st, page) = call_with("uas_hold.xml", false, None, true);
    for (kind, who) in [("hold", "local"), ("unhold", "local")] {
        assert!(
            page.iter().any(|(k, d)| k == kind && d == who),
            "no {kind} by the browser: {page:?}"
        );
    }
    assert_logged(&st, "new offer (sendonly) -> trunk re-INVITE (sendonly)");
    assert_logged(&st, "web leg answered (recvonly): Ok");
}

/// The phone puts the call on hold and resumes it (`uas_phone_hold.xml`: re-INVITEs with
/// a=sendonly, then a=sendrecv, 2.5 s apart): the gateway forwards each to the browser as a
/// re-INVITE with the same direction, JsSIP answers it (and reports hold, then unhold, by the
/// remote side), and only then is the phone answered, with the browser's direction (recvonly,
/// then sendrecv; the scenario checks both). Media flows again after the resume: the packet
/// counts of the call (10 s, 2.5 s of it held) are asserted as for every call.
#[test]
fn the_phone_holds_and_resumes_the_call_through_the_gateway() {
    let leg = Leg {
        seconds: Some(10),
        held: Duration::from_millis(2500),
        ..Leg::default()
    };
    let (st, page) = call_via("uas_phone_hold.xml", false, None, false, &leg);
    for kind in ["hold", "unhold"] {
        assert!(
            page.iter().any(|(k, d)| k == kind && d == "remote"),
            "no {kind} by the phone reached the browser: {page:?}"
        );
    }
    for line in [
        "trunk leg: new offer (sendonly) -> web re-INVITE (sendonly)",
        "web leg: new offer answered (recvonly); trunk leg answered: Ok",
        "trunk leg: new offer (sendrecv) -> web re-INVITE (sendrecv)",
        "web leg: new offer answered (sendrecv); trunk leg answered: Ok",
    ] {
        assert!(
            st.log.iter().any(|l| l.contains(line)),
            "{line}: {:?}",
            st.log
        );
    }
}

/// SIP over TCP to the phone (RFC 3261 §18): sipp listens on TCP only (`-t t1`), the gateway
/// (`trunk_transport: Tcp`) connects to it for the INVITE and keeps the connection; sipp hangs
/// up (`uas_pcmu_bye.xml`), so its BYE comes to the gateway over that connection, and is
/// answered on it. The call is asserted as over UDP: DTLS connected, packets both ways, both
/// BYEs answered, sipp's scenario passed.
#[test]
fn jssip_calls_sipp_over_tcp_and_sipp_hangs_up() {
    let leg = Leg {
        trunk_tcp: true,
        ..Leg::default()
    };
    let (st, _) = call_via("uas_pcmu_bye.xml", true, None, false, &leg);
    assert_eq!((st.active_calls, st.sockets_open), (0, 0), "{st:?}");
}

/// SDES-SRTP to the trunk (RFC 4568): the phone is baresip (Debian, nobody here wrote it),
/// requiring SRTP keyed by SDES (`mediaenc=srtp-mand`, a 440 Hz tone as its microphone); the
/// gateway runs with `trunk_srtp`, so its INVITE offers `RTP/SAVP` with an `a=crypto` key and
/// takes baresip's from the answer. DTLS-SRTP with the browser, SDES-SRTP with the phone: the
/// browser hears baresip's tone (audio energy, packets received), baresip hears the browser's
/// fake microphone (the WAV it writes has sound), the gateway refused nothing.
#[test]
fn jssip_calls_baresip_with_sdes_srtp_on_the_trunk_leg() {
    let leg = Leg {
        baresip: true,
        ..Leg::default()
    };
    let (st, _) = call_via("uas_pcmu.xml", false, None, false, &leg);
    assert_logged(
        &st,
        "trunk leg: answered (PCMU/8000, SRTP AES_CM_128_HMAC_SHA1_80 (SDES))",
    );
    assert_eq!(
        st.finished[0].trunk_srtp.as_deref(),
        Some("AES_CM_128_HMAC_SHA1_80"),
        "{st:?}"
    );
    assert_eq!(st.refused, 0, "{st:?}");
    assert_eq!((st.active_calls, st.sockets_open), (0, 0), "{st:?}");
}

/// baresip calls a browser with SDES-SRTP (RFC 4568): JsSIP registers as alice; baresip
/// (`mediaenc=srtp-mand`, a tone as microphone) dials `sip:alice@<the gateway's SIP address>`
/// with an `RTP/SAVP` offer; the gateway answers it with SDES (the first suite it has, a key of
/// its own), offers the browser DTLS-SRTP, and relays; the browser hangs up after 6 s. Asserted:
/// the browser hears the tone and sends its microphone (packets, audio energy), baresip's decoded
/// audio has sound, the gateway's call used SDES on the trunk and refused nothing.
#[test]
fn baresip_calls_a_browser_with_sdes_srtp_on_the_trunk_leg() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    assert!(chromium_installed(), "chromium is needed");
    assert!(npm_packages_installed(), "npm ci in tests/jssip failed");
    let phone_port = free_udp_port();
    let mut cfg = BrowserGatewayConfig::new(
        "127.0.0.1:0".parse().unwrap(),
        format!("127.0.0.1:{phone_port}").parse().unwrap(),
        [23; 32],
    );
    cfg.users = vec![("alice".into(), "secret".into())];
    let mut gateway = BrowserGateway::start(cfg).unwrap();
    let (ws, sip) = (gateway.local_addr(), gateway.sip_addr());
    let (mut driver, from_node) = run_js(&serde_json::json!({
        "url": format!("ws://{ws}"),
        "uri": "sip:alice@example.com",
        "password": "secret",
        "page": "answer_page.js",
        "hangUpAfter": 6,
        "args": CALL_ARGS,
    }));
    let dir = std::env::temp_dir().join(format!("rtcweb-baresip-calls-{}", std::process::id()));
    let mut baresip = None;
    let page = pump_page(
        &from_node,
        &mut driver,
        &gateway,
        |_| {},
        |kind, _| {
            if kind == "registered" && baresip.is_none() {
                let uri = format!("sip:alice@{sip}");
                baresip = Some(common::baresip::start(phone_port, &dir, Some(&uri)));
            }
        },
    );
    drop(driver);
    let b = baresip.expect("baresip started");
    let rms = b.heard_rms(100.0);
    let st = gateway.stats();
    gateway.stop();
    let log = std::fs::read_to_string(&b.log).unwrap_or_default();
    println!("page: {page:?}\ngateway: {st:#?}\nbaresip heard RMS {rms:.0}; its log:\n{log}");
    let s: Value = page
        .iter()
        .find(|(k, _)| k == "final-stats")
        .and_then(|(_, d)| serde_json::from_str(d).ok())
        .expect("the browser's stats before it hung up");
    assert_eq!(stat_str(&s, "dtlsState"), "connected", "{s}");
    assert!(stat(&s, "packetsSent") > MIN_PACKETS, "{s}");
    assert!(stat(&s, "packetsReceived") > MIN_PACKETS, "{s}");
    assert!(stat_f64(&s, "totalAudioEnergy") > 0.01, "the tone: {s}");
    assert!(rms > 100.0, "baresip heard silence (RMS {rms:.0}): {log}");
    assert_logged(&st, "trunk leg answered (SRTP AES_CM_128_HMAC_SHA1_");
    assert_eq!(st.finished.len(), 1, "{st:?}");
    let c = &st.finished[0];
    assert!(
        c.trunk_srtp
            .as_deref()
            .is_some_and(|s| s.starts_with("AES_CM_128_HMAC_SHA1_")),
        "{c:?}"
    );
    assert!(c.web_to_phone > MIN_PACKETS, "{}", c.line());
    assert!(c.phone_to_web > MIN_PACKETS, "{}", c.line());
    assert_eq!(c.refused, 0, "{}", c.line());
    assert_eq!((st.active_calls, st.sockets_open), (0, 0), "{st:?}");
}

/// Chromium's flags for a call: fake microphone and camera prompt, loopback ICE, no mDNS names.
const CALL_ARGS: [&str; 4] = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
];

/// Reads the page's reports until `done` (bounded by [`DEADLINE`]): the browser's PID noted for
/// its driver, an `error` fails the test, each `stats` report goes to `on_stats` (not kept),
/// every other report goes to `on` and is kept, in order.
fn pump_page(
    from_node: &std::sync::mpsc::Receiver<(String, String)>,
    driver: &mut common::browser::Driver,
    gateway: &BrowserGateway,
    mut on_stats: impl FnMut(Value),
    mut on: impl FnMut(&str, &str),
) -> Vec<(String, String)> {
    let deadline = Instant::now() + DEADLINE;
    let mut page: Vec<(String, String)> = Vec::new();
    loop {
        assert!(
            Instant::now() < deadline,
            "not done within {DEADLINE:?}: page {page:?}, gateway {:?}",
            gateway.stats()
        );
        match from_node.recv_timeout(Duration::from_millis(100)) {
            Ok((kind, detail)) => {
                match kind.as_str() {
                    "browser-pid" => driver.browser_pid = detail.parse().ok(),
                    "stats" => {
                        on_stats(serde_json::from_str(&detail).unwrap_or(Value::Null));
                        continue;
                    }
                    "error" => panic!(
                        "browser: {detail}: page {page:?}, gateway {:?}",
                        gateway.stats()
                    ),
                    _ => {}
                }
                on(&kind, &detail);
                let done = kind == "done";
                page.push((kind, detail));
                if done {
                    return page;
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(e) => panic!(
                "node went away ({e}): page {page:?}, gateway {:?}",
                gateway.stats()
            ),
        }
    }
}

/// The gateway's log has a line containing `needle`.
fn assert_logged(st: &GatewayStats, needle: &str) {
    assert!(
        st.log.iter().any(|l| l.contains(needle)),
        "no {needle:?} in the gateway's log: {:?}",
        st.log
    );
}

/// Waits up to `limit` for a child to exit.
fn exit_of(child: &mut Killed, limit: Duration) -> Option<std::process::ExitStatus> {
    let wait = Instant::now();
    loop {
        if let Some(s) = child.0.try_wait().unwrap() {
            return Some(s);
        }
        if wait.elapsed() > limit {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Three browsers call at once (three pages of one Chromium, each its own JsSIP UA and
/// WebSocket) through one gateway to one sipp (`-m 3`, RTP echo): each call has its own media
/// sockets, media flows both ways on each, each ends with the browser's BYE, and afterwards the
/// gateway's call table is empty and every media socket closed.
#[test]
fn three_browsers_call_the_phone_at_the_same_time() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    assert!(sipp_installed(), "sipp (Debian sip-tester) is needed");
    assert!(chromium_installed(), "chromium is needed");
    assert!(npm_packages_installed(), "npm ci in tests/jssip failed");
    const CALLS: usize = 3;
    let sip_port = free_udp_port();
    let dir = std::env::temp_dir().join(format!("rtcweb-browser-calls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut sipp = phone_for("uas_pcmu.xml", sip_port, &dir, &[], CALLS as u32);
    let mut cfg = BrowserGatewayConfig::new(
        "127.0.0.1:0".parse().unwrap(),
        format!("127.0.0.1:{sip_port}").parse().unwrap(),
        [18; 32],
    );
    cfg.max_calls = CALLS;
    let mut gateway = BrowserGateway::start(cfg).unwrap();
    let ws = gateway.local_addr();
    let pages: Vec<Value> = (0..CALLS)
        .map(|i| {
            serde_json::json!({
                "url": format!("ws://{ws}"),
                "uri": format!("sip:caller{i}@example.com"),
                "target": format!("sip:phone@{ws}"),
                "seconds": 7,
                "page": "call_page.js",
            })
        })
        .collect();
    let (mut driver, from_node) = run_js(&serde_json::json!({
        "pages": pages,
        "args": CALL_ARGS,
    }));
    let deadline = Instant::now() + DEADLINE;
    let mut lines: Vec<(String, String)> = Vec::new();
    let mut final_stats = vec![Value::Null; CALLS];
    let mut most_at_once = 0;
    loop {
        let st = gateway.stats();
        most_at_once = most_at_once.max(st.active_calls);
        assert!(
            Instant::now() < deadline,
            "not done within {DEADLINE:?}: {lines:?}, gateway {st:?}"
        );
        match from_node.recv_timeout(Duration::from_millis(100)) {
            Ok((kind, detail)) => {
                if kind == "browser-pid" {
                    driver.browser_pid = detail.parse().ok();
                }
                if kind == "done" {
                    break;
                }
                let (page, what) = kind.split_once(':').unwrap_or(("", kind.as_str()));
                assert!(what != "error", "page {page}: {detail}: {lines:?}");
                if what == "stats" {
                    continue;
                }
                if what == "final-stats" {
                    let i: usize = page.parse().unwrap();
                    final_stats[i] = serde_json::from_str(&detail).unwrap();
                }
                lines.push((kind, detail));
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(e) => panic!("node went away ({e}): {lines:?}"),
        }
    }
    // Every BYE answered: the table empties and the sockets close.
    let wait = Instant::now();
    while gateway.stats().finished.len() < CALLS && wait.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let sipp_status = exit_of(&mut sipp, Duration::from_secs(10));
    drop(driver);
    let st = gateway.stats();
    gateway.stop();
    println!("gateway: {st:#?}");
    for (i, s) in final_stats.iter().enumerate() {
        println!("page {i}: {s}");
        assert_eq!(stat_str(s, "dtlsState"), "connected", "page {i}: {s}");
        assert!(stat(s, "packetsSent") > MIN_PACKETS, "page {i}: {s}");
        assert!(stat(s, "packetsReceived") > MIN_PACKETS, "page {i}: {s}");
        assert!(stat_f64(s, "totalAudioEnergy") > 0.01, "page {i}: {s}");
    }
    assert_eq!(most_at_once, CALLS, "the calls overlapped: {st:?}");
    assert_eq!(st.finished.len(), CALLS, "{st:?}");
    for c in &st.finished {
        println!("{}", c.line());
        assert!(c.web_to_phone > MIN_PACKETS, "{}", c.line());
        assert!(c.phone_to_web > MIN_PACKETS, "{}", c.line());
        assert_eq!(c.refused, 0, "{}", c.line());
        assert_eq!(c.codec, "PCMU/8000", "{}", c.line());
        assert!(c.dtls_profile.is_some(), "{}", c.line());
    }
    // The three browsers were three different calls with their own media.
    let mut users: Vec<&str> = st.finished.iter().map(|c| c.browser.as_str()).collect();
    users.sort_unstable();
    assert_eq!(users, ["caller0", "caller1", "caller2"]);
    assert_eq!(st.active_calls, 0, "{st:?}");
    assert!(st.active.is_empty(), "{st:?}");
    assert_eq!(st.sockets_open, 0, "every media socket closed: {st:?}");
    assert_eq!(st.refused_calls, 0, "{st:?}");
    let sipp_status = sipp_status.expect("sipp did not finish its three calls");
    assert!(sipp_status.success(), "sipp: {sipp_status:?}");
}

/// The final status the gateway's trunk side answers a hand-made INVITE to `sip:user@gw` with.
fn invite_status(gw: std::net::SocketAddr, user: &str) -> u16 {
    let text = invite_response(gw, user);
    text.strip_prefix("SIP/2.0 ")
        .and_then(|r| r.get(..3))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

/// The final response the gateway's trunk side answers a hand-made INVITE to `sip:user@gw` with.
fn invite_response(gw: std::net::SocketAddr, user: &str) -> String {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let local = s.local_addr().unwrap();
    let sdp = "v=0\r\no=probe 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
               m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
    let msg = format!(
        "INVITE sip:{user}@{gw} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bKprobe{user}\r\n\
         From: <sip:probe@{local}>;tag=probe\r\nTo: <sip:{user}@{gw}>\r\n\
         Call-ID: probe-{user}@{local}\r\nCSeq: 1 INVITE\r\nContact: <sip:probe@{local}>\r\n\
         Max-Forwards: 70\r\nContent-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
        sdp.len()
    );
    s.send_to(msg.as_bytes(), gw).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        let (n, _) = s.recv_from(&mut buf).expect("no final response");
        let text = String::from_utf8_lossy(&buf[..n]);
        let code: u16 = text
            .strip_prefix("SIP/2.0 ")
            .and_then(|r| r.get(..3))
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        if code >= 200 {
            return text.into_owned();
        }
    }
}

/// The phone calls the browser: JsSIP in Chromium registers as alice over WebSocket (digest),
/// sipp (`tests/jssip/uac_call_alice.xml`, `-rtp_echo`) calls `sip:alice@<the gateway's trunk
/// address>`; the gateway finds alice's binding, sends the browser its own WebRTC offer
/// (ICE-lite, `a=setup:actpass`, fingerprint, rtcp-mux, candidates, PCMU and telephone-event
/// from the phone's offer) over alice's connection, JsSIP answers by itself, and media flows both
/// ways (the browser's microphone to sipp and its echo back) until sipp's BYE. Unknown users get
/// 404; alice, once unregistered, 480.
#[test]
fn the_phone_calls_a_browser_registered_over_websocket() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    assert!(sipp_installed(), "sipp (Debian sip-tester) is needed");
    assert!(chromium_installed(), "chromium is needed");
    assert!(npm_packages_installed(), "npm ci in tests/jssip failed");
    let mut cfg = BrowserGatewayConfig::new(
        "127.0.0.1:0".parse().unwrap(),
        // Not called in this test.
        format!("127.0.0.1:{}", free_udp_port()).parse().unwrap(),
        [19; 32],
    );
    cfg.users = vec![("alice".into(), "secret".into())];
    let mut gateway = BrowserGateway::start(cfg).unwrap();
    let ws = gateway.local_addr();
    let sip = gateway.sip_addr();
    assert_eq!(invite_status(sip, "bob"), 404, "nobody is bob");

    let (mut driver, from_node) = run_js(&serde_json::json!({
        "url": format!("ws://{ws}"),
        "uri": "sip:alice@example.com",
        "password": "secret",
        "page": "answer_page.js",
        "args": CALL_ARGS,
    }));
    let dir = std::env::temp_dir().join(format!("rtcweb-phone-calls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut last_stats = Value::Null;
    let mut sipp: Option<Killed> = None;
    let on_stats = |v: Value| {
        if stat(&v, "packetsSent") > 0 {
            last_stats = v;
        }
    };
    let page = pump_page(&from_node, &mut driver, &gateway, on_stats, |kind, _| {
        if kind == "registered" && sipp.is_none() {
            // The phone calls alice at the gateway's trunk address.
            let target = sip.to_string();
            sipp = Some(phone_with(
                "uac_call_alice.xml",
                free_udp_port(),
                &dir,
                &[],
                1,
                &["-s", "alice", &target],
            ));
        }
    });
    let sipp_status = exit_of(
        sipp.as_mut().expect("sipp started"),
        Duration::from_secs(10),
    );
    // alice unregistered when the call ended: a known user, not reachable now.
    assert_eq!(
        invite_status(sip, "alice"),
        480,
        "{:?}",
        gateway.stats().log
    );
    drop(driver);
    let wait = Instant::now();
    while gateway.stats().calls_from_trunk < 3 && wait.elapsed() < Duration::from_secs(2) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let st = gateway.stats();
    gateway.stop();
    let s = &last_stats;
    println!("page: {page:?}");
    println!("browser stats: {s}");
    println!("gateway: {st:#?}");
    let said = |k: &str| {
        page.iter()
            .find(|(kind, _)| kind == k)
            .map(|(_, d)| d.as_str())
    };
    // What the gateway offered the browser (RFC 5763 §5: the offerer says actpass).
    let offer = said("remote-sdp").expect("the browser had our offer");
    for line in [
        "a=ice-lite",
        "a=setup:actpass",
        "a=fingerprint:sha-256",
        "a=rtcp-mux",
        "a=candidate:",
        "telephone-event/8000",
    ] {
        assert!(offer.contains(line), "no {line} in our offer: {offer}");
    }
    assert!(
        said("local-sdp").is_some_and(|a| a.contains("a=setup:active")),
        "{page:?}"
    );
    assert!(
        page.iter()
            .any(|(k, d)| k == "ended" && d.starts_with("remote")),
        "the phone's BYE ended the call: {page:?}"
    );
    assert_eq!(stat_str(s, "dtlsState"), "connected", "{s}");
    assert!(!stat_str(s, "srtpCipher").is_empty(), "{s}");
    assert!(stat(s, "packetsSent") > MIN_PACKETS, "{s}");
    assert!(stat(s, "packetsReceived") > MIN_PACKETS, "{s}");
    assert!(stat_f64(s, "totalAudioEnergy") > 0.01, "{s}");
    assert_eq!(st.finished.len(), 1, "{st:?}");
    let c = &st.finished[0];
    println!("{}", c.line());
    assert_eq!(c.browser, "alice");
    assert_eq!(c.codec, "PCMU/8000");
    assert!(c.web_to_phone > MIN_PACKETS, "{}", c.line());
    assert!(c.phone_to_web > MIN_PACKETS, "{}", c.line());
    assert_eq!(c.refused, 0, "{}", c.line());
    assert_eq!(
        st.calls_from_trunk, 3,
        "bob, alice's call, alice unregistered: {st:?}"
    );
    assert_eq!((st.active_calls, st.sockets_open), (0, 0), "{st:?}");
    let sipp_status = sipp_status.expect("sipp did not finish its call");
    assert!(sipp_status.success(), "sipp: {sipp_status:?}");
}

/// Past `max_calls` a new INVITE is refused at once with 503 and Retry-After (here from the
/// trunk side, with a bound of zero calls), and the refusal holds nothing.
#[test]
fn an_invite_past_max_calls_gets_503_with_retry_after() {
    let mut cfg = BrowserGatewayConfig::new(
        "127.0.0.1:0".parse().unwrap(),
        format!("127.0.0.1:{}", free_udp_port()).parse().unwrap(),
        [20; 32],
    );
    cfg.max_calls = 0;
    cfg.retry_after = 7;
    let mut gateway = BrowserGateway::start(cfg).unwrap();
    let response = invite_response(gateway.sip_addr(), "alice");
    assert!(response.starts_with("SIP/2.0 503 "), "{response}");
    assert!(response.contains("\r\nRetry-After: 7\r\n"), "{response}");
    let wait = Instant::now();
    while gateway.stats().refused_calls == 0 && wait.elapsed() < Duration::from_secs(2) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let st = gateway.stats();
    gateway.stop();
    assert_eq!(st.refused_calls, 1, "{st:?}");
    assert_eq!(
        (st.calls_from_trunk, st.active_calls, st.sockets_open),
        (0, 0, 0),
        "{st:?}"
    );
}
