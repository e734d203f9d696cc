//! Headless Debian Chromium driven by playwright-core (npm, in `tests/jssip/`, installed from its
//! lock file), shared by the browser interop tests: Chromium installed with apt-get if missing,
//! `npm ci` bounded in time, the node driver and its browser stopped by PID (never by name), and
//! the driver's JSON lines read on a thread.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

pub fn folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/jssip")
}

/// Runs `cmd` to completion within `limit`, killing it by PID past that.
pub fn run_bounded(cmd: &mut Command, limit: Duration) -> bool {
    let Ok(mut child) = cmd.spawn() else {
        return false;
    };
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status.success(),
            Ok(None) if start.elapsed() < limit => std::thread::sleep(Duration::from_millis(100)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return false;
            }
        }
    }
}

pub fn chromium_installed() -> bool {
    super::apt::ensure("chromium", || {
        Command::new("chromium")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// `npm ci` from the committed lock file when a package is missing (bounded: 5 minutes).
pub fn npm_packages_installed() -> bool {
    let dir = folder();
    let present = || {
        ["jssip", "playwright-core", "esbuild"].iter().all(|p| {
            dir.join("node_modules")
                .join(p)
                .join("package.json")
                .exists()
        })
    };
    if present() {
        return true;
    }
    run_bounded(
        Command::new("npm")
            .args([
                "ci",
                "--no-audit",
                "--no-fund",
                "--ignore-scripts",
                "--loglevel=error",
            ])
            .current_dir(&dir),
        Duration::from_secs(300),
    );
    present()
}

pub fn version_of(package: &str) -> String {
    let p = folder()
        .join("node_modules")
        .join(package)
        .join("package.json");
    let text = std::fs::read_to_string(p).unwrap_or_default();
    serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v["version"].as_str().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// The node driver and the browser it started: stopped by PID when dropped.
pub struct Driver {
    /// The node process (tests/jssip/run.js).
    pub node: Child,
    /// The Chromium it reported, when it did.
    pub browser_pid: Option<u32>,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Closing stdin asks run.js to close the browser and exit; then PIDs, never names.
        drop(self.node.stdin.take());
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            if matches!(self.node.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.node.kill();
        let _ = self.node.wait();
        self.kill_browser();
    }
}

impl Driver {
    /// Kills the browser at once (SIGKILL, by its PID, only if that PID is still a Chromium,
    /// never a recycled PID of something else): its connections drop without a WebSocket
    /// close or a BYE. Whether it was killed.
    pub fn kill_browser(&mut self) -> bool {
        let Some(pid) = self.browser_pid else {
            return false;
        };
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        comm.contains("chrom")
            && Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status()
                .is_ok_and(|s| s.success())
    }
}

/// One line of run.js: `{"kind": …, "detail": …}`, or a line of its stderr.
pub fn lines(node: &mut Child) -> Receiver<(String, String)> {
    let (tx, rx) = channel();
    let out = node.stdout.take().unwrap();
    let err = node.stderr.take().unwrap();
    let tx2 = tx.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let parsed = serde_json::from_str::<serde_json::Value>(&line).ok();
            let kind = parsed
                .as_ref()
                .and_then(|v| v["kind"].as_str().map(str::to_string))
                .unwrap_or_else(|| "stdout".into());
            let detail = parsed
                .as_ref()
                .and_then(|v| v["detail"].as_str().map(str::to_string))
                .unwrap_or(line);
            let _ = tx.send((kind, detail));
        }
    });
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            let _ = tx2.send(("stderr".into(), line));
        }
    });
    rx
}

/// Starts `tests/jssip/run.js` with `config` (see its header: a page script's fields, or `open`:
/// a URL) and reads its lines; the driver stops node and the browser when dropped.
pub fn run_js(config: &serde_json::Value) -> (Driver, Receiver<(String, String)>) {
    let mut node = Command::new("node")
        .arg("run.js")
        .arg(config.to_string())
        .current_dir(folder())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting node run.js");
    let rx = lines(&mut node);
    (
        Driver {
            node,
            browser_pid: None,
        },
        rx,
    )
}

/// Opens `url` in headless Chromium with the extra `flags` through `run.js` (its `open` mode);
/// the page stays open until the returned driver is dropped.
pub fn open_page(url: &str, flags: &[&str]) -> (Driver, Receiver<(String, String)>) {
    run_js(&serde_json::json!({ "open": url, "args": flags }))
}
/// A tiny HTTP/1.1 server for a test page on loopback: each request's path and body go to
/// `handler`, whose answer is sent back as `text/html` (GET `/` is the page, POSTs are the page's
/// reports). Runs until the process ends.
pub fn serve_http(listener: TcpListener, handler: impl Fn(&str, String) -> String) {
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        let Ok(clone) = stream.try_clone() else {
            continue;
        };
        let mut reader = BufReader::new(clone);
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).is_err() {
            continue;
        }
        let mut content_length = 0;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() || line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                content_length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0u8; content_length];
        let _ = reader.read_exact(&mut body);
        let body = String::from_utf8_lossy(&body).into_owned();
        let path = request_line.split(' ').nth(1).unwrap_or("/");
        let reply = handler(path, body);
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
            reply.len(),
            reply
        );
    }
}
