//! ChannelData messages (RFC 8656 §12.4): 4-byte header (channel number, length) and the data,
//! padded to 4 bytes over stream transports.

use crate::wire::attributes::{be16, put, ChannelNumber};

/// Why a ChannelData message could not be parsed or written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChannelDataError {
    /// Fewer bytes than the header or its length announces.
    #[error("truncated: {needed} bytes needed, {got} present")]
    Truncated {
        /// Bytes needed.
        needed: usize,
        /// Bytes present.
        got: usize,
    },
    /// The channel number (byte 0) is outside 0x4000–0x4FFF.
    #[error("byte 0: channel number {0:#06x} outside 0x4000-0x4fff")]
    BadChannel(u16),
    /// Over UDP the datagram is longer than the message plus at most 3 bytes of padding.
    #[error("byte {offset}: {extra} bytes follow the ChannelData message")]
    TrailingBytes {
        /// Where the message (without padding) ends.
        offset: usize,
        /// Bytes after it.
        extra: usize,
    },
    /// The output buffer is too small.
    #[error("buffer too small: {needed} bytes needed, {got} available")]
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        got: usize,
    },
    /// The data does not fit in the 16-bit length field.
    #[error("data of {0} bytes is longer than 65535")]
    TooLong(usize),
}

/// A borrowed ChannelData message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelData<'a> {
    /// The channel number.
    pub channel: u16,
    /// The application data.
    pub data: &'a [u8],
}

impl<'a> ChannelData<'a> {
    /// Header length.
    pub const HEADER_LEN: usize = 4;

    /// Parses one message from a UDP datagram: exactly the message, or the message and its
    /// padding (RFC 8656 §12.5 lets a sender pad over UDP too).
    pub fn parse(buf: &'a [u8]) -> Result<Self, ChannelDataError> {
        let msg = Self::parse_unpadded(buf)?;
        let end = Self::HEADER_LEN + msg.data.len();
        if buf.len() == end || buf.len() == crate::wire::padded_len(end) {
            Ok(msg)
        } else {
            Err(ChannelDataError::TrailingBytes {
                offset: end,
                extra: buf.len() - end,
            })
        }
    }

    /// Parses the message at the start of a stream buffer (TCP/TLS), where padding to 4 bytes is
    /// mandatory (RFC 8656 §12.5); returns it and the bytes it occupies. Truncated means "read
    /// more".
    pub fn parse_prefix(buf: &'a [u8]) -> Result<(Self, usize), ChannelDataError> {
        let msg = Self::parse_unpadded(buf)?;
        let occupied = crate::wire::padded_len(Self::HEADER_LEN + msg.data.len());
        if buf.len() < occupied {
            return Err(ChannelDataError::Truncated {
                needed: occupied,
                got: buf.len(),
            });
        }
        Ok((msg, occupied))
    }

    fn parse_unpadded(buf: &'a [u8]) -> Result<Self, ChannelDataError> {
        let (Some(channel), Some(len)) = (be16(buf, 0), be16(buf, 2)) else {
            return Err(ChannelDataError::Truncated {
                needed: Self::HEADER_LEN,
                got: buf.len(),
            });
        };
        if !ChannelNumber::RANGE.contains(&channel) {
            return Err(ChannelDataError::BadChannel(channel));
        }
        let end = Self::HEADER_LEN + usize::from(len);
        let data = buf
            .get(Self::HEADER_LEN..end)
            .ok_or(ChannelDataError::Truncated {
                needed: end,
                got: buf.len(),
            })?;
        Ok(ChannelData { channel, data })
    }

    /// Bytes this message needs when written, with padding when `pad` (stream transports).
    pub fn encoded_len(&self, pad: bool) -> usize {
        let n = Self::HEADER_LEN + self.data.len();
        if pad {
            crate::wire::padded_len(n)
        } else {
            n
        }
    }

    /// Writes the message; pads with zeros to 4 bytes when `pad`. Returns the length written.
    pub fn encode(&self, out: &mut [u8], pad: bool) -> Result<usize, ChannelDataError> {
        Self::encode_header(self.channel, self.data.len(), out)?;
        let n = self.encoded_len(pad);
        let got = out.len();
        let dst = out
            .get_mut(..n)
            .ok_or(ChannelDataError::BufferTooSmall { needed: n, got })?;
        put(dst, Self::HEADER_LEN, self.data);
        if let Some(p) = dst.get_mut(Self::HEADER_LEN + self.data.len()..) {
            p.fill(0);
        }
        Ok(n)
    }

    /// Writes only the 4-byte header, for a caller that placed the data at `out[4..]` already
    /// (no copy of the payload).
    pub fn encode_header(
        channel: u16,
        data_len: usize,
        out: &mut [u8],
    ) -> Result<(), ChannelDataError> {
        if !ChannelNumber::RANGE.contains(&channel) {
            return Err(ChannelDataError::BadChannel(channel));
        }
        let len = u16::try_from(data_len).map_err(|_| ChannelDataError::TooLong(data_len))?;
        let got = out.len();
        let head = out
            .get_mut(..Self::HEADER_LEN)
            .ok_or(ChannelDataError::BufferTooSmall {
                needed: Self::HEADER_LEN + data_len,
                got,
            })?;
        put(head, 0, &channel.to_be_bytes());
        put(head, 2, &len.to_be_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_and_without_padding() {
        let cd = ChannelData {
            channel: 0x4001,
            data: b"hello",
        };
        let mut buf = [0u8; 16];
        let n = cd.encode(&mut buf, false).unwrap();
        assert_eq!(n, 9);
        assert_eq!(ChannelData::parse(&buf[..n]).unwrap(), cd);
        let n = cd.encode(&mut buf, true).unwrap();
        assert_eq!(n, 12);
        assert_eq!(ChannelData::parse(&buf[..n]).unwrap(), cd);
        assert_eq!(ChannelData::parse_prefix(&buf[..n]).unwrap(), (cd, 12));
        assert!(matches!(
            ChannelData::parse_prefix(&buf[..10]),
            Err(ChannelDataError::Truncated {
                needed: 12,
                got: 10
            })
        ));
    }

    #[test]
    fn rejects_bad_input() {
        assert!(matches!(
            ChannelData::parse(&[0x40]),
            Err(ChannelDataError::Truncated { .. })
        ));
        assert_eq!(
            ChannelData::parse(&[0x50, 0, 0, 0]),
            Err(ChannelDataError::BadChannel(0x5000))
        );
        assert!(matches!(
            ChannelData::parse(&[0x40, 0, 0, 5, 1]),
            Err(ChannelDataError::Truncated { needed: 9, got: 5 })
        ));
        assert!(matches!(
            ChannelData::parse(&[0x40, 0, 0, 1, 1, 0, 0, 0, 9]),
            Err(ChannelDataError::TrailingBytes { .. })
        ));
        let mut small = [0u8; 5];
        let cd = ChannelData {
            channel: 0x4000,
            data: b"abc",
        };
        assert!(matches!(
            cd.encode(&mut small, false),
            Err(ChannelDataError::BufferTooSmall { .. })
        ));
    }
}
