//! DTLS-SRTP with a real browser (issue #16): headless Chromium (Debian `chromium`) sends and
//! receives audio over DTLS-SRTP with our stack and nothing else on our side.
//!
//! The page takes the fake microphone (`getUserMedia`), adds its track to an RTCPeerConnection
//! and posts the offer; the test parses it with sdp-core and answers as an ICE-lite, DTLS-passive
//! endpoint (RFC 8829/8839/5763: `a=ice-lite`, BUNDLE, `UDP/TLS/RTP/SAVPF` with PCMU only,
//! `a=fingerprint` of our self-signed certificate, `a=setup:passive`, `a=rtcp-mux`, our SSRC and
//! host candidate). One UDP socket on 127.0.0.1 carries everything, split by first byte
//! (RFC 7983): STUN to the ICE-lite agent (ice-core), DTLS to the DTLS server (srtp-core's
//! `DtlsSrtp`, dimpl inside), SRTP/SRTCP (RTCP by payload type 200..=206 under rtcp-mux,
//! RFC 5761) to the inbound SRTP session it keyed. Every browser RTP packet that verifies is sent
//! back with our SSRC, protected by the outbound session.
//!
//! What is proven, each asserted (60 s bound, no skip once Chromium is installed):
//! - the handshake completes with the browser as DTLS client and a `use_srtp` profile;
//! - the browser's certificate matched the `a=fingerprint` of its offer (checked by `DtlsSrtp`,
//!   and the fingerprint it reports is the offered one), and the browser accepted ours (its
//!   `getStats` remote certificate is ours, `dtlsState` "connected");
//! - keys agree both ways: at least 150 browser RTP packets authenticated and decrypted here (none
//!   failed), and the browser counts at least 100 of our echoed packets (`inbound-rtp`
//!   `packetsReceived`, counted only once SRTP verified them) and sent at least 100
//!   (`outbound-rtp`); the browser's `srtpCipher` is the profile we negotiated.
//!
//! The page reports `getStats()` over a tiny HTTP server on 127.0.0.1. Chromium (Debian, installed
//! if missing) is driven by playwright-core (`tests/jssip/run.js`, npm packages from the lock file)
//! and stopped by PID.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

mod common;
use common::browser::{chromium_installed, npm_packages_installed, open_page, serve_http};

use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::sync::mpsc::{channel, Sender};
use std::time::Duration;

use rtcweb_ice_core::candidate::Candidate;
use rtcweb_ice_core::{Agent, AgentConfig, ConnectionState, Instant};
use rtcweb_sdp_core::attribute::Setup as SdpSetup;
use rtcweb_sdp_core::SessionDescription;
use rtcweb_srtp_core::dtls::{
    Certificate, Connected, DtlsConfig, DtlsEvent, DtlsSrtp, Fingerprint, SrtpProtectionProfile,
};
use rtcweb_srtp_core::DtlsRole;
use serde_json::Value;

/// Our SSRC for the echoed stream, signalled in the answer (`a=ssrc`).
const OUR_SSRC: u32 = 0x5254_4357;
/// Browser RTP packets we must have authenticated and decrypted.
const MIN_DECRYPTED: u64 = 150;
/// Packets the browser must report as received (our echo) and as sent.
const MIN_BROWSER_PACKETS: u64 = 100;

const PAGE: &str = r#"<!doctype html><script>
const post = (path, body) => fetch(path, {method: 'POST', body});
(async () => {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({audio: true});
    const pc = new RTCPeerConnection();
    for (const track of stream.getAudioTracks()) pc.addTrack(track, stream);
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise(r => {
      if (pc.iceGatheringState === 'complete') r();
      pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r();
      setTimeout(r, 1000);
    });
    const answer = await (await post('/offer', pc.localDescription.sdp)).text();
    await pc.setRemoteDescription({type: 'answer', sdp: answer});
    setInterval(async () => {
      const s = {iceConnectionState: pc.iceConnectionState, connectionState: pc.connectionState};
      const certificates = {};
      let remoteCertificateId;
      (await pc.getStats()).forEach(r => {
        if (r.type === 'transport') {
          s.dtlsState = r.dtlsState;
          s.srtpCipher = r.srtpCipher;
          s.dtlsCipher = r.dtlsCipher;
          s.tlsVersion = r.tlsVersion;
          s.dtlsRole = r.dtlsRole;
          s.iceState = r.iceState;
          remoteCertificateId = r.remoteCertificateId;
        } else if (r.type === 'inbound-rtp' && r.kind === 'audio') {
          s.packetsReceived = r.packetsReceived;
        } else if (r.type === 'outbound-rtp' && r.kind === 'audio') {
          s.packetsSent = r.packetsSent;
        } else if (r.type === 'certificate') {
          certificates[r.id] = r.fingerprintAlgorithm + ' ' + r.fingerprint;
        }
      });
      s.remoteFingerprint = certificates[remoteCertificateId];
      post('/stats', JSON.stringify(s));
    }, 500);
  } catch (e) {
    post('/stats', JSON.stringify({error: String(e)}));
  }
})();
</script>"#;

enum FromPage {
    Offer(String, Sender<String>),
    Stats(String),
}

/// Serves the page, and forwards the page's reports to the test.
fn serve(listener: TcpListener, to_test: Sender<FromPage>) {
    serve_http(listener, |path, body| match path {
        "/offer" => {
            let (tx, rx) = channel();
            let _ = to_test.send(FromPage::Offer(body, tx));
            rx.recv_timeout(Duration::from_secs(10)).unwrap_or_default()
        }
        "/stats" => {
            let _ = to_test.send(FromPage::Stats(body));
            String::new()
        }
        "/" => PAGE.to_string(),
        _ => String::new(),
    });
}

/// What the test takes from the browser's offer.
struct Offer {
    mid: String,
    ufrag: String,
    pwd: String,
    fingerprint: Fingerprint,
    pcmu: u8,
    candidates: Vec<Candidate>,
}

/// Parses Chromium's offer with sdp-core (strict): the audio section's mid, ICE credentials,
/// `a=fingerprint` (as srtp-core's [`Fingerprint`]), `a=setup` (must let us be passive), the
/// PCMU payload type and the UDP candidates (mDNS or TCP ones are refused by ice-core).
fn parse_offer(sdp: &str) -> Offer {
    let desc = SessionDescription::parse_str(sdp)
        .unwrap_or_else(|e| panic!("sdp-core refused Chromium's offer: {e}\n{sdp}"));
    let audio = desc
        .media()
        .find(|m| m.kind() == "audio")
        .unwrap_or_else(|| panic!("no audio section in the offer:\n{sdp}"));
    assert_eq!(audio.media_line().proto, "UDP/TLS/RTP/SAVPF", "{sdp}");
    let setup = audio.setup().or_else(|| desc.setup());
    assert!(
        matches!(setup, Some(SdpSetup::ActPass | SdpSetup::Active)),
        "the offer's a=setup {setup:?} does not let us be passive"
    );
    let fingerprint = audio
        .fingerprint()
        .or_else(|| desc.fingerprint())
        .unwrap_or_else(|| panic!("no a=fingerprint in the offer:\n{sdp}"));
    let fingerprint = Fingerprint::parse(&format!(
        "{} {}",
        fingerprint.hash_function, fingerprint.value
    ))
    .unwrap_or_else(|e| panic!("the offer's a=fingerprint: {e}"));
    let pcmu = audio
        .rtpmaps()
        .find(|r| r.encoding.eq_ignore_ascii_case("PCMU") && r.clock_rate == 8000)
        .map_or(0, |r| r.payload_type);
    let candidates = audio
        .attributes()
        .filter(|a| a.name == "candidate")
        .filter_map(|a| Candidate::parse(&format!("candidate:{}", a.value?)).ok())
        .collect();
    Offer {
        mid: audio.mid().unwrap_or("0").to_string(),
        ufrag: audio
            .ice_ufrag()
            .or_else(|| desc.ice_ufrag())
            .expect("a=ice-ufrag")
            .to_string(),
        pwd: audio
            .ice_pwd()
            .or_else(|| desc.ice_pwd())
            .expect("a=ice-pwd")
            .to_string(),
        fingerprint,
        pcmu,
        candidates,
    }
}

/// The answer of an ICE-lite, DTLS-passive audio endpoint (RFC 8829 §5.3, RFC 8839 §5, RFC 5763
/// §5, RFC 8842): the default candidate's address in `c=` and port in `m=` (RFC 8839 §4.2.1.1),
/// PCMU only, BUNDLE of the one section, rtcp-mux, our SSRC.
fn answer(offer: &Offer, agent: &Agent, fingerprint: &Fingerprint) -> String {
    let (ufrag, pwd) = agent.local_credentials();
    let default = agent.local_candidates().next().expect("a host candidate");
    let (mid, pt) = (&offer.mid, offer.pcmu);
    let mut sdp = format!(
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-lite\r\na=group:BUNDLE {mid}\r\n\
         m=audio {port} UDP/TLS/RTP/SAVPF {pt}\r\nc=IN IP4 {ip}\r\na=mid:{mid}\r\n\
         a=ice-ufrag:{ufrag}\r\na=ice-pwd:{pwd}\r\na=fingerprint:{fingerprint}\r\na=setup:passive\r\n\
         a=rtcp-mux\r\na=sendrecv\r\na=rtpmap:{pt} PCMU/8000\r\na=ssrc:{OUR_SSRC} cname:rtcweb\r\n",
        port = default.address.port(),
        ip = default.address.ip(),
    );
    for c in agent.local_candidates() {
        sdp.push_str(&format!("a={c}\r\n"));
    }
    sdp.push_str("a=end-of-candidates\r\n");
    sdp
}

/// The names Chromium's `srtpCipher` may give a `use_srtp` profile: BoringSSL's (what Chromium
/// 156 reports, the same as srtp-core's [`SrtpProtectionProfile::name`]) or webrtc's older
/// `SrtpCryptoSuiteToName` one.
fn browser_cipher_names(profile: SrtpProtectionProfile) -> [&'static str; 2] {
    let legacy = match profile {
        SrtpProtectionProfile::Aes128CmHmacSha1_80 => "AES_CM_128_HMAC_SHA1_80",
        SrtpProtectionProfile::AeadAes128Gcm => "AEAD_AES_128_GCM",
        SrtpProtectionProfile::AeadAes256Gcm => "AEAD_AES_256_GCM",
        _ => "",
    };
    [profile.name(), legacy]
}

/// Media counters of our side.
#[derive(Debug, Default)]
struct Counters {
    rtp_decrypted: u64,
    rtcp_decrypted: u64,
    /// SRTP/SRTCP that did not verify (or parse): must stay 0.
    auth_failures: u64,
    first_failure: Option<String>,
    /// Decrypted RTP with a payload type other than the answered PCMU: must stay 0.
    wrong_payload_type: u64,
    /// SRTP before our keys: must stay 0 (the browser sends media after its handshake, which
    /// completes after ours).
    before_keys: u64,
    echoed: u64,
    dtls_datagrams: u64,
    other: u64,
}

/// Drains the DTLS events: keeps the keys of `Connected`, fails on anything else.
fn take_dtls_events(dtls: &mut DtlsSrtp, connected: &mut Option<Box<Connected>>) {
    while let Some(event) = dtls.poll_event() {
        match event {
            DtlsEvent::Connected(c) => {
                assert!(connected.is_none(), "Connected twice");
                *connected = Some(c);
            }
            DtlsEvent::PeerClosed => panic!("the browser closed DTLS"),
            DtlsEvent::Failed(e) => panic!("DTLS failed: {e}"),
            other => panic!("unexpected DTLS event {other:?}"),
        }
    }
}

fn stat_u64(stats: &Value, key: &str) -> u64 {
    stats.get(key).and_then(Value::as_u64).unwrap_or(0)
}

fn stat_str<'a>(stats: &'a Value, key: &str) -> &'a str {
    stats.get(key).and_then(Value::as_str).unwrap_or("")
}

#[test]
fn chromium_audio_over_dtls_srtp_with_our_stack() {
    assert!(
        chromium_installed(),
        "chromium is not installed and apt-get install chromium failed"
    );
    assert!(
        npm_packages_installed(),
        "`npm ci` in examples/tests/jssip failed (playwright-core)"
    );
    let clock = std::time::Instant::now();
    let now = || Instant::from_nanos(clock.elapsed().as_nanos() as i64);
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_nonblocking(true).unwrap();
    let local = socket.local_addr().unwrap();
    // Fixed seeds: the same ICE credentials and certificate every run (the ECDHE secrets come
    // from the OS inside dimpl, see srtp-core's dtls module doc).
    let mut agent = Agent::new(AgentConfig::lite(), [41; 32]);
    agent.add_local_host(local).unwrap();
    let certificate = Certificate::self_signed(&[42; 32]).unwrap();
    let our_fingerprint = certificate.fingerprint();

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, from_page) = channel();
    std::thread::spawn(move || serve(listener, tx));
    // Chromium through playwright-core (tests/jssip/run.js), the system browser, fake microphone.
    let (browser, browser_lines) = open_page(
        &format!("http://127.0.0.1:{port}/"),
        &[
            "--allow-loopback-in-peer-connection",
            "--disable-features=WebRtcHideLocalIpsWithMdns",
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
        ],
    );

    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let mut dtls: Option<DtlsSrtp> = None;
    let mut offered_fingerprint = None;
    let mut pcmu = 0u8;
    let mut connected: Option<Box<Connected>> = None;
    let mut dtls_peer: Option<SocketAddr> = None;
    let mut stats = Value::Null;
    let mut counters = Counters::default();
    let mut buf = [0u8; 2048];
    let mut out = [0u8; 2048];
    let done = |c: &Counters, s: &Value, connected: bool| {
        connected
            && c.rtp_decrypted >= MIN_DECRYPTED
            && stat_str(s, "dtlsState") == "connected"
            && !stat_str(s, "srtpCipher").is_empty()
            && stat_u64(s, "packetsReceived") >= MIN_BROWSER_PACKETS
            && stat_u64(s, "packetsSent") >= MIN_BROWSER_PACKETS
    };
    while !done(&counters, &stats, connected.is_some()) {
        // playwright-core's report: a page error or a browser that failed to start ends the test.
        while let Ok((kind, detail)) = browser_lines.try_recv() {
            assert!(kind != "error", "browser driver: {detail}");
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no audio both ways over DTLS-SRTP within 60 s: DTLS {:?}, connected {}, ICE {:?}, \
             ours {counters:?}, browser {stats}",
            dtls.as_ref().map(DtlsSrtp::state),
            connected.is_some(),
            agent.state(),
        );
        match from_page.recv_timeout(Duration::from_millis(1)) {
            Ok(FromPage::Offer(sdp, reply)) => {
                assert!(dtls.is_none(), "a second offer");
                let offer = parse_offer(&sdp);
                for c in &offer.candidates {
                    let _ = agent.add_remote_candidate(*c);
                }
                agent
                    .set_remote_credentials(&offer.ufrag, &offer.pwd)
                    .unwrap();
                // The answerer to actpass picks passive: the browser is the DTLS client.
                dtls = Some(
                    DtlsSrtp::new(
                        now(),
                        DtlsRole::Server,
                        &certificate,
                        Some(offer.fingerprint),
                        &DtlsConfig::default(),
                        &[43; 32],
                    )
                    .unwrap(),
                );
                offered_fingerprint = Some(offer.fingerprint);
                pcmu = offer.pcmu;
                reply
                    .send(answer(&offer, &agent, &our_fingerprint))
                    .unwrap();
            }
            Ok(FromPage::Stats(s)) => {
                let s: Value =
                    serde_json::from_str(&s).unwrap_or_else(|e| panic!("page report {s:?}: {e}"));
                assert!(s.get("error").is_none(), "page: {s}");
                let dtls_state = stat_str(&s, "dtlsState");
                assert!(
                    dtls_state != "failed" && dtls_state != "closed",
                    "browser DTLS {dtls_state}: {s}"
                );
                stats = s;
            }
            Err(_) => {}
        }

        while let Ok((n, from)) = socket.recv_from(&mut buf) {
            let datagram = &mut buf[..n];
            match datagram.first().copied().unwrap_or(255) {
                // RFC 7983: STUN.
                0..=3 => {
                    let _ = agent.handle_receive(now(), local, from, datagram);
                }
                // DTLS.
                20..=63 => {
                    counters.dtls_datagrams += 1;
                    dtls_peer.get_or_insert(from);
                    let d = dtls.as_mut().expect("DTLS before the offer");
                    if let Err(e) = d.handle_receive(now(), datagram) {
                        panic!("DTLS refused a datagram from the browser: {e}");
                    }
                    // The keys at once, before the next datagram (which may be SRTP).
                    take_dtls_events(d, &mut connected);
                }
                // RTP/RTCP, SRTP-protected.
                128..=191 => {
                    let Some(c) = connected.as_mut() else {
                        counters.before_keys += 1;
                        continue;
                    };
                    // RFC 5761 §4: RTCP packet types 200..=206 under rtcp-mux.
                    if matches!(datagram.get(1), Some(200..=206)) {
                        match c.srtp.inbound.unprotect_rtcp(datagram) {
                            Ok(_) => counters.rtcp_decrypted += 1,
                            Err(e) => {
                                counters.auth_failures += 1;
                                counters.first_failure.get_or_insert(format!("SRTCP: {e}"));
                            }
                        }
                        continue;
                    }
                    match c.srtp.inbound.unprotect_rtp(datagram) {
                        Ok(len) => {
                            counters.rtp_decrypted += 1;
                            if datagram[1] & 0x7f != pcmu {
                                counters.wrong_payload_type += 1;
                            }
                            // The echo: the browser's packet under our SSRC.
                            out[..len].copy_from_slice(&datagram[..len]);
                            out[8..12].copy_from_slice(&OUR_SSRC.to_be_bytes());
                            let n = c.srtp.outbound.protect_rtp(&mut out, len).unwrap();
                            let to = agent.selected_pair(1).map_or(from, |(_, r)| r.address);
                            socket.send_to(&out[..n], to).unwrap();
                            counters.echoed += 1;
                        }
                        Err(e) => {
                            counters.auth_failures += 1;
                            counters.first_failure.get_or_insert(format!("SRTP: {e}"));
                        }
                    }
                }
                _ => counters.other += 1,
            }
        }

        let t = now();
        if agent.poll_timeout().is_some_and(|at| at <= t) {
            agent.handle_timeout(t);
        }
        while let Some(tx) = agent.poll_transmit(t, &mut out).unwrap() {
            let _ = socket.send_to(&out[..tx.len], tx.destination);
        }
        while agent.poll_event().is_some() {}

        if let Some(d) = dtls.as_mut() {
            if d.poll_timeout().is_some_and(|at| at <= t) {
                d.handle_timeout(t);
            }
            // DTLS goes to the ICE-selected remote address, else where the ClientHello came from.
            let to = agent.selected_pair(1).map(|(_, r)| r.address).or(dtls_peer);
            if let Some(to) = to {
                while let Some(n) = d.poll_transmit(t, &mut out).unwrap() {
                    socket.send_to(&out[..n], to).unwrap();
                }
            }
            take_dtls_events(d, &mut connected);
        }
    }
    let elapsed = clock.elapsed();
    drop(browser);

    let c = connected.unwrap();
    // DtlsSrtp refuses a certificate that does not hash to the offered a=fingerprint; that the
    // fingerprint it reports is the offered one shows which certificate it checked.
    assert_eq!(Some(c.peer_fingerprint), offered_fingerprint);
    assert_eq!(c.role, DtlsRole::Server);
    assert_eq!(counters.auth_failures, 0, "{counters:?}");
    assert_eq!(counters.before_keys, 0, "{counters:?}");
    assert_eq!(counters.wrong_payload_type, 0, "{counters:?}");
    assert_eq!(counters.echoed, counters.rtp_decrypted, "{counters:?}");
    assert!(
        matches!(
            agent.state(),
            ConnectionState::Connected | ConnectionState::Completed
        ),
        "our ICE-lite agent: {:?}",
        agent.state()
    );
    let ice = stat_str(&stats, "iceConnectionState");
    assert!(
        ice == "connected" || ice == "completed",
        "browser ICE {ice}: {stats}"
    );
    assert!(
        browser_cipher_names(c.profile).contains(&stat_str(&stats, "srtpCipher")),
        "the browser's SRTP cipher is not {}, the profile we negotiated: {stats}",
        c.profile
    );
    assert_eq!(stat_str(&stats, "dtlsRole"), "client", "{stats}");
    // The browser checked our certificate: the one it reports is the one we answered with.
    let browser_saw = Fingerprint::parse(stat_str(&stats, "remoteFingerprint"))
        .unwrap_or_else(|e| panic!("the browser's remote certificate fingerprint: {e}: {stats}"));
    assert_eq!(browser_saw, our_fingerprint, "{stats}");

    println!(
        "Chromium over DTLS-SRTP in {:.1} s: {:?} {} (browser: {} {}, DTLS cipher {}, role {}), \
         browser fingerprint verified ({}); we decrypted {} RTP + {} RTCP from the browser (0 \
         failed) and echoed {}; browser sent {} and received {} packets, dtlsState {}, ICE {}; \
         {} DTLS datagrams in",
        elapsed.as_secs_f64(),
        c.version,
        c.profile,
        stat_str(&stats, "tlsVersion"),
        stat_str(&stats, "srtpCipher"),
        stat_str(&stats, "dtlsCipher"),
        stat_str(&stats, "dtlsRole"),
        c.peer_fingerprint,
        counters.rtp_decrypted,
        counters.rtcp_decrypted,
        counters.echoed,
        stat_u64(&stats, "packetsSent"),
        stat_u64(&stats, "packetsReceived"),
        stat_str(&stats, "dtlsState"),
        ice,
        counters.dtls_datagrams,
    );
}
