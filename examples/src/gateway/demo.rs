//! Runs the gateway sketch on 127.0.0.1: a WebRTC-style caller (the loopback call's [`Party`]) →
//! the [`Gateway`] → a plain SIP [`Phone`], each on its own thread and sockets.

use std::time::Duration;

use crate::call::party::{self, Keying, Party, PartyConfig, Side};
use crate::capture::Capture;
use crate::runtime::{random_seed, std_driver, Clock};

use super::phone::{self, Phone};
use super::{Gateway, GatewayConfig, Relayed, TRUNK_SIP, WEB_SIP};

/// What each side saw.
#[derive(Debug, Clone)]
pub struct GatewayReport {
    /// The WebRTC caller's report.
    pub caller: party::Report,
    /// What the gateway relayed.
    pub relayed: Relayed,
    /// RTP packets the phone sent and received.
    pub phone: (u64, u64),
}

impl GatewayReport {
    /// Call established end to end, ICE selected, ≥ 99 % of media relayed and delivered both ways.
    pub fn check(&self) -> Result<(), String> {
        let c = &self.caller;
        let (phone_sent, phone_received) = self.phone;
        let ratio = |got: u64, of: u64| of > 0 && got as f64 >= 0.99 * of as f64;
        if !c.established || c.selected_pair.is_none() || !c.bye_done {
            return Err(format!("WebRTC leg incomplete: {c:?}"));
        }
        if !ratio(self.relayed.web_to_phone, c.sent)
            || !ratio(phone_received, self.relayed.web_to_phone)
        {
            return Err(format!(
                "WebRTC -> phone: sent {}, relayed {}, received {phone_received}",
                c.sent, self.relayed.web_to_phone
            ));
        }
        if !ratio(c.received.verified, self.relayed.phone_to_web)
            || phone_sent < self.relayed.phone_to_web
        {
            return Err(format!(
                "phone -> WebRTC: relayed {}, verified {}",
                self.relayed.phone_to_web, c.received.verified
            ));
        }
        Ok(())
    }
}

/// Places a call from a WebRTC-style client through the gateway to a SIP phone, for `duration`.
pub fn run(duration: Duration) -> Result<GatewayReport, String> {
    run_captured(duration, None)
}

/// [`run`], writing every datagram the three parties send and receive to `capture`.
pub fn run_captured(
    duration: Duration,
    capture: Option<&Capture>,
) -> Result<GatewayReport, String> {
    let limit = duration + Duration::from_secs(30);
    let caller_s = std_driver::bind(2)?;
    let gw_s = std_driver::bind(4)?;
    let phone_s = std_driver::bind(2)?;
    if let Some(c) = capture {
        for s in caller_s.iter().chain(&gw_s).chain(&phone_s) {
            c.own(std_driver::local(s)?);
        }
    }
    let gw_addrs: Vec<_> = gw_s
        .iter()
        .map(std_driver::local)
        .collect::<Result<_, _>>()?;
    let gw_addrs: [_; 4] = gw_addrs.try_into().map_err(|_| "four sockets")?;
    let caller = PartyConfig {
        side: Side::Caller,
        sip: std_driver::local(&caller_s[party::SIP])?,
        peer_sip: gw_addrs[WEB_SIP],
        media: std_driver::local(&caller_s[party::MEDIA])?,
        duration,
        seed: random_seed(),
        turn: None,
        keying: Keying::Sdes,
    };
    let gateway = Gateway::new(GatewayConfig {
        sockets: gw_addrs,
        web_peer: caller.sip,
        phone: std_driver::local(&phone_s[phone::SIP])?,
        seed: random_seed(),
    })?;
    let phone = Phone::new(
        std_driver::local(&phone_s[phone::SIP])?,
        std_driver::local(&phone_s[phone::RTP])?,
        gw_addrs[TRUNK_SIP],
    );
    let clock = Clock::new();
    let (cap_g, cap_p) = (capture.cloned(), capture.cloned());
    let g = std::thread::spawn(move || {
        std_driver::run(gateway, &gw_s, clock, "gateway", limit, cap_g.as_ref())
    });
    let p = std::thread::spawn(move || {
        std_driver::run(phone, &phone_s, clock, "phone", limit, cap_p.as_ref())
    });
    let party = Party::new(caller, clock.now())?;
    let caller = std_driver::run(party, &caller_s, clock, "webrtc", limit, capture)?.report();
    let gateway = g.join().map_err(|_| "gateway thread failed")??;
    let phone = p.join().map_err(|_| "phone thread failed")??;
    Ok(GatewayReport {
        caller,
        relayed: gateway.relayed,
        phone: (phone.sent, phone.received),
    })
}
