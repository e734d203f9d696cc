//! Capture files: classic pcap (microsecond or nanosecond, either byte order) and pcapng (every
//! section, interface and timestamp resolution), read with the `pcap-file` crate into [`Record`]s
//! that know their byte offset in the file.

use std::borrow::Cow;
use std::time::Duration;

use pcap_file::pcap::PcapParser;
use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionOption;
use pcap_file::pcapng::{Block, PcapNgParser};
use pcap_file::{DataLink, PcapError};

/// One captured frame.
#[derive(Debug)]
pub struct Record<'a> {
    /// Byte offset of the packet record (pcap) or block (pcapng) in the file.
    pub offset: usize,
    /// Capture time since the Unix epoch.
    pub time: Duration,
    /// Link-layer type of the frame.
    pub link: DataLink,
    /// The frame as captured, link-layer header first.
    pub data: Cow<'a, [u8]>,
    /// Its length on the wire (larger than `data` when the snap length cut it).
    pub original_len: u32,
}

/// Which format the file is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// libpcap's classic format.
    Pcap,
    /// pcapng.
    PcapNg,
}

impl Format {
    /// The name printed in the output.
    pub fn name(self) -> &'static str {
        match self {
            Format::Pcap => "pcap",
            Format::PcapNg => "pcapng",
        }
    }
}

/// Recognizes the format from the magic number.
pub fn detect(buf: &[u8]) -> Result<Format, String> {
    match buf.get(..4) {
        Some([0x0a, 0x0d, 0x0d, 0x0a]) => Ok(Format::PcapNg),
        Some(
            [0xa1, 0xb2, 0xc3, 0xd4]
            | [0xd4, 0xc3, 0xb2, 0xa1]
            | [0xa1, 0xb2, 0x3c, 0x4d]
            | [0x4d, 0x3c, 0xb2, 0xa1],
        ) => Ok(Format::Pcap),
        Some(m) => Err(format!(
            "byte 0: not a pcap or pcapng file (magic {})",
            m.iter().map(|b| format!("{b:02x}")).collect::<String>()
        )),
        None => Err(format!(
            "byte 0: not a pcap or pcapng file ({} bytes, a header needs at least 24)",
            buf.len()
        )),
    }
}

fn describe(e: &PcapError) -> String {
    match e {
        PcapError::IncompleteBuffer => "truncated".to_string(),
        other => other.to_string(),
    }
}

/// Reads every frame of `buf`, in file order, calling `each` on it. Stops at the first malformed
/// header, record or block and returns its offset and what is wrong (the frames before it were
/// handed to `each`).
pub fn read(
    buf: &[u8],
    mut each: impl FnMut(Record<'_>) -> Result<(), String>,
) -> Result<Format, String> {
    let format = detect(buf)?;
    match format {
        Format::Pcap => read_pcap(buf, &mut each)?,
        Format::PcapNg => read_pcapng(buf, &mut each)?,
    }
    Ok(format)
}

fn read_pcap(
    buf: &[u8],
    each: &mut impl FnMut(Record<'_>) -> Result<(), String>,
) -> Result<(), String> {
    let (mut rest, parser) =
        PcapParser::new(buf).map_err(|e| format!("byte 0: pcap header: {}", describe(&e)))?;
    let link = parser.header().datalink;
    while !rest.is_empty() {
        let offset = buf.len() - rest.len();
        let (next, packet) = parser
            .next_packet(rest)
            .map_err(|e| format!("byte {offset}: pcap packet record: {}", describe(&e)))?;
        each(Record {
            offset,
            time: packet.timestamp,
            link,
            original_len: packet.orig_len,
            data: packet.data,
        })?;
        rest = next;
    }
    Ok(())
}

/// Interface facts needed per packet.
#[derive(Debug, Clone, Copy)]
struct Interface {
    link: DataLink,
    /// `if_tsresol` (default 6: microseconds).
    tsresol: u8,
    /// `if_tsoffset` in seconds.
    tsoffset: u64,
}

fn read_pcapng(
    buf: &[u8],
    each: &mut impl FnMut(Record<'_>) -> Result<(), String>,
) -> Result<(), String> {
    let (mut rest, mut parser) = PcapNgParser::new(buf)
        .map_err(|e| format!("byte 0: pcapng section header: {}", describe(&e)))?;
    let mut interfaces: Vec<Interface> = Vec::new();
    while !rest.is_empty() {
        let offset = buf.len() - rest.len();
        let (next, block) = parser
            .next_block(rest)
            .map_err(|e| format!("byte {offset}: pcapng block: {}", describe(&e)))?;
        rest = next;
        let no_interface =
            |id: u32| format!("byte {offset}: pcapng packet of undeclared interface {id}");
        let (interface, raw_time, data, original_len) = match block {
            Block::SectionHeader(_) => {
                interfaces.clear();
                continue;
            }
            Block::InterfaceDescription(idb) => {
                let mut i = Interface {
                    link: idb.linktype,
                    tsresol: 6,
                    tsoffset: 0,
                };
                for o in &idb.options {
                    match o {
                        InterfaceDescriptionOption::IfTsResol(r) => i.tsresol = *r,
                        InterfaceDescriptionOption::IfTsOffset(s) => i.tsoffset = *s,
                        _ => {}
                    }
                }
                interfaces.push(i);
                continue;
            }
            Block::EnhancedPacket(epb) => {
                let i = interfaces
                    .get(usize::try_from(epb.interface_id).unwrap_or(usize::MAX))
                    .ok_or_else(|| no_interface(epb.interface_id))?;
                // pcap-file 2 stores the raw timestamp units as nanoseconds; scaled below.
                let units = u64::try_from(epb.timestamp.as_nanos()).unwrap_or(u64::MAX);
                (*i, units, epb.data, epb.original_len)
            }
            Block::Packet(pb) => {
                let i = interfaces
                    .get(usize::from(pb.interface_id))
                    .ok_or_else(|| no_interface(u32::from(pb.interface_id)))?;
                (*i, pb.timestamp, pb.data, pb.original_len)
            }
            Block::SimplePacket(spb) => {
                let i = interfaces.first().ok_or_else(|| no_interface(0))?;
                (*i, 0, spb.data, spb.original_len)
            }
            _ => continue,
        };
        each(Record {
            offset,
            time: scale(raw_time, interface.tsresol) + Duration::from_secs(interface.tsoffset),
            link: interface.link,
            data,
            original_len,
        })?;
    }
    Ok(())
}

/// A pcapng timestamp in units of `if_tsresol` (the pcapng draft, Interface Description Block
/// options: MSB clear, 10^-n seconds; MSB set, 2^-n seconds) as a duration.
fn scale(units: u64, tsresol: u8) -> Duration {
    let exp = u32::from(tsresol & 0x7f);
    let nanos: u128 = if tsresol & 0x80 == 0 {
        let per_second = 10u128.checked_pow(exp).unwrap_or(u128::MAX);
        u128::from(units) * 1_000_000_000 / per_second.max(1)
    } else {
        let shifted = (u128::from(units) * 1_000_000_000).checked_shr(exp);
        shifted.unwrap_or(0)
    };
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_resolutions() {
        assert_eq!(scale(1_500_000, 6), Duration::from_millis(1500));
        assert_eq!(scale(1_500_000_000, 9), Duration::from_millis(1500));
        assert_eq!(scale(3, 0), Duration::from_secs(3));
        assert_eq!(scale(1024 * 3, 0x80 | 10), Duration::from_secs(3));
        assert_eq!(scale(u64::MAX, 0), Duration::from_nanos(u64::MAX));
    }

    #[test]
    fn magic_numbers() {
        assert_eq!(detect(&[0xd4, 0xc3, 0xb2, 0xa1]), Ok(Format::Pcap));
        assert_eq!(detect(&[0x0a, 0x0d, 0x0d, 0x0a]), Ok(Format::PcapNg));
        assert!(detect(b"GIF8").unwrap_err().contains("byte 0"));
        assert!(detect(b"").is_err());
    }
}
