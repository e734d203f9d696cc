//! The call's session descriptions: an offer with PCMU, ICE credentials and candidates, and either
//! an SDES `a=crypto` key (RFC 4568, RTP/SAVP) or a DTLS-SRTP certificate fingerprint with
//! `a=setup:actpass` (RFC 5763, RFC 8842; UDP/TLS/RTP/SAVP); the answer from sdp-core's RFC 3264
//! offer/answer; and what each side reads back from the other's description.

use std::net::SocketAddr;

use base64::Engine as _;
use rtcweb_ice_core::candidate::{Candidate, CandidateKind};
use rtcweb_ice_core::Agent;
use rtcweb_sdp_core::offer_answer::{
    create_answer, AnswerConfig, Codec, MediaCapabilities, SdesKey,
};
use rtcweb_sdp_core::owned::Field;
use rtcweb_sdp_core::{Media, SessionDescription};

/// The one SRTP suite of the call.
pub const SUITE: &str = "AES_CM_128_HMAC_SHA1_80";

/// What a party puts into its description.
pub struct LocalMedia {
    /// RTP address (the ICE host candidate).
    pub rtp: SocketAddr,
    /// `a=ice-ufrag`, `a=ice-pwd`.
    pub ice_ufrag: String,
    /// The ICE password.
    pub ice_pwd: String,
    /// `a=candidate` values.
    pub candidates: Vec<String>,
    /// The SRTP master key || salt this party sends with (30 bytes), for SDES.
    pub key_salt: [u8; 30],
    /// DTLS-SRTP instead of SDES: our certificate's `a=fingerprint` value (`sha-256 AB:…`).
    pub fingerprint: Option<String>,
}

/// How the remote side keys SRTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteKeying {
    /// SDES: the remote master key || salt (RFC 4568).
    Sdes(Vec<u8>),
    /// DTLS-SRTP: the remote certificate's `a=fingerprint` value and its `a=setup` role
    /// (RFC 5763 §5).
    Dtls {
        /// `sha-256 AB:CD:…`.
        fingerprint: String,
        /// `active`, `passive` or `actpass`.
        setup: String,
    },
}

/// What a party reads from the other's description.
#[derive(Debug, Clone)]
pub struct RemoteMedia {
    /// `c=` address and `m=` port.
    pub rtp: SocketAddr,
    /// The remote ICE ufrag.
    pub ice_ufrag: String,
    /// The remote ICE password.
    pub ice_pwd: String,
    /// The remote candidates, converted from sdp-core's typed `a=candidate` (names such as mDNS
    /// `.local` and unknown types are left out: the agent learns peer-reflexive ones from checks).
    pub candidates: Vec<Candidate>,
    /// How the remote side keys SRTP.
    pub keying: RemoteKeying,
}

impl LocalMedia {
    /// What `ice` offers: its credentials and its local candidates (only relayed ones when
    /// `relay_only`, a browser's `iceTransportPolicy: "relay"`), RTP at `rtp`, SRTP key `key_salt`.
    pub fn from_agent(ice: &Agent, rtp: SocketAddr, key_salt: [u8; 30], relay_only: bool) -> Self {
        let (ufrag, pwd) = ice.local_credentials();
        LocalMedia {
            rtp,
            ice_ufrag: ufrag.into(),
            ice_pwd: pwd.into(),
            // `Display` writes the whole attribute value, "candidate:..."; SDP adds its own name.
            candidates: ice
                .local_candidates()
                .filter(|c| !relay_only || c.kind == CandidateKind::Relayed)
                .map(|c| {
                    let text = c.to_string();
                    text.strip_prefix("candidate:").unwrap_or(&text).to_string()
                })
                .collect(),
            key_salt,
            fingerprint: None,
        }
    }
}

fn inline(key_salt: &[u8; 30]) -> String {
    base64::engine::general_purpose::STANDARD.encode(key_salt)
}

/// The offer (RFC 3264 §5): one audio stream, PCMU and telephone-event, SRTP by SDES.
pub fn offer(local: &LocalMedia, session_id: u64) -> String {
    let ip = local.rtp.ip();
    let family = if ip.is_ipv4() { "IP4" } else { "IP6" };
    let mut s = format!(
        "v=0\r\no=rtcweb {session_id} 1 IN {family} {ip}\r\ns=rtcweb loopback call\r\n\
         c=IN {family} {ip}\r\nt=0 0\r\nm=audio {port} {proto} 0 101\r\n\
         a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n\
         a=ptime:20\r\na=sendrecv\r\na=rtcp-mux\r\na=ice-ufrag:{ufrag}\r\na=ice-pwd:{pwd}\r\n",
        port = local.rtp.port(),
        proto = if local.fingerprint.is_some() {
            "UDP/TLS/RTP/SAVP"
        } else {
            "RTP/SAVP"
        },
        ufrag = local.ice_ufrag,
        pwd = local.ice_pwd,
    );
    for c in &local.candidates {
        s.push_str(&format!("a=candidate:{c}\r\n"));
    }
    s.push_str("a=end-of-candidates\r\n");
    match &local.fingerprint {
        // RFC 5763 §5: the offerer says actpass and lets the answerer choose the DTLS role.
        Some(fp) => s.push_str(&format!("a=fingerprint:{fp}\r\na=setup:actpass\r\n")),
        None => s.push_str(&format!(
            "a=crypto:1 {SUITE} inline:{}\r\n",
            inline(&local.key_salt)
        )),
    }
    s
}

/// The answer to `offer_sdp` from sdp-core's offer/answer, with our ICE candidates added;
/// `ice_lite` marks a gateway's ICE-lite agent (RFC 8445 §2.5).
pub fn answer(offer_sdp: &[u8], local: &LocalMedia, ice_lite: bool) -> Result<String, String> {
    let offer = SessionDescription::parse(offer_sdp).map_err(|e| format!("offer: {e}"))?;
    let mut cfg = AnswerConfig::new(&local.rtp.ip().to_string(), local.rtp.port());
    cfg.origin_username = "rtcweb".into();
    cfg.bundle = false;
    cfg.ice_lite = ice_lite;
    cfg.ice_credentials = Some((local.ice_ufrag.clone(), local.ice_pwd.clone()));
    cfg.media = vec![MediaCapabilities::new(
        "audio",
        vec![
            Codec::new("PCMU", 8000, 1),
            Codec::new("telephone-event", 8000, 1),
        ],
    )];
    match &local.fingerprint {
        // RFC 8842 §5.3: the answerer to actpass takes `active` (the DTLS client).
        Some(fp) => {
            let (hash, value) = fp
                .split_once(' ')
                .ok_or("fingerprint without a hash name")?;
            cfg.fingerprint = Some((hash.into(), value.into()));
        }
        None => {
            cfg.sdes_keys = vec![SdesKey {
                suite: SUITE.into(),
                key_salt_base64: inline(&local.key_salt).into(),
            }];
        }
    }
    let mut answer = create_answer(&offer, &cfg).map_err(|e| format!("answer: {e}"))?;
    if let Some(outcome) = answer.media.first() {
        if let Some(why) = outcome.rejected {
            return Err(format!("audio rejected: {why:?}"));
        }
    }
    let section = answer
        .description
        .media
        .first_mut()
        .ok_or("answer has no media")?;
    for c in &local.candidates {
        section.push(Field::attribute("candidate", c));
    }
    section.push(Field::flag("end-of-candidates"));
    Ok(answer.description.to_string())
}

/// A plain SIP offer: RTP/AVP PCMU to `rtp`, no ICE, no SRTP — what a SIP trunk or desk phone
/// expects.
pub fn plain_offer(rtp: SocketAddr, session_id: u64) -> String {
    let ip = rtp.ip();
    let family = if ip.is_ipv4() { "IP4" } else { "IP6" };
    format!(
        "v=0\r\no=rtcweb {session_id} 1 IN {family} {ip}\r\ns=-\r\nc=IN {family} {ip}\r\nt=0 0\r\n\
         m=audio {} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n\
         a=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n",
        rtp.port()
    )
}

/// A plain answer (RFC 3264) to a plain offer, receiving RTP at `rtp`.
pub fn plain_answer(offer_sdp: &[u8], rtp: SocketAddr) -> Result<String, String> {
    let offer = SessionDescription::parse(offer_sdp).map_err(|e| format!("offer: {e}"))?;
    let mut cfg = AnswerConfig::new(&rtp.ip().to_string(), rtp.port());
    cfg.bundle = false;
    cfg.rtcp_mux = false;
    cfg.media = vec![MediaCapabilities::new(
        "audio",
        vec![Codec::new("PCMU", 8000, 1)],
    )];
    let answer = create_answer(&offer, &cfg).map_err(|e| format!("answer: {e}"))?;
    if let Some(why) = answer.media.first().and_then(|m| m.rejected) {
        return Err(format!("audio rejected: {why:?}"));
    }
    Ok(answer.description.to_string())
}

/// The first accepted audio section and its RTP address (`c=` and `m=` port).
fn audio<'a>(desc: &SessionDescription<'a>) -> Result<(Media<'a>, SocketAddr), String> {
    let audio = desc
        .media()
        .find(|m| m.media_line().media == "audio" && m.media_line().port != 0)
        .ok_or("no accepted audio section")?;
    let conn = audio
        .connection()
        .or_else(|| desc.connection())
        .ok_or("no c= line")?;
    let ip = conn.ip.ok_or("c= is not an IP address")?;
    let rtp = SocketAddr::new(ip, audio.media_line().port);
    Ok((audio, rtp))
}

/// The RTP address of the first accepted audio section.
pub fn remote_rtp(sdp: &[u8]) -> Result<SocketAddr, String> {
    let desc = SessionDescription::parse(sdp).map_err(|e| e.to_string())?;
    audio(&desc).map(|(_, rtp)| rtp)
}

/// Reads the first accepted audio section of a description: RTP address, ICE credentials
/// (media-level, else session-level), candidates and the SDES key of our suite.
pub fn remote(sdp: &[u8]) -> Result<RemoteMedia, String> {
    let desc = SessionDescription::parse(sdp).map_err(|e| e.to_string())?;
    let (audio, rtp) = audio(&desc)?;
    let attr = |name: &str| {
        audio
            .attributes()
            .find(|a| a.name == name)
            .or_else(|| desc.attributes().find(|a| a.name == name))
            .and_then(|a| a.value)
    };
    let keying = if let Some(fp) = attr("fingerprint") {
        RemoteKeying::Dtls {
            fingerprint: fp.trim().to_string(),
            setup: attr("setup").unwrap_or("actpass").trim().to_string(),
        }
    } else {
        let crypto = audio
            .cryptos()
            .find(|c| c.suite == SUITE)
            .ok_or("no a=crypto with AES_CM_128_HMAC_SHA1_80 and no a=fingerprint")?;
        let key_salt = crypto
            .key()
            .ok_or("a=crypto without a key")?
            .key_salt()
            .map_err(|e| format!("a=crypto: {e}"))?;
        RemoteKeying::Sdes(key_salt.as_bytes().to_vec())
    };
    Ok(RemoteMedia {
        rtp,
        ice_ufrag: audio
            .ice_ufrag()
            .or_else(|| desc.ice_ufrag())
            .ok_or("no a=ice-ufrag")?
            .into(),
        ice_pwd: audio
            .ice_pwd()
            .or_else(|| desc.ice_pwd())
            .ok_or("no a=ice-pwd")?
            .into(),
        candidates: audio
            .candidates()
            .filter_map(|c| Candidate::try_from(&c).ok())
            .collect(),
        keying,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(port: u16, k: u8) -> LocalMedia {
        LocalMedia {
            rtp: SocketAddr::from(([127, 0, 0, 1], port)),
            ice_ufrag: format!("ufrag{k}"),
            ice_pwd: format!("passwordOfParty{k}abcdefghij"),
            candidates: vec![format!("1 1 udp 2130706431 127.0.0.1 {port} typ host")],
            key_salt: [k; 30],
            fingerprint: None,
        }
    }

    #[test]
    fn offer_answer_round_trip() {
        let caller = local(40000, 1);
        let callee = local(40002, 2);
        let offer = offer(&caller, 42);
        let seen_by_callee = remote(offer.as_bytes()).unwrap();
        assert_eq!(seen_by_callee.rtp, caller.rtp);
        assert_eq!(seen_by_callee.keying, RemoteKeying::Sdes(vec![1; 30]));
        assert_eq!(seen_by_callee.ice_ufrag, "ufrag1");
        assert_eq!(seen_by_callee.candidates.len(), 1);
        let answer = answer(offer.as_bytes(), &callee, false).unwrap();
        let seen_by_caller = remote(answer.as_bytes()).unwrap();
        assert_eq!(seen_by_caller.rtp, callee.rtp);
        assert_eq!(seen_by_caller.keying, RemoteKeying::Sdes(vec![2; 30]));
        assert_eq!(seen_by_caller.ice_pwd, callee.ice_pwd);
        let texts: Vec<String> = seen_by_caller
            .candidates
            .iter()
            .map(|c| c.to_string().trim_start_matches("candidate:").to_string())
            .collect();
        assert_eq!(texts, callee.candidates);
        assert!(answer.contains("a=rtpmap:0 PCMU/8000"), "{answer}");
    }

    #[test]
    fn dtls_offer_answer_round_trip() {
        let fp = |b: u8| format!("sha-256 {}", vec![format!("{b:02X}"); 32].join(":"));
        let mut caller = local(40000, 1);
        caller.fingerprint = Some(fp(0xA1));
        let mut callee = local(40002, 2);
        callee.fingerprint = Some(fp(0xB2));
        let offer = offer(&caller, 42);
        assert!(
            offer.contains("UDP/TLS/RTP/SAVP") && !offer.contains("a=crypto"),
            "{offer}"
        );
        let seen_by_callee = remote(offer.as_bytes()).unwrap();
        assert_eq!(
            seen_by_callee.keying,
            RemoteKeying::Dtls {
                fingerprint: fp(0xA1),
                setup: "actpass".into()
            }
        );
        let answer = answer(offer.as_bytes(), &callee, false).unwrap();
        let seen_by_caller = remote(answer.as_bytes()).unwrap();
        assert_eq!(
            seen_by_caller.keying,
            RemoteKeying::Dtls {
                fingerprint: fp(0xB2),
                setup: "active".into()
            }
        );
    }

    #[test]
    fn plain_offer_answer() {
        let a = SocketAddr::from(([127, 0, 0, 1], 30000));
        let b = SocketAddr::from(([127, 0, 0, 1], 30002));
        let offer = plain_offer(a, 7);
        assert_eq!(remote_rtp(offer.as_bytes()).unwrap(), a);
        let answer = plain_answer(offer.as_bytes(), b).unwrap();
        assert_eq!(remote_rtp(answer.as_bytes()).unwrap(), b);
        assert!(
            !answer.contains("crypto") && !answer.contains("ice-"),
            "{answer}"
        );
    }
}
