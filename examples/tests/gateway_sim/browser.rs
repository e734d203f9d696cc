//! A simulated browser, as the gateway sees one running JsSIP: SIP over a WebSocket (client
//! handshake with the `sip` subprotocol by tungstenite, one message per text frame), `.invalid`
//! hosts in its Via and Contact (RFC 7118 §5), REGISTER with digest; a Chrome-like offer (opus,
//! G722, PCMU, PCMA, telephone-event, BUNDLE with a video section the gateway must refuse,
//! rtcp-mux, `a=setup:actpass`); a full ICE agent, controlling (the gateway is ICE-lite);
//! DTLS-SRTP (srtp-core's endpoint); a 20 ms PCMU tone out, SRTP in verified and counted.

use std::net::SocketAddr;
use std::time::Duration;

use rtcweb_cli::call::media::{RtpReceiver, RtpSender, Tone};
use rtcweb_cli::call::sdp::{self as call_sdp, LocalMedia, RemoteKeying};
use rtcweb_ice_core::{Agent, AgentConfig, IceEvent, Receive};
use rtcweb_proto::{Rng, Transport};
use rtcweb_sip_core::registration::Credentials;
use rtcweb_sip_core::transaction::Peer;
use rtcweb_sip_core::ua::{CallHandle, UaConfig, UaEvent, UserAgent};
use rtcweb_srtp_core::dtls::{Certificate, DtlsConfig, DtlsEvent, DtlsSrtp, Fingerprint};
use rtcweb_srtp_core::{DtlsRole, KeyingMaterial};
use rtcweb_testkit::Instant;
use tungstenite::Message;

use super::world::{Cutter, World};
use super::ws_client::{Next, WsClient};

/// What a browser saw, for the assertions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub ws_open: bool,
    pub registered: bool,
    /// INVITE answered (or our answer ACKed).
    pub established: bool,
    /// Final status of a call that failed.
    pub failed: Option<u16>,
    pub selected_pair: Option<(SocketAddr, SocketAddr)>,
    pub dtls_connected: bool,
    /// SRTP packets sent.
    pub sent: u64,
    /// SRTP packets verified, and refused.
    pub verified: u64,
    pub refused: u64,
    /// The call ended (BYE either way).
    pub ended: bool,
    /// The WebSocket closed or broke under us.
    pub ws_lost: bool,
    /// From the call established (answer sent or received) to SRTP keyed.
    pub answer_to_srtp: Option<Duration>,
    /// DTLS datagrams received and sent.
    pub dtls_in: u32,
    pub dtls_out: u32,
}

/// One browser.
pub struct Browser {
    pub user: String,
    world: World,
    gateway: SocketAddr,
    ws: WsClient,
    cutter: Cutter,
    ua: UserAgent,
    media: SocketAddr,
    ice: Agent,
    cert: Certificate,
    dtls_plan: Option<(DtlsRole, Fingerprint)>,
    dtls: Option<DtlsSrtp>,
    dtls_seed: [u8; 32],
    sender: Option<RtpSender>,
    receiver: Option<RtpReceiver>,
    ssrc: u32,
    tone: Tone,
    call: Option<CallHandle>,
    next_frame: Option<Instant>,
    hang_up_at: Option<Instant>,
    established_at: Option<Instant>,
    /// How long a call talks before this side hangs up (`None`: the other side hangs up).
    pub talk: Option<Duration>,
    pub report: Report,
    /// The gateway's answer to our offer.
    pub answer: Option<String>,
    pub log: Vec<String>,
}

impl Browser {
    /// A browser at `ip` connecting to the gateway's `ws://` address, registering `user` with
    /// `password`.
    pub fn new(
        world: &World,
        ip: std::net::IpAddr,
        user: &str,
        password: &str,
        gateway: SocketAddr,
        seed: [u8; 32],
    ) -> Self {
        let mut rng = Rng::from_seed(seed);
        let host = format!("{:08x}.invalid", rng.next_u32());
        let mut cfg = UaConfig::new(
            &format!("sip:{user}@example.com"),
            &format!("<sip:{:08x}@{host};transport=ws>", rng.next_u32()),
            &format!("SIP/2.0/WS {host}"),
            Peer {
                addr: gateway,
                transport: Transport::Ws,
            },
            rng.seed32(),
        );
        cfg.registrar = "sip:example.com".into();
        cfg.register_expires = 600;
        cfg.credentials = Some(Credentials::new(user, password));
        cfg.user_agent = "JsSIP 3.13.0 (simulated)".into();
        let media = SocketAddr::new(ip, 50_000);
        world.bind(media);
        let mut ice = Agent::new(AgentConfig::default(), rng.seed32());
        ice.add_local_host(media).expect("host candidate");
        let cert = Certificate::self_signed(&rng.seed32()).expect("certificate");
        let (ws, cutter) = WsClient::connect(world, SocketAddr::new(ip, 40_000), gateway);
        Self {
            user: user.into(),
            world: world.clone(),
            gateway,
            ws,
            cutter,
            ua: UserAgent::new(cfg),
            media,
            ice,
            cert,
            dtls_plan: None,
            dtls: None,
            dtls_seed: rng.seed32(),
            sender: None,
            receiver: None,
            ssrc: rng.next_u32(),
            tone: Tone::new(440.0),
            call: None,
            next_frame: None,
            hang_up_at: None,
            established_at: None,
            talk: None,
            report: Report::default(),
            answer: None,
            log: Vec::new(),
        }
    }

    /// Sends REGISTER (once the WebSocket is open, it goes out).
    pub fn register(&mut self, now: Instant) {
        self.ua.register(now);
    }

    /// Calls `target` (`sip:phone@example.com`) with a Chrome-like offer.
    pub fn call(&mut self, now: Instant, target: &str) {
        let offer = self.offer();
        self.call = Some(self.ua.call(now, target, offer.as_bytes()).expect("INVITE"));
    }

    /// Trickles one more candidate (RFC 8840: an INFO of the call with an sdpfrag), as a
    /// browser does when a late interface or relay comes up.
    pub fn trickle(&mut self, now: Instant) {
        let Some(call) = self.call else { return };
        let (ufrag, pwd) = self.ice.local_credentials();
        let frag = format!(
            "a=ice-ufrag:{ufrag}\r\na=ice-pwd:{pwd}\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\n\
             a=mid:0\r\na=candidate:9 1 udp 1686052607 {} 50002 typ host\r\n\
             a=end-of-candidates\r\n",
            self.media.ip()
        );
        let _ = self.ua.request_in_dialog(
            now,
            call,
            rtcweb_sip_core::message::Method::Info,
            Some(("application/trickle-ice-sdpfrag", frag.as_bytes())),
        );
    }

    /// Hangs up now (BYE).
    pub fn hang_up(&mut self, now: Instant) {
        if let Some(call) = self.call {
            let _ = self.ua.hangup(now, call);
        }
    }

    /// The network under the browser goes away: the WebSocket breaks (no close frame).
    pub fn cut(&mut self) {
        self.cutter.cut();
    }

    /// What Chrome offers for `getUserMedia({audio: true})` plus a video section: one BUNDLE
    /// group, ICE candidates gathered (JsSIP waits for them), DTLS actpass.
    fn offer(&self) -> String {
        let (ufrag, pwd) = self.ice.local_credentials();
        let local = LocalMedia::from_agent(&self.ice, self.media, [0; 30], false);
        let ip = self.media.ip();
        let port = self.media.port();
        let fp = self.cert.fingerprint();
        let mut s = format!(
            "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
             a=group:BUNDLE 0 1\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS stream\r\n\
             m=audio {port} UDP/TLS/RTP/SAVPF 111 9 0 8 126\r\nc=IN IP4 {ip}\r\n\
             a=rtcp:9 IN IP4 0.0.0.0\r\n"
        );
        for c in &local.candidates {
            s.push_str(&format!("a=candidate:{c}\r\n"));
        }
        let common = format!(
            "a=ice-ufrag:{ufrag}\r\na=ice-pwd:{pwd}\r\na=ice-options:trickle\r\n\
             a=fingerprint:{fp}\r\na=setup:actpass\r\n"
        );
        s.push_str(&common);
        s.push_str(&format!(
            "a=mid:0\r\na=sendrecv\r\na=msid:stream audio0\r\na=rtcp-mux\r\n\
             a=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\n\
             a=fmtp:111 minptime=10;useinbandfec=1\r\na=rtpmap:9 G722/8000\r\n\
             a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n\
             a=rtpmap:126 telephone-event/8000\r\na=ssrc:{} cname:sim\r\n",
            self.ssrc
        ));
        s.push_str(&format!(
            "m=video {port} UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 {ip}\r\n{common}\
             a=mid:1\r\na=sendrecv\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\n"
        ));
        s
    }

    /// Applies the gateway's description (answer or offer): ICE credentials and candidates,
    /// the DTLS role and fingerprint.
    fn apply_remote(&mut self, sdp: &[u8]) -> Result<(), String> {
        let remote = call_sdp::remote(sdp)?;
        self.ice
            .set_remote_credentials(&remote.ice_ufrag, &remote.ice_pwd)
            .map_err(|e| e.to_string())?;
        for c in &remote.candidates {
            self.ice
                .add_remote_candidate(*c)
                .map_err(|e| e.to_string())?;
        }
        self.ice.end_of_remote_candidates();
        let RemoteKeying::Dtls { fingerprint, setup } = remote.keying else {
            return Err("the gateway offered no DTLS-SRTP".into());
        };
        let role = match setup.as_str() {
            "active" => DtlsRole::Server,
            "passive" | "actpass" => DtlsRole::Client,
            other => return Err(format!("a=setup:{other}")),
        };
        let fp = Fingerprint::parse(&fingerprint).map_err(|e| e.to_string())?;
        self.dtls_plan = Some((role, fp));
        Ok(())
    }

    /// One round at `now`: reads, timers, events, media, sends. Whether anything happened.
    pub fn step(&mut self, now: Instant) -> bool {
        let mut acted = self.read_ws(now);
        while let Some((from, mut datagram)) = self.world.take(self.media) {
            acted = true;
            self.receive_media(now, from, &mut datagram);
        }
        if self.ua.poll_timeout().is_some_and(|t| t <= now) {
            self.ua.handle_timeout(now);
        }
        if self.ice.poll_timeout().is_some_and(|t| t <= now) {
            self.ice.handle_timeout(now);
        }
        if let Some(d) = self.dtls.as_mut() {
            if d.poll_timeout().is_some_and(|t| t <= now) {
                d.handle_timeout(now);
            }
        }
        self.pump(now);
        if self.hang_up_at.is_some_and(|t| t <= now) {
            self.hang_up_at = None;
            if let Some(call) = self.call {
                let _ = self.ua.hangup(now, call);
            }
        }
        acted |= self.send_media(now);
        acted | self.transmit(now)
    }

    /// The next moment something is due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        [
            self.ua.poll_timeout(),
            self.ice.poll_timeout(),
            self.dtls.as_ref().and_then(DtlsSrtp::poll_timeout),
            self.next_frame,
            self.hang_up_at,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    fn read_ws(&mut self, now: Instant) -> bool {
        let peer = Peer {
            addr: self.gateway,
            transport: Transport::Ws,
        };
        let was_open = self.ws.is_open();
        let mut acted = false;
        loop {
            match self.ws.next() {
                Next::Frame(f) => {
                    acted = true;
                    let _ = self.ua.handle_receive(now, peer, &f);
                }
                Next::Nothing => break,
                Next::Lost(why) => {
                    self.log.push(format!("ws: {why}"));
                    self.report.ws_lost = true;
                    break;
                }
            }
        }
        if self.ws.is_open() {
            self.report.ws_open = true;
            acted |= !was_open;
        }
        acted
    }

    fn receive_media(&mut self, now: Instant, from: SocketAddr, datagram: &mut [u8]) {
        if !matches!(
            self.ice.handle_receive(now, self.media, from, datagram),
            Receive::NotStun
        ) {
            return;
        }
        match datagram.first() {
            Some(20..=63) => {
                self.report.dtls_in += 1;
                if let Some(d) = self.dtls.as_mut() {
                    let _ = d.handle_receive(now, datagram);
                }
            }
            Some(128..=191) => {
                if let Some(rx) = self.receiver.as_mut() {
                    if rtcweb_srtp_core::wire::rtcp::is_rtcp(datagram) {
                        let _ = rx.receive_rtcp(now, datagram);
                    } else if rx.receive(datagram).is_ok() {
                        self.report.verified += 1;
                    } else {
                        self.report.refused += 1;
                    }
                }
            }
            _ => {}
        }
    }

    fn pump(&mut self, now: Instant) {
        while let Some(e) = self.ua.poll_event() {
            match e {
                UaEvent::Registered { .. } => self.report.registered = true,
                UaEvent::IncomingCall { call, sdp, .. } => {
                    // JsSIP's auto-answering page: answer at once.
                    self.call = Some(call);
                    let answer = self.apply_remote(&sdp).and_then(|()| self.answer(&sdp));
                    match answer {
                        Ok(a) => {
                            let _ = self.ua.answer(now, call, a.as_bytes());
                        }
                        Err(e) => {
                            self.log.push(format!("offer refused: {e}"));
                            let _ = self.ua.reject(now, call, 488);
                        }
                    }
                }
                UaEvent::Answered { sdp, .. } => {
                    self.answer = Some(String::from_utf8_lossy(&sdp).into_owned());
                    self.report.established = true;
                    self.established_at = Some(now);
                    if let Err(e) = self.apply_remote(&sdp) {
                        self.log.push(format!("bad answer: {e}"));
                        if let Some(call) = self.call {
                            let _ = self.ua.hangup(now, call);
                        }
                    }
                    self.hang_up_at = self.talk.map(|d| now + d);
                }
                UaEvent::Confirmed { .. } => {
                    self.report.established = true;
                    self.established_at = Some(now);
                    self.hang_up_at = self.talk.map(|d| now + d);
                }
                UaEvent::CallFailed { code, .. } => {
                    self.report.failed = Some(code.unwrap_or(408));
                    self.next_frame = None;
                }
                UaEvent::CallEnded { .. } => {
                    self.report.ended = true;
                    self.next_frame = None;
                    self.hang_up_at = None;
                }
                other => self.log.push(format!("sip: {other:?}")),
            }
        }
        while let Some(e) = self.ice.poll_event() {
            if let IceEvent::SelectedPair { local, remote, .. } = e {
                self.report.selected_pair = Some((local.address, remote.address));
                if let (None, Some((role, fp))) = (&self.dtls, self.dtls_plan) {
                    self.dtls = DtlsSrtp::new(
                        now,
                        role,
                        &self.cert,
                        Some(fp),
                        &DtlsConfig::default(),
                        &self.dtls_seed,
                    )
                    .ok();
                }
            }
        }
        while let Some(e) = self.dtls.as_mut().and_then(DtlsSrtp::poll_event) {
            match e {
                DtlsEvent::Connected(c) => {
                    self.report.dtls_connected = true;
                    self.report.answer_to_srtp = self
                        .established_at
                        .map(|t| now.saturating_duration_since(t));
                    let profile = c.profile.srtp_profile();
                    if let Ok((local, remote)) = KeyingMaterial::from_dtls_srtp(
                        profile,
                        c.keying_material.as_bytes(),
                        c.role,
                    ) {
                        self.sender = RtpSender::new(&local, self.ssrc, 1000).ok();
                        self.receiver = RtpReceiver::new(&remote, self.ssrc).ok();
                        if !self.report.ended {
                            self.next_frame = Some(now);
                        }
                    }
                }
                other => self.log.push(format!("dtls: {other:?}")),
            }
        }
    }

    /// Our answer to the gateway's offer (a call from the phone): PCMU, `a=setup:active`.
    fn answer(&self, offer: &[u8]) -> Result<String, String> {
        let mut local = LocalMedia::from_agent(&self.ice, self.media, [0; 30], false);
        local.fingerprint = Some(self.cert.fingerprint().to_string());
        call_sdp::answer(offer, &local, false)
    }

    fn send_media(&mut self, now: Instant) -> bool {
        let mut sent = false;
        while let Some(at) = self.next_frame.filter(|t| *t <= now) {
            self.next_frame = Some(at + Duration::from_millis(20));
            let frame = self.tone.next_frame();
            let mut packet = [0u8; 256];
            let mut out = [0u8; 1500];
            let Some(tx) = self.sender.as_mut() else {
                break;
            };
            let Ok(n) = tx.packet(&frame, &mut packet) else {
                break;
            };
            if let Ok(t) = self.ice.send(now, &packet[..n], &mut out) {
                self.world.send(self.media, t.destination, &out[..t.len]);
                self.report.sent += 1;
                sent = true;
            }
        }
        sent
    }

    fn transmit(&mut self, now: Instant) -> bool {
        let mut acted = false;
        let mut buf = vec![0u8; 65_535];
        while let Ok(Some(t)) = self.ua.poll_transmit(now, &mut buf) {
            acted = true;
            if self.ws.is_open() {
                let text = String::from_utf8_lossy(&buf[..t.len]).into_owned();
                if !self.ws.send(Message::text(text)) {
                    self.report.ws_lost = true;
                }
            }
        }
        while let Ok(Some(t)) = self.ice.poll_transmit(now, &mut buf) {
            acted = true;
            self.world.send(self.media, t.destination, &buf[..t.len]);
        }
        let mut record = [0u8; 1500];
        while let Some(Ok(Some(n))) = self
            .dtls
            .as_mut()
            .map(|d| d.poll_transmit(now, &mut record))
        {
            acted = true;
            self.report.dtls_out += 1;
            if let Ok(t) = self.ice.send(now, &record[..n], &mut buf) {
                self.world.send(self.media, t.destination, &buf[..t.len]);
            }
        }
        acted
    }
}
