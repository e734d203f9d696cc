//! RTP/SRTP streams by SSRC and direction: packets, duplicates, sequence loss (RFC 3550 A.3:
//! expected from the extended highest sequence number, minus received), payload types, and
//! whether SRTP/SRTCP authenticates with a known SDES key (srtp-core `Stream::unprotect_*`): the
//! first key that verifies a packet of the stream is kept for the rest of it.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::hash::{Hash as _, Hasher as _};
use std::net::SocketAddr;

use rtcweb_srtp_core::wire::rtp::RtpHeader;
use rtcweb_srtp_core::{Config, Stream};
use serde_json::{json, Value};

use super::keys::Keys;

/// Sequence numbers remembered to recognize a duplicate (the same packet seen on two legs of a
/// relay, or a retransmission by the network).
const RECENT: usize = 256;

/// A key's check state for one stream.
#[derive(Default)]
struct Srtp {
    /// One srtp-core stream per known key, created when first needed.
    candidates: Vec<Option<Stream>>,
    /// The index of the key that verified this stream.
    bound: Option<usize>,
    verified: u64,
    refused: u64,
    rtcp_verified: u64,
    rtcp_refused: u64,
}

impl Srtp {
    /// Tries the bound key, or every key until one verifies; `true` when one did.
    fn check(&mut self, keys: &Keys, packet: &[u8], rtcp: bool) -> bool {
        let config = Config::default();
        while self.candidates.len() < keys.sdes.len() {
            let key = keys.sdes.get(self.candidates.len());
            self.candidates
                .push(key.and_then(|k| Stream::new(&k.material, &config).ok()));
        }
        let order: Vec<usize> = match self.bound {
            Some(i) => vec![i],
            None => (0..self.candidates.len()).collect(),
        };
        for i in order {
            let Some(Some(stream)) = self.candidates.get_mut(i) else {
                continue;
            };
            let mut copy = packet.to_vec();
            let ok = if rtcp {
                stream.unprotect_rtcp(&mut copy).is_ok()
            } else {
                stream.unprotect_rtp(&mut copy).is_ok()
            };
            if ok {
                self.bound = Some(i);
                return true;
            }
        }
        false
    }
}

/// One stream.
struct RtpStream {
    ssrc: u32,
    src: SocketAddr,
    dst: SocketAddr,
    first_time: f64,
    last_time: f64,
    packets: u64,
    bytes: u64,
    duplicates: u64,
    rtcp_packets: u64,
    payload_types: BTreeSet<u8>,
    base: Option<u64>,
    highest: u64,
    recent: VecDeque<u16>,
    /// Hashes of recent RTCP packets, to recognize a duplicate.
    recent_rtcp: VecDeque<u64>,
    srtp: Srtp,
}

impl RtpStream {
    fn new(ssrc: u32, src: SocketAddr, dst: SocketAddr, time: f64) -> Self {
        Self {
            ssrc,
            src,
            dst,
            first_time: time,
            last_time: time,
            packets: 0,
            bytes: 0,
            duplicates: 0,
            rtcp_packets: 0,
            payload_types: BTreeSet::new(),
            base: None,
            highest: 0,
            recent: VecDeque::new(),
            recent_rtcp: VecDeque::new(),
            srtp: Srtp::default(),
        }
    }

    /// Records a sequence number; `false` for a duplicate.
    fn sequence(&mut self, seq: u16) -> bool {
        if self.recent.contains(&seq) {
            self.duplicates += 1;
            return false;
        }
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back(seq);
        // The extended sequence number (cycles in the high bits), started one cycle up so that a
        // packet older than the first still has a place.
        let ext = match self.base {
            None => {
                let ext = (1 << 16) + u64::from(seq);
                self.base = Some(ext);
                self.highest = ext;
                ext
            }
            Some(_) => {
                let delta = i64::from(seq.wrapping_sub(self.highest as u16) as i16);
                self.highest.saturating_add_signed(delta)
            }
        };
        self.base = self.base.map(|b| b.min(ext));
        self.highest = self.highest.max(ext);
        true
    }

    /// Records an RTCP packet; `false` for a duplicate.
    fn rtcp_packet(&mut self, packet: &[u8]) -> bool {
        let mut h = DefaultHasher::new();
        packet.hash(&mut h);
        let h = h.finish();
        if self.recent_rtcp.contains(&h) {
            self.duplicates += 1;
            return false;
        }
        if self.recent_rtcp.len() == RECENT {
            self.recent_rtcp.pop_front();
        }
        self.recent_rtcp.push_back(h);
        true
    }

    fn lost(&self) -> u64 {
        let expected = self.base.map_or(0, |b| self.highest.saturating_sub(b) + 1);
        expected.saturating_sub(self.packets)
    }

    fn to_json(&self, keys: &Keys) -> Value {
        let protection = if keys.plain_rtp.contains(&self.src) {
            "rtp"
        } else if keys.srtp.contains(&self.src) || self.srtp.bound.is_some() {
            "srtp"
        } else {
            "unknown"
        };
        let s = &self.srtp;
        let srtp = if protection == "rtp" {
            Value::Null
        } else if keys.sdes.is_empty() {
            json!({"checked": false, "reason": "no SDES key (--key or a=crypto in the capture)"})
        } else {
            json!({
                "checked": true,
                "authenticated": s.verified > 0 && s.refused == 0,
                "verified": s.verified,
                "refused": s.refused,
                "rtcp_verified": s.rtcp_verified,
                "rtcp_refused": s.rtcp_refused,
                "key": s.bound.and_then(|i| keys.sdes.get(i)).map(|k| k.origin.clone()),
            })
        };
        json!({
            "ssrc": format!("{:#010x}", self.ssrc),
            "src": self.src.to_string(),
            "dst": self.dst.to_string(),
            "first_time": self.first_time,
            "last_time": self.last_time,
            "packets": self.packets,
            "bytes": self.bytes,
            "lost": self.lost(),
            "duplicates": self.duplicates,
            "payload_types": self.payload_types,
            "rtcp_packets": self.rtcp_packets,
            "protection": protection,
            "srtp": srtp,
        })
    }
}

/// Every stream, in the order they started.
#[derive(Default)]
pub struct Streams {
    streams: Vec<RtpStream>,
    index: HashMap<(u32, SocketAddr, SocketAddr), usize>,
}

impl Streams {
    fn stream(
        &mut self,
        ssrc: u32,
        src: SocketAddr,
        dst: SocketAddr,
        time: f64,
    ) -> Option<&mut RtpStream> {
        let i = *self.index.entry((ssrc, src, dst)).or_insert_with(|| {
            self.streams.push(RtpStream::new(ssrc, src, dst, time));
            self.streams.len() - 1
        });
        self.streams.get_mut(i)
    }

    /// An RTP or SRTP packet.
    pub fn rtp(&mut self, keys: &Keys, time: f64, src: SocketAddr, dst: SocketAddr, packet: &[u8]) {
        let Ok(header) = RtpHeader::parse(packet) else {
            return;
        };
        let Some(s) = self.stream(header.ssrc, src, dst, time) else {
            return;
        };
        s.last_time = time;
        if !s.sequence(header.sequence) {
            return;
        }
        s.packets += 1;
        s.bytes += packet.len() as u64;
        if let Some(pt) = packet.get(1) {
            s.payload_types.insert(pt & 0x7f);
        }
        if !keys.plain_rtp.contains(&src) && !keys.sdes.is_empty() {
            if s.srtp.check(keys, packet, false) {
                s.srtp.verified += 1;
            } else {
                s.srtp.refused += 1;
            }
        }
    }

    /// An RTCP or SRTCP packet, counted with the stream of its sender SSRC.
    pub fn rtcp(
        &mut self,
        keys: &Keys,
        time: f64,
        src: SocketAddr,
        dst: SocketAddr,
        packet: &[u8],
    ) {
        let Ok(ssrc) = rtcweb_srtp_core::wire::rtcp::sender_ssrc(packet) else {
            return;
        };
        let Some(s) = self.stream(ssrc, src, dst, time) else {
            return;
        };
        s.last_time = time;
        if !s.rtcp_packet(packet) {
            return;
        }
        s.rtcp_packets += 1;
        if !keys.plain_rtp.contains(&src) && !keys.sdes.is_empty() {
            if s.srtp.check(keys, packet, true) {
                s.srtp.rtcp_verified += 1;
            } else {
                s.srtp.rtcp_refused += 1;
            }
        }
    }

    /// The streams as JSON.
    pub fn to_json(&self, keys: &Keys) -> Value {
        Value::Array(self.streams.iter().map(|s| s.to_json(keys)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream() -> RtpStream {
        let a = SocketAddr::from(([127, 0, 0, 1], 1));
        RtpStream::new(1, a, a, 0.0)
    }

    #[test]
    fn loss_across_the_wrap_and_duplicates() {
        let mut s = stream();
        for seq in [65533u16, 65534, 65535, 1, 2, 2, 4] {
            if s.sequence(seq) {
                s.packets += 1;
            }
        }
        // 65533..=4 is 8 numbers; 6 distinct packets arrived (0 and 3 missing).
        assert_eq!(s.packets, 6);
        assert_eq!(s.duplicates, 1);
        assert_eq!(s.lost(), 2);
    }

    #[test]
    fn late_packet_before_the_first() {
        let mut s = stream();
        for seq in [10u16, 11, 9, 12] {
            assert!(s.sequence(seq));
            s.packets += 1;
        }
        assert_eq!(s.lost(), 0);
    }
}
