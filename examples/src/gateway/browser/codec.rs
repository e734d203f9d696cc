//! Codec choice without transcoding: the gateway relays one audio codec both sides have, among
//! PCMU, PCMA, G.722 and Opus (RFC 3551, RFC 7587), with payload types mapped between the legs
//! (each leg numbers its dynamic types as it likes, RFC 3264 §5.1), and telephone-event
//! (RFC 4733) passed through when both legs have it.
//!
//! The side that offers first states its preference: a browser's offer is filtered to what the
//! gateway relays and the configuration allows, and that list goes to the trunk; the answer picks
//! the first codec of the offer that the other side accepted. Nothing in common: 488.

use core::fmt;

/// A codec by name, clock rate and channels (`opus/48000/2`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Codec {
    /// Encoding name as written (compare case-insensitively).
    pub name: String,
    /// RTP clock rate (G.722 says 8000, RFC 3551 §4.5.2).
    pub rate: u32,
    /// Channels (1 unless written).
    pub channels: u16,
}

impl Codec {
    /// The static payload types the gateway relays without an `a=rtpmap` (RFC 3551 table 4).
    #[must_use]
    pub fn of_static(pt: u8) -> Option<Self> {
        let name = match pt {
            0 => "PCMU",
            8 => "PCMA",
            9 => "G722",
            _ => return None,
        };
        Some(Self {
            name: name.into(),
            rate: 8000,
            channels: 1,
        })
    }

    /// Same encoding, clock rate and channels.
    #[must_use]
    pub fn same(&self, other: &Self) -> bool {
        self.name.eq_ignore_ascii_case(&other.name)
            && self.rate == other.rate
            && self.channels == other.channels
    }

    /// `telephone-event/8000` (RFC 4733 §7.1.1).
    #[must_use]
    pub fn is_telephone_event(&self) -> bool {
        self.name.eq_ignore_ascii_case("telephone-event") && self.rate == 8000
    }

    /// One of the audio codecs the gateway relays: PCMU, PCMA, G722 at 8000, opus/48000/2.
    #[must_use]
    pub fn relayable(&self) -> bool {
        let n = &self.name;
        (["PCMU", "PCMA", "G722"]
            .iter()
            .any(|k| n.eq_ignore_ascii_case(k))
            && self.rate == 8000
            && self.channels == 1)
            || (n.eq_ignore_ascii_case("opus") && self.rate == 48000 && self.channels == 2)
    }
}

impl fmt::Display for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.name, self.rate)?;
        if self.channels != 1 {
            write!(f, "/{}", self.channels)?;
        }
        Ok(())
    }
}

/// A codec as one leg numbers it, with its format parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rtpmap {
    /// The payload type on that leg.
    pub pt: u8,
    /// The codec.
    pub codec: Codec,
    /// `a=fmtp` parameters (`0-16`, `minptime=10;useinbandfec=1`).
    pub fmtp: Option<String>,
}

impl Rtpmap {
    /// `a=rtpmap` (and `a=fmtp`) lines.
    #[must_use]
    pub fn sdp_lines(&self) -> String {
        let mut s = format!("a=rtpmap:{} {}\r\n", self.pt, self.codec);
        if let Some(f) = &self.fmtp {
            s.push_str(&format!("a=fmtp:{} {f}\r\n", self.pt));
        }
        s
    }
}

/// The codecs allowed by default: every one the gateway relays.
pub const DEFAULT_CODECS: [&str; 4] = ["PCMU", "PCMA", "G722", "opus"];

/// What the first offer proposes to the other leg: its relayable codecs that `allowed` names
/// (by encoding name), in its order, then its first telephone-event/8000.
#[must_use]
pub fn offerable(offer: &[Rtpmap], allowed: &[String]) -> Vec<Rtpmap> {
    let mut out: Vec<Rtpmap> = offer
        .iter()
        .filter(|r| r.codec.relayable())
        .filter(|r| {
            allowed
                .iter()
                .any(|a| a.eq_ignore_ascii_case(&r.codec.name))
        })
        .cloned()
        .collect();
    if !out.is_empty() {
        if let Some(te) = offer.iter().find(|r| r.codec.is_telephone_event()) {
            out.push(te.clone());
        }
    }
    out
}

/// The codec relayed and each leg's payload types for it and for telephone-event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The codec as the offering leg numbers it.
    pub offerer: Rtpmap,
    /// The codec as the answering leg numbers it.
    pub answerer: Rtpmap,
    /// telephone-event on the offering leg, when both have it.
    pub offerer_dtmf: Option<Rtpmap>,
    /// telephone-event on the answering leg, when both have it.
    pub answerer_dtmf: Option<Rtpmap>,
}

/// The first codec of `offered` (the offering leg's list, already [`offerable`]) that the
/// answering leg accepted in `answered`; telephone-event when both list it. `None`: nothing
/// in common (488).
#[must_use]
pub fn choose(offered: &[Rtpmap], answered: &[Rtpmap]) -> Option<Choice> {
    let (offerer, answerer) = offered
        .iter()
        .filter(|o| o.codec.relayable())
        .find_map(|o| {
            answered
                .iter()
                .find(|a| a.codec.same(&o.codec))
                .map(|a| (o.clone(), a.clone()))
        })?;
    let te = |list: &[Rtpmap]| list.iter().find(|r| r.codec.is_telephone_event()).cloned();
    let (offerer_dtmf, answerer_dtmf) = match (te(offered), te(answered)) {
        (Some(o), Some(a)) => (Some(o), Some(a)),
        _ => (None, None),
    };
    Some(Choice {
        offerer,
        answerer,
        offerer_dtmf,
        answerer_dtmf,
    })
}

/// Payload types between the legs for one call: audio and telephone-event, each way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PtMap {
    /// The audio payload type on the browser's leg.
    pub web: u8,
    /// The audio payload type on the trunk's leg.
    pub trunk: u8,
    /// telephone-event on the browser's leg and on the trunk's, when both have it.
    pub dtmf: Option<(u8, u8)>,
}

impl PtMap {
    /// The payload type for the trunk of one the browser sent; `None`: not negotiated.
    #[must_use]
    pub fn to_trunk(&self, pt: u8) -> Option<u8> {
        if pt == self.web {
            return Some(self.trunk);
        }
        self.dtmf.and_then(|(w, t)| (w == pt).then_some(t))
    }

    /// The payload type for the browser of one the trunk sent; `None`: not negotiated.
    #[must_use]
    pub fn to_web(&self, pt: u8) -> Option<u8> {
        if pt == self.trunk {
            return Some(self.web);
        }
        self.dtmf.and_then(|(w, t)| (t == pt).then_some(w))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn r(pt: u8, name: &str, rate: u32, channels: u16) -> Rtpmap {
        Rtpmap {
            pt,
            codec: Codec {
                name: name.into(),
                rate,
                channels,
            },
            fmtp: None,
        }
    }

    /// What Chromium offers for audio (its order).
    fn chromium() -> Vec<Rtpmap> {
        vec![
            r(111, "opus", 48000, 2),
            r(63, "red", 48000, 2),
            r(9, "G722", 8000, 1),
            r(0, "PCMU", 8000, 1),
            r(8, "PCMA", 8000, 1),
            r(13, "CN", 8000, 1),
            r(110, "telephone-event", 48000, 1),
            r(126, "telephone-event", 8000, 1),
        ]
    }

    fn all() -> Vec<String> {
        DEFAULT_CODECS.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn the_browser_offer_filtered_to_what_we_relay_and_allow() {
        let o = offerable(&chromium(), &all());
        let names: Vec<String> = o.iter().map(|r| r.codec.to_string()).collect();
        assert_eq!(
            names,
            [
                "opus/48000/2",
                "G722/8000",
                "PCMU/8000",
                "PCMA/8000",
                "telephone-event/8000"
            ]
        );
        let only_g711 = offerable(&chromium(), &["PCMA".into(), "pcmu".into()]);
        assert_eq!(only_g711.first().unwrap().pt, 0);
        assert_eq!(only_g711.len(), 3);
        // Nothing allowed: nothing offered (not even telephone-event alone).
        assert!(offerable(&chromium(), &["GSM".into()]).is_empty());
    }

    #[test]
    fn first_codec_of_the_offer_the_answer_accepted_with_payload_types_mapped() {
        let offered = offerable(&chromium(), &all());
        // A phone that answers PCMA then PCMU, dynamic 101 for telephone-event.
        let answered = [
            r(8, "PCMA", 8000, 1),
            r(0, "PCMU", 8000, 1),
            r(101, "telephone-event", 8000, 1),
        ];
        let c = choose(&offered, &answered).unwrap();
        // The browser preferred PCMU over PCMA.
        assert_eq!(c.offerer.codec.name, "PCMU");
        assert_eq!((c.offerer.pt, c.answerer.pt), (0, 0));
        assert_eq!(c.offerer_dtmf.as_ref().unwrap().pt, 126);
        assert_eq!(c.answerer_dtmf.as_ref().unwrap().pt, 101);
        let map = PtMap {
            web: c.offerer.pt,
            trunk: c.answerer.pt,
            dtmf: Some((126, 101)),
        };
        assert_eq!(map.to_trunk(126), Some(101));
        assert_eq!(map.to_web(101), Some(126));
        assert_eq!(map.to_web(0), Some(0));
        assert_eq!(map.to_trunk(111), None);
    }

    #[test]
    fn opus_mapped_between_dynamic_types_and_no_dtmf_unless_both_have_it() {
        let offered = offerable(&chromium(), &all());
        let answered = [r(96, "OPUS", 48000, 2)];
        let c = choose(&offered, &answered).unwrap();
        assert_eq!((c.offerer.pt, c.answerer.pt), (111, 96));
        assert_eq!((c.offerer_dtmf, c.answerer_dtmf), (None, None));
    }

    #[test]
    fn nothing_in_common_is_none() {
        let offered = offerable(&chromium(), &all());
        assert_eq!(choose(&offered, &[r(3, "GSM", 8000, 1)]), None);
        assert_eq!(choose(&[], &chromium()), None);
        // telephone-event alone is not a codec.
        assert_eq!(
            choose(
                &[r(101, "telephone-event", 8000, 1)],
                &[r(101, "telephone-event", 8000, 1)]
            ),
            None
        );
        // Opus at another rate or in mono is not opus/48000/2.
        assert!(!r(111, "opus", 16000, 1).codec.relayable());
    }

    #[test]
    fn static_types_without_rtpmap_and_sdp_lines() {
        assert_eq!(Codec::of_static(9).unwrap().to_string(), "G722/8000");
        assert_eq!(Codec::of_static(3), None);
        let mut te = r(101, "telephone-event", 8000, 1);
        te.fmtp = Some("0-16".into());
        assert_eq!(
            te.sdp_lines(),
            "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n"
        );
        assert_eq!(
            r(111, "opus", 48000, 2).sdp_lines(),
            "a=rtpmap:111 opus/48000/2\r\n"
        );
    }
}
