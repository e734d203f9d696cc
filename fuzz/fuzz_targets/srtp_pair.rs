//! srtp-core's pair functions (`Session::protect_rtp_pair`, `Session::unprotect_rtp_pair`,
//! `pair::protect_rtp`, `pair::unprotect_rtp`) against the single-packet calls, on two twin
//! worlds (two sending and two receiving sessions each) driven by the same input: packets of two
//! SSRCs with sequence numbers that run, repeat, jump and wrap, protected two at a time, then
//! delivered intact, altered, cut, swapped or replaced by arbitrary bytes, two at a time.
//!
//! Invariants, beyond "no panic": every pair call returns what the single calls made in order
//! return, leaves every buffer byte for byte as they do (a refused packet unchanged), and leaves
//! the sessions in the same state (their ROCs, and the verdict on every later packet).
#![no_main]

mod input;

use libfuzzer_sys::fuzz_target;

use input::{byte, take};
use rtcweb_srtp_core::{pair, Config, KeyingMaterial, Profile, Session};

struct World {
    tx: [Session; 2],
    rx: [Session; 2],
}

fn both(v: &mut [Session; 2]) -> (&mut Session, &mut Session) {
    let (a, b) = v.split_at_mut(1);
    (&mut a[0], &mut b[0])
}

fn rtp(ssrc: u32, seq: u16, payload: &[u8]) -> (Vec<u8>, usize) {
    let mut p = vec![0x80, 0x60];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&[0, 0, 0, 1]);
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(payload);
    let len = p.len();
    p.resize(len + 32, 0);
    (p, len)
}

type Out = (String, Vec<u8>);

fn protect(w: &mut World, paired: bool, s: [usize; 2], bufs: [(Vec<u8>, usize); 2]) -> [Out; 2] {
    let [(mut a, la), (mut b, lb)] = bufs;
    let [ra, rb] = if !paired {
        let ra = w.tx[s[0]].protect_rtp(&mut a, la);
        let rb = w.tx[s[1]].protect_rtp(&mut b, lb);
        [ra, rb]
    } else if s[0] == s[1] {
        w.tx[s[0]].protect_rtp_pair((&mut a, la), (&mut b, lb))
    } else {
        let (x, y) = both(&mut w.tx);
        let (x, y) = if s[0] == 0 { (x, y) } else { (y, x) };
        pair::protect_rtp((x, &mut a, la), (y, &mut b, lb))
    };
    let cut = |r: &Result<usize, _>, v: Vec<u8>| match r {
        Ok(n) => v[..*n].to_vec(),
        Err(_) => v,
    };
    [
        (format!("{ra:?}"), cut(&ra, a)),
        (format!("{rb:?}"), cut(&rb, b)),
    ]
}

fn unprotect(w: &mut World, paired: bool, s: [usize; 2], packets: [Vec<u8>; 2]) -> [Out; 2] {
    let [mut a, mut b] = packets;
    let [ra, rb] = if !paired {
        let ra = w.rx[s[0]].unprotect_rtp(&mut a);
        let rb = w.rx[s[1]].unprotect_rtp(&mut b);
        [ra, rb]
    } else if s[0] == s[1] {
        w.rx[s[0]].unprotect_rtp_pair(&mut a, &mut b)
    } else {
        let (x, y) = both(&mut w.rx);
        let (x, y) = if s[0] == 0 { (x, y) } else { (y, x) };
        pair::unprotect_rtp((x, &mut a), (y, &mut b))
    };
    [(format!("{ra:?}"), a), (format!("{rb:?}"), b)]
}

fuzz_target!(|input: &[u8]| {
    let mut data = input;
    let mode = byte(&mut data);
    let profile = match mode % 4 {
        0 | 1 => Profile::AesCm128HmacSha1_80,
        2 => Profile::AesCm128HmacSha1_32,
        _ => Profile::AeadAes128Gcm,
    };
    let key = [mode; 30];
    let material =
        KeyingMaterial::from_key_salt(profile, &key[..16 + profile.master_salt_len()]).unwrap();
    let config = Config {
        key_derivation_rate: if mode & 0x40 != 0 { 8 } else { 0 },
        max_streams: 3,
        ..Config::default()
    };
    let world = || {
        let s = || Session::new(&material, &config).unwrap();
        World {
            tx: [s(), s()],
            rx: [s(), s()],
        }
    };
    let (mut single, mut paired) = (world(), world());
    let mut seq = [u16::from(byte(&mut data)) << 8; 2];
    while data.len() >= 4 {
        let op = byte(&mut data);
        let sessions = [usize::from(op & 1), usize::from(op >> 1 & 1)];
        let ssrcs = [
            0x100 + u32::from(op >> 2 & 1),
            0x100 + u32::from(op >> 3 & 1),
        ];
        let mut bufs = Vec::new();
        for (i, &ssrc) in ssrcs.iter().enumerate() {
            let step = byte(&mut data);
            let k = (ssrc & 1) as usize;
            seq[k] = match step {
                0..=199 => seq[k].wrapping_add(u16::from(step % 3)),
                200..=239 => seq[k].wrapping_add(u16::from(step - 199).wrapping_mul(1_600)),
                _ => seq[k].wrapping_sub(u16::from(step - 239)),
            };
            let payload = take(&mut data, usize::from(op >> 4) * 13 + i);
            bufs.push(rtp(ssrc, seq[k], payload));
        }
        let bufs: [(Vec<u8>, usize); 2] = [bufs[0].clone(), bufs[1].clone()];
        let s = protect(&mut single, false, sessions, bufs.clone());
        let p = protect(&mut paired, true, sessions, bufs);
        assert_eq!(s, p, "protect");
        // Deliver: intact, altered, cut, swapped, or arbitrary bytes from the input.
        let how = byte(&mut data);
        let mut packets = [s[0].1.clone(), s[1].1.clone()];
        match how % 8 {
            0..=3 => {}
            4 => {
                let i = usize::from(how >> 3) % packets[0].len().max(1);
                if let Some(b) = packets[0].get_mut(i) {
                    *b ^= 1 << (how & 7);
                }
            }
            5 => {
                let n = packets[1].len().saturating_sub(usize::from(how >> 3));
                packets[1].truncate(n);
            }
            6 => packets.swap(0, 1),
            _ => packets[1] = take(&mut data, usize::from(how >> 3)).to_vec(),
        }
        let rx_sessions = if how % 8 == 6 {
            [sessions[1], sessions[0]]
        } else {
            sessions
        };
        let s = unprotect(&mut single, false, rx_sessions, packets.clone());
        let p = unprotect(&mut paired, true, rx_sessions, packets);
        assert_eq!(s, p, "unprotect");
    }
    for i in 0..2 {
        for ssrc in [0x100, 0x101] {
            assert_eq!(single.tx[i].roc(ssrc), paired.tx[i].roc(ssrc));
            assert_eq!(single.rx[i].roc(ssrc), paired.rx[i].roc(ssrc));
            assert_eq!(single.rx[i].len(), paired.rx[i].len());
        }
    }
});
