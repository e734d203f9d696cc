//! The first-byte demultiplexer of RFC 7983 §7 (updating RFC 5764 §5.1.2): what shares a WebRTC
//! 5-tuple — STUN, ZRTP, DTLS, TURN ChannelData, RTP/RTCP — told apart by the first byte.

/// What a datagram on a multiplexed port is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Packet {
    /// 0–3: STUN.
    Stun,
    /// 16–19: ZRTP.
    Zrtp,
    /// 20–63: DTLS.
    Dtls,
    /// 64–79: TURN ChannelData.
    ChannelData,
    /// 128–191: RTP or RTCP.
    Rtp,
    /// Anything else (or empty): drop it.
    Unknown,
}

/// Classifies a datagram by its first byte (RFC 7983 §7).
pub const fn classify(datagram: &[u8]) -> Packet {
    match datagram.first() {
        Some(0..=3) => Packet::Stun,
        Some(16..=19) => Packet::Zrtp,
        Some(20..=63) => Packet::Dtls,
        Some(64..=79) => Packet::ChannelData,
        Some(128..=191) => Packet::Rtp,
        _ => Packet::Unknown,
    }
}

/// Whether an RTP/RTCP packet is RTCP: payload types 192–223 in the second byte (RFC 5761 §4).
#[deprecated(
    since = "0.1.1",
    note = "RTP/RTCP multiplexing is srtp-core's: use `rtcweb_srtp_core::wire::rtcp::is_rtcp`"
)]
pub fn is_rtcp(datagram: &[u8]) -> bool {
    matches!(datagram.get(1), Some(pt) if (192..=223).contains(pt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(deprecated)]
    fn rtcp_by_packet_type() {
        assert!(is_rtcp(&[0x80, 200]));
        assert!(!is_rtcp(&[0x80, 0]));
    }

    #[test]
    fn every_first_byte() {
        for b in 0..=255u8 {
            let want = match b {
                0..=3 => Packet::Stun,
                16..=19 => Packet::Zrtp,
                20..=63 => Packet::Dtls,
                64..=79 => Packet::ChannelData,
                128..=191 => Packet::Rtp,
                _ => Packet::Unknown,
            };
            assert_eq!(classify(&[b]), want);
        }
        assert_eq!(classify(&[]), Packet::Unknown);
    }
}
