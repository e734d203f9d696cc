//! The media of the loopback call: a generated tone as G.711 µ-law (PCMU, RFC 3551) in 20 ms RTP
//! packets (RFC 3550), protected with SRTP, and per-direction receive statistics.

use rtcweb_sip_core::Instant;
use rtcweb_srtp_core::wire::packet::RtpRepr;
use rtcweb_srtp_core::{Config, KeyingMaterial, Session};

use super::rtcp::RtcpState;

/// 8 kHz, 20 ms: 160 samples (and bytes) of PCMU per packet.
pub const SAMPLES_PER_PACKET: usize = 160;
/// RTP payload type 0 (PCMU/8000, RFC 3551 §6).
pub const PAYLOAD_TYPE_PCMU: u8 = 0;
const RTP_HEADER: usize = 12;

/// A sine tone, sampled at 8 kHz.
#[derive(Debug, Clone)]
pub struct Tone {
    frequency: f64,
    n: u64,
}

impl Tone {
    /// A tone at `frequency` Hz.
    pub fn new(frequency: f64) -> Self {
        Tone { frequency, n: 0 }
    }

    /// The next 20 ms as µ-law bytes.
    pub fn next_frame(&mut self) -> [u8; SAMPLES_PER_PACKET] {
        let mut out = [0u8; SAMPLES_PER_PACKET];
        for b in &mut out {
            let t = self.n as f64 / 8000.0;
            let s =
                (0.3 * (2.0 * core::f64::consts::PI * self.frequency * t).sin() * 32767.0) as i16;
            *b = linear_to_ulaw(s);
            self.n += 1;
        }
        out
    }
}

/// G.711 µ-law encoding of one 16-bit sample (ITU-T G.711, with the usual bias of 0x84).
pub fn linear_to_ulaw(sample: i16) -> u8 {
    const BIAS: i32 = 0x84;
    const CLIP: i32 = 32635;
    let mut s = i32::from(sample);
    let sign = if s < 0 {
        s = -s;
        0x80
    } else {
        0
    };
    s = s.min(CLIP) + BIAS;
    let exponent = (7 - (s.leading_zeros() as i32 - 17)).clamp(0, 7);
    let mantissa = (s >> (exponent + 3)) & 0x0F;
    !(sign | (exponent << 4) as u8 | mantissa as u8)
}

/// Sends one RTP stream: header, sequence numbers and timestamps, SRTP protection in place.
pub struct RtpSender {
    ssrc: u32,
    seq: u16,
    timestamp: u32,
    srtp: Session,
    packets: u32,
    octets: u32,
}

impl RtpSender {
    /// A sender keyed with the local SDES key, starting at the given sequence number.
    pub fn new(material: &KeyingMaterial, ssrc: u32, first_seq: u16) -> Result<Self, String> {
        Ok(RtpSender {
            ssrc,
            seq: first_seq,
            timestamp: u32::from(first_seq) * 7,
            srtp: Session::new(material, &Config::default()).map_err(|e| e.to_string())?,
            packets: 0,
            octets: 0,
        })
    }

    /// Writes the next packet with `payload` into `buf` and protects it; returns the SRTP length.
    pub fn packet(&mut self, payload: &[u8], buf: &mut [u8]) -> Result<usize, String> {
        let len = RTP_HEADER + payload.len();
        RtpRepr {
            marker: self.packets == 0,
            payload_type: PAYLOAD_TYPE_PCMU,
            sequence_number: self.seq,
            timestamp: self.timestamp,
            ssrc: self.ssrc,
        }
        .emit(buf)
        .map_err(|e| e.to_string())?;
        buf.get_mut(RTP_HEADER..len)
            .ok_or("buffer too small")?
            .copy_from_slice(payload);
        self.seq = self.seq.wrapping_add(1);
        self.timestamp = self.timestamp.wrapping_add(SAMPLES_PER_PACKET as u32);
        self.packets = self.packets.wrapping_add(1);
        self.octets = self.octets.wrapping_add(payload.len() as u32);
        self.srtp.protect_rtp(buf, len).map_err(|e| e.to_string())
    }

    /// Writes a sender report (with a report block about what `rx` received) into `buf` and
    /// protects it as SRTCP; returns the length.
    pub fn sender_report(
        &mut self,
        now: Instant,
        rx: &RtpReceiver,
        buf: &mut [u8],
    ) -> Result<usize, String> {
        let len = rx
            .rtcp
            .write_sr(
                now,
                self.ssrc,
                self.timestamp,
                (self.packets, self.octets),
                &rx.stats,
                buf,
            )
            .ok_or("buffer too small")?;
        self.srtp.protect_rtcp(buf, len).map_err(|e| e.to_string())
    }

    /// The SSRC this sender uses.
    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }
}

/// Receives one direction: SRTP unprotect (tag verified, replay refused) and statistics.
pub struct RtpReceiver {
    srtp: Session,
    our_ssrc: u32,
    /// What arrived so far.
    pub stats: Stats,
    /// RTCP state: the remote SSRC, its last SR, the RTT.
    pub rtcp: RtcpState,
}

/// Receive statistics of one direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Packets whose SRTP tag verified.
    pub verified: u64,
    /// Packets refused (bad tag, replay, malformed).
    pub refused: u64,
    /// The first and highest extended sequence numbers seen.
    pub first_seq: Option<u64>,
    /// The highest extended sequence number.
    pub highest_seq: u64,
    /// Payload bytes verified.
    pub bytes: u64,
}

impl Stats {
    /// Packets expected from the sequence numbers seen (RFC 3550 appendix A.3).
    pub fn expected(&self) -> u64 {
        self.first_seq.map_or(0, |f| self.highest_seq - f + 1)
    }

    /// Packets lost: expected but not verified.
    pub fn lost(&self) -> u64 {
        self.expected().saturating_sub(self.verified)
    }
}

impl RtpReceiver {
    /// A receiver keyed with the remote party's SDES key; `our_ssrc` is the SSRC we send with
    /// (RTCP report blocks about it give the RTT).
    pub fn new(material: &KeyingMaterial, our_ssrc: u32) -> Result<Self, String> {
        Ok(RtpReceiver {
            srtp: Session::new(material, &Config::default()).map_err(|e| e.to_string())?,
            our_ssrc,
            stats: Stats::default(),
            rtcp: RtcpState::default(),
        })
    }

    /// Unprotects an SRTCP packet in place and reads its sender report.
    pub fn receive_rtcp(&mut self, now: Instant, packet: &mut [u8]) -> Result<(), String> {
        let len = self
            .srtp
            .unprotect_rtcp(packet)
            .map_err(|e| e.to_string())?;
        self.rtcp.read(now, self.our_ssrc, &packet[..len]);
        Ok(())
    }

    /// Unprotects a packet in place; on success returns the payload.
    pub fn receive<'a>(&mut self, packet: &'a mut [u8]) -> Result<&'a [u8], String> {
        let len = match self.srtp.unprotect_rtp(packet) {
            Ok(len) => len,
            Err(e) => {
                self.stats.refused += 1;
                return Err(e.to_string());
            }
        };
        let seq = u16::from_be_bytes([packet[2], packet[3]]);
        let ssrc = u32::from_be_bytes([packet[8], packet[9], packet[10], packet[11]]);
        let roc = self.srtp.roc(ssrc).unwrap_or(0);
        let ext = (u64::from(roc) << 16) | u64::from(seq);
        self.rtcp.remote_ssrc = Some(ssrc);
        let st = &mut self.stats;
        st.verified += 1;
        st.first_seq = Some(st.first_seq.map_or(ext, |f| f.min(ext)));
        st.highest_seq = st.highest_seq.max(ext);
        st.bytes += (len - RTP_HEADER) as u64;
        Ok(&packet[RTP_HEADER..len])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rtcweb_srtp_core::Profile;

    #[test]
    fn ulaw_known_values() {
        assert_eq!(linear_to_ulaw(0), 0xFF);
        assert_eq!(linear_to_ulaw(-1), 0x7F);
        assert_eq!(linear_to_ulaw(32767), 0x80);
        assert_eq!(linear_to_ulaw(-32768), 0x00);
    }

    #[test]
    fn protected_packets_verify_and_count() {
        let key = KeyingMaterial::from_key_salt(Profile::AesCm128HmacSha1_80, &[9u8; 30]).unwrap();
        let mut tx = RtpSender::new(&key, 0x1234_5678, 65530).unwrap();
        let mut rx = RtpReceiver::new(&key, 1).unwrap();
        let mut tone = Tone::new(440.0);
        let mut buf = [0u8; 256];
        for i in 0..20 {
            let n = tx.packet(&tone.next_frame(), &mut buf).unwrap();
            if i == 5 {
                continue; // lost
            }
            let payload = rx.receive(&mut buf[..n]).unwrap();
            assert_eq!(payload.len(), SAMPLES_PER_PACKET);
        }
        assert_eq!(rx.stats.verified, 19);
        assert_eq!(rx.stats.expected(), 20, "across the sequence-number wrap");
        assert_eq!(rx.stats.lost(), 1);
    }
}
