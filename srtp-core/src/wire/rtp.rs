//! The RTP header (RFC 3550 §5.1): its length with CSRCs and the header extension (RFC 8285), the
//! sequence number and the SSRC.

use crate::Error;

/// Fixed RTP header length.
pub const FIXED_HEADER_LEN: usize = 12;

/// The RTP header fields SRTP needs, read from a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpHeader {
    /// Header length: fixed part, CSRC list and header extension. These bytes stay in the clear and
    /// are authenticated (RFC 3711 §3.1).
    pub len: usize,
    /// The sequence number.
    pub sequence: u16,
    /// The synchronization source.
    pub ssrc: u32,
}

fn be16(p: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*p.get(at)?, *p.get(at + 1)?]))
}

fn be32(p: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(p.get(at..at + 4)?.try_into().ok()?))
}

impl RtpHeader {
    /// Reads the header of `packet`.
    ///
    /// # Errors
    /// [`Error::Truncated`] when the packet is shorter than its header, [`Error::BadVersion`] when
    /// the version is not 2.
    pub fn parse(packet: &[u8]) -> Result<Self, Error> {
        let truncated = |needed| Error::Truncated {
            needed,
            got: packet.len(),
        };
        let first = *packet.first().ok_or(truncated(FIXED_HEADER_LEN))?;
        if first >> 6 != 2 {
            return Err(Error::BadVersion(first >> 6));
        }
        if packet.len() < FIXED_HEADER_LEN {
            return Err(truncated(FIXED_HEADER_LEN));
        }
        let csrc_count = usize::from(first & 0x0f);
        let mut len = FIXED_HEADER_LEN + 4 * csrc_count;
        if first & 0x10 != 0 {
            // Extension: 16-bit profile, 16-bit length in 32-bit words, then the words.
            let words = be16(packet, len + 2).ok_or(truncated(len + 4))?;
            len += 4 + 4 * usize::from(words);
        }
        if packet.len() < len {
            return Err(truncated(len));
        }
        Ok(Self {
            len,
            sequence: be16(packet, 2).ok_or(truncated(4))?,
            ssrc: be32(packet, 8).ok_or(truncated(12))?,
        })
    }
}

/// The SSRC of an RTP packet, without checking more than its length.
#[must_use]
pub fn ssrc(packet: &[u8]) -> Option<u32> {
    be32(packet, 8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_with_csrcs_and_extension() {
        let mut p = [0u8; 40];
        p[0] = 0x80 | 0x10 | 2; // X, CC = 2
        p[2..4].copy_from_slice(&0x1234u16.to_be_bytes());
        p[8..12].copy_from_slice(&0xdead_beefu32.to_be_bytes());
        p[20..24].copy_from_slice(&[0xbe, 0xde, 0, 2]);
        let h = RtpHeader::parse(&p).unwrap();
        assert_eq!(
            h,
            RtpHeader {
                len: 12 + 8 + 4 + 8,
                sequence: 0x1234,
                ssrc: 0xdead_beef
            }
        );
        assert_eq!(
            RtpHeader::parse(&p[..31]),
            Err(Error::Truncated {
                needed: 32,
                got: 31
            })
        );
        assert_eq!(
            RtpHeader::parse(&p[..22]),
            Err(Error::Truncated {
                needed: 24,
                got: 22
            })
        );
        assert_eq!(
            RtpHeader::parse(&[]),
            Err(Error::Truncated { needed: 12, got: 0 })
        );
        p[0] = 0x40;
        assert_eq!(RtpHeader::parse(&p), Err(Error::BadVersion(1)));
    }
}
