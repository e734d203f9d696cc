//! One established call's media, the gateway's own code on both legs: a [`Relay`] (web leg:
//! socket, ICE-lite agent, DTLS-SRTP endpoint; trunk leg: socket) keyed by a real DTLS 1.2
//! handshake over 127.0.0.1 with a browser-like peer (srtp-core's `DtlsSrtp` as DTLS client),
//! and a phone socket the trunk leg sends to.

use std::net::{IpAddr, Ipv4Addr, UdpSocket};
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;
use std::time::Duration;

use rtcweb_cli::gateway::browser::codec::PtMap;
use rtcweb_cli::gateway::browser::media::{MediaEvent, Relay, TrunkMedia, WebMedia};
use rtcweb_cli::gateway::browser::net::Backend;
use rtcweb_cli::gateway::browser::stats::CallStats;
use rtcweb_proto::Rng;
use rtcweb_srtp_core::dtls::{
    Certificate, DtlsConfig, DtlsContext, DtlsEvent, DtlsSrtp, SrtpSessions,
};
use rtcweb_srtp_core::{DtlsRole, Instant};

pub const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// The browser's end: its socket (the relay's destination) and its SRTP sessions.
pub struct Browser {
    pub socket: UdpSocket,
    pub srtp: SrtpSessions,
}

/// What every call shares: the gateway's certificate (one per gateway, as in `BrowserGateway`),
/// the browsers' (shared too: not the gateway's memory), the socket counter, the clock, the seed.
pub struct Shared {
    pub gateway_cert: Certificate,
    browser_cert: Certificate,
    pub open: Arc<AtomicUsize>,
    pub rng: Rng,
    /// The gateway's one DTLS configuration (as `Driver` keeps it).
    pub dtls: DtlsContext,
    clock: std::time::Instant,
}

impl Shared {
    pub fn new() -> Self {
        Self {
            gateway_cert: Certificate::self_signed(&[1; 32]).unwrap(),
            browser_cert: Certificate::self_signed(&[2; 32]).unwrap(),
            open: Arc::new(AtomicUsize::new(0)),
            rng: Rng::from_seed([3; 32]),
            dtls: DtlsContext::new(&DtlsConfig::default()).unwrap(),
            clock: std::time::Instant::now(),
        }
    }

    pub fn now(&self) -> Instant {
        Instant::from_nanos(i64::try_from(self.clock.elapsed().as_nanos()).unwrap())
    }
}

/// PCMU (payload type 0) on both legs, as negotiated with a browser and a G.711 phone.
pub const PCMU: PtMap = PtMap {
    web: 0,
    trunk: 0,
    dtmf: None,
};

/// A relay keyed by a DTLS-SRTP handshake (the gateway DTLS server, `a=setup:passive` to the
/// browser's `actpass`, as `bridge.rs` chooses), its trunk leg sending to `phone`; the codec
/// chosen and the call answered. Returns the relay, the browser's end and the profile name.
pub fn keyed_call(shared: &mut Shared, phone: &UdpSocket) -> (Relay, Browser, String) {
    let web = WebMedia::new(&Backend::Os, LOOPBACK, &mut shared.rng, &shared.open).unwrap();
    let mut trunk = TrunkMedia::new(&Backend::Os, LOOPBACK, &mut shared.rng, &shared.open).unwrap();
    trunk.remote = Some(phone.local_addr().unwrap());
    let mut relay = Relay {
        web,
        trunk,
        pts: Some(PCMU),
        answered: true,
    };
    let now = shared.now();
    let seed = shared.rng.seed32();
    relay.web.start_dtls(
        now,
        DtlsRole::Server,
        &shared.gateway_cert,
        shared.browser_cert.fingerprint(),
        &shared.dtls,
    );
    let mut browser = DtlsSrtp::new(
        now,
        DtlsRole::Client,
        &shared.browser_cert,
        Some(shared.gateway_cert.fingerprint()),
        &DtlsConfig::default(),
        &seed,
    )
    .unwrap();
    let socket = UdpSocket::bind((LOOPBACK, 0)).unwrap();
    socket.set_nonblocking(true).unwrap();
    let mut buf = vec![0u8; 65_535];
    let mut stats = CallStats::default();
    let mut events = Vec::new();
    let (mut srtp, mut profile) = (None, None);
    let started = std::time::Instant::now();
    while srtp.is_none() || profile.is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "DTLS handshake"
        );
        let now = shared.now();
        if browser.poll_timeout().is_some_and(|t| t <= now) {
            browser.handle_timeout(now);
        }
        while let Ok(Some(n)) = browser.poll_transmit(now, &mut buf) {
            socket.send_to(&buf[..n], relay.web.addr).unwrap();
        }
        relay.read_web(now, &mut buf, &mut stats, &mut events);
        relay.web.handle_timeout(now);
        relay.web.transmit(now, &mut buf);
        for e in events.drain(..) {
            match e {
                MediaEvent::Keyed(p) => profile = Some(p),
                MediaEvent::DtlsFailed(e) => panic!("gateway DTLS: {e}"),
            }
        }
        while let Ok(n) = socket.recv(&mut buf) {
            browser.handle_receive(now, &buf[..n]).unwrap();
        }
        while let Some(e) = browser.poll_event() {
            match e {
                DtlsEvent::Connected(c) => srtp = Some(c.srtp),
                other => panic!("browser DTLS: {other:?}"),
            }
        }
        std::thread::sleep(Duration::from_micros(100));
    }
    let browser = Browser {
        socket,
        srtp: srtp.unwrap(),
    };
    (relay, browser, profile.unwrap())
}
