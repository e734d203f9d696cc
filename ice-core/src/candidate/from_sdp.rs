//! sdp-core's typed `a=candidate` (borrowed from the SDP text) to ice-core's [`Candidate`]
//! without going back through text (feature `sdp`): the two crates parse RFC 8839 §5.1 once.

use core::net::{IpAddr, SocketAddr};

use rtcweb_sdp_core::attribute::{Candidate as SdpCandidate, CandidateType};

use super::{Candidate, CandidateError, CandidateKind, Foundation, Transport};

impl TryFrom<&SdpCandidate<'_>> for Candidate {
    type Error = CandidateError;

    /// The agent's candidate for sdp-core's. Offsets in errors are 0: the fields are already
    /// separated, and sdp-core reports positions in the description.
    ///
    /// # Errors
    /// [`CandidateError::Invalid`] for a transport other than UDP/TCP, an unknown type or a
    /// foundation ice-core refuses; [`CandidateError::HostName`] for an mDNS or other name (the
    /// caller resolves it).
    fn try_from(c: &SdpCandidate<'_>) -> Result<Self, Self::Error> {
        let invalid = |field| CandidateError::Invalid { field, offset: 0 };
        let foundation = Foundation::new(c.foundation).ok_or(invalid("foundation"))?;
        let transport = Transport::from_token(c.transport).ok_or(invalid("transport"))?;
        let kind = match c.typ {
            CandidateType::Host => CandidateKind::Host,
            CandidateType::ServerReflexive => CandidateKind::ServerReflexive,
            CandidateType::PeerReflexive => CandidateKind::PeerReflexive,
            CandidateType::Relayed => CandidateKind::Relayed,
            CandidateType::Other(_) => return Err(invalid("cand-type")),
        };
        let ip = c.ip.ok_or(CandidateError::HostName { offset: 0 })?;
        let related = match c.raddr {
            Some(r) => Some(SocketAddr::new(
                r.parse::<IpAddr>().map_err(|_| invalid("raddr"))?,
                c.rport.unwrap_or(0),
            )),
            None => None,
        };
        if !(1..=256).contains(&c.component) {
            return Err(invalid("component-id"));
        }
        Ok(Candidate {
            foundation,
            component: c.component,
            transport,
            priority: c.priority,
            address: SocketAddr::new(ip, c.port),
            kind,
            related,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn same_as_parsing_the_text() {
        for line in [
            "candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 10.0.0.2 rport 46154 generation 0 network-cost 999",
            "candidate:1 1 UDP 2130706431 192.0.2.1 5000 typ host",
            "candidate:3 2 tcp 1518280447 2001:db8::1 9 typ host tcptype active",
            "candidate:4 1 udp 41885439 198.51.100.9 3478 typ relay raddr 203.0.113.7 rport 50000",
        ] {
            let value = line.strip_prefix("candidate:").unwrap();
            let sdp = SdpCandidate::parse(value).unwrap();
            assert_eq!(Candidate::try_from(&sdp).unwrap(), Candidate::parse(line).unwrap(), "{line}");
        }
        let mdns = SdpCandidate::parse("1 1 udp 2130706431 x.local 5000 typ host").unwrap();
        assert!(matches!(
            Candidate::try_from(&mdns),
            Err(CandidateError::HostName { .. })
        ));
    }
}
