//! A TURN server model (RFC 8656) for the simulator: allocations without authentication,
//! permissions, channels, Send/Data indications and ChannelData, relaying between allocations.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use rtcweb_stun_core::channel_data::ChannelData;
use rtcweb_stun_core::wire::attributes::*;
use rtcweb_stun_core::wire::{Class, Message, MessageType, MessageWriter, Method, TransactionId};

struct Allocation {
    client: SocketAddr,
    relayed: SocketAddr,
    permissions: Vec<IpAddr>,
    channels: HashMap<u16, SocketAddr>,
}

pub struct TurnSim {
    pub addr: SocketAddr,
    allocations: Vec<Allocation>,
    next_port: u16,
    pub relayed_packets: usize,
}

type Out = Vec<(SocketAddr, SocketAddr, Vec<u8>)>;

impl TurnSim {
    pub fn new(addr: SocketAddr) -> Self {
        TurnSim {
            addr,
            allocations: Vec::new(),
            next_port: 49152,
            relayed_packets: 0,
        }
    }

    pub fn owns(&self, dst: SocketAddr) -> bool {
        dst == self.addr || self.allocations.iter().any(|a| a.relayed == dst)
    }

    pub fn handle(&mut self, src: SocketAddr, dst: SocketAddr, data: &[u8]) -> Out {
        if dst == self.addr {
            self.serve_client(src, data)
        } else {
            self.relay_from_peer(src, dst, data)
        }
    }

    fn relay_from_peer(&mut self, peer: SocketAddr, relayed: SocketAddr, data: &[u8]) -> Out {
        let server = self.addr;
        let Some(a) = self.allocations.iter().find(|a| a.relayed == relayed) else {
            return vec![];
        };
        if !a.permissions.contains(&peer.ip()) {
            return vec![];
        }
        self.relayed_packets += 1;
        if let Some((&ch, _)) = a.channels.iter().find(|(_, p)| **p == peer) {
            let mut buf = vec![0u8; data.len() + 8];
            let n = ChannelData { channel: ch, data }
                .encode(&mut buf, false)
                .unwrap();
            buf.truncate(n);
            return vec![(server, a.client, buf)];
        }
        let mut buf = vec![0u8; data.len() + 64];
        let mut w = MessageWriter::new(
            &mut buf,
            MessageType::new(Method::DATA, Class::Indication),
            TransactionId([9; 12]),
        )
        .unwrap();
        w.add(&XorPeerAddress(peer)).unwrap();
        w.add(&Data(data)).unwrap();
        let n = w.finish();
        buf.truncate(n);
        vec![(server, a.client, buf)]
    }

    fn serve_client(&mut self, client: SocketAddr, data: &[u8]) -> Out {
        let server = self.addr;
        if data.first().is_some_and(|b| (0x40..0x50).contains(b)) {
            let Ok(cd) = ChannelData::parse(data) else {
                return vec![];
            };
            let Some(a) = self.allocations.iter().find(|a| a.client == client) else {
                return vec![];
            };
            let Some(&peer) = a.channels.get(&cd.channel) else {
                return vec![];
            };
            self.relayed_packets += 1;
            return vec![(a.relayed, peer, cd.data.to_vec())];
        }
        let Ok(msg) = Message::parse(data) else {
            return vec![];
        };
        let tid = msg.transaction_id();
        let method = msg.method();
        if msg.class() == Class::Indication && method == Method::SEND {
            let (Ok(Some(XorPeerAddress(peer))), Ok(Some(Data(payload)))) =
                (msg.attribute::<XorPeerAddress>(), msg.attribute::<Data>())
            else {
                return vec![];
            };
            let Some(a) = self.allocations.iter().find(|a| a.client == client) else {
                return vec![];
            };
            if !a.permissions.contains(&peer.ip()) {
                return vec![];
            }
            self.relayed_packets += 1;
            return vec![(a.relayed, peer, payload.to_vec())];
        }
        if msg.class() != Class::Request {
            return vec![];
        }
        let mut buf = vec![0u8; 128];
        let mut w =
            MessageWriter::new(&mut buf, MessageType::new(method, Class::Success), tid).unwrap();
        if method == Method::ALLOCATE {
            let relayed = match self.allocations.iter().find(|a| a.client == client) {
                Some(a) => a.relayed,
                None => {
                    self.next_port += 1;
                    let relayed = SocketAddr::new(self.addr.ip(), self.next_port);
                    self.allocations.push(Allocation {
                        client,
                        relayed,
                        permissions: vec![],
                        channels: HashMap::new(),
                    });
                    relayed
                }
            };
            w.add(&XorRelayedAddress(relayed)).unwrap();
            w.add(&XorMappedAddress(client)).unwrap();
            w.add(&Lifetime(600)).unwrap();
        } else if method == Method::REFRESH {
            w.add(&Lifetime(600)).unwrap();
        } else if method == Method::CREATE_PERMISSION {
            let Some(a) = self.allocations.iter_mut().find(|a| a.client == client) else {
                return vec![];
            };
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
            let Some(a) = self.allocations.iter_mut().find(|a| a.client == client) else {
                return vec![];
            };
            let (Ok(Some(ChannelNumber(ch))), Ok(Some(XorPeerAddress(peer)))) = (
                msg.attribute::<ChannelNumber>(),
                msg.attribute::<XorPeerAddress>(),
            ) else {
                return vec![];
            };
            a.channels.insert(ch, peer);
            if !a.permissions.contains(&peer.ip()) {
                a.permissions.push(peer.ip());
            }
        } else {
            return vec![];
        }
        let n = w.finish();
        buf.truncate(n);
        vec![(server, client, buf)]
    }
}
