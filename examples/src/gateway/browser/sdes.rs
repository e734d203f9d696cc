//! SDES-SRTP on the trunk's leg (RFC 4568): keys in `a=crypto` lines of an `RTP/SAVP` audio
//! section, one per direction — each side's line keys what that side sends.
//!
//! - A trunk that offers `RTP/SAVP` (a call to a browser) gets an answer keyed by the first
//!   `a=crypto` whose suite we support (AES_CM_128_HMAC_SHA1_80 or _32, AEAD_AES_128_GCM,
//!   AEAD_AES_256_GCM; RFC 4568 §7.1.2), with its tag and a fresh key of ours. Lines with an
//!   MKI or a key lifetime are passed over (the relay sends without an MKI and never rekeys); an
//!   `RTP/SAVP` offer with no usable line is refused (488).
//! - With [`BrowserGatewayConfig::trunk_srtp`](super::BrowserGatewayConfig::trunk_srtp), the
//!   browsers' calls offer the trunk `RTP/SAVP` with one line, AES_CM_128_HMAC_SHA1_80 (the
//!   suite every SDES endpoint has); an answer without a matching line ends the call (488 to
//!   the browser): the media is never sent in the clear when SRTP was asked for.
//!
//! Keys come from the gateway's CSPRNG; [`KeyingMaterial`] wipes them on drop.

use base64::Engine as _;
use rtcweb_proto::Rng;
use rtcweb_srtp_core::dtls::SrtpSessions;
use rtcweb_srtp_core::{Config, KeyingMaterial, Profile, Session};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// The suite offered to the trunk.
pub const OFFERED_SUITE: &str = "AES_CM_128_HMAC_SHA1_80";

/// One `a=crypto` line of the trunk's SDP, owned: the tag, the suite and the decoded key‖salt
/// (wiped on drop).
#[derive(Clone)]
pub struct RemoteCrypto {
    /// The tag (echoed in the answer).
    pub tag: u32,
    /// The keying material, with its profile.
    pub key: KeyingMaterial,
}

/// `Name { suite: … }`: what a key's holder says in `Debug` (never the key).
fn debug_suite(
    f: &mut std::fmt::Formatter<'_>,
    name: &str,
    key: &KeyingMaterial,
) -> std::fmt::Result {
    f.debug_struct(name)
        .field("suite", &key.profile().sdes_name())
        .finish_non_exhaustive()
}

impl std::fmt::Debug for RemoteCrypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        debug_suite(f, "RemoteCrypto", &self.key)
    }
}

/// The usable `a=crypto` lines of an audio section, in their order: supported suite, one key
/// without MKI or lifetime.
#[must_use]
pub fn usable(
    cryptos: impl Iterator<Item = (u32, String, Option<Zeroizing<Vec<u8>>>)>,
) -> Vec<RemoteCrypto> {
    cryptos
        .filter_map(|(tag, suite, key_salt)| {
            let profile = Profile::from_sdes_name(&suite)?;
            let key = KeyingMaterial::from_key_salt(profile, &key_salt?).ok()?;
            Some(RemoteCrypto { tag, key })
        })
        .collect()
}

/// Our side of the keying: the key we send with, and the `a=crypto` value that says so.
pub struct LocalCrypto {
    /// The tag of our line (the offer's, when we answer).
    pub tag: u32,
    /// Our keying material (what we send).
    pub key: KeyingMaterial,
    /// `<tag> <suite> inline:<base64 key‖salt>` (the attribute's value).
    pub line: String,
}

impl std::fmt::Debug for LocalCrypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        debug_suite(f, "LocalCrypto", &self.key)
    }
}

impl LocalCrypto {
    /// A fresh key of `profile` from `rng`, under `tag`.
    ///
    /// # Errors
    /// The profile's key and salt lengths do not fit (never for the supported profiles).
    pub fn new(rng: &mut Rng, tag: u32, profile: Profile) -> Result<Self, String> {
        let mut key_salt = Zeroizing::new(rng.seed32().to_vec());
        key_salt.extend_from_slice(&rng.seed32()[..16]);
        let len = profile.master_key_len() + profile.master_salt_len();
        key_salt.truncate(len);
        let key = KeyingMaterial::from_key_salt(profile, &key_salt).map_err(|e| e.to_string())?;
        let b64 =
            Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(key_salt.as_slice()));
        let line = format!("{tag} {} inline:{}", profile.sdes_name(), b64.as_str());
        Ok(Self { tag, key, line })
    }
}

/// The trunk leg's SRTP: both directions' sessions, and the phone's key (a new offer or answer
/// that repeats it keeps the inbound session, RFC 4568 §7.1.4).
pub struct TrunkSrtp {
    /// `outbound` keyed by our line, `inbound` by the phone's.
    pub sessions: SrtpSessions,
    remote: KeyingMaterial,
}

impl std::fmt::Debug for TrunkSrtp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        debug_suite(f, "TrunkSrtp", &self.remote)
    }
}

impl TrunkSrtp {
    /// Both directions keyed: `local` what we send, `remote` what we receive.
    ///
    /// # Errors
    /// A key the session refuses (never for the supported profiles).
    pub fn new(local: &KeyingMaterial, remote: &KeyingMaterial) -> Result<Self, String> {
        let config = Config::default();
        Ok(Self {
            sessions: SrtpSessions {
                outbound: Session::new(local, &config).map_err(|e| e.to_string())?,
                inbound: Session::new(remote, &config).map_err(|e| e.to_string())?,
            },
            remote: remote.clone(),
        })
    }

    /// The phone's key in a new offer or answer in the call: the line with our tag and suite.
    /// The same key keeps the inbound session (its replay window and rollover counter); a new
    /// one starts a new session. Returns whether the key changed.
    ///
    /// # Errors
    /// No such line (the phone dropped SRTP or changed suite: not supported mid-call).
    pub fn update_remote(
        &mut self,
        ours: &LocalCrypto,
        offered: &[RemoteCrypto],
    ) -> Result<bool, String> {
        let theirs = matching(ours, offered)?;
        // Key material is compared in constant time, as everywhere in the family.
        let same: bool = (theirs.key.master_key().ct_eq(self.remote.master_key())
            & theirs.key.master_salt().ct_eq(self.remote.master_salt()))
        .into();
        if same {
            return Ok(false);
        }
        self.sessions.inbound =
            Session::new(&theirs.key, &Config::default()).map_err(|e| e.to_string())?;
        self.remote = theirs.key.clone();
        Ok(true)
    }
}

/// The phone's line with the tag and suite of ours.
///
/// # Errors
/// None in `lines`.
pub fn matching<'a>(
    ours: &LocalCrypto,
    lines: &'a [RemoteCrypto],
) -> Result<&'a RemoteCrypto, String> {
    let tag = ours.tag;
    lines
        .iter()
        .find(|c| c.tag == tag && c.key.profile() == ours.key.profile())
        .ok_or_else(|| {
            format!(
                "no a=crypto with tag {tag} and {} from the trunk (SRTP refused)",
                ours.key.profile().sdes_name()
            )
        })
}

/// The answer to a trunk's `RTP/SAVP` offer: the first usable line, answered with its tag and
/// suite and a key of ours; the sessions keyed.
///
/// # Errors
/// No usable line.
pub fn answer(offered: &[RemoteCrypto], rng: &mut Rng) -> Result<(LocalCrypto, TrunkSrtp), String> {
    let chosen = offered
        .first()
        .ok_or("RTP/SAVP without a usable a=crypto (suite, MKI or lifetime)")?;
    let local = LocalCrypto::new(rng, chosen.tag, chosen.key.profile())?;
    let srtp = TrunkSrtp::new(&local.key, &chosen.key)?;
    Ok((local, srtp))
}

/// The trunk's answer to our offer (`ours`): the line with our tag and suite keys what it
/// sends.
///
/// # Errors
/// No such line in the answer.
pub fn accept(ours: &LocalCrypto, answered: &[RemoteCrypto]) -> Result<TrunkSrtp, String> {
    TrunkSrtp::new(&ours.key, &matching(ours, answered)?.key)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn key_of(line: &str) -> Vec<u8> {
        let b64 = line.split("inline:").nth(1).unwrap();
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap()
    }

    /// One RTP packet protected by `from` is verified and decrypted by `to`.
    fn one_way(from: &mut TrunkSrtp, to: &mut TrunkSrtp) {
        let rtp = [0x80, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9, 1, 2, 3, 4];
        let mut buf = [0u8; 64];
        buf[..rtp.len()].copy_from_slice(&rtp);
        let n = from
            .sessions
            .outbound
            .protect_rtp(&mut buf, rtp.len())
            .unwrap();
        let plain = to.sessions.inbound.unprotect_rtp(&mut buf[..n]).unwrap();
        assert_eq!(&buf[..plain], &rtp);
    }

    #[test]
    fn an_offer_is_answered_with_its_tag_and_suite_and_both_ends_agree() {
        let mut rng = Rng::from_seed([9; 32]);
        // The trunk's offer: an unsupported suite first, then AES_CM_128_HMAC_SHA1_32.
        let trunk = LocalCrypto::new(&mut rng, 2, Profile::AesCm128HmacSha1_32).unwrap();
        let offered = usable(
            [
                (
                    1,
                    "F8_128_HMAC_SHA1_80".to_string(),
                    Some(Zeroizing::new(vec![7; 30])),
                ),
                (
                    2,
                    "AES_CM_128_HMAC_SHA1_32".into(),
                    Some(Zeroizing::new(key_of(&trunk.line))),
                ),
            ]
            .into_iter(),
        );
        assert_eq!(offered.len(), 1);
        let (ours, mut gw) = answer(&offered, &mut rng).unwrap();
        assert!(
            ours.line.starts_with("2 AES_CM_128_HMAC_SHA1_32 inline:"),
            "{}",
            ours.line
        );
        assert_eq!(key_of(&ours.line).len(), 30);
        // The trunk keys its sessions from the answer: packets go both ways.
        let answered = usable(
            [(
                2,
                "AES_CM_128_HMAC_SHA1_32".to_string(),
                Some(Zeroizing::new(key_of(&ours.line))),
            )]
            .into_iter(),
        );
        let mut phone = accept(&trunk, &answered).unwrap();
        one_way(&mut phone, &mut gw);
        one_way(&mut gw, &mut phone);
        // The phone's re-offer with the same key keeps the session; a new key replaces it.
        let ours_again = usable(
            [(
                2,
                "AES_CM_128_HMAC_SHA1_32".to_string(),
                Some(Zeroizing::new(key_of(&trunk.line))),
            )]
            .into_iter(),
        );
        assert!(!gw.update_remote(&ours, &ours_again).unwrap());
        let rekeyed = LocalCrypto::new(&mut rng, 2, Profile::AesCm128HmacSha1_32).unwrap();
        let new_line = usable(
            [(
                2,
                "AES_CM_128_HMAC_SHA1_32".to_string(),
                Some(Zeroizing::new(key_of(&rekeyed.line))),
            )]
            .into_iter(),
        );
        assert!(gw.update_remote(&ours, &new_line).unwrap());
        let mut phone2 = accept(&rekeyed, &answered).unwrap();
        one_way(&mut phone2, &mut gw);
    }

    #[test]
    fn nothing_usable_is_a_refusal_and_an_answer_without_our_line_too() {
        let mut rng = Rng::from_seed([3; 32]);
        assert!(answer(&[], &mut rng).is_err());
        // A key of the wrong length for its suite is not usable.
        assert!(usable(
            [(
                1,
                OFFERED_SUITE.to_string(),
                Some(Zeroizing::new(vec![1; 12]))
            )]
            .into_iter()
        )
        .is_empty());
        let ours = LocalCrypto::new(&mut rng, 1, Profile::AesCm128HmacSha1_80).unwrap();
        let other_tag = usable(
            [(
                5,
                OFFERED_SUITE.to_string(),
                Some(Zeroizing::new(vec![4; 30])),
            )]
            .into_iter(),
        );
        assert!(accept(&ours, &other_tag).is_err());
    }

    #[test]
    fn fresh_keys_differ() {
        let mut rng = Rng::from_seed([1; 32]);
        let a = LocalCrypto::new(&mut rng, 1, Profile::AesCm128HmacSha1_80).unwrap();
        let b = LocalCrypto::new(&mut rng, 1, Profile::AesCm128HmacSha1_80).unwrap();
        assert_ne!(key_of(&a.line), key_of(&b.line));
    }
}
