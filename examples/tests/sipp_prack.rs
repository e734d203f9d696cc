//! RFC 3262 with a peer nobody here wrote: sipp plays a carrier UAS
//! (`tests/sipp/uas_100rel.xml`) that requires the INVITE to support 100rel, sends a reliable
//! 183 with SDP (early media), checks our PRACK's RAck, and answers 200 only after it; sip-core's
//! `UserAgent` (default configuration: `Supported: 100rel`) calls it over UDP on 127.0.0.1,
//! PRACKs the 183 once, takes the answer, ACKs and hangs up. sipp's exit status says whether
//! every check of its scenario held. sipp (Debian `sip-tester`) is installed if missing; both
//! sides are bounded in time and sipp is stopped by PID.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

mod common;
use common::{sipp_installed, Killed};

use std::net::{SocketAddr, UdpSocket};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant as StdInstant};

use rtcweb_cli::runtime::{random_seed, Clock};
use rtcweb_sip_core::transaction::Peer;
use rtcweb_sip_core::ua::{EndReason, UaConfig, UaEvent, UserAgent};

const OFFER: &[u8] = b"v=0\r\no=rtcweb 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

fn first_line(b: &[u8]) -> String {
    String::from_utf8_lossy(b)
        .lines()
        .next()
        .unwrap_or("")
        .to_string()
}

#[test]
fn reliable_183_with_early_media_from_sipp_is_pracked_then_answered() {
    assert!(sipp_installed(), "sipp (Debian sip-tester) is needed");
    let sipp_port = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sipp/uas_100rel.xml");
    let mut sipp = Killed(
        Command::new("sipp")
            .args([
                "-sf",
                scenario,
                "-i",
                "127.0.0.1",
                "-p",
                &sipp_port.to_string(),
                "-m",
                "1",
                "-timeout",
                "30s",
                "-timeout_error",
                "-nostdin",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start sipp"),
    );
    let server: SocketAddr = format!("127.0.0.1:{sipp_port}").parse().unwrap();

    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(10)))
        .unwrap();
    let me = sock.local_addr().unwrap();
    let cfg = UaConfig::new(
        "sip:alice@127.0.0.1",
        &format!("<sip:alice@{me}>"),
        &format!("SIP/2.0/UDP {me}"),
        Peer::udp(server),
        random_seed(),
    );
    let mut ua = UserAgent::new(cfg);
    let clock = Clock::new();
    // sipp needs a moment to bind; the INVITE is retransmitted anyway (Timer A).
    std::thread::sleep(Duration::from_millis(300));
    let call = ua
        .call(clock.now(), &format!("sip:phone@{server}"), OFFER)
        .unwrap();
    let mut events = Vec::new();
    let mut wire = Vec::new();
    let mut buf = vec![0u8; 65_535];
    let mut hung_up = false;
    let deadline = StdInstant::now() + Duration::from_secs(30);
    let mut ended = None;
    while StdInstant::now() < deadline && ended.is_none() {
        if let Ok((n, from)) = sock.recv_from(&mut buf) {
            wire.push(format!("<- {}", first_line(&buf[..n])));
            let _ = ua.handle_receive(clock.now(), Peer::udp(from), &buf[..n]);
        }
        let now = clock.now();
        if ua.poll_timeout().is_some_and(|t| t <= now) {
            ua.handle_timeout(now);
        }
        while let Some(e) = ua.poll_event() {
            if let UaEvent::Answered { .. } = e {
                // Early media was played; the answer came after the PRACK. Hang up soon.
                hung_up = true;
                ua.hangup(clock.now(), call).unwrap();
            }
            if let UaEvent::CallEnded { reason, .. } = &e {
                ended = Some(*reason);
            }
            if let UaEvent::CallFailed { code, .. } = &e {
                panic!("call failed with {code:?}; wire: {wire:#?}");
            }
            events.push(e);
        }
        while let Ok(Some(t)) = ua.poll_transmit(clock.now(), &mut buf) {
            wire.push(format!("-> {}", first_line(&buf[..t.len])));
            sock.send_to(&buf[..t.len], t.destination).unwrap();
        }
    }
    assert!(hung_up, "never answered; wire: {wire:#?}");
    assert_eq!(ended, Some(EndReason::LocalHangup), "wire: {wire:#?}");
    let progress: Vec<_> = events
        .iter()
        .filter(|e| {
            matches!(
                e,
                UaEvent::Progress {
                    code: 183,
                    sdp: Some(_),
                    ..
                }
            )
        })
        .collect();
    assert_eq!(
        progress.len(),
        1,
        "the reliable 183 is passed up once: {events:#?}"
    );
    let pracks = wire.iter().filter(|l| l.starts_with("-> PRACK ")).count();
    assert!(pracks >= 1, "wire: {wire:#?}");
    // Order on the wire: 183 in, PRACK out, its 200 in, then the INVITE's 200 in, ACK out.
    let pos = |p: &str| wire.iter().position(|l| l.starts_with(p)).unwrap();
    assert!(pos("<- SIP/2.0 183") < pos("-> PRACK "));
    assert!(pos("-> PRACK ") < pos("-> ACK "));
    // sipp's own verdict: every regexp check (Supported: 100rel, RAck) held, the call ended.
    let deadline = StdInstant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(s) = sipp.0.try_wait().unwrap() {
            break s;
        }
        assert!(StdInstant::now() < deadline, "sipp did not finish");
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    if let Some(mut e) = sipp.0.stderr.take() {
        use std::io::Read as _;
        let _ = e.read_to_string(&mut err);
    }
    assert!(
        status.success(),
        "sipp failed ({status}): {err}\nwire: {wire:#?}"
    );
}
