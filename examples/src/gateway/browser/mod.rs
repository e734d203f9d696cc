//! A browser-to-phone gateway (issue #17, minimum slice): a back-to-back user agent whose web leg
//! is SIP over WebSocket (RFC 7118, the browser's JsSIP connects to us) with a WebRTC offer
//! answered as an ICE-lite, DTLS-passive, rtcp-mux, BUNDLE endpoint (PCMU only), and whose trunk
//! leg is plain SIP over UDP with RTP/AVP PCMU to one configured phone.
//!
//! One thread owns everything: the WebSocket listener and connections, two sip-core
//! [`UserAgent`]s (one per leg: topology hiding, nothing of one leg's dialog reaches the other),
//! the ICE-lite agent, the DTLS-SRTP server and three UDP sockets (web media, trunk SIP, trunk
//! RTP). The web media socket carries STUN, DTLS and SRTP/SRTCP, split by first byte (RFC 7983).
//! SRTP from the browser is verified, decrypted and sent as RTP to the phone; RTP from the phone
//! gets our signalled SSRC, is protected and sent to the browser. SRTCP is verified and
//! terminated. BYE on either leg ends the other. One call at a time; a second INVITE gets 486.
//! A trunk's 183 with SDP (reliable when it requires 100rel: the trunk leg PRACKs it) is early
//! media (RFC 3960): the browser gets our answer in a 183, and the relay runs before the 200.
//! The phone may transfer the call (REFER, RFC 3515): the gateway calls the target, moves the
//! relay to it when it answers, NOTIFYs the transferor and releases its leg; the browser's leg is
//! untouched.

mod summary;

pub use summary::CallSummary;

use std::collections::BTreeMap;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rtcweb_ice_core::candidate::Candidate;
use rtcweb_ice_core::{Agent, AgentConfig};
use rtcweb_proto::Rng;
use rtcweb_sdp_core::SessionDescription;
use rtcweb_sip_core::transaction::{Peer, Transport};
use rtcweb_sip_core::ua::{CallHandle, ReofferMethod, UaConfig, UaEvent, UserAgent};
use rtcweb_sip_core::Instant;
use rtcweb_srtp_core::dtls::{
    Certificate, Connected, DtlsConfig, DtlsEvent, DtlsSrtp, Fingerprint,
};
use rtcweb_srtp_core::DtlsRole;

use crate::call::sdp;
use crate::ws::connection::MAX_MESSAGE;
use crate::ws::{ws_peer, Accept, Handshake, WsConnection, WsError};

/// Our SSRC towards the browser, signalled in the answer (`a=ssrc`).
pub const WEB_SSRC: u32 = 0x5254_4347;
/// Our SSRC towards the phone.
pub const TRUNK_SSRC: u32 = 0x5254_4350;
/// Longest sleep of the loop when nothing happens.
const IDLE: Duration = Duration::from_millis(1);

/// Where the gateway listens and whom it calls.
#[derive(Debug, Clone)]
pub struct BrowserGatewayConfig {
    /// The WebSocket listener (`ws://` + this).
    pub ws: SocketAddr,
    /// The phone (or trunk) every call goes to, SIP over UDP.
    pub trunk: SocketAddr,
    /// Key of the CSPRNG behind tags, ICE credentials and the DTLS certificate.
    pub seed: [u8; 32],
}

/// What the gateway did, shared with its owner.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GatewayStats {
    /// INVITEs from browsers.
    pub calls: u64,
    /// The trunk leg answered.
    pub trunk_answered: bool,
    /// DTLS handshake done (SRTP keyed), with the profile name.
    pub dtls_profile: Option<String>,
    /// SRTP from the browser verified and sent as RTP to the phone.
    pub web_to_phone: u64,
    /// RTP from the phone protected and sent to the browser.
    pub phone_to_web: u64,
    /// SRTCP from the browser verified and terminated.
    pub rtcp_terminated: u64,
    /// SRTP/SRTCP refused.
    pub refused: u64,
    /// The web leg ended (BYE either way).
    pub web_ended: bool,
    /// The trunk leg ended (BYE either way).
    pub trunk_ended: bool,
    /// Of `phone_to_web`, the packets relayed before the trunk's 2xx: early media (a 183 with
    /// SDP, relayed to the browser as a 183 with our answer).
    pub early_media: u64,
    /// What happened, in order.
    pub log: Vec<String>,
}

/// A running gateway. Stops when dropped.
#[derive(Debug)]
pub struct BrowserGateway {
    local_ws: SocketAddr,
    stats: Arc<Mutex<GatewayStats>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl BrowserGateway {
    /// Binds the listener and the UDP sockets (on the listener's IP) and starts the thread.
    ///
    /// # Errors
    /// Binding failed.
    pub fn start(cfg: BrowserGatewayConfig) -> io::Result<Self> {
        let listener = TcpListener::bind(cfg.ws)?;
        listener.set_nonblocking(true)?;
        let local_ws = listener.local_addr()?;
        let ip = local_ws.ip();
        let bind = || -> io::Result<UdpSocket> {
            let s = UdpSocket::bind(SocketAddr::new(ip, 0))?;
            s.set_nonblocking(true)?;
            Ok(s)
        };
        let (media, trunk_sip, trunk_rtp) = (bind()?, bind()?, bind()?);
        let stats = Arc::new(Mutex::new(GatewayStats::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let mut rng = Rng::from_seed(cfg.seed);
        let media_addr = media.local_addr()?;
        let trunk_sip_addr = trunk_sip.local_addr()?;
        let mut web_cfg = UaConfig::new(
            &format!("sip:gateway@{ip}"),
            &format!("<sip:gateway@{local_ws};transport=ws>"),
            &format!("SIP/2.0/WS {local_ws}"),
            ws_peer(local_ws),
            rng.seed32(),
        );
        web_cfg.user_agent = "rtcweb-gateway".into();
        // The browser's new offers (hold, resume) are answered by the gateway once the trunk
        // has answered the same change.
        web_cfg.answer_offers = false;
        let mut trunk_cfg = UaConfig::new(
            &format!("sip:gateway@{ip}"),
            &format!("<sip:gateway@{trunk_sip_addr}>"),
            &format!("SIP/2.0/UDP {trunk_sip_addr}"),
            Peer::udp(cfg.trunk),
            rng.seed32(),
        );
        trunk_cfg.user_agent = "rtcweb-gateway".into();
        let mut ice = Agent::new(AgentConfig::lite(), rng.seed32());
        ice.add_local_host(media_addr)
            .map_err(|e| io::Error::other(e.to_string()))?;
        let certificate =
            Certificate::self_signed(&rng.seed32()).map_err(|e| io::Error::other(e.to_string()))?;
        let driver = Driver {
            listener,
            pending: Vec::new(),
            conns: BTreeMap::new(),
            media,
            media_addr,
            trunk_sip,
            trunk_rtp,
            trunk: cfg.trunk,
            web: UserAgent::new(web_cfg),
            trunk_ua: UserAgent::new(trunk_cfg),
            ice,
            certificate,
            dtls_seed: rng.seed32(),
            rng,
            dtls: None,
            dtls_peer: None,
            keys: None,
            web_call: None,
            trunk_call: None,
            phone_rtp: None,
            early_answered: false,
            transfer: None,
            transferred_from: None,
            offer_direction: None,
            sdp_version: 1,
            trunk_seq: 0,
            web_seq: 0,
            stats: Arc::clone(&stats),
            stop: Arc::clone(&stop),
            clock: std::time::Instant::now(),
        };
        let thread = std::thread::Builder::new()
            .name("browser-gw".into())
            .spawn(move || driver.run())?;
        Ok(Self {
            local_ws,
            stats,
            stop,
            thread: Some(thread),
        })
    }

    /// The WebSocket address (`ws://` + this).
    #[must_use]
    pub const fn local_addr(&self) -> SocketAddr {
        self.local_ws
    }

    /// A copy of the counters and log.
    #[must_use]
    pub fn stats(&self) -> GatewayStats {
        self.stats.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Stops the thread.
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for BrowserGateway {
    fn drop(&mut self) {
        self.stop();
    }
}

/// What the gateway takes from the browser's offer.
#[derive(Debug)]
struct Offer {
    mid: String,
    ufrag: String,
    pwd: String,
    fingerprint: Fingerprint,
    pcmu: u8,
    candidates: Vec<Candidate>,
}

fn parse_offer(offer: &[u8]) -> Result<Offer, String> {
    let desc = SessionDescription::parse(offer).map_err(|e| format!("offer: {e}"))?;
    let audio = desc
        .media()
        .find(|m| m.kind() == "audio")
        .ok_or("no audio section")?;
    let f = audio
        .fingerprint()
        .or_else(|| desc.fingerprint())
        .ok_or("no a=fingerprint (DTLS-SRTP required)")?;
    let fingerprint = Fingerprint::parse(&format!("{} {}", f.hash_function, f.value))
        .map_err(|e| format!("a=fingerprint: {e}"))?;
    let pcmu = audio
        .rtpmaps()
        .find(|r| r.encoding.eq_ignore_ascii_case("PCMU") && r.clock_rate == 8000)
        .map_or(0, |r| r.payload_type);
    let candidates = audio
        .attributes()
        .filter(|a| a.name == "candidate")
        .filter_map(|a| Candidate::parse(&format!("candidate:{}", a.value?)).ok())
        .collect();
    Ok(Offer {
        mid: audio.mid().unwrap_or("0").to_string(),
        ufrag: audio
            .ice_ufrag()
            .or_else(|| desc.ice_ufrag())
            .ok_or("no a=ice-ufrag")?
            .to_string(),
        pwd: audio
            .ice_pwd()
            .or_else(|| desc.ice_pwd())
            .ok_or("no a=ice-pwd")?
            .to_string(),
        fingerprint,
        pcmu,
        candidates,
    })
}

/// The ICE-lite, DTLS-passive, rtcp-mux, BUNDLE answer (PCMU only).
/// The direction of an SDP (its first direction attribute; RFC 3264 §5.1 default sendrecv).
fn direction(sdp: &[u8]) -> &'static str {
    let text = String::from_utf8_lossy(sdp);
    for line in text.lines() {
        match line.trim_end() {
            "a=sendonly" => return "sendonly",
            "a=recvonly" => return "recvonly",
            "a=inactive" => return "inactive",
            "a=sendrecv" => return "sendrecv",
            _ => {}
        }
    }
    "sendrecv"
}

fn web_answer(offer: &Offer, ice: &Agent, fingerprint: &Fingerprint) -> String {
    let (ufrag, pwd) = ice.local_credentials();
    let (mid, pt) = (&offer.mid, offer.pcmu);
    let Some(default) = ice.local_candidates().next() else {
        return String::new();
    };
    let mut s = format!(
        "v=0\r\no=rtcweb-gateway 1 1 IN IP4 {ip}\r\ns=-\r\nt=0 0\r\na=ice-lite\r\n\
         a=group:BUNDLE {mid}\r\na=msid-semantic: WMS\r\n\
         m=audio {port} UDP/TLS/RTP/SAVPF {pt}\r\nc=IN IP4 {ip}\r\na=mid:{mid}\r\n\
         a=ice-ufrag:{ufrag}\r\na=ice-pwd:{pwd}\r\na=fingerprint:{fingerprint}\r\n\
         a=setup:passive\r\na=rtcp-mux\r\na=sendrecv\r\na=rtpmap:{pt} PCMU/8000\r\n\
         a=ssrc:{WEB_SSRC} cname:rtcweb-gateway\r\n",
        port = default.address.port(),
        ip = default.address.ip(),
    );
    for c in ice.local_candidates() {
        s.push_str(&format!("a={c}\r\n"));
    }
    s.push_str("a=end-of-candidates\r\n");
    s
}

struct Driver {
    listener: TcpListener,
    pending: Vec<(SocketAddr, std::time::Instant, Handshake<TcpStream>)>,
    conns: BTreeMap<SocketAddr, WsConnection<TcpStream>>,
    media: UdpSocket,
    media_addr: SocketAddr,
    trunk_sip: UdpSocket,
    trunk_rtp: UdpSocket,
    trunk: SocketAddr,
    web: UserAgent,
    trunk_ua: UserAgent,
    ice: Agent,
    certificate: Certificate,
    dtls_seed: [u8; 32],
    /// Seeds of the next calls' ICE agents and DTLS endpoints.
    rng: Rng,
    dtls: Option<DtlsSrtp>,
    dtls_peer: Option<SocketAddr>,
    keys: Option<Box<Connected>>,
    /// The browser's call and its parsed offer.
    web_call: Option<(CallHandle, Offer, Peer)>,
    trunk_call: Option<CallHandle>,
    /// The browser got our answer in a 183 (early media from the trunk).
    early_answered: bool,
    /// A transfer asked by the phone (REFER): the trunk leg being replaced and the new one.
    transfer: Option<(CallHandle, CallHandle)>,
    /// The trunk leg a completed transfer released.
    transferred_from: Option<CallHandle>,
    /// A browser's new offer forwarded to the trunk: its direction (hold: sendonly/inactive).
    offer_direction: Option<&'static str>,
    /// Version of our SDPs (o= line), raised with every new offer or answer (RFC 3264 §8).
    sdp_version: u64,
    phone_rtp: Option<SocketAddr>,
    trunk_seq: u16,
    web_seq: u16,
    stats: Arc<Mutex<GatewayStats>>,
    stop: Arc<AtomicBool>,
    clock: std::time::Instant,
}

impl Driver {
    fn now(&self) -> Instant {
        Instant::from_nanos(i64::try_from(self.clock.elapsed().as_nanos()).unwrap_or(i64::MAX))
    }

    fn with_stats(&self, f: impl FnOnce(&mut GatewayStats)) {
        if let Ok(mut s) = self.stats.lock() {
            f(&mut s);
        }
    }

    fn say(&self, line: String) {
        log::info!("gateway: {line}");
        self.with_stats(|s| s.log.push(line));
    }

    fn run(mut self) {
        let mut buf = vec![0u8; MAX_MESSAGE];
        while !self.stop.load(Ordering::Relaxed) {
            let mut busy = self.accept();
            busy |= self.read_ws();
            busy |= self.read_trunk_sip(&mut buf);
            busy |= self.read_media(&mut buf);
            busy |= self.read_trunk_rtp(&mut buf);
            let now = self.now();
            if self.web.poll_timeout().is_some_and(|t| t <= now) {
                self.web.handle_timeout(now);
            }
            if self.trunk_ua.poll_timeout().is_some_and(|t| t <= now) {
                self.trunk_ua.handle_timeout(now);
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
            busy |= self.transmit(now, &mut buf);
            if !busy {
                std::thread::sleep(IDLE);
            }
        }
        for (_, mut c) in std::mem::take(&mut self.conns) {
            c.close();
        }
    }

    fn accept(&mut self) -> bool {
        let mut busy = false;
        while let Ok((stream, addr)) = self.listener.accept() {
            busy = true;
            if stream.set_nonblocking(true).is_err() {
                continue;
            }
            let _ = stream.set_nodelay(true);
            self.handshake_step(addr, std::time::Instant::now(), Handshake::start(stream));
        }
        for (addr, since, h) in std::mem::take(&mut self.pending) {
            busy = true;
            self.handshake_step(addr, since, h.resume());
        }
        busy
    }

    fn handshake_step(
        &mut self,
        addr: SocketAddr,
        since: std::time::Instant,
        r: Result<Accept<TcpStream>, WsError>,
    ) {
        match r {
            Ok(Accept::Done(c)) => {
                self.say(format!("ws: {addr} connected"));
                self.conns.insert(addr, c);
            }
            Ok(Accept::Pending(h)) if since.elapsed() < Duration::from_secs(10) => {
                self.pending.push((addr, since, h));
            }
            Ok(Accept::Pending(_)) => self.say(format!("ws: {addr} handshake timed out")),
            Err(e) => self.say(format!("ws: {addr} refused: {e}")),
        }
    }

    fn read_ws(&mut self) -> bool {
        let mut busy = false;
        let mut closed = Vec::new();
        let now = self.now();
        for (&addr, conn) in &mut self.conns {
            for _ in 0..64 {
                match conn.read_sip() {
                    Ok(Some(msg)) => {
                        busy = true;
                        let _ = self.web.handle_receive(now, ws_peer(addr), &msg);
                    }
                    Ok(None) => break,
                    Err(_) => {
                        closed.push(addr);
                        break;
                    }
                }
            }
        }
        for addr in closed {
            self.conns.remove(&addr);
            self.say(format!("ws: {addr} disconnected"));
            self.web_disconnected(now, addr);
        }
        busy
    }

    fn read_trunk_sip(&mut self, buf: &mut [u8]) -> bool {
        let mut busy = false;
        let now = self.now();
        while let Ok((n, from)) = self.trunk_sip.recv_from(buf) {
            busy = true;
            if let Some(msg) = buf.get(..n) {
                let _ = self.trunk_ua.handle_receive(now, Peer::udp(from), msg);
            }
        }
        busy
    }

    fn read_media(&mut self, buf: &mut [u8]) -> bool {
        let mut busy = false;
        let now = self.now();
        while let Ok((n, from)) = self.media.recv_from(buf) {
            busy = true;
            let Some(datagram) = buf.get_mut(..n) else {
                continue;
            };
            match datagram.first().copied().unwrap_or(255) {
                0..=3 => {
                    let _ = self
                        .ice
                        .handle_receive(now, self.media_addr, from, datagram);
                }
                20..=63 => {
                    self.dtls_peer.get_or_insert(from);
                    if let Some(d) = self.dtls.as_mut() {
                        let _ = d.handle_receive(now, datagram);
                    }
                    self.dtls_events();
                }
                128..=191 => self.srtp_from_browser(datagram),
                _ => {}
            }
        }
        busy
    }

    /// SRTP/SRTCP from the browser: verified and decrypted; RTP goes on to the phone.
    fn srtp_from_browser(&mut self, datagram: &mut [u8]) {
        let Some(keys) = self.keys.as_mut() else {
            return;
        };
        if matches!(datagram.get(1), Some(200..=206)) {
            let ok = keys.srtp.inbound.unprotect_rtcp(datagram).is_ok();
            self.with_stats(|s| {
                if ok {
                    s.rtcp_terminated += 1;
                } else {
                    s.refused += 1;
                }
            });
            return;
        }
        let Ok(len) = keys.srtp.inbound.unprotect_rtp(datagram) else {
            self.with_stats(|s| s.refused += 1);
            return;
        };
        let (Some(to), Some(rtp)) = (self.phone_rtp, datagram.get_mut(..len)) else {
            return;
        };
        if rtp.len() < 12 {
            return;
        }
        // Topology hiding: our own SSRC and sequence towards the phone, PCMU as payload type 0.
        self.trunk_seq = self.trunk_seq.wrapping_add(1);
        rtp[1] &= 0x80;
        rtp[2..4].copy_from_slice(&self.trunk_seq.to_be_bytes());
        rtp[8..12].copy_from_slice(&TRUNK_SSRC.to_be_bytes());
        if self.trunk_rtp.send_to(rtp, to).is_ok() {
            self.with_stats(|s| s.web_to_phone += 1);
        }
    }

    fn read_trunk_rtp(&mut self, buf: &mut [u8]) -> bool {
        let mut busy = false;
        let mut out = [0u8; 1600];
        while let Ok((n, from)) = self.trunk_rtp.recv_from(buf) {
            busy = true;
            if Some(from) != self.phone_rtp || n < 12 || n + 16 > out.len() {
                continue;
            }
            let (Some(keys), Some(pt)) = (
                self.keys.as_mut(),
                self.web_call.as_ref().map(|(_, o, _)| o.pcmu),
            ) else {
                continue;
            };
            let (Some(dst), Some(src)) = (out.get_mut(..n), buf.get(..n)) else {
                continue;
            };
            dst.copy_from_slice(src);
            // RTCP from the phone ends here.
            if matches!(dst.get(1), Some(200..=206)) || dst.first().is_none_or(|b| b >> 6 != 2) {
                continue;
            }
            self.web_seq = self.web_seq.wrapping_add(1);
            dst[1] = (dst[1] & 0x80) | (pt & 0x7f);
            dst[2..4].copy_from_slice(&self.web_seq.to_be_bytes());
            dst[8..12].copy_from_slice(&WEB_SSRC.to_be_bytes());
            let Ok(len) = keys.srtp.outbound.protect_rtp(&mut out, n) else {
                continue;
            };
            let to = self
                .ice
                .selected_pair(1)
                .map(|(_, r)| r.address)
                .or(self.dtls_peer);
            if let (Some(to), Some(p)) = (to, out.get(..len)) {
                if self.media.send_to(p, to).is_ok() {
                    self.with_stats(|s| {
                        s.phone_to_web += 1;
                        if !s.trunk_answered {
                            s.early_media += 1;
                        }
                    });
                }
            }
        }
        busy
    }

    fn dtls_events(&mut self) {
        let Some(d) = self.dtls.as_mut() else {
            return;
        };
        let mut events = Vec::new();
        while let Some(e) = d.poll_event() {
            events.push(e);
        }
        for e in events {
            match e {
                DtlsEvent::Connected(c) => {
                    let name = c.profile.name().to_string();
                    self.say(format!("web leg: DTLS connected, {name}"));
                    self.with_stats(|s| s.dtls_profile = Some(name));
                    self.keys = Some(c);
                }
                other => self.say(format!("web leg: DTLS {other:?}")),
            }
        }
    }

    fn on_invite(
        &mut self,
        now: Instant,
        call: CallHandle,
        from: &str,
        source: Peer,
        offer: &[u8],
    ) {
        self.with_stats(|s| s.calls += 1);
        if self.web_call.is_some() {
            let _ = self.web.reject(now, call, 486);
            return;
        }
        let offer = match parse_offer(offer) {
            Ok(o) => o,
            Err(e) => {
                self.say(format!("web leg: INVITE from {from} refused: {e}"));
                let _ = self.web.reject(now, call, 488);
                return;
            }
        };
        let _ = self.ice.set_remote_credentials(&offer.ufrag, &offer.pwd);
        for c in &offer.candidates {
            let _ = self.ice.add_remote_candidate(*c);
        }
        match DtlsSrtp::new(
            now,
            DtlsRole::Server,
            &self.certificate,
            Some(offer.fingerprint),
            &DtlsConfig::default(),
            &self.dtls_seed,
        ) {
            Ok(d) => self.dtls = Some(d),
            Err(e) => {
                self.say(format!("web leg: DTLS: {e}"));
                let _ = self.web.reject(now, call, 500);
                return;
            }
        }
        let _ = self.web.ringing(now, call);
        let target = format!("sip:phone@{}", self.trunk);
        let plain = sdp::plain_offer(self.trunk_rtp.local_addr().unwrap_or(self.media_addr), 1);
        match self
            .trunk_ua
            .call_to(now, &target, Peer::udp(self.trunk), plain.as_bytes())
        {
            Ok(c) => self.trunk_call = Some(c),
            Err(e) => {
                self.say(format!("trunk leg: INVITE not sent: {e}"));
                let _ = self.web.reject(now, call, 500);
                return;
            }
        }
        self.say(format!(
            "web leg: INVITE from {from} (DTLS-SRTP, {} candidates) -> trunk INVITE {target}",
            offer.candidates.len()
        ));
        self.web_call = Some((call, offer, source));
    }

    /// The call is over on the gateway's side: ready for the next one (fresh ICE agent and DTLS).
    fn reset(&mut self) {
        if self.web_call.is_none() && self.trunk_call.is_none() {
            return;
        }
        self.web_call = None;
        self.trunk_call = None;
        self.dtls = None;
        self.keys = None;
        self.dtls_peer = None;
        self.phone_rtp = None;
        self.early_answered = false;
        self.transfer = None;
        self.offer_direction = None;
        self.dtls_seed = self.rng.seed32();
        let mut ice = Agent::new(AgentConfig::lite(), self.rng.seed32());
        if ice.add_local_host(self.media_addr).is_ok() {
            self.ice = ice;
        }
        self.say("ready for the next call".into());
    }

    /// The phone asks (REFER) that the browser's call continue with `refer_to` (a blind
    /// transfer, RFC 3515): a new trunk leg to it, at its address when the URI names one, else
    /// through the trunk. The browser's leg is not touched: its media moves to the new leg when
    /// that answers.
    fn on_transfer(&mut self, now: Instant, old: CallHandle, refer_to: &str) {
        let target = refer_to.split('?').next().unwrap_or(refer_to);
        let peer = rtcweb_sip_core::uri::Uri::parse(target)
            .ok()
            .and_then(|u| {
                let sip = u.as_sip()?;
                let ip = match sip.host {
                    rtcweb_sip_core::uri::Host::Ipv4(ip) => std::net::IpAddr::V4(ip),
                    rtcweb_sip_core::uri::Host::Ipv6(ip, _) => std::net::IpAddr::V6(ip),
                    rtcweb_sip_core::uri::Host::Domain(_) => return None,
                };
                Some(SocketAddr::new(ip, sip.port.unwrap_or(5060)))
            })
            .unwrap_or(self.trunk);
        let plain = sdp::plain_offer(self.trunk_rtp.local_addr().unwrap_or(self.media_addr), 2);
        match self
            .trunk_ua
            .call_to(now, target, Peer::udp(peer), plain.as_bytes())
        {
            Ok(new) => {
                self.transfer = Some((old, new));
                self.say(format!(
                    "transfer: the phone refers the call to {target} at {peer}"
                ));
            }
            Err(e) => {
                let _ = self
                    .trunk_ua
                    .notify_refer(now, old, 503, "Service Unavailable");
                self.say(format!("transfer: INVITE to {target} not sent: {e}"));
            }
        }
    }

    /// The transfer target answered: the relay follows the new leg, the transferor hears 200
    /// and its leg is released.
    fn transferred(&mut self, now: Instant, new: CallHandle, answer: &[u8]) {
        let Some((old, _)) = self.transfer.take() else {
            return;
        };
        match sdp::remote_rtp(answer) {
            Ok(rtp) => {
                self.phone_rtp = Some(rtp);
                self.trunk_call = Some(new);
                let _ = self.trunk_ua.notify_refer(now, old, 200, "OK");
                let _ = self.trunk_ua.hangup(now, old);
                self.transferred_from = Some(old);
                self.say(format!("transfer: target answered, media now with {rtp}"));
            }
            Err(e) => {
                let _ = self.trunk_ua.hangup(now, new);
                let _ = self
                    .trunk_ua
                    .notify_refer(now, old, 488, "Not Acceptable Here");
                self.say(format!("transfer: target's answer unusable: {e}"));
            }
        }
    }

    /// The browser sent a new offer (hold, resume: JsSIP's `hold()` / `unhold()`): the same
    /// direction goes to the trunk in a re-INVITE; the browser is answered when the trunk has.
    fn on_browser_offer(&mut self, now: Instant, web: CallHandle, sdp: &[u8]) {
        let dir = direction(sdp);
        let Some(trunk) = self.trunk_call else {
            let _ = self.web.reject_offer(now, web, 488);
            return;
        };
        self.sdp_version += 1;
        let plain = sdp::plain_offer(self.trunk_rtp.local_addr().unwrap_or(self.media_addr), 1)
            .replace("a=sendrecv", &format!("a={dir}"))
            .replace(
                "o=rtcweb 1 1 ",
                &format!("o=rtcweb 1 {} ", self.sdp_version),
            );
        match self
            .trunk_ua
            .reoffer(now, trunk, ReofferMethod::Invite, plain.as_bytes())
        {
            Ok(()) => {
                self.offer_direction = Some(dir);
                self.say(format!(
                    "web leg: new offer ({dir}) -> trunk re-INVITE ({dir})"
                ));
            }
            Err(e) => {
                let _ = self.web.reject_offer(now, web, 491);
                self.say(format!("web leg: new offer ({dir}) refused 491: {e}"));
            }
        }
    }

    /// The trunk answered the change the browser asked for: the browser gets our answer with
    /// the mirrored direction (RFC 3264 §6.1).
    fn on_trunk_answered_offer(&mut self, now: Instant) {
        let Some(dir) = self.offer_direction.take() else {
            return;
        };
        let answer_dir = match dir {
            "sendonly" => "recvonly",
            "recvonly" => "sendonly",
            "inactive" => "inactive",
            _ => "sendrecv",
        };
        let fp = self.certificate.fingerprint();
        let Some((web, offer, _)) = &self.web_call else {
            return;
        };
        let web = *web;
        let answer = web_answer(offer, &self.ice, &fp)
            .replace("a=sendrecv", &format!("a={answer_dir}"))
            .replace(
                "o=rtcweb-gateway 1 1 ",
                &format!("o=rtcweb-gateway 1 {} ", self.sdp_version),
            );
        let r = self.web.answer_offer(now, web, answer.as_bytes());
        self.say(format!(
            "trunk leg: new offer answered; web leg answered ({answer_dir}): {r:?}"
        ));
    }

    fn web_handle(&self) -> Option<CallHandle> {
        self.web_call.as_ref().map(|(c, _, _)| *c)
    }

    /// The browser's WebSocket connection closed: its call ends, on both legs.
    fn web_disconnected(&mut self, now: Instant, addr: SocketAddr) {
        if self
            .web_call
            .as_ref()
            .is_some_and(|(_, _, p)| p.addr == addr)
        {
            self.say("web leg: connection closed, ending the call".into());
            if let Some(c) = self.web_handle() {
                let _ = self.web.hangup(now, c);
            }
            if let Some(c) = self.trunk_call {
                let _ = self.trunk_ua.hangup(now, c);
            }
            self.reset();
        }
    }

    fn pump(&mut self, now: Instant) {
        while let Some(e) = self.web.poll_event() {
            match e {
                UaEvent::IncomingCall {
                    call,
                    from,
                    source,
                    sdp,
                    ..
                } => self.on_invite(now, call, &from, source, &sdp),
                UaEvent::Confirmed { .. } => self.say("web leg: ACK".into()),
                UaEvent::Offer { call, sdp, .. } if Some(call) == self.web_handle() => {
                    self.on_browser_offer(now, call, &sdp);
                }
                UaEvent::CallEnded { call, reason } => {
                    self.say(format!("web leg: ended ({reason:?})"));
                    self.with_stats(|s| s.web_ended = true);
                    if Some(call) == self.web_handle() {
                        if let Some(c) = self.trunk_call {
                            let _ = self.trunk_ua.hangup(now, c);
                        }
                        self.reset();
                    }
                }
                _ => {}
            }
        }
        while let Some(e) = self.trunk_ua.poll_event() {
            match e {
                UaEvent::Progress {
                    call,
                    code,
                    sdp: Some(early),
                } if Some(call) == self.trunk_call && !self.early_answered => {
                    // Early media (RFC 3960): the trunk's 183 carries its answer. The browser
                    // gets ours in a 183 too, and the relay runs before the 200.
                    match sdp::remote_rtp(&early) {
                        Ok(rtp) => {
                            self.phone_rtp = Some(rtp);
                            let fp = self.certificate.fingerprint();
                            if let Some((web_call, offer, _)) = &self.web_call {
                                let web_call = *web_call;
                                let a = web_answer(offer, &self.ice, &fp);
                                let sent = self.web.progress(
                                    now,
                                    web_call,
                                    183,
                                    "Session Progress",
                                    Some(a.as_bytes()),
                                );
                                self.early_answered = sent.is_ok();
                                self.say(format!(
                                    "trunk leg: {code} with SDP, early media from {rtp}; web leg: 183 with our answer ({sent:?})"
                                ));
                            }
                        }
                        Err(err) => self.say(format!("trunk leg: {code}, unusable SDP: {err}")),
                    }
                }
                UaEvent::Progress { code, .. } => self.say(format!("trunk leg: {code}")),
                UaEvent::ReofferAnswered { call, .. } if Some(call) == self.trunk_call => {
                    self.on_trunk_answered_offer(now);
                }
                UaEvent::ReofferFailed { call, code }
                    if Some(call) == self.trunk_call && self.offer_direction.is_some() =>
                {
                    self.offer_direction = None;
                    if let Some(web) = self.web_handle() {
                        let _ = self.web.reject_offer(now, web, 488);
                    }
                    self.say(format!(
                        "trunk leg: new offer refused ({code:?}); so is the browser's"
                    ));
                }
                UaEvent::Refer { call, refer_to, .. }
                    if Some(call) == self.trunk_call && self.transfer.is_none() =>
                {
                    self.on_transfer(now, call, &refer_to);
                }
                UaEvent::Answered { call, sdp: answer }
                    if self.transfer.is_some_and(|(_, new)| new == call) =>
                {
                    self.transferred(now, call, &answer);
                }
                UaEvent::CallFailed { call, code }
                    if self.transfer.is_some_and(|(_, new)| new == call) =>
                {
                    // The target did not answer: the transferor hears it (RFC 3515 §2.4.5), and
                    // the browser stays with it.
                    if let Some((old, _)) = self.transfer.take() {
                        let code = code.unwrap_or(408);
                        let _ = self
                            .trunk_ua
                            .notify_refer(now, old, code, "Transfer Failed");
                        self.say(format!("transfer: target failed {code}; the call stays"));
                    }
                }
                UaEvent::Answered { call, sdp: answer } if Some(call) == self.trunk_call => {
                    match sdp::remote_rtp(&answer) {
                        Ok(rtp) => {
                            self.phone_rtp = Some(rtp);
                            self.with_stats(|s| s.trunk_answered = true);
                            let fp = self.certificate.fingerprint();
                            if let Some((call, offer, _)) = &self.web_call {
                                let call = *call;
                                let a = web_answer(offer, &self.ice, &fp);
                                let _ = self.web.answer(now, call, a.as_bytes());
                                self.say(format!(
                                    "trunk leg: answered, phone RTP at {rtp}; web leg answered \
                                     (ICE-lite, DTLS passive)"
                                ));
                            }
                        }
                        Err(err) => {
                            self.say(format!("trunk leg: bad answer: {err}"));
                            let _ = self.trunk_ua.hangup(now, call);
                            if let Some(c) = self.web_handle() {
                                let _ = self.web.reject(now, c, 488);
                            }
                            self.reset();
                        }
                    }
                }
                UaEvent::CallFailed { call, code } if Some(call) == self.trunk_call => {
                    self.say(format!("trunk leg: failed {code:?}"));
                    if let Some(c) = self.web_handle() {
                        let _ = self.web.reject(now, c, code.unwrap_or(480));
                    }
                    self.reset();
                }
                UaEvent::CallEnded { call, reason } => {
                    self.say(format!("trunk leg: ended ({reason:?})"));
                    // The leg a transfer released is not the call's end.
                    if Some(call) != self.transferred_from {
                        self.with_stats(|s| s.trunk_ended = true);
                    }
                    if Some(call) == self.trunk_call {
                        if let Some(c) = self.web_handle() {
                            let _ = self.web.hangup(now, c);
                        }
                        self.reset();
                    }
                }
                _ => {}
            }
        }
        while self.ice.poll_event().is_some() {}
        self.dtls_events();
    }

    fn transmit(&mut self, now: Instant, buf: &mut [u8]) -> bool {
        let mut busy = false;
        while let Ok(Some(t)) = self.web.poll_transmit(now, buf) {
            busy = true;
            let conn = match t.transport {
                Transport::Ws => self.conns.get_mut(&t.destination),
                _ => None,
            };
            if let (Some(c), Some(msg)) = (conn, buf.get(..t.len)) {
                let _ = c.write_sip(msg);
            }
        }
        for c in self.conns.values_mut() {
            let _ = c.flush();
        }
        while let Ok(Some(t)) = self.trunk_ua.poll_transmit(now, buf) {
            busy = true;
            if let Some(msg) = buf.get(..t.len) {
                let _ = self.trunk_sip.send_to(msg, t.destination);
            }
        }
        while let Ok(Some(t)) = self.ice.poll_transmit(now, buf) {
            busy = true;
            if let Some(msg) = buf.get(..t.len) {
                let _ = self.media.send_to(msg, t.destination);
            }
        }
        let to = self
            .ice
            .selected_pair(1)
            .map(|(_, r)| r.address)
            .or(self.dtls_peer);
        if let (Some(d), Some(to)) = (self.dtls.as_mut(), to) {
            while let Ok(Some(n)) = d.poll_transmit(now, buf) {
                busy = true;
                if let Some(msg) = buf.get(..n) {
                    let _ = self.media.send_to(msg, to);
                }
            }
        }
        busy
    }
}
