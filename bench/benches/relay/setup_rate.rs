//! Call set-up and tear-down through the whole gateway, on one core (`-- setup`): the gateway's
//! own code on a simulated network (`SimGateway`: both user agents, the registrar, the call
//! table, ICE-lite, a DTLS 1.2 server handshake per call, the relay, teardown), between the
//! simulated browsers and phone of `examples/tests/gateway_sim/` (included here, not copied).
//! What is timed is the time spent inside the gateway only (`Sim::gateway_time`): the browsers'
//! and the phone's work (their own DTLS, certificates) runs on the same thread but outside it.

use std::time::Duration;

use rtcweb_testkit::Link;

#[path = "../../../examples/tests/gateway_sim"]
#[allow(dead_code, unreachable_pub, clippy::all)]
mod gateway_sim {
    pub mod browser;
    pub mod hostile;
    pub mod phone;
    pub mod sim;
    pub mod world;
    pub mod ws_client;
}

use gateway_sim::sim::Sim;

/// Browsers per sample (and calls held at once at the peak).
pub const CALLS: usize = 50;

/// The gateway's time per unit of one sample, in nanoseconds.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Per REGISTER answered (a digest challenge, then the authenticated REGISTER: 401 + 200).
    pub register: f64,
    /// Per call from a browser: INVITE (and its 403/100/180/200 legs both ways), ICE-lite,
    /// DTLS, 500 ms of 20 ms PCMU both ways, BYE, teardown.
    pub browser_call: f64,
    /// Per call from the phone to a registered browser, the same way.
    pub phone_call: f64,
}

/// One figure of a [`Sample`].
pub type Field = fn(&Sample) -> f64;

/// One sample: `CALLS` browsers register, all call the phone at once, then the phone calls
/// each of them; each call talks 500 ms.
pub fn sample(seed: u64) -> Sample {
    let mut sim = Sim::new(seed, Link::PERFECT, CALLS, CALLS);
    sim.gateway_time = Duration::ZERO;
    sim.register_all();
    let register = sim.gateway_time;

    sim.gateway_time = Duration::ZERO;
    let start = sim.now;
    for b in &mut sim.browsers {
        b.talk = Some(Duration::from_millis(500));
        b.call(start, "sip:phone@example.com");
    }
    sim.run_until(start + Duration::from_secs(5));
    let browser_calls = sim.gateway_time;
    let st = sim.gw.stats();
    assert_eq!(st.finished.len(), CALLS, "{:?}", st.log.last());
    assert!(sim
        .browsers
        .iter()
        .all(|b| b.report.dtls_connected && b.report.ended));
    assert_eq!((st.active_calls, st.sockets_open), (0, 0));

    sim.gateway_time = Duration::ZERO;
    sim.phone.talk = Duration::from_millis(500);
    let start = sim.now;
    for i in 0..CALLS {
        sim.phone.call(start, &format!("user{i}"));
    }
    sim.run_until(start + Duration::from_secs(5));
    let phone_calls = sim.gateway_time;
    let st = sim.gw.stats();
    assert_eq!(st.finished.len(), 2 * CALLS, "{:?}", st.log.last());
    assert_eq!((st.active_calls, st.sockets_open), (0, 0));

    let per = |d: Duration| d.as_nanos() as f64 / CALLS as f64;
    Sample {
        register: per(register),
        browser_call: per(browser_calls),
        phone_call: per(phone_calls),
    }
}
