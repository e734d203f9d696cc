//! HMAC-SHA1 (RFC 2104) as SRTP's authentication transform uses it (RFC 3711 §4.2.1): the
//! family's keyed MAC ([`rtcweb_proto::hmac`]: inner and outer states computed once per key and
//! wiped on drop, whole blocks hashed where they lie), over `packet || ROC`.

use rtcweb_proto::hmac::{HmacKey, Sha1};

/// A keyed HMAC-SHA1 for one session authentication key.
#[derive(Clone)]
pub(crate) struct HmacSha1(HmacKey<Sha1>);

impl HmacSha1 {
    /// Precomputes the states for the 160-bit session authentication key.
    pub(crate) fn new(key: &[u8; 20]) -> Self {
        Self(HmacKey::new(key))
    }

    /// HMAC-SHA1 of `message || trailer` (the packet and its ROC, RFC 3711 §4.2), the packet
    /// hashed in place.
    pub(crate) fn mac(&self, message: &[u8], trailer: &[u8]) -> [u8; 20] {
        truncate(&self.0.mac_with_trailer(message, trailer))
    }

    /// Two MACs computed side by side, each `(key, message, trailer)` as [`Self::mac`]
    /// ([`HmacKey::mac_pair`]: the two SHA-1 chains interleaved block by block).
    pub(crate) fn mac_pair(a: (&Self, &[u8], &[u8]), b: (&Self, &[u8], &[u8])) -> [[u8; 20]; 2] {
        let [ma, mb] = HmacKey::mac_pair((&a.0 .0, a.1, a.2), (&b.0 .0, b.1, b.2));
        [truncate(&ma), truncate(&mb)]
    }
}

/// The SHA-1 digest out of the family MAC's 32-byte output.
fn truncate(full: &[u8; 32]) -> [u8; 20] {
    let mut tag = [0u8; 20];
    tag.copy_from_slice(full.get(..20).unwrap_or(&[0; 20]));
    tag
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compares against a plain HMAC-SHA1 built from the `sha1` digest.
    fn check(key: &[u8; 20], msg: &[u8], trailer: &[u8]) {
        let mut ipad = [0x36u8; 64];
        let mut opad = [0x5cu8; 64];
        for i in 0..20 {
            ipad[i] ^= key[i];
            opad[i] ^= key[i];
        }
        let inner = reference_sha1(&[&ipad, msg, trailer]);
        let want = reference_sha1(&[&opad, &inner]);
        assert_eq!(
            HmacSha1::new(key).mac(msg, trailer),
            want,
            "len {}",
            msg.len()
        );
    }

    /// SHA-1 from the RFC 3174 description, independent of the crate under test.
    fn reference_sha1(parts: &[&[u8]]) -> [u8; 20] {
        let mut buf = [0u8; 1600];
        let mut len = 0;
        for p in parts {
            buf[len..len + p.len()].copy_from_slice(p);
            len += p.len();
        }
        let bits = (len as u64) * 8;
        buf[len] = 0x80;
        len += 1;
        while len % 64 != 56 {
            len += 1;
        }
        buf[len..len + 8].copy_from_slice(&bits.to_be_bytes());
        let data = &buf[..len + 8];
        let mut h: [u32; 5] = [
            0x6745_2301,
            0xEFCD_AB89,
            0x98BA_DCFE,
            0x1032_5476,
            0xC3D2_E1F0,
        ];
        for block in data.chunks_exact(64) {
            let mut w = [0u32; 80];
            for (i, c) in block.chunks_exact(4).enumerate() {
                w[i] = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
            }
            for i in 16..80 {
                w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
            }
            let [mut a, mut b, mut c, mut d, mut e] = h;
            for (i, wi) in w.iter().enumerate() {
                let (f, k) = match i {
                    0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                    20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                    40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                    _ => (b ^ c ^ d, 0xCA62_C1D6),
                };
                let t = a
                    .rotate_left(5)
                    .wrapping_add(f)
                    .wrapping_add(e)
                    .wrapping_add(k)
                    .wrapping_add(*wi);
                e = d;
                d = c;
                c = b.rotate_left(30);
                b = a;
                a = t;
            }
            for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
                *x = x.wrapping_add(y);
            }
        }
        let mut out = [0u8; 20];
        for (o, w) in out.chunks_exact_mut(4).zip(h) {
            o.copy_from_slice(&w.to_be_bytes());
        }
        out
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
        let msg: [u8; 1300] = core::array::from_fn(|i| (i * 7) as u8);
        for len in 0..msg.len() {
            check(&key, &msg[..len], &[]);
            check(&key, &msg[..len], &[1, 2, 3, 4]);
        }
    }
}
