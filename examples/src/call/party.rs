//! [`Party`]: one side of the loopback call — a SIP user agent (sip-core), an ICE agent
//! (ice-core), SDP offer/answer (sdp-core) and SRTP media (srtp-core) composed into one Sans-IO
//! state machine. The drivers in [`crate::runtime::std_driver`] and [`super::tokio_driver`] only move bytes
//! and time; everything the call does happens here, and is logged so a newcomer can follow it.
//!
//! SRTP is keyed by SDES (`a=crypto`, RFC 4568) or by DTLS-SRTP (RFC 5763/5764): then each party
//! offers its certificate's `a=fingerprint`, the answerer to `a=setup:actpass` takes `active`
//! (RFC 8842 §5.3), and once ICE has selected a pair the DTLS handshake runs over it; the keys
//! come from its exporter, split by role (RFC 5764 §4.2).

use rtcweb_proto::Rng;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Duration;

use rtcweb_ice_core::{Agent, AgentConfig, IceEvent, Receive};
use rtcweb_sip_core::header::CSeq;
use rtcweb_sip_core::message::{Header, Message, Method, SharedMessage};
use rtcweb_sip_core::transaction::Peer;
use rtcweb_sip_core::ua::{CallHandle, UaConfig, UaEvent, UserAgent};
use rtcweb_sip_core::Instant;
use rtcweb_srtp_core::dtls::{Certificate, DtlsConfig, DtlsEvent, DtlsSrtp, Fingerprint};
use rtcweb_srtp_core::{DtlsRole, KeyingMaterial, Profile};

use super::media::{RtpReceiver, RtpSender, Stats, Tone};
use super::sdp::{self, LocalMedia, RemoteKeying};
use crate::runtime::node::{Node, Out};

/// How the parties key SRTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keying {
    /// SDES: keys in the SDP (`a=crypto`, RFC 4568).
    Sdes,
    /// DTLS-SRTP: a DTLS handshake over the ICE pair keys SRTP (RFC 5763/5764).
    Dtls,
}

/// Which side of the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Places the call, is ICE-controlling, hangs up.
    Caller,
    /// Answers, is ICE-controlled.
    Callee,
}

/// The party's socket for SIP signalling.
pub const SIP: usize = 0;
/// The party's socket for ICE and SRTP media.
pub const MEDIA: usize = 1;

/// How a party is set up.
#[derive(Debug, Clone)]
pub struct PartyConfig {
    /// Caller or callee.
    pub side: Side,
    /// The SIP socket's address.
    pub sip: SocketAddr,
    /// The other party's SIP address.
    pub peer_sip: SocketAddr,
    /// The media socket's address (the ICE host candidate).
    pub media: SocketAddr,
    /// How long the caller sends media before hanging up.
    pub duration: Duration,
    /// Randomness for SIP tags, ICE credentials, SRTP keys (the caller's to give).
    pub seed: [u8; 32],
    /// A TURN server with (username, password): the party then offers only its relayed
    /// candidate, so media goes through the relay (a browser's `iceTransportPolicy: "relay"`).
    pub turn: Option<(SocketAddr, String, String)>,
    /// How SRTP is keyed.
    pub keying: Keying,
}

/// What a call achieved, for the demo's summary and the tests.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// INVITE answered with 200 and ACKed.
    pub established: bool,
    /// The pair ICE selected (local, remote).
    pub selected_pair: Option<(SocketAddr, SocketAddr)>,
    /// SRTP packets sent.
    pub sent: u64,
    /// Receive statistics.
    pub received: Stats,
    /// The caller's BYE was answered 200 (caller), or a BYE arrived and was answered (callee).
    pub bye_done: bool,
    /// The round-trip time measured with RTCP sender reports (RFC 3550 §6.4.1).
    pub rtt: Option<Duration>,
    /// With DTLS-SRTP: the SRTP profile the handshake selected.
    pub dtls_profile: Option<Profile>,
    /// With DTLS-SRTP: from ICE selecting the pair to SRTP keyed (the first packet goes out
    /// then), the handshake's cost as the call sees it.
    pub ice_to_srtp: Option<Duration>,
}

/// One side of the call.
pub struct Party {
    cfg: PartyConfig,
    ua: UserAgent,
    ice: Agent,
    call: Option<CallHandle>,
    /// The party's CSPRNG, keyed by `cfg.seed`: SIP and ICE seeds, the SDES key, SSRC, first seq.
    rng: Rng,
    key: [u8; 30],
    /// DTLS-SRTP: our certificate, the role and peer fingerprint from the SDP, and the
    /// association once ICE has selected a pair.
    cert: Option<Certificate>,
    dtls_plan: Option<(DtlsRole, Fingerprint)>,
    dtls: Option<DtlsSrtp>,
    /// When ICE selected the pair (for [`Report::ice_to_srtp`]).
    selected_at: Option<Instant>,
    sender: Option<RtpSender>,
    receiver: Option<RtpReceiver>,
    tone: Tone,
    media_start: Option<Instant>,
    next_frame: Option<Instant>,
    next_stats: Option<Instant>,
    hung_up: bool,
    ended: bool,
    /// A sender report is due (one per second while media flows).
    sr_due: bool,
    /// Candidates are complete (at once without TURN; after the allocation with it).
    gathered: bool,
    /// The caller's INVITE, or the callee's answer, waits for gathering.
    waiting: Option<Option<(CallHandle, Vec<u8>)>>,
    report: Report,
    log: VecDeque<String>,
}

impl Party {
    /// A party ready to start at `now`: the caller sends its INVITE, the callee waits.
    pub fn new(cfg: PartyConfig, now: Instant) -> Result<Self, String> {
        let mut rng = Rng::from_seed(cfg.seed);
        let user = match cfg.side {
            Side::Caller => "alice",
            Side::Callee => "bob",
        };
        let mut ua_cfg = UaConfig::new(
            &format!("sip:{user}@{}", cfg.sip.ip()),
            &format!("<sip:{user}@{}>", cfg.sip),
            &format!("SIP/2.0/UDP {}", cfg.sip),
            Peer::udp(cfg.peer_sip),
            rng.seed32(),
        );
        ua_cfg.user_agent = "rtcweb-loopback-call".into();
        let ice_cfg = match cfg.side {
            Side::Caller => AgentConfig::default(),
            Side::Callee => AgentConfig::controlled_full(),
        };
        let mut ice = Agent::new(ice_cfg, rng.seed32());
        ice.add_local_host(cfg.media)
            .map_err(|e| format!("ICE: {e}"))?;
        if let Some((server, user, pass)) = &cfg.turn {
            ice.add_turn_server(*server, user, pass)
                .map_err(|e| format!("ICE: {e}"))?;
        }
        let cert = match cfg.keying {
            Keying::Dtls => {
                Some(Certificate::self_signed(&rng.seed32()).map_err(|e| format!("DTLS: {e}"))?)
            }
            Keying::Sdes => None,
        };
        let mut party = Party {
            cert,
            dtls_plan: None,
            dtls: None,
            selected_at: None,
            ua: UserAgent::new(ua_cfg),
            ice,
            call: None,
            key: {
                let mut key = [0u8; 30];
                rng.fill(&mut key);
                key
            },
            rng,
            sender: None,
            receiver: None,
            tone: Tone::new(if cfg.side == Side::Caller {
                440.0
            } else {
                660.0
            }),
            media_start: None,
            next_frame: None,
            next_stats: None,
            hung_up: false,
            ended: false,
            sr_due: false,
            gathered: cfg.turn.is_none(),
            waiting: None,
            report: Report::default(),
            log: VecDeque::new(),
            cfg,
        };
        if party.cfg.side == Side::Caller {
            if party.gathered {
                party.send_offer(now)?;
            } else {
                party.say("ICE: allocating a relayed candidate before offering".into());
                party.waiting = Some(None);
            }
        }
        Ok(party)
    }

    fn send_offer(&mut self, now: Instant) -> Result<(), String> {
        let offer = sdp::offer(&self.local_media(), 1);
        let keying = match &self.cert {
            Some(c) => format!(
                "DTLS-SRTP, a=setup:actpass, a=fingerprint:{}",
                c.fingerprint()
            ),
            None => format!("SDES {}", sdp::SUITE),
        };
        self.say(format!(
            "SDP offer: PCMU, ICE ufrag {}, {keying}",
            self.ice.local_credentials().0
        ));
        let target = format!("sip:bob@{}", self.cfg.peer_sip);
        let call = self
            .ua
            .call(now, &target, offer.as_bytes())
            .map_err(|e| format!("SIP: {e}"))?;
        self.call = Some(call);
        Ok(())
    }

    fn send_answer(&mut self, now: Instant, call: CallHandle, offer: &[u8]) {
        match sdp::answer(offer, &self.local_media(), false) {
            Ok(answer) => {
                let keys = if self.cert.is_some() {
                    "a=fingerprint and a=setup:active"
                } else {
                    "a=crypto key"
                };
                self.say(format!(
                    "SDP answer: PCMU accepted, our ICE credentials and {keys}"
                ));
                if let Err(e) = self.ua.answer(now, call, answer.as_bytes()) {
                    self.say(format!("SIP: cannot answer: {e}"));
                }
            }
            Err(e) => {
                self.say(format!("SDP: rejecting the offer: {e}"));
                let _ = self.ua.reject(now, call, 488);
                self.ended = true;
            }
        }
    }

    fn local_media(&self) -> LocalMedia {
        let mut local =
            LocalMedia::from_agent(&self.ice, self.cfg.media, self.key, self.cfg.turn.is_some());
        local.fingerprint = self.cert.as_ref().map(|c| c.fingerprint().to_string());
        local
    }

    fn say(&mut self, line: String) {
        self.log.push_back(line);
    }

    /// What the call achieved.
    pub fn report(&self) -> Report {
        let mut r = self.report.clone();
        if let Some(rx) = &self.receiver {
            r.received = rx.stats;
            r.rtt = rx.rtcp.rtt;
        }
        r
    }

    /// Applies the other side's description: ICE credentials and candidates, SRTP keys.
    fn apply_remote(&mut self, sdp_bytes: &[u8]) -> Result<(), String> {
        let remote = sdp::remote(sdp_bytes)?;
        self.ice
            .set_remote_credentials(&remote.ice_ufrag, &remote.ice_pwd)
            .map_err(|e| format!("ICE: {e}"))?;
        for c in &remote.candidates {
            if let Err(e) = self.ice.add_remote_candidate(*c) {
                self.say(format!("ICE: ignoring candidate {c}: {e}"));
            }
        }
        self.ice.end_of_remote_candidates();
        match (&remote.keying, self.cfg.keying) {
            (RemoteKeying::Sdes(key_salt), Keying::Sdes) => {
                let rx_key = KeyingMaterial::from_key_salt(Profile::AesCm128HmacSha1_80, key_salt)
                    .map_err(|e| format!("SRTP: {e}"))?;
                let tx_key = KeyingMaterial::from_key_salt(Profile::AesCm128HmacSha1_80, &self.key)
                    .map_err(|e| format!("SRTP: {e}"))?;
                self.start_srtp(&tx_key, &rx_key, "a=crypto")?;
            }
            (RemoteKeying::Dtls { fingerprint, setup }, Keying::Dtls) => {
                let fingerprint =
                    Fingerprint::parse(fingerprint).map_err(|e| format!("a=fingerprint: {e}"))?;
                // RFC 5763 §5: the peer's role decides ours; to its `actpass` we (the
                // answerer) said `active` in our answer.
                let role = match setup.as_str() {
                    "active" => DtlsRole::Server,
                    "passive" | "actpass" => DtlsRole::Client,
                    other => return Err(format!("a=setup:{other} cannot key DTLS-SRTP")),
                };
                self.say(format!(
                    "DTLS: we are the {role:?} (peer a=setup:{setup}); its certificate must hash to {fingerprint}"
                ));
                self.dtls_plan = Some((role, fingerprint));
            }
            (RemoteKeying::Sdes(_), Keying::Dtls) => {
                return Err("the peer offers SDES, we key with DTLS-SRTP".into())
            }
            (RemoteKeying::Dtls { .. }, Keying::Sdes) => {
                return Err("the peer offers DTLS-SRTP, we key with SDES".into())
            }
        }
        Ok(())
    }

    /// Keys the RTP sender and receiver (a fresh SSRC and first sequence number).
    fn start_srtp(
        &mut self,
        tx_key: &KeyingMaterial,
        rx_key: &KeyingMaterial,
        from: &str,
    ) -> Result<(), String> {
        let ssrc = self.rng.next_u32();
        let first_seq = (self.rng.next_u32() >> 16) as u16;
        self.sender = Some(RtpSender::new(tx_key, ssrc, first_seq)?);
        self.receiver = Some(RtpReceiver::new(rx_key, ssrc)?);
        self.say(format!(
            "SRTP: {} keys from {from}, sending SSRC {ssrc:#010x}",
            tx_key.profile().sdes_name()
        ));
        Ok(())
    }

    /// Starts the tone once both the pair and the keys are there.
    fn maybe_start_media(&mut self, now: Instant) {
        if self.media_start.is_none()
            && self.sender.is_some()
            && self.report.selected_pair.is_some()
        {
            self.media_start = Some(now);
            self.next_frame = Some(now);
            self.next_stats = Some(now + Duration::from_secs(1));
            self.say("SRTP: sending 20 ms PCMU frames of a tone".into());
        }
    }

    /// DTLS events: keys on completion (RFC 5764 §4.2), the call ended on failure.
    fn pump_dtls(&mut self, now: Instant) {
        while let Some(event) = self.dtls.as_mut().and_then(DtlsSrtp::poll_event) {
            match event {
                DtlsEvent::Connected(c) => {
                    let profile = c.profile.srtp_profile();
                    self.say(format!(
                        "DTLS: connected ({:?}, {:?}), peer certificate matches a=fingerprint; use_srtp {}",
                        c.version,
                        c.role,
                        profile.sdes_name()
                    ));
                    self.report.dtls_profile = Some(profile);
                    self.report.ice_to_srtp =
                        self.selected_at.map(|t| now.saturating_duration_since(t));
                    let keys = KeyingMaterial::from_dtls_srtp(
                        profile,
                        c.keying_material.as_bytes(),
                        c.role,
                    );
                    match keys {
                        Ok((local, remote)) => {
                            if let Err(e) = self.start_srtp(&local, &remote, "the DTLS exporter") {
                                self.say(e);
                            }
                            self.maybe_start_media(now);
                        }
                        Err(e) => self.say(format!("SRTP: {e}")),
                    }
                }
                DtlsEvent::PeerClosed => self.say("DTLS: the peer sent close_notify".into()),
                DtlsEvent::Failed(e) => {
                    self.say(format!("DTLS: failed: {e}"));
                    if let Some(call) = self.call {
                        let _ = self.ua.hangup(now, call);
                    }
                }
                _ => {}
            }
        }
    }

    /// A datagram arrived on socket [`SIP`] or [`MEDIA`].
    pub fn handle_datagram(
        &mut self,
        now: Instant,
        socket: usize,
        from: SocketAddr,
        datagram: &mut [u8],
    ) {
        match socket {
            SIP => {
                self.narrate_sip("←", datagram);
                let _ = self.ua.handle_receive(now, Peer::udp(from), datagram);
                self.pump_ua(now);
            }
            _ => {
                let verdict = self.ice.handle_receive(now, self.cfg.media, from, datagram);
                match verdict {
                    Receive::NotStun => self.receive_media(now, datagram),
                    Receive::Relayed { data, .. } => {
                        let mut copy = [0u8; 1500];
                        if let Some(dst) = copy.get_mut(..data.len()) {
                            dst.copy_from_slice(data);
                            self.receive_media(now, dst);
                        }
                    }
                    Receive::Handled | Receive::Discarded(_) => {}
                }
                self.pump_ice(now);
            }
        }
    }

    fn receive_media(&mut self, now: Instant, packet: &mut [u8]) {
        // RFC 7983: 20..=63 is DTLS, 128..=191 RTP/RTCP.
        if matches!(packet.first(), Some(20..=63)) {
            if let Some(dtls) = &mut self.dtls {
                if let Err(e) = dtls.handle_receive(now, packet) {
                    self.log.push_back(format!("DTLS: {e}"));
                }
                self.pump_dtls(now);
            }
            return;
        }
        if let Some(rx) = &mut self.receiver {
            let result = if rtcweb_srtp_core::wire::rtcp::is_rtcp(packet) {
                rx.receive_rtcp(now, packet)
            } else {
                rx.receive(packet).map(|_| ())
            };
            if let Err(e) = result {
                self.log.push_back(format!("SRTP: refused a packet: {e}"));
            }
        }
    }

    fn narrate_sip(&mut self, arrow: &str, bytes: &[u8]) {
        let mut storage = [Header::EMPTY; 32];
        if let Ok(msg) = Message::parse(bytes, &mut storage) {
            self.narrate_message(arrow, &msg);
        } else {
            let first = bytes
                .split(|&b| b == b'\r' || b == b'\n')
                .next()
                .map(String::from_utf8_lossy)
                .unwrap_or_default();
            self.say(format!("SIP {arrow} {first}"));
        }
    }

    fn narrate_message(&mut self, arrow: &str, msg: &Message<'_>) {
        let first = msg.start_line_raw();
        let mut cseq = String::new();
        if let Ok(Some(c)) = msg.typed::<CSeq>() {
            cseq = format!("  (CSeq {} {})", c.seq, c.method);
            if arrow == "←" && first.starts_with("SIP/2.0 200") && c.method == Method::Bye {
                self.report.bye_done = true;
            }
        }
        self.say(format!("SIP {arrow} {first}{cseq}"));
    }

    /// A SIP message the async driver parsed once into a [`SharedMessage`] (sip-core feature
    /// `bytes`): narrated from its view and handed to the UA without a second parse.
    pub fn handle_sip_shared(&mut self, now: Instant, from: SocketAddr, shared: &SharedMessage) {
        let mut storage = [Header::EMPTY; 32];
        if let Ok(msg) = shared.message(&mut storage) {
            self.narrate_message("←", &msg);
        }
        let _ = self.ua.handle_shared(now, Peer::udp(from), shared);
        self.pump_ua(now);
    }

    fn pump_ua(&mut self, now: Instant) {
        while let Some(event) = self.ua.poll_event() {
            match event {
                UaEvent::IncomingCall {
                    call,
                    from,
                    sdp: offer,
                    ..
                } => {
                    self.say(format!("SIP: incoming call from {from}"));
                    self.call = Some(call);
                    let _ = self.ua.ringing(now, call);
                    match self.apply_remote(&offer) {
                        Err(e) => {
                            self.say(format!("SDP: rejecting the offer: {e}"));
                            let _ = self.ua.reject(now, call, 488);
                            self.ended = true;
                        }
                        Ok(()) if self.gathered => self.send_answer(now, call, &offer),
                        Ok(()) => {
                            self.say("ICE: allocating a relayed candidate before answering".into());
                            self.waiting = Some(Some((call, offer)));
                        }
                    }
                }
                UaEvent::Progress { code, .. } => self.say(format!("SIP: progress {code}")),
                UaEvent::Answered { sdp: answer, .. } => {
                    self.say("SIP: call answered; applying the SDP answer".into());
                    if let Err(e) = self.apply_remote(&answer) {
                        self.say(format!("SDP: bad answer: {e}"));
                        if let Some(call) = self.call {
                            let _ = self.ua.hangup(now, call);
                        }
                    }
                    self.report.established = true;
                }
                UaEvent::Confirmed { .. } => {
                    self.report.established = true;
                    self.say("SIP: call confirmed (ACK)".into());
                }
                UaEvent::CallFailed { code, .. } => {
                    self.say(format!("SIP: call failed ({code:?})"));
                    self.ended = true;
                }
                UaEvent::CallEnded { reason, .. } => {
                    self.say(format!("SIP: call ended ({reason:?})"));
                    if self.cfg.side == Side::Callee {
                        self.report.bye_done = true;
                    }
                    self.ended = true;
                }
                other => self.say(format!("SIP: {other:?}")),
            }
        }
    }

    fn pump_ice(&mut self, now: Instant) {
        while let Some(event) = self.ice.poll_event() {
            match event {
                IceEvent::SelectedPair { local, remote, .. } => {
                    self.say(format!(
                        "ICE: selected pair {} -> {}",
                        local.address, remote.address
                    ));
                    self.report.selected_pair = Some((local.address, remote.address));
                    self.selected_at.get_or_insert(now);
                    if self.dtls.is_none() {
                        if let (Some((role, fingerprint)), Some(cert)) =
                            (self.dtls_plan, self.cert.as_ref())
                        {
                            let seed = self.rng.seed32();
                            match DtlsSrtp::new(
                                now,
                                role,
                                cert,
                                Some(fingerprint),
                                &DtlsConfig::default(),
                                &seed,
                            ) {
                                Ok(d) => {
                                    self.say(format!("DTLS: handshake starts as {role:?}"));
                                    self.dtls = Some(d);
                                }
                                Err(e) => self.say(format!("DTLS: {e}")),
                            }
                        }
                    }
                    self.maybe_start_media(now);
                }
                IceEvent::StateChanged(s) => self.say(format!("ICE: {s:?}")),
                IceEvent::LocalCandidate(c) => self.say(format!("ICE: local candidate {c}")),
                IceEvent::GatheringComplete if !self.gathered => {
                    self.gathered = true;
                    match self.waiting.take() {
                        Some(None) => {
                            if let Err(e) = self.send_offer(now) {
                                self.say(e);
                                self.ended = true;
                            }
                        }
                        Some(Some((call, offer))) => self.send_answer(now, call, &offer),
                        None => {}
                    }
                }
                _ => {}
            }
        }
    }

    /// Time moved on.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.ua.handle_timeout(now);
        self.pump_ua(now);
        self.ice.handle_timeout(now);
        self.pump_ice(now);
        if let Some(dtls) = &mut self.dtls {
            if dtls.poll_timeout().is_some_and(|t| t <= now) {
                dtls.handle_timeout(now);
            }
        }
        self.pump_dtls(now);
        if self.next_stats.is_some_and(|t| now >= t) {
            let secs = self
                .media_start
                .map_or(0, |s| now.duration_since(s).as_secs());
            let st = self.receiver.as_ref().map(|r| r.stats).unwrap_or_default();
            let rtt = self.receiver.as_ref().and_then(|r| r.rtcp.rtt).map_or_else(
                || "-".to_string(),
                |d| format!("{:.2} ms", d.as_secs_f64() * 1000.0),
            );
            self.say(format!(
                "SRTP t={secs}s: sent {}, received {} verified, {} lost, {} refused; RTT (RTCP SR) {rtt}",
                self.report.sent,
                st.verified,
                st.lost(),
                st.refused
            ));
            self.sr_due = !self.hung_up && !self.ended;
            self.next_stats = self.next_stats.map(|t| t + Duration::from_secs(1));
        }
        let media_over = self
            .media_start
            .is_some_and(|s| now >= s + self.cfg.duration);
        if self.cfg.side == Side::Caller && media_over && !self.hung_up {
            self.hung_up = true;
            self.next_frame = None;
            self.next_stats = None;
            if let Some(call) = self.call {
                self.say("SIP: hanging up".into());
                let _ = self.ua.hangup(now, call);
            }
        }
        if self.ended {
            self.next_frame = None;
            self.next_stats = None;
        }
    }

    /// The next datagram to send, written into `buf`.
    pub fn poll_transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<Out> {
        if let Ok(Some(t)) = self.ua.poll_transmit(now, buf) {
            self.narrate_sip("→", buf.get(..t.len).unwrap_or_default());
            return Some(Out {
                socket: SIP,
                destination: t.destination,
                len: t.len,
            });
        }
        if let Ok(Some(t)) = self.ice.poll_transmit(now, buf) {
            return Some(Out {
                socket: MEDIA,
                destination: t.destination,
                len: t.len,
            });
        }
        // DTLS flights go over the selected pair, wrapped for TURN when it is relayed.
        let mut record = [0u8; 1500];
        if let Some(Ok(Some(n))) = self
            .dtls
            .as_mut()
            .map(|d| d.poll_transmit(now, &mut record))
        {
            if let Ok(t) = self.ice.send(now, record.get(..n).unwrap_or_default(), buf) {
                return Some(Out {
                    socket: MEDIA,
                    destination: t.destination,
                    len: t.len,
                });
            }
        }
        if self.sr_due {
            self.sr_due = false;
            let mut packet = [0u8; 128];
            if let (Some(tx), Some(rx)) = (self.sender.as_mut(), self.receiver.as_ref()) {
                if let Ok(n) = tx.sender_report(now, rx, &mut packet) {
                    if let Ok(t) = self.ice.send(now, &packet[..n], buf) {
                        return Some(Out {
                            socket: MEDIA,
                            destination: t.destination,
                            len: t.len,
                        });
                    }
                }
            }
        }
        if self.next_frame.is_some_and(|t| now >= t) {
            self.next_frame = self.next_frame.map(|t| t + Duration::from_millis(20));
            let frame = self.tone.next_frame();
            let mut packet = [0u8; 256];
            let sender = self.sender.as_mut()?;
            let n = sender.packet(&frame, &mut packet).ok()?;
            let t = self.ice.send(now, packet.get(..n)?, buf).ok()?;
            self.report.sent += 1;
            return Some(Out {
                socket: MEDIA,
                destination: t.destination,
                len: t.len,
            });
        }
        None
    }

    /// When to call [`handle_timeout`](Self::handle_timeout) (or `poll_transmit`) next.
    pub fn poll_timeout(&mut self) -> Option<Instant> {
        [
            self.ua.poll_timeout(),
            self.ice.poll_timeout(),
            self.dtls.as_ref().and_then(DtlsSrtp::poll_timeout),
            self.next_frame,
            self.next_stats,
            self.media_start
                .filter(|_| self.cfg.side == Side::Caller && !self.hung_up)
                .map(|s| s + self.cfg.duration),
        ]
        .into_iter()
        .flatten()
        .min()
    }
}

impl Node for Party {
    fn handle_timeout(&mut self, now: Instant) {
        Party::handle_timeout(self, now);
    }
    fn handle_datagram(&mut self, now: Instant, socket: usize, from: SocketAddr, data: &mut [u8]) {
        Party::handle_datagram(self, now, socket, from, data);
    }
    fn poll_transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<Out> {
        Party::poll_transmit(self, now, buf)
    }
    fn poll_timeout(&mut self) -> Option<Instant> {
        Party::poll_timeout(self)
    }
    fn poll_log(&mut self) -> Option<String> {
        self.log.pop_front()
    }
    /// The call ended (and the caller's media ran its course).
    fn is_done(&self) -> bool {
        self.ended
    }
}
