//! A plain SIP phone for the gateway demo: answers with RTP/AVP PCMU, sends a tone as unprotected
//! RTP and counts what it receives.

use rtcweb_srtp_core::wire::packet::RtpRepr;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Duration;

use rtcweb_sip_core::transaction::Peer;
use rtcweb_sip_core::ua::{UaConfig, UaEvent, UserAgent};
use rtcweb_sip_core::Instant;

use crate::call::media::{Tone, PAYLOAD_TYPE_PCMU};
use crate::call::sdp;
use crate::runtime::node::{Node, Out};

/// The phone's SIP socket.
pub const SIP: usize = 0;
/// The phone's RTP socket.
pub const RTP: usize = 1;

/// A desk phone that answers every call.
pub struct Phone {
    ua: UserAgent,
    rtp: SocketAddr,
    remote_rtp: Option<SocketAddr>,
    tone: Tone,
    seq: u16,
    next_frame: Option<Instant>,
    /// RTP packets sent.
    pub sent: u64,
    /// RTP packets received.
    pub received: u64,
    ended: bool,
    log: VecDeque<String>,
}

impl Phone {
    /// A phone with SIP and RTP sockets at `sip` and `rtp`, reached through `gateway`.
    pub fn new(sip: SocketAddr, rtp: SocketAddr, gateway: SocketAddr) -> Self {
        let cfg = UaConfig::new(
            &format!("sip:phone@{}", sip.ip()),
            &format!("<sip:phone@{sip}>"),
            &format!("SIP/2.0/UDP {sip}"),
            Peer::udp(gateway),
            crate::runtime::random_seed(),
        );
        Phone {
            ua: UserAgent::new(cfg),
            rtp,
            remote_rtp: None,
            tone: Tone::new(330.0),
            seq: 1,
            next_frame: None,
            sent: 0,
            received: 0,
            ended: false,
            log: VecDeque::new(),
        }
    }

    fn pump(&mut self, now: Instant) {
        while let Some(e) = self.ua.poll_event() {
            match e {
                UaEvent::IncomingCall {
                    call, sdp: offer, ..
                } => {
                    let answer = sdp::plain_answer(&offer, self.rtp);
                    match (sdp::remote_rtp(&offer), answer) {
                        (Ok(remote), Ok(answer)) => {
                            self.log.push_back(format!("answering, RTP to {remote}"));
                            self.remote_rtp = Some(remote);
                            let _ = self.ua.answer(now, call, answer.as_bytes());
                            self.next_frame = Some(now);
                        }
                        _ => drop(self.ua.reject(now, call, 488)),
                    }
                }
                UaEvent::CallEnded { reason, .. } => {
                    self.log.push_back(format!(
                        "call ended ({reason:?}); sent {} RTP, received {}",
                        self.sent, self.received
                    ));
                    self.ended = true;
                    self.next_frame = None;
                }
                _ => {}
            }
        }
    }
}

impl Node for Phone {
    fn handle_timeout(&mut self, now: Instant) {
        self.ua.handle_timeout(now);
        self.pump(now);
    }

    fn handle_datagram(&mut self, now: Instant, socket: usize, from: SocketAddr, data: &mut [u8]) {
        if socket == SIP {
            let _ = self.ua.handle_receive(now, Peer::udp(from), data);
            self.pump(now);
        } else if rtcweb_srtp_core::wire::packet::RtpPacket::new_checked(&*data).is_ok() {
            self.received += 1;
        }
    }

    fn poll_transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<Out> {
        if let Ok(Some(t)) = self.ua.poll_transmit(now, buf) {
            return Some(Out {
                socket: SIP,
                destination: t.destination,
                len: t.len,
            });
        }
        let (Some(at), Some(to)) = (self.next_frame, self.remote_rtp) else {
            return None;
        };
        if now < at {
            return None;
        }
        self.next_frame = Some(at + Duration::from_millis(20));
        let frame = self.tone.next_frame();
        let pkt = buf.get_mut(..12 + frame.len())?;
        let repr = RtpRepr {
            marker: self.seq == 0,
            payload_type: PAYLOAD_TYPE_PCMU,
            sequence_number: self.seq,
            timestamp: u32::from(self.seq) * 160,
            ssrc: 0x0BAD_CAFE,
        };
        let header = repr.emit(pkt).ok()?;
        pkt.get_mut(header..)?.copy_from_slice(&frame);
        self.seq = self.seq.wrapping_add(1);
        self.sent += 1;
        Some(Out {
            socket: RTP,
            destination: to,
            len: pkt.len(),
        })
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        [self.ua.poll_timeout(), self.next_frame]
            .into_iter()
            .flatten()
            .min()
    }

    fn poll_log(&mut self) -> Option<String> {
        self.log.pop_front()
    }

    fn is_done(&self) -> bool {
        self.ended
    }
}
