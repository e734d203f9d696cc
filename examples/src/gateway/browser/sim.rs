//! [`SimGateway`]: the whole gateway — both user agents, the registrar, the call table, ICE,
//! DTLS and the relay, the same code as [`super::BrowserGateway`] runs — on a simulated network
//! ([`super::net::SimNetwork`]) and a test's clock, with no thread and no socket: the test moves
//! time and datagrams, the gateway takes its turns when told. Same seed, same network, same
//! inputs: the same run, every time.
//!
//! The simulation serves `ws://` (no TLS) and a trunk over UDP.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use rtcweb_sip_core::Instant;

use crate::ws::connection::MAX_MESSAGE;

use super::config::BrowserGatewayConfig;
use super::driver::{Clock, Driver};
use super::net::{Backend, SimNetwork};
use super::stats::GatewayStats;

/// Turns taken at one instant before [`SimGateway::handle_timeout`] gives up waiting for the
/// gateway to settle (a network that delivers at once, in a loop, would otherwise never end).
const MAX_TURNS: usize = 1000;

/// The gateway driven by a test. See the [module docs](self).
pub struct SimGateway {
    driver: Driver,
    buf: Vec<u8>,
    signalling_due: bool,
}

impl std::fmt::Debug for SimGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimGateway")
            .field("ws", &self.driver.web.local)
            .field("sip", &self.driver.trunk.local)
            .field("calls", &self.driver.calls.len())
            .finish_non_exhaustive()
    }
}

impl SimGateway {
    /// The gateway of `cfg` on `net`, its clock at `now`; `unix_at_zero` is the Unix time of
    /// [`Instant::ZERO`] (ephemeral credentials carry Unix expiries). `cfg.tls` must be `None`
    /// and the trunk UDP.
    ///
    /// # Errors
    /// The network refused an address, or the configuration asks for TLS or a TCP trunk.
    pub fn new(
        cfg: BrowserGatewayConfig,
        net: Arc<dyn SimNetwork>,
        now: Instant,
        unix_at_zero: u64,
    ) -> io::Result<Self> {
        if cfg.tls.is_some() {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "a simulated gateway serves ws://, not wss://",
            ));
        }
        let driver = Driver::build(cfg, &Backend::Sim(net), Clock::Sim(now), unix_at_zero, None)?;
        Ok(Self {
            driver,
            buf: vec![0; MAX_MESSAGE],
            signalling_due: true,
        })
    }

    /// Where browsers connect (`ws://` + this).
    #[must_use]
    pub fn ws_addr(&self) -> SocketAddr {
        self.driver.web.local
    }

    /// Our SIP address towards the trunk.
    #[must_use]
    pub fn sip_addr(&self) -> SocketAddr {
        self.driver.trunk.local
    }

    /// Time is `now`: the gateway reads what arrived, runs its due timers and sends, turn after
    /// turn until a turn does nothing (at most 1 000 turns).
    pub fn handle_timeout(&mut self, now: Instant) {
        self.driver.clock = Clock::Sim(now);
        for _ in 0..MAX_TURNS {
            if !self.driver.turn(&mut self.buf, &mut self.signalling_due) {
                break;
            }
        }
    }

    /// When the gateway's next timer is due (a user agent's, the registrar's, a call's ICE or
    /// DTLS); datagrams arriving wake it too.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.driver.next_timer()
    }

    /// The counters, the calls in progress and ended, and the log, as of now.
    pub fn stats(&mut self) -> GatewayStats {
        self.driver.publish();
        self.driver
            .shared
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default()
    }

    /// Open WebSocket connections.
    #[must_use]
    pub fn connections(&self) -> usize {
        self.driver.web.connections()
    }
}
