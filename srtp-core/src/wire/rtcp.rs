//! The RTCP header (RFC 3550 §6.4) and the SRTCP trailer (RFC 3711 §3.4).

use crate::Error;

/// Bytes of an RTCP packet kept in the clear by SRTCP: the first header word and the sender SSRC.
pub const HEADER_LEN: usize = 8;

/// Length of the SRTCP trailer word `E || SRTCP index` (RFC 3711 §3.4).
pub const INDEX_LEN: usize = 4;

/// The E flag of the trailer word: the payload is encrypted.
pub const E_FLAG: u32 = 0x8000_0000;

/// Whether a packet on an RTP/RTCP-multiplexed port is RTCP (RFC 5761 §4): its second byte,
/// RTCP's packet type, is in 192–223 — the range RFC 5761 keeps free of RTP payload types once
/// the marker bit is taken into account (RTP's `M|PT` would read 64–95 there). The packets
/// defined today are 200–207 (SR, RR, SDES, BYE, APP, RTPFB, PSFB, XR).
///
/// ```
/// use rtcweb_srtp_core::wire::rtcp::is_rtcp;
/// assert!(is_rtcp(&[0x80, 200, 0, 6])); // SR
/// assert!(!is_rtcp(&[0x80, 0x80 | 0, 0, 1])); // PCMU with the marker bit
/// assert!(!is_rtcp(&[0x80]));
/// ```
#[must_use]
pub fn is_rtcp(packet: &[u8]) -> bool {
    matches!(packet.get(1), Some(192..=223))
}

/// Checks the version and length of a compound RTCP packet and returns the sender SSRC.
///
/// # Errors
/// [`Error::Truncated`] under 8 bytes, [`Error::BadVersion`] when the version is not 2.
pub fn sender_ssrc(packet: &[u8]) -> Result<u32, Error> {
    let truncated = Error::Truncated {
        needed: HEADER_LEN,
        got: packet.len(),
    };
    let first = *packet.first().ok_or(truncated)?;
    if first >> 6 != 2 {
        return Err(Error::BadVersion(first >> 6));
    }
    let ssrc: [u8; 4] = packet
        .get(4..8)
        .and_then(|s| s.try_into().ok())
        .ok_or(truncated)?;
    Ok(u32::from_be_bytes(ssrc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sender_ssrc() {
        let p = [0x80, 200, 0, 6, 1, 2, 3, 4];
        assert_eq!(sender_ssrc(&p), Ok(0x0102_0304));
        assert_eq!(
            sender_ssrc(&p[..7]),
            Err(Error::Truncated { needed: 8, got: 7 })
        );
        assert_eq!(sender_ssrc(&[0; 8]), Err(Error::BadVersion(0)));
    }
}
