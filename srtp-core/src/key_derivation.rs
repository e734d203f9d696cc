//! Session key derivation: the AES-CM PRF of RFC 3711 §4.3.1 and §4.3.3, keyed with AES-128, or
//! with AES-256 for a 256-bit master key (`AES_256_CM_PRF`, RFC 6188 §3; RFC 7714 §11).

use zeroize::Zeroize;

#[cfg(any(feature = "gcm", feature = "ring"))]
use crate::crypto::aes_cm::Aes256Cm;
use crate::crypto::aes_cm::AesCm;

/// The key derivation labels of RFC 3711 §4.3.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Label {
    /// SRTP encryption key.
    RtpEncryption = 0x00,
    /// SRTP authentication key.
    RtpAuthentication = 0x01,
    /// SRTP salt.
    RtpSalt = 0x02,
    /// SRTCP encryption key.
    RtcpEncryption = 0x03,
    /// SRTCP authentication key.
    RtcpAuthentication = 0x04,
    /// SRTCP salt.
    RtcpSalt = 0x05,
}

/// The block cipher of the PRF: AES with the master key's size.
// Not boxed (no allocator); only built on the stack while keys are derived.
#[allow(clippy::large_enum_variant)]
enum Prf {
    /// `AES_128_CM_PRF` (RFC 3711 §4.3.3).
    Aes128(AesCm),
    /// `AES_256_CM_PRF` (RFC 6188 §3).
    #[cfg(any(feature = "gcm", feature = "ring"))]
    Aes256(Aes256Cm),
}

/// The PRF keyed with one master key and salt (RFC 3711 §4.3.1).
pub(crate) struct Kdf {
    prf: Prf,
    salt: [u8; 14],
}

impl Kdf {
    /// Keys the PRF with a 128-bit master key, or a 256-bit one (AES-256, RFC 6188 §3); `salt` is
    /// the master salt, right-padded with zeros to 112 bits when shorter (the 96-bit salt of
    /// RFC 7714 §11). [`crate::KeyingMaterial`] only holds keys of those lengths; any other is
    /// zero-padded or cut to 128 bits.
    pub(crate) fn new(master_key: &[u8], master_salt: &[u8]) -> Self {
        let mut salt = [0u8; 14];
        for (s, m) in salt.iter_mut().zip(master_salt) {
            *s = *m;
        }
        #[cfg(any(feature = "gcm", feature = "ring"))]
        if let Ok(key) = <&[u8; 32]>::try_from(master_key) {
            return Self {
                prf: Prf::Aes256(Aes256Cm::new(key)),
                salt,
            };
        }
        let mut key = [0u8; 16];
        for (k, m) in key.iter_mut().zip(master_key) {
            *k = *m;
        }
        let prf = Prf::Aes128(AesCm::new(&key));
        key.zeroize();
        Self { prf, salt }
    }

    /// Fills `out` with the key for `label` and `r = index DIV key_derivation_rate` (48 bits).
    pub(crate) fn derive(&self, label: Label, r: u64, out: &mut [u8]) {
        // x = key_id XOR master_salt, key_id = label || r, aligned right in 112 bits.
        let mut iv = [0u8; 16];
        iv.get_mut(..14)
            .unwrap_or_default()
            .copy_from_slice(&self.salt);
        let key_id = (u64::from(label as u8) << 48) | (r & 0xffff_ffff_ffff);
        for (b, k) in iv
            .get_mut(7..14)
            .unwrap_or_default()
            .iter_mut()
            .zip(&key_id.to_be_bytes()[1..])
        {
            *b ^= k;
        }
        out.fill(0);
        match &self.prf {
            Prf::Aes128(prf) => prf.apply_keystream(&iv, out),
            #[cfg(any(feature = "gcm", feature = "ring"))]
            Prf::Aes256(prf) => prf.apply_keystream(&iv, out),
        }
        iv.zeroize();
    }
}

impl Drop for Kdf {
    fn drop(&mut self) {
        self.salt.zeroize();
    }
}

/// `r` for an index: `index DIV kdr`, or 0 when the rate is 0 (RFC 3711 §4.3.1).
pub(crate) fn key_id_r(index: u64, kdr: u32) -> u64 {
    if kdr == 0 {
        0
    } else {
        index / u64::from(kdr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> alloc::vec::Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn check(key: &str, salt: &str, label: Label, r: u64, expected: &str) {
        let kdf = Kdf::new(&hex(key), &hex(salt));
        let want = hex(expected);
        let mut out = alloc::vec![0u8; want.len()];
        kdf.derive(label, r, &mut out);
        assert_eq!(out, want, "{label:?}");
    }

    /// RFC 3711 appendix B.3, key derivation rate 0.
    #[test]
    fn rfc3711_b3() {
        let (k, s) = (
            "E1F97A0D3E018BE0D64FA32C06DE4139",
            "0EC675AD498AFEEBB6960B3AABE6",
        );
        check(
            k,
            s,
            Label::RtpEncryption,
            0,
            "C61E7A93744F39EE10734AFE3FF7A087",
        );
        check(k, s, Label::RtpSalt, 0, "30CBBC08863D8C85D49DB34A9AE1");
        check(
            k,
            s,
            Label::RtpAuthentication,
            0,
            "CEBE321F6FF7716B6FD4AB49AF256A156D38BAA48F0A0ACF3C34E2359E6CDBCE\
             E049646C43D9327AD175578EF72270986371C10C9A369AC2F94A8C5FBCDDDC25\
             6D6E919A48B610EF17C2041E474035766B68642C59BBFC2F34DB60DBDFB2",
        );
    }

    /// A non-zero key derivation rate (kdr = 1, index 0x08284B49F520): the SRTP vectors of OpenSSL's
    /// SRTP KDF tests.
    #[test]
    fn nonzero_rate() {
        let (k, s) = (
            "8C307F105F79D5D2C26B1A933AE22CD5",
            "563B4C15458D977B68080242CEE1",
        );
        let r = key_id_r(0x0828_4B49_F520, 1);
        check(
            k,
            s,
            Label::RtpEncryption,
            r,
            "A920DF50EAA111D03FBE9B203121C07D",
        );
        check(
            k,
            s,
            Label::RtpAuthentication,
            r,
            "A337DC070C0DAFA942F1E3A27ACD3C9917CE4B4D",
        );
        check(k, s, Label::RtpSalt, r, "9E2BC99C86037F2AD98D72927428");
        assert_eq!(key_id_r(0x1_0000, 0x1_0000), 1);
        assert_eq!(key_id_r(12345, 0), 0);
    }

    /// RFC 6188 §7.2: `AES_256_CM_PRF` with a 256-bit master key and a 112-bit salt.
    #[cfg(any(feature = "gcm", feature = "ring"))]
    #[test]
    fn rfc6188_aes_256_prf() {
        let (k, s) = (
            "f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6",
            "3b04803de51ee7c96423ab5b78d2",
        );
        check(
            k,
            s,
            Label::RtpEncryption,
            0,
            "5ba1064e30ec51613cad926c5a28ef731ec7fb397f70a960653caf06554cd8c4",
        );
        check(k, s, Label::RtpSalt, 0, "fa31791685ca444a9e07c6c64e93");
        check(
            k,
            s,
            Label::RtpAuthentication,
            0,
            "fd9c32d39ed5fbb5a9dc96b30818454d1313dc05",
        );
    }

    /// `openssl enc -aes-256-ctr -K 000102…1f -iv a0a1a2a3a4a5a6XXa8a9aaab00000000` with XX = a7
    /// XOR the label (0, 2, 3, 5), over 32 zero bytes; salts are the first 12 bytes.
    #[cfg(any(feature = "gcm", feature = "ring"))]
    const RTP_KEY_256: &str = "b7a435ce454463b760dc82c838468a115c699625af4b93a0f8220a2a6119c5d0";
    #[cfg(any(feature = "gcm", feature = "ring"))]
    const RTP_SALT_256: &str = "944bd21c268a962cd09c674a";
    #[cfg(any(feature = "gcm", feature = "ring"))]
    const RTCP_KEY_256: &str = "3c90f52a0a13ff8a853397cadc245b9eac76b36edb4a6062bf624aa1174eebf2";
    #[cfg(any(feature = "gcm", feature = "ring"))]
    const RTCP_SALT_256: &str = "258c540cf38ddd40848ceaed";

    /// The 96-bit salt of `AEAD_AES_256_GCM` is right-padded to 112 bits (RFC 7714 §11): the
    /// session keys are the AES-256-CTR keystream from `(salt || 00 00) XOR key_id << 16`,
    /// here checked against values computed with `openssl enc -aes-256-ctr`.
    #[cfg(any(feature = "gcm", feature = "ring"))]
    #[test]
    fn aes_256_prf_with_a_gcm_salt() {
        let (k, s) = (
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
            "a0a1a2a3a4a5a6a7a8a9aaab",
        );
        check(k, s, Label::RtpEncryption, 0, RTP_KEY_256);
        check(k, s, Label::RtpSalt, 0, RTP_SALT_256);
        check(k, s, Label::RtcpEncryption, 0, RTCP_KEY_256);
        check(k, s, Label::RtcpSalt, 0, RTCP_SALT_256);
    }
}
