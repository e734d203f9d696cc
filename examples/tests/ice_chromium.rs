//! Interop with a browser: headless Chromium (Debian `chromium`) creates an RTCPeerConnection
//! offer; our ICE-lite agent answers (`a=ice-lite`, its credentials and host candidate in the
//! SDP); Chromium's connectivity checks reach the agent, which answers and accepts the browser's
//! nomination; Chromium's `iceConnectionState` reaches "connected". DTLS is not answered, so
//! only ICE success is asserted. The page talks to the test over a tiny HTTP server on
//! 127.0.0.1; Chromium is installed if missing and stopped by PID.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

mod common;
use common::browser::{chromium_installed, serve_http};

use std::net::{TcpListener, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Sender};
use std::time::Duration;

use rtcweb_ice_core::candidate::Candidate;
use rtcweb_ice_core::{Agent, AgentConfig, ConnectionState, Instant};

const PAGE: &str = r#"<!doctype html><script>
const post = (path, body) => fetch(path, {method: 'POST', body});
(async () => {
  try {
    const pc = new RTCPeerConnection();
    pc.createDataChannel('rtcweb');
    pc.oniceconnectionstatechange = () => post('/state', pc.iceConnectionState);
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise(r => {
      pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r();
      setTimeout(r, 1000);
    });
    const answer = await (await post('/offer', pc.localDescription.sdp)).text();
    await pc.setRemoteDescription({type: 'answer', sdp: answer});
  } catch (e) {
    post('/state', 'error: ' + e);
  }
})();
</script>"#;

enum FromPage {
    Offer(String, Sender<String>),
    State(String),
}

struct Browser(Child);

impl Drop for Browser {
    fn drop(&mut self) {
        // Stopped by its own PID, never by name.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Serves the page, and forwards the page's reports to the test.
fn serve(listener: TcpListener, to_test: Sender<FromPage>) {
    serve_http(listener, |path, body| match path {
        "/offer" => {
            let (tx, rx) = channel();
            let _ = to_test.send(FromPage::Offer(body, tx));
            rx.recv_timeout(Duration::from_secs(10)).unwrap_or_default()
        }
        "/state" => {
            let _ = to_test.send(FromPage::State(body));
            String::new()
        }
        "/" => PAGE.to_string(),
        _ => String::new(),
    });
}

/// The answer of an ICE-lite data-channel endpoint (RFC 8839 §5: ice-lite, ufrag, pwd,
/// candidates). The fingerprint is made up: DTLS is not the subject here.
fn answer(offer: &str, agent: &Agent) -> String {
    let mid = offer
        .lines()
        .find_map(|l| l.strip_prefix("a=mid:"))
        .unwrap_or("0")
        .trim();
    let (ufrag, pwd) = agent.local_credentials();
    let fingerprint: Vec<String> = (0..32u8)
        .map(|i| format!("{:02X}", i.wrapping_mul(7)))
        .collect();
    let mut sdp = format!(
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-lite\r\na=group:BUNDLE {mid}\r\n\
         m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 127.0.0.1\r\na=mid:{mid}\r\n\
         a=ice-ufrag:{ufrag}\r\na=ice-pwd:{pwd}\r\na=fingerprint:sha-256 {}\r\na=setup:passive\r\n\
         a=sctp-port:5000\r\n",
        fingerprint.join(":")
    );
    for c in agent.local_candidates() {
        sdp.push_str(&format!("a={c}\r\n"));
    }
    sdp.push_str("a=end-of-candidates\r\n");
    sdp
}

#[test]
fn chromium_reaches_connected_against_our_lite_agent() {
    if !chromium_installed() {
        println!("SKIPPED: chromium is not installed and apt-get install chromium failed");
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run this interop test"
        );
        return;
    }
    let clock = std::time::Instant::now();
    let now = || Instant::from_nanos(clock.elapsed().as_nanos() as i64);
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_nonblocking(true).unwrap();
    let local = socket.local_addr().unwrap();
    let mut agent = Agent::new(AgentConfig::lite(), [31; 32]);
    agent.add_local_host(local).unwrap();

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, from_page) = channel();
    std::thread::spawn(move || serve(listener, tx));
    let profile = std::env::temp_dir().join(format!("rtcweb-chromium-{}", std::process::id()));
    let _browser = Browser(
        Command::new("chromium")
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--allow-loopback-in-peer-connection",
                "--disable-features=WebRtcHideLocalIpsWithMdns",
                &format!("--user-data-dir={}", profile.display()),
                &format!("http://127.0.0.1:{port}/"),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting chromium"),
    );

    let deadline = std::time::Instant::now() + Duration::from_secs(45);
    let mut states = vec![];
    let mut buf = [0u8; 1500];
    let mut media = 0;
    loop {
        assert!(
            std::time::Instant::now() < deadline,
            "Chromium did not reach connected; its states: {states:?}; ours: {:?}",
            agent.state()
        );
        match from_page.recv_timeout(Duration::from_millis(2)) {
            Ok(FromPage::Offer(sdp, reply)) => {
                let (mut ufrag, mut pwd) = (None, None);
                for line in sdp.lines() {
                    if let Some(u) = line.strip_prefix("a=ice-ufrag:") {
                        ufrag = Some(u.trim().to_string());
                    } else if let Some(p) = line.strip_prefix("a=ice-pwd:") {
                        pwd = Some(p.trim().to_string());
                    } else if line.starts_with("a=candidate:") {
                        // mDNS or TCP candidates are refused; checks teach us the rest.
                        if let Ok(c) = Candidate::parse(line) {
                            let _ = agent.add_remote_candidate(c);
                        }
                    }
                }
                agent
                    .set_remote_credentials(&ufrag.unwrap(), &pwd.unwrap())
                    .unwrap();
                reply.send(answer(&sdp, &agent)).unwrap();
            }
            Ok(FromPage::State(s)) => {
                assert!(!s.starts_with("error"), "page: {s}");
                states.push(s);
            }
            Err(_) => {}
        }
        while let Ok((n, from)) = socket.recv_from(&mut buf) {
            if agent.handle_receive(now(), local, from, &buf[..n])
                == rtcweb_ice_core::Receive::NotStun
            {
                media += 1; // DTLS ClientHello, once ICE is up.
            }
        }
        if agent.poll_timeout().is_some_and(|t| t <= now()) {
            agent.handle_timeout(now());
        }
        while let Ok(Some(t)) = agent.poll_transmit(now(), &mut buf) {
            let _ = socket.send_to(&buf[..t.len], t.destination);
        }
        while agent.poll_event().is_some() {}
        // Chromium may call a pair connected before its nomination (USE-CANDIDATE) reaches us.
        if states.iter().any(|s| s == "connected" || s == "completed")
            && matches!(
                agent.state(),
                ConnectionState::Connected | ConnectionState::Completed
            )
        {
            break;
        }
    }
    drop(_browser);
    let _ = std::fs::remove_dir_all(&profile);
    let (l, r) = agent.selected_pair(1).expect("Chromium nominated a pair");
    println!(
        "Chromium iceConnectionState: {states:?}; our lite agent selected {} <-> {}; {media} non-STUN datagrams (DTLS) handed back",
        l.address, r.address
    );
}
