//! [`Sim`]: a gateway ([`SimGateway`]), simulated browsers, a simulated phone and, when a test
//! wants one, an attacker, on one simulated network, moved from event to event on a fake clock.
//! Shared by the tests (`main.rs`) and the call set-up benchmark (`bench/benches/relay/`).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use rtcweb_cli::gateway::browser::{BrowserGatewayConfig, SimGateway};
use rtcweb_testkit::{Instant, Link, SimRng};

use super::browser::Browser;
use super::hostile::Attacker;
use super::phone::Phone;
use super::world::World;

pub const GATEWAY_IP: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
pub const PHONE_IP: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));

pub fn browser_ip(i: usize) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(10, 1, (i / 250) as u8, (i % 250 + 1) as u8))
}

/// A gateway, browsers and a phone on one network.
pub struct Sim {
    pub world: World,
    pub gw: SimGateway,
    pub browsers: Vec<Browser>,
    pub phone: Phone,
    pub attacker: Option<Attacker>,
    pub now: Instant,
    /// Wall time spent inside the gateway ([`SimGateway::handle_timeout`]): its CPU, for the
    /// set-up benchmark (the tests assert nothing on it).
    pub gateway_time: Duration,
}

impl Sim {
    /// `n` browsers (users `user0`…, each with its password) connected to a gateway holding at
    /// most `max_calls`; every path `link`.
    pub fn new(seed: u64, link: Link, n: usize, max_calls: usize) -> Self {
        Self::with_config(seed, link, n, max_calls, |_| {})
    }

    /// [`Self::new`], with the gateway's configuration adjusted by `tweak`.
    pub fn with_config(
        seed: u64,
        link: Link,
        n: usize,
        max_calls: usize,
        tweak: impl FnOnce(&mut BrowserGatewayConfig),
    ) -> Self {
        let world = World::new(seed, link);
        let mut rng = SimRng::new(seed ^ 0x5eed);
        let ws = SocketAddr::new(GATEWAY_IP, 8088);
        let sip = SocketAddr::new(GATEWAY_IP, 5060);
        let phone_sip = SocketAddr::new(PHONE_IP, 5060);
        let mut cfg = BrowserGatewayConfig::new(ws, phone_sip, rng.seed());
        cfg.sip = Some(sip);
        cfg.max_calls = max_calls;
        cfg.users = (0..n)
            .map(|i| (format!("user{i}"), format!("pw{i}")))
            .collect();
        tweak(&mut cfg);
        let gw = SimGateway::new(cfg, Arc::new(world.clone()), Instant::ZERO, 1_800_000_000)
            .expect("gateway");
        let browsers = (0..n)
            .map(|i| {
                Browser::new(
                    &world,
                    browser_ip(i),
                    &format!("user{i}"),
                    &format!("pw{i}"),
                    ws,
                    rng.seed(),
                )
            })
            .collect();
        let phone = Phone::new(&world, phone_sip, sip, rng.seed());
        Self {
            world,
            gw,
            browsers,
            phone,
            attacker: None,
            now: Instant::ZERO,
            gateway_time: Duration::ZERO,
        }
    }

    /// Everyone acts at `now` until nobody has anything more to do.
    pub fn round(&mut self) {
        self.world.deliver(self.now);
        for _ in 0..100 {
            self.gateway_turn();
            if let Some(a) = &mut self.attacker {
                a.step();
            }
            let mut acted = self.phone.step(self.now);
            for b in &mut self.browsers {
                acted |= b.step(self.now);
            }
            if !acted {
                break;
            }
        }
        self.gateway_turn();
    }

    fn gateway_turn(&mut self) {
        let started = std::time::Instant::now();
        self.gw.handle_timeout(self.now);
        self.gateway_time += started.elapsed();
    }

    /// Runs to `until`, jumping from event to event (at least 1 ms at a time).
    pub fn run_until(&mut self, until: Instant) {
        while self.now < until {
            self.round();
            let next = [
                self.world.next_delivery(),
                self.gw.poll_timeout(),
                self.phone.poll_timeout(),
            ]
            .into_iter()
            .chain(self.browsers.iter().map(Browser::poll_timeout))
            .flatten()
            .min()
            .unwrap_or(until);
            self.now = next.min(until).max(self.now + Duration::from_millis(1));
        }
        self.round();
    }

    pub fn register_all(&mut self) {
        for b in &mut self.browsers {
            b.register(self.now);
        }
        self.run_until(self.now + Duration::from_secs(1));
        for b in &self.browsers {
            assert!(b.report.registered, "{} registered: {:?}", b.user, b.log);
        }
        assert_eq!(self.gw.stats().registered, self.browsers.len());
    }
}
