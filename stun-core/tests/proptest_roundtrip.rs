//! Property tests of the STUN codec (RFC 8489 §5, §14):
//! - every attribute type of `wire::attributes` decodes to what was encoded;
//! - whole messages (any method, class, transaction ID, attribute list, MESSAGE-INTEGRITY(-SHA256)
//!   with any key, FINGERPRINT) parse back to the same attributes and verify;
//! - any single bit flip in a message with MESSAGE-INTEGRITY is caught by parsing or verification;
//! - `Message::parse` and everything reachable after it never panic on arbitrary or mutated input,
//!   and errors name offsets inside the input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::std_instead_of_core
)]

use std::net::{IpAddr, SocketAddr};

use proptest::prelude::*;
use rtcweb_stun_core::wire::attributes::*;
use rtcweb_stun_core::wire::{
    AttributeError, Class, Error, IntegrityAlgorithm, Message, MessageType, MessageWriter, Method,
    RawAttribute, TransactionId, HEADER_LEN,
};
use rtcweb_stun_core::IntegrityKey;

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

fn tid() -> impl Strategy<Value = TransactionId> {
    any::<[u8; 12]>().prop_map(TransactionId)
}

/// IPv4 or IPv6 with any port (no flow info or scope: STUN does not carry them).
fn socket_addr() -> impl Strategy<Value = SocketAddr> {
    (any::<IpAddr>(), any::<u16>()).prop_map(|(ip, port)| SocketAddr::new(ip, port))
}

/// UTF-8 text of at most `max` bytes: any characters (multi-byte ones included), or printable
/// ASCII right up to `max`.
fn text(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::collection::vec(any::<char>(), 0..=max / 3).prop_map(move |cs| {
            let mut s = String::new();
            for c in cs {
                if s.len() + c.len_utf8() > max {
                    break;
                }
                s.push(c);
            }
            s
        }),
        proptest::string::string_regex(&format!("[ -~]{{0,{max}}}")).unwrap(),
        Just("x".repeat(max)),
        // Non-ASCII filling the limit as closely as 2-byte characters allow.
        Just("é".repeat(max / 2)),
    ]
}

fn error_code() -> impl Strategy<Value = u16> {
    300u16..=699
}

fn family() -> impl Strategy<Value = AddressFamily> {
    prop_oneof![Just(AddressFamily::Ipv4), Just(AddressFamily::Ipv6)]
}

/// PASSWORD-ALGORITHMS as (algorithm, parameters) pairs.
fn algorithms() -> impl Strategy<Value = Vec<(u16, Vec<u8>)>> {
    proptest::collection::vec(
        (any::<u16>(), proptest::collection::vec(any::<u8>(), 0..9)),
        0..5,
    )
}

/// Encodes PASSWORD-ALGORITHMS: each algorithm with its parameter length and padded parameters
/// (RFC 8489 §14.11).
fn encode_algorithms(list: &[(u16, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (alg, params) in list {
        out.extend_from_slice(&alg.to_be_bytes());
        out.extend_from_slice(&(params.len() as u16).to_be_bytes());
        out.extend_from_slice(params);
        out.resize((out.len() + 3) & !3, 0);
    }
    out
}

/// An attribute with owned values, one variant per type the codec knows, plus unknown types.
/// MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT are left to the writer's own methods in messages.
#[derive(Debug, Clone)]
enum Owned {
    Mapped(SocketAddr),
    AltServer(SocketAddr),
    XorMapped(SocketAddr),
    XorPeer(SocketAddr),
    XorRelayed(SocketAddr),
    Username(String),
    Realm(String),
    Nonce(String),
    Software(String),
    AltDomain(String),
    ErrorCode(u16, String),
    PasswordAlgorithm(u16, Vec<u8>),
    PasswordAlgorithms(Vec<u8>),
    UnknownAttributes(Vec<u8>),
    Userhash([u8; 32]),
    Priority(u32),
    UseCandidate,
    IceControlled(u64),
    IceControlling(u64),
    ChannelNumber(u16),
    Lifetime(u32),
    Data(Vec<u8>),
    RequestedFamily(AddressFamily),
    AdditionalFamily(AddressFamily),
    EvenPort(bool),
    RequestedTransport(u8),
    DontFragment,
    ReservationToken([u8; 8]),
    AddressErrorCode(AddressFamily, u16, String),
    Icmp(u8, u8, u32),
    /// A type this crate does not know, added with `add_raw`.
    Unknown(u16, Vec<u8>),
}

fn unknown_type() -> impl Strategy<Value = u16> {
    any::<u16>().prop_filter("a type the crate knows", |t| !AttributeType(*t).is_known())
}

fn owned_attribute() -> impl Strategy<Value = Owned> {
    prop_oneof![
        socket_addr().prop_map(Owned::Mapped),
        socket_addr().prop_map(Owned::AltServer),
        socket_addr().prop_map(Owned::XorMapped),
        socket_addr().prop_map(Owned::XorPeer),
        socket_addr().prop_map(Owned::XorRelayed),
        text(Username::MAX_LEN).prop_map(Owned::Username),
        text(Realm::MAX_LEN).prop_map(Owned::Realm),
        text(Nonce::MAX_LEN).prop_map(Owned::Nonce),
        text(Software::MAX_LEN).prop_map(Owned::Software),
        text(AlternateDomain::MAX_LEN).prop_map(Owned::AltDomain),
        (error_code(), text(763)).prop_map(|(c, r)| Owned::ErrorCode(c, r)),
        (any::<u16>(), proptest::collection::vec(any::<u8>(), 0..13))
            .prop_map(|(a, p)| Owned::PasswordAlgorithm(a, p)),
        algorithms().prop_map(|l| Owned::PasswordAlgorithms(encode_algorithms(&l))),
        proptest::collection::vec(any::<u16>(), 0..8).prop_map(|ts| Owned::UnknownAttributes(
            ts.iter().flat_map(|t| t.to_be_bytes()).collect()
        )),
        any::<[u8; 32]>().prop_map(Owned::Userhash),
        any::<u32>().prop_map(Owned::Priority),
        Just(Owned::UseCandidate),
        any::<u64>().prop_map(Owned::IceControlled),
        any::<u64>().prop_map(Owned::IceControlling),
        ChannelNumber::RANGE.prop_map(Owned::ChannelNumber),
        any::<u32>().prop_map(Owned::Lifetime),
        proptest::collection::vec(any::<u8>(), 0..600).prop_map(Owned::Data),
        family().prop_map(Owned::RequestedFamily),
        family().prop_map(Owned::AdditionalFamily),
        any::<bool>().prop_map(Owned::EvenPort),
        any::<u8>().prop_map(Owned::RequestedTransport),
        Just(Owned::DontFragment),
        any::<[u8; 8]>().prop_map(Owned::ReservationToken),
        (family(), error_code(), text(100)).prop_map(|(f, c, r)| Owned::AddressErrorCode(f, c, r)),
        (any::<u8>(), any::<u8>(), any::<u32>()).prop_map(|(t, c, d)| Owned::Icmp(t, c, d)),
        (
            unknown_type(),
            proptest::collection::vec(any::<u8>(), 0..64)
        )
            .prop_map(|(t, v)| Owned::Unknown(t, v)),
    ]
}

impl Owned {
    /// The attribute as the codec's typed value.
    fn any(&self) -> AnyAttribute<'_> {
        match self {
            Owned::Mapped(a) => AnyAttribute::MappedAddress(MappedAddress(*a)),
            Owned::AltServer(a) => AnyAttribute::AlternateServer(AlternateServer(*a)),
            Owned::XorMapped(a) => AnyAttribute::XorMappedAddress(XorMappedAddress(*a)),
            Owned::XorPeer(a) => AnyAttribute::XorPeerAddress(XorPeerAddress(*a)),
            Owned::XorRelayed(a) => AnyAttribute::XorRelayedAddress(XorRelayedAddress(*a)),
            Owned::Username(s) => AnyAttribute::Username(Username(s)),
            Owned::Realm(s) => AnyAttribute::Realm(Realm(s)),
            Owned::Nonce(s) => AnyAttribute::Nonce(Nonce(s)),
            Owned::Software(s) => AnyAttribute::Software(Software(s)),
            Owned::AltDomain(s) => AnyAttribute::AlternateDomain(AlternateDomain(s)),
            Owned::ErrorCode(code, reason) => AnyAttribute::ErrorCode(ErrorCode {
                code: *code,
                reason,
            }),
            Owned::PasswordAlgorithm(algorithm, parameters) => {
                AnyAttribute::PasswordAlgorithm(PasswordAlgorithm {
                    algorithm: *algorithm,
                    parameters,
                })
            }
            Owned::PasswordAlgorithms(list) => {
                AnyAttribute::PasswordAlgorithms(PasswordAlgorithms::from_encoded(list).unwrap())
            }
            Owned::UnknownAttributes(list) => {
                AnyAttribute::UnknownAttributes(UnknownAttributes::from_encoded(list).unwrap())
            }
            Owned::Userhash(h) => AnyAttribute::Userhash(Userhash(*h)),
            Owned::Priority(p) => AnyAttribute::Priority(Priority(*p)),
            Owned::UseCandidate => AnyAttribute::UseCandidate(UseCandidate),
            Owned::IceControlled(t) => AnyAttribute::IceControlled(IceControlled(*t)),
            Owned::IceControlling(t) => AnyAttribute::IceControlling(IceControlling(*t)),
            Owned::ChannelNumber(n) => AnyAttribute::ChannelNumber(ChannelNumber(*n)),
            Owned::Lifetime(l) => AnyAttribute::Lifetime(Lifetime(*l)),
            Owned::Data(d) => AnyAttribute::Data(Data(d)),
            Owned::RequestedFamily(f) => {
                AnyAttribute::RequestedAddressFamily(RequestedAddressFamily(*f))
            }
            Owned::AdditionalFamily(f) => {
                AnyAttribute::AdditionalAddressFamily(AdditionalAddressFamily(*f))
            }
            Owned::EvenPort(reserve) => AnyAttribute::EvenPort(EvenPort { reserve: *reserve }),
            Owned::RequestedTransport(p) => {
                AnyAttribute::RequestedTransport(RequestedTransport(*p))
            }
            Owned::DontFragment => AnyAttribute::DontFragment(DontFragment),
            Owned::ReservationToken(t) => AnyAttribute::ReservationToken(ReservationToken(*t)),
            Owned::AddressErrorCode(family, code, reason) => {
                AnyAttribute::AddressErrorCode(AddressErrorCode {
                    family: *family,
                    code: *code,
                    reason,
                })
            }
            Owned::Icmp(t, c, d) => AnyAttribute::Icmp(Icmp {
                icmp_type: *t,
                icmp_code: *c,
                error_data: *d,
            }),
            Owned::Unknown(t, v) => AnyAttribute::Unknown {
                typ: AttributeType(*t),
                value: v,
            },
        }
    }

    fn typ(&self) -> AttributeType {
        match self {
            Owned::Unknown(t, _) => AttributeType(*t),
            other => any_type(&other.any()),
        }
    }

    /// Appends the attribute with the typed `add` (or `add_raw` for unknown types).
    fn write(&self, w: &mut MessageWriter<'_>) -> Result<(), Error> {
        match self.any() {
            AnyAttribute::MappedAddress(a) => w.add(&a),
            AnyAttribute::AlternateServer(a) => w.add(&a),
            AnyAttribute::XorMappedAddress(a) => w.add(&a),
            AnyAttribute::XorPeerAddress(a) => w.add(&a),
            AnyAttribute::XorRelayedAddress(a) => w.add(&a),
            AnyAttribute::Username(a) => w.add(&a),
            AnyAttribute::Realm(a) => w.add(&a),
            AnyAttribute::Nonce(a) => w.add(&a),
            AnyAttribute::Software(a) => w.add(&a),
            AnyAttribute::AlternateDomain(a) => w.add(&a),
            AnyAttribute::ErrorCode(a) => w.add(&a),
            AnyAttribute::PasswordAlgorithm(a) => w.add(&a),
            AnyAttribute::PasswordAlgorithms(a) => w.add(&a),
            AnyAttribute::UnknownAttributes(a) => w.add(&a),
            AnyAttribute::Userhash(a) => w.add(&a),
            AnyAttribute::Priority(a) => w.add(&a),
            AnyAttribute::UseCandidate(a) => w.add(&a),
            AnyAttribute::IceControlled(a) => w.add(&a),
            AnyAttribute::IceControlling(a) => w.add(&a),
            AnyAttribute::ChannelNumber(a) => w.add(&a),
            AnyAttribute::Lifetime(a) => w.add(&a),
            AnyAttribute::Data(a) => w.add(&a),
            AnyAttribute::RequestedAddressFamily(a) => w.add(&a),
            AnyAttribute::AdditionalAddressFamily(a) => w.add(&a),
            AnyAttribute::EvenPort(a) => w.add(&a),
            AnyAttribute::RequestedTransport(a) => w.add(&a),
            AnyAttribute::DontFragment(a) => w.add(&a),
            AnyAttribute::ReservationToken(a) => w.add(&a),
            AnyAttribute::AddressErrorCode(a) => w.add(&a),
            AnyAttribute::Icmp(a) => w.add(&a),
            AnyAttribute::Unknown { typ, value } => w.add_raw(typ, value),
            other => panic!("not generated: {other:?}"),
        }
    }
}

/// The type of a typed attribute.
fn any_type(a: &AnyAttribute<'_>) -> AttributeType {
    fn t<'a, A: Attribute<'a>>(_: &A) -> AttributeType {
        A::TYPE
    }
    match a {
        AnyAttribute::MappedAddress(a) => t(a),
        AnyAttribute::XorMappedAddress(a) => t(a),
        AnyAttribute::Username(a) => t(a),
        AnyAttribute::Userhash(a) => t(a),
        AnyAttribute::MessageIntegrity(a) => t(a),
        AnyAttribute::MessageIntegritySha256(a) => t(a),
        AnyAttribute::Fingerprint(a) => t(a),
        AnyAttribute::ErrorCode(a) => t(a),
        AnyAttribute::Realm(a) => t(a),
        AnyAttribute::Nonce(a) => t(a),
        AnyAttribute::PasswordAlgorithm(a) => t(a),
        AnyAttribute::PasswordAlgorithms(a) => t(a),
        AnyAttribute::UnknownAttributes(a) => t(a),
        AnyAttribute::Software(a) => t(a),
        AnyAttribute::AlternateServer(a) => t(a),
        AnyAttribute::AlternateDomain(a) => t(a),
        AnyAttribute::Priority(a) => t(a),
        AnyAttribute::UseCandidate(a) => t(a),
        AnyAttribute::IceControlled(a) => t(a),
        AnyAttribute::IceControlling(a) => t(a),
        AnyAttribute::ChannelNumber(a) => t(a),
        AnyAttribute::Lifetime(a) => t(a),
        AnyAttribute::XorPeerAddress(a) => t(a),
        AnyAttribute::Data(a) => t(a),
        AnyAttribute::XorRelayedAddress(a) => t(a),
        AnyAttribute::RequestedAddressFamily(a) => t(a),
        AnyAttribute::EvenPort(a) => t(a),
        AnyAttribute::RequestedTransport(a) => t(a),
        AnyAttribute::DontFragment(a) => t(a),
        AnyAttribute::ReservationToken(a) => t(a),
        AnyAttribute::AdditionalAddressFamily(a) => t(a),
        AnyAttribute::AddressErrorCode(a) => t(a),
        AnyAttribute::Icmp(a) => t(a),
        AnyAttribute::Unknown { typ, .. } => *typ,
        other => panic!("unhandled variant {other:?}"),
    }
}

/// Which integrity attributes a generated message carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Integrity {
    None,
    Sha1,
    Sha256,
    /// MESSAGE-INTEGRITY then MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.6 allows both).
    Both,
}

#[derive(Debug, Clone)]
struct Spec {
    method: u16,
    class: Class,
    tid: TransactionId,
    attrs: Vec<Owned>,
    integrity: Integrity,
    key: Vec<u8>,
    fingerprint: bool,
}

fn class() -> impl Strategy<Value = Class> {
    prop_oneof![
        Just(Class::Request),
        Just(Class::Indication),
        Just(Class::Success),
        Just(Class::Error),
    ]
}

fn integrity() -> impl Strategy<Value = Integrity> {
    prop_oneof![
        Just(Integrity::None),
        Just(Integrity::Sha1),
        Just(Integrity::Sha256),
        Just(Integrity::Both),
    ]
}

fn spec_with(max_attrs: usize, integrity: BoxedStrategy<Integrity>) -> impl Strategy<Value = Spec> {
    (
        0u16..=0xFFF,
        class(),
        tid(),
        proptest::collection::vec(owned_attribute(), 0..=max_attrs),
        integrity,
        // Keys from empty to longer than the 64-byte HMAC block (hashed first).
        proptest::collection::vec(any::<u8>(), 0..100),
        any::<bool>(),
    )
        .prop_map(
            |(method, class, tid, attrs, integrity, key, fingerprint)| Spec {
                method,
                class,
                tid,
                attrs,
                integrity,
                key,
                fingerprint,
            },
        )
}

fn spec() -> impl Strategy<Value = Spec> {
    spec_with(10, integrity().boxed())
}

/// Writes a message; every generated spec fits the buffer.
fn write(spec: &Spec) -> Vec<u8> {
    let key = IntegrityKey::new(&spec.key);
    let mut buf = vec![0u8; 16 * 1024];
    let typ = MessageType::new(Method::new(spec.method).unwrap(), spec.class);
    let mut w = MessageWriter::new(&mut buf, typ, spec.tid).unwrap();
    for a in &spec.attrs {
        a.write(&mut w).unwrap();
    }
    if matches!(spec.integrity, Integrity::Sha1 | Integrity::Both) {
        w.add_message_integrity(&key).unwrap();
    }
    if matches!(spec.integrity, Integrity::Sha256 | Integrity::Both) {
        w.add_message_integrity_sha256(&key).unwrap();
    }
    if spec.fingerprint {
        w.add_fingerprint().unwrap();
    }
    let len = w.finish();
    buf.truncate(len);
    buf
}

/// A key that differs from `key` as an HMAC key (zero-padding makes "k" and "k\0" equal).
fn other_key(key: &[u8]) -> Vec<u8> {
    let mut k = key.to_vec();
    match k.first_mut() {
        Some(b) => *b ^= 1,
        None => k.push(1),
    }
    k
}

// ---------------------------------------------------------------------------------------------
// Checks shared by the robustness properties
// ---------------------------------------------------------------------------------------------

/// Asserts that a parse or verify error points inside `input`.
fn check_error(e: &Error, input: &[u8]) {
    let len = input.len();
    match *e {
        Error::Truncated { needed, got } => {
            assert_eq!(got, len, "{e}");
            assert!(needed > got, "{e}");
        }
        Error::TrailingBytes { offset, extra } => {
            assert!(offset >= HEADER_LEN && offset + extra == len, "{e}")
        }
        Error::AttributeOverrun { offset, .. }
        | Error::TooManyAttributes { offset, .. }
        | Error::AttributeAfterFingerprint { offset }
        | Error::IntegrityMismatch { offset }
        | Error::FingerprintMismatch { offset } => {
            assert!((HEADER_LEN..len).contains(&offset), "{e} (len {len})")
        }
        Error::BadAttribute { offset, error, .. } => {
            assert!((HEADER_LEN..len).contains(&offset), "{e} (len {len})");
            check_attribute_error(&error, len - offset);
        }
        _ => {}
    }
}

/// Asserts that an attribute error points inside a value of at most `room` bytes.
fn check_attribute_error(e: &AttributeError, room: usize) {
    match *e {
        AttributeError::NotUtf8 { valid_up_to } => assert!(valid_up_to < room, "{e}"),
        AttributeError::BadLength { got, .. } => assert!(got <= room, "{e}"),
        _ => {}
    }
}

/// Everything a receiver does with a message: never panics; errors point inside the input.
fn exercise(input: &[u8]) {
    let key = IntegrityKey::new(b"fixed key");
    let msg = match Message::parse(input) {
        Ok(m) => m,
        Err(e) => return check_error(&e, input),
    };
    assert_eq!(msg.as_bytes(), input);
    let tid = msg.transaction_id();
    for raw in msg.attributes() {
        assert!(raw.offset >= HEADER_LEN && raw.offset + 4 + raw.value.len() <= input.len());
        if let Err(e) = raw.decode(&tid) {
            check_attribute_error(&e, raw.value.len());
        }
    }
    for r in [
        msg.verify_integrity(&key).map(|_| ()),
        msg.verify_fingerprint(),
        msg.attribute::<XorMappedAddress>().map(|_| ()),
        msg.attribute::<Username>().map(|_| ()),
        msg.attribute::<ErrorCode>().map(|_| ()),
        msg.attribute::<MessageIntegritySha256>().map(|_| ()),
    ] {
        if let Err(e) = r {
            check_error(&e, input);
        }
    }
    let _ = msg.unknown_comprehension_required().count();
}

/// Encodes one typed attribute with the `Attribute` trait alone and decodes it back.
fn attribute_round_trip<'a, A>(a: &A, tid: &TransactionId, out: &'a mut Vec<u8>) -> A
where
    A: Attribute<'a> + PartialEq + std::fmt::Debug,
{
    out.clear();
    out.resize(a.encoded_len(), 0xAA);
    a.encode(tid, out);
    let out: &'a [u8] = out;
    A::decode(out, tid).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Every attribute type, through the `Attribute` trait (no message around it).
    #[test]
    fn every_attribute_round_trips(a in owned_attribute(), tid in tid()) {
        let mut buf = Vec::new();
        let any = a.any();
        macro_rules! rt {
            ($($v:ident),*) => {
                match any {
                    $(AnyAttribute::$v(x) => {
                        let back = attribute_round_trip(&x, &tid, &mut buf);
                        prop_assert_eq!(back, x);
                    })*
                    AnyAttribute::Unknown { typ, value } => {
                        let back = RawAttribute { typ, value, offset: 0 }.decode(&tid).unwrap();
                        prop_assert_eq!(back, AnyAttribute::Unknown { typ, value });
                    }
                    other => panic!("not generated: {other:?}"),
                }
            };
        }
        rt!(MappedAddress, AlternateServer, XorMappedAddress, XorPeerAddress, XorRelayedAddress,
            Username, Realm, Nonce, Software, AlternateDomain, ErrorCode, PasswordAlgorithm,
            PasswordAlgorithms, UnknownAttributes, Userhash, Priority, UseCandidate, IceControlled,
            IceControlling, ChannelNumber, Lifetime, Data, RequestedAddressFamily,
            AdditionalAddressFamily, EvenPort, RequestedTransport, DontFragment, ReservationToken,
            AddressErrorCode, Icmp);
    }

    /// The integrity values and FINGERPRINT as plain attribute values.
    #[test]
    fn integrity_values_round_trip(
        mi in any::<[u8; 20]>(),
        sha in proptest::collection::vec(any::<u8>(), 32),
        words in 4usize..=8,
        crc in any::<u32>(),
        tid in tid(),
    ) {
        let mut buf = Vec::new();
        prop_assert_eq!(attribute_round_trip(&MessageIntegrity(mi), &tid, &mut buf), MessageIntegrity(mi));
        let truncated = &sha[..words * 4];
        prop_assert_eq!(
            attribute_round_trip(&MessageIntegritySha256(truncated), &tid, &mut buf),
            MessageIntegritySha256(truncated)
        );
        prop_assert_eq!(attribute_round_trip(&Fingerprint(crc), &tid, &mut buf), Fingerprint(crc));
    }

    /// XOR-ed addresses really are XOR-ed: a different transaction ID changes IPv6 (and, through
    /// the cookie, every) decoded address, and the same one restores it.
    #[test]
    fn xor_address_depends_on_transaction_id(addr in socket_addr(), a in tid(), b in tid()) {
        let mut out = vec![0u8; XorMappedAddress(addr).encoded_len()];
        XorMappedAddress(addr).encode(&a, &mut out);
        prop_assert_eq!(XorMappedAddress::decode(&out, &a).unwrap().0, addr);
        let under_b = XorMappedAddress::decode(&out, &b).unwrap().0;
        if addr.is_ipv6() && a != b {
            prop_assert_ne!(under_b, addr);
        }
        // The port and an IPv4 address are masked by the cookie alone.
        let plain = MappedAddress::decode(&out, &a).unwrap().0;
        prop_assert_eq!(plain.port(), addr.port() ^ 0x2112);
    }

    /// Text longer than the RFC allows is refused by the decoder.
    #[test]
    fn over_long_text_is_refused(extra in 1usize..20, tid in tid()) {
        let check = |max: usize, typ: AttributeType| {
            let v = vec![b'a'; max + extra];
            RawAttribute { typ, value: &v, offset: 0 }.decode(&tid).is_err()
        };
        prop_assert!(check(Username::MAX_LEN, AttributeType::USERNAME));
        prop_assert!(check(Realm::MAX_LEN, AttributeType::REALM));
        prop_assert!(check(Nonce::MAX_LEN, AttributeType::NONCE));
        prop_assert!(check(Software::MAX_LEN, AttributeType::SOFTWARE));
        prop_assert!(check(AlternateDomain::MAX_LEN, AttributeType::ALTERNATE_DOMAIN));
    }

    /// parse(write(m)) has m's type, transaction ID and attributes, and verifies.
    #[test]
    fn message_round_trips(spec in spec()) {
        let bytes = write(&spec);
        prop_assert_eq!(Message::peek_len(&bytes), Some(bytes.len()));
        prop_assert!(Message::is_stun(&bytes));
        let msg = Message::parse(&bytes).unwrap();
        prop_assert_eq!(msg.method().value(), spec.method);
        prop_assert_eq!(msg.class(), spec.class);
        prop_assert_eq!(msg.transaction_id(), spec.tid);
        let tid = msg.transaction_id();

        let mut got = msg.attributes();
        for want in &spec.attrs {
            let raw = got.next().expect("attribute missing");
            prop_assert_eq!(raw.typ, want.typ());
            prop_assert_eq!(raw.decode(&tid).unwrap(), want.any());
        }
        let trailer: Vec<AttributeType> = got.map(|a| a.typ).collect();
        let mut want_trailer = Vec::new();
        if matches!(spec.integrity, Integrity::Sha1 | Integrity::Both) {
            want_trailer.push(AttributeType::MESSAGE_INTEGRITY);
        }
        if matches!(spec.integrity, Integrity::Sha256 | Integrity::Both) {
            want_trailer.push(AttributeType::MESSAGE_INTEGRITY_SHA256);
        }
        if spec.fingerprint {
            want_trailer.push(AttributeType::FINGERPRINT);
        }
        prop_assert_eq!(trailer, want_trailer);

        let key = IntegrityKey::new(&spec.key);
        let wrong = IntegrityKey::new(&other_key(&spec.key));
        match spec.integrity {
            Integrity::None => {
                prop_assert!(!msg.has_integrity());
                prop_assert_eq!(msg.verify_integrity(&key), Err(Error::NoIntegrity));
            }
            Integrity::Sha1 => {
                prop_assert_eq!(msg.verify_integrity(&key), Ok(IntegrityAlgorithm::HmacSha1));
                let mismatch = matches!(msg.verify_integrity(&wrong), Err(Error::IntegrityMismatch { .. }));
                prop_assert!(mismatch, "a wrong key verified");
            }
            Integrity::Sha256 | Integrity::Both => {
                prop_assert_eq!(msg.verify_integrity(&key), Ok(IntegrityAlgorithm::HmacSha256));
                let mismatch = matches!(msg.verify_integrity(&wrong), Err(Error::IntegrityMismatch { .. }));
                prop_assert!(mismatch, "a wrong key verified");
            }
        }
        if spec.fingerprint {
            prop_assert!(msg.has_fingerprint());
            prop_assert_eq!(msg.verify_fingerprint(), Ok(()));
        } else {
            prop_assert_eq!(msg.verify_fingerprint(), Err(Error::NoFingerprint));
        }
        // Typed lookup finds the first attribute of a type.
        if let Some(first) = spec.attrs.iter().find(|a| matches!(a, Owned::Username(_))) {
            prop_assert_eq!(msg.attribute::<Username>().unwrap().map(AnyAttribute::Username), Some(first.any()));
        }
    }

    /// Forwarding every attribute raw with `add_raw` reproduces the message byte for byte.
    #[test]
    fn raw_forwarding_is_byte_identical(spec in spec_with(10, Just(Integrity::None).boxed())) {
        let spec = Spec { fingerprint: false, ..spec };
        let bytes = write(&spec);
        let msg = Message::parse(&bytes).unwrap();
        let mut out = vec![0u8; bytes.len()];
        let mut w = MessageWriter::new(&mut out, msg.message_type(), msg.transaction_id()).unwrap();
        for a in msg.attributes() {
            w.add_raw(a.typ, a.value).unwrap();
        }
        let len = w.finish();
        prop_assert_eq!(&out[..len], &bytes[..]);
    }

    /// Parsing arbitrary bytes never panics and errors point inside the input.
    #[test]
    fn arbitrary_bytes_never_panic(input in proptest::collection::vec(any::<u8>(), 0..300)) {
        exercise(&input);
    }

    /// Arbitrary bytes behind a valid-looking header (right cookie and length) reach the
    /// attribute walker and the verifiers.
    #[test]
    fn arbitrary_bodies_never_panic(
        typ in 0u16..0x4000,
        tid in tid(),
        words in proptest::collection::vec(any::<[u8; 4]>(), 0..80),
    ) {
        let mut input = Vec::new();
        input.extend_from_slice(&typ.to_be_bytes());
        input.extend_from_slice(&((words.len() * 4) as u16).to_be_bytes());
        input.extend_from_slice(&0x2112_A442u32.to_be_bytes());
        input.extend_from_slice(&tid.0);
        input.extend(words.iter().flatten());
        exercise(&input);
    }

    /// Mutations of valid messages never panic: overwritten bytes, truncation, extension, and
    /// the header length fixed up to match so the attribute walker sees the damage.
    #[test]
    fn mutated_messages_never_panic(
        spec in spec(),
        writes in proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>()), 1..6),
        cut in proptest::option::of(any::<proptest::sample::Index>()),
        append in proptest::collection::vec(any::<u8>(), 0..12),
        fix_length in any::<bool>(),
    ) {
        let mut bytes = write(&spec);
        for (at, value) in &writes {
            let i = at.index(bytes.len());
            bytes[i] = *value;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len() + 1));
        }
        bytes.extend_from_slice(&append);
        if fix_length && bytes.len() >= HEADER_LEN {
            let body = ((bytes.len() - HEADER_LEN) as u16).to_be_bytes();
            bytes[2..4].copy_from_slice(&body);
        }
        exercise(&bytes);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Flipping any one bit of a message with MESSAGE-INTEGRITY(-SHA256) is caught: the message
    /// no longer parses, or its integrity (or FINGERPRINT, when present) no longer verifies, or
    /// (with both integrity attributes) verification visibly falls back to HMAC-SHA1.
    #[test]
    fn every_single_bit_flip_is_detected(
        spec in spec_with(4, prop_oneof![
            Just(Integrity::Sha1), Just(Integrity::Sha256), Just(Integrity::Both)
        ].boxed()),
        start in any::<proptest::sample::Index>(),
    ) {
        let bytes = write(&spec);
        let key = IntegrityKey::new(&spec.key);
        let mut flipped = bytes.clone();
        // Every bit of messages up to 256 bytes; of longer ones 2048 bits spread evenly over
        // the whole message (the unoptimized test build hashes slowly).
        let bits = bytes.len() * 8;
        let step = bits.div_ceil(2048);
        for bit in (start.index(step)..bits).step_by(step) {
            flipped[bit / 8] ^= 1 << (bit % 8);
            let caught = match Message::parse(&flipped) {
                Err(_) => true,
                Ok(m) => match m.verify_integrity(&key) {
                    Err(_) => true,
                    _ if spec.fingerprint && m.verify_fingerprint().is_err() => true,
                    // With both, a flip in MESSAGE-INTEGRITY-SHA256's type turns it into an
                    // attribute after MESSAGE-INTEGRITY, which RFC 8489 §14.5 says to ignore: the
                    // rest is still authenticated by HMAC-SHA1, and the downgrade shows in the
                    // algorithm reported (a caller that requires SHA-256 checks it).
                    Ok(IntegrityAlgorithm::HmacSha1) => spec.integrity == Integrity::Both,
                    Ok(IntegrityAlgorithm::HmacSha256) => false,
                },
            };
            prop_assert!(caught, "flip of bit {} (byte {}) went unnoticed", bit, bit / 8);
            flipped[bit / 8] ^= 1 << (bit % 8);
        }
    }
}
