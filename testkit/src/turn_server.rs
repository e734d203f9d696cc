//! A TURN server model (RFC 8656) without authentication: allocations (§7), refreshes (§7.3),
//! permissions (§9), channels (§12), Send and Data indications (§11) and ChannelData (§12.4),
//! relaying between its allocations and any peer. Enough for an ICE agent's relayed candidates;
//! not a conformance target.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::net::{IpAddr, SocketAddr};

use rtcweb_stun_core::channel_data::ChannelData;
use rtcweb_stun_core::wire::attributes::{
    Attribute as _, AttributeType, ChannelNumber, Data, Lifetime, XorMappedAddress, XorPeerAddress,
    XorRelayedAddress,
};
use rtcweb_stun_core::wire::{Class, Message, MessageType, MessageWriter, Method, TransactionId};

use crate::net::Datagram;

/// The lifetime every allocation is granted, in seconds.
const LIFETIME: u32 = 600;

#[derive(Debug)]
struct Allocation {
    client: SocketAddr,
    relayed: SocketAddr,
    permissions: Vec<IpAddr>,
    channels: BTreeMap<u16, SocketAddr>,
}

/// The server: listens on [`Self::addr`] and relays from ports of the same IP, 49153 up.
#[derive(Debug)]
pub struct TurnServer {
    /// Where clients reach it.
    pub addr: SocketAddr,
    /// Datagrams relayed, both ways.
    pub relayed_packets: usize,
    allocations: Vec<Allocation>,
    next_port: u16,
}

impl TurnServer {
    /// A server listening on `addr`.
    #[must_use]
    pub fn new(addr: SocketAddr) -> Self {
        Self {
            addr,
            relayed_packets: 0,
            allocations: Vec::new(),
            next_port: 49152,
        }
    }

    /// Whether a datagram to `dst` is the server's: its own address or one it relays from.
    #[must_use]
    pub fn owns(&self, dst: SocketAddr) -> bool {
        dst == self.addr || self.allocations.iter().any(|a| a.relayed == dst)
    }

    /// A datagram from `src` to `dst` (an address it [`owns`](Self::owns)); returns what it
    /// sends in answer or relays.
    pub fn handle(&mut self, src: SocketAddr, dst: SocketAddr, data: &[u8]) -> Vec<Datagram> {
        let out = if dst == self.addr {
            self.serve_client(src, data)
        } else {
            self.relay_from_peer(src, dst, data)
        };
        out.into_iter().collect()
    }

    /// Data from a peer to a relayed address, to its client: ChannelData when a channel is
    /// bound to the peer, a Data indication otherwise; dropped without a permission.
    fn relay_from_peer(
        &mut self,
        peer: SocketAddr,
        relayed: SocketAddr,
        data: &[u8],
    ) -> Option<Datagram> {
        let a = self.allocations.iter().find(|a| a.relayed == relayed)?;
        if !a.permissions.contains(&peer.ip()) {
            return None;
        }
        let (server, client) = (self.addr, a.client);
        let channel = a
            .channels
            .iter()
            .find(|(_, p)| **p == peer)
            .map(|(c, _)| *c);
        let bytes = match channel {
            Some(channel) => {
                let mut buf = alloc::vec![0u8; data.len() + 8];
                let n = ChannelData { channel, data }.encode(&mut buf, false).ok()?;
                buf.truncate(n);
                buf
            }
            None => {
                let mut buf = alloc::vec![0u8; data.len() + 64];
                let mut w = MessageWriter::new(
                    &mut buf,
                    MessageType::new(Method::DATA, Class::Indication),
                    TransactionId([9; 12]),
                )
                .ok()?;
                w.add(&XorPeerAddress(peer)).ok()?;
                w.add(&Data(data)).ok()?;
                let n = w.finish();
                buf.truncate(n);
                buf
            }
        };
        self.relayed_packets += 1;
        Some(Datagram::udp(server, client, bytes))
    }

    fn serve_client(&mut self, client: SocketAddr, data: &[u8]) -> Option<Datagram> {
        if data.first().is_some_and(|b| (0x40..0x50).contains(b)) {
            let cd = ChannelData::parse(data).ok()?;
            let a = self.allocations.iter().find(|a| a.client == client)?;
            let peer = *a.channels.get(&cd.channel)?;
            let relayed = a.relayed;
            self.relayed_packets += 1;
            return Some(Datagram::udp(relayed, peer, cd.data.to_vec()));
        }
        let msg = Message::parse(data).ok()?;
        if msg.class() == Class::Indication && msg.method() == Method::SEND {
            let peer = msg.attribute::<XorPeerAddress>().ok()??.0;
            let payload = msg.attribute::<Data>().ok()??.0;
            let a = self.allocations.iter().find(|a| a.client == client)?;
            if !a.permissions.contains(&peer.ip()) {
                return None;
            }
            let relayed = a.relayed;
            self.relayed_packets += 1;
            return Some(Datagram::udp(relayed, peer, payload.to_vec()));
        }
        if msg.class() != Class::Request {
            return None;
        }
        let response = self.answer(client, &msg)?;
        Some(Datagram::udp(self.addr, client, response))
    }

    /// The success response to a request, after acting on it.
    fn answer(&mut self, client: SocketAddr, msg: &Message<'_>) -> Option<Vec<u8>> {
        let (tid, method) = (msg.transaction_id(), msg.method());
        let mut buf = alloc::vec![0u8; 128];
        let mut w =
            MessageWriter::new(&mut buf, MessageType::new(method, Class::Success), tid).ok()?;
        if method == Method::ALLOCATE {
            let relayed = self.allocate(client)?;
            w.add(&XorRelayedAddress(relayed)).ok()?;
            w.add(&XorMappedAddress(client)).ok()?;
            w.add(&Lifetime(LIFETIME)).ok()?;
        } else if method == Method::REFRESH {
            w.add(&Lifetime(LIFETIME)).ok()?;
        } else if method == Method::CREATE_PERMISSION {
            let a = self.allocations.iter_mut().find(|a| a.client == client)?;
            for attr in msg.attributes() {
                if attr.typ == AttributeType::XOR_PEER_ADDRESS {
                    if let Ok(p) = XorPeerAddress::decode(attr.value, &tid) {
                        if !a.permissions.contains(&p.0.ip()) {
                            a.permissions.push(p.0.ip());
                        }
                    }
                }
            }
        } else if method == Method::CHANNEL_BIND {
            let a = self.allocations.iter_mut().find(|a| a.client == client)?;
            let channel = msg.attribute::<ChannelNumber>().ok()??.0;
            let peer = msg.attribute::<XorPeerAddress>().ok()??.0;
            a.channels.insert(channel, peer);
            if !a.permissions.contains(&peer.ip()) {
                a.permissions.push(peer.ip());
            }
        } else {
            return None;
        }
        let n = w.finish();
        buf.truncate(n);
        Some(buf)
    }

    /// The relayed address of `client`'s allocation, made on its first Allocate.
    fn allocate(&mut self, client: SocketAddr) -> Option<SocketAddr> {
        if let Some(a) = self.allocations.iter().find(|a| a.client == client) {
            return Some(a.relayed);
        }
        self.next_port = self.next_port.checked_add(1)?;
        let relayed = SocketAddr::new(self.addr.ip(), self.next_port);
        self.allocations.push(Allocation {
            client,
            relayed,
            permissions: Vec::new(),
            channels: BTreeMap::new(),
        });
        Some(relayed)
    }
}
