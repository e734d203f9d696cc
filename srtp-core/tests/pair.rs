//! The pair functions (`Session::protect_rtp_pair`, `Session::unprotect_rtp_pair`,
//! `pair::protect_rtp`, `pair::unprotect_rtp`) against the single-packet calls made in order, on
//! two twin worlds driven by the same random traffic: every result, every byte and the state after
//! (what the next packets get) must be the same. The traffic mixes two sessions, two SSRCs each,
//! sequence numbers around the 16-bit wrap (ROC changes, also between the two packets of a pair),
//! duplicates, forgeries, truncations and garbage; every profile, with and without an MKI, with
//! and without a key derivation rate.
#![allow(
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use proptest::prelude::*;
use rtcweb_srtp_core::{pair, Config, Error, KeyingMaterial, Mki, Profile, Session};

/// One packet of the traffic.
#[derive(Debug, Clone)]
struct Op {
    /// Which of the two sessions.
    session: usize,
    ssrc: u32,
    /// Offset added to the running sequence number (wrapping); 0 repeats the last one.
    step: u16,
    payload: usize,
    /// What happens to the protected packet before it is unprotected.
    damage: Damage,
}

#[derive(Debug, Clone, Copy)]
enum Damage {
    None,
    FlipBit(usize),
    Truncate(usize),
    Garbage,
}

fn op() -> impl Strategy<Value = Op> {
    (
        0usize..2,
        prop_oneof![Just(0x1111_1111u32), Just(0x2222_2222)],
        prop_oneof![
            8 => 1u16..3,
            2 => Just(0u16),
            2 => 3u16..40,
            2 => 65_530u16..=65_535,
            1 => 30_000u16..34_000,
        ],
        0usize..260,
        prop_oneof![
            8 => Just(Damage::None),
            1 => any::<usize>().prop_map(Damage::FlipBit),
            1 => (0usize..30).prop_map(Damage::Truncate),
            1 => Just(Damage::Garbage),
        ],
    )
        .prop_map(|(session, ssrc, step, payload, damage)| Op {
            session,
            ssrc,
            step,
            payload,
            damage,
        })
}

/// Two sender sessions and two receiver sessions under one key.
struct World {
    tx: [Session; 2],
    rx: [Session; 2],
}

impl World {
    fn new(material: &KeyingMaterial, config: &Config) -> Self {
        let s = || Session::new(material, config).unwrap();
        Self {
            tx: [s(), s()],
            rx: [s(), s()],
        }
    }
}

/// Both entries of a two-element array, mutably.
fn both<T>(v: &mut [T; 2]) -> (&mut T, &mut T) {
    let (a, b) = v.split_at_mut(1);
    (&mut a[0], &mut b[0])
}

/// The RTP packet of `op` with sequence number `seq`, in a buffer with room for any trailer.
fn rtp(op: &Op, seq: u16) -> (Vec<u8>, usize) {
    let mut p = vec![0x80, 0x60];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&u32::from(seq).wrapping_mul(160).to_be_bytes());
    p.extend_from_slice(&op.ssrc.to_be_bytes());
    p.extend((0..op.payload).map(|i| (i as u8) ^ (seq as u8)));
    let len = p.len();
    p.resize(len + 64, 0);
    (p, len)
}

fn damage(packet: &mut Vec<u8>, d: Damage) {
    match d {
        Damage::None => {}
        Damage::FlipBit(bit) => {
            let bit = bit % (packet.len() * 8);
            packet[bit / 8] ^= 1 << (bit % 8);
        }
        Damage::Truncate(n) => packet.truncate(packet.len().saturating_sub(n)),
        Damage::Garbage => packet
            .iter_mut()
            .skip(2)
            .for_each(|b| *b = b.wrapping_mul(31)),
    }
}

type Out = (Result<usize, Error>, Vec<u8>);

/// Protects two packets one at a time.
fn protect_single(w: &mut World, ops: [&Op; 2], seqs: [u16; 2]) -> [Out; 2] {
    ops.iter()
        .zip(seqs)
        .map(|(op, seq)| {
            let (mut buf, len) = rtp(op, seq);
            let r = w.tx[op.session].protect_rtp(&mut buf, len);
            (r, buf)
        })
        .collect::<Vec<_>>()
        .try_into()
        .unwrap()
}

/// Protects two packets with the pair functions.
fn protect_pair(w: &mut World, ops: [&Op; 2], seqs: [u16; 2]) -> [Out; 2] {
    let (mut ba, la) = rtp(ops[0], seqs[0]);
    let (mut bb, lb) = rtp(ops[1], seqs[1]);
    let [ra, rb] = if ops[0].session == ops[1].session {
        w.tx[ops[0].session].protect_rtp_pair((&mut ba, la), (&mut bb, lb))
    } else {
        let (s0, s1) = both(&mut w.tx);
        let (sa, sb) = if ops[0].session == 0 {
            (s0, s1)
        } else {
            (s1, s0)
        };
        pair::protect_rtp((sa, &mut ba, la), (sb, &mut bb, lb))
    };
    [(ra, ba), (rb, bb)]
}

fn unprotect_single(w: &mut World, ops: [&Op; 2], mut packets: [Vec<u8>; 2]) -> [Out; 2] {
    let r0 = w.rx[ops[0].session].unprotect_rtp(&mut packets[0]);
    let r1 = w.rx[ops[1].session].unprotect_rtp(&mut packets[1]);
    let [p0, p1] = packets;
    [(r0, p0), (r1, p1)]
}

fn unprotect_pair(w: &mut World, ops: [&Op; 2], packets: [Vec<u8>; 2]) -> [Out; 2] {
    let [mut pa, mut pb] = packets;
    let [ra, rb] = if ops[0].session == ops[1].session {
        w.rx[ops[0].session].unprotect_rtp_pair(&mut pa, &mut pb)
    } else {
        let (s0, s1) = both(&mut w.rx);
        let (sa, sb) = if ops[0].session == 0 {
            (s0, s1)
        } else {
            (s1, s0)
        };
        pair::unprotect_rtp((sa, &mut pa), (sb, &mut pb))
    };
    [(ra, pa), (rb, pb)]
}

/// The SRTP packet as sent: the protected length's bytes, or the buffer as left on an error.
fn sent(out: &Out) -> Vec<u8> {
    match out.0 {
        Ok(n) => out.1[..n].to_vec(),
        Err(_) => out.1.clone(),
    }
}

/// Runs the traffic through both worlds; returns how many packets were accepted.
fn run(profile: Profile, mki: bool, kdr: u32, start: u16, ops: &[Op]) -> usize {
    let key_salt: Vec<u8> = (0..60u8).map(|i| i.wrapping_mul(37) ^ 0x5a).collect();
    let mut material = KeyingMaterial::from_key_salt(
        profile,
        &key_salt[..profile.master_key_len() + profile.master_salt_len()],
    )
    .unwrap();
    if mki {
        material = material.with_mki(Mki::new(&[0xa1, 0xb2, 0xc3]).unwrap());
    }
    let config = Config {
        key_derivation_rate: kdr,
        ..Config::default()
    };
    let (mut single, mut paired) = (
        World::new(&material, &config),
        World::new(&material, &config),
    );
    let mut seq = start;
    let mut accepted = 0;
    for two in ops.chunks_exact(2) {
        let ops = [&two[0], &two[1]];
        let seqs = ops.map(|op| {
            seq = seq.wrapping_add(op.step);
            seq
        });
        let s = protect_single(&mut single, ops, seqs);
        let p = protect_pair(&mut paired, ops, seqs);
        for (s, p) in s.iter().zip(&p) {
            assert_eq!(format!("{:?}", s.0), format!("{:?}", p.0), "protect result");
            assert_eq!(sent(s), sent(p), "protected bytes");
        }
        let packets: [Vec<u8>; 2] = [0, 1].map(|i| {
            let mut packet = sent(&s[i]);
            damage(&mut packet, ops[i].damage);
            packet
        });
        let s = unprotect_single(&mut single, ops, packets.clone());
        let p = unprotect_pair(&mut paired, ops, packets);
        for (s, p) in s.iter().zip(&p) {
            assert_eq!(
                format!("{:?}", s.0),
                format!("{:?}", p.0),
                "unprotect result"
            );
            assert_eq!(s.1, p.1, "unprotected bytes");
            accepted += usize::from(s.0.is_ok());
        }
    }
    // The same state after: the same next packet is accepted or refused alike on both sides.
    for session in 0..2 {
        for ssrc in [0x1111_1111u32, 0x2222_2222] {
            let op = Op {
                session,
                ssrc,
                step: 1,
                payload: 20,
                damage: Damage::None,
            };
            let (mut a, la) = rtp(&op, seq.wrapping_add(1));
            let (mut b, lb) = (a.clone(), la);
            let ra = single.tx[session].protect_rtp(&mut a, la);
            let rb = paired.tx[session].protect_rtp(&mut b, lb);
            assert_eq!(format!("{ra:?}"), format!("{rb:?}"));
            assert_eq!(single.tx[session].roc(ssrc), paired.tx[session].roc(ssrc));
            assert_eq!(single.rx[session].roc(ssrc), paired.rx[session].roc(ssrc));
        }
    }
    accepted
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn pairs_equal_single_calls_in_order(
        profile in prop_oneof![
            4 => Just(Profile::AesCm128HmacSha1_80),
            2 => Just(Profile::AesCm128HmacSha1_32),
            1 => Just(Profile::AeadAes128Gcm),
            1 => Just(Profile::AeadAes256Gcm),
        ],
        mki in prop_oneof![4 => Just(false), 1 => Just(true)],
        kdr in prop_oneof![6 => Just(0u32), 1 => Just(4u32), 1 => Just(1u32 << 16)],
        start in prop_oneof![Just(65_500u16), any::<u16>()],
        ops in proptest::collection::vec(op(), 2..120),
    ) {
        run(profile, mki, kdr, start, &ops);
    }
}

/// Deterministic cases the random traffic may miss: the two packets of a pair on either side of
/// a ROC change in one stream, a duplicate inside a pair, and a forgery next to a good packet.
#[test]
fn edge_pairs() {
    let op = |session, ssrc, step, damage| Op {
        session,
        ssrc,
        step,
        payload: 160,
        damage,
    };
    let (a, b) = (0x1111_1111, 0x2222_2222);
    // 65535 then 0 (ROC + 1) in one pair of the same stream, then a pair out of order.
    let wrap = [
        op(0, a, 1, Damage::None),
        op(0, a, 1, Damage::None),
        op(0, a, 1, Damage::None),
        op(0, a, 1, Damage::None),
        op(0, a, 1, Damage::None),
        op(0, a, 1, Damage::None),
        op(0, a, 2, Damage::None),
        op(0, a, 65_535, Damage::None),
    ];
    assert_eq!(
        run(Profile::AesCm128HmacSha1_80, false, 0, 65_532, &wrap),
        8
    );
    // The first packet of a pair moves the stream 32 000 ahead, so the second one's index (its
    // ROC guess) is not the one computed before the first was accepted: the tag computed ahead
    // for the old guess must not be used (both are accepted, as by single calls).
    let jump = [
        op(0, a, 1, Damage::None),
        op(0, a, 1, Damage::None),
        op(0, a, 32_000, Damage::None),
        op(0, a, 5_534, Damage::None),
    ];
    assert_eq!(
        run(Profile::AesCm128HmacSha1_80, false, 0, 30_000, &jump),
        4
    );
    // A duplicate inside a pair, a forgery beside a good packet, both sessions, both SSRCs.
    let mixed = [
        op(0, a, 1, Damage::None),
        op(0, a, 0, Damage::None),
        op(0, b, 1, Damage::FlipBit(200)),
        op(0, a, 1, Damage::None),
        op(1, a, 1, Damage::None),
        op(0, a, 1, Damage::None),
        op(1, b, 1, Damage::Truncate(5)),
        op(1, b, 1, Damage::None),
    ];
    assert_eq!(run(Profile::AesCm128HmacSha1_80, false, 0, 100, &mixed), 5);
}

/// The pair really authenticates: a packet whose tag was computed for another packet of the pair
/// is refused (the tags are not swapped or shared).
#[test]
fn pair_tags_are_each_packets_own() {
    let material = KeyingMaterial::from_key_salt(Profile::AesCm128HmacSha1_80, &[9u8; 30]).unwrap();
    let mut tx = Session::new(&material, &Config::default()).unwrap();
    let mut rx = Session::new(&material, &Config::default()).unwrap();
    let op = Op {
        session: 0,
        ssrc: 7,
        step: 1,
        payload: 160,
        damage: Damage::None,
    };
    let (mut pa, la) = rtp(&op, 1);
    let (mut pb, lb) = rtp(&op, 2);
    let [na, nb] = tx.protect_rtp_pair((&mut pa, la), (&mut pb, lb));
    let (na, nb) = (na.unwrap(), nb.unwrap());
    // Swap the tags: both must be refused, the buffers left as they were.
    let mut sa = pa[..na].to_vec();
    let mut sb = pb[..nb].to_vec();
    let tag_a = sa[na - 10..].to_vec();
    sa[na - 10..].copy_from_slice(&sb[nb - 10..]);
    sb[nb - 10..].copy_from_slice(&tag_a);
    let (ka, kb) = (sa.clone(), sb.clone());
    let [ra, rb] = rx.unprotect_rtp_pair(&mut sa, &mut sb);
    assert!(matches!(ra, Err(Error::AuthenticationFailed)), "{ra:?}");
    assert!(matches!(rb, Err(Error::AuthenticationFailed)), "{rb:?}");
    assert_eq!((sa, sb), (ka, kb));
    // The right tags pass.
    let [ra, rb] = rx.unprotect_rtp_pair(&mut pa[..na], &mut pb[..nb]);
    assert_eq!((ra.unwrap(), rb.unwrap()), (la, lb));
}
