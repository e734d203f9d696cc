//! The answerer of RFC 3264 §6 with the JSEP answer rules of RFC 8829 §5.3.1.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::codec_match::{fmtp_compatible, static_payload_type};
use super::{Answer, AnswerConfig, AnswerError, Codec, MediaCapabilities, MediaOutcome, Rejection};
use crate::attribute::{Direction, Group, RtcpFb, Rtpmap, Setup};
use crate::description::{Media, SessionDescription};
use crate::owned::{Description, Field, MediaSection};
use crate::wire::{MediaLine, Origin};

/// Builds an answer to `offer` from `config` (RFC 3264 §6, RFC 8829 §5.3.1).
///
/// For each offered section, in order: a section the offer disabled (port 0 without `bundle-only`), of
/// a type or transport we lack, without a common codec, or without a usable SDES suite or DTLS
/// fingerprint is rejected with port 0 and its `a=mid` kept. Otherwise the answer keeps the offer's
/// payload type numbers, in the offer's order, for the codecs that match (name, clock rate, channels and,
/// for H.264/VP9/AV1/H.265, the parameters that must agree), adds RTX for them when both sides have it,
/// echoes supported header extensions with the offer's ids, intersects RTCP feedback, reverses the
/// offered direction against ours, answers `rtcp-mux`/`rtcp-rsize` when offered and supported, picks the
/// DTLS role (`actpass` → [`AnswerConfig::setup_when_actpass`], `active` ↔ `passive`), and for SDES picks
/// the first offered suite we hold a fresh key for, keeping the offer's tag.
///
/// # Errors
/// [`AnswerError`] when the offer as a whole is unusable.
pub fn create_answer(
    offer: &SessionDescription<'_>,
    config: &AnswerConfig,
) -> Result<Answer, AnswerError> {
    if offer.media_count() == 0 {
        return Err(AnswerError::NoMedia);
    }
    let mids: Vec<Option<&str>> = offer.media().map(|m| m.mid()).collect();
    for (i, m) in mids.iter().enumerate() {
        if let Some(m) = m {
            if mids.iter().skip(i + 1).any(|o| o.as_ref() == Some(m)) {
                return Err(AnswerError::DuplicateMid);
            }
        }
    }
    let offered_bundle: Vec<&str> = match offer.bundle_group() {
        Some(g) if config.bundle => {
            if g.mids().any(|m| !mids.contains(&Some(m))) {
                return Err(AnswerError::UnknownBundleMid);
            }
            g.mids().collect()
        }
        _ => Vec::new(),
    };

    let ip6 = config.address.contains(':');
    let addrtype = if ip6 { "IP6" } else { "IP4" };
    let session_id = config.session_id.to_string();
    let session_version = config.session_version.to_string();
    let origin = Origin {
        username: &config.origin_username,
        session_id: &session_id,
        session_version: &session_version,
        nettype: "IN",
        addrtype,
        address: &config.address,
    };
    let mut desc = Description::new(&origin);
    let mut outcomes = Vec::new();
    let mut sections = Vec::new();
    for m in offer.media() {
        let port = config
            .section_ports
            .get(m.index())
            .copied()
            .unwrap_or(config.port);
        let in_bundle = m.mid().is_some_and(|mid| offered_bundle.contains(&mid));
        let (section, outcome) = answer_media(offer, &m, config, port, in_bundle, addrtype);
        sections.push(section);
        outcomes.push(outcome);
    }
    let bundle: Vec<String> = offered_bundle
        .iter()
        .filter(|mid| {
            outcomes
                .iter()
                .any(|o| o.rejected.is_none() && o.mid.as_deref() == Some(**mid))
        })
        .map(|m| String::from(*m))
        .collect();
    if !bundle.is_empty() {
        let joined = bundle.join(" ");
        desc.push(Field::attribute("group", Group::new("BUNDLE", &joined)));
    }
    if config.ice_lite {
        desc.push(Field::flag("ice-lite"));
    }
    desc.media = sections;
    Ok(Answer {
        description: desc,
        media: outcomes,
        bundle,
    })
}

fn rejected(m: &Media<'_>, why: Rejection) -> (MediaSection, MediaOutcome) {
    let ml = m.media_line();
    let first = ml.formats().next().unwrap_or("0");
    let line = MediaLine {
        port: 0,
        num_ports: None,
        formats_raw: first,
        ..*ml
    };
    let mut s = MediaSection::new(&line);
    if let Some(mid) = m.mid() {
        s.push(Field::attribute("mid", mid));
    }
    let outcome = MediaOutcome {
        mid: m.mid().map(String::from),
        rejected: Some(why),
        direction: Direction::Inactive,
        payload_types: Vec::new(),
        crypto: None,
        setup: None,
        rtcp_mux: false,
    };
    (s, outcome)
}

/// The offered formats of one section, indexed by payload type so that answering stays linear in the
/// size of the offer.
struct OfferedFormats<'a> {
    /// Payload types in the offer's order, without duplicates.
    pts: Vec<u8>,
    rtpmap: [Option<Rtpmap<'a>>; 128],
    fmtp: [Option<&'a str>; 128],
}

impl<'a> OfferedFormats<'a> {
    fn new(m: &Media<'a>) -> Self {
        let mut f = Self {
            pts: Vec::new(),
            rtpmap: [None; 128],
            fmtp: [None; 128],
        };
        let mut seen = [false; 128];
        for pt in m
            .media_line()
            .formats()
            .filter_map(|f| f.parse::<u8>().ok())
        {
            if let Some(s) = seen.get_mut(usize::from(pt)).filter(|s| !**s) {
                *s = true;
                f.pts.push(pt);
            }
        }
        for r in m.rtpmaps() {
            if let Some(slot) = f.rtpmap.get_mut(usize::from(r.payload_type)) {
                slot.get_or_insert(r);
            }
        }
        for x in m.fmtps() {
            if let Some(slot) = x
                .payload_type()
                .and_then(|p| f.fmtp.get_mut(usize::from(p)))
            {
                slot.get_or_insert(x.params);
            }
        }
        f
    }

    /// Encoding, clock rate and channels, with static payload types filled in (RFC 3551 §6).
    fn rtpmap(&self, pt: u8) -> Option<(&'a str, u32, u16)> {
        match self.rtpmap.get(usize::from(pt)).copied().flatten() {
            Some(r) => Some((r.encoding, r.clock_rate, r.channels.unwrap_or(1))),
            None => static_payload_type(pt),
        }
    }

    /// True when the offer wrote the channel count.
    fn has_channels(&self, pt: u8) -> bool {
        self.rtpmap
            .get(usize::from(pt))
            .copied()
            .flatten()
            .is_some_and(|r| r.channels.is_some())
    }

    fn fmtp(&self, pt: u8) -> Option<&'a str> {
        self.fmtp.get(usize::from(pt)).copied().flatten()
    }
}

fn is_rtx(name: &str) -> bool {
    name.eq_ignore_ascii_case("rtx")
}

/// Matches offered formats to local codecs, in the offer's order: `(offered pt, local codec index)`.
fn match_codecs(f: &OfferedFormats<'_>, caps: &MediaCapabilities) -> Vec<(u8, usize)> {
    let mut out: Vec<(u8, usize)> = Vec::new();
    for &pt in &f.pts {
        let Some((name, clock, channels)) = f.rtpmap(pt) else {
            continue;
        };
        if is_rtx(name) {
            continue;
        }
        let fmtp = f.fmtp(pt);
        let found = caps.codecs.iter().position(|c| {
            c.name.eq_ignore_ascii_case(name)
                && c.clock_rate == clock
                && c.channels == channels
                && fmtp_compatible(name, fmtp, c.fmtp.as_deref())
        });
        if let Some(i) = found {
            out.push((pt, i));
        }
    }
    // RTX (RFC 4588) for the accepted primaries whose `apt` names them.
    if let Some(rtx) = caps.codecs.iter().position(|c| is_rtx(&c.name)) {
        let mut accepted = [false; 128];
        for (pt, _) in &out {
            if let Some(a) = accepted.get_mut(usize::from(*pt)) {
                *a = true;
            }
        }
        for &pt in &f.pts {
            let Some((name, clock, _)) = f.rtpmap(pt) else {
                continue;
            };
            let apt = crate::attribute::rtp::fmtp_pairs(f.fmtp(pt).unwrap_or(""))
                .find(|(k, _)| k.eq_ignore_ascii_case("apt"))
                .and_then(|(_, v)| v)
                .and_then(|a| a.parse::<u8>().ok());
            if is_rtx(name)
                && caps.codecs.get(rtx).is_some_and(|c| c.clock_rate == clock)
                && apt.is_some_and(|a| accepted.get(usize::from(a)).copied().unwrap_or(false))
            {
                out.push((pt, rtx));
            }
        }
    }
    // Keep the offer's order (RFC 3264 §6.1 lets the answerer keep it).
    let mut order = [0usize; 128];
    for (i, pt) in f.pts.iter().enumerate() {
        if let Some(o) = order.get_mut(usize::from(*pt)) {
            *o = i;
        }
    }
    out.sort_by_key(|(pt, _)| order.get(usize::from(*pt)).copied().unwrap_or(usize::MAX));
    out
}

/// True when a codec carries media (not RTX, RED, FEC, comfort noise or DTMF).
fn is_primary(c: &Codec) -> bool {
    !["rtx", "red", "ulpfec", "flexfec", "cn", "telephone-event"]
        .iter()
        .any(|n| c.name.eq_ignore_ascii_case(n))
}

fn answer_setup(offered: Option<Setup>, config: &AnswerConfig) -> Setup {
    match offered {
        Some(Setup::ActPass) => config.setup_when_actpass,
        Some(Setup::Passive) => Setup::Active,
        Some(Setup::HoldConn) => Setup::HoldConn,
        // RFC 4145 §4: absent means the offerer is active.
        Some(Setup::Active) | None => Setup::Passive,
    }
}

fn push_transport(s: &mut MediaSection, config: &AnswerConfig, setup: Option<Setup>) {
    if let Some((ufrag, pwd)) = &config.ice_credentials {
        s.push(Field::attribute("ice-ufrag", ufrag));
        s.push(Field::attribute("ice-pwd", pwd));
    }
    if !config.ice_options.is_empty() {
        s.push(Field::attribute(
            "ice-options",
            config.ice_options.join(" "),
        ));
    }
    if let (Some((hash, value)), Some(setup)) = (&config.fingerprint, setup) {
        s.push(Field::attribute("fingerprint", format!("{hash} {value}")));
        s.push(Field::attribute("setup", setup));
    }
}

fn answer_media(
    offer: &SessionDescription<'_>,
    m: &Media<'_>,
    config: &AnswerConfig,
    port: u16,
    in_bundle: bool,
    addrtype: &str,
) -> (MediaSection, MediaOutcome) {
    let ml = m.media_line();
    if ml.port == 0 && !(m.bundle_only() && in_bundle) {
        return rejected(m, Rejection::DisabledInOffer);
    }
    let dtls = ml.proto.contains("TLS") || ml.proto.contains("DTLS");
    let setup = if dtls {
        if config.fingerprint.is_none() {
            return rejected(m, Rejection::NoFingerprint);
        }
        Some(answer_setup(m.setup().or_else(|| offer.setup()), config))
    } else {
        None
    };
    let connection = Field::new('c', format!("IN {addrtype} {}", config.address));
    let mid = m.mid();

    // Data channels (RFC 8841; legacy sctpmap draft).
    if ml.proto.ends_with("SCTP") {
        let Some(max_message_size) = config.data_channel else {
            return rejected(m, Rejection::Unsupported);
        };
        let line = MediaLine {
            port,
            num_ports: None,
            ..*ml
        };
        let mut s = MediaSection::new(&line);
        s.push(connection);
        push_transport(&mut s, config, setup);
        if let Some(mid) = mid {
            s.push(Field::attribute("mid", mid));
        }
        let legacy = m.attribute("sctpmap");
        if let Some(a) = legacy {
            s.push(Field::attribute("sctpmap", a.value.unwrap_or("")));
        } else {
            s.push(Field::attribute("sctp-port", m.sctp_port().unwrap_or(5000)));
        }
        s.push(Field::attribute("max-message-size", max_message_size));
        let outcome = MediaOutcome {
            mid: mid.map(String::from),
            rejected: None,
            direction: Direction::SendRecv,
            payload_types: Vec::new(),
            crypto: None,
            setup,
            rtcp_mux: false,
        };
        return (s, outcome);
    }

    let Some(caps) = config
        .media
        .iter()
        .find(|c| c.kind == ml.media)
        .filter(|_| ml.is_rtp())
    else {
        return rejected(m, Rejection::Unsupported);
    };
    let offered_formats = OfferedFormats::new(m);
    let feedback: Vec<RtcpFb<'_>> = m.rtcp_fbs().collect();
    let pts = match_codecs(&offered_formats, caps);
    if !pts
        .iter()
        .any(|(_, i)| caps.codecs.get(*i).is_some_and(is_primary))
    {
        return rejected(m, Rejection::NoCommonCodec);
    }
    // SDES (RFC 4568 §7.1.2): the first offered suite we have a key for; the tag is echoed.
    let mut crypto = None;
    if !dtls && ml.proto.contains("SAVP") {
        crypto = m.cryptos().find_map(|c| {
            config
                .sdes_keys
                .iter()
                .find(|k| k.suite == c.suite)
                .map(|k| (c.tag, k))
        });
        if crypto.is_none() {
            return rejected(m, Rejection::NoCommonCryptoSuite);
        }
    }
    let offered = offer.media_direction(m);
    let direction = Direction::from_flags(
        caps.direction.sends() && offered.receives(),
        caps.direction.receives() && offered.sends(),
    );
    let formats = pts
        .iter()
        .map(|(p, _)| p.to_string())
        .collect::<Vec<_>>()
        .join(" ");
    let line = MediaLine {
        port,
        num_ports: None,
        formats_raw: &formats,
        ..*ml
    };
    let mut s = MediaSection::new(&line);
    s.push(connection);
    let rtcp_mux = config.rtcp_mux && m.rtcp_mux();
    push_transport(&mut s, config, setup);
    if let Some(mid) = mid {
        s.push(Field::attribute("mid", mid));
    }
    for e in m.extmaps() {
        if caps.extensions.iter().any(|u| u == e.uri) {
            s.push(Field::attribute("extmap", format!("{} {}", e.id, e.uri)));
        }
    }
    s.push(Field::flag(direction.as_str()));
    if rtcp_mux {
        s.push(Field::flag("rtcp-mux"));
    }
    if caps.rtcp_rsize && m.has_attribute("rtcp-rsize") {
        s.push(Field::flag("rtcp-rsize"));
    }
    for &(pt, i) in &pts {
        let Some(codec) = caps.codecs.get(i) else {
            continue;
        };
        let Some((name, clock, channels)) = offered_formats.rtpmap(pt) else {
            continue;
        };
        s.push(Field::attribute(
            "rtpmap",
            Rtpmap {
                payload_type: pt,
                encoding: name,
                clock_rate: clock,
                channels: (channels != 1 || offered_formats.has_channels(pt)).then_some(channels),
            },
        ));
        for fb in feedback
            .iter()
            .copied()
            .filter(|f| f.payload_type.is_none_or(|p| p == pt))
        {
            let text = match fb.parameter {
                Some(p) => format!("{} {p}", fb.feedback),
                None => fb.feedback.to_string(),
            };
            if codec.rtcp_fb.contains(&text) {
                let fb = RtcpFb {
                    payload_type: Some(pt),
                    ..fb
                };
                s.push(Field::attribute("rtcp-fb", fb));
            }
        }
        let offered_fmtp = offered_formats.fmtp(pt);
        // RTX, RED and DTMF parameters refer to the offer's numbers: echo them; otherwise state ours.
        let fmtp = if is_primary(codec) {
            codec.fmtp.as_deref().or(offered_fmtp)
        } else {
            offered_fmtp
        };
        if let Some(f) = fmtp.filter(|f| !f.is_empty()) {
            s.push(Field::attribute("fmtp", format!("{pt} {f}")));
        }
    }
    let crypto_outcome = crypto.map(|(tag, key)| {
        s.push(Field::attribute(
            "crypto",
            format!(
                "{tag} {} inline:{}",
                key.suite,
                key.key_salt_base64.as_str()
            ),
        ));
        (tag, key.suite.clone())
    });
    let outcome = MediaOutcome {
        mid: mid.map(String::from),
        rejected: None,
        direction,
        payload_types: pts,
        crypto: crypto_outcome,
        setup,
        rtcp_mux,
    };
    (s, outcome)
}
