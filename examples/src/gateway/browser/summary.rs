//! One call's statistics, for the line `rtcweb gateway --ws` prints when a call ends: what the
//! gateway's cumulative [`GatewayStats`] counted between the end of the previous call and the end
//! of this one, as text or as one JSON object (`--json`).

use serde_json::{json, Value};

use super::GatewayStats;

/// What one call relayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CallSummary {
    /// The call's number (1 for the first since the gateway started).
    pub call: u64,
    /// SRTP from the browser verified and sent to the phone as RTP.
    pub web_to_phone: u64,
    /// RTP from the phone protected and sent to the browser.
    pub phone_to_web: u64,
    /// Of `phone_to_web`, relayed before the trunk's 2xx (early media).
    pub early_media: u64,
    /// SRTCP from the browser verified and terminated.
    pub rtcp_terminated: u64,
    /// SRTP/SRTCP refused (authentication, replay).
    pub refused: u64,
}

impl CallSummary {
    /// The call that ended between `before` (the stats when the previous call ended) and `now`.
    #[must_use]
    pub fn between(call: u64, before: &GatewayStats, now: &GatewayStats) -> Self {
        let d = |a: u64, b: u64| b.saturating_sub(a);
        Self {
            call,
            web_to_phone: d(before.web_to_phone, now.web_to_phone),
            phone_to_web: d(before.phone_to_web, now.phone_to_web),
            early_media: d(before.early_media, now.early_media),
            rtcp_terminated: d(before.rtcp_terminated, now.rtcp_terminated),
            refused: d(before.refused, now.refused),
        }
    }

    /// One JSON object.
    #[must_use]
    pub fn to_json(&self) -> Value {
        json!({
            "call": self.call,
            "web_to_phone": self.web_to_phone,
            "phone_to_web": self.phone_to_web,
            "early_media": self.early_media,
            "rtcp_terminated": self.rtcp_terminated,
            "refused": self.refused,
        })
    }
}

impl core::fmt::Display for CallSummary {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "call {} ended: browser->phone {} packets, phone->browser {} ({} early media), \
             {} SRTCP terminated, {} refused",
            self.call,
            self.web_to_phone,
            self.phone_to_web,
            self.early_media,
            self.rtcp_terminated,
            self.refused
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_difference_between_two_snapshots_as_text_and_json() {
        let before = GatewayStats {
            web_to_phone: 100,
            phone_to_web: 90,
            refused: 1,
            ..GatewayStats::default()
        };
        let now = GatewayStats {
            web_to_phone: 350,
            phone_to_web: 330,
            early_media: 40,
            rtcp_terminated: 5,
            refused: 1,
            ..GatewayStats::default()
        };
        let s = CallSummary::between(2, &before, &now);
        assert_eq!(
            s.to_string(),
            "call 2 ended: browser->phone 250 packets, phone->browser 240 (40 early media), \
             5 SRTCP terminated, 0 refused"
        );
        let v = s.to_json();
        assert_eq!(v["phone_to_web"], 240);
        assert_eq!(v["early_media"], 40);
        // Counters never go back; a reset between snapshots gives 0, not an underflow.
        assert_eq!(CallSummary::between(3, &now, &before).web_to_phone, 0);
    }
}
