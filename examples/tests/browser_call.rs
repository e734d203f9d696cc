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
use common::browser::{chromium_installed, folder, npm_packages_installed, run_js};
use common::{sipp_installed, Killed};

use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rtcweb_cli::gateway::browser::{BrowserGateway, BrowserGatewayConfig, GatewayStats};
use serde_json::Value;

const DEADLINE: Duration = Duration::from_secs(90);
const MIN_PACKETS: u64 = 200;
/// Most packets by which the browser's and the gateway's counts may differ (1 s of PCMU).
const AGREE: u64 = 50;

fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

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
    assert!(
        st.log.iter().any(|l| l.contains("early media")),
        "{:?}",
        st.log
    );
}

/// Chromium + JsSIP call sipp (`scenario`, in `tests/jssip/`) through the gateway; the browser
/// hangs up after 6 s, or, with `phone_hangs_up`, sipp does after 7 s (the browser would wait 30 s).
fn call_through_gateway(scenario: &str, phone_hangs_up: bool) -> GatewayStats {
    call_with(scenario, phone_hangs_up, None, false).0
}

/// Starts sipp as a phone on `sip_port` (scenario in `tests/jssip/`, echoing RTP on a free
/// even port), with `-key` pairs for the scenario.
fn phone(scenario: &str, sip_port: u16, dir: &std::path::Path, keys: &[(&str, String)]) -> Killed {
    let mut media_port = free_udp_port();
    if media_port % 2 == 1 {
        media_port -= 1;
    }
    let mut cmd = Command::new("sipp");
    cmd.args([
        "-sf",
        folder().join(scenario).to_str().unwrap(),
        "-i",
        "127.0.0.1",
        "-p",
        &sip_port.to_string(),
        "-mi",
        "127.0.0.1",
        "-mp",
        &media_port.to_string(),
        "-rtp_echo",
        "-m",
        "1",
        "-nostdin",
        "-trace_err",
    ]);
    for (k, v) in keys {
        cmd.args(["-key", k, v]);
    }
    Killed(
        cmd.current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting sipp"),
    )
}

/// [`call_through_gateway`]; with `transfer_to` (a second sipp scenario), the first phone refers
/// the call to a second sipp running it, and the browser talks to that one for the rest.
fn call_with(
    scenario: &str,
    phone_hangs_up: bool,
    transfer_to: Option<&str>,
    hold: bool,
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
    let mut sipp = phone(
        scenario,
        sip_port,
        &dir,
        if target.is_some() { &keys } else { &[] },
    );

    let mut gateway = BrowserGateway::start(BrowserGatewayConfig {
        ws: "127.0.0.1:0".parse().unwrap(),
        trunk: format!("127.0.0.1:{sip_port}").parse().unwrap(),
        seed: [17; 32],
    })
    .unwrap();
    let ws = gateway.local_addr();

    let cfg = serde_json::json!({
        "url": format!("ws://{ws}"),
        "uri": "sip:alice@example.com",
        "target": format!("sip:phone@{ws}"),
        "seconds": if phone_hangs_up {
            30
        } else if transfer_to.is_some() || hold {
            10
        } else {
            6
        },
        "page": "call_page.js",
        "hold": if hold { serde_json::json!([3, 5]) } else { Value::Null },
        "args": [
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            "--allow-loopback-in-peer-connection",
            "--disable-features=WebRtcHideLocalIpsWithMdns",
        ],
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
    let sipp_status = loop {
        if let Some(s) = sipp.0.try_wait().unwrap() {
            break Some(s);
        }
        if wait.elapsed() > Duration::from_secs(10) {
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
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
    assert!(
        stat(s, "concealedSamples") * 10 <= stat(s, "totalSamplesReceived"),
        "more than 10% of the received audio concealed: {s}"
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
    let who = if phone_hangs_up { "remote" } else { "local" };
    assert!(
        page.iter().any(|(k, d)| k == "ended" && d.starts_with(who)),
        "the call did not end by a {who} BYE: {page:?}"
    );
    let sipp_status = sipp_status.expect("sipp did not finish its scenario");
    assert!(sipp_status.success(), "sipp: {sipp_status:?}");
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
    assert!(
        st.log
            .iter()
            .any(|l| l.contains("transfer: target answered")),
        "{:?}",
        st.log
    );
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
    assert!(
        st.log
            .iter()
            .any(|l| l.contains("new offer (sendonly) -> trunk re-INVITE (sendonly)")),
        "{:?}",
        st.log
    );
    assert!(
        st.log
            .iter()
            .any(|l| l.contains("web leg answered (recvonly): Ok")),
        "{:?}",
        st.log
    );
}
