//! Wire views over RTP and RTCP packets in the caller's buffer (RFC 3550 §5.1, §6.4; RFC 8285),
//! in smoltcp's style: [`RtpPacket`] / [`RtcpPacket`] wrap any `AsRef<[u8]>` (and write through
//! `AsMut<[u8]>`), checked once by `new_checked` so that every getter afterwards is total;
//! [`RtpRepr`] is the parsed header as plain values, [`RtpRepr::emit`] writes one. No allocation.
//!
//! ```
//! use rtcweb_srtp_core::wire::packet::{RtpPacket, RtpRepr};
//!
//! let repr = RtpRepr { marker: true, payload_type: 0, sequence_number: 7, timestamp: 160, ssrc: 0x1234_5678 };
//! let mut buf = [0u8; 12 + 160];
//! let header_len = repr.emit(&mut buf)?;
//! buf[header_len..].fill(0xff); // µ-law silence
//! let packet = RtpPacket::new_checked(&buf[..])?;
//! assert_eq!(RtpRepr::parse(&packet), repr);
//! assert_eq!(packet.payload().len(), 160);
//! # Ok::<(), rtcweb_srtp_core::Error>(())
//! ```

use crate::wire::rtp::FIXED_HEADER_LEN;
use crate::Error;

/// Fixed RTCP header length (V/P/count, packet type, length, SSRC of the sender).
pub const RTCP_HEADER_LEN: usize = 8;

fn truncated(needed: usize, got: usize) -> Error {
    Error::Truncated { needed, got }
}

fn get(b: &[u8], at: usize) -> u8 {
    b.get(at).copied().unwrap_or(0)
}

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([get(b, at), get(b, at + 1)])
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([get(b, at), get(b, at + 1), get(b, at + 2), get(b, at + 3)])
}

fn put(b: &mut [u8], at: usize, bytes: &[u8]) {
    if let Some(dst) = b.get_mut(at..at + bytes.len()) {
        dst.copy_from_slice(bytes);
    }
}

/// An RTP packet (RFC 3550 §5.1) in a buffer: fixed header, CSRC list, optional header extension
/// (RFC 8285), payload and padding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpPacket<T> {
    buffer: T,
    header_len: usize,
    payload_end: usize,
}

impl<T: AsRef<[u8]>> RtpPacket<T> {
    /// Wraps `buffer` after checking that it holds a whole RTP packet: version 2, the CSRC list
    /// and extension within the buffer, and padding (when the P bit is set) no longer than what
    /// follows the header.
    ///
    /// # Errors
    /// [`Error::Truncated`] or [`Error::BadVersion`]; [`Error::Truncated`] too for a padding count
    /// that runs into the header.
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let b = buffer.as_ref();
        let got = b.len();
        let first = *b.first().ok_or(truncated(FIXED_HEADER_LEN, got))?;
        if first >> 6 != 2 {
            return Err(Error::BadVersion(first >> 6));
        }
        if got < FIXED_HEADER_LEN {
            return Err(truncated(FIXED_HEADER_LEN, got));
        }
        let mut header_len = FIXED_HEADER_LEN + 4 * usize::from(first & 0x0f);
        if first & 0x10 != 0 {
            if got < header_len + 4 {
                return Err(truncated(header_len + 4, got));
            }
            header_len += 4 + 4 * usize::from(be16(b, header_len + 2));
        }
        if got < header_len {
            return Err(truncated(header_len, got));
        }
        let mut payload_end = got;
        if first & 0x20 != 0 {
            // RFC 3550 §5.1: the last octet counts the padding octets, itself included.
            let pad = usize::from(get(b, got - 1));
            if pad == 0 || header_len + pad > got {
                return Err(truncated(header_len + pad.max(1), got));
            }
            payload_end = got - pad;
        }
        Ok(Self {
            buffer,
            header_len,
            payload_end,
        })
    }

    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// The version (always 2 once checked).
    pub fn version(&self) -> u8 {
        get(self.b(), 0) >> 6
    }
    /// The padding bit.
    pub fn padding(&self) -> bool {
        get(self.b(), 0) & 0x20 != 0
    }
    /// The extension bit (RFC 8285).
    pub fn extension(&self) -> bool {
        get(self.b(), 0) & 0x10 != 0
    }
    /// The number of CSRCs.
    pub fn csrc_count(&self) -> u8 {
        get(self.b(), 0) & 0x0f
    }
    /// The marker bit.
    pub fn marker(&self) -> bool {
        get(self.b(), 1) & 0x80 != 0
    }
    /// The payload type (7 bits).
    pub fn payload_type(&self) -> u8 {
        get(self.b(), 1) & 0x7f
    }
    /// The sequence number.
    pub fn sequence_number(&self) -> u16 {
        be16(self.b(), 2)
    }
    /// The timestamp.
    pub fn timestamp(&self) -> u32 {
        be32(self.b(), 4)
    }
    /// The synchronization source.
    pub fn ssrc(&self) -> u32 {
        be32(self.b(), 8)
    }
    /// The `i`-th contributing source, if there is one.
    pub fn csrc(&self, i: usize) -> Option<u32> {
        (i < usize::from(self.csrc_count())).then(|| be32(self.b(), FIXED_HEADER_LEN + 4 * i))
    }
    /// The header extension's profile-defined 16 bits and its data (RFC 8285 §4.2: `0xBEDE` for
    /// one-byte elements, `0x100x` for two-byte ones).
    pub fn extension_header(&self) -> Option<(u16, &[u8])> {
        if !self.extension() {
            return None;
        }
        let at = FIXED_HEADER_LEN + 4 * usize::from(self.csrc_count());
        let data = self.b().get(at + 4..self.header_len)?;
        Some((be16(self.b(), at), data))
    }
    /// Header length: fixed part, CSRCs and extension.
    pub fn header_len(&self) -> usize {
        self.header_len
    }
    /// The payload, without padding.
    pub fn payload(&self) -> &[u8] {
        self.b()
            .get(self.header_len..self.payload_end)
            .unwrap_or_default()
    }
    /// The buffer back.
    pub fn into_inner(self) -> T {
        self.buffer
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> RtpPacket<T> {
    fn b_mut(&mut self) -> &mut [u8] {
        self.buffer.as_mut()
    }
    /// Sets the marker bit.
    pub fn set_marker(&mut self, marker: bool) {
        let v = (get(self.b(), 1) & 0x7f) | if marker { 0x80 } else { 0 };
        put(self.b_mut(), 1, &[v]);
    }
    /// Sets the payload type (the low 7 bits of `pt`).
    pub fn set_payload_type(&mut self, pt: u8) {
        let v = (get(self.b(), 1) & 0x80) | (pt & 0x7f);
        put(self.b_mut(), 1, &[v]);
    }
    /// Sets the sequence number.
    pub fn set_sequence_number(&mut self, seq: u16) {
        put(self.b_mut(), 2, &seq.to_be_bytes());
    }
    /// Sets the timestamp.
    pub fn set_timestamp(&mut self, ts: u32) {
        put(self.b_mut(), 4, &ts.to_be_bytes());
    }
    /// Sets the SSRC (a relay rewriting a stream's source, say).
    pub fn set_ssrc(&mut self, ssrc: u32) {
        put(self.b_mut(), 8, &ssrc.to_be_bytes());
    }
    /// The payload, writable.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let (start, end) = (self.header_len, self.payload_end);
        self.b_mut().get_mut(start..end).unwrap_or_default()
    }
}

/// The fixed RTP header as values (no CSRCs, no extension, no padding: what a sender of one
/// stream writes), parsed from or emitted into a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RtpRepr {
    /// The marker bit (first packet of a talkspurt for audio, RFC 3551 §4.1).
    pub marker: bool,
    /// The payload type (7 bits).
    pub payload_type: u8,
    /// The sequence number.
    pub sequence_number: u16,
    /// The timestamp.
    pub timestamp: u32,
    /// The synchronization source.
    pub ssrc: u32,
}

impl RtpRepr {
    /// The header fields of a checked packet (CSRCs and extension are the packet's to read).
    pub fn parse<T: AsRef<[u8]>>(packet: &RtpPacket<T>) -> Self {
        Self {
            marker: packet.marker(),
            payload_type: packet.payload_type(),
            sequence_number: packet.sequence_number(),
            timestamp: packet.timestamp(),
            ssrc: packet.ssrc(),
        }
    }

    /// Writes the 12-byte header at the start of `buf` and returns its length; the payload goes
    /// after it.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] when `buf` is shorter than 12 bytes.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let got = buf.len();
        let h = buf
            .get_mut(..FIXED_HEADER_LEN)
            .ok_or(Error::BufferTooSmall {
                needed: FIXED_HEADER_LEN,
                got,
            })?;
        let [s0, s1] = self.sequence_number.to_be_bytes();
        let [t0, t1, t2, t3] = self.timestamp.to_be_bytes();
        let [c0, c1, c2, c3] = self.ssrc.to_be_bytes();
        let second = (self.payload_type & 0x7f) | if self.marker { 0x80 } else { 0 };
        h.copy_from_slice(&[0x80, second, s0, s1, t0, t1, t2, t3, c0, c1, c2, c3]);
        Ok(FIXED_HEADER_LEN)
    }
}

/// One RTCP packet's common header (RFC 3550 §6.4) in a buffer: version, padding, the count field
/// (reception reports, or the FMT of feedback, RFC 4585), packet type, length and the sender's
/// SSRC; `body` is what follows, up to the packet's length (a compound packet holds several).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtcpPacket<T> {
    buffer: T,
    len: usize,
}

impl<T: AsRef<[u8]>> RtcpPacket<T> {
    /// Wraps the first RTCP packet of `buffer`: version 2 and its length field within the buffer.
    ///
    /// # Errors
    /// [`Error::Truncated`] or [`Error::BadVersion`].
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let b = buffer.as_ref();
        let got = b.len();
        let first = *b.first().ok_or(truncated(RTCP_HEADER_LEN, got))?;
        if first >> 6 != 2 {
            return Err(Error::BadVersion(first >> 6));
        }
        if got < RTCP_HEADER_LEN {
            return Err(truncated(RTCP_HEADER_LEN, got));
        }
        // The length field counts 32-bit words minus one (§6.4.1).
        let len = 4 * (usize::from(be16(b, 2)) + 1);
        if len < RTCP_HEADER_LEN || got < len {
            return Err(truncated(len.max(RTCP_HEADER_LEN), got));
        }
        Ok(Self { buffer, len })
    }

    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }
    /// The padding bit.
    pub fn padding(&self) -> bool {
        get(self.b(), 0) & 0x20 != 0
    }
    /// The 5-bit count field (RC, SC or FMT).
    pub fn count(&self) -> u8 {
        get(self.b(), 0) & 0x1f
    }
    /// The packet type (200 SR, 201 RR, 202 SDES, 203 BYE, 204 APP, 205/206 feedback).
    pub fn packet_type(&self) -> u8 {
        get(self.b(), 1)
    }
    /// This packet's length in bytes (from its length field).
    pub fn len(&self) -> usize {
        self.len
    }
    /// Never empty once checked (the header alone is 8 bytes).
    pub fn is_empty(&self) -> bool {
        false
    }
    /// The SSRC of the sender (packet sender / reporter).
    pub fn ssrc(&self) -> u32 {
        be32(self.b(), 4)
    }
    /// What follows the common header, up to this packet's end.
    pub fn body(&self) -> &[u8] {
        self.b().get(RTCP_HEADER_LEN..self.len).unwrap_or_default()
    }
    /// The bytes after this packet (the next packets of a compound packet).
    pub fn rest(&self) -> &[u8] {
        self.b().get(self.len..).unwrap_or_default()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn rtp_with_csrcs_extension_and_padding() {
        let mut p = [0u8; 12 + 8 + 8 + 5 + 3];
        p[0] = 0x80 | 0x20 | 0x10 | 2; // P, X, CC = 2
        p[1] = 0x80 | 111;
        p[2..4].copy_from_slice(&0xfffeu16.to_be_bytes());
        p[4..8].copy_from_slice(&960u32.to_be_bytes());
        p[8..12].copy_from_slice(&0xdead_beefu32.to_be_bytes());
        p[12..16].copy_from_slice(&1u32.to_be_bytes());
        p[16..20].copy_from_slice(&2u32.to_be_bytes());
        p[20..22].copy_from_slice(&0xbedeu16.to_be_bytes());
        p[22..24].copy_from_slice(&1u16.to_be_bytes());
        p[24..28].copy_from_slice(&[0x10, 0xaa, 0, 0]);
        p[28..33].copy_from_slice(b"hello");
        p[35] = 3; // three octets of padding
        let mut rtp = RtpPacket::new_checked(&mut p[..]).unwrap();
        assert_eq!(
            (
                rtp.version(),
                rtp.padding(),
                rtp.extension(),
                rtp.csrc_count()
            ),
            (2, true, true, 2)
        );
        assert_eq!((rtp.marker(), rtp.payload_type()), (true, 111));
        assert_eq!(
            (rtp.sequence_number(), rtp.timestamp(), rtp.ssrc()),
            (0xfffe, 960, 0xdead_beef)
        );
        assert_eq!(
            (rtp.csrc(0), rtp.csrc(1), rtp.csrc(2)),
            (Some(1), Some(2), None)
        );
        assert_eq!(
            rtp.extension_header(),
            Some((0xbede, &[0x10, 0xaa, 0, 0][..]))
        );
        assert_eq!(rtp.header_len(), 28);
        assert_eq!(rtp.payload(), b"hello");
        rtp.set_ssrc(7);
        rtp.set_marker(false);
        rtp.set_payload_type(0);
        rtp.set_sequence_number(9);
        rtp.set_timestamp(10);
        rtp.payload_mut()[0] = b'j';
        let repr = RtpRepr::parse(&rtp);
        assert_eq!(
            repr,
            RtpRepr {
                marker: false,
                payload_type: 0,
                sequence_number: 9,
                timestamp: 10,
                ssrc: 7
            }
        );
        assert_eq!(rtp.payload(), b"jello");
    }

    #[test]
    fn bad_rtp_is_refused_not_panicking() {
        for bad in [
            &[][..],
            &[0x40; 12][..],                              // version 1
            &[0x80; 11][..],                              // short
            &[0x8f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0][..], // 15 CSRCs missing
            &[0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xbe, 0xde, 0, 9][..], // extension too long
            &[0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0][..], // padding 0
            &[0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9][..], // padding past the header
        ] {
            assert!(RtpPacket::new_checked(bad).is_err(), "{bad:?}");
        }
        let mut small = [0u8; 11];
        assert!(matches!(
            RtpRepr::default().emit(&mut small),
            Err(Error::BufferTooSmall { needed: 12, .. })
        ));
    }

    #[test]
    fn compound_rtcp_walks_packet_by_packet() {
        // An RR with no report block (8 bytes), then an SDES header with a 4-byte body.
        let p = [
            0x80, 201, 0, 1, 0, 0, 0, 42, // RR, length 1 (8 bytes)
            0x81, 202, 0, 2, 0, 0, 0, 42, 1, 0, 0, 0, // SDES, length 2 (12 bytes)
        ];
        let rr = RtcpPacket::new_checked(&p[..]).unwrap();
        assert_eq!(
            (rr.packet_type(), rr.count(), rr.len(), rr.ssrc()),
            (201, 0, 8, 42)
        );
        assert!(rr.body().is_empty());
        let sdes = RtcpPacket::new_checked(rr.rest()).unwrap();
        assert_eq!(
            (sdes.packet_type(), sdes.count(), sdes.body()),
            (202, 1, &[1, 0, 0, 0][..])
        );
        assert!(sdes.rest().is_empty());
        assert!(RtcpPacket::new_checked(&p[..10]).is_ok());
        assert!(RtcpPacket::new_checked(&[0x80, 201, 0, 9, 0, 0, 0, 1][..]).is_err());
        assert!(RtcpPacket::new_checked(&[0x40, 201, 0, 1, 0, 0, 0, 1][..]).is_err());
    }
}
