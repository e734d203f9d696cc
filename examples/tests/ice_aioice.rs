//! Interop with a real ICE agent: aioice (Python) on 127.0.0.1, our agent controlling against
//! aioice controlled and the other way round. Credentials and candidates go over the helper's
//! stdin/stdout as JSON (`tests/aioice/agent.py`); both reach connected, and data sent on our
//! selected pair comes back echoed. aioice is pip-installed if missing; each run is bounded and
//! the helper stopped by PID.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, UdpSocket};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

use rtcweb_ice_core::candidate::Candidate;
use rtcweb_ice_core::{Agent, AgentConfig, ConnectionState, Instant, Receive, Role};
use serde_json::{json, Value};

struct Helper {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<Value>,
}

impl Drop for Helper {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin, "{}", json!({"cmd": "close"}));
        std::thread::sleep(Duration::from_millis(100));
        // Stopped by its own PID.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Helper {
    fn next(&self, what: &str) -> Value {
        self.lines
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("aioice helper: no {what} within 20 s"))
    }
}

fn aioice_available() -> bool {
    let have = || {
        Command::new("python3")
            .args(["-c", "import aioice"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if have() {
        return true;
    }
    let _ = Command::new("python3")
        .args(["-m", "pip", "install", "-q", "aioice"])
        .status();
    have()
}

fn start_helper(role: &str) -> Helper {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/aioice/agent.py");
    let mut child = Command::new("python3")
        .args([script, role])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("starting python3");
    let stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, lines) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Ok(v) = serde_json::from_str::<Value>(&line) {
                if tx.send(v).is_err() {
                    break;
                }
            }
        }
    });
    Helper {
        child,
        stdin,
        lines,
    }
}

struct Clock(std::time::Instant);
impl Clock {
    fn now(&self) -> Instant {
        Instant::from_nanos(self.0.elapsed().as_nanos() as i64)
    }
}

fn pump(
    agent: &mut Agent,
    socket: &UdpSocket,
    clock: &Clock,
    media: &mut Vec<(SocketAddr, Vec<u8>)>,
) {
    let local = socket.local_addr().unwrap();
    let mut buf = [0u8; 1500];
    while let Ok((n, from)) = socket.recv_from(&mut buf) {
        if let Receive::NotStun = agent.handle_receive(clock.now(), local, from, &buf[..n]) {
            media.push((from, buf[..n].to_vec()));
        }
    }
    let now = clock.now();
    if agent.poll_timeout().is_some_and(|t| t <= now) {
        agent.handle_timeout(now);
    }
    while let Ok(Some(t)) = agent.poll_transmit(clock.now(), &mut buf) {
        let _ = socket.send_to(&buf[..t.len], t.destination);
    }
    while agent.poll_event().is_some() {}
}

fn interop(we_control: bool) {
    let helper = start_helper(if we_control {
        "controlled"
    } else {
        "controlling"
    });
    let mut helper = helper;
    let clock = Clock(std::time::Instant::now());
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_nonblocking(true).unwrap();
    let config = if we_control {
        AgentConfig::default()
    } else {
        AgentConfig::controlled_full()
    };
    let mut agent = Agent::new(config, [if we_control { 21 } else { 22 }; 32]);
    agent.add_local_host(socket.local_addr().unwrap()).unwrap();

    // Their offer, our answer: credentials and candidates as SDP strings.
    let offer = helper.next("credentials");
    agent
        .set_remote_credentials(
            offer["ufrag"].as_str().unwrap(),
            offer["pwd"].as_str().unwrap(),
        )
        .unwrap();
    for line in offer["candidates"].as_array().unwrap() {
        let c = Candidate::parse(line.as_str().unwrap()).unwrap();
        agent.add_remote_candidate(c).unwrap();
    }
    agent.end_of_remote_candidates();
    let (ufrag, pwd) = agent.local_credentials();
    let candidates: Vec<String> = agent.local_candidates().map(|c| c.to_string()).collect();
    writeln!(
        helper.stdin,
        "{}",
        json!({"ufrag": ufrag, "pwd": pwd, "candidates": candidates})
    )
    .unwrap();

    let mut media = vec![];
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let mut their_state = None;
    while !(matches!(
        agent.state(),
        ConnectionState::Connected | ConnectionState::Completed
    ) && their_state.is_some())
    {
        assert!(
            std::time::Instant::now() < deadline,
            "not connected in 20 s: ours {:?}, theirs {their_state:?}",
            agent.state()
        );
        pump(&mut agent, &socket, &clock, &mut media);
        if let Ok(v) = helper.lines.try_recv() {
            assert_eq!(v["state"], "connected", "{v}");
            their_state = Some(v);
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    assert_eq!(
        agent.role(),
        if we_control {
            Role::Controlling
        } else {
            Role::Controlled
        }
    );
    let (local, remote) = agent.selected_pair(1).unwrap();
    let theirs = their_state.unwrap();
    assert_eq!(
        theirs["selected"],
        json!([remote.address.to_string(), local.address.to_string()]),
        "both ends selected the same pair"
    );

    // Data on the selected pair, echoed by aioice.
    let mut buf = [0u8; 1500];
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut tick = 0u32;
    while !media.iter().any(|(_, d)| d == b"echo:hello from rtcweb") {
        assert!(std::time::Instant::now() < deadline, "no echo from aioice");
        if tick % 100 == 0 {
            let t = agent
                .send(clock.now(), b"hello from rtcweb", &mut buf)
                .unwrap();
            socket.send_to(&buf[..t.len], t.destination).unwrap();
        }
        tick += 1;
        pump(&mut agent, &socket, &clock, &mut media);
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(media.iter().all(|(from, _)| *from == remote.address));
    println!(
        "aioice interop (we control: {we_control}): {} <-> {}",
        local.address, remote.address
    );
}

#[test]
fn aioice_both_roles() {
    if !aioice_available() {
        println!("SKIPPED: aioice is not installed and pip install aioice failed");
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run this interop test"
        );
        return;
    }
    interop(true);
    interop(false);
}
