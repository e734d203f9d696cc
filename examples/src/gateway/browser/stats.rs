//! What the gateway counts: per call (packets relayed each way, refused, RTCP-reported loss and
//! jitter), and in total; printed at hang-up as one line of text or JSON.

use std::time::Duration;

/// Which way a call was placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    /// A browser called the trunk.
    #[default]
    FromBrowser,
    /// The trunk called a registered browser.
    ToBrowser,
}

/// Loss and jitter one side reported in RTCP receiver report blocks (RFC 3550 §6.4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reception {
    /// Report blocks seen.
    pub reports: u64,
    /// Cumulative packets lost, from the latest block.
    pub lost: i32,
    /// The latest fraction lost, in 1/256.
    pub fraction_lost: u8,
    /// The latest interarrival jitter, in RTP timestamp units.
    pub jitter: u32,
}

/// One call's counters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CallStats {
    /// The call's key in the table.
    pub call: u64,
    /// Which way it was placed.
    pub direction: Direction,
    /// The browser's user (From of its INVITE, or the registered user called).
    pub browser: String,
    /// The codec relayed (`PCMU/8000`), once chosen.
    pub codec: String,
    /// DTLS-SRTP profile, once the handshake is done.
    pub dtls_profile: Option<String>,
    /// The trunk leg's SDES-SRTP suite (RFC 4568), when it is not plain RTP.
    pub trunk_srtp: Option<String>,
    /// SRTP from the browser verified and sent to the phone (RTP, or SRTP under SDES).
    pub web_to_phone: u64,
    /// Media from the phone protected and sent to the browser.
    pub phone_to_web: u64,
    /// Of `phone_to_web`, packets relayed before the trunk's 2xx (early media).
    pub early_media: u64,
    /// SRTCP from the browser verified and terminated.
    pub rtcp_terminated: u64,
    /// Packets refused: SRTP/SRTCP that failed to verify, RTP from an unexpected source, or
    /// media of a payload type not negotiated.
    pub refused: u64,
    /// What the browser's RTCP says of the media we send it.
    pub browser_reception: Reception,
    /// What the phone's RTCP says of the media we send it.
    pub phone_reception: Reception,
    /// How long it lasted (set at hang-up).
    pub duration: Duration,
    /// How it ended (set at hang-up).
    pub ended: String,
}

impl CallStats {
    /// One line of text: what `rtcweb gateway --ws` prints at hang-up.
    #[must_use]
    pub fn line(&self) -> String {
        let dir = match self.direction {
            Direction::FromBrowser => "browser->phone",
            Direction::ToBrowser => "phone->browser",
        };
        format!(
            "call {} {dir} {} {}: {:.1} s, relayed {} browser->phone and {} phone->browser, {} refused, \
             {} SRTCP; browser reports lost {} jitter {}; phone reports lost {} jitter {}; ended: {}",
            self.call,
            self.browser,
            if self.codec.is_empty() { "-" } else { &self.codec },
            self.duration.as_secs_f64(),
            self.web_to_phone,
            self.phone_to_web,
            self.refused,
            self.rtcp_terminated,
            self.browser_reception.lost,
            self.browser_reception.jitter,
            self.phone_reception.lost,
            self.phone_reception.jitter,
            self.ended,
        )
    }

    /// The same as one JSON object.
    #[must_use]
    pub fn json(&self) -> serde_json::Value {
        let reception = |r: &Reception| {
            serde_json::json!({
                "reports": r.reports,
                "lost": r.lost,
                "fraction_lost": r.fraction_lost,
                "jitter": r.jitter,
            })
        };
        serde_json::json!({
            "call": self.call,
            "direction": match self.direction {
                Direction::FromBrowser => "from-browser",
                Direction::ToBrowser => "to-browser",
            },
            "browser": self.browser,
            "codec": self.codec,
            "dtls_profile": self.dtls_profile,
            "trunk_srtp": self.trunk_srtp,
            "web_to_phone": self.web_to_phone,
            "phone_to_web": self.phone_to_web,
            "early_media": self.early_media,
            "rtcp_terminated": self.rtcp_terminated,
            "refused": self.refused,
            "browser_reception": reception(&self.browser_reception),
            "phone_reception": reception(&self.phone_reception),
            "duration_ms": u64::try_from(self.duration.as_millis()).unwrap_or(u64::MAX),
            "ended": self.ended,
        })
    }
}

/// What the gateway did, shared with its owner ([`super::BrowserGateway::stats`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GatewayStats {
    /// INVITEs from browsers.
    pub calls: u64,
    /// INVITEs from the trunk.
    pub calls_from_trunk: u64,
    /// INVITEs refused at the `max_calls` bound (503 with Retry-After).
    pub refused_calls: u64,
    /// Requests outside any dialog that reached the trunk's SIP socket from another address
    /// than the trunk's, dropped unanswered (a scanner ringing browsers, a reflection).
    pub foreign_requests: u64,
    /// A trunk leg answered.
    pub trunk_answered: bool,
    /// A DTLS handshake done (SRTP keyed), with the profile name.
    pub dtls_profile: Option<String>,
    /// Totals over every call: SRTP from browsers sent as RTP to the phone.
    pub web_to_phone: u64,
    /// Totals: RTP from the phone protected and sent to browsers.
    pub phone_to_web: u64,
    /// Totals: SRTCP from browsers verified and terminated.
    pub rtcp_terminated: u64,
    /// Totals: packets refused.
    pub refused: u64,
    /// Totals: packets relayed to a browser before the trunk's 2xx.
    pub early_media: u64,
    /// A web leg ended (BYE either way).
    pub web_ended: bool,
    /// A trunk leg ended (BYE either way).
    pub trunk_ended: bool,
    /// Calls in the table now.
    pub active_calls: usize,
    /// Media sockets open now (two per call).
    pub sockets_open: usize,
    /// Browsers registered now (bindings).
    pub registered: usize,
    /// The calls in progress.
    pub active: Vec<CallStats>,
    /// The calls that ended, in order.
    pub finished: Vec<CallStats>,
    /// What happened, in order (the latest lines).
    pub log: Vec<String>,
    /// Lines dropped from the front of `log` so far (line `i` of `log` is line
    /// `log_dropped + i` since the start).
    pub log_dropped: u64,
}

/// The report blocks of an RTCP compound packet (SR or RR, RFC 3550 §6.4): the latest block's
/// loss and jitter. `None` when the packet carries none.
#[must_use]
pub fn reception_report(rtcp: &[u8]) -> Option<(i32, u8, u32)> {
    let mut rest = rtcp;
    let mut found = None;
    while rest.len() >= 8 {
        let count = usize::from(rest.first()? & 0x1f);
        let pt = *rest.get(1)?;
        let words = usize::from(u16::from_be_bytes([*rest.get(2)?, *rest.get(3)?]));
        let len = (words + 1) * 4;
        let packet = rest.get(..len)?;
        // SR: 8 bytes of header+SSRC, 20 of sender info; RR: 8.
        let blocks_at = match pt {
            200 => 28,
            201 => 8,
            _ => {
                rest = rest.get(len..)?;
                continue;
            }
        };
        if count > 0 {
            let b = packet.get(blocks_at..blocks_at + 24)?;
            let fraction = *b.get(4)?;
            let cum = i32::from_be_bytes([0, *b.get(5)?, *b.get(6)?, *b.get(7)?]);
            // 24-bit signed.
            let cum = if cum & 0x80_0000 != 0 {
                cum - 0x100_0000
            } else {
                cum
            };
            let jitter = u32::from_be_bytes([*b.get(12)?, *b.get(13)?, *b.get(14)?, *b.get(15)?]);
            found = Some((cum, fraction, jitter));
        }
        rest = rest.get(len..)?;
    }
    found
}

impl Reception {
    /// Takes in an RTCP packet's report block, if any.
    pub fn update(&mut self, rtcp: &[u8]) {
        if let Some((lost, fraction_lost, jitter)) = reception_report(rtcp) {
            self.reports += 1;
            self.lost = lost;
            self.fraction_lost = fraction_lost;
            self.jitter = jitter;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn receiver_report_block_read() {
        // RR, one block: SSRC 1, about SSRC 2, fraction 64, cumulative lost 3, jitter 40.
        let mut rr = vec![0x81, 201, 0, 7, 0, 0, 0, 1, 0, 0, 0, 2, 64, 0, 0, 3];
        rr.extend_from_slice(&[0, 0, 0, 9, 0, 0, 0, 40, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(reception_report(&rr), Some((3, 64, 40)));
        let mut r = Reception::default();
        r.update(&rr);
        assert_eq!((r.reports, r.lost, r.jitter), (1, 3, 40));
        // An SR without blocks followed by that RR (compound).
        let mut sr = vec![0x80, 200, 0, 6];
        sr.extend_from_slice(&[0; 24]);
        sr.extend_from_slice(&rr);
        assert_eq!(reception_report(&sr), Some((3, 64, 40)));
        assert_eq!(reception_report(&[0x80, 200, 0, 6]), None);
        assert_eq!(reception_report(&[]), None);
    }

    #[test]
    fn one_line_and_json_at_hang_up() {
        let s = CallStats {
            call: 3,
            browser: "alice".into(),
            codec: "PCMU/8000".into(),
            web_to_phone: 250,
            phone_to_web: 249,
            ended: "browser BYE".into(),
            ..CallStats::default()
        };
        assert!(
            s.line()
                .contains("relayed 250 browser->phone and 249 phone->browser"),
            "{}",
            s.line()
        );
        assert_eq!(s.json()["phone_to_web"], 249);
    }
}
