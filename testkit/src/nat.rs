//! NAT models after RFC 4787: endpoint-independent or address-and-port-dependent mapping
//! (§4.1), endpoint-independent, address-dependent or address-and-port-dependent filtering
//! (§5); and a firewall that passes UDP only to the destinations it allows (a TURN server).
//!
//! A [`Nat`] translates addresses only; a simulator calls [`Nat::outbound`] when a datagram
//! leaves the private side and [`Nat::inbound`] when one arrives at the public address.

use alloc::collections::BTreeSet;
use alloc::vec::Vec;
use core::net::{IpAddr, SocketAddr};

/// The behaviour of a [`Nat`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NatKind {
    /// Public address, no NAT.
    None,
    /// Endpoint-independent mapping and filtering ("full cone").
    FullCone,
    /// Endpoint-independent mapping, address-dependent filtering.
    AddressRestricted,
    /// Endpoint-independent mapping, address-and-port-dependent filtering.
    PortRestricted,
    /// Address-and-port-dependent mapping and filtering.
    Symmetric,
    /// A port-restricted NAT behind a firewall that passes UDP only to and from the
    /// destinations [`Nat::allow`] names.
    UdpBlocked,
}

impl NatKind {
    /// Every kind, for test matrices.
    pub const ALL: [Self; 6] = [
        Self::None,
        Self::FullCone,
        Self::AddressRestricted,
        Self::PortRestricted,
        Self::Symmetric,
        Self::UdpBlocked,
    ];
}

#[derive(Debug)]
struct Mapping {
    private: SocketAddr,
    /// For symmetric NATs, the destination this mapping serves.
    dest: Option<SocketAddr>,
    public_port: u16,
    sent_to: BTreeSet<SocketAddr>,
}

/// One NAT with one public IP address; mappings get ports from 40001 up.
#[derive(Debug)]
pub struct Nat {
    /// Its behaviour.
    pub kind: NatKind,
    /// Its public address.
    pub public: IpAddr,
    allowed: Vec<SocketAddr>,
    mappings: Vec<Mapping>,
    next_port: u16,
}

impl Nat {
    /// A NAT of `kind` on `public`.
    #[must_use]
    pub fn new(kind: NatKind, public: IpAddr) -> Self {
        Self {
            kind,
            public,
            allowed: Vec::new(),
            mappings: Vec::new(),
            next_port: 40000,
        }
    }

    /// Lets a [`NatKind::UdpBlocked`] firewall pass UDP to `dst` (and its answers back).
    pub fn allow(&mut self, dst: SocketAddr) {
        self.allowed.push(dst);
    }

    /// Translates a datagram from `private` to `dst`: the public source it leaves with, or
    /// `None` when the firewall drops it.
    pub fn outbound(&mut self, private: SocketAddr, dst: SocketAddr) -> Option<SocketAddr> {
        if self.kind == NatKind::None {
            return Some(private);
        }
        if self.kind == NatKind::UdpBlocked && !self.allowed.contains(&dst) {
            return None;
        }
        let per_dest = self.kind == NatKind::Symmetric;
        let found = self
            .mappings
            .iter_mut()
            .find(|m| m.private == private && (!per_dest || m.dest == Some(dst)));
        let m = match found {
            Some(m) => m,
            None => {
                self.next_port = self.next_port.checked_add(1)?;
                self.mappings.push(Mapping {
                    private,
                    dest: per_dest.then_some(dst),
                    public_port: self.next_port,
                    sent_to: BTreeSet::new(),
                });
                self.mappings.last_mut()?
            }
        };
        m.sent_to.insert(dst);
        Some(SocketAddr::new(self.public, m.public_port))
    }

    /// Translates a datagram from `src` to `dst`: the private address it goes to, or `None`
    /// when it is not for this NAT or its filter drops it.
    #[must_use]
    pub fn inbound(&self, src: SocketAddr, dst: SocketAddr) -> Option<SocketAddr> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> SocketAddr {
        s.parse()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)))
    }

    #[test]
    fn mapping_and_filtering() {
        let public: IpAddr = [203, 0, 113, 1].into();
        let (me, x, y) = (a("10.0.0.1:5000"), a("198.51.100.1:1"), a("198.51.100.1:2"));
        let mut cone = Nat::new(NatKind::PortRestricted, public);
        let m = cone.outbound(me, x);
        assert_eq!(m, cone.outbound(me, y), "endpoint-independent mapping");
        let m = m.unwrap_or(me);
        assert_eq!(cone.inbound(x, m), Some(me));
        assert_eq!(cone.inbound(a("198.51.100.1:3"), m), None, "port filtered");
        let mut sym = Nat::new(NatKind::Symmetric, public);
        assert_ne!(sym.outbound(me, x), sym.outbound(me, y));
        let mut fw = Nat::new(NatKind::UdpBlocked, public);
        fw.allow(y);
        assert_eq!(fw.outbound(me, x), None);
        assert!(fw.outbound(me, y).is_some());
    }
}
