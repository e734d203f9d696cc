//! The browser gateway's failure paths end to end (issue #17): JsSIP 3.13 in headless Debian
//! Chromium (`tests/jssip/call_page.js`) calls sipp through
//! `rtcweb_cli::gateway::browser::BrowserGateway`, and the call goes wrong in one of three ways:
//!
//! - the browser vanishes mid-call (Chromium killed by PID: its WebSocket drops without a close
//!   frame or a BYE): the gateway hangs the phone up with a BYE (`uas_pcmu.xml` expects it and
//!   answers 200);
//! - the browser gives up while the phone rings (JsSIP `terminate()` before the answer: a CANCEL):
//!   the gateway CANCELs the phone's INVITE (`uas_ring_cancel.xml`: 180, then CANCEL answered 200
//!   and the INVITE 487, ACKed) and the browser's INVITE is answered 487;
//! - the phone answers with a codec nobody offered (`uas_g729_only.xml`: G.729 only): the gateway
//!   ACKs and BYEs the phone's leg and refuses the browser 488.
//!
//! Each asserts what the browser saw (its SIP status lines, JsSIP's cause), that sipp finished
//! its scenario (exit 0: every message it expects came, in order), and the gateway's final
//! counters: the call ended for the right reason, no call left in the table, every media socket
//! closed. Bounded (60 s each); sipp, node and Chromium stopped by PID.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

mod common;
use common::browser::{chromium_installed, npm_packages_installed, run_js, Driver};
use common::sipp::{free_udp_port, phone_for};
use common::{sipp_installed, Killed};

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use rtcweb_cli::gateway::browser::{BrowserGateway, BrowserGatewayConfig, GatewayStats};
use serde_json::Value;

const DEADLINE: Duration = Duration::from_secs(60);

/// One browser test at a time (each runs Chromium, sipp and the gateway on a 2-core machine).
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A gateway, the sipp phone behind it and one JsSIP page calling through it.
struct Call {
    gateway: BrowserGateway,
    sipp: Killed,
    driver: Driver,
    lines: Receiver<(String, String)>,
    /// What the page said, but its getStats lines.
    page: Vec<(String, String)>,
    deadline: Instant,
}

impl Call {
    /// Starts sipp with `scenario`, the gateway calling it and a page calling `sip:phone@…`
    /// with call_page.js's `extra` settings.
    fn start(scenario: &str, seed: u8, extra: &Value) -> Self {
        assert!(sipp_installed(), "sipp (Debian sip-tester) is needed");
        assert!(chromium_installed(), "chromium is needed");
        assert!(npm_packages_installed(), "npm ci in tests/jssip failed");
        let dir = std::env::temp_dir().join(format!("rtcweb-browser-fail-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let sip_port = free_udp_port();
        let sipp = phone_for(scenario, sip_port, &dir, &[], 1);
        let gateway = BrowserGateway::start(BrowserGatewayConfig::new(
            "127.0.0.1:0".parse().unwrap(),
            format!("127.0.0.1:{sip_port}").parse().unwrap(),
            [seed; 32],
        ))
        .unwrap();
        let mut cfg = serde_json::json!({
            "url": gateway.url(),
            "uri": "sip:alice@example.com",
            "target": format!("sip:phone@{}", gateway.local_addr()),
            "seconds": 30,
            "page": "call_page.js",
            "args": [
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                "--allow-loopback-in-peer-connection",
                "--disable-features=WebRtcHideLocalIpsWithMdns",
            ],
        });
        for (k, v) in extra.as_object().unwrap() {
            cfg[k] = v.clone();
        }
        let (driver, lines) = run_js(&cfg);
        Self {
            gateway,
            sipp,
            driver,
            lines,
            page: Vec::new(),
            deadline: Instant::now() + DEADLINE,
        }
    }

    /// Reads the page until `until` holds for a line (its stats lines included); fails on an
    /// error of the page or past the deadline.
    fn read_until(&mut self, mut until: impl FnMut(&str, &str) -> bool) {
        loop {
            assert!(
                Instant::now() < self.deadline,
                "not there within {DEADLINE:?}: page {:?}, gateway {:?}",
                self.page,
                self.gateway.stats()
            );
            match self.lines.recv_timeout(Duration::from_millis(100)) {
                Ok((kind, detail)) => {
                    if kind == "browser-pid" {
                        self.driver.browser_pid = detail.parse().ok();
                    }
                    assert!(
                        kind != "error",
                        "browser: {detail}: page {:?}, gateway {:?}",
                        self.page,
                        self.gateway.stats()
                    );
                    let stop = until(&kind, &detail);
                    if kind != "stats" {
                        self.page.push((kind, detail));
                    }
                    if stop {
                        return;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(e) => panic!("node went away ({e}): page {:?}", self.page),
            }
        }
    }

    /// Waits for the call to leave the gateway's table and for sipp to finish its scenario;
    /// the gateway's final counters, after it stopped.
    fn finish(mut self) -> (GatewayStats, Vec<(String, String)>) {
        let wait = Instant::now();
        while self.gateway.stats().finished.is_empty() && wait.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(50));
        }
        let wait = Instant::now();
        let sipp = loop {
            if let Some(s) = self.sipp.0.try_wait().unwrap() {
                break Some(s);
            }
            if wait.elapsed() > Duration::from_secs(15) {
                break None;
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        drop(self.driver);
        let st = self.gateway.stats();
        self.gateway.stop();
        println!("page: {:?}", self.page);
        println!("gateway: {st:#?}");
        let sipp = sipp.expect("sipp did not finish its scenario");
        assert!(
            sipp.success(),
            "sipp: {sipp:?} (its errors: the *_errors.log in the temp dir)"
        );
        assert_eq!(st.finished.len(), 1, "{st:?}");
        assert_eq!(st.active_calls, 0, "no call left: {st:?}");
        assert!(st.active.is_empty(), "{st:?}");
        assert_eq!(st.sockets_open, 0, "every media socket closed: {st:?}");
        (st, self.page)
    }
}

fn stat(s: &Value, key: &str) -> u64 {
    s.get(key).and_then(Value::as_u64).unwrap_or(0)
}

fn saw(page: &[(String, String)], kind: &str, prefix: &str) -> bool {
    page.iter().any(|(k, d)| k == kind && d.starts_with(prefix))
}

/// The browser's WebSocket drops mid-call (Chromium killed once audio flows both ways): the
/// gateway notices the connection gone, sends the phone a BYE (sipp's scenario expects it and
/// answers 200) and ends the call: "WebSocket closed", media relayed both ways until then, the
/// trunk leg ended, nothing left.
#[test]
fn the_browser_vanishing_mid_call_hangs_up_the_phone() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut call = Call::start("uas_pcmu.xml", 31, &serde_json::json!({}));
    // Two seconds of audio each way, as the browser counts it.
    call.read_until(|kind, detail| {
        let v: Value = serde_json::from_str(detail).unwrap_or(Value::Null);
        kind == "stats" && stat(&v, "packetsReceived") > 100 && stat(&v, "packetsSent") > 100
    });
    assert!(call.driver.kill_browser(), "Chromium killed");
    let (st, _) = call.finish();
    let c = &st.finished[0];
    println!("{}", c.line());
    assert_eq!(c.ended, "WebSocket closed", "{}", c.line());
    assert!(
        st.log
            .iter()
            .any(|l| l.ends_with("web leg: connection closed")),
        "{:?}",
        st.log
    );
    assert!(
        st.trunk_ended,
        "the phone's leg ended (its BYE answered): {st:?}"
    );
    assert!(c.web_to_phone > 100 && c.phone_to_web > 100, "{}", c.line());
    assert!(c.dtls_profile.is_some(), "{}", c.line());
    assert_eq!(c.refused, 0, "{}", c.line());
}

/// The browser cancels while the phone rings: JsSIP's `terminate()` before any answer sends a
/// CANCEL; the gateway CANCELs its INVITE to the phone, which answers 487 (sipp's scenario
/// checks the CANCEL after its 180 and the ACK of its 487), and the browser's INVITE is
/// answered 487 too. No media, no call left.
#[test]
fn the_browser_cancelling_before_the_answer_cancels_the_phone() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut call = Call::start(
        "uas_ring_cancel.xml",
        32,
        &serde_json::json!({ "cancelAfterMs": 1500, "expectFailure": true }),
    );
    call.read_until(|kind, _| kind == "done");
    let (st, page) = call.finish();
    assert!(saw(&page, "canceling", ""), "{page:?}");
    assert!(saw(&page, "failed", "local Canceled"), "{page:?}");
    assert!(
        saw(&page, "sip-in", "SIP/2.0 487 "),
        "the browser's INVITE answered 487: {page:?}"
    );
    assert!(
        st.log.iter().any(|l| l.ends_with("trunk leg: 180")),
        "the phone rang before the CANCEL: {:?}",
        st.log
    );
    assert!(st.trunk_ended, "the phone's INVITE ended (487): {st:?}");
    let c = &st.finished[0];
    println!("{}", c.line());
    assert_eq!(c.ended, "web leg Cancelled", "{}", c.line());
    assert_eq!((c.web_to_phone, c.phone_to_web), (0, 0), "{}", c.line());
    assert!(c.dtls_profile.is_none(), "{}", c.line());
}

/// The phone answers with G.729 only, which neither the browser nor the gateway offered: the
/// gateway ACKs and BYEs the phone's leg (sipp's scenario expects both) and refuses the
/// browser's INVITE 488 Not Acceptable Here (JsSIP: "Incompatible SDP"). No media, no call left.
#[test]
fn a_phone_answering_with_no_common_codec_gets_the_browser_488() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut call = Call::start(
        "uas_g729_only.xml",
        33,
        &serde_json::json!({ "expectFailure": true }),
    );
    call.read_until(|kind, _| kind == "done");
    let (st, page) = call.finish();
    assert!(saw(&page, "sip-in", "SIP/2.0 488 "), "{page:?}");
    assert!(saw(&page, "failed", "remote Incompatible SDP"), "{page:?}");
    assert!(
        st.log
            .iter()
            .any(|l| l.contains("trunk leg: answer refused: no codec in common")),
        "{:?}",
        st.log
    );
    assert!(
        st.trunk_ended,
        "the phone's leg ended (its BYE answered): {st:?}"
    );
    let c = &st.finished[0];
    println!("{}", c.line());
    assert_eq!(c.ended, "no codec in common (488)", "{}", c.line());
    assert_eq!((c.web_to_phone, c.phone_to_web), (0, 0), "{}", c.line());
    assert!(c.dtls_profile.is_none(), "{}", c.line());
}
