//! Interop with a real browser SIP client over WebSocket (RFC 7118): JsSIP 3.13 (npm) in headless
//! Debian Chromium, driven by playwright-core (`tests/jssip/run.js`), against our SIP WebSocket
//! server (`examples/src/ws`). The browser registers (a 401 digest challenge, then an
//! authenticated REGISTER), sends MESSAGE and OPTIONS to us, answers the MESSAGE and OPTIONS we
//! send over its connection, unregisters and disconnects. Any misbehaviour fails the test.
//!
//! Chromium (Debian package) is installed with apt-get if missing, the npm packages
//! (`tests/jssip/package-lock.json`) with `npm ci` into `tests/jssip/node_modules`. Node and
//! Chromium are stopped by PID.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

use std::process::Command;
use std::time::{Duration, Instant};

mod common;
use common::browser::{chromium_installed, folder, npm_packages_installed, run_js, version_of};

use rtcweb_cli::ws::{
    Command as WsCommand, RegistrarEvent, Removal, ServerEvent, ServiceConfig, ServiceEvent,
    WsServer,
};

const AOR: &str = "sip:alice@example.com";
const PASSWORD: &str = "wonderland-7118";
const TO_SERVER: &str = "hello from JsSIP over WebSocket";
const TO_BROWSER: &str = "hello browser, from rtcweb";
const DEADLINE: Duration = Duration::from_secs(90);

#[derive(Default)]
struct Seen {
    /// Every REGISTER answered: status and authenticated user.
    registers: Vec<(u16, Option<String>)>,
    bindings_added: usize,
    removals: Vec<Removal>,
    /// Requests from the browser: method and body.
    requests: Vec<(String, String, String)>,
    /// Final responses to our requests: method and status.
    responses: Vec<(String, u16)>,
    sent_to_browser: bool,
    connected: bool,
    disconnected: bool,
    /// run.js lines, in order.
    page: Vec<(String, String)>,
    node_exit: Option<std::process::ExitStatus>,
}

impl Seen {
    fn page_said(&self, kind: &str) -> Option<&str> {
        self.page
            .iter()
            .find(|(k, _)| k == kind)
            .map(|(_, d)| d.as_str())
    }

    fn done(&self) -> bool {
        self.node_exit.is_some() && self.disconnected && !self.removals.is_empty()
    }
}

#[test]
fn jssip_in_chromium_registers_and_exchanges_sip_over_websocket() {
    assert!(
        chromium_installed(),
        "chromium is not installed and `apt-get install chromium` failed"
    );
    assert!(
        Command::new("node")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success()),
        "node is required (Node.js 20, as on this project's machines)"
    );
    assert!(
        npm_packages_installed(),
        "`npm ci` in {} failed",
        folder().display()
    );
    let started = Instant::now();

    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).unwrap();
    let cfg = ServiceConfig::new("example.com", &[("alice", PASSWORD)], "", seed);
    let server = WsServer::start("127.0.0.1:0".parse().unwrap(), cfg).unwrap();
    let url = format!("ws://{}", server.local_addr());

    let page_cfg = serde_json::json!({
        "url": url,
        "uri": AOR,
        "password": PASSWORD,
        "target": "sip:rtcweb@example.com",
        "message": TO_SERVER,
    });
    let (mut driver, from_node) = run_js(&page_cfg);

    let mut seen = Seen::default();
    let deadline = Instant::now() + DEADLINE;
    while !seen.done() {
        assert!(
            Instant::now() < deadline,
            "no full exchange within {DEADLINE:?}.\nregisters: {:?}\nrequests: {:?}\nresponses: {:?}\nremovals: {:?}\nconnected: {}, disconnected: {}\nrun.js: {:#?}",
            seen.registers,
            seen.requests,
            seen.responses,
            seen.removals,
            seen.connected,
            seen.disconnected,
            seen.page
        );
        while let Ok((kind, detail)) = from_node.try_recv() {
            match kind.as_str() {
                "browser-pid" => driver.browser_pid = detail.parse().ok(),
                "error" | "page-error" => {
                    panic!(
                        "the browser side failed: {detail}\nrun.js: {:#?}",
                        seen.page
                    )
                }
                _ => {}
            }
            seen.page.push((kind, detail));
        }
        if seen.node_exit.is_none() {
            if let Ok(Some(status)) = driver.node.try_wait() {
                // Let the reader threads hand over the last lines first.
                std::thread::sleep(Duration::from_millis(100));
                seen.page.extend(from_node.try_iter());
                assert!(
                    status.success(),
                    "run.js exited {status}\nrun.js: {:#?}",
                    seen.page
                );
                seen.node_exit = Some(status);
            }
        }
        let Ok(event) = server.events().recv_timeout(Duration::from_millis(20)) else {
            continue;
        };
        match event {
            ServerEvent::Connected(_) => seen.connected = true,
            ServerEvent::Disconnected(_) => seen.disconnected = true,
            ServerEvent::Refused(addr, why) => panic!("{addr} refused: {why}"),
            ServerEvent::CommandFailed(why) => panic!("command failed: {why}"),
            ServerEvent::Sip(ServiceEvent::Registrar(RegistrarEvent::Register {
                status,
                user,
                ..
            })) => seen.registers.push((status, user)),
            ServerEvent::Sip(ServiceEvent::Registrar(RegistrarEvent::BindingAdded {
                binding,
                ..
            })) => {
                seen.bindings_added += 1;
                // RFC 7118 §5: the browser's contact is an `.invalid` host, reachable only over
                // its own connection.
                assert!(
                    binding.contact.contains(".invalid"),
                    "contact {}",
                    binding.contact
                );
                if !seen.sent_to_browser {
                    seen.sent_to_browser = true;
                    server.command(WsCommand::Send {
                        method: "OPTIONS".into(),
                        aor: AOR.into(),
                        body: None,
                    });
                    server.command(WsCommand::Send {
                        method: "MESSAGE".into(),
                        aor: AOR.into(),
                        body: Some(("text/plain".into(), TO_BROWSER.as_bytes().to_vec())),
                    });
                }
            }
            ServerEvent::Sip(ServiceEvent::Registrar(RegistrarEvent::BindingRemoved {
                why,
                ..
            })) => seen.removals.push(why),
            ServerEvent::Sip(ServiceEvent::Request {
                method, from, body, ..
            }) => seen
                .requests
                .push((method, from, String::from_utf8_lossy(&body).into_owned())),
            ServerEvent::Sip(ServiceEvent::Response { method, status, .. }) => {
                seen.responses.push((method, status));
            }
            ServerEvent::Sip(ServiceEvent::Timeout { method, target, .. }) => {
                panic!("{method} to {target} timed out")
            }
            ServerEvent::Sip(ServiceEvent::Dropped { peer, reason }) => {
                panic!("a message from {peer:?} was dropped: {reason}")
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    let elapsed = started.elapsed();
    let browser = seen
        .page_said("browser")
        .unwrap_or("Chromium ?")
        .to_string();
    drop(driver);
    drop(server);

    // Registration: a 401 digest challenge, then the authenticated REGISTER (and the same for
    // the unregistration at the end).
    assert!(seen.registers.len() >= 2, "{:?}", seen.registers);
    assert_eq!(seen.registers[0], (401, None), "{:?}", seen.registers);
    assert_eq!(
        seen.registers[1],
        (200, Some("alice".to_string())),
        "{:?}",
        seen.registers
    );
    assert_eq!(seen.page_said("registered"), Some("200"));
    assert!(seen.bindings_added >= 1);
    // Browser -> server.
    assert!(
        seen.requests
            .contains(&("MESSAGE".into(), AOR.into(), TO_SERVER.into())),
        "{:?}",
        seen.requests
    );
    assert!(
        seen.requests.iter().any(|r| r.0 == "OPTIONS"),
        "{:?}",
        seen.requests
    );
    assert_eq!(seen.page_said("message-sent"), Some("200"));
    assert_eq!(seen.page_said("options-sent"), Some("200"));
    // Server -> browser, over the browser's connection.
    assert_eq!(seen.page_said("message-received"), Some(TO_BROWSER));
    assert!(seen.page_said("options-received").is_some());
    assert!(
        seen.responses.contains(&("MESSAGE".into(), 200)),
        "{:?}",
        seen.responses
    );
    assert!(
        seen.responses.contains(&("OPTIONS".into(), 200)),
        "{:?}",
        seen.responses
    );
    // Unregistration (Expires: 0), then the connection closed.
    assert_eq!(
        seen.removals,
        [Removal::Unregistered],
        "{:?}",
        seen.removals
    );
    assert!(seen.page_said("unregistered").is_some());
    assert!(seen.connected && seen.disconnected);

    println!(
        "jssip_ws: JsSIP {} in {browser} (playwright-core {}) over ws:// registered after a 401 ({} REGISTERs in all), \
         MESSAGE+OPTIONS browser->server 200, MESSAGE+OPTIONS server->browser 200, unregistered, disconnected; {:.1} s",
        version_of("jssip"),
        version_of("playwright-core"),
        seen.registers.len(),
        elapsed.as_secs_f64()
    );
}
