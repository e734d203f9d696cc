//! The back-to-back user agent: what each leg's user agent reports, and what the gateway does
//! on the other leg. A browser's INVITE becomes a trunk INVITE; a trunk INVITE to
//! `sip:user@…` becomes an INVITE to the browser registered as `user` over its WebSocket;
//! answers, early media (RFC 3960), transfers (RFC 3515) and hang-ups cross over (new offers:
//! [`reoffer`](super::reoffer)); either leg's end ends the call.

use rtcweb_sip_core::transaction::Peer;
use rtcweb_sip_core::ua::{CallHandle, UaEvent};
use rtcweb_sip_core::Instant;
use rtcweb_srtp_core::{DtlsRole, Profile};

use crate::ws::ws_peer;

use super::call::Call;
use super::codec::{choose, offerable, PtMap, Rtpmap};
use super::driver::{user_of, Driver};
use super::media::{Relay, TrunkMedia, WebMedia};
use super::sdes::{self, LocalCrypto};
use super::sdp::{self, WebLocal};
use super::stats::{CallStats, Direction};
use super::table::CallKey;

/// Our DTLS role for the browser's `a=setup` (RFC 5763 §5, RFC 4145 §4): we are passive to
/// `active` and `actpass`, active to `passive`.
fn dtls_role(their_setup: &str) -> DtlsRole {
    if their_setup.eq_ignore_ascii_case("passive") {
        DtlsRole::Client
    } else {
        DtlsRole::Server
    }
}

/// Our `a=setup` in an answer to the browser: the role we took stays (RFC 5763 §5).
pub(super) fn our_setup(their_setup: &str) -> &'static str {
    if dtls_role(their_setup) == DtlsRole::Client {
        "active"
    } else {
        "passive"
    }
}

/// What the trunk leg's media is: `RTP` or `SRTP <suite> (SDES)`.
fn trunk_media(c: &Call) -> String {
    c.trunk_crypto.as_ref().map_or_else(
        || "RTP".to_string(),
        |l| format!("SRTP {} (SDES)", l.key.profile().sdes_name()),
    )
}

/// The codec lines of a choice on one leg: the codec, then telephone-event when both have it.
pub(super) fn lines(codec: &Rtpmap, dtmf: Option<&Rtpmap>) -> Vec<Rtpmap> {
    let mut v = vec![codec.clone()];
    v.extend(dtmf.cloned());
    v
}

impl Driver {
    /// Drains both user agents' events.
    pub(super) fn pump(&mut self, now: Instant) {
        while let Some(e) = self.web.ua.poll_event() {
            self.on_web_event(now, e);
        }
        while let Some(e) = self.trunk.ua.poll_event() {
            self.on_trunk_event(now, e);
        }
    }

    fn on_web_event(&mut self, now: Instant, e: UaEvent) {
        match e {
            UaEvent::IncomingCall {
                call,
                from,
                request_uri,
                source,
                sdp,
                ..
            } => self.on_browser_invite(now, call, &from, &request_uri, source, &sdp),
            UaEvent::Confirmed { call } => {
                if let Some(k) = self.calls.by_web(call) {
                    self.say(format!("call {}: web leg: ACK", k.0));
                }
            }
            UaEvent::Offer { call, sdp, .. } => self.on_browser_offer(now, call, &sdp),
            UaEvent::ReofferAnswered { call, sdp } => {
                self.on_browser_answered_offer(now, call, &sdp);
            }
            UaEvent::ReofferFailed { call, code } => {
                self.on_forwarded_offer_refused(now, call, false, code);
            }
            UaEvent::Progress { call, code, .. } => {
                // The browser rings (a call from the trunk): so does the trunk's caller.
                if let Some(k) = self.calls.by_web(call) {
                    if let Some(t) = self.calls.get(k).and_then(|c| c.trunk) {
                        if (180..=183).contains(&code) {
                            let _ = self.trunk.ua.ringing(now, t);
                        }
                    }
                }
            }
            UaEvent::Answered { call, sdp } => self.on_browser_answered(now, call, &sdp),
            UaEvent::CallFailed { call, code } => {
                if let Some(k) = self.calls.by_web(call) {
                    // Registered but not answering (no response, or a refusal): 480 unless
                    // the browser said something more precise (486 busy, 603 decline).
                    let code = code
                        .filter(|c| matches!(c, 486 | 600 | 603 | 488))
                        .unwrap_or(480);
                    self.say(format!(
                        "call {}: web leg failed; trunk leg refused {code}",
                        k.0
                    ));
                    if let Some(t) = self.calls.get(k).and_then(|c| c.trunk) {
                        let _ = self.trunk.ua.reject(now, t, code);
                    }
                    self.end_call(k, &format!("browser failed ({code})"));
                }
            }
            UaEvent::CallEnded { call, reason } => {
                self.totals.web_ended = true;
                self.dirty = true;
                if let Some(k) = self.calls.by_web(call) {
                    self.say(format!("call {}: web leg: ended ({reason:?})", k.0));
                    self.hang_up_both(now, k);
                    self.end_call(k, &format!("web leg {reason:?}"));
                }
            }
            // Trickle ICE over SIP (RFC 8840): the browser's later candidates, in an INFO of
            // the call (answered 200 by the UA). ICE-lite needs none — the browser's checks
            // show its addresses — but they are the browser's to give and the agent's to know.
            UaEvent::InDialogRequest { call, method, body } if method == "INFO" => {
                if let Some(c) = self.calls.by_web(call).and_then(|k| self.calls.get_mut(k)) {
                    for cand in sdp::trickled_candidates(&body) {
                        let _ = c.relay.web.ice.add_remote_candidate(cand);
                    }
                }
            }
            _ => {}
        }
    }

    fn on_trunk_event(&mut self, now: Instant, e: UaEvent) {
        match e {
            UaEvent::IncomingCall {
                call,
                from,
                request_uri,
                sdp,
                ..
            } => self.on_trunk_invite(now, call, &from, &request_uri, &sdp),
            UaEvent::Progress {
                call,
                code,
                sdp: Some(early),
            } => self.on_trunk_early(now, call, code, &early),
            UaEvent::Progress { call, code, .. } => {
                if let Some(k) = self.calls.by_trunk(call) {
                    self.say(format!("call {}: trunk leg: {code}", k.0));
                }
            }
            UaEvent::Offer { call, sdp, .. } => self.on_phone_offer(now, call, &sdp),
            UaEvent::ReofferAnswered { call, sdp } => self.on_trunk_answered_offer(now, call, &sdp),
            UaEvent::ReofferFailed { call, code } => {
                self.on_forwarded_offer_refused(now, call, true, code);
            }
            UaEvent::Refer { call, refer_to, .. } => self.on_transfer(now, call, &refer_to),
            UaEvent::Answered { call, sdp } => self.on_trunk_answered(now, call, &sdp),
            UaEvent::CallFailed { call, code } => self.on_trunk_failed(now, call, code),
            UaEvent::Confirmed { call } => {
                if let Some(k) = self.calls.by_trunk(call) {
                    self.say(format!("call {}: trunk leg: ACK", k.0));
                }
            }
            UaEvent::CallEnded { call, reason } => {
                // The leg a transfer released is not the call's end.
                if !self.released.remove(&call) {
                    self.totals.trunk_ended = true;
                    self.dirty = true;
                }
                let Some(k) = self.calls.by_trunk(call) else {
                    return;
                };
                if self.calls.get(k).and_then(|c| c.trunk) == Some(call) {
                    self.say(format!("call {}: trunk leg: ended ({reason:?})", k.0));
                    self.hang_up_both(now, k);
                    self.end_call(k, &format!("trunk leg {reason:?}"));
                }
            }
            _ => {}
        }
    }

    /// New media legs for a call.
    fn new_relay(&mut self) -> Result<Relay, String> {
        let web = WebMedia::new(&self.backend, self.ip, &mut self.rng, &self.open_sockets)
            .map_err(|e| format!("web media socket: {e}"))?;
        let trunk = TrunkMedia::new(&self.backend, self.ip, &mut self.rng, &self.open_sockets)
            .map_err(|e| format!("trunk media socket: {e}"))?;
        Ok(Relay {
            web,
            trunk,
            pts: None,
            answered: false,
        })
    }

    /// Whether the browser that sent an INVITE from `from` over the connection `source` may
    /// call. With authentication on (users, or an ephemeral-credential secret), only as the user
    /// it registered, over the connection it registered on: that REGISTER's digest is what
    /// authenticated the WebSocket (calls bound to the registered connection, as Kamailio's
    /// WebRTC configurations do), and anyone else reaching the listener would call the trunk
    /// at the gateway's expense. Without authentication (no users, no secret) anyone may.
    fn may_call(&self, now: Instant, from: &str, source: Peer) -> Result<(), String> {
        if self.cfg.users.is_empty() && self.cfg.auth_secret.is_none() {
            return Ok(());
        }
        let user = from_user(from).ok_or("the From has no user")?;
        let bound = self
            .web
            .registrar
            .all_bindings()
            .any(|b| b.peer == source && b.expires_at > now && user_of(&b.aor) == Some(user));
        if bound {
            Ok(())
        } else {
            Err(format!("{user} is not registered over this connection"))
        }
    }

    /// A browser calls: its offer is read, its media legs made, the trunk called with the
    /// codecs both may use.
    fn on_browser_invite(
        &mut self,
        now: Instant,
        call: CallHandle,
        from: &str,
        request_uri: &str,
        source: Peer,
        offer: &[u8],
    ) {
        self.totals.calls += 1;
        let invite_call_id = self.admitting.take().unwrap_or_default();
        let refuse = |d: &mut Self, code: u16, why: String| {
            d.say(format!("web leg: INVITE from {from} refused {code}: {why}"));
            let _ = d.web.ua.reject(now, call, code);
        };
        if let Err(why) = self.may_call(now, from, source) {
            return refuse(self, 403, why);
        }
        let web_sdp = match sdp::parse_web(offer) {
            Ok(o) => o,
            Err(e) => return refuse(self, 488, e),
        };
        let offered = offerable(&web_sdp.codecs, &self.cfg.codecs);
        if offered.is_empty() {
            return refuse(self, 488, "no codec in common".into());
        }
        let mut relay = match self.new_relay() {
            Ok(r) => r,
            Err(e) => return refuse(self, 503, e),
        };
        relay
            .web
            .set_remote(&web_sdp.ufrag, &web_sdp.pwd, &web_sdp.candidates);
        relay.web.start_dtls(
            now,
            dtls_role(&web_sdp.setup),
            &self.certificate,
            web_sdp.fingerprint,
            &self.dtls,
        );
        let trunk_crypto = if self.cfg.trunk_srtp {
            match LocalCrypto::new(&mut self.rng, 1, Profile::AesCm128HmacSha1_80) {
                Ok(c) => Some(c),
                Err(e) => return refuse(self, 500, format!("SDES key: {e}")),
            }
        } else {
            None
        };
        let trunk_offer = sdp::trunk_description(
            relay.trunk.addr,
            &offered,
            1,
            "sendrecv",
            trunk_crypto.as_ref().map(|c| c.line.as_str()),
        );
        let user = user_of(request_uri).unwrap_or("phone").to_string();
        let target = format!("sip:{user}@{}", self.trunk.trunk);
        let browser = user_of(
            from.trim_start_matches(|c| c != '<')
                .trim_start_matches('<'),
        )
        .unwrap_or("?")
        .to_string();
        let n = offered.len();
        let started = self.now();
        let key = self.calls.insert(|key| Call {
            web: Some(call),
            trunk: None,
            conn: source.addr,
            relay,
            invite_call_id,
            web_sdp: Some(web_sdp),
            offered,
            web_codecs: Vec::new(),
            trunk_codecs: Vec::new(),
            early_answered: false,
            transfer: None,
            pending_offer: None,
            trunk_crypto,
            transfer_crypto: None,
            sdp_version: 1,
            started,
            stats: CallStats {
                call: key.0,
                direction: Direction::FromBrowser,
                browser,
                ..CallStats::default()
            },
        });
        let Ok(key) = key else {
            return refuse(self, 503, "call table full".into());
        };
        self.watch_media(key);
        self.calls.link_web(key, call);
        let _ = self.web.ua.ringing(now, call);
        let peer = self.trunk.peer(self.trunk.trunk);
        match self
            .trunk
            .ua
            .call_to(now, &target, peer, trunk_offer.as_bytes())
        {
            Ok(t) => {
                self.calls.link_trunk(key, t);
                if let Some(c) = self.calls.get_mut(key) {
                    c.trunk = Some(t);
                }
                self.say(format!(
                    "call {}: web leg: INVITE from {from} (DTLS-SRTP, {n} codecs offered) -> trunk INVITE {target}",
                    key.0
                ));
            }
            Err(e) => {
                let _ = self.web.ua.reject(now, call, 503);
                self.end_call(key, &format!("trunk INVITE not sent: {e}"));
            }
        }
    }

    /// The trunk's answer (or early answer) to a browser's call: the codec is chosen, the relay
    /// pointed at the phone, and the browser's answer made. `None` when nothing fits (488).
    fn accept_trunk_answer(&mut self, key: CallKey, answer: &[u8]) -> Result<String, String> {
        let fingerprint = self.certificate.fingerprint();
        let c = self.calls.get_mut(key).ok_or("no call")?;
        let trunk_sdp = sdp::parse_trunk(answer)?;
        let choice = choose(&c.offered, &trunk_sdp.codecs).ok_or("no codec in common")?;
        match &c.trunk_crypto {
            Some(ours) => {
                let keys = sdes::accept(ours, &trunk_sdp.cryptos)?;
                c.relay.trunk.keys = Some(Box::new(keys));
                c.stats.trunk_srtp = Some(ours.key.profile().sdes_name().to_string());
            }
            None if trunk_sdp.savp => return Err("RTP/SAVP answered to an RTP/AVP offer".into()),
            None => {}
        }
        c.relay.trunk.remote = Some(trunk_sdp.rtp);
        c.relay.pts = Some(PtMap {
            web: choice.offerer.pt,
            trunk: choice.answerer.pt,
            dtmf: choice
                .offerer_dtmf
                .as_ref()
                .zip(choice.answerer_dtmf.as_ref())
                .map(|(w, t)| (w.pt, t.pt)),
        });
        c.stats.codec = choice.offerer.codec.to_string();
        c.web_codecs = lines(&choice.offerer, choice.offerer_dtmf.as_ref());
        c.trunk_codecs = lines(&choice.answerer, choice.answerer_dtmf.as_ref());
        Ok(c.web_sdp_now(&fingerprint, "sendrecv")
            .ok_or("no browser offer")?)
    }

    /// Early media (RFC 3960): the trunk's 183 carries its answer. The browser gets ours in a
    /// 183 too, and the relay runs before the 200.
    fn on_trunk_early(&mut self, now: Instant, call: CallHandle, code: u16, early: &[u8]) {
        let Some(k) = self.calls.by_trunk(call) else {
            return;
        };
        let Some(c) = self.calls.get(k) else { return };
        if c.early_answered || c.trunk != Some(call) || c.stats.direction != Direction::FromBrowser
        {
            return;
        }
        let web = c.web;
        match self.accept_trunk_answer(k, early) {
            Ok(a) => {
                let sent = web.map(|w| {
                    self.web
                        .ua
                        .progress(now, w, 183, "Session Progress", Some(a.as_bytes()))
                });
                let ok = matches!(sent, Some(Ok(())));
                if let Some(c) = self.calls.get_mut(k) {
                    c.early_answered = ok;
                }
                self.say(format!(
                    "call {}: trunk leg: {code} with SDP, early media; web leg: 183 with our answer ({sent:?})",
                    k.0
                ));
            }
            Err(e) => self.say(format!(
                "call {}: trunk leg: {code}, unusable SDP: {e}",
                k.0
            )),
        }
    }

    fn on_trunk_answered(&mut self, now: Instant, call: CallHandle, answer: &[u8]) {
        let Some(k) = self.calls.by_trunk(call) else {
            return;
        };
        let Some(c) = self.calls.get(k) else { return };
        if c.transfer.is_some_and(|(_, new)| new == call) {
            return self.transferred(now, k, call, answer);
        }
        if c.trunk != Some(call) {
            return;
        }
        let web = c.web;
        match self.accept_trunk_answer(k, answer) {
            Ok(a) => {
                self.totals.trunk_answered = true;
                if let Some(c) = self.calls.get_mut(k) {
                    c.relay.answer(now);
                }
                if let Some(w) = web {
                    let _ = self.web.ua.answer(now, w, a.as_bytes());
                }
                let (codec, media) = self.calls.get(k).map_or_else(Default::default, |c| {
                    (c.stats.codec.clone(), trunk_media(c))
                });
                self.say(format!(
                    "call {}: trunk leg: answered ({codec}, {media}); web leg answered (ICE-lite, DTLS)",
                    k.0,
                ));
            }
            Err(e) => {
                self.say(format!("call {}: trunk leg: answer refused: {e}", k.0));
                let _ = self.trunk.ua.hangup(now, call);
                if let Some(w) = web {
                    let _ = self.web.ua.reject(now, w, 488);
                }
                self.end_call(k, "no codec in common (488)");
            }
        }
    }

    fn on_trunk_failed(&mut self, now: Instant, call: CallHandle, code: Option<u16>) {
        let Some(k) = self.calls.by_trunk(call) else {
            return;
        };
        let Some(c) = self.calls.get_mut(k) else {
            return;
        };
        if let Some((old, new)) = c.transfer {
            if new == call {
                // The target did not answer: the transferor hears it (RFC 3515 §2.4.5), and
                // the browser stays with it.
                c.transfer = None;
                self.calls.unlink_trunk(new);
                let code = code.unwrap_or(408);
                let _ = self
                    .trunk
                    .ua
                    .notify_refer(now, old, code, "Transfer Failed");
                self.say(format!(
                    "call {}: transfer: target failed {code}; the call stays",
                    k.0
                ));
                return;
            }
        }
        if c.trunk != Some(call) {
            return;
        }
        let web = c.web;
        self.say(format!("call {}: trunk leg: failed {code:?}", k.0));
        if let Some(w) = web {
            let _ = self.web.ua.reject(now, w, code.unwrap_or(480));
        }
        self.end_call(k, &format!("trunk failed {code:?}"));
    }

    /// The phone asks (REFER) that the browser's call continue with `refer_to` (a blind
    /// transfer, RFC 3515): a new trunk leg to it, at its address when the URI names one, else
    /// through the trunk. The browser's leg is not touched: its media moves to the new leg when
    /// that answers.
    fn on_transfer(&mut self, now: Instant, old: CallHandle, refer_to: &str) {
        let Some(k) = self.calls.by_trunk(old) else {
            return;
        };
        let Some(c) = self.calls.get(k) else { return };
        if c.transfer.is_some() || c.trunk != Some(old) {
            return;
        }
        let target = refer_to.split('?').next().unwrap_or(refer_to);
        let peer = rtcweb_sip_core::uri::Uri::parse(target)
            .ok()
            .and_then(|u| {
                let sip = u.as_sip()?;
                let ip = match sip.host {
                    rtcweb_sip_core::uri::Host::Ipv4(ip) => std::net::IpAddr::V4(ip),
                    rtcweb_sip_core::uri::Host::Ipv6(ip, _) => std::net::IpAddr::V6(ip),
                    rtcweb_sip_core::uri::Host::Domain(_) => return None,
                };
                Some(std::net::SocketAddr::new(ip, sip.port.unwrap_or(5060)))
            })
            .unwrap_or(self.trunk.trunk);
        // The target gets the codec in use, numbered as on the old leg.
        let codecs = if c.trunk_codecs.is_empty() {
            c.offered.clone()
        } else {
            c.trunk_codecs.clone()
        };
        // A fresh SDES key for the new leg: the old leg's would restart its packet index.
        let crypto = if c.trunk_crypto.is_some() {
            LocalCrypto::new(&mut self.rng, 1, Profile::AesCm128HmacSha1_80).ok()
        } else {
            None
        };
        let plain = sdp::trunk_description(
            c.relay.trunk.addr,
            &codecs,
            1,
            "sendrecv",
            crypto.as_ref().map(|l| l.line.as_str()),
        );
        match self
            .trunk
            .ua
            .call_to(now, target, self.trunk.peer(peer), plain.as_bytes())
        {
            Ok(new) => {
                self.calls.link_trunk(k, new);
                if let Some(c) = self.calls.get_mut(k) {
                    c.transfer = Some((old, new));
                    c.transfer_crypto = crypto;
                }
                self.say(format!(
                    "call {}: transfer: the phone refers the call to {target} at {peer}",
                    k.0
                ));
            }
            Err(e) => {
                let _ = self
                    .trunk
                    .ua
                    .notify_refer(now, old, 503, "Service Unavailable");
                self.say(format!(
                    "call {}: transfer: INVITE to {target} not sent: {e}",
                    k.0
                ));
            }
        }
    }

    /// The transfer target answered: the relay follows the new leg, the transferor hears 200
    /// and its leg is released.
    fn transferred(&mut self, now: Instant, k: CallKey, new: CallHandle, answer: &[u8]) {
        let Some(c) = self.calls.get_mut(k) else {
            return;
        };
        let Some((old, _)) = c.transfer.take() else {
            return;
        };
        let crypto = c.transfer_crypto.take();
        let fits = sdp::parse_trunk(answer).ok().and_then(|t| {
            let choice = choose(&c.offered, &t.codecs)?;
            let keys = match &crypto {
                Some(ours) => Some(sdes::accept(ours, &t.cryptos).ok()?),
                None if t.savp => return None,
                None => None,
            };
            Some((t.rtp, choice, keys))
        });
        match fits {
            Some((rtp, choice, keys)) => {
                c.relay.trunk.remote = Some(rtp);
                c.relay.trunk.keys = keys.map(Box::new);
                c.trunk_crypto = crypto;
                c.relay.pts = Some(PtMap {
                    web: c.relay.pts.map_or(choice.offerer.pt, |p| p.web),
                    trunk: choice.answerer.pt,
                    dtmf: c
                        .relay
                        .pts
                        .and_then(|p| p.dtmf)
                        .zip(choice.answerer_dtmf.as_ref())
                        .map(|((w, _), t)| (w, t.pt)),
                });
                c.trunk = Some(new);
                self.calls.unlink_trunk(old);
                self.released.insert(old);
                let _ = self.trunk.ua.notify_refer(now, old, 200, "OK");
                let _ = self.trunk.ua.hangup(now, old);
                self.say(format!(
                    "call {}: transfer: target answered, media now with {rtp}",
                    k.0
                ));
            }
            None => {
                self.calls.unlink_trunk(new);
                let _ = self.trunk.ua.hangup(now, new);
                let _ = self
                    .trunk
                    .ua
                    .notify_refer(now, old, 488, "Not Acceptable Here");
                self.say(format!("call {}: transfer: target's answer unusable", k.0));
            }
        }
    }

    /// The trunk calls `sip:user@…`: the browser registered as `user` gets our WebRTC offer
    /// (ICE-lite, DTLS `actpass`, rtcp-mux, the trunk's codecs we relay) over its connection.
    /// Nobody by that name: 404; known but not registered now: 480.
    fn on_trunk_invite(
        &mut self,
        now: Instant,
        call: CallHandle,
        from: &str,
        request_uri: &str,
        offer: &[u8],
    ) {
        self.totals.calls_from_trunk += 1;
        let invite_call_id = self.admitting.take().unwrap_or_default();
        let refuse = |d: &mut Self, code: u16, why: &str| {
            d.say(format!(
                "trunk leg: INVITE {request_uri} from {from} refused {code}: {why}"
            ));
            let _ = d.trunk.ua.reject(now, call, code);
        };
        let Some(user) = user_of(request_uri).map(str::to_string) else {
            return refuse(self, 404, "no user in the Request-URI");
        };
        let aor = format!("sip:{user}@{}", self.cfg.domain.to_ascii_lowercase());
        let binding = self
            .web
            .registrar
            .bindings(&aor)
            .map(|b| (b.contact.clone(), b.peer))
            .next();
        let Some((contact, peer)) = binding else {
            let known =
                self.known_users.contains(&user) || self.cfg.users.iter().any(|(u, _)| *u == user);
            return if known {
                refuse(self, 480, "not registered now")
            } else {
                refuse(self, 404, "unknown user")
            };
        };
        let trunk_sdp = match sdp::parse_trunk(offer) {
            Ok(t) => t,
            Err(e) => return refuse(self, 488, &e),
        };
        let offered = offerable(&trunk_sdp.codecs, &self.cfg.codecs);
        if offered.is_empty() {
            return refuse(self, 488, "no codec in common");
        }
        let mut relay = match self.new_relay() {
            Ok(r) => r,
            Err(e) => return refuse(self, 503, &e),
        };
        relay.trunk.remote = Some(trunk_sdp.rtp);
        let trunk_crypto = if trunk_sdp.savp {
            match sdes::answer(&trunk_sdp.cryptos, &mut self.rng) {
                Ok((ours, keys)) => {
                    relay.trunk.keys = Some(Box::new(keys));
                    Some(ours)
                }
                Err(e) => return refuse(self, 488, &e),
            }
        } else {
            None
        };
        let fingerprint = self.certificate.fingerprint();
        let web_offer = sdp::web_description(&WebLocal {
            ice: &relay.web.ice,
            fingerprint: &fingerprint,
            mid: "0",
            setup: "actpass",
            codecs: &offered,
            ssrc: relay.web.ssrc,
            version: 1,
            direction: "sendrecv",
            sections: &[],
        });
        let trunk_srtp = trunk_crypto
            .as_ref()
            .map(|l| l.key.profile().sdes_name().to_string());
        let started = self.now();
        let key = self.calls.insert(|key| Call {
            web: None,
            trunk: Some(call),
            conn: peer.addr,
            relay,
            invite_call_id,
            web_sdp: None,
            offered,
            web_codecs: Vec::new(),
            trunk_codecs: Vec::new(),
            early_answered: false,
            transfer: None,
            pending_offer: None,
            trunk_crypto,
            transfer_crypto: None,
            sdp_version: 1,
            started,
            stats: CallStats {
                call: key.0,
                direction: Direction::ToBrowser,
                browser: user.clone(),
                trunk_srtp,
                ..CallStats::default()
            },
        });
        let Ok(key) = key else {
            return refuse(self, 503, "call table full");
        };
        self.watch_media(key);
        self.calls.link_trunk(key, call);
        match self
            .web
            .ua
            .call_to(now, &contact, ws_peer(peer.addr), web_offer.as_bytes())
        {
            Ok(w) => {
                self.calls.link_web(key, w);
                if let Some(c) = self.calls.get_mut(key) {
                    c.web = Some(w);
                }
                self.say(format!(
                    "call {}: trunk leg: INVITE {request_uri} from {from} -> web leg INVITE {contact} over {}",
                    key.0, peer.addr
                ));
            }
            Err(e) => {
                let _ = self.trunk.ua.reject(now, call, 480);
                self.end_call(key, &format!("web INVITE not sent: {e}"));
            }
        }
    }

    /// The browser answered our offer: codec chosen (the trunk's order), DTLS started in the
    /// role its `a=setup` leaves us, and the trunk answered.
    fn on_browser_answered(&mut self, now: Instant, web: CallHandle, answer: &[u8]) {
        let Some(k) = self.calls.by_web(web) else {
            return;
        };
        let Some(c) = self.calls.get_mut(k) else {
            return;
        };
        let Some(trunk) = c.trunk else { return };
        let parsed = sdp::parse_web(answer).and_then(|w| {
            let choice = choose(&c.offered, &w.codecs).ok_or("no codec in common")?;
            Ok((w, choice))
        });
        let (web_sdp, choice) = match parsed {
            Ok(p) => p,
            Err(e) => {
                self.say(format!("call {}: web leg: answer refused: {e}", k.0));
                let _ = self.web.ua.hangup(now, web);
                let _ = self.trunk.ua.reject(now, trunk, 488);
                return self.end_call(k, "browser's answer unusable (488)");
            }
        };
        c.relay
            .web
            .set_remote(&web_sdp.ufrag, &web_sdp.pwd, &web_sdp.candidates);
        let role = dtls_role(&web_sdp.setup);
        c.relay.web.start_dtls(
            now,
            role,
            &self.certificate,
            web_sdp.fingerprint,
            &self.dtls,
        );
        c.relay.pts = Some(PtMap {
            web: choice.answerer.pt,
            trunk: choice.offerer.pt,
            dtmf: choice
                .answerer_dtmf
                .as_ref()
                .zip(choice.offerer_dtmf.as_ref())
                .map(|(w, t)| (w.pt, t.pt)),
        });
        c.relay.answer(now);
        c.stats.codec = choice.offerer.codec.to_string();
        c.web_codecs = lines(&choice.answerer, choice.answerer_dtmf.as_ref());
        c.trunk_codecs = lines(&choice.offerer, choice.offerer_dtmf.as_ref());
        let answer = c.trunk_sdp("sendrecv");
        c.web_sdp = Some(web_sdp);
        let codec = c.stats.codec.clone();
        let r = self.trunk.ua.answer(now, trunk, answer.as_bytes());
        self.totals.trunk_answered = true;
        let media = self.calls.get(k).map(trunk_media).unwrap_or_default();
        self.say(format!(
            "call {}: web leg: browser answered ({codec}, DTLS {role:?}); trunk leg answered ({media}): {r:?}",
            k.0
        ));
    }
}

/// The user part of a From or To header value (`"A" <sip:alice@h>;tag=1`, `sip:alice@h;tag=1`).
fn from_user(value: &str) -> Option<&str> {
    let uri = match (value.find('<'), value.find('>')) {
        (Some(start), Some(end)) if start < end => value.get(start + 1..end)?,
        _ => value.split(';').next()?,
    };
    user_of(uri.trim())
}

#[cfg(test)]
mod from_tests {
    use super::from_user;

    #[test]
    fn the_user_of_a_from_header() {
        assert_eq!(
            from_user("\"Alice\" <sip:alice@example.com>;tag=1"),
            Some("alice")
        );
        assert_eq!(from_user("sip:bob@example.com;tag=9"), Some("bob"));
        assert_eq!(
            from_user("<sips:carol@h:5061;transport=tls>"),
            Some("carol")
        );
        assert_eq!(from_user("<sip:example.com>"), None);
        assert_eq!(from_user("garbage"), None);
    }
}
