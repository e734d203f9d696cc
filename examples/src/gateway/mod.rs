//! A WebRTC-to-SIP gateway sketch: a back-to-back user agent with a WebRTC-style leg (SIP with an
//! SDP carrying ICE and SDES, answered by an ICE-lite agent, SRTP media) and a plain SIP leg (RTP/AVP,
//! no ICE, no SRTP). Media is relayed between them: SRTP from the browser side is verified and
//! decrypted and goes out as RTP to the phone; RTP from the phone is protected and goes out over
//! the ICE-selected pair. The core of a WebRTC-to-SIP SBC, Sans-IO like everything here.

pub mod browser;
pub mod demo;
pub mod phone;

use rtcweb_proto::Rng;
use std::collections::VecDeque;
use std::net::SocketAddr;

use rtcweb_ice_core::{Agent, AgentConfig, IceEvent, Receive};
use rtcweb_sip_core::transaction::Peer;
use rtcweb_sip_core::ua::{CallHandle, UaConfig, UaEvent, UserAgent};
use rtcweb_sip_core::Instant;
use rtcweb_srtp_core::{Config, KeyingMaterial, Profile, Session};

use crate::call::sdp::{self, LocalMedia};
use crate::runtime::node::{Node, Out};

/// The gateway's SIP socket towards WebRTC clients.
pub const WEB_SIP: usize = 0;
/// The gateway's ICE/SRTP socket towards WebRTC clients.
pub const WEB_MEDIA: usize = 1;
/// The gateway's SIP socket towards the trunk / phones.
pub const TRUNK_SIP: usize = 2;
/// The gateway's RTP socket towards the trunk / phones.
pub const TRUNK_RTP: usize = 3;

/// Where the gateway's sockets are and whom it talks to.
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// Addresses of sockets [`WEB_SIP`], [`WEB_MEDIA`], [`TRUNK_SIP`], [`TRUNK_RTP`].
    pub sockets: [SocketAddr; 4],
    /// The WebRTC client's SIP address (in a real SBC: its WebSocket connection).
    pub web_peer: SocketAddr,
    /// The SIP phone or trunk every call is sent to.
    pub phone: SocketAddr,
    /// Randomness (SIP tags, ICE credentials, SRTP key).
    pub seed: [u8; 32],
}

/// Media relayed so far.
#[derive(Debug, Clone, Copy, Default)]
pub struct Relayed {
    /// SRTP packets verified from the WebRTC side and sent on as RTP.
    pub web_to_phone: u64,
    /// RTP packets from the phone protected and sent to the WebRTC side.
    pub phone_to_web: u64,
    /// SRTP/SRTCP packets refused (tag, replay).
    pub refused: u64,
    /// SRTCP packets from the WebRTC side verified and terminated at the gateway.
    pub rtcp_terminated: u64,
}

/// A packet waiting to go out: plain RTP (protected on its way to the web side).
struct Queued {
    socket: usize,
    to: Option<SocketAddr>,
    len: usize,
    buf: [u8; 1500],
}

/// The gateway: two user agents, an ICE-lite agent, two SRTP sessions and a media relay.
pub struct Gateway {
    cfg: GatewayConfig,
    web: UserAgent,
    trunk: UserAgent,
    ice: Agent,
    key: [u8; 30],
    srtp_in: Option<Session>,
    srtp_out: Option<Session>,
    web_call: Option<(CallHandle, Vec<u8>)>,
    trunk_call: Option<CallHandle>,
    phone_rtp: Option<SocketAddr>,
    web_connected: bool,
    ended: (bool, bool),
    queue: VecDeque<Queued>,
    /// What was relayed.
    pub relayed: Relayed,
    log: VecDeque<String>,
}

/// Packets queued at most between two `poll_transmit` drains; beyond, media is dropped as a
/// congested SBC would.
const MAX_QUEUE: usize = 64;

impl Gateway {
    /// A gateway waiting for calls from the WebRTC side.
    pub fn new(cfg: GatewayConfig) -> Result<Self, String> {
        let [web_sip, web_media, trunk_sip, _] = cfg.sockets;
        let mut rng = Rng::from_seed(cfg.seed);
        let ua = |me: SocketAddr, peer: SocketAddr, seed: [u8; 32]| {
            UserAgent::new(UaConfig::new(
                &format!("sip:gateway@{}", me.ip()),
                &format!("<sip:gateway@{me}>"),
                &format!("SIP/2.0/UDP {me}"),
                Peer::udp(peer),
                seed,
            ))
        };
        let mut ice = Agent::new(AgentConfig::lite(), rng.seed32());
        ice.add_local_host(web_media).map_err(|e| e.to_string())?;
        let mut key = [0u8; 30];
        rng.fill(&mut key);
        Ok(Gateway {
            web: ua(web_sip, cfg.web_peer, rng.seed32()),
            trunk: ua(trunk_sip, cfg.phone, rng.seed32()),
            ice,
            key,
            srtp_in: None,
            srtp_out: None,
            web_call: None,
            trunk_call: None,
            phone_rtp: None,
            web_connected: false,
            ended: (false, false),
            queue: VecDeque::new(),
            relayed: Relayed::default(),
            log: VecDeque::new(),
            cfg,
        })
    }

    fn say(&mut self, s: String) {
        self.log.push_back(s);
    }

    fn local_media(&self) -> LocalMedia {
        LocalMedia::from_agent(&self.ice, self.cfg.sockets[WEB_MEDIA], self.key, false)
    }

    /// The WebRTC leg offers: set up ICE and SRTP from its SDP, and call the phone (B2BUA).
    fn on_web_offer(
        &mut self,
        now: Instant,
        call: CallHandle,
        offer: Vec<u8>,
    ) -> Result<(), String> {
        let remote = sdp::remote(&offer)?;
        self.ice
            .set_remote_credentials(&remote.ice_ufrag, &remote.ice_pwd)
            .map_err(|e| e.to_string())?;
        for c in &remote.candidates {
            let _ = self.ice.add_remote_candidate(*c);
        }
        let profile = Profile::AesCm128HmacSha1_80;
        let sdp::RemoteKeying::Sdes(key_salt) = &remote.keying else {
            return Err("the sketch's web leg keys SRTP with SDES (a=crypto)".into());
        };
        let rx = KeyingMaterial::from_key_salt(profile, key_salt).map_err(|e| e.to_string())?;
        let tx = KeyingMaterial::from_key_salt(profile, &self.key).map_err(|e| e.to_string())?;
        self.srtp_in = Some(Session::new(&rx, &Config::default()).map_err(|e| e.to_string())?);
        self.srtp_out = Some(Session::new(&tx, &Config::default()).map_err(|e| e.to_string())?);
        let _ = self.web.ringing(now, call);
        let target = format!("sip:phone@{}", self.cfg.phone);
        let plain = sdp::plain_offer(self.cfg.sockets[TRUNK_RTP], 2);
        self.trunk_call = Some(
            self.trunk
                .call(now, &target, plain.as_bytes())
                .map_err(|e| e.to_string())?,
        );
        self.say(format!(
            "B2BUA: WebRTC offer (ICE + SDES) -> plain RTP/AVP INVITE to {target}"
        ));
        self.web_call = Some((call, offer));
        Ok(())
    }

    fn pump(&mut self, now: Instant) {
        while let Some(e) = self.web.poll_event() {
            match e {
                UaEvent::IncomingCall {
                    call, from, sdp, ..
                } => {
                    self.say(format!("web leg: INVITE from {from}"));
                    if let Err(err) = self.on_web_offer(now, call, sdp) {
                        self.say(format!("web leg: rejecting: {err}"));
                        let _ = self.web.reject(now, call, 488);
                        self.ended = (true, true);
                    }
                }
                UaEvent::CallEnded { reason, .. } => {
                    self.say(format!(
                        "web leg: ended ({reason:?}); hanging up the phone leg"
                    ));
                    self.ended.0 = true;
                    if let Some(c) = self.trunk_call.filter(|_| !self.ended.1) {
                        let _ = self.trunk.hangup(now, c);
                    }
                }
                _ => {}
            }
        }
        while let Some(e) = self.trunk.poll_event() {
            match e {
                UaEvent::Progress { code, .. } => self.say(format!("phone leg: {code}")),
                UaEvent::Answered { sdp: answer, .. } => match sdp::remote_rtp(&answer) {
                    Ok(rtp) => {
                        self.phone_rtp = Some(rtp);
                        let reply = self
                            .web_call
                            .as_ref()
                            .map(|(c, offer)| (*c, sdp::answer(offer, &self.local_media(), true)));
                        if let Some((call, Ok(answer))) = reply {
                            self.say(format!("phone leg: answered, RTP at {rtp}; answering the web leg (ICE-lite, SDES)"));
                            let _ = self.web.answer(now, call, answer.as_bytes());
                        }
                    }
                    Err(err) => self.say(format!("phone leg: bad answer: {err}")),
                },
                UaEvent::CallFailed { code, .. } => {
                    self.say(format!("phone leg: failed {code:?}"));
                    if let Some((c, _)) = &self.web_call {
                        let _ = self.web.reject(now, *c, code.unwrap_or(480));
                    }
                    self.ended = (true, true);
                }
                UaEvent::CallEnded { reason, .. } => {
                    self.say(format!("phone leg: ended ({reason:?})"));
                    self.ended.1 = true;
                    if let Some((c, _)) = self.web_call.as_ref().filter(|_| !self.ended.0) {
                        let _ = self.web.hangup(now, *c);
                    }
                }
                _ => {}
            }
        }
        while let Some(e) = self.ice.poll_event() {
            if let IceEvent::SelectedPair { local, remote, .. } = e {
                self.web_connected = true;
                self.say(format!(
                    "web leg: ICE-lite selected {} -> {}",
                    local.address, remote.address
                ));
            }
        }
    }

    fn enqueue(&mut self, socket: usize, to: Option<SocketAddr>, data: &[u8]) {
        if self.queue.len() >= MAX_QUEUE || data.len() > 1500 {
            return;
        }
        let mut q = Queued {
            socket,
            to,
            len: data.len(),
            buf: [0; 1500],
        };
        q.buf[..data.len()].copy_from_slice(data);
        self.queue.push_back(q);
    }
}

impl Node for Gateway {
    fn handle_timeout(&mut self, now: Instant) {
        self.web.handle_timeout(now);
        self.trunk.handle_timeout(now);
        self.ice.handle_timeout(now);
        self.pump(now);
    }

    fn handle_datagram(&mut self, now: Instant, socket: usize, from: SocketAddr, data: &mut [u8]) {
        match socket {
            WEB_SIP => drop(self.web.handle_receive(now, Peer::udp(from), data)),
            TRUNK_SIP => drop(self.trunk.handle_receive(now, Peer::udp(from), data)),
            WEB_MEDIA => {
                if self
                    .ice
                    .handle_receive(now, self.cfg.sockets[WEB_MEDIA], from, data)
                    == Receive::NotStun
                {
                    // SRTCP is verified and terminated here (an SBC regenerates RTCP per leg).
                    if rtcweb_srtp_core::wire::rtcp::is_rtcp(data) {
                        match self.srtp_in.as_mut().map(|s| s.unprotect_rtcp(data)) {
                            Some(Ok(_)) => self.relayed.rtcp_terminated += 1,
                            Some(Err(_)) => self.relayed.refused += 1,
                            None => {}
                        }
                        self.pump(now);
                        return;
                    }
                    // SRTP from the browser: verify and decrypt in place, then on to the phone.
                    match self.srtp_in.as_mut().map(|s| s.unprotect_rtp(data)) {
                        Some(Ok(len)) => {
                            self.relayed.web_to_phone += 1;
                            let to = self.phone_rtp;
                            self.enqueue(TRUNK_RTP, to, &data[..len]);
                        }
                        Some(Err(_)) => self.relayed.refused += 1,
                        None => {}
                    }
                }
            }
            _ => {
                // RTP from the phone: to the browser over the selected pair, protected on the way.
                if Some(from.ip()) == self.phone_rtp.map(|a| a.ip()) && self.web_connected {
                    self.enqueue(WEB_MEDIA, None, data);
                }
            }
        }
        self.pump(now);
    }

    fn poll_transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<Out> {
        if let Ok(Some(t)) = self.web.poll_transmit(now, buf) {
            return Some(Out {
                socket: WEB_SIP,
                destination: t.destination,
                len: t.len,
            });
        }
        if let Ok(Some(t)) = self.trunk.poll_transmit(now, buf) {
            return Some(Out {
                socket: TRUNK_SIP,
                destination: t.destination,
                len: t.len,
            });
        }
        if let Ok(Some(t)) = self.ice.poll_transmit(now, buf) {
            return Some(Out {
                socket: WEB_MEDIA,
                destination: t.destination,
                len: t.len,
            });
        }
        while let Some(mut q) = self.queue.pop_front() {
            if q.socket == TRUNK_RTP {
                let (Some(to), Some(dst)) = (q.to, buf.get_mut(..q.len)) else {
                    continue;
                };
                dst.copy_from_slice(&q.buf[..q.len]);
                return Some(Out {
                    socket: TRUNK_RTP,
                    destination: to,
                    len: q.len,
                });
            }
            let Some(srtp) = self.srtp_out.as_mut() else {
                continue;
            };
            let Ok(n) = srtp.protect_rtp(&mut q.buf, q.len) else {
                continue;
            };
            if let Ok(t) = self.ice.send(now, &q.buf[..n], buf) {
                self.relayed.phone_to_web += 1;
                return Some(Out {
                    socket: WEB_MEDIA,
                    destination: t.destination,
                    len: t.len,
                });
            }
        }
        None
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        [
            self.web.poll_timeout(),
            self.trunk.poll_timeout(),
            self.ice.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    fn poll_log(&mut self) -> Option<String> {
        self.log.pop_front()
    }

    fn is_done(&self) -> bool {
        self.ended == (true, true)
    }
}
