//! ICE agent fuzz target: a running agent (full or lite, either role, one TURN server) fed
//! arbitrary datagrams, well-formed checks and responses signed with the right keys (so the
//! fuzzer reaches pair states, nomination, consent and role conflicts), candidates, restarts and
//! time steps. Asserts: no panic, deadlines never lie in the past after `handle_timeout`, and the
//! bounds on remote candidates and pairs hold.
#![no_main]

mod input;

use libfuzzer_sys::fuzz_target;

use input::{byte, take};
use rtcweb_ice_core::candidate::Candidate;
use rtcweb_ice_core::{Agent, AgentConfig, Instant};
use rtcweb_stun_core::wire::attributes::{
    ErrorCode, IceControlled, IceControlling, Priority, UseCandidate, Username, XorMappedAddress,
};
use rtcweb_stun_core::wire::{Class, Message, MessageType, MessageWriter, Method, TransactionId};
use rtcweb_stun_core::IntegrityKey;
use std::net::SocketAddr;
use std::time::Duration;

const R_UFRAG: &str = "rfrg";
const R_PWD: &str = "remotepasswordremotepass";

fn addr(b: u8) -> SocketAddr {
    SocketAddr::from(([198, 51, 100, b % 4], 7000 + u16::from(b % 3)))
}

fn signed(
    typ: MessageType,
    tid: TransactionId,
    flags: u8,
    username: Option<&str>,
    key: &IntegrityKey,
    mapped: SocketAddr,
) -> Vec<u8> {
    let mut buf = vec![0u8; 700];
    let mut w = MessageWriter::new(&mut buf, typ, tid).unwrap();
    if let Some(u) = username {
        w.add(&Username(u)).unwrap();
        w.add(&Priority(u32::from(flags) << 20)).unwrap();
    }
    if typ.class == Class::Success {
        w.add(&XorMappedAddress(mapped)).unwrap();
    }
    if typ.class == Class::Error {
        w.add(&ErrorCode {
            code: if flags & 1 == 0 { 487 } else { 400 },
            reason: "x",
        })
        .unwrap();
    }
    if flags & 2 != 0 {
        w.add(&IceControlling(u64::from(flags))).unwrap();
    }
    if flags & 4 != 0 {
        w.add(&IceControlled(u64::from(flags))).unwrap();
    }
    if flags & 8 != 0 {
        w.add(&UseCandidate).unwrap();
    }
    if flags & 16 == 0 {
        w.add_message_integrity(key).unwrap();
    }
    w.add_fingerprint().unwrap();
    let n = w.finish();
    buf.truncate(n);
    buf
}

fuzz_target!(|input: &[u8]| {
    let mut data = input;
    let mode = byte(&mut data);
    let config = AgentConfig {
        lite: mode & 1 != 0,
        controlling: mode & 2 != 0,
        components: 1 + u16::from(mode >> 7),
        max_pairs: 12,
        max_remote_candidates: 8,
        max_peer_reflexive: 3,
        max_queued_responses: 4,
        ..AgentConfig::default()
    };
    let mut agent = Agent::new(config, [mode; 32]);
    let local: SocketAddr = "192.0.2.1:5000".parse().unwrap();
    let turn: SocketAddr = "203.0.113.9:3478".parse().unwrap();
    let _ = agent.add_local_host(local);
    if mode & 4 != 0 {
        let _ = agent.add_turn_server(turn, "u", "p");
        let _ = agent.add_stun_server(turn);
    }
    let _ = agent.set_remote_credentials(R_UFRAG, R_PWD);
    let remote_key = IntegrityKey::new(R_PWD.as_bytes());
    let mut now = Instant::ZERO;
    let mut buf = vec![0u8; 1500];
    let mut last_requests: Vec<(SocketAddr, TransactionId)> = Vec::new();
    while !data.is_empty() {
        match byte(&mut data) % 9 {
            0 => {
                let from = byte(&mut data);
                let n = usize::from(byte(&mut data));
                let d = take(&mut data, n);
                let src = if from & 0x80 != 0 { turn } else { addr(from) };
                let _ = agent.handle_receive(now, local, src, d);
            }
            1 => {
                let ms = u64::from(byte(&mut data)) * u64::from(byte(&mut data)) * 4;
                now = now + Duration::from_millis(ms);
                agent.handle_timeout(now);
                if let Some(t) = agent.poll_timeout() {
                    assert!(t >= now, "deadline {t:?} before {now:?}");
                }
            }
            2 => {
                last_requests.clear();
                while let Ok(Some(t)) = agent.poll_transmit(now, &mut buf) {
                    assert!(t.len <= buf.len());
                    if let Ok(m) = Message::parse(&buf[..t.len]) {
                        if m.class() == Class::Request && last_requests.len() < 16 {
                            last_requests.push((t.destination, m.transaction_id()));
                        }
                    }
                }
                while agent.poll_event().is_some() {}
            }
            3 => {
                // Answer one of our checks as the peer would (or with an error / without MI).
                let i = usize::from(byte(&mut data));
                let flags = byte(&mut data);
                if let Some(&(to, tid)) = last_requests.get(i % last_requests.len().max(1)) {
                    let class = if flags & 32 != 0 {
                        Class::Error
                    } else {
                        Class::Success
                    };
                    let msg = signed(
                        MessageType::new(Method::BINDING, class),
                        tid,
                        flags,
                        None,
                        &remote_key,
                        local,
                    );
                    let from = if flags & 64 != 0 { addr(flags) } else { to };
                    let _ = agent.handle_receive(now, local, from, &msg);
                }
            }
            4 => {
                // A check signed with our password from a fuzz-chosen address.
                let flags = byte(&mut data);
                let from = addr(byte(&mut data));
                let (ufrag, pwd) = agent.local_credentials();
                let user = format!("{ufrag}:{R_UFRAG}");
                let key = IntegrityKey::new(pwd.as_bytes());
                let mut tid = TransactionId::default();
                tid.0[0] = flags;
                tid.0[1] = byte(&mut data);
                let msg = signed(
                    MessageType::new(Method::BINDING, Class::Request),
                    tid,
                    flags,
                    Some(&user),
                    &key,
                    from,
                );
                let _ = agent.handle_receive(now, local, from, &msg);
            }
            5 => {
                let n = usize::from(byte(&mut data));
                if let Ok(s) = std::str::from_utf8(take(&mut data, n)) {
                    if let Ok(c) = Candidate::parse(s) {
                        let _ = agent.add_remote_candidate(c);
                    }
                }
            }
            6 => {
                let n = usize::from(byte(&mut data));
                let d = take(&mut data, n);
                let _ = agent.send(now, d, &mut buf);
            }
            7 => match byte(&mut data) % 4 {
                0 => agent.end_of_remote_candidates(),
                1 => {
                    agent.restart();
                    let _ = agent.set_remote_credentials(R_UFRAG, R_PWD);
                }
                2 => {
                    let _ = agent.add_local_host(addr(byte(&mut data)));
                }
                _ => {
                    let _ = agent.set_remote_credentials("newu", "anotherpasswordanotherp");
                }
            },
            _ => {
                // Jump to the next deadline.
                if let Some(t) = agent.poll_timeout() {
                    now = now.max(t);
                    agent.handle_timeout(now);
                }
            }
        }
        assert!(agent.remote_candidates().count() <= 8);
        assert!(agent.pairs().count() <= 12);
    }
});
