//! `--flows`: per-flow summaries of a capture, the way sngrep shows a call — SIP dialogs with their
//! transactions, ICE checks per candidate pair and the selected pair, the other STUN/TURN
//! exchanges, and RTP/SRTP streams with loss and whether SRTP authenticates. Data relayed through
//! TURN (Send/Data indications, ChannelData) is followed end to end.

mod keys;
mod rtp;
mod sip;
mod stun;

use std::net::SocketAddr;

use rtcweb_sip_core::message::{Header, Message};
use rtcweb_srtp_core::KeyingMaterial;
use rtcweb_stun_core::channel_data::ChannelData;
use rtcweb_stun_core::wire::attributes::Data;
use rtcweb_stun_core::wire::Message as StunMessage;
use serde_json::{json, Value};

use super::classify::{is_sdp, kind_of, sip_limits, Kind, SIP_HEADERS};

/// The flows of a capture, fed packet by packet.
pub struct Flows {
    password: Option<String>,
    keys: keys::Keys,
    dialogs: sip::Dialogs,
    stun: stun::Stun,
    rtp: rtp::Streams,
    packets: u64,
}

impl Flows {
    /// Flows with the `--key` master keys and the `--password` STUN password.
    pub fn new(keys: Vec<KeyingMaterial>, password: Option<String>) -> Self {
        let mut k = keys::Keys::default();
        for (i, m) in keys.into_iter().enumerate() {
            k.add(format!("--key #{}", i + 1), m);
        }
        Self {
            password,
            keys: k,
            dialogs: sip::Dialogs::default(),
            stun: stun::Stun::default(),
            rtp: rtp::Streams::default(),
            packets: 0,
        }
    }

    /// A UDP payload (or data relayed through TURN, `depth` 1).
    pub fn datagram(
        &mut self,
        time: f64,
        src: SocketAddr,
        dst: SocketAddr,
        payload: &[u8],
        depth: u8,
    ) {
        if depth == 0 {
            self.packets += 1;
        }
        match kind_of(payload) {
            Kind::Sip => self.sip(time, src, dst, payload),
            Kind::Stun => {
                let Ok(msg) = StunMessage::parse(payload) else {
                    return;
                };
                let relayed =
                    self.stun
                        .message(&self.keys, self.password.as_deref(), time, src, dst, &msg);
                if let (Some(r), 0) = (relayed, depth) {
                    if let Ok(Some(Data(data))) = msg.attribute::<Data>() {
                        self.datagram(time, r.src, r.dst, data, 1);
                    }
                }
            }
            Kind::ChannelData => {
                let Ok(cd) = ChannelData::parse(payload) else {
                    return;
                };
                if let (Some(r), 0) = (self.stun.channel_data(src, dst, cd.channel), depth) {
                    self.datagram(time, r.src, r.dst, cd.data, 1);
                }
            }
            Kind::Rtp => self.rtp.rtp(&self.keys, time, src, dst, payload),
            Kind::Rtcp => self.rtp.rtcp(&self.keys, time, src, dst, payload),
            _ => {}
        }
    }

    /// A whole SIP message (a datagram, or framed from a TCP or WebSocket stream).
    pub fn sip(&mut self, time: f64, src: SocketAddr, dst: SocketAddr, bytes: &[u8]) {
        let mut storage = [Header::EMPTY; SIP_HEADERS];
        let Ok(msg) = Message::parse_with(bytes, &mut storage, &sip_limits()) else {
            return;
        };
        if is_sdp(&msg) {
            let what = msg.start_line_raw();
            self.keys.sdp(msg.body(), what.trim_end_matches(" SIP/2.0"));
        }
        self.dialogs.message(time, src, dst, &msg);
    }

    /// The summary.
    pub fn to_json(&self) -> Value {
        json!({
            "packets": self.packets,
            "sip_dialogs": self.dialogs.to_json(),
            "ice": self.stun.ice_json(),
            "stun": self.stun.stun_json(),
            "turn": self.stun.turn_json(),
            "rtp_streams": self.rtp.to_json(&self.keys),
            "sdes_keys": self.keys.sdes.iter().map(|k| k.origin.clone()).collect::<Vec<_>>(),
        })
    }
}
