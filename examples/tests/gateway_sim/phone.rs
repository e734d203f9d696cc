//! A simulated SIP phone (or trunk) behind the gateway: SIP over UDP, plain RTP/AVP PCMU. It
//! answers every call at once and echoes the RTP it receives (as sipp's RTP echo does), and it
//! calls browsers, sending a 20 ms tone and hanging up after a while. Every call has its own
//! RTP port; packets are counted per call.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use rtcweb_cli::call::sdp as call_sdp;
use rtcweb_sip_core::transaction::Peer;
use rtcweb_sip_core::ua::{CallHandle, EndReason, UaConfig, UaEvent, UserAgent};
use rtcweb_testkit::Instant;

use super::world::World;

/// One call of the phone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhoneCall {
    /// The phone placed it (to a browser).
    pub outgoing: bool,
    /// Answered (ours, or theirs).
    pub established: bool,
    /// How it ended (`None`: still up).
    pub ended: Option<String>,
    /// Final status of a call we placed that failed.
    pub failed: Option<u16>,
    /// RTP packets received, sent (echoed or tone).
    pub received: u64,
    pub sent: u64,
    rtp: Option<SocketAddr>,
    /// Where it sends RTP (the gateway's trunk media socket).
    pub remote: Option<SocketAddr>,
    next_frame: Option<Instant>,
    hang_up_at: Option<Instant>,
    seq: u16,
}

/// The phone.
pub struct Phone {
    world: World,
    pub sip: SocketAddr,
    gateway: SocketAddr,
    ua: UserAgent,
    next_port: u16,
    pub calls: BTreeMap<CallHandle, PhoneCall>,
    /// How long a call the phone places talks before it hangs up.
    pub talk: Duration,
    /// Gone from the network without a word (power cut): everything sent to it is lost, it
    /// sends nothing.
    pub vanished: bool,
}

impl Phone {
    pub fn new(world: &World, sip: SocketAddr, gateway: SocketAddr, seed: [u8; 32]) -> Self {
        world.bind(sip);
        let cfg = UaConfig::new(
            &format!("sip:phone@{}", sip.ip()),
            &format!("<sip:phone@{sip}>"),
            &format!("SIP/2.0/UDP {sip}"),
            Peer::udp(gateway),
            seed,
        );
        Self {
            world: world.clone(),
            sip,
            gateway,
            ua: UserAgent::new(cfg),
            next_port: 30_000,
            calls: BTreeMap::new(),
            talk: Duration::from_secs(3),
            vanished: false,
        }
    }

    fn new_rtp(&mut self) -> SocketAddr {
        let a = SocketAddr::new(self.sip.ip(), self.next_port);
        self.next_port += 2;
        self.world.bind(a);
        a
    }

    /// Calls the browser registered as `user` through the gateway.
    pub fn call(&mut self, now: Instant, user: &str) -> CallHandle {
        let rtp = self.new_rtp();
        let offer = call_sdp::plain_offer(rtp, 1);
        let target = format!("sip:{user}@{}", self.gateway);
        let h = self
            .ua
            .call(now, &target, offer.as_bytes())
            .expect("INVITE");
        self.calls.insert(
            h,
            PhoneCall {
                outgoing: true,
                rtp: Some(rtp),
                ..PhoneCall::default()
            },
        );
        h
    }

    /// Hangs up every call still up (BYE).
    pub fn hang_up_all(&mut self, now: Instant) {
        let up: Vec<CallHandle> = self
            .calls
            .iter()
            .filter(|(_, c)| c.ended.is_none())
            .map(|(h, _)| *h)
            .collect();
        for h in up {
            let _ = self.ua.hangup(now, h);
        }
    }

    /// One round at `now`. Whether anything happened.
    pub fn step(&mut self, now: Instant) -> bool {
        if self.vanished {
            while self.world.take(self.sip).is_some() {}
            for c in self.calls.values() {
                if let Some(rtp) = c.rtp {
                    while self.world.take(rtp).is_some() {}
                }
            }
            return false;
        }
        let mut acted = false;
        while let Some((from, msg)) = self.world.take(self.sip) {
            acted = true;
            let _ = self.ua.handle_receive(now, Peer::udp(from), &msg);
        }
        if self.ua.poll_timeout().is_some_and(|t| t <= now) {
            self.ua.handle_timeout(now);
        }
        self.pump(now);
        for c in self.calls.values_mut() {
            let Some(rtp) = c.rtp else { continue };
            while let Some((from, packet)) = self.world.take(rtp) {
                acted = true;
                // RTCP (payload types 200..=204 with the marker bit) is not echoed.
                if packet.get(1).is_some_and(|b| (200..=204).contains(b)) {
                    continue;
                }
                c.received += 1;
                if !c.outgoing && c.ended.is_none() {
                    self.world.send(rtp, from, &packet);
                    c.sent += 1;
                }
            }
            while let (Some(at), Some(remote)) = (c.next_frame.filter(|t| *t <= now), c.remote) {
                c.next_frame = Some(at + Duration::from_millis(20));
                c.seq = c.seq.wrapping_add(1);
                let mut p = vec![0xffu8; 172];
                p[..12].copy_from_slice(&[0x80, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x48, 0x4f, 0x4e]);
                p[2..4].copy_from_slice(&c.seq.to_be_bytes());
                p[4..8].copy_from_slice(&(u32::from(c.seq) * 160).to_be_bytes());
                self.world.send(rtp, remote, &p);
                c.sent += 1;
                acted = true;
            }
        }
        let due: Vec<CallHandle> = self
            .calls
            .iter()
            .filter(|(_, c)| c.hang_up_at.is_some_and(|t| t <= now))
            .map(|(h, _)| *h)
            .collect();
        for h in due {
            if let Some(c) = self.calls.get_mut(&h) {
                c.hang_up_at = None;
                c.next_frame = None;
            }
            let _ = self.ua.hangup(now, h);
        }
        let mut buf = vec![0u8; 65_535];
        while let Ok(Some(t)) = self.ua.poll_transmit(now, &mut buf) {
            acted = true;
            self.world.send(self.sip, t.destination, &buf[..t.len]);
        }
        acted
    }

    fn pump(&mut self, now: Instant) {
        while let Some(e) = self.ua.poll_event() {
            match e {
                UaEvent::IncomingCall { call, sdp, .. } => {
                    let rtp = self.new_rtp();
                    let answer = call_sdp::plain_answer(&sdp, rtp);
                    let remote = call_sdp::remote_rtp(&sdp).ok();
                    match answer {
                        Ok(a) => {
                            let _ = self.ua.answer(now, call, a.as_bytes());
                        }
                        Err(_) => {
                            let _ = self.ua.reject(now, call, 488);
                        }
                    }
                    self.calls.insert(
                        call,
                        PhoneCall {
                            rtp: Some(rtp),
                            remote,
                            ..PhoneCall::default()
                        },
                    );
                }
                UaEvent::Confirmed { call } => {
                    if let Some(c) = self.calls.get_mut(&call) {
                        c.established = true;
                    }
                }
                UaEvent::Answered { call, sdp } => {
                    let talk = self.talk;
                    if let Some(c) = self.calls.get_mut(&call) {
                        c.established = true;
                        c.remote = call_sdp::remote_rtp(&sdp).ok();
                        c.next_frame = Some(now);
                        c.hang_up_at = Some(now + talk);
                    }
                }
                UaEvent::CallFailed { call, code } => {
                    if let Some(c) = self.calls.get_mut(&call) {
                        c.failed = Some(code.unwrap_or(408));
                        c.ended = Some("failed".into());
                    }
                }
                UaEvent::CallEnded { call, reason } => {
                    if let Some(c) = self.calls.get_mut(&call) {
                        c.next_frame = None;
                        c.hang_up_at = None;
                        c.ended = Some(match reason {
                            EndReason::RemoteHangup => "their BYE".into(),
                            EndReason::LocalHangup => "our BYE".into(),
                            other => format!("{other:?}"),
                        });
                    }
                }
                _ => {}
            }
        }
    }

    /// The next moment something is due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.calls
            .values()
            .flat_map(|c| [c.next_frame, c.hang_up_at])
            .flatten()
            .chain(self.ua.poll_timeout())
            .min()
    }
}
