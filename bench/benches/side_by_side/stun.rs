//! STUN: the shared ICE Binding request (USERNAME, PRIORITY, ICE-CONTROLLING, USE-CANDIDATE,
//! MESSAGE-INTEGRITY, FINGERPRINT) decoded and verified, and encoded: rtcweb-stun-core vs stun-rs
//! and webrtc-rs `stun`, each called the way its users call it (this replaced stun-core's own criterion bench).

use std::hint::black_box;

use rtcweb_bench::{per_op, Contender, Group, Harness, Workload};
use std::net::SocketAddr;

use rtcweb_stun_core::wire::attributes::{
    Data, IceControlling, Priority, UseCandidate, Username, XorPeerAddress,
};
use rtcweb_stun_core::wire::{
    AttributeType, Class, Message, MessageType, MessageWriter, Method, SharedMessage, TransactionId,
};
use rtcweb_stun_core::IntegrityKey;

const REQUEST: &[u8] = include_bytes!("../../data/stun_binding_request.bin");
const PASSWORD_FILE: &[u8] = include_bytes!("../../data/stun_binding_request.key");

fn password() -> &'static str {
    std::str::from_utf8(PASSWORD_FILE).unwrap().trim_end()
}

/// The fields of the Binding request, read once with our parser: what every encoder writes.
pub struct Binding {
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

/// What a decoder returns: USERNAME length, PRIORITY, ICE-CONTROLLING, USE-CANDIDATE present.
type Decoded = Option<(usize, u32, u64, bool)>;

/// Transaction ID of the TURN Data indications.
const DATA_TID: [u8; 12] = [
    0x4c, 0x3a, 0x11, 0x90, 0x27, 0x5e, 0x0b, 0xd4, 0x71, 0x88, 0x2f, 0x06,
];

fn peer_addr() -> SocketAddr {
    "198.51.100.23:49170".parse().unwrap()
}

/// 160 bytes: an RTP packet with a 20 ms G.711 frame, as relayed in a Data indication.
fn payload() -> Vec<u8> {
    (0..160u32).map(|i| (i * 7 + 3) as u8).collect()
}

/// A TURN Data indication (XOR-PEER-ADDRESS, DATA, [MESSAGE-INTEGRITY,] FINGERPRINT), encoded by us
/// and checked against both peers' encoders.
fn data_indication(mi: bool) -> Vec<u8> {
    let key = IntegrityKey::new(password().as_bytes());
    let mut buf = [0u8; 512];
    let len = ours::encode_data(peer_addr(), &payload(), mi.then_some(&key), &mut buf);
    buf[..len].to_vec()
}

mod ours {
    use super::*;

    pub fn decode(bytes: &[u8], key: &IntegrityKey) -> Decoded {
        decode_message(Message::parse(bytes).ok()?, key)
    }

    /// The checks and reads of [`decode`] on a parsed message.
    pub fn decode_message(m: Message<'_>, key: &IntegrityKey) -> Decoded {
        m.verify_integrity(key).ok()?;
        m.verify_fingerprint().ok()?;
        Some((
            m.attribute::<Username>().ok()??.0.len(),
            m.attribute::<Priority>().ok()??.0,
            m.attribute::<IceControlling>().ok()??.0,
            m.attribute::<UseCandidate>().ok()?.is_some(),
        ))
    }

    pub fn encode(b: &Binding, key: &IntegrityKey, buf: &mut [u8]) -> usize {
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

/// stun-rs: the decoder validates MESSAGE-INTEGRITY and FINGERPRINT itself when its context holds
/// the key and asks for validation.
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

    pub fn decode(bytes: &[u8], d: &MessageDecoder) -> Decoded {
        let (m, _) = d.decode(bytes).ok()?;
        let user = m.get::<UserName>()?.as_user_name().ok()?.as_str().len();
        let prio = m.get::<RsPriority>()?.as_priority().ok()?.as_u32();
        let tie = m
            .get::<RsIceControlling>()?
            .as_ice_controlling()
            .ok()?
            .as_u64();
        let nominated = m.get::<RsUseCandidate>().is_some();
        // Without validation the decoder would accept anything: both must have been present.
        m.get::<MessageIntegrity>()?;
        m.get::<Fingerprint>()?;
        Some((user, prio, tie, nominated))
    }

    pub fn encode(b: &Binding, key: &HMACKey, e: &MessageEncoder, buf: &mut [u8]) -> usize {
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

/// webrtc-rs stun: a reused `Message` (its documented fast path); checks are explicit calls.
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

    pub fn message() -> WMessage {
        WMessage::new()
    }

    pub fn decode(bytes: &[u8], m: &mut WMessage, key: &MessageIntegrity) -> Decoded {
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

    pub fn encode(b: &Binding, key: &MessageIntegrity, m: &mut WMessage) -> usize {
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
}

/// Copies of `msg` with one byte of MESSAGE-INTEGRITY (when present) and of FINGERPRINT damaged.
fn damaged(msg: &[u8]) -> Vec<Vec<u8>> {
    let m = Message::parse(msg).unwrap();
    [AttributeType::MESSAGE_INTEGRITY, AttributeType::FINGERPRINT]
        .into_iter()
        .filter_map(|typ| {
            let a = m.raw_attribute(typ)?;
            let mut d = msg.to_vec();
            d[a.offset + 4] ^= 0x40;
            Some(d)
        })
        .collect()
}

/// Before timing: the decoders read the same values and reject a damaged MESSAGE-INTEGRITY or
/// FINGERPRINT; the encoders reproduce the shared request byte for byte.
pub fn check() {
    let b = binding_fields();
    let key = IntegrityKey::new(password().as_bytes());
    let rs_key = stun_rs_peer::key();
    let rs_dec = stun_rs_peer::decoder(Some(rs_key.clone()));
    let rs_enc = stun_rs_peer::encoder();
    let w_key = webrtc_peer::key();
    let mut wm = webrtc_peer::message();

    let want = ours::decode(REQUEST, &key);
    assert!(want.is_some(), "rtcweb rejects the shared request");
    assert_eq!(stun_rs_peer::decode(REQUEST, &rs_dec), want, "stun-rs");
    assert_eq!(
        webrtc_peer::decode(REQUEST, &mut wm, &w_key),
        want,
        "webrtc stun"
    );
    for bad in damaged(REQUEST) {
        assert!(ours::decode(&bad, &key).is_none());
        assert!(stun_rs_peer::decode(&bad, &rs_dec).is_none());
        assert!(webrtc_peer::decode(&bad, &mut wm, &w_key).is_none());
    }

    let mut buf = [0u8; 256];
    let n = ours::encode(&b, &key, &mut buf);
    assert_eq!(&buf[..n], REQUEST, "rtcweb encoding differs");
    let mut buf = [0u8; 256];
    let n = stun_rs_peer::encode(&b, &rs_key, &rs_enc, &mut buf);
    assert_eq!(&buf[..n], REQUEST, "stun-rs encoding differs");
    let n = webrtc_peer::encode(&b, &w_key, &mut wm);
    assert_eq!(&wm.raw[..n], REQUEST, "webrtc stun encoding differs");

    // TURN Data indications, without and with MESSAGE-INTEGRITY.
    for mi in [false, true] {
        let msg = data_indication(mi);
        let k = mi.then_some(&key);
        let want = ours::decode_data(&msg, k);
        assert_eq!(want, Some((peer_addr(), 160)));
        let d = stun_rs_peer::decoder(mi.then(|| rs_key.clone()));
        assert_eq!(stun_rs_peer::decode_data(&msg, &d, mi), want, "stun-rs");
        let wk = mi.then_some(&w_key);
        assert_eq!(
            webrtc_peer::decode_data(&msg, &mut wm, wk),
            want,
            "webrtc stun"
        );
        let bad = damaged(&msg);
        assert_eq!(bad.len(), 1 + usize::from(mi));
        for bad in bad {
            assert!(ours::decode_data(&bad, k).is_none());
            assert!(stun_rs_peer::decode_data(&bad, &d, mi).is_none());
            assert!(webrtc_peer::decode_data(&bad, &mut wm, wk).is_none());
        }
        let mut buf = [0u8; 512];
        let n = stun_rs_peer::encode_data(
            peer_addr(),
            &payload(),
            mi.then_some(&rs_key),
            &rs_enc,
            &mut buf,
        );
        assert_eq!(&buf[..n], &msg[..], "stun-rs Data indication differs");
        let n = webrtc_peer::encode_data(peer_addr(), &payload(), wk, &mut wm);
        assert_eq!(
            &wm.raw[..n],
            &msg[..],
            "webrtc stun Data indication differs"
        );
    }
}

pub fn group(h: &Harness) -> Group<'static> {
    let mut workloads = Vec::new();
    if h.wants("stun_decode_verify") {
        let key = IntegrityKey::new(password().as_bytes());
        let key2 = IntegrityKey::new(password().as_bytes());
        let owned = bytes::Bytes::from_static(REQUEST);
        let rs_dec = stun_rs_peer::decoder(Some(stun_rs_peer::key()));
        let w_key = webrtc_peer::key();
        let mut wm = webrtc_peer::message();
        workloads.push(Workload {
            id: "stun_decode_verify".into(),
            title: "Binding request: decode + verify MI + FINGERPRINT".into(),
            contenders: vec![
                Contender::ours(
                    "rtcweb-stun-core",
                    per_op(move || ours::decode(black_box(REQUEST), &key)),
                ),
                // The `bytes` feature: the datagram owned as `bytes::Bytes` (a clone is one
                // reference count), parsed once into a SharedMessage, then the same checks.
                Contender::ours(
                    "rtcweb-stun-core, SharedMessage (bytes)",
                    per_op(move || {
                        let shared = SharedMessage::parse(black_box(&owned).clone()).ok()?;
                        ours::decode_message(shared.message(), &key2)
                    }),
                ),
                Contender::peer(
                    "stun-rs",
                    per_op(move || stun_rs_peer::decode(black_box(REQUEST), &rs_dec)),
                ),
                Contender::peer(
                    "stun (webrtc-rs)",
                    per_op(move || webrtc_peer::decode(black_box(REQUEST), &mut wm, &w_key)),
                ),
            ],
        });
    }
    if h.wants("stun_encode") {
        let fields = || black_box(binding_fields());
        let (b1, b2, b3) = (fields(), fields(), fields());
        let key = IntegrityKey::new(password().as_bytes());
        let rs_key = stun_rs_peer::key();
        let rs_enc = stun_rs_peer::encoder();
        let w_key = webrtc_peer::key();
        let mut wm = webrtc_peer::message();
        let (mut buf1, mut buf2) = ([0u8; 256], [0u8; 256]);
        workloads.push(Workload {
            id: "stun_encode".into(),
            title: "Binding request: encode with MI + FINGERPRINT".into(),
            contenders: vec![
                Contender::ours(
                    "rtcweb-stun-core",
                    per_op(move || ours::encode(black_box(&b1), &key, &mut buf1)),
                ),
                Contender::peer(
                    "stun-rs",
                    per_op(move || {
                        stun_rs_peer::encode(black_box(&b2), &rs_key, &rs_enc, &mut buf2)
                    }),
                ),
                Contender::peer(
                    "stun (webrtc-rs)",
                    per_op(move || webrtc_peer::encode(black_box(&b3), &w_key, &mut wm)),
                ),
            ],
        });
    }
    for mi in [false, true] {
        let (suffix, what) = if mi {
            ("_mi", "TURN Data indication (160 B) + MI")
        } else {
            ("", "TURN Data indication (160 B)")
        };
        let checks = if mi {
            "MI + FINGERPRINT"
        } else {
            "FINGERPRINT"
        };
        let id = format!("stun_data{suffix}_decode_verify");
        if h.wants(&id) {
            let msg = data_indication(mi);
            let (msg1, msg2, msg3) = (msg.clone(), msg.clone(), msg);
            let key = mi.then(|| IntegrityKey::new(password().as_bytes()));
            let rs_dec = stun_rs_peer::decoder(mi.then(stun_rs_peer::key));
            let w_key = mi.then(webrtc_peer::key);
            let mut wm = webrtc_peer::message();
            workloads.push(Workload {
                id,
                title: format!("{what}: decode + verify {checks}"),
                contenders: vec![
                    Contender::ours(
                        "rtcweb-stun-core",
                        per_op(move || ours::decode_data(black_box(&msg1), key.as_ref())),
                    ),
                    Contender::peer(
                        "stun-rs",
                        per_op(move || stun_rs_peer::decode_data(black_box(&msg2), &rs_dec, mi)),
                    ),
                    Contender::peer(
                        "stun (webrtc-rs)",
                        per_op(move || {
                            webrtc_peer::decode_data(black_box(&msg3), &mut wm, w_key.as_ref())
                        }),
                    ),
                ],
            });
        }
        let id = format!("stun_data{suffix}_encode");
        if h.wants(&id) {
            let (data1, data2, data3) = (payload(), payload(), payload());
            let peer = peer_addr();
            let key = mi.then(|| IntegrityKey::new(password().as_bytes()));
            let rs_key = mi.then(stun_rs_peer::key);
            let rs_enc = stun_rs_peer::encoder();
            let w_key = mi.then(webrtc_peer::key);
            let mut wm = webrtc_peer::message();
            let (mut buf1, mut buf2) = ([0u8; 512], [0u8; 512]);
            workloads.push(Workload {
                id,
                title: format!("{what}: encode with {checks}"),
                contenders: vec![
                    Contender::ours(
                        "rtcweb-stun-core",
                        per_op(move || {
                            ours::encode_data(
                                black_box(peer),
                                black_box(&data1),
                                key.as_ref(),
                                &mut buf1,
                            )
                        }),
                    ),
                    Contender::peer(
                        "stun-rs",
                        per_op(move || {
                            stun_rs_peer::encode_data(
                                black_box(peer),
                                black_box(&data2),
                                rs_key.as_ref(),
                                &rs_enc,
                                &mut buf2,
                            )
                        }),
                    ),
                    Contender::peer(
                        "stun (webrtc-rs)",
                        per_op(move || {
                            webrtc_peer::encode_data(
                                black_box(peer),
                                black_box(&data3),
                                w_key.as_ref(),
                                &mut wm,
                            )
                        }),
                    ),
                ],
            });
        }
    }
    Group {
        id: "stun",
        title: "STUN — rtcweb-stun-core vs stun-rs 0.1 and webrtc-rs `stun` 0.4",
        note: "Input `stun_binding_request.bin` (92 B ICE Binding request: USERNAME, PRIORITY, \
ICE-CONTROLLING, USE-CANDIDATE, MESSAGE-INTEGRITY, FINGERPRINT) and its short-term password. \
Decode: parse, verify MESSAGE-INTEGRITY and FINGERPRINT, read the four ICE attributes (stun-rs: a \
decoder whose context holds the key and validates; webrtc-rs: a reused `Message`, explicit \
checks). Encode: the same message with both. Keys and decoders are built once, outside the timing. \
Also a TURN Data indication (XOR-PEER-ADDRESS, 160 bytes of DATA, FINGERPRINT; and the same with \
MESSAGE-INTEGRITY), decoded (verify, read both attributes) and encoded. Checked first: the decoders \
agree and reject a damaged MESSAGE-INTEGRITY or FINGERPRINT; the three encoders produce identical \
bytes (the shared request, byte for byte).",
        workloads,
    }
}
