//! New offers in an established call (RFC 3264 §8: hold, resume, a moved or renumbered media
//! stream), from either side: each is forwarded to the other leg as a re-INVITE and answered
//! only once that leg has answered, with what it answered — so a hold on one side is a hold on
//! the other, never a `sendrecv` answered on the other's behalf. One offer at a time per call:
//! a second one, from either side, while the first is open gets 491 (RFC 3261 §14.2), and a
//! refusal on the far leg is a refusal on the near one (the call stays up, §14.1).

use rtcweb_sip_core::ua::{CallHandle, ReofferMethod};
use rtcweb_sip_core::Instant;

use super::bridge::lines;
use super::call::PendingOffer;
use super::driver::Driver;
use super::sdes;
use super::sdp;
use super::table::CallKey;

/// The direction a plain offer means when its connection address is unspecified (`c=IN IP4
/// 0.0.0.0`, RFC 3264 §8.4's older hold): the offerer receives nothing.
fn held_by_address(direction: &'static str) -> &'static str {
    match direction {
        "sendrecv" => "sendonly",
        "recvonly" => "inactive",
        d => d,
    }
}

/// The code a refusal on the far leg becomes on the near one: the far leg's own (4xx–6xx)
/// when it gave one, else 500.
fn relayed_refusal(code: Option<u16>) -> u16 {
    code.filter(|c| (400..700).contains(c)).unwrap_or(500)
}

impl Driver {
    /// The browser sent a new offer (hold, resume: JsSIP's `hold()` / `unhold()`): the same
    /// direction goes to the trunk in a re-INVITE; the browser is answered when the trunk has.
    pub(super) fn on_browser_offer(&mut self, now: Instant, web: CallHandle, offer: &[u8]) {
        let dir = sdp::direction(offer);
        let Some(k) = self.calls.by_web(web) else {
            let _ = self.web.ua.reject_offer(now, web, 481);
            return;
        };
        let Some(c) = self.calls.get_mut(k) else {
            return;
        };
        let Some(trunk) = c.trunk.filter(|_| c.relay.pts.is_some()) else {
            let _ = self.web.ua.reject_offer(now, web, 488);
            return;
        };
        if c.pending_offer.is_some() || c.transfer.is_some() {
            let _ = self.web.ua.reject_offer(now, web, 491);
            self.say(format!(
                "call {}: web leg: new offer ({dir}) while another is open: 491",
                k.0
            ));
            return;
        }
        c.sdp_version += 1;
        let plain = c.trunk_sdp(dir);
        match self
            .trunk
            .ua
            .reoffer(now, trunk, ReofferMethod::Invite, plain.as_bytes())
        {
            Ok(()) => {
                if let Some(c) = self.calls.get_mut(k) {
                    c.pending_offer = Some(PendingOffer::FromBrowser(dir));
                }
                self.say(format!(
                    "call {}: web leg: new offer ({dir}) -> trunk re-INVITE ({dir})",
                    k.0
                ));
            }
            Err(e) => {
                let _ = self.web.ua.reject_offer(now, web, 491);
                self.say(format!(
                    "call {}: web leg: new offer ({dir}) refused 491: {e}",
                    k.0
                ));
            }
        }
    }

    /// The trunk answered the change the browser asked for: the browser gets our answer with
    /// the direction the phone answered (RFC 3264 §6.1), as the phone's answer is to the same
    /// offer.
    pub(super) fn on_trunk_answered_offer(
        &mut self,
        now: Instant,
        trunk: CallHandle,
        answer: &[u8],
    ) {
        let fingerprint = self.certificate.fingerprint();
        let Some((k, dir)) = self.take_forwarded(trunk, true) else {
            return;
        };
        let Some(c) = self.calls.get_mut(k) else {
            return;
        };
        let phone_dir = sdp::direction(answer);
        c.relay.trunk.set_phone_direction(now, phone_dir);
        // The phone may answer more restrictively than mirrored (inactive to sendonly).
        let answer_dir = match phone_dir {
            "sendrecv" => sdp::mirrored(dir),
            d => d,
        };
        if let Ok(t) = sdp::parse_trunk(answer) {
            if !t.rtp.ip().is_unspecified() {
                c.relay.trunk.remote = Some(t.rtp);
            }
            // The phone may answer with a new SDES key (RFC 4568 §7.1.4).
            if let (Some(ours), Some(srtp)) = (&c.trunk_crypto, c.relay.trunk.keys.as_mut()) {
                if let Err(e) = srtp.update_remote(ours, &t.cryptos) {
                    log::warn!("gateway: call {}: trunk leg: {e}; its key kept", k.0);
                }
            }
        }
        let (Some(web), Some(answer)) = (c.web, c.web_sdp_now(&fingerprint, answer_dir)) else {
            return;
        };
        let r = self.web.ua.answer_offer(now, web, answer.as_bytes());
        self.say(format!(
            "call {}: trunk leg: new offer answered; web leg answered ({answer_dir}): {r:?}",
            k.0
        ));
    }

    /// The call in which `call` — a trunk leg when `asked_trunk`, else a web leg — was asked to
    /// answer an offer the other leg made, with that offer's direction; the call's pending offer
    /// is cleared. `None` when no such offer is pending.
    fn take_forwarded(
        &mut self,
        call: CallHandle,
        asked_trunk: bool,
    ) -> Option<(CallKey, &'static str)> {
        let k = if asked_trunk {
            self.calls.by_trunk(call)
        } else {
            self.calls.by_web(call)
        }?;
        let c = self.calls.get_mut(k)?;
        let dir = match (c.pending_offer?, asked_trunk) {
            (PendingOffer::FromBrowser(d), true) | (PendingOffer::FromPhone(d), false) => d,
            _ => return None,
        };
        c.pending_offer = None;
        Some((k, dir))
    }

    /// The leg asked refused the offer forwarded to it: the leg that made it is refused with the
    /// same code (the call stays up, RFC 3261 §14.1).
    pub(super) fn on_forwarded_offer_refused(
        &mut self,
        now: Instant,
        call: CallHandle,
        asked_trunk: bool,
        code: Option<u16>,
    ) {
        let Some((k, _)) = self.take_forwarded(call, asked_trunk) else {
            return;
        };
        let Some(c) = self.calls.get(k) else {
            return;
        };
        let refusal = relayed_refusal(code);
        let (ua, offerer, asked, who) = if asked_trunk {
            (&mut self.web.ua, c.web, "trunk", "browser")
        } else {
            (&mut self.trunk.ua, c.trunk, "web", "phone")
        };
        if let Some(offerer) = offerer {
            let _ = ua.reject_offer(now, offerer, refusal);
        }
        self.say(format!(
            "call {}: {asked} leg: new offer refused ({code:?}); the {who}'s refused {refusal}",
            k.0
        ));
    }

    /// The phone sent a new offer (hold with `a=sendonly` or `c=0.0.0.0`, resume, its RTP moved,
    /// its payload types renumbered, a new SDES key): everything is checked first — the codec
    /// of the call must still be offered (no transcoding), SRTP must stay as it is — else 488
    /// and nothing changes; then the browser gets a re-INVITE with the same direction and the
    /// relay follows the new address, numbers and key at once; the phone is answered when the
    /// browser has.
    pub(super) fn on_phone_offer(&mut self, now: Instant, trunk: CallHandle, offer: &[u8]) {
        let fingerprint = self.certificate.fingerprint();
        let refuse = |d: &mut Self, code: u16, why: &str| {
            let _ = d.trunk.ua.reject_offer(now, trunk, code);
            d.say(format!("trunk leg: new offer refused {code}: {why}"));
        };
        let Some(k) = self.calls.by_trunk(trunk) else {
            return refuse(self, 488, "not a call's current leg");
        };
        let Some(c) = self.calls.get_mut(k) else {
            return;
        };
        let (Some(web), Some(pts), true) = (c.web, c.relay.pts, c.trunk == Some(trunk)) else {
            return refuse(self, 488, "call not established");
        };
        if c.pending_offer.is_some() || c.transfer.is_some() {
            return refuse(self, 491, "another offer is open");
        }
        let parsed = match sdp::parse_trunk(offer) {
            Ok(p) => p,
            Err(e) => return refuse(self, 488, &e),
        };
        let (Some(current), dtmf) = (c.trunk_codecs.first(), c.trunk_codecs.get(1)) else {
            return refuse(self, 488, "no codec chosen");
        };
        let Some(codec) = parsed.codecs.iter().find(|r| r.codec.same(&current.codec)) else {
            return refuse(self, 488, "the call's codec is not offered");
        };
        let new_dtmf = dtmf.and_then(|d| parsed.codecs.iter().find(|r| r.codec.same(&d.codec)));
        // SRTP stays as it was set up (RFC 4568 §7.1.4): the same suite and tag (a new key is
        // taken); plain RTP stays plain.
        match (&c.trunk_crypto, c.relay.trunk.keys.as_ref()) {
            (Some(ours), Some(_)) => {
                if let Err(e) = sdes::matching(ours, &parsed.cryptos) {
                    return refuse(self, 488, &e);
                }
            }
            _ if parsed.savp => return refuse(self, 488, "SRTP offered mid-call"),
            _ => {}
        }
        let mut dir = sdp::direction(offer);
        if parsed.rtp.ip().is_unspecified() {
            dir = held_by_address(dir);
        }
        c.relay.trunk.set_phone_direction(now, dir);
        let mut new_pts = pts;
        new_pts.trunk = codec.pt;
        new_pts.dtmf = pts.dtmf.zip(new_dtmf).map(|((w, _), t)| (w, t.pt));
        let trunk_codecs = lines(codec, new_pts.dtmf.and(new_dtmf));
        c.sdp_version += 1;
        let Some(web_offer) = c.web_sdp_now(&fingerprint, dir) else {
            return refuse(self, 488, "no browser description");
        };
        if let Err(e) = self
            .web
            .ua
            .reoffer(now, web, ReofferMethod::Invite, web_offer.as_bytes())
        {
            return refuse(self, 491, &format!("call {}: web leg: {e}", k.0));
        }
        // Forwarded: the relay follows the phone's new address, numbers and key from now on.
        let Some(c) = self.calls.get_mut(k) else {
            return;
        };
        c.pending_offer = Some(PendingOffer::FromPhone(dir));
        if !parsed.rtp.ip().is_unspecified() {
            c.relay.trunk.remote = Some(parsed.rtp);
        }
        c.relay.pts = Some(new_pts);
        c.trunk_codecs = trunk_codecs;
        if let (Some(ours), Some(srtp)) = (&c.trunk_crypto, c.relay.trunk.keys.as_mut()) {
            if let Err(e) = srtp.update_remote(ours, &parsed.cryptos) {
                log::warn!("gateway: call {}: trunk leg: {e}", k.0);
            }
        }
        self.say(format!(
            "call {}: trunk leg: new offer ({dir}) -> web re-INVITE ({dir})",
            k.0
        ));
    }

    /// The browser answered the phone's offer: the phone gets the browser's direction.
    pub(super) fn on_browser_answered_offer(
        &mut self,
        now: Instant,
        web: CallHandle,
        answer: &[u8],
    ) {
        let Some((k, _)) = self.take_forwarded(web, false) else {
            return;
        };
        let Some(c) = self.calls.get_mut(k) else {
            return;
        };
        let Some(trunk) = c.trunk else {
            return;
        };
        let answer_dir = sdp::direction(answer);
        c.sdp_version += 1;
        let plain = c.trunk_sdp(answer_dir);
        let r = self.trunk.ua.answer_offer(now, trunk, plain.as_bytes());
        self.say(format!(
            "call {}: web leg: new offer answered ({answer_dir}); trunk leg answered: {r:?}",
            k.0
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unspecified_address_holds_what_the_offerer_receives() {
        assert_eq!(held_by_address("sendrecv"), "sendonly");
        assert_eq!(held_by_address("recvonly"), "inactive");
        assert_eq!(held_by_address("sendonly"), "sendonly");
        assert_eq!(held_by_address("inactive"), "inactive");
    }

    #[test]
    fn refusals_keep_the_far_legs_code_or_become_500() {
        assert_eq!(relayed_refusal(Some(488)), 488);
        assert_eq!(relayed_refusal(Some(603)), 603);
        assert_eq!(relayed_refusal(Some(200)), 500);
        assert_eq!(relayed_refusal(None), 500);
    }
}
