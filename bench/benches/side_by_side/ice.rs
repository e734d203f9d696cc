//! ICE-lite, the gateway case: a Binding request with MESSAGE-INTEGRITY and FINGERPRINT taken in
//! and the signed success response produced, by rtcweb-ice-core's lite `Agent` and by str0m's
//! Sans-IO ICE agent (crate `is`) in lite mode, with the same credentials and addresses.

use std::hint::black_box;
use std::net::SocketAddr;

use rtcweb_bench::{per_op, Contender, Group, Harness, Workload};
use rtcweb_ice_core::{Agent, AgentConfig, Instant, Receive};
use rtcweb_stun_core::wire::{Class, Message};

const REQUEST: &[u8] = include_bytes!("../../data/stun_binding_request.bin");
/// The short-term password the request is signed with (`stun_binding_request.key`).
const PWD: &str = "2o5pRFAwAd3Qf6VyHrXzHqcK";
/// The request's USERNAME is `Sx3q:Yp7Z`.
const LOCAL_UFRAG: &str = "Sx3q";
const REMOTE_UFRAG: &str = "Yp7Z";
/// The peer's password: not used by a lite agent's answers; both agents get it.
const REMOTE_PWD: &str = "remotepasswordremotepass";

fn local() -> SocketAddr {
    "192.0.2.1:3478".parse().unwrap()
}
fn remote() -> SocketAddr {
    "198.51.100.7:50000".parse().unwrap()
}

fn ours() -> Agent {
    let mut a = Agent::new(AgentConfig::lite(), [9; 32]);
    a.add_local_host(local()).unwrap();
    a.set_local_credentials(LOCAL_UFRAG, PWD).unwrap();
    a.set_remote_credentials(REMOTE_UFRAG, REMOTE_PWD).unwrap();
    a
}

/// Ours: the request in, the response written into the caller's buffer; its length.
fn answer_ours(agent: &mut Agent, buf: &mut [u8]) -> usize {
    let r = agent.handle_receive(Instant::ZERO, local(), remote(), black_box(REQUEST));
    debug_assert_eq!(r, Receive::Handled);
    agent
        .poll_transmit(Instant::ZERO, buf)
        .unwrap()
        .map_or(0, |t| t.len)
}

struct Peer {
    agent: is::IceAgent,
    start: std::time::Instant,
}

impl Peer {
    fn new() -> Self {
        let mut agent = is::IceAgent::new(is::IceCreds {
            ufrag: LOCAL_UFRAG.into(),
            pass: PWD.into(),
        });
        agent.set_ice_lite(true);
        // str0m answers only once it knows the peer's credentials.
        agent.set_remote_credentials(is::IceCreds {
            ufrag: REMOTE_UFRAG.into(),
            pass: REMOTE_PWD.into(),
        });
        agent.add_local_candidate(is::Candidate::host(local(), "udp").unwrap());
        let start = std::time::Instant::now();
        agent.handle_timeout(start);
        Self { agent, start }
    }

    /// The way str0m's users feed it: parse the STUN message, hand the packet in, poll the
    /// transmit (its serialized response), drain the events.
    fn answer(&mut self) -> Option<Vec<u8>> {
        let message = is::stun::StunMessage::parse(black_box(REQUEST)).unwrap();
        self.agent.handle_packet(
            self.start,
            is::stun::StunPacket {
                proto: is::Protocol::Udp,
                source: remote(),
                destination: local(),
                message,
            },
        );
        let t = self.agent.poll_transmit().map(|t| t.contents.to_vec());
        while self.agent.poll_event().is_some() {}
        t
    }
}

/// Before timing: both agents answer the request with a success response to the same
/// transaction that verifies with the password.
pub fn check() {
    let mut agent = ours();
    let mut buf = [0u8; 1500];
    let n = answer_ours(&mut agent, &mut buf);
    let key = rtcweb_stun_core::IntegrityKey::new(PWD.as_bytes());
    let request = Message::parse(REQUEST).unwrap();
    for (who, bytes) in [
        ("rtcweb", buf[..n].to_vec()),
        ("is", Peer::new().answer().expect("is answers")),
    ] {
        let m = Message::parse(&bytes).unwrap_or_else(|e| panic!("{who}: {e}"));
        assert_eq!(m.class(), Class::Success, "{who}");
        assert_eq!(m.transaction_id(), request.transaction_id(), "{who}");
        m.verify_integrity(&key)
            .unwrap_or_else(|e| panic!("{who}: {e}"));
        m.verify_fingerprint()
            .unwrap_or_else(|e| panic!("{who}: {e}"));
    }
}

pub fn group(h: &Harness) -> Group<'static> {
    let mut workloads = Vec::new();
    if h.wants("ice_lite_answer") {
        let mut agent = ours();
        let mut buf = [0u8; 1500];
        let mut peer = Peer::new();
        workloads.push(Workload {
            id: "ice_lite_answer".into(),
            title: "Binding request in, signed response out (92 B request)".into(),
            contenders: vec![
                Contender::ours(
                    "rtcweb-ice-core",
                    per_op(move || answer_ours(&mut agent, &mut buf)),
                ),
                Contender::peer("is (str0m)", per_op(move || peer.answer())),
            ],
        });
    }
    Group {
        id: "ice",
        title: "ICE-lite answers — rtcweb-ice-core vs str0m's `is` 0.12 (lite mode)",
        note:
            "Input `stun_binding_request.bin` (USERNAME, PRIORITY, ICE-CONTROLLING, USE-CANDIDATE, \
MESSAGE-INTEGRITY, FINGERPRINT) and its password; both agents are ICE-lite with the same \
credentials, one host candidate, the same source address every time (the pair exists after the \
first request). rtcweb: `handle_receive` then `poll_transmit` into a stack buffer; is: \
`StunMessage::parse`, `handle_packet`, `poll_transmit`, events drained. Checked first: both \
answer with a success response to the request's transaction that verifies with the password \
(MESSAGE-INTEGRITY and FINGERPRINT).",
        workloads,
    }
}
