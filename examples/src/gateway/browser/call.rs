//! One call: the browser's leg and the trunk's (their [`CallHandle`]s in each user agent), the
//! media relay between them, and what the bridge needs to remember while it is set up.

use std::net::SocketAddr;

use rtcweb_sip_core::ua::CallHandle;

use super::codec::Rtpmap;
use super::media::Relay;
use super::sdes::LocalCrypto;
use rtcweb_srtp_core::dtls::Fingerprint;

use super::bridge::our_setup;
use super::sdp::{self, WebLocal, WebSdp};
use super::stats::CallStats;

/// One call in the table.
#[derive(Debug)]
pub struct Call {
    /// The browser's leg, once it exists (a call from the trunk makes it after the lookup).
    pub web: Option<CallHandle>,
    /// The trunk's leg (after a transfer: the leg to the transfer target).
    pub trunk: Option<CallHandle>,
    /// The browser's WebSocket connection: the call ends when it closes.
    pub conn: SocketAddr,
    /// The media legs.
    pub relay: Relay,
    /// The SIP Call-ID of the INVITE that created the call (a retransmission is not a new call).
    pub invite_call_id: String,
    /// The browser's description (offer, or answer to ours).
    pub web_sdp: Option<WebSdp>,
    /// What the offering leg proposed to the other (its payload types): the list the choice
    /// is made from when the answer comes.
    pub offered: Vec<Rtpmap>,
    /// The codec lines of our description to the browser (its payload types), once chosen.
    pub web_codecs: Vec<Rtpmap>,
    /// The same on the trunk's leg (its payload types).
    pub trunk_codecs: Vec<Rtpmap>,
    /// The browser got our answer in a 183 (early media from the trunk).
    pub early_answered: bool,
    /// A transfer asked by the phone (REFER): the trunk leg being replaced and the new one.
    pub transfer: Option<(CallHandle, CallHandle)>,
    /// A new offer forwarded to the other leg and not yet answered there.
    pub pending_offer: Option<PendingOffer>,
    /// Our SDES key on the trunk's leg (`a=crypto`, RFC 4568), when it is SRTP.
    pub trunk_crypto: Option<LocalCrypto>,
    /// The SDES key offered to a transfer target, until it answers.
    pub transfer_crypto: Option<LocalCrypto>,
    /// Version of our SDPs (o= line), raised with every new offer or answer (RFC 3264 §8).
    pub sdp_version: u64,
    /// When it started.
    pub started: rtcweb_sip_core::Instant,
    /// Its counters.
    pub stats: CallStats,
}

/// A new offer in an established call (RFC 3264 §8), forwarded to the other leg: whose, and
/// its direction (hold: `sendonly`/`inactive`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PendingOffer {
    /// The browser's (JsSIP `hold()`/`unhold()`), sent to the trunk.
    FromBrowser(&'static str),
    /// The phone's, sent to the browser.
    FromPhone(&'static str),
}

impl Call {
    /// Our description to the trunk as the call stands (RFC 3264 §8: the caller raises
    /// [`Self::sdp_version`] for a new one), with `direction`; `RTP/SAVP` with our `a=crypto`
    /// when the trunk leg is SDES-SRTP.
    #[must_use]
    pub fn trunk_sdp(&self, direction: &str) -> String {
        sdp::trunk_description(
            self.relay.trunk.addr,
            &self.trunk_codecs,
            self.sdp_version,
            direction,
            self.trunk_crypto.as_ref().map(|l| l.line.as_str()),
        )
    }

    /// Our WebRTC description to the browser as the call stands, with `direction`: the DTLS
    /// role taken stays (`a=setup` from the browser's); `None` before the browser's description.
    #[must_use]
    pub fn web_sdp_now(&self, fingerprint: &Fingerprint, direction: &str) -> Option<String> {
        let w = self.web_sdp.as_ref()?;
        Some(sdp::web_description(&WebLocal {
            ice: &self.relay.web.ice,
            fingerprint,
            mid: &w.mid,
            setup: our_setup(&w.setup),
            codecs: &self.web_codecs,
            ssrc: self.relay.web.ssrc,
            version: self.sdp_version,
            direction,
            sections: &w.sections,
        }))
    }
}
