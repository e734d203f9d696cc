//! The relay's per-packet transform, without sockets: what [`Relay::read_web`] and
//! [`Relay::read_trunk`] do to each packet between `recv_from` and `send_to`.
//!
//! - [`Relay::web_to_trunk`]: SRTP from the browser is verified and decrypted (RFC 3711 §3.3)
//!   and becomes plain RTP for the phone, in place, with our SSRC and sequence numbers towards
//!   the phone and the trunk's payload type. SRTCP is verified, read for the browser's receiver
//!   reports and ended here.
//! - [`Relay::trunk_to_web`]: RTP from the phone gets the browser leg's SSRC, sequence number and
//!   payload type and is protected (RFC 3711 §3.3), in place.
//! - [`Relay::to_trunk_wire`] / [`Relay::from_trunk_wire`]: the trunk's leg, when the phone
//!   keyed it by SDES: SRTP both ways (otherwise plain RTP, unchanged).
//!
//! Topology hiding: neither leg's SSRC or sequence numbers reach the other. The legs' source
//! checks (which address a packet came from) stay with the sockets, in [`super::media`].

use rtcweb_srtp_core::wire::rtcp::is_rtcp;

use super::media::Relay;
use super::stats::CallStats;

/// RTP header without CSRCs (RFC 3550 §5.1): the bytes rewritten.
const RTP_HEADER: usize = 12;
/// Longest SRTP packet sent to the browser (RTP plus at most 16 bytes of tag).
const MAX_SRTP: usize = 1600;
/// Most bytes SRTP adds to an RTP packet under any profile (GCM's 16-byte tag).
const MAX_OVERHEAD: usize = 16;

/// Our SSRC, sequence number and the mapped payload type in an RTP header (marker kept).
fn rewrite(rtp: &mut [u8], pt: u8, seq: u16, ssrc: u32) {
    if let Some(h) = rtp.get_mut(..RTP_HEADER) {
        h[1] = (h[1] & 0x80) | pt;
        h[2..4].copy_from_slice(&seq.to_be_bytes());
        h[8..12].copy_from_slice(&ssrc.to_be_bytes());
    }
}

impl Relay {
    /// One SRTP or SRTCP packet from the browser, `packet` the whole datagram. SRTP: verified,
    /// decrypted and rewritten for the phone in place; returns the RTP length (`packet[..len]`
    /// goes to the phone). SRTCP: verified and read (`browser_reception`), `None`.
    ///
    /// `None` also when SRTP is not keyed yet, the phone's address or the codec is not known
    /// yet, or the packet is refused (counted in `stats.refused`: it failed to verify, or its
    /// payload type was not negotiated). Counts nothing as relayed: the caller does when
    /// `send_to` succeeds.
    pub fn web_to_trunk(&mut self, packet: &mut [u8], stats: &mut CallStats) -> Option<usize> {
        let keys = self.web.keys.as_mut()?;
        if is_rtcp(packet) {
            match keys.inbound.unprotect_rtcp(packet) {
                Ok(len) => {
                    stats.rtcp_terminated += 1;
                    if let Some(rtcp) = packet.get(..len) {
                        stats.browser_reception.update(rtcp);
                    }
                }
                Err(_) => stats.refused += 1,
            }
            return None;
        }
        let Ok(len) = keys.inbound.unprotect_rtp(packet) else {
            stats.refused += 1;
            return None;
        };
        self.trunk.remote?;
        let pts = self.pts?;
        let rtp = packet.get_mut(..len).filter(|r| r.len() >= RTP_HEADER)?;
        let Some(pt) = pts.to_trunk(rtp[1] & 0x7f) else {
            stats.refused += 1;
            return None;
        };
        self.trunk.seq = self.trunk.seq.wrapping_add(1);
        rewrite(rtp, pt, self.trunk.seq, self.trunk.ssrc);
        Some(len)
    }

    /// One RTP packet from the phone, `buf[..len]`: rewritten for the browser and protected in
    /// place; returns the SRTP length (`buf[..srtp_len]` goes to the browser). `buf` needs room
    /// for the authentication tag (16 bytes past `len` fit every profile).
    ///
    /// `None` when it is not RTP version 2, is shorter than a header, would exceed 1600 bytes
    /// protected, SRTP is not keyed yet or the codec is not known yet, or its payload type was
    /// not negotiated (counted in `stats.refused`).
    pub fn trunk_to_web(
        &mut self,
        buf: &mut [u8],
        len: usize,
        stats: &mut CallStats,
    ) -> Option<usize> {
        if len < RTP_HEADER || len + MAX_OVERHEAD > MAX_SRTP {
            return None;
        }
        let first = *buf.first()?;
        if first >> 6 != 2 {
            return None;
        }
        let pts = self.pts?;
        let keys = self.web.keys.as_mut()?;
        let Some(pt) = pts.to_web(buf.get(1)? & 0x7f) else {
            stats.refused += 1;
            return None;
        };
        let rtp = buf.get_mut(..len)?;
        self.web.seq = self.web.seq.wrapping_add(1);
        rewrite(rtp, pt, self.web.seq, self.web.ssrc);
        keys.outbound.protect_rtp(buf, len).ok()
    }

    /// RTP for the phone, `buf[..len]` (from [`Self::web_to_trunk`]): protected in place when
    /// the trunk's leg is keyed by SDES; returns the length to send. `buf` needs room for the
    /// tag. `None`: it could not be protected (not sent).
    pub fn to_trunk_wire(&mut self, buf: &mut [u8], len: usize) -> Option<usize> {
        match self.trunk.keys.as_mut() {
            None => Some(len),
            Some(keys) => keys.sessions.outbound.protect_rtp(buf, len).ok(),
        }
    }

    /// A datagram from the phone, `buf[..n]`: when the trunk's leg is keyed by SDES, SRTP or
    /// SRTCP verified and decrypted in place (RFC 3711 §3.3, §3.4); returns the plain length.
    /// `None`: refused (counted in `stats.refused`).
    pub fn from_trunk_wire(
        &mut self,
        buf: &mut [u8],
        n: usize,
        stats: &mut CallStats,
    ) -> Option<usize> {
        let Some(keys) = self.trunk.keys.as_mut() else {
            return Some(n);
        };
        let packet = buf.get_mut(..n)?;
        let plain = if is_rtcp(packet) {
            keys.sessions.inbound.unprotect_rtcp(packet)
        } else {
            keys.sessions.inbound.unprotect_rtp(packet)
        };
        if plain.is_err() {
            stats.refused += 1;
        }
        plain.ok()
    }
}
