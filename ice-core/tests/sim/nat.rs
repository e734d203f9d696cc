//! NAT models after RFC 4787: endpoint-independent or address-and-port-dependent mapping, and
//! endpoint-independent, address-dependent or address-and-port-dependent filtering; and a
//! firewall that drops all UDP except to the TURN server.

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NatKind {
    /// Public address, no NAT.
    None,
    /// Endpoint-independent mapping and filtering.
    FullCone,
    /// Endpoint-independent mapping, address-dependent filtering.
    AddressRestricted,
    /// Endpoint-independent mapping, address-and-port-dependent filtering.
    PortRestricted,
    /// Address-and-port-dependent mapping and filtering.
    Symmetric,
    /// A port-restricted NAT behind a firewall that passes UDP only to and from the TURN server.
    UdpBlocked,
}

impl NatKind {
    pub const ALL: [NatKind; 6] = [
        NatKind::None,
        NatKind::FullCone,
        NatKind::AddressRestricted,
        NatKind::PortRestricted,
        NatKind::Symmetric,
        NatKind::UdpBlocked,
    ];
}

#[derive(Debug)]
struct Mapping {
    private: SocketAddr,
    /// For symmetric NATs, the destination this mapping serves.
    dest: Option<SocketAddr>,
    public_port: u16,
    sent_to: HashSet<SocketAddr>,
}

#[derive(Debug)]
pub struct Nat {
    pub kind: NatKind,
    pub public: IpAddr,
    mappings: Vec<Mapping>,
    next_port: u16,
}

impl Nat {
    pub fn new(kind: NatKind, public: IpAddr) -> Self {
        Nat {
            kind,
            public,
            mappings: Vec::new(),
            next_port: 40000,
        }
    }

    /// Translates an outbound datagram; `None` drops it.
    pub fn outbound(
        &mut self,
        private: SocketAddr,
        dst: SocketAddr,
        turn: SocketAddr,
    ) -> Option<SocketAddr> {
        if self.kind == NatKind::None {
            return Some(private);
        }
        if self.kind == NatKind::UdpBlocked && dst != turn {
            return None;
        }
        let per_dest = self.kind == NatKind::Symmetric;
        let i = match self
            .mappings
            .iter()
            .position(|m| m.private == private && (!per_dest || m.dest == Some(dst)))
        {
            Some(i) => i,
            None => {
                self.next_port += 1;
                self.mappings.push(Mapping {
                    private,
                    dest: per_dest.then_some(dst),
                    public_port: self.next_port,
                    sent_to: HashSet::new(),
                });
                self.mappings.len() - 1
            }
        };
        let m = &mut self.mappings[i];
        m.sent_to.insert(dst);
        Some(SocketAddr::new(self.public, m.public_port))
    }

    /// Translates an inbound datagram to `dst` from `src`; `None` if it is not for this NAT or
    /// its filter drops it.
    pub fn inbound(&mut self, src: SocketAddr, dst: SocketAddr) -> Option<SocketAddr> {
        if dst.ip() != self.public {
            return None;
        }
        if self.kind == NatKind::None {
            return Some(dst);
        }
        let m = self.mappings.iter().find(|m| m.public_port == dst.port())?;
        let pass = match self.kind {
            NatKind::None | NatKind::FullCone => true,
            NatKind::AddressRestricted => m.sent_to.iter().any(|a| a.ip() == src.ip()),
            NatKind::PortRestricted | NatKind::Symmetric | NatKind::UdpBlocked => {
                m.sent_to.contains(&src)
            }
        };
        pass.then_some(m.private)
    }
}
