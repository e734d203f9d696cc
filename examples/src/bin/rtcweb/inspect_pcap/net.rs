//! From a captured frame to a UDP datagram or TCP segment with its addresses: link layers
//! (Ethernet with VLANs, Linux cooked capture v1 and v2, BSD loopback, raw IPv4/IPv6), IP and the
//! transport header are decoded by `etherparse`, IP fragments reassembled by its defragmenter.

use std::borrow::Cow;
use std::net::{IpAddr, SocketAddr};

use etherparse::defrag::IpDefragPool;
use etherparse::err::packet::SliceError;
use etherparse::{EtherType, NetSlice, SlicedPacket, TcpSlice, TransportSlice, UdpSlice};
use pcap_file::DataLink;

/// The TCP header fields the stream reassembly needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpInfo {
    /// Sequence number of the first payload byte (of the SYN itself when `syn`).
    pub seq: u32,
    /// SYN flag.
    pub syn: bool,
    /// FIN flag.
    pub fin: bool,
    /// RST flag.
    pub rst: bool,
    /// ACK flag.
    pub ack: bool,
}

impl TcpInfo {
    /// The flags as tcpdump prints them (`S`, `.`, `P`, `F`, `R`).
    pub fn flags(&self) -> String {
        let mut f = String::new();
        for (on, c) in [(self.syn, 'S'), (self.fin, 'F'), (self.rst, 'R')] {
            if on {
                f.push(c);
            }
        }
        if self.ack {
            f.push('.');
        }
        f
    }
}

/// UDP or TCP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// A UDP datagram.
    Udp,
    /// A TCP segment.
    Tcp(TcpInfo),
}

/// A transport payload with its addresses.
#[derive(Debug)]
pub struct Segment<'a> {
    /// Source address and port.
    pub src: SocketAddr,
    /// Destination address and port.
    pub dst: SocketAddr,
    /// UDP or TCP.
    pub transport: Transport,
    /// The UDP or TCP payload.
    pub payload: Cow<'a, [u8]>,
    /// Where the payload starts in the frame; `None` when reassembled from IP fragments.
    pub payload_offset: Option<usize>,
}

/// What a frame holds.
#[derive(Debug)]
pub enum Net<'a> {
    /// A UDP datagram or TCP segment.
    Segment(Segment<'a>),
    /// An IP fragment, kept until its datagram is complete.
    Fragment,
    /// Something else (ARP, ICMP, another link type): what it is.
    Other(String),
}

/// A malformed frame: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetError {
    /// Byte offset in the frame.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// Decodes frames, keeping IP fragments across them.
#[derive(Default)]
pub struct Decoder {
    defrag: IpDefragPool,
}

/// Length of the Linux cooked capture v2 header (LINKTYPE_LINUX_SLL2), which etherparse does not
/// decode: its first two bytes are the EtherType of what follows.
const SLL2_LEN: usize = 20;
/// Length of the BSD loopback header (LINKTYPE_NULL, LINKTYPE_LOOP): the address family.
const NULL_LEN: usize = 4;

impl Decoder {
    /// Decodes one frame of link type `link`.
    pub fn decode<'a>(&mut self, link: DataLink, data: &'a [u8]) -> Result<Net<'a>, NetError> {
        let (sliced, base) = match link {
            DataLink::ETHERNET => (SlicedPacket::from_ethernet(data), 0),
            DataLink::LINUX_SLL => (SlicedPacket::from_linux_sll(data), 0),
            DataLink::LINUX_SLL2 => {
                let (Some(&[hi, lo]), Some(rest)) = (data.get(..2), data.get(SLL2_LEN..)) else {
                    return Err(truncated(data.len(), SLL2_LEN, "Linux cooked v2 header"));
                };
                let ether_type = EtherType(u16::from_be_bytes([hi, lo]));
                (SlicedPacket::from_ether_type(ether_type, rest), SLL2_LEN)
            }
            DataLink::NULL | DataLink::LOOP => {
                let rest = data
                    .get(NULL_LEN..)
                    .ok_or_else(|| truncated(data.len(), NULL_LEN, "loopback header"))?;
                (SlicedPacket::from_ip(rest), NULL_LEN)
            }
            DataLink::RAW | DataLink::IPV4 | DataLink::IPV6 => (SlicedPacket::from_ip(data), 0),
            other => return Ok(Net::Other(format!("link type {other:?} not decoded"))),
        };
        let sliced = sliced.map_err(|e| slice_error(&e, base))?;
        let (src_ip, dst_ip, fragmented) = match &sliced.net {
            Some(NetSlice::Ipv4(ip)) => (
                IpAddr::V4(ip.header().source_addr()),
                IpAddr::V4(ip.header().destination_addr()),
                ip.is_payload_fragmented(),
            ),
            Some(NetSlice::Ipv6(ip)) => (
                IpAddr::V6(ip.header().source_addr()),
                IpAddr::V6(ip.header().destination_addr()),
                ip.is_payload_fragmented(),
            ),
            Some(NetSlice::Arp(_)) => return Ok(Net::Other("ARP".into())),
            None => return Ok(Net::Other("not IP".into())),
        };
        if fragmented {
            return self.reassemble(&sliced, src_ip, dst_ip);
        }
        let offset_of =
            |payload: &[u8]| (payload.as_ptr() as usize).checked_sub(data.as_ptr() as usize);
        match &sliced.transport {
            Some(TransportSlice::Udp(udp)) => Ok(Net::Segment(Segment {
                src: SocketAddr::new(src_ip, udp.source_port()),
                dst: SocketAddr::new(dst_ip, udp.destination_port()),
                transport: Transport::Udp,
                payload: Cow::Borrowed(udp.payload()),
                payload_offset: offset_of(udp.payload()),
            })),
            Some(TransportSlice::Tcp(tcp)) => Ok(Net::Segment(Segment {
                src: SocketAddr::new(src_ip, tcp.source_port()),
                dst: SocketAddr::new(dst_ip, tcp.destination_port()),
                transport: Transport::Tcp(tcp_info(tcp)),
                payload: Cow::Borrowed(tcp.payload()),
                payload_offset: offset_of(tcp.payload()),
            })),
            Some(TransportSlice::Icmpv4(_)) => Ok(Net::Other("ICMPv4".into())),
            Some(TransportSlice::Icmpv6(_)) => Ok(Net::Other("ICMPv6".into())),
            Some(_) | None => Ok(Net::Other("IP without UDP or TCP".into())),
        }
    }

    fn reassemble<'a>(
        &mut self,
        sliced: &SlicedPacket<'_>,
        src_ip: IpAddr,
        dst_ip: IpAddr,
    ) -> Result<Net<'a>, NetError> {
        let whole = self
            .defrag
            .process_sliced_packet(sliced, (), ())
            .map_err(|e| NetError {
                offset: 0,
                message: format!("IP fragment: {e}"),
            })?;
        let Some(whole) = whole else {
            return Ok(Net::Fragment);
        };
        let bad = |e: String| NetError {
            offset: 0,
            message: format!("reassembled IP payload: {e}"),
        };
        let (src_port, dst_port, transport, payload) = match whole.ip_number {
            etherparse::IpNumber::UDP => {
                let udp = UdpSlice::from_slice(&whole.payload).map_err(|e| bad(e.to_string()))?;
                let p = udp.payload().to_vec();
                (udp.source_port(), udp.destination_port(), Transport::Udp, p)
            }
            etherparse::IpNumber::TCP => {
                let tcp = TcpSlice::from_slice(&whole.payload).map_err(|e| bad(e.to_string()))?;
                let p = tcp.payload().to_vec();
                let info = Transport::Tcp(tcp_info(&tcp));
                (tcp.source_port(), tcp.destination_port(), info, p)
            }
            other => return Ok(Net::Other(format!("reassembled IP protocol {}", other.0))),
        };
        self.defrag.return_buf(whole);
        Ok(Net::Segment(Segment {
            src: SocketAddr::new(src_ip, src_port),
            dst: SocketAddr::new(dst_ip, dst_port),
            transport,
            payload: Cow::Owned(payload),
            payload_offset: None,
        }))
    }
}

fn tcp_info(tcp: &TcpSlice<'_>) -> TcpInfo {
    TcpInfo {
        seq: tcp.sequence_number(),
        syn: tcp.syn(),
        fin: tcp.fin(),
        rst: tcp.rst(),
        ack: tcp.ack(),
    }
}

fn truncated(got: usize, needed: usize, what: &str) -> NetError {
    NetError {
        offset: got,
        message: format!("{what} truncated: {needed} bytes needed, {got} present"),
    }
}

/// etherparse's error with the offset of the layer it concerns (`base`: where the part handed to
/// etherparse starts in the frame).
fn slice_error(e: &SliceError, base: usize) -> NetError {
    let offset = match e {
        SliceError::Len(len) => base + len.layer_start_offset,
        _ => base,
    };
    NetError {
        offset,
        message: e.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;
    use etherparse::PacketBuilder;

    fn udp_v4(payload: &[u8]) -> Vec<u8> {
        let b = PacketBuilder::ethernet2([1; 6], [2; 6])
            .ipv4([10, 0, 0, 1], [10, 0, 0, 2], 64)
            .udp(5060, 5070);
        let mut out = Vec::new();
        b.write(&mut out, payload).unwrap();
        out
    }

    #[test]
    fn ethernet_ipv4_udp() {
        let frame = udp_v4(b"hello");
        let Net::Segment(s) = Decoder::default()
            .decode(DataLink::ETHERNET, &frame)
            .unwrap()
        else {
            panic!("not a segment");
        };
        assert_eq!(s.src, "10.0.0.1:5060".parse().unwrap());
        assert_eq!(s.dst, "10.0.0.2:5070".parse().unwrap());
        assert_eq!(&*s.payload, b"hello");
        assert_eq!(s.payload_offset, Some(14 + 20 + 8));
        assert_eq!(s.transport, Transport::Udp);
    }

    #[test]
    fn raw_ipv6_tcp_and_sll2() {
        let b = PacketBuilder::ipv6([1; 16], [2; 16], 64)
            .tcp(1000, 5060, 77, 1024)
            .syn();
        let mut ip = Vec::new();
        b.write(&mut ip, b"").unwrap();
        let mut d = Decoder::default();
        let Net::Segment(s) = d.decode(DataLink::RAW, &ip).unwrap() else {
            panic!();
        };
        let Transport::Tcp(t) = s.transport else {
            panic!()
        };
        assert!(t.syn && !t.ack);
        assert_eq!(t.seq, 77);
        // The same in a Linux cooked v2 frame (EtherType 0x86dd first).
        let mut sll2 = vec![0x86, 0xdd];
        sll2.resize(SLL2_LEN, 0);
        sll2.extend_from_slice(&ip);
        assert!(matches!(
            d.decode(DataLink::LINUX_SLL2, &sll2).unwrap(),
            Net::Segment(_)
        ));
        assert_eq!(
            d.decode(DataLink::LINUX_SLL2, &[0x86]).unwrap_err().offset,
            1
        );
    }

    #[test]
    fn truncated_ip_header_names_the_offset() {
        let frame = udp_v4(b"hello");
        let e = Decoder::default()
            .decode(DataLink::ETHERNET, &frame[..20])
            .unwrap_err();
        assert_eq!(e.offset, 14, "{e:?}");
    }
}
