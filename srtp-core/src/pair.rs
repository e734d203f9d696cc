//! Two RTP packets at a time, for a relay that has several to protect or unprotect (needs
//! `alloc`): of one [`Session`] ([`Session::protect_rtp_pair`], [`Session::unprotect_rtp_pair`])
//! or of two ([`protect_rtp`], [`unprotect_rtp`]).
//!
//! With the AES-CM profiles most of a small packet's time is its HMAC-SHA1 (RFC 3711 §4.2): four
//! SHA-1 blocks for a 172-byte packet, each block's rounds waiting on the previous ones, so one
//! packet leaves the CPU's SHA unit idle most of the time. Two packets' tags are computed side by
//! side ([`rtcweb_proto::hmac::HmacKey::mac_pair`]: one chain of 4 blocks took 135 ns on SHA-NI,
//! two alternating 84–90 ns each). Whole packets through a `Session`: 1.1–1.2 times the
//! single-packet rate at 172 bytes, 1.3 times at 1212 bytes (`bash scripts/bench.sh`,
//! BENCHMARKS.md rows "pairs"). Encrypting the second packet while the first one's first block
//! is hashed was tried and measured no faster.
//!
//! Every function here returns exactly what the single-packet calls would, made in order (`a`
//! then `b`): the same bytes, the same errors, the same state after, whatever the packets are
//! (the same stream, a duplicate, a forgery, a ROC change between them). AES-GCM packets, and
//! those that need new keys (a key derivation rate), take the single-packet path.
//!
//! ```
//! use rtcweb_srtp_core::{pair, Config, KeyingMaterial, Profile, Session};
//!
//! let key = KeyingMaterial::from_key_salt(Profile::AesCm128HmacSha1_80, &[7u8; 30])?;
//! let (mut tx, mut rx) = (Session::new(&key, &Config::default())?, Session::new(&key, &Config::default())?);
//! let rtp = |seq: u8| [0x80, 0, 0, seq, 0, 0, 0, 0, 0, 0, 0, 42, 1, 2, 3, 4];
//! let (mut a, mut b) = ([0u8; 16 + 10], [0u8; 16 + 10]);
//! a[..16].copy_from_slice(&rtp(1));
//! b[..16].copy_from_slice(&rtp(2));
//! let [la, lb] = tx.protect_rtp_pair((&mut a, 16), (&mut b, 16));
//! let (la, lb) = (la?, lb?);
//! let [ra, rb] = rx.unprotect_rtp_pair(&mut a[..la], &mut b[..lb]);
//! assert_eq!((&a[..ra?], &b[..rb?]), (&rtp(1)[..], &rtp(2)[..]));
//!
//! // Two sessions (two calls a relay serves): the free functions.
//! let mut other = Session::new(&key, &Config::default())?;
//! a[..16].copy_from_slice(&rtp(3));
//! b[..16].copy_from_slice(&rtp(3));
//! let [la, lb] = pair::protect_rtp((&mut tx, &mut a, 16), (&mut other, &mut b, 16));
//! assert_eq!((la?, lb?), (26, 26));
//! # Ok::<(), rtcweb_srtp_core::Error>(())
//! ```

use crate::crypto::hmac_sha1::HmacSha1;
use crate::stream::{roc_bytes, write_tag, Precomputed};
use crate::{Error, Session};

/// An HMAC-SHA1 tag still to write: a copy of the stream's key (wiped on drop), the
/// authenticated bytes, the ROC that follows them and where the tag goes.
struct PendingTag<'b> {
    auth: HmacSha1,
    body: &'b [u8],
    roc: [u8; 4],
    dst: &'b mut [u8],
}

/// Protects `buf[..len]` in `session` but for the tag, returned to compute.
fn protect_deferred<'b>(
    session: &mut Session,
    buf: &'b mut [u8],
    len: usize,
) -> (Result<usize, Error>, Option<PendingTag<'b>>) {
    let mut pending = None;
    let result = session.protect_rtp_with(buf, len, |auth, body, roc, dst| {
        pending = Some(PendingTag {
            auth: auth.clone(),
            body,
            roc,
            dst,
        });
    });
    (result, pending)
}

/// Writes the tags: two side by side, or one alone.
fn write_tags(a: Option<PendingTag<'_>>, b: Option<PendingTag<'_>>) {
    match (a, b) {
        (Some(a), Some(b)) => {
            let [ma, mb] = HmacSha1::mac_pair((&a.auth, a.body, &a.roc), (&b.auth, b.body, &b.roc));
            write_tag(a.dst, &ma);
            write_tag(b.dst, &mb);
        }
        (Some(one), None) | (None, Some(one)) => {
            write_tag(one.dst, &one.auth.mac(one.body, &one.roc));
        }
        (None, None) => {}
    }
}

/// The tags two packets would be checked against, computed side by side when both have one
/// (`(key, authenticated length, index)` from `Session::rtp_mac_input`).
fn precompute(
    a: (Option<(&HmacSha1, usize, u64)>, &[u8]),
    b: (Option<(&HmacSha1, usize, u64)>, &[u8]),
) -> [Option<Precomputed>; 2] {
    let ((Some((ka, ea, ia)), pa), (Some((kb, eb, ib)), pb)) = (a, b) else {
        return [None, None];
    };
    let (Some(body_a), Some(body_b)) = (pa.get(..ea), pb.get(..eb)) else {
        return [None, None];
    };
    let [ma, mb] = HmacSha1::mac_pair((ka, body_a, &roc_bytes(ia)), (kb, body_b, &roc_bytes(ib)));
    [
        Some(Precomputed { index: ia, mac: ma }),
        Some(Precomputed { index: ib, mac: mb }),
    ]
}

/// [`Session::protect_rtp`] on two packets of two sessions, their tags computed side by side
/// (see the [module](self)): `a` is protected, then `b`.
pub fn protect_rtp(
    a: (&mut Session, &mut [u8], usize),
    b: (&mut Session, &mut [u8], usize),
) -> [Result<usize, Error>; 2] {
    let (ra, ta) = protect_deferred(a.0, a.1, a.2);
    let (rb, tb) = protect_deferred(b.0, b.1, b.2);
    write_tags(ta, tb);
    [ra, rb]
}

/// [`Session::unprotect_rtp`] on two packets of two sessions, their tags computed side by side
/// (see the [module](self)): `a` is unprotected, then `b`.
pub fn unprotect_rtp(
    a: (&mut Session, &mut [u8]),
    b: (&mut Session, &mut [u8]),
) -> [Result<usize, Error>; 2] {
    let [pa, pb] = precompute((a.0.rtp_mac_input(a.1), a.1), (b.0.rtp_mac_input(b.1), b.1));
    [
        a.0.unprotect_rtp_with(a.1, pa),
        b.0.unprotect_rtp_with(b.1, pb),
    ]
}

impl Session {
    /// [`Self::protect_rtp`] on two packets (`(buffer, RTP length)`), of the same SSRC or not,
    /// their tags computed side by side ([`crate::pair`]): `a` is protected, then `b`.
    pub fn protect_rtp_pair(
        &mut self,
        a: (&mut [u8], usize),
        b: (&mut [u8], usize),
    ) -> [Result<usize, Error>; 2] {
        let (ra, ta) = protect_deferred(self, a.0, a.1);
        let (rb, tb) = protect_deferred(self, b.0, b.1);
        write_tags(ta, tb);
        [ra, rb]
    }

    /// [`Self::unprotect_rtp`] on two packets, of the same SSRC or not, their tags computed side
    /// by side ([`crate::pair`]): `a` is unprotected, then `b`.
    pub fn unprotect_rtp_pair(&mut self, a: &mut [u8], b: &mut [u8]) -> [Result<usize, Error>; 2] {
        let [pa, pb] = precompute((self.rtp_mac_input(a), a), (self.rtp_mac_input(b), b));
        [
            self.unprotect_rtp_with(a, pa),
            self.unprotect_rtp_with(b, pb),
        ]
    }
}
