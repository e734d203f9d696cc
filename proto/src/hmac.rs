//! HMAC (RFC 2104) with the inner and outer hash states computed once per key and wiped on drop:
//! the family's one mechanism for keyed MACs (STUN MESSAGE-INTEGRITY(-SHA256), SIP digest nonces).
//!
//! `hmac::Hmac<Sha1>` keeps key-derived `ipad`/`opad` states that it cannot zeroize. Here a key is
//! two bare compression-function states (the hash state after the `ipad` block and after the
//! `opad` block) in a [`ZeroizeOnDrop`] type, and every running MAC ([`Mac`]) wipes its chaining
//! state on drop
//! too, since its state is derived from the key. Each message then costs only its own blocks plus
//! one outer block: the key is never hashed again.
//!
//! ```
//! use rtcweb_proto::hmac::{HmacKey, Sha1};
//! // RFC 2202 test case 2.
//! let key = HmacKey::<Sha1>::new(b"Jefe");
//! let mut mac = key.start();
//! mac.update(b"what do ya want ");
//! mac.update(b"for nothing?");
//! assert_eq!(mac.finalize()[..4], [0xef, 0xfc, 0xdf, 0x6a]);
//! ```

use sha1::digest::array::Array;
use sha1::digest::typenum::U64;
use zeroize::{Zeroize, ZeroizeOnDrop};

const BLOCK: usize = 64;

/// The whole 64-byte blocks at the start of `data` (viewed in place, not copied) and the rest.
fn blocks(data: &[u8]) -> (&[[u8; BLOCK]], &[u8]) {
    let (blocks, rest) = Array::<u8, U64>::slice_as_chunks(data);
    (Array::cast_slice_to_core(blocks), rest)
}

/// Copies `src` to the start of `dst` (as much as fits) in fixed-size moves. For the few bytes
/// around a message's last block a variable-length `copy_from_slice` is a call to `memcpy`, which
/// cost a 172-byte SRTP packet's MAC about 4 ns a copy.
#[inline(always)]
fn copy_short(dst: &mut [u8], src: &[u8]) {
    let mut from = src.chunks_exact(16);
    let mut to = dst.chunks_exact_mut(16);
    let mut done = 0;
    for (d, s) in (&mut to).zip(&mut from) {
        d.copy_from_slice(s);
        done += 16;
    }
    let rest = src.get(done..).unwrap_or_default();
    let dst = dst.get_mut(done..).unwrap_or_default();
    for (d, s) in dst.iter_mut().zip(rest) {
        *d = *s;
    }
}

/// A Merkle–Damgård hash with 64-byte blocks whose compression function HMAC drives directly.
pub trait BlockHash {
    /// The chaining state (`[u32; 5]` for SHA-1, `[u32; 8]` for SHA-256).
    type State: Copy + Zeroize + Default + AsMut<[u32]> + AsRef<[u32]>;
    /// Digest length in bytes.
    const OUTPUT: usize;
    /// The initial chaining value.
    const INIT: Self::State;
    /// Runs the compression function over consecutive blocks.
    fn compress(state: &mut Self::State, blocks: &[[u8; BLOCK]]);
    /// Hashes `data` in one go (for keys longer than a block, RFC 2104 §2).
    fn digest(data: &[u8], out: &mut [u8; 32]);
}

/// SHA-1 (MESSAGE-INTEGRITY, RFC 8489 §14.5).
#[derive(Debug, Clone, Copy)]
pub enum Sha1 {}

/// SHA-256 (MESSAGE-INTEGRITY-SHA256, RFC 8489 §14.6; digest nonces).
#[derive(Debug, Clone, Copy)]
pub enum Sha256 {}

impl BlockHash for Sha1 {
    type State = [u32; 5];
    const OUTPUT: usize = 20;
    const INIT: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    #[inline]
    fn compress(state: &mut [u32; 5], blocks: &[[u8; BLOCK]]) {
        sha1::block_api::compress(state, blocks);
    }
    fn digest(data: &[u8], out: &mut [u8; 32]) {
        use sha1::Digest as _;
        let d = sha1::Sha1::digest(data);
        out.iter_mut().zip(d.iter()).for_each(|(o, d)| *o = *d);
    }
}

impl BlockHash for Sha256 {
    type State = [u32; 8];
    const OUTPUT: usize = 32;
    const INIT: [u32; 8] = [
        0x6a09_e667,
        0xbb67_ae85,
        0x3c6e_f372,
        0xa54f_f53a,
        0x510e_527f,
        0x9b05_688c,
        0x1f83_d9ab,
        0x5be0_cd19,
    ];
    #[inline]
    fn compress(state: &mut [u32; 8], blocks: &[[u8; BLOCK]]) {
        // sha2 0.10 takes `GenericArray` blocks: one call per block (SHA-256 HMAC is not on a
        // per-packet path).
        for b in blocks {
            sha2::compress256(
                state,
                core::slice::from_ref(sha2::digest::generic_array::GenericArray::from_slice(b)),
            );
        }
    }
    fn digest(data: &[u8], out: &mut [u8; 32]) {
        use sha2::Digest as _;
        let d = sha2::Sha256::digest(data);
        out.iter_mut().zip(d.iter()).for_each(|(o, d)| *o = *d);
    }
}

/// A key for HMAC over `H`: the states after the `ipad` and `opad` blocks. Zeroized on drop.
pub struct HmacKey<H: BlockHash> {
    inner: H::State,
    outer: H::State,
}

impl<H: BlockHash> Clone for HmacKey<H> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner,
            outer: self.outer,
        }
    }
}

impl<H: BlockHash> core::fmt::Debug for HmacKey<H> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("HmacKey(..)")
    }
}

impl<H: BlockHash> Drop for HmacKey<H> {
    fn drop(&mut self) {
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

impl<H: BlockHash> ZeroizeOnDrop for HmacKey<H> {}

impl<H: BlockHash> HmacKey<H> {
    /// Keys HMAC with `key` of any length (hashed first when longer than a block, RFC 2104 §2).
    #[must_use]
    pub fn new(key: &[u8]) -> Self {
        let mut pad = [0u8; BLOCK];
        if key.len() > BLOCK {
            let mut d = [0u8; 32];
            H::digest(key, &mut d);
            pad.iter_mut()
                .zip(d.iter().take(H::OUTPUT))
                .for_each(|(p, k)| *p = *k);
            d.zeroize();
        } else {
            pad.iter_mut().zip(key).for_each(|(p, k)| *p = *k);
        }
        pad.iter_mut().for_each(|p| *p ^= 0x36);
        let mut inner = H::INIT;
        H::compress(&mut inner, core::slice::from_ref(&pad));
        pad.iter_mut().for_each(|p| *p ^= 0x36 ^ 0x5c);
        let mut outer = H::INIT;
        H::compress(&mut outer, core::slice::from_ref(&pad));
        pad.zeroize();
        Self { inner, outer }
    }

    /// A running MAC over a message fed piecewise.
    #[must_use]
    pub fn start(&self) -> Mac<'_, H> {
        Mac {
            key: self,
            state: self.inner,
            buf: [0; BLOCK],
            used: 0,
            total: BLOCK as u64,
        }
    }

    /// The MAC of `message` in one call (the first `H::OUTPUT` bytes of the result are the tag).
    #[must_use]
    pub fn mac(&self, message: &[u8]) -> [u8; 32] {
        self.mac_with_trailer(message, &[])
    }

    /// The MAC of `message || trailer` in one call, without moving the message: its whole
    /// blocks are hashed where they lie, and only its last partial block, the trailer and the
    /// padding are written to the stack. SRTP's tag is this over `packet || ROC` (RFC 3711
    /// §4.2); a trailer longer than a block takes the streaming path.
    #[must_use]
    pub fn mac_with_trailer(&self, message: &[u8], trailer: &[u8]) -> [u8; 32] {
        if trailer.len() > BLOCK {
            let mut m = self.start();
            m.update(message);
            m.update(trailer);
            return m.finalize();
        }
        // Not through `Padded`: the whole blocks hashed before the last ones are written measured
        // 5 ns faster per 172-byte SRTP packet.
        let mut state = self.inner;
        let (whole, tail) = blocks(message);
        if !whole.is_empty() {
            H::compress(&mut state, whole);
        }
        let mut last = [0u8; 3 * BLOCK];
        let used = pad_end(&mut last, tail, trailer, message.len());
        H::compress(&mut state, blocks(last.get(..used).unwrap_or_default()).0);
        let out = self.outer_of(&state);
        state.zeroize();
        out
    }

    /// The MACs of two messages at once, `a` and `b` each a key, a message and a trailer (as
    /// [`Self::mac_with_trailer`]; the keys may differ). The two hash chains run side by side:
    /// their compression-function calls alternate block by block, so the CPU works on one while
    /// the other waits. A SHA-1 block's rounds depend on each other and leave the hardware idle
    /// most of the time: one 176-byte message (a 172-byte SRTP packet and its ROC, 4 blocks)
    /// took 136 ns on SHA-NI, two together 84 ns each (`rtcweb-srtp-core`'s pair functions).
    #[must_use]
    pub fn mac_pair(a: (&Self, &[u8], &[u8]), b: (&Self, &[u8], &[u8])) -> [[u8; 32]; 2] {
        let ((key_a, message_a, trailer_a), (key_b, message_b, trailer_b)) = (a, b);
        if trailer_a.len() > BLOCK || trailer_b.len() > BLOCK {
            return [
                key_a.mac_with_trailer(message_a, trailer_a),
                key_b.mac_with_trailer(message_b, trailer_b),
            ];
        }
        let (pa, pb) = (
            Padded::new(message_a, trailer_a),
            Padded::new(message_b, trailer_b),
        );
        let (mut sa, mut sb) = (key_a.inner, key_b.inner);
        for i in 0..pa.blocks().max(pb.blocks()) {
            if let Some(block) = pa.block(i) {
                H::compress(&mut sa, block);
            }
            if let Some(block) = pb.block(i) {
                H::compress(&mut sb, block);
            }
        }
        let (ob, oa) = (key_b.outer_block(&sb), key_a.outer_block(&sa));
        sa.zeroize();
        sb.zeroize();
        let (mut ta, mut tb) = (key_a.outer, key_b.outer);
        H::compress(&mut ta, core::slice::from_ref(&oa));
        H::compress(&mut tb, core::slice::from_ref(&ob));
        let out = [digest_of::<H>(&ta), digest_of::<H>(&tb)];
        ta.zeroize();
        tb.zeroize();
        out
    }

    /// The outer hash over an inner chaining state: one padded block, HMAC's outer message
    /// being the 64-byte `opad` block and the inner digest.
    fn outer_of(&self, inner: &H::State) -> [u8; 32] {
        let block = self.outer_block(inner);
        let mut state = self.outer;
        H::compress(&mut state, core::slice::from_ref(&block));
        let out = digest_of::<H>(&state);
        state.zeroize();
        out
    }

    /// The outer hash's one block: the inner digest, padded.
    fn outer_block(&self, inner: &H::State) -> [u8; BLOCK] {
        let mut block = [0u8; BLOCK];
        for (o, w) in block.chunks_exact_mut(4).zip(inner.as_ref()) {
            o.copy_from_slice(&w.to_be_bytes());
        }
        if let Some(b) = block.get_mut(H::OUTPUT) {
            *b = 0x80;
        }
        if let Some(dst) = block.get_mut(BLOCK - 8..) {
            dst.copy_from_slice(&(((BLOCK + H::OUTPUT) as u64) * 8).to_be_bytes());
        }
        block
    }
}

/// A chaining state as the big-endian digest bytes (the first `H::OUTPUT` of 32 are used).
fn digest_of<H: BlockHash>(state: &H::State) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (o, w) in out.chunks_exact_mut(4).zip(state.as_ref()) {
        o.copy_from_slice(&w.to_be_bytes());
    }
    out
}

/// Writes a message's end into `last` (zeroed, 3 blocks): its last partial block `tail`, the
/// `trailer` (at most a block), `0x80` and the bit length of `ipad block || message || trailer`
/// (`message_len` bytes of message, RFC 2104 §2); returns the bytes used, 1 to 3 blocks.
#[inline(always)]
fn pad_end(last: &mut [u8], tail: &[u8], trailer: &[u8], message_len: usize) -> usize {
    let end = tail.len() + trailer.len();
    let used = (end + 9).div_ceil(BLOCK) * BLOCK;
    let total = (BLOCK + message_len + trailer.len()) as u64;
    copy_short(last, tail);
    copy_short(last.get_mut(tail.len()..).unwrap_or_default(), trailer);
    if let Some(b) = last.get_mut(end) {
        *b = 0x80;
    }
    if let Some(dst) = last.get_mut(used - 8..used) {
        dst.copy_from_slice(&total.wrapping_mul(8).to_be_bytes());
    }
    used
}

/// `message || trailer` with its padding as the compression function reads it: the message's
/// whole blocks where they lie, then its last partial block, the trailer (at most a block), the
/// `0x80` byte and the length, in at most 3 blocks on the stack. The length counts the key's
/// `ipad` block in front (RFC 2104 §2).
struct Padded<'m> {
    whole: &'m [[u8; BLOCK]],
    last: [[u8; BLOCK]; 3],
    last_blocks: usize,
}

impl<'m> Padded<'m> {
    #[inline(always)]
    fn new(message: &'m [u8], trailer: &[u8]) -> Self {
        let (whole, tail) = blocks(message);
        let mut last = [[0u8; BLOCK]; 3];
        let used = pad_end(last.as_flattened_mut(), tail, trailer, message.len());
        Self {
            whole,
            last,
            last_blocks: used / BLOCK,
        }
    }

    /// The padded end: 1 to 3 blocks.
    fn last(&self) -> &[[u8; BLOCK]] {
        self.last.get(..self.last_blocks).unwrap_or_default()
    }

    fn blocks(&self) -> usize {
        self.whole.len() + self.last_blocks
    }

    /// Block `i` of the padded message, as a one-block slice.
    fn block(&self, i: usize) -> Option<&[[u8; BLOCK]]> {
        match i.checked_sub(self.whole.len()) {
            None => self.whole.get(i..=i),
            Some(j) => self.last().get(j..=j),
        }
    }
}

/// A MAC in progress. Its chaining state derives from the key (before any whole block of the
/// message it *is* the key's inner state), so it is wiped on drop; the buffered message bytes,
/// the inner digest and the tag are not key-equivalent and are left to the caller, which keeps
/// the per-packet cost of SRTP's authentication at a few stores.
pub struct Mac<'k, H: BlockHash> {
    key: &'k HmacKey<H>,
    state: H::State,
    buf: [u8; BLOCK],
    used: usize,
    /// Bytes hashed so far, the `ipad` block included.
    total: u64,
}

impl<H: BlockHash> Drop for Mac<'_, H> {
    fn drop(&mut self) {
        self.state.zeroize();
    }
}

impl<H: BlockHash> Mac<'_, H> {
    /// Feeds more of the message.
    pub fn update(&mut self, mut data: &[u8]) {
        self.total = self.total.wrapping_add(data.len() as u64);
        if self.used > 0 {
            let take = (BLOCK - self.used).min(data.len());
            let (head, rest) = data.split_at(take);
            if let Some(dst) = self.buf.get_mut(self.used..self.used + take) {
                dst.copy_from_slice(head);
            }
            self.used += take;
            data = rest;
            if self.used < BLOCK {
                return;
            }
            H::compress(&mut self.state, core::slice::from_ref(&self.buf));
            self.used = 0;
        }
        // Whole blocks are hashed where they lie, in one call; only the rest is buffered.
        let (whole, rest) = blocks(data);
        if !whole.is_empty() {
            H::compress(&mut self.state, whole);
        }
        if let Some(dst) = self.buf.get_mut(..rest.len()) {
            dst.copy_from_slice(rest);
        }
        self.used = rest.len();
    }

    /// Pads `state`'s message of `total` bytes whose last `used` bytes are in `buf`, and
    /// hashes the padded end.
    fn pad_and_compress(state: &mut H::State, buf: &mut [u8; BLOCK], used: usize, total: u64) {
        let bits = total.wrapping_mul(8).to_be_bytes();
        if let Some(b) = buf.get_mut(used) {
            *b = 0x80;
        }
        if let Some(rest) = buf.get_mut(used + 1..) {
            rest.fill(0);
        }
        if used + 1 > BLOCK - 8 {
            H::compress(state, core::slice::from_ref(buf));
            buf.fill(0);
        }
        if let Some(len) = buf.get_mut(BLOCK - 8..) {
            len.copy_from_slice(&bits);
        }
        H::compress(state, core::slice::from_ref(buf));
    }

    /// The first `N` bytes of the tag (`N` = 20 for the whole HMAC-SHA1 tag); the rest is wiped.
    #[must_use]
    pub fn finalize_truncated<const N: usize>(self) -> [u8; N] {
        let full = self.finalize();
        let mut tag = [0u8; N];
        tag.iter_mut().zip(full).for_each(|(t, f)| *t = f);
        tag
    }

    /// The tag: the first `H::OUTPUT` bytes (20 for SHA-1, 32 for SHA-256) of the result.
    #[must_use]
    pub fn finalize(mut self) -> [u8; 32] {
        let (used, total) = (self.used, self.total);
        Self::pad_and_compress(&mut self.state, &mut self.buf, used, total);
        self.key.outer_of(&self.state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (o, i) in out.iter_mut().zip((0..s.len()).step_by(2)) {
            *o = u8::from_str_radix(&s[i..i + 2], 16).unwrap();
        }
        out
    }

    /// Two MACs side by side equal two MACs one after the other, for every pair of lengths
    /// across the one/two/three final block boundaries, different keys, SHA-1 and SHA-256.
    #[test]
    fn mac_pair_equals_two_macs() {
        fn check<H: BlockHash>() {
            let (ka, kb) = (
                HmacKey::<H>::new(b"first key"),
                HmacKey::<H>::new(&[7u8; 90]),
            );
            let msg: [u8; 200] = core::array::from_fn(|i| (i * 13) as u8);
            let long_trailer = [5u8; 70];
            for la in (0..200).step_by(7) {
                for lb in [0, 1, 54, 55, 56, 63, 64, 119, 120, 128, 172, 199] {
                    for (ta, tb) in [
                        (&[][..], &[1u8, 2, 3, 4][..]),
                        (&[9u8; 4][..], &[][..]),
                        (&long_trailer[..], &[3u8; 4][..]),
                    ] {
                        let pair = HmacKey::mac_pair((&ka, &msg[..la], ta), (&kb, &msg[..lb], tb));
                        assert_eq!(pair[0], ka.mac_with_trailer(&msg[..la], ta), "a {la} {lb}");
                        assert_eq!(pair[1], kb.mac_with_trailer(&msg[..lb], tb), "b {la} {lb}");
                    }
                }
            }
        }
        check::<Sha1>();
        check::<Sha256>();
    }

    #[test]
    fn rfc2202_hmac_sha1() {
        let cases: [(&[u8], &[u8], &str); 3] = [
            (
                &[0x0b; 20],
                b"Hi There",
                "b617318655057264e28bc0b6fb378c8ef146be00",
            ),
            (
                b"Jefe",
                b"what do ya want for nothing?",
                "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
            ),
            (
                &[0xaa; 80],
                b"Test Using Larger Than Block-Size Key - Hash Key First",
                "aa4ae5e15272d00e95705637ce8a3b55ed402112",
            ),
        ];
        for (k, m, want) in cases {
            assert_eq!(HmacKey::<Sha1>::new(k).mac(m)[..20], hex(want)[..20]);
        }
    }

    #[test]
    fn rfc4231_hmac_sha256() {
        let k = HmacKey::<Sha256>::new(&[0x0b; 20]);
        assert_eq!(
            k.mac(b"Hi There"),
            hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        );
        let k = HmacKey::<Sha256>::new(&[0xaa; 131]);
        assert_eq!(
            k.mac(b"Test Using Larger Than Block-Size Key - Hash Key First"),
            hex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        );
    }

    #[test]
    fn one_shot_with_trailer_equals_streaming_at_every_length() {
        let key = HmacKey::<Sha1>::new(b"key");
        let key256 = HmacKey::<Sha256>::new(b"key");
        let msg: [u8; 300] = core::array::from_fn(|i| (i * 31 + 7) as u8);
        let trailer: [u8; 70] = core::array::from_fn(|i| (i * 13 + 1) as u8);
        for len in 0..msg.len() {
            for t in [0, 1, 4, 55, 56, 63, 64, 65, 70] {
                let (m, tr) = (&msg[..len], &trailer[..t]);
                let mut s = key.start();
                s.update(m);
                s.update(tr);
                assert_eq!(
                    key.mac_with_trailer(m, tr),
                    s.finalize(),
                    "len {len} trailer {t}"
                );
                let mut s = key256.start();
                s.update(m);
                s.update(tr);
                assert_eq!(
                    key256.mac_with_trailer(m, tr),
                    s.finalize(),
                    "len {len} trailer {t}"
                );
            }
        }
    }

    #[test]
    fn piecewise_equals_one_shot_at_every_split() {
        let mut msg = [0u8; 150];
        msg.iter_mut().enumerate().for_each(|(i, b)| *b = i as u8);
        let key = HmacKey::<Sha256>::new(b"key");
        let whole = key.mac(&msg);
        for a in 0..msg.len() {
            for b in a..msg.len() {
                let mut m = key.start();
                m.update(&msg[..a]);
                m.update(&msg[a..b]);
                m.update(&msg[b..]);
                assert_eq!(m.finalize(), whole, "split {a} {b}");
            }
        }
    }
}
