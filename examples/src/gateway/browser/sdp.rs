//! The SDP of both legs. The browser's leg: what the gateway reads from a WebRTC description
//! (ICE credentials and candidates, `a=fingerprint`, `a=setup`, the audio section's `a=mid` and
//! codecs) and the WebRTC descriptions it writes — an answer (ICE-lite, `a=setup:passive`,
//! rtcp-mux, BUNDLE of the one audio section kept, RFC 8829 §5.3) or an offer (ICE-lite,
//! `a=setup:actpass`, RFC 5763 §5). The trunk's leg: plain RTP/AVP offers and answers.

use std::net::SocketAddr;

use rtcweb_ice_core::candidate::Candidate;
use rtcweb_ice_core::Agent;
use rtcweb_sdp_core::attribute::AttributeValue;
use rtcweb_sdp_core::description::Media;
use rtcweb_sdp_core::SessionDescription;
use rtcweb_srtp_core::dtls::{Fingerprint, HashFunction};

use super::codec::{Codec, Rtpmap};
use super::sdes::RemoteCrypto;

/// What the gateway takes from a browser's offer or answer.
#[derive(Debug, Clone)]
pub struct WebSdp {
    /// The audio section's `a=mid` (`0` when absent).
    pub mid: String,
    /// `a=ice-ufrag`.
    pub ufrag: String,
    /// `a=ice-pwd`.
    pub pwd: String,
    /// `a=fingerprint`: the browser's DTLS certificate.
    pub fingerprint: Fingerprint,
    /// `a=setup` (`actpass`, `active`, `passive`), `actpass` when absent (RFC 4145 §4).
    pub setup: String,
    /// The audio section's codecs, in the browser's order of preference.
    pub codecs: Vec<Rtpmap>,
    /// The candidates in the description (trickled ones come later, or never: ICE-lite needs none).
    pub candidates: Vec<Candidate>,
    /// Every `m=` section of the description, in order: `None` the audio section kept,
    /// `Some(lines)` one the gateway refuses (video, data channel, a second audio), written as
    /// it is answered — port 0, its `a=mid`, `inactive` (RFC 3264 §6: as many `m=` lines as
    /// offered; RFC 8843 §7.3.3: out of the BUNDLE group).
    pub sections: Vec<Option<String>>,
}

/// The `a=rtpmap` codecs of a media section, each with its `a=fmtp` parameters.
fn rtpmaps(audio: &Media<'_>) -> Vec<Rtpmap> {
    audio
        .rtpmaps()
        .map(|r| Rtpmap {
            pt: r.payload_type,
            codec: Codec {
                name: r.encoding.to_string(),
                rate: r.clock_rate,
                channels: r.channels.unwrap_or(1),
            },
            fmtp: audio
                .attributes()
                .filter(|a| a.name == "fmtp")
                .filter_map(|a| a.value)
                .find_map(|v| {
                    let (pt, params) = v.split_once(' ')?;
                    (pt.parse::<u8>().ok()? == r.payload_type).then(|| params.to_string())
                }),
        })
        .collect()
}

/// Reads a browser's description.
///
/// # Errors
/// Unparsable, no audio section, no fingerprint (DTLS-SRTP is required), no `a=rtcp-mux`, no
/// ICE credentials.
pub fn parse_web(sdp: &[u8]) -> Result<WebSdp, String> {
    let desc = SessionDescription::parse(sdp).map_err(|e| format!("SDP: {e}"))?;
    let kept = desc
        .media()
        .position(|m| m.kind() == "audio" && m.port() != 0)
        .ok_or("no audio section")?;
    let audio = desc.media().nth(kept).ok_or("no audio section")?;
    let sections = desc
        .media()
        .enumerate()
        .map(|(i, m)| (i != kept).then(|| refused_section(&m)))
        .collect();
    let f = audio
        .fingerprint()
        .or_else(|| desc.fingerprint())
        .ok_or("no a=fingerprint (DTLS-SRTP required)")?;
    // RTP and RTCP on one port (RFC 8829 §5.1.3 requires browsers to offer it): the gateway
    // listens on one port per browser leg.
    if !audio.attributes().any(|a| a.name == "rtcp-mux") {
        return Err("no a=rtcp-mux (required, RFC 8829 §5.1.3)".into());
    }
    // sdp-core's typed a=fingerprint into srtp-core's, not through text again.
    let hash = HashFunction::from_name(f.hash_function)
        .ok_or_else(|| format!("a=fingerprint: unknown hash {}", f.hash_function))?;
    let (bytes, len) = f.to_bytes();
    let fingerprint = Fingerprint::new(hash, bytes.get(..len).unwrap_or_default())
        .map_err(|e| format!("a=fingerprint: {e}"))?;
    let setup = audio
        .attributes()
        .chain(desc.attributes())
        .find(|a| a.name == "setup")
        .and_then(|a| a.value)
        .unwrap_or("actpass")
        .to_string();
    let codecs = rtpmaps(&audio);
    let candidates = audio
        .attributes()
        .filter_map(|a| match a.parse() {
            // sdp-core's typed a=candidate into the agent's, not through text again.
            Ok(AttributeValue::Candidate(c)) => Candidate::try_from(&c).ok(),
            _ => None,
        })
        .collect();
    Ok(WebSdp {
        mid: audio.mid().unwrap_or("0").to_string(),
        ufrag: audio
            .ice_ufrag()
            .or_else(|| desc.ice_ufrag())
            .ok_or("no a=ice-ufrag")?
            .to_string(),
        pwd: audio
            .ice_pwd()
            .or_else(|| desc.ice_pwd())
            .ok_or("no a=ice-pwd")?
            .to_string(),
        fingerprint,
        setup,
        codecs,
        candidates,
        sections,
    })
}

/// The answer's lines for an offered section the gateway refuses.
fn refused_section(m: &Media<'_>) -> String {
    let line = m.media_line();
    let mut s = format!(
        "m={} 0 {} {}\r\nc=IN IP4 0.0.0.0\r\n",
        line.media, line.proto, line.formats_raw
    );
    if let Some(mid) = m.mid() {
        s.push_str(&format!("a=mid:{mid}\r\n"));
    }
    s.push_str("a=inactive\r\n");
    s
}

/// The candidates of a trickle-ICE fragment (RFC 8840 `application/trickle-ice-sdpfrag`, an
/// INFO in the call's dialog): its `a=candidate` lines, typed by sdp-core as in a description.
#[must_use]
pub fn trickled_candidates(frag: &[u8]) -> Vec<Candidate> {
    let text = String::from_utf8_lossy(frag);
    text.lines()
        .filter(|l| l.starts_with("a=candidate:"))
        .filter_map(|l| {
            let c = rtcweb_sdp_core::attribute::Candidate::parse_attribute(l.trim_end()).ok()?;
            Candidate::try_from(&c).ok()
        })
        .collect()
}

/// The direction of an SDP (its first direction attribute; RFC 3264 §5.1 default sendrecv).
#[must_use]
pub fn direction(sdp: &[u8]) -> &'static str {
    let text = String::from_utf8_lossy(sdp);
    for line in text.lines() {
        match line.trim_end() {
            "a=sendonly" => return "sendonly",
            "a=recvonly" => return "recvonly",
            "a=inactive" => return "inactive",
            "a=sendrecv" => return "sendrecv",
            _ => {}
        }
    }
    "sendrecv"
}

/// The direction that answers `offered` (RFC 3264 §6.1).
#[must_use]
pub fn mirrored(offered: &str) -> &'static str {
    match offered {
        "sendonly" => "recvonly",
        "recvonly" => "sendonly",
        "inactive" => "inactive",
        _ => "sendrecv",
    }
}

/// What a WebRTC description of ours says (answer or offer).
#[derive(Debug, Clone)]
pub struct WebLocal<'a> {
    /// The ICE-lite agent of the call (credentials, host candidate).
    pub ice: &'a Agent,
    /// Our certificate's fingerprint.
    pub fingerprint: &'a Fingerprint,
    /// `a=mid` of the audio section.
    pub mid: &'a str,
    /// `passive` in an answer, `actpass` in an offer.
    pub setup: &'a str,
    /// The codecs, as payload type and name on this leg.
    pub codecs: &'a [Rtpmap],
    /// Our SSRC towards the browser.
    pub ssrc: u32,
    /// `o=` version (RFC 3264 §8: raised with every new description).
    pub version: u64,
    /// The direction attribute.
    pub direction: &'a str,
    /// The sections of the browser's description ([`WebSdp::sections`]): refused ones are
    /// written in their place, port 0; empty for our first offer (audio alone).
    pub sections: &'a [Option<String>],
}

/// A WebRTC description: ICE-lite, DTLS-SRTP, rtcp-mux, BUNDLE of the one audio section.
#[must_use]
pub fn web_description(l: &WebLocal<'_>) -> String {
    let (ufrag, pwd) = l.ice.local_credentials();
    let Some(default) = l.ice.local_candidates().next() else {
        return String::new();
    };
    let pts: Vec<String> = l.codecs.iter().map(|c| c.pt.to_string()).collect();
    let ip = default.address.ip();
    let family = if ip.is_ipv4() { "IP4" } else { "IP6" };
    let session = format!(
        "v=0\r\no=rtcweb-gateway 1 {version} IN {family} {ip}\r\ns=-\r\nt=0 0\r\na=ice-lite\r\n\
         a=group:BUNDLE {mid}\r\na=msid-semantic: WMS\r\n",
        version = l.version,
        mid = l.mid,
    );
    let mut s = format!(
        "m=audio {port} UDP/TLS/RTP/SAVPF {pts}\r\nc=IN {family} {ip}\r\na=mid:{mid}\r\n\
         a=ice-ufrag:{ufrag}\r\na=ice-pwd:{pwd}\r\na=fingerprint:{fingerprint}\r\n\
         a=setup:{setup}\r\na=rtcp-mux\r\na={direction}\r\n",
        mid = l.mid,
        port = default.address.port(),
        pts = pts.join(" "),
        fingerprint = l.fingerprint,
        setup = l.setup,
        direction = l.direction,
    );
    for c in l.codecs {
        s.push_str(&c.sdp_lines());
    }
    s.push_str(&format!("a=ssrc:{} cname:rtcweb-gateway\r\n", l.ssrc));
    for c in l.ice.local_candidates() {
        s.push_str(&format!("a={c}\r\n"));
    }
    s.push_str("a=end-of-candidates\r\n");
    if l.sections.is_empty() {
        return session + &s;
    }
    let mut out = session;
    for section in l.sections {
        out.push_str(section.as_deref().unwrap_or(&s));
    }
    out
}

/// The trunk's description: RTP at `rtp`, these codecs; plain `RTP/AVP`, or `RTP/SAVP` with
/// this `a=crypto` value (SDES, RFC 4568: [`super::sdes`]).
#[must_use]
pub fn trunk_description(
    rtp: SocketAddr,
    codecs: &[Rtpmap],
    version: u64,
    direction: &str,
    crypto: Option<&str>,
) -> String {
    let ip = rtp.ip();
    let family = if ip.is_ipv4() { "IP4" } else { "IP6" };
    let pts: Vec<String> = codecs.iter().map(|c| c.pt.to_string()).collect();
    let proto = if crypto.is_some() {
        "RTP/SAVP"
    } else {
        "RTP/AVP"
    };
    let mut s = format!(
        "v=0\r\no=rtcweb 1 {version} IN {family} {ip}\r\ns=-\r\nc=IN {family} {ip}\r\nt=0 0\r\n\
         m=audio {} {proto} {}\r\n",
        rtp.port(),
        pts.join(" ")
    );
    if let Some(line) = crypto {
        s.push_str(&format!("a=crypto:{line}\r\n"));
    }
    for c in codecs {
        s.push_str(&c.sdp_lines());
    }
    s.push_str(&format!("a=ptime:20\r\na={direction}\r\n"));
    s
}

/// What the gateway takes from the trunk's SDP: where its RTP goes, its codecs, its SRTP.
#[derive(Debug, Clone)]
pub struct TrunkSdp {
    /// The RTP address (`c=` and `m=` port).
    pub rtp: SocketAddr,
    /// The audio section's codecs, in order (static payload types without `a=rtpmap` included).
    pub codecs: Vec<Rtpmap>,
    /// The audio section is `RTP/SAVP` (SRTP, RFC 3711 §12).
    pub savp: bool,
    /// Its `a=crypto` lines the gateway can use, in order (RFC 4568; [`super::sdes::usable`]).
    pub cryptos: Vec<RemoteCrypto>,
}

/// Reads the trunk's plain SDP.
///
/// # Errors
/// Unparsable, no audio section or no connection address.
pub fn parse_trunk(sdp: &[u8]) -> Result<TrunkSdp, String> {
    let rtp = crate::call::sdp::remote_rtp(sdp)?;
    let desc = SessionDescription::parse(sdp).map_err(|e| format!("SDP: {e}"))?;
    let audio = desc
        .media()
        .find(|m| m.kind() == "audio")
        .ok_or("no audio section")?;
    let mapped = rtpmaps(&audio);
    // The m= line's formats in order; static types (RFC 3551) need no rtpmap.
    let mut codecs = Vec::new();
    for f in audio.media_line().formats() {
        let Ok(pt) = f.parse::<u8>() else { continue };
        if let Some(m) = mapped.iter().find(|m| m.pt == pt) {
            codecs.push(m.clone());
        } else if let Some(codec) = Codec::of_static(pt) {
            codecs.push(Rtpmap {
                pt,
                codec,
                fmtp: None,
            });
        }
    }
    let savp = audio.media_line().proto.eq_ignore_ascii_case("RTP/SAVP");
    let cryptos = super::sdes::usable(audio.cryptos().map(|c| {
        // One key without MKI or lifetime (the relay sends no MKI and never rekeys).
        let key = c
            .key()
            .filter(|k| k.mki.is_none() && k.lifetime.is_none() && c.key_params().count() == 1)
            .and_then(|k| k.key_salt().ok())
            .map(|k| zeroize::Zeroizing::new(k.as_bytes().to_vec()));
        (c.tag, c.suite.to_string(), key)
    }));
    Ok(TrunkSdp {
        rtp,
        codecs,
        savp,
        cryptos,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use rtcweb_ice_core::candidate::CandidateKind;

    /// A Chrome-shaped offer: the typed a=candidate and a=fingerprint of sdp-core go into
    /// ice-core's and srtp-core's types; an mDNS host name (unresolved) and a TCP candidate
    /// are kept out or typed as they are, never reparsed from text.
    #[test]
    fn typed_candidates_and_fingerprint_from_the_offer() {
        let fp = "sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
        let sdp = format!(
            "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n\
m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n\
a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdef012345\r\na=fingerprint:{fp}\r\n\
a=setup:actpass\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\n\
a=candidate:1 1 udp 2122260223 192.0.2.7 50000 typ host generation 0\r\n\
a=candidate:2 1 udp 2122260222 3f2c1b0a-1111-2222-3333-444455556666.local 50001 typ host\r\n\
a=candidate:3 1 tcp 1518280447 192.0.2.7 9 typ host tcptype active\r\n"
        );
        let web = parse_web(sdp.as_bytes()).unwrap();
        assert_eq!(web.fingerprint.to_string(), fp);
        assert_eq!(web.mid, "0");
        let udp: Vec<_> = web
            .candidates
            .iter()
            .filter(|c| c.address == "192.0.2.7:50000".parse().unwrap())
            .collect();
        assert_eq!(udp.len(), 1);
        assert_eq!(udp[0].kind, CandidateKind::Host);
        assert_eq!(udp[0].priority, 2_122_260_223);
        assert!(
            web.candidates
                .iter()
                .all(|c| !c.address.ip().is_unspecified()),
            "the mDNS name is not a candidate address"
        );
        assert_eq!(
            web.candidates.len(),
            2,
            "UDP host and TCP active; not the .local name"
        );
        // The same offer without a=rtcp-mux is refused: RTCP would go to a port we do not have.
        let no_mux = sdp.replace("a=rtcp-mux\r\n", "");
        assert!(parse_web(no_mux.as_bytes())
            .unwrap_err()
            .contains("rtcp-mux"));
        // Trickled candidates (RFC 8840 sdpfrag): the same typed conversion.
        let frag =
            "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdef012345\r\nm=audio 9 RTP/AVP 0\r\n\
a=mid:0\r\na=candidate:1 1 udp 2122260223 192.0.2.8 50002 typ host\r\na=end-of-candidates\r\n";
        let trickled = trickled_candidates(frag.as_bytes());
        assert_eq!(trickled.len(), 1);
        assert_eq!(trickled[0].address, "192.0.2.8:50002".parse().unwrap());
        assert!(trickled_candidates(b"\xff garbage a=candidate:").is_empty());
    }

    /// An offer of video, audio and a data channel, in that order: the answer has the three
    /// `m=` lines in the offer's order (RFC 3264 §6), the audio one accepted and alone in the
    /// BUNDLE group, the others refused with port 0 and their `a=mid` (RFC 8843 §7.3.3).
    #[test]
    fn refused_sections_keep_their_place_in_the_answer() {
        let fp = "sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
        let offer = format!(
            "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE v a d\r\n\
a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdef012345\r\na=fingerprint:{fp}\r\n\
m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 0.0.0.0\r\na=mid:v\r\na=rtcp-mux\r\n\
m=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\na=mid:a\r\na=rtcp-mux\r\n\
a=setup:actpass\r\na=rtpmap:0 PCMU/8000\r\n\
m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:d\r\n"
        );
        let web = parse_web(offer.as_bytes()).unwrap();
        assert_eq!(web.mid, "a");
        assert_eq!(web.sections.len(), 3);
        assert!(web.sections[1].is_none());
        let mut ice = Agent::new(rtcweb_ice_core::AgentConfig::lite(), [3; 32]);
        ice.add_local_host("192.0.2.1:4000".parse().unwrap())
            .unwrap();
        let codecs = [Rtpmap {
            pt: 0,
            codec: Codec {
                name: "PCMU".into(),
                rate: 8000,
                channels: 1,
            },
            fmtp: None,
        }];
        let answer = web_description(&WebLocal {
            ice: &ice,
            fingerprint: &web.fingerprint,
            mid: &web.mid,
            setup: "passive",
            codecs: &codecs,
            ssrc: 1,
            version: 1,
            direction: "sendrecv",
            sections: &web.sections,
        });
        let desc = SessionDescription::parse(answer.as_bytes()).unwrap();
        let m: Vec<(String, u16, Option<String>)> = desc
            .media()
            .map(|m| (m.kind().to_string(), m.port(), m.mid().map(str::to_string)))
            .collect();
        assert_eq!(
            m,
            [
                ("video".into(), 0, Some("v".into())),
                ("audio".into(), 4000, Some("a".into())),
                ("application".into(), 0, Some("d".into())),
            ]
        );
        assert!(answer.contains("a=group:BUNDLE a\r\n"));
        assert!(answer.contains("m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n"));
    }
}

#[cfg(test)]
mod trunk_tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use rtcweb_srtp_core::Profile;

    /// baresip's answer with `mediaenc=srtp-mand` (as captured): `RTP/SAVP`, its key in the
    /// `a=crypto` line after the other attributes.
    pub(super) const BARESIP: &str =
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
m=audio 42910 RTP/SAVP 0 126\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:126 telephone-event/8000\r\n\
a=fmtp:126 0-15\r\na=sendrecv\r\na=label:1\r\na=ssrc:1438647544 cname:sip:baresip@127.0.0.1\r\n\
a=minptime:20\r\na=ptime:20\r\n\
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:YPE2DvsIghPa7YWKUTSxcT9a0HXIF2X4zfXYYY4h\r\n";

    #[test]
    fn an_srtp_answer_gives_its_key_and_lines_with_mki_or_lifetime_are_passed_over() {
        let t = parse_trunk(BARESIP.as_bytes()).unwrap();
        assert!(t.savp);
        assert_eq!(t.cryptos.len(), 1);
        let c = &t.cryptos[0];
        assert_eq!(c.tag, 1);
        assert_eq!(c.key.profile(), Profile::AesCm128HmacSha1_80);
        let raw = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            "YPE2DvsIghPa7YWKUTSxcT9a0HXIF2X4zfXYYY4h",
        )
        .unwrap();
        assert_eq!(c.key.master_key(), &raw[..16]);
        assert_eq!(c.key.master_salt(), &raw[16..]);
        let with_mki = BARESIP.replace("YYY4h\r\n", "YYY4h|1:4\r\n");
        assert!(parse_trunk(with_mki.as_bytes()).unwrap().cryptos.is_empty());
        let with_lifetime = BARESIP.replace("YYY4h\r\n", "YYY4h|2^20\r\n");
        assert!(parse_trunk(with_lifetime.as_bytes())
            .unwrap()
            .cryptos
            .is_empty());
        let plain = BARESIP.replace("RTP/SAVP", "RTP/AVP");
        assert!(!parse_trunk(plain.as_bytes()).unwrap().savp);
    }
}

/// Hostile descriptions (from a trunk or a browser, both on the network): every prefix, every
/// line left out, and every byte replaced, of a real offer of each kind, are read without a
/// panic; what is read keeps its invariants.
#[cfg(test)]
mod hostile_tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;

    const CHROME: &[u8] = include_bytes!("../../../../bench/data/sdp_chrome_offer.txt");

    fn variants(sdp: &[u8]) -> Vec<Vec<u8>> {
        let mut v: Vec<Vec<u8>> = (0..=sdp.len()).map(|n| sdp[..n].to_vec()).collect();
        let lines: Vec<&[u8]> = sdp.split_inclusive(|b| *b == b'\n').collect();
        for i in 0..lines.len() {
            let mut without = Vec::new();
            for (j, l) in lines.iter().enumerate() {
                if i != j {
                    without.extend_from_slice(l);
                }
            }
            v.push(without);
        }
        for i in 0..sdp.len() {
            for b in [b'9', 0xff] {
                let mut m = sdp.to_vec();
                m[i] = b;
                v.push(m);
            }
        }
        v
    }

    fn check_trunk(t: &TrunkSdp) {
        assert!(t.codecs.iter().all(|c| c.pt < 128));
        for c in &t.cryptos {
            let p = c.key.profile();
            assert_eq!(c.key.master_key().len(), p.master_key_len());
            assert_eq!(c.key.master_salt().len(), p.master_salt_len());
        }
    }

    #[test]
    fn trunk_descriptions_never_panic() {
        for base in [trunk_tests::BARESIP.as_bytes(), CHROME] {
            for v in variants(base) {
                if let Ok(t) = parse_trunk(&v) {
                    check_trunk(&t);
                }
            }
        }
    }

    #[test]
    fn browser_descriptions_never_panic() {
        for v in variants(CHROME) {
            if let Ok(w) = parse_web(&v) {
                assert!(!w.ufrag.is_empty() && !w.pwd.is_empty());
                assert!(w.codecs.iter().all(|c| c.pt < 128));
            }
            let _ = direction(&v);
        }
    }
}
