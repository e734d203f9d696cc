//! STUN codec throughput, side by side with the peers of PEERS.md in one run: `stun-rs` and
//! webrtc-rs's `stun`. Every contender does the same work and really checks: before measuring,
//! each decoder is shown to reject a message whose MESSAGE-INTEGRITY or FINGERPRINT was damaged,
//! and each encoder's output is verified by the others.
//!
//! Workloads:
//! - the ICE Binding request of `shared/bench-inputs` (USERNAME, PRIORITY, ICE-CONTROLLING,
//!   USE-CANDIDATE, MESSAGE-INTEGRITY, FINGERPRINT): decode + verify MI + FINGERPRINT + read the four
//!   ICE attributes; and encode the same message;
//! - a TURN Data indication (XOR-PEER-ADDRESS, DATA of 160 bytes, FINGERPRINT), and the same with
//!   MESSAGE-INTEGRITY: decode + verify + read both attributes; and encode.
//!
//! `cargo bench -p rtcweb-stun-core --bench stun -- --warm-up-time 1 --measurement-time 3`
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::std_instead_of_core
)]

use std::hint::black_box;
use std::net::SocketAddr;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use rtcweb_stun_core::wire::attributes::{
    Data, IceControlling, Priority, UseCandidate, Username, XorPeerAddress,
};
use rtcweb_stun_core::wire::{Class, Message, MessageType, MessageWriter, Method, TransactionId};
use rtcweb_stun_core::IntegrityKey;

const REQUEST: &[u8] = include_bytes!("../tests/data/stun_binding_request.bin");
const PASSWORD_FILE: &[u8] = include_bytes!("../tests/data/stun_binding_request.key");

fn password() -> &'static str {
    std::str::from_utf8(PASSWORD_FILE).unwrap().trim_end()
}

/// The fields of the Binding request, read once with our parser.
struct Binding {
    tid: [u8; 12],
    username: String,
    priority: u32,
    tie_breaker: u64,
}

fn binding_fields() -> Binding {
    let m = Message::parse(REQUEST).unwrap();
    Binding {
        tid: m.transaction_id().0,
        username: m.attribute::<Username>().unwrap().unwrap().0.to_owned(),
        priority: m.attribute::<Priority>().unwrap().unwrap().0,
        tie_breaker: m.attribute::<IceControlling>().unwrap().unwrap().0,
    }
}

const DATA_TID: [u8; 12] = [
    0x4c, 0x3a, 0x11, 0x90, 0x27, 0x5e, 0x0b, 0xd4, 0x71, 0x88, 0x2f, 0x06,
];

fn peer() -> SocketAddr {
    "198.51.100.23:49170".parse().unwrap()
}

/// 160 bytes: an RTP packet with a 20 ms G.711 frame, as relayed in a Data indication.
fn payload() -> Vec<u8> {
    (0..160u32).map(|i| (i * 7 + 3) as u8).collect()
}

// ---------------------------------------------------------------------------------------------
// rtcweb-stun-core
// ---------------------------------------------------------------------------------------------

mod ours {
    use super::*;

    pub fn decode_binding(bytes: &[u8], key: &IntegrityKey) -> Option<(usize, u32, u64, bool)> {
        let m = Message::parse(bytes).ok()?;
        m.verify_integrity(key).ok()?;
        m.verify_fingerprint().ok()?;
        Some((
            m.attribute::<Username>().ok()??.0.len(),
            m.attribute::<Priority>().ok()??.0,
            m.attribute::<IceControlling>().ok()??.0,
            m.attribute::<UseCandidate>().ok()?.is_some(),
        ))
    }

    pub fn encode_binding(b: &Binding, key: &IntegrityKey, buf: &mut [u8]) -> usize {
        let typ = MessageType::new(Method::BINDING, Class::Request);
        let mut w = MessageWriter::new(buf, typ, TransactionId(b.tid)).unwrap();
        w.add(&Username(&b.username)).unwrap();
        w.add(&Priority(b.priority)).unwrap();
        w.add(&IceControlling(b.tie_breaker)).unwrap();
        w.add(&UseCandidate).unwrap();
        w.add_message_integrity(key).unwrap();
        w.add_fingerprint().unwrap();
        w.finish()
    }

    pub fn decode_data(bytes: &[u8], key: Option<&IntegrityKey>) -> Option<(SocketAddr, usize)> {
        let m = Message::parse(bytes).ok()?;
        if let Some(key) = key {
            m.verify_integrity(key).ok()?;
        }
        m.verify_fingerprint().ok()?;
        Some((
            m.attribute::<XorPeerAddress>().ok()??.0,
            m.attribute::<Data>().ok()??.0.len(),
        ))
    }

    pub fn encode_data(
        peer: SocketAddr,
        data: &[u8],
        key: Option<&IntegrityKey>,
        buf: &mut [u8],
    ) -> usize {
        let typ = MessageType::new(Method::DATA, Class::Indication);
        let mut w = MessageWriter::new(buf, typ, TransactionId(DATA_TID)).unwrap();
        w.add(&XorPeerAddress(peer)).unwrap();
        w.add(&Data(data)).unwrap();
        if let Some(key) = key {
            w.add_message_integrity(key).unwrap();
        }
        w.add_fingerprint().unwrap();
        w.finish()
    }
}

// ---------------------------------------------------------------------------------------------
// stun-rs: the decoder validates MESSAGE-INTEGRITY and FINGERPRINT itself when its context holds
// a key and asks for validation.
// ---------------------------------------------------------------------------------------------

mod stun_rs_peer {
    use super::*;
    use stun_rs::attributes::ice::{
        IceControlling as RsIceControlling, Priority as RsPriority, UseCandidate as RsUseCandidate,
    };
    use stun_rs::attributes::stun::{Fingerprint, MessageIntegrity, UserName};
    use stun_rs::attributes::turn::{Data as RsData, XorPeerAddress as RsXorPeerAddress};
    use stun_rs::methods::{BINDING, DATA};
    use stun_rs::{
        DecoderContextBuilder, HMACKey, MessageClass, MessageDecoder, MessageDecoderBuilder,
        MessageEncoder, MessageEncoderBuilder, StunMessageBuilder, TransactionId as RsTid,
    };

    pub fn key() -> HMACKey {
        HMACKey::new_short_term(password()).unwrap()
    }

    pub fn decoder(key: Option<HMACKey>) -> MessageDecoder {
        let ctx = match key {
            Some(k) => DecoderContextBuilder::default().with_key(k),
            None => DecoderContextBuilder::default(),
        }
        .with_validation()
        .build();
        MessageDecoderBuilder::default().with_context(ctx).build()
    }

    pub fn encoder() -> MessageEncoder {
        MessageEncoderBuilder::default().build()
    }

    pub fn decode_binding(bytes: &[u8], d: &MessageDecoder) -> Option<(usize, u32, u64, bool)> {
        let (m, _) = d.decode(bytes).ok()?;
        let user = m.get::<UserName>()?.as_user_name().ok()?.as_str().len();
        let prio = m.get::<RsPriority>()?.as_priority().ok()?.as_u32();
        let tie = m
            .get::<RsIceControlling>()?
            .as_ice_controlling()
            .ok()?
            .as_u64();
        let nominated = m.get::<RsUseCandidate>().is_some();
        // A decoder without validation would accept anything: make sure both were present.
        m.get::<MessageIntegrity>()?;
        m.get::<Fingerprint>()?;
        Some((user, prio, tie, nominated))
    }

    pub fn encode_binding(b: &Binding, key: &HMACKey, e: &MessageEncoder, buf: &mut [u8]) -> usize {
        let msg = StunMessageBuilder::new(BINDING, MessageClass::Request)
            .with_transaction_id(RsTid::from(b.tid))
            .with_attribute(UserName::new(&b.username).unwrap())
            .with_attribute(RsPriority::from(b.priority))
            .with_attribute(RsIceControlling::from(b.tie_breaker))
            .with_attribute(RsUseCandidate::default())
            .with_attribute(MessageIntegrity::new(key.clone()))
            .with_attribute(Fingerprint::default())
            .build();
        e.encode(buf, &msg).unwrap()
    }

    pub fn decode_data(bytes: &[u8], d: &MessageDecoder, mi: bool) -> Option<(SocketAddr, usize)> {
        let (m, _) = d.decode(bytes).ok()?;
        let peer = *m
            .get::<RsXorPeerAddress>()?
            .as_xor_peer_address()
            .ok()?
            .socket_address();
        let len = m.get::<RsData>()?.as_data().ok()?.as_bytes().len();
        if mi {
            m.get::<MessageIntegrity>()?;
        }
        m.get::<Fingerprint>()?;
        Some((peer, len))
    }

    pub fn encode_data(
        peer: SocketAddr,
        data: &[u8],
        key: Option<&HMACKey>,
        e: &MessageEncoder,
        buf: &mut [u8],
    ) -> usize {
        let mut b = StunMessageBuilder::new(DATA, MessageClass::Indication)
            .with_transaction_id(RsTid::from(DATA_TID))
            .with_attribute(RsXorPeerAddress::from(peer))
            .with_attribute(RsData::new(data));
        if let Some(key) = key {
            b = b.with_attribute(MessageIntegrity::new(key.clone()));
        }
        let msg = b.with_attribute(Fingerprint::default()).build();
        e.encode(buf, &msg).unwrap()
    }
}

// ---------------------------------------------------------------------------------------------
// webrtc-rs stun: a reused `Message` (its documented fast path); checks are explicit calls.
// ---------------------------------------------------------------------------------------------

mod webrtc_peer {
    use super::*;
    use stun::agent::TransactionId as WTid;
    use stun::attributes::{
        ATTR_DATA, ATTR_ICE_CONTROLLING, ATTR_PRIORITY, ATTR_USERNAME, ATTR_USE_CANDIDATE,
        ATTR_XOR_PEER_ADDRESS,
    };
    use stun::fingerprint::FINGERPRINT;
    use stun::integrity::MessageIntegrity;
    use stun::message::{
        Message as WMessage, MessageType as WType, Setter, BINDING_REQUEST, CLASS_INDICATION,
        METHOD_DATA,
    };
    use stun::xoraddr::XorMappedAddress as WXor;

    pub fn key() -> MessageIntegrity {
        MessageIntegrity::new_short_term_integrity(password().to_owned())
    }

    pub fn decode_binding(
        bytes: &[u8],
        m: &mut WMessage,
        key: &MessageIntegrity,
    ) -> Option<(usize, u32, u64, bool)> {
        m.raw.clear();
        m.raw.extend_from_slice(bytes);
        m.decode().ok()?;
        key.check(m).ok()?;
        FINGERPRINT.check(m).ok()?;
        let user = m.get(ATTR_USERNAME).ok()?.len();
        let prio = u32::from_be_bytes(m.get(ATTR_PRIORITY).ok()?.try_into().ok()?);
        let tie = u64::from_be_bytes(m.get(ATTR_ICE_CONTROLLING).ok()?.try_into().ok()?);
        let nominated = m.contains(ATTR_USE_CANDIDATE);
        Some((user, prio, tie, nominated))
    }

    pub fn encode_binding(b: &Binding, key: &MessageIntegrity, m: &mut WMessage) -> usize {
        m.reset();
        m.transaction_id = WTid(b.tid);
        m.set_type(BINDING_REQUEST);
        m.write_header();
        m.add(ATTR_USERNAME, b.username.as_bytes());
        m.add(ATTR_PRIORITY, &b.priority.to_be_bytes());
        m.add(ATTR_ICE_CONTROLLING, &b.tie_breaker.to_be_bytes());
        m.add(ATTR_USE_CANDIDATE, &[]);
        key.add_to(m).unwrap();
        FINGERPRINT.add_to(m).unwrap();
        m.raw.len()
    }

    pub fn decode_data(
        bytes: &[u8],
        m: &mut WMessage,
        key: Option<&MessageIntegrity>,
    ) -> Option<(SocketAddr, usize)> {
        m.raw.clear();
        m.raw.extend_from_slice(bytes);
        m.decode().ok()?;
        if let Some(key) = key {
            key.check(m).ok()?;
        }
        FINGERPRINT.check(m).ok()?;
        let mut addr = WXor::default();
        addr.get_from_as(m, ATTR_XOR_PEER_ADDRESS).ok()?;
        let len = m.get(ATTR_DATA).ok()?.len();
        Some((SocketAddr::new(addr.ip, addr.port), len))
    }

    pub fn encode_data(
        peer: SocketAddr,
        data: &[u8],
        key: Option<&MessageIntegrity>,
        m: &mut WMessage,
    ) -> usize {
        m.reset();
        m.transaction_id = WTid(DATA_TID);
        m.set_type(WType::new(METHOD_DATA, CLASS_INDICATION));
        m.write_header();
        WXor {
            ip: peer.ip(),
            port: peer.port(),
        }
        .add_to_as(m, ATTR_XOR_PEER_ADDRESS)
        .unwrap();
        m.add(ATTR_DATA, data);
        if let Some(key) = key {
            key.add_to(m).unwrap();
        }
        FINGERPRINT.add_to(m).unwrap();
        m.raw.len()
    }

    pub fn message() -> WMessage {
        WMessage::new()
    }
}

// ---------------------------------------------------------------------------------------------
// Proof that everyone does the work
// ---------------------------------------------------------------------------------------------

/// Copies of `msg` with one byte of MESSAGE-INTEGRITY (if any) and of FINGERPRINT damaged.
fn damaged(msg: &[u8]) -> Vec<Vec<u8>> {
    let m = Message::parse(msg).unwrap();
    let mut out = Vec::new();
    for typ in [
        rtcweb_stun_core::wire::AttributeType::MESSAGE_INTEGRITY,
        rtcweb_stun_core::wire::AttributeType::FINGERPRINT,
    ] {
        if let Some(a) = m.raw_attribute(typ) {
            let mut d = msg.to_vec();
            d[a.offset + 4] ^= 0x40;
            out.push(d);
        }
    }
    out
}

fn data_indication(mi: bool) -> Vec<u8> {
    let key = IntegrityKey::new(password().as_bytes());
    let mut buf = [0u8; 512];
    let len = ours::encode_data(peer(), &payload(), mi.then_some(&key), &mut buf);
    buf[..len].to_vec()
}

fn sanity_checks() {
    let b = binding_fields();
    let key = IntegrityKey::new(password().as_bytes());
    let rs_key = stun_rs_peer::key();
    let rs_dec = stun_rs_peer::decoder(Some(rs_key.clone()));
    let rs_dec_nokey = stun_rs_peer::decoder(None);
    let rs_enc = stun_rs_peer::encoder();
    let w_key = webrtc_peer::key();
    let mut wm = webrtc_peer::message();

    // Decoders agree on the input and reject damage.
    let want = ours::decode_binding(REQUEST, &key).unwrap();
    assert_eq!(stun_rs_peer::decode_binding(REQUEST, &rs_dec), Some(want));
    assert_eq!(
        webrtc_peer::decode_binding(REQUEST, &mut wm, &w_key),
        Some(want)
    );
    for bad in damaged(REQUEST) {
        assert!(ours::decode_binding(&bad, &key).is_none());
        assert!(stun_rs_peer::decode_binding(&bad, &rs_dec).is_none());
        assert!(webrtc_peer::decode_binding(&bad, &mut wm, &w_key).is_none());
    }

    // Encoders reproduce the shared input byte for byte.
    let mut buf = [0u8; 256];
    let n = ours::encode_binding(&b, &key, &mut buf);
    assert_eq!(&buf[..n], REQUEST, "rtcweb encoding differs");
    let n = stun_rs_peer::encode_binding(&b, &rs_key, &rs_enc, &mut buf);
    assert_eq!(&buf[..n], REQUEST, "stun-rs encoding differs");
    let n = webrtc_peer::encode_binding(&b, &w_key, &mut wm);
    assert_eq!(&wm.raw[..n], REQUEST, "webrtc stun encoding differs");

    for mi in [false, true] {
        let msg = data_indication(mi);
        let k = mi.then_some(&key);
        let want = ours::decode_data(&msg, k).unwrap();
        assert_eq!(want, (peer(), 160));
        let d = if mi { &rs_dec } else { &rs_dec_nokey };
        assert_eq!(stun_rs_peer::decode_data(&msg, d, mi), Some(want));
        assert_eq!(
            webrtc_peer::decode_data(&msg, &mut wm, mi.then_some(&w_key)),
            Some(want)
        );
        for bad in damaged(&msg) {
            assert!(ours::decode_data(&bad, k).is_none());
            assert!(stun_rs_peer::decode_data(&bad, d, mi).is_none());
            assert!(webrtc_peer::decode_data(&bad, &mut wm, mi.then_some(&w_key)).is_none());
        }
        let n =
            stun_rs_peer::encode_data(peer(), &payload(), mi.then_some(&rs_key), &rs_enc, &mut buf);
        assert_eq!(&buf[..n], &msg[..], "stun-rs Data indication differs");
        let n = webrtc_peer::encode_data(peer(), &payload(), mi.then_some(&w_key), &mut wm);
        assert_eq!(&wm.raw[..n], &msg[..], "webrtc Data indication differs");
    }
}

// ---------------------------------------------------------------------------------------------
// Benchmarks
// ---------------------------------------------------------------------------------------------

fn binding(c: &mut Criterion) {
    sanity_checks();
    let b = binding_fields();
    let key = IntegrityKey::new(password().as_bytes());
    let rs_key = stun_rs_peer::key();
    let rs_dec = stun_rs_peer::decoder(Some(rs_key.clone()));
    let rs_enc = stun_rs_peer::encoder();
    let w_key = webrtc_peer::key();
    let mut wm = webrtc_peer::message();

    let mut g = c.benchmark_group("binding_request/decode_verify");
    g.throughput(Throughput::Elements(1));
    g.bench_function("rtcweb", |x| {
        x.iter(|| ours::decode_binding(black_box(REQUEST), &key))
    });
    g.bench_function("stun-rs", |x| {
        x.iter(|| stun_rs_peer::decode_binding(black_box(REQUEST), &rs_dec))
    });
    g.bench_function("webrtc-stun", |x| {
        x.iter(|| webrtc_peer::decode_binding(black_box(REQUEST), &mut wm, &w_key))
    });
    g.finish();

    let mut g = c.benchmark_group("binding_request/encode");
    g.throughput(Throughput::Elements(1));
    let mut buf = [0u8; 256];
    g.bench_function("rtcweb", |x| {
        x.iter(|| ours::encode_binding(black_box(&b), &key, &mut buf))
    });
    g.bench_function("stun-rs", |x| {
        x.iter(|| stun_rs_peer::encode_binding(black_box(&b), &rs_key, &rs_enc, &mut buf))
    });
    g.bench_function("webrtc-stun", |x| {
        x.iter(|| webrtc_peer::encode_binding(black_box(&b), &w_key, &mut wm))
    });
    g.finish();
}

fn data_indication_benches(c: &mut Criterion) {
    let key = IntegrityKey::new(password().as_bytes());
    let rs_key = stun_rs_peer::key();
    let rs_enc = stun_rs_peer::encoder();
    let w_key = webrtc_peer::key();
    let mut wm = webrtc_peer::message();
    let data = payload();
    let mut buf = [0u8; 512];

    for mi in [false, true] {
        let name = if mi {
            "data_indication_mi"
        } else {
            "data_indication"
        };
        let msg = data_indication(mi);
        let k = mi.then_some(&key);
        let rk = mi.then_some(&rs_key);
        let wk = mi.then_some(&w_key);
        let rs_dec = stun_rs_peer::decoder(rk.cloned());

        let mut g = c.benchmark_group(format!("{name}/decode_verify"));
        g.throughput(Throughput::Elements(1));
        g.bench_function("rtcweb", |x| {
            x.iter(|| ours::decode_data(black_box(&msg), k))
        });
        g.bench_function("stun-rs", |x| {
            x.iter(|| stun_rs_peer::decode_data(black_box(&msg), &rs_dec, mi))
        });
        g.bench_function("webrtc-stun", |x| {
            x.iter(|| webrtc_peer::decode_data(black_box(&msg), &mut wm, wk))
        });
        g.finish();

        let mut g = c.benchmark_group(format!("{name}/encode"));
        g.throughput(Throughput::Elements(1));
        g.bench_function("rtcweb", |x| {
            x.iter(|| ours::encode_data(peer(), black_box(&data), k, &mut buf))
        });
        g.bench_function("stun-rs", |x| {
            x.iter(|| stun_rs_peer::encode_data(peer(), black_box(&data), rk, &rs_enc, &mut buf))
        });
        g.bench_function("webrtc-stun", |x| {
            x.iter(|| webrtc_peer::encode_data(peer(), black_box(&data), wk, &mut wm))
        });
        g.finish();
    }
}

criterion_group!(benches, binding, data_indication_benches);
criterion_main!(benches);
