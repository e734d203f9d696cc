//! A browser-to-phone gateway (issue #17): a back-to-back user agent and media relay whose web
//! legs are SIP over WebSocket (RFC 7118: the browser's JsSIP connects to us, `ws://` or
//! `wss://`) with WebRTC media
//! (ICE-lite, DTLS-SRTP, rtcp-mux, BUNDLE), and whose trunk legs are SIP over UDP or TCP with
//! plain RTP/AVP, or SRTP keyed by SDES, to one configured phone or trunk. Browsers call the phone; the phone calls a browser
//! registered over WebSocket (`sip:alice@…` reaches the browser registered as alice).
//!
//! | file | concern |
//! |---|---|
//! | [`config`] | where it listens (`ws://` or `wss://`), whom it calls, `max_calls`, the registrar's users or ephemeral-credential secret, codecs allowed |
//! | [`table`] | the call table: calls keyed by both legs' [`CallHandle`](rtcweb_sip_core::ua::CallHandle)s, bounded |
//! | [`call`] | one call: both legs' handles, its media relay, what is pending (early media, transfer, hold) |
//! | [`web`] | the browsers' signalling leg: WebSocket listener and connections, their UA, the registrar |
//! | [`trunk`] | the trunk's signalling leg: SIP over UDP or TCP, its own UA |
//! | [`bridge`] | the B2BUA: each leg's events and what they cause on the other |
//! | [`reoffer`] | new offers in a call from either side (hold, resume, moved media), forwarded and answered |
//! | [`media`] | the media legs of a call (ICE-lite + DTLS-SRTP socket; plain RTP socket) and the relay's socket I/O |
//! | [`poller`] | which calls' media sockets have datagrams waiting (epoll through mio) |
//! | [`relay`] | the relay's per-packet transform: SRTP → RTP to the phone, RTP → SRTP to the browser, no sockets |
//! | [`sdes`] | SDES-SRTP keys on the trunk's leg (`a=crypto`, RFC 4568) |
//! | [`sdp`] | the WebRTC offer/answer and the plain RTP/AVP one |
//! | [`codec`] | the codec both legs have (PCMU/PCMA/G722/Opus), payload types mapped, telephone-event |
//! | [`stats`] | per-call and total counters, RTCP receiver reports, the line printed at hang-up |
//! | [`driver`] | the thread: sockets, time, and the loop |
//! | [`net`] | where the sockets live: the operating system's, or a simulated network's |
//! | [`sim`] | [`SimGateway`]: the whole gateway driven by a test, no thread, no socket |
//!
//! One thread owns everything, and sleeps until a socket is readable or a timer is due
//! ([`poller`]). Each call has **two UDP sockets of its own**: one towards the
//! browser (STUN, DTLS and SRTP/SRTCP split by first byte, RFC 7983) and one towards the phone
//! (plain RTP). Not one socket demultiplexed by ICE username and source address, because: the
//! phone's plain RTP carries nothing to demultiplex on but its source, which a NAT or a
//! transfer may change, while a port of its own per call is what SDP was made for; a browser's
//! packets can never be taken for another call's (the demultiplexer's bug or an attacker's
//! guess); and teardown is closing the call's sockets — nothing shared to clean. The cost is
//! two file descriptors and two ports per call, bounded by `max_calls`, watched by epoll
//! ([`poller`]): the loop reads only the legs that have datagrams waiting.
//!
//! Topology hiding: the two legs live in two user agents, so no Via, Contact, Call-ID, tag or
//! address of one leg reaches the other; media gets the gateway's own SSRC and sequence numbers
//! on each leg.
//!
//! Who may call: with the registrar authenticating (users, or an ephemeral-credential secret),
//! a browser calls only as the user it registered, over the connection it registered on
//! (anything else is 403: the REGISTER's digest is what authenticated the WebSocket); from the
//! trunk's side, a request outside any dialog is taken only from the trunk's address (others
//! are dropped unanswered and counted in [`GatewayStats::foreign_requests`]). Without
//! authentication anyone reaching the listener may call — for tests and closed networks.
//!
//! Every socket is behind [`net`]: the operating system's, or a simulated network's, on which
//! [`SimGateway`] runs the whole gateway on a test's clock (`tests/gateway_sim/`: many
//! simulated browsers and a phone, loss, WebSocket connections cut, hostile input).
//!
//! A call ends on BYE from either side, CANCEL, failure of either leg, the loss of its
//! browser's WebSocket connection, or the phone's silence on the media leg past
//! `media_timeout` (60 s by default) while its direction lets it send; its table entry and
//! sockets go at once, and its counters are kept in [`GatewayStats::finished`] (printed as one
//! line, or JSON, by `rtcweb gateway --ws`).
//! Past `max_calls`, a new INVITE from either side is answered 503 with `Retry-After`.

pub mod bridge;
pub mod call;
pub mod codec;
pub mod config;
pub mod driver;
pub mod media;
pub mod net;
pub mod poller;
pub mod relay;
pub mod reoffer;
pub mod sdes;
pub mod sdp;
pub mod sim;
pub mod stats;
pub mod table;
pub mod trunk;
pub mod web;

use std::collections::{BTreeSet, VecDeque};
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

use rtcweb_proto::Rng;
use rtcweb_srtp_core::dtls::{Certificate, DtlsConfig, DtlsContext};

use crate::ws::{EphemeralAuth, RegistrarConfig};

pub use config::BrowserGatewayConfig;
pub use sim::SimGateway;
pub use stats::{CallStats, GatewayStats};

use driver::{Clock, Driver};
use net::Backend;
use table::CallTable;

/// A running gateway. Stops when dropped.
#[derive(Debug)]
pub struct BrowserGateway {
    local_ws: SocketAddr,
    secure: bool,
    sip_addr: SocketAddr,
    stats: Arc<Mutex<GatewayStats>>,
    stop: Arc<AtomicBool>,
    /// Wakes the thread's wait (to stop at once).
    waker: Arc<mio::Waker>,
    thread: Option<JoinHandle<()>>,
}

impl BrowserGateway {
    /// Binds the listener and the trunk's SIP socket (on the listener's IP) and starts the
    /// thread. Media sockets are bound per call.
    ///
    /// # Errors
    /// Binding failed.
    pub fn start(cfg: BrowserGatewayConfig) -> io::Result<Self> {
        // The driver's clock starts now: its `Instant::ZERO` is this Unix time (ephemeral
        // credentials carry Unix expiries).
        let clock = Clock::Os(std::time::Instant::now());
        let unix_at_zero = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let media_poll = poller::MediaPoller::new()?;
        let waker = media_poll.waker();
        // The trunk's TCP connections wake the loop for each message (their threads hand it
        // over a channel epoll does not see).
        let wake = Arc::clone(&waker);
        let notify: crate::sip_stream::Notify = Arc::new(move || {
            let _ = wake.wake();
        });
        let mut driver = Driver::build(cfg, &Backend::Os, clock, unix_at_zero, Some(notify))?;
        driver.media_poll = Some(media_poll);
        let local_ws = driver.web.local;
        let secure = driver.web.is_secure();
        let sip_addr = driver.trunk.local;
        let stats = Arc::clone(&driver.shared);
        let stop = Arc::clone(&driver.stop);
        let thread = std::thread::Builder::new()
            .name("browser-gw".into())
            .spawn(move || driver.run())?;
        Ok(Self {
            local_ws,
            secure,
            sip_addr,
            stats,
            stop,
            waker,
            thread: Some(thread),
        })
    }

    /// The WebSocket address (`ws://` + this, or `wss://` + this when TLS is configured).
    #[must_use]
    pub const fn local_addr(&self) -> SocketAddr {
        self.local_ws
    }

    /// The URL browsers connect to: `ws://ADDR` or `wss://ADDR`.
    #[must_use]
    pub fn url(&self) -> String {
        let scheme = if self.secure { "wss" } else { "ws" };
        format!("{scheme}://{}", self.local_ws)
    }

    /// Our SIP address towards the trunk (UDP, or the TCP listener): where its calls to browsers go
    /// (`sip:alice@` + this reaches the browser registered as alice).
    #[must_use]
    pub const fn sip_addr(&self) -> SocketAddr {
        self.sip_addr
    }

    /// A copy of the counters, the calls in progress and ended, and the log.
    #[must_use]
    pub fn stats(&self) -> GatewayStats {
        self.stats.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Stops the thread.
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.waker.wake();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for BrowserGateway {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Driver {
    /// The gateway's state on `backend`, before its loop runs: the listener and the trunk's
    /// SIP socket bound, the user agents, the registrar and the certificate made from
    /// `cfg.seed`. `unix_at_zero`: the Unix time of the clock's [`Instant::ZERO`]
    /// (ephemeral credentials carry Unix expiries).
    ///
    /// [`Instant::ZERO`]: rtcweb_sip_core::Instant::ZERO
    fn build(
        cfg: BrowserGatewayConfig,
        backend: &Backend,
        clock: Clock,
        unix_at_zero: u64,
        notify: Option<crate::sip_stream::Notify>,
    ) -> io::Result<Self> {
        let listener = net::Listener::bind(backend, cfg.ws)?;
        let local_ws = listener.local_addr()?;
        let ip = local_ws.ip();
        let mut rng = Rng::from_seed(cfg.seed);
        let users: Vec<(&str, &str)> = cfg
            .users
            .iter()
            .map(|(u, p)| (u.as_str(), p.as_str()))
            .collect();
        let mut registrar = RegistrarConfig::new(&cfg.domain, &users);
        registrar.authenticate = !cfg.users.is_empty() || cfg.auth_secret.is_some();
        registrar.ephemeral = cfg
            .auth_secret
            .as_ref()
            .map(|s| EphemeralAuth::new(s.as_bytes(), unix_at_zero));
        let web = web::WebSide::new(
            listener,
            cfg.tls.clone(),
            rng.seed32(),
            registrar,
            rng.seed32(),
            cfg.max_calls,
        )?;
        let sip = cfg.sip.unwrap_or_else(|| SocketAddr::new(ip, 0));
        let trunk = trunk::TrunkSide::new(
            backend,
            sip,
            cfg.trunk,
            cfg.trunk_transport,
            rng.seed32(),
            cfg.max_calls,
            notify,
        )?;
        let certificate =
            Certificate::self_signed(&rng.seed32()).map_err(|e| io::Error::other(e.to_string()))?;
        // One DTLS configuration for every call. On the system's network its endpoints draw
        // their non-key randomness (Hello randoms, retransmission jitter) from the system; a
        // simulation seeds it from the gateway's seed, for runs that repeat.
        let dtls_config = DtlsConfig::default();
        let dtls = match backend {
            Backend::Os => DtlsContext::new(&dtls_config),
            Backend::Sim(_) => DtlsContext::seeded(&dtls_config, &rng.seed32()),
        }
        .map_err(|e| io::Error::other(e.to_string()))?;
        let published = match clock {
            Clock::Os(_) => rtcweb_sip_core::Instant::ZERO,
            Clock::Sim(now) => now,
        };
        Ok(Self {
            calls: CallTable::new(cfg.max_calls),
            cfg,
            ip,
            web,
            trunk,
            certificate,
            dtls,
            rng,
            open_sockets: Arc::new(AtomicUsize::new(0)),
            admitting: None,
            known_users: BTreeSet::new(),
            released: BTreeSet::new(),
            totals: GatewayStats::default(),
            log: VecDeque::new(),
            shared: Arc::new(Mutex::new(GatewayStats::default())),
            stop: Arc::new(AtomicBool::new(false)),
            clock,
            published,
            dirty: false,
            backend: backend.clone(),
            media_poll: None,
            ready: Vec::new(),
        })
    }
}
