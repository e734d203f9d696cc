//! srtp-core's `Session` (many SSRCs under one master key) on both sides of a link: packets
//! protected by a sending session for hundreds of SSRCs (RTP and RTCP, sequence numbers that run,
//! jump and wrap), delivered, replayed, altered or replaced by arbitrary bytes to a receiving
//! session; streams removed (RTCP BYE) and re-created, keys changed, ROCs set on the sender.
//!
//! Invariants, beyond "no panic":
//! - neither session holds more streams than `Config::max_streams`;
//! - a refused packet leaves the buffer as it was;
//! - a packet the receiver accepted once is refused when replayed — also after its SSRC was
//!   removed and came back, as long as the SSRC is among the last `max_streams` removed ones (the
//!   documented memory of removed streams); an altered copy is refused too.
#![no_main]

mod input;

use std::collections::{BTreeMap, VecDeque};

use libfuzzer_sys::fuzz_target;

use input::{byte, take};
use rtcweb_srtp_core::{Config, KeyingMaterial, Profile, Session};

fn u16_(data: &mut &[u8]) -> u16 {
    u16::from_be_bytes([byte(data), byte(data)])
}

struct Accepted {
    packet: Vec<u8>,
    rtcp: bool,
    ssrc: u32,
    /// The SSRC's epoch when accepted: it moves when the receiver forgets the SSRC's replay state.
    epoch: u32,
}

/// Mirrors the receiver's memory of removed SSRCs (`Session::remove_stream`), to know when a
/// replay may legitimately be accepted again.
struct Retired {
    order: VecDeque<u32>,
    cap: usize,
    epochs: BTreeMap<u32, u32>,
}

impl Retired {
    fn epoch(&self, ssrc: u32) -> u32 {
        self.epochs.get(&ssrc).copied().unwrap_or(0)
    }

    fn removed(&mut self, rx: &Session, ssrc: u32) {
        self.order.retain(|&s| s != ssrc);
        while self.order.len() >= self.cap.max(1) {
            if let Some(old) = self.order.pop_front() {
                if rx.stream(old).is_none() {
                    *self.epochs.entry(old).or_default() += 1;
                }
            }
        }
        self.order.push_back(ssrc);
    }
}

fn material(profile: Profile, key_salt: &[u8]) -> KeyingMaterial {
    let mut ks = [0x5au8; 30];
    ks[..key_salt.len().min(30)].copy_from_slice(&key_salt[..key_salt.len().min(30)]);
    KeyingMaterial::from_key_salt(profile, &ks[..16 + profile.master_salt_len()]).unwrap()
}

fuzz_target!(|input: &[u8]| {
    let mut data = input;
    let mode = byte(&mut data);
    let profile = match mode % 3 {
        0 => Profile::AesCm128HmacSha1_80,
        1 => Profile::AesCm128HmacSha1_32,
        _ => Profile::AeadAes128Gcm,
    };
    let config = Config {
        max_streams: [1, 4, 16, 64][usize::from((mode >> 2) % 4)],
        replay_window: [64, 16, 1024, 1][usize::from((mode >> 4) % 4)],
        ..Config::default()
    };
    // The key: 30 bytes from the input (a seed can carry the RFC/libsrtp known-answer key).
    let key = material(profile, take(&mut data, 30));
    let mut tx = Session::new(&key, &config).unwrap();
    let mut rx = Session::new(&key, &config).unwrap();
    let mut seqs: BTreeMap<u32, u16> = BTreeMap::new();
    let mut accepted: VecDeque<Accepted> = VecDeque::new();
    let mut retired = Retired {
        order: VecDeque::new(),
        cap: config.max_streams,
        epochs: BTreeMap::new(),
    };
    let ssrc_of = |b: u8, data: &mut &[u8]| -> u32 {
        if b & 0x80 != 0 {
            u32::from_be_bytes([byte(data), byte(data), byte(data), byte(data)])
        } else {
            // Hundreds of SSRCs, from a small range so that they recur.
            0x1000_0000 + u32::from(b) * 3 + u32::from(byte(data) % 3)
        }
    };
    while !data.is_empty() {
        let op = byte(&mut data);
        match op % 10 {
            0..=2 => {
                // RTP for an SSRC: the next sequence number or a jump.
                let ssrc = ssrc_of(op, &mut data);
                let seq = seqs.entry(ssrc).or_insert(0);
                *seq = if op & 0x40 != 0 {
                    u16_(&mut data)
                } else {
                    seq.wrapping_add(1)
                };
                let len = usize::from(byte(&mut data) % 64);
                let mut buf = vec![0x80, 0, 0, 0, 0, 0, 0, 0];
                buf[1] = byte(&mut data) & 0x7f;
                buf[2..4].copy_from_slice(&seq.to_be_bytes());
                buf.extend_from_slice(&ssrc.to_be_bytes());
                buf.extend_from_slice(take(&mut data, len));
                let plain = buf.len();
                buf.resize(plain + tx.rtp_overhead(), 0);
                let Ok(n) = tx.protect_rtp(&mut buf, plain) else {
                    continue;
                };
                buf.truncate(n);
                if op & 0x20 == 0 {
                    let mut p = buf.clone();
                    if rx.unprotect_rtp(&mut p).is_ok() {
                        if accepted.len() >= 256 {
                            accepted.pop_front();
                        }
                        accepted.push_back(Accepted {
                            packet: buf,
                            rtcp: false,
                            ssrc,
                            epoch: retired.epoch(ssrc),
                        });
                    } else {
                        assert_eq!(p, buf, "a refused packet is left as it was");
                    }
                }
            }
            3 => {
                // An RTCP sender report.
                let ssrc = ssrc_of(op, &mut data);
                let mut buf = vec![0x80, 200, 0, 6];
                buf.extend_from_slice(&ssrc.to_be_bytes());
                buf.extend_from_slice(&[0; 20]);
                buf.extend_from_slice(take(&mut data, 4));
                let plain = buf.len();
                buf.resize(plain + tx.rtcp_overhead(), 0);
                let Ok(n) = tx.protect_rtcp(&mut buf, plain) else {
                    continue;
                };
                buf.truncate(n);
                let mut p = buf.clone();
                if rx.unprotect_rtcp(&mut p).is_ok() {
                    if accepted.len() >= 256 {
                        accepted.pop_front();
                    }
                    accepted.push_back(Accepted {
                        packet: buf,
                        rtcp: true,
                        ssrc,
                        epoch: retired.epoch(ssrc),
                    });
                } else {
                    assert_eq!(p, buf, "a refused packet is left as it was");
                }
            }
            4 | 5 => {
                // Replay an accepted packet, as is or altered.
                let i = usize::from(u16_(&mut data));
                let Some(a) = accepted.get(i % accepted.len().max(1)) else {
                    continue;
                };
                let mut p = a.packet.clone();
                let altered = op & 0x10 != 0 && !p.is_empty();
                if altered {
                    let at = usize::from(byte(&mut data)) % p.len();
                    p[at] ^= 1 << (byte(&mut data) % 8);
                }
                let copy = p.clone();
                let r = if a.rtcp {
                    rx.unprotect_rtcp(&mut p)
                } else {
                    rx.unprotect_rtp(&mut p)
                };
                if r.is_err() {
                    assert_eq!(p, copy, "a refused packet is left as it was");
                }
                if altered || retired.epoch(a.ssrc) == a.epoch {
                    assert!(
                        r.is_err(),
                        "replayed {} packet of SSRC {:#x} accepted again (altered: {altered}): {r:?}",
                        if a.rtcp { "SRTCP" } else { "SRTP" },
                        a.ssrc
                    );
                }
            }
            6 => {
                // RTCP BYE: the receiver (and maybe the sender) forgets the stream.
                let ssrc = match accepted.get(usize::from(byte(&mut data)) % accepted.len().max(1))
                {
                    Some(a) if op & 0x40 == 0 => a.ssrc,
                    _ => ssrc_of(op, &mut data),
                };
                if rx.remove_stream(ssrc) {
                    retired.removed(&rx, ssrc);
                }
                if op & 0x20 != 0 {
                    tx.remove_stream(ssrc);
                    seqs.remove(&ssrc);
                }
            }
            7 => {
                // A whole packet from the input (e.g. the libsrtp known answer): to the
                // receiver as it is, or (bit 0x20) as plaintext protected by the sender first.
                let len = usize::from(u16_(&mut data));
                let raw = take(&mut data, len).to_vec();
                let rtcp = op & 0x10 != 0;
                let mut packet = raw.clone();
                if op & 0x20 != 0 {
                    packet.resize(raw.len() + tx.rtcp_overhead().max(tx.rtp_overhead()), 0);
                    let n = if rtcp {
                        tx.protect_rtcp(&mut packet, raw.len())
                    } else {
                        tx.protect_rtp(&mut packet, raw.len())
                    };
                    let Ok(n) = n else { continue };
                    packet.truncate(n);
                }
                let mut p = packet.clone();
                let r = if rtcp {
                    rx.unprotect_rtcp(&mut p)
                } else {
                    rx.unprotect_rtp(&mut p)
                };
                match r {
                    Err(_) => assert_eq!(p, packet, "a refused packet is left as it was"),
                    Ok(_) => {
                        let at = if rtcp { 4 } else { 8 };
                        let ssrc = packet
                            .get(at..at + 4)
                            .map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
                        if accepted.len() >= 256 {
                            accepted.pop_front();
                        }
                        accepted.push_back(Accepted {
                            packet,
                            rtcp,
                            ssrc,
                            epoch: retired.epoch(ssrc),
                        });
                    }
                }
            }
            8 => {
                // A new master key on both sides (replay state carries over).
                let key = material(profile, take(&mut data, 30));
                tx.rekey(&key);
                rx.rekey(&key);
            }
            _ => {
                // The sender's ROC moves (a late joiner, a signalled ROC).
                let ssrc = ssrc_of(op, &mut data);
                let roc = u32::from(byte(&mut data));
                let _ = tx.set_roc(ssrc, roc);
            }
        }
        assert!(
            tx.len() <= config.max_streams,
            "{} sending streams",
            tx.len()
        );
        assert!(
            rx.len() <= config.max_streams,
            "{} receiving streams",
            rx.len()
        );
    }
});
