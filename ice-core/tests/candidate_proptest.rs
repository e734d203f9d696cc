//! Property tests: every candidate survives `Display` → `parse` unchanged, and no string makes
//! the parser panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

use std::net::{IpAddr, SocketAddr};

use proptest::prelude::*;
use rtcweb_ice_core::candidate::{Candidate, CandidateKind, Foundation, Transport};

fn kind() -> impl Strategy<Value = CandidateKind> {
    prop_oneof![
        Just(CandidateKind::Host),
        Just(CandidateKind::ServerReflexive),
        Just(CandidateKind::PeerReflexive),
        Just(CandidateKind::Relayed),
    ]
}

fn ip() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(IpAddr::from),
        any::<[u8; 16]>().prop_map(IpAddr::from),
    ]
}

fn candidate() -> impl Strategy<Value = Candidate> {
    (
        "[A-Za-z0-9+/]{1,32}",
        1u16..=256,
        any::<bool>(),
        any::<u32>(),
        ip(),
        any::<u16>(),
        kind(),
        proptest::option::of((ip(), any::<u16>())),
    )
        .prop_map(
            |(f, component, tcp, priority, ip, port, kind, related)| Candidate {
                foundation: Foundation::new(&f).unwrap(),
                component,
                transport: if tcp { Transport::Tcp } else { Transport::Udp },
                priority,
                address: SocketAddr::new(ip, port),
                kind,
                related: related.map(|(ip, port)| SocketAddr::new(ip, port)),
            },
        )
}

proptest! {
    #[test]
    fn display_parse_round_trip(c in candidate()) {
        let line = c.to_string();
        prop_assert_eq!(Candidate::parse(&line).unwrap(), c);
        prop_assert_eq!(Candidate::parse(&format!("a={line}\r\n")).unwrap(), c);
    }

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,120}") {
        let _ = Candidate::parse(&s);
    }

    #[test]
    fn mutated_lines_never_panic(c in candidate(), at in 0usize..200, b in any::<u8>()) {
        let mut bytes = c.to_string().into_bytes();
        if !bytes.is_empty() {
            let i = at % bytes.len();
            bytes[i] = b;
        }
        if let Ok(s) = std::str::from_utf8(&bytes) {
            let _ = Candidate::parse(s);
        }
    }
}
