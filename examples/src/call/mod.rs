//! The loopback call: SIP signalling (sip-core), SDP offer/answer (sdp-core), ICE (ice-core) and
//! SRTP-protected G.711 media (srtp-core), composed Sans-IO in [`party::Party`] and driven by
//! the runtime's [`std_driver`] or this module's [`tokio_driver`].

use std::time::Duration;

pub mod media;
pub mod party;
pub mod rtcp;
pub mod sdp;
pub mod tokio_driver;

use crate::capture::Capture;
use crate::runtime::{random_seed, std_driver, Clock};
pub use party::Keying;
use party::{Party, PartyConfig, Report, Side};

/// A party's two sockets.
#[derive(Debug)]
pub struct Sockets<S> {
    /// SIP signalling.
    pub sip: S,
    /// ICE and media.
    pub media: S,
}

/// Which socket loop drives the parties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    /// `std::net::UdpSocket`, a thread per party.
    Std,
    /// `tokio::net::UdpSocket`, a task per party.
    Tokio,
}

/// The outcome of both sides.
#[derive(Debug, Clone)]
pub struct CallReport {
    /// The caller's view.
    pub caller: Report,
    /// The callee's view.
    pub callee: Report,
}

impl CallReport {
    /// The demo's verdict: call established, ICE selected a pair, every SRTP packet sent verified
    /// both ways but 1 % or 2 packets, whichever is more (the last frames a side sends while the
    /// BYE is on its way are not read by the side hanging up), BYE answered.
    pub fn check(&self) -> Result<(), String> {
        for (name, r, peer) in [
            ("caller", &self.caller, &self.callee),
            ("callee", &self.callee, &self.caller),
        ] {
            if !r.established {
                return Err(format!("{name}: call not established"));
            }
            if r.selected_pair.is_none() {
                return Err(format!("{name}: ICE selected no pair"));
            }
            let missing = peer.sent.saturating_sub(r.received.verified);
            if peer.sent == 0 || missing > (peer.sent / 100).max(2) {
                return Err(format!(
                    "{name}: {} of {} SRTP packets verified",
                    r.received.verified, peer.sent
                ));
            }
            if !r.bye_done {
                return Err(format!("{name}: BYE not completed"));
            }
        }
        Ok(())
    }
}

/// `turn`: a TURN server and credentials for both parties, which then offer relayed candidates
/// only.
pub fn run(
    driver: Driver,
    duration: Duration,
    turn: Option<(std::net::SocketAddr, String, String)>,
) -> Result<CallReport, String> {
    run_captured(driver, duration, turn, Keying::Sdes, None)
}

/// [`run`], writing every datagram both parties send and receive to `capture`.
pub fn run_captured(
    driver: Driver,
    duration: Duration,
    turn: Option<(std::net::SocketAddr, String, String)>,
    keying: Keying,
    capture: Option<&Capture>,
) -> Result<CallReport, String> {
    let limit = duration + Duration::from_secs(30);
    let caller_sockets = std_driver::bind(2)?;
    let callee_sockets = std_driver::bind(2)?;
    if let Some(c) = capture {
        for s in caller_sockets.iter().chain(&callee_sockets) {
            c.own(std_driver::local(s)?);
        }
    }
    let caller = PartyConfig {
        side: Side::Caller,
        sip: std_driver::local(&caller_sockets[party::SIP])?,
        peer_sip: std_driver::local(&callee_sockets[party::SIP])?,
        media: std_driver::local(&caller_sockets[party::MEDIA])?,
        duration,
        seed: random_seed(),
        turn: turn.clone(),
        keying,
    };
    let callee = PartyConfig {
        side: Side::Callee,
        sip: caller.peer_sip,
        peer_sip: caller.sip,
        media: std_driver::local(&callee_sockets[party::MEDIA])?,
        duration,
        seed: random_seed(),
        turn,
        keying,
    };
    println!(
        "caller: SIP {} media {}  |  callee: SIP {} media {}",
        caller.sip, caller.media, callee.sip, callee.media
    );
    let clock = Clock::new();
    let (caller, callee) = match driver {
        Driver::Std => {
            let start = clock.now();
            let cap = capture.cloned();
            let b = std::thread::spawn(move || -> Result<Report, String> {
                let party = Party::new(callee, start)?;
                let cap = cap.as_ref();
                Ok(std_driver::run(party, &callee_sockets, clock, "callee", limit, cap)?.report())
            });
            let party = Party::new(caller, start)?;
            let a = std_driver::run(party, &caller_sockets, clock, "caller", limit, capture)
                .map(|p| p.report());
            let b = b.join().map_err(|_| "callee thread failed".to_string())?;
            (a?, b?)
        }
        Driver::Tokio => tokio_driver::run_pair(
            (caller, caller_sockets),
            (callee, callee_sockets),
            clock,
            limit,
            capture,
        )?,
    };
    Ok(CallReport { caller, callee })
}
