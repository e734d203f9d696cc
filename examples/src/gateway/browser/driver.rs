//! The std driver: one thread owns the WebSocket listener and connections, both user agents,
//! the registrar, the call table (with each call's two media sockets) and the trunk's SIP
//! socket; it moves bytes and time between them. What a UA reports goes to the
//! [bridge](super::bridge).

use std::collections::{BTreeSet, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rtcweb_proto::Rng;
use rtcweb_sip_core::header::{CallId, ToHeader};
use rtcweb_sip_core::message::builder::MessageBuilder;
use rtcweb_sip_core::message::{Header, Message, Method};
use rtcweb_sip_core::transaction::Peer;
use rtcweb_sip_core::ua::CallHandle;
use rtcweb_sip_core::Instant;
use rtcweb_srtp_core::dtls::{Certificate, DtlsContext};

use crate::ws::connection::MAX_MESSAGE;
use crate::ws::{stamp_via, ws_peer, RegistrarEvent};

use super::call::Call;
use super::config::BrowserGatewayConfig;
use super::media::MediaEvent;
use super::net::Backend;
use super::poller::{Leg, MediaPoller};
use super::stats::{CallStats, GatewayStats};
use super::table::{CallKey, CallTable};
use super::trunk::TrunkSide;
use super::web::{WebInput, WebSide};

/// The loop's wait when something has to be looked at every turn (WebSocket handshakes under
/// way, for their deadline).
const IDLE: Duration = Duration::from_millis(1);
/// The longest the loop sleeps with nothing ready and no timer due: a safety net, not a tick.
const LONGEST_WAIT: Duration = Duration::from_millis(500);
/// How often the shared statistics are refreshed while calls run.
const PUBLISH: Duration = Duration::from_millis(50);
/// Ended calls kept in [`GatewayStats::finished`] (the oldest go first).
const FINISHED_KEPT: usize = 1000;
/// Lines kept in [`GatewayStats::log`] (the oldest go first).
const LOG_KEPT: usize = 10_000;
/// Headers parsed per SIP message.
const HEADERS: usize = 128;

/// The gateway's state, owned by its thread.
pub struct Driver {
    pub(super) cfg: BrowserGatewayConfig,
    pub(super) ip: IpAddr,
    pub(super) web: WebSide,
    pub(super) trunk: TrunkSide,
    pub(super) calls: CallTable<Call>,
    pub(super) certificate: Certificate,
    /// The DTLS configuration every call's endpoint shares (made once: its self-tests cost
    /// milliseconds).
    pub(super) dtls: DtlsContext,
    pub(super) rng: Rng,
    pub(super) open_sockets: Arc<AtomicUsize>,
    /// The Call-ID of the new INVITE being handed to a UA: its `IncomingCall` takes it.
    pub(super) admitting: Option<String>,
    /// Users that registered once (a call to one now unregistered gets 480, not 404).
    pub(super) known_users: BTreeSet<String>,
    /// Trunk legs a transfer released: their end is not the call's.
    pub(super) released: BTreeSet<CallHandle>,
    /// Counters not kept per call, and the calls that ended.
    pub(super) totals: GatewayStats,
    pub(super) log: VecDeque<String>,
    pub(super) shared: Arc<Mutex<GatewayStats>>,
    pub(super) stop: Arc<AtomicBool>,
    pub(super) clock: Clock,
    /// When the shared statistics were last refreshed.
    pub(super) published: Instant,
    pub(super) dirty: bool,
    /// Where the sockets live.
    pub(super) backend: Backend,
    /// Which calls' media sockets have datagrams waiting (epoll; `None` on a simulated
    /// network, where each leg is asked).
    pub(super) media_poll: Option<MediaPoller>,
    /// The legs being read this turn (kept for its capacity).
    pub(super) ready: Vec<(CallKey, Leg)>,
}

/// The driver's time.
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    /// The system's monotonic clock; [`Instant::ZERO`] is this moment.
    Os(std::time::Instant),
    /// A simulation's: the test sets it before each turn.
    Sim(Instant),
}

impl Driver {
    pub(super) fn now(&self) -> Instant {
        match self.clock {
            Clock::Os(zero) => {
                Instant::from_nanos(i64::try_from(zero.elapsed().as_nanos()).unwrap_or(i64::MAX))
            }
            Clock::Sim(now) => now,
        }
    }

    pub(super) fn say(&mut self, line: String) {
        log::info!("gateway: {line}");
        self.log.push_back(line);
        if self.log.len() > LOG_KEPT {
            self.log.pop_front();
            self.totals.log_dropped += 1;
        }
        self.dirty = true;
    }

    pub(super) fn run(mut self) {
        let mut buf = vec![0u8; MAX_MESSAGE];
        let fds = [self.web.listener_fd(), self.trunk.udp_fd()];
        self.watch(fds.into_iter().flatten().map(|fd| (None, fd)));
        // The first turn reads everything; later ones the signalling only when one of its
        // sockets became ready, or the last read was busy (a capped read leaves more).
        let mut signalling_due = true;
        while !self.stop.load(Ordering::Relaxed) {
            let busy = self.turn(&mut buf, &mut signalling_due);
            let wait = if busy {
                Duration::ZERO
            } else {
                self.idle_wait(signalling_due)
            };
            let Some(poll) = self.media_poll.as_mut() else {
                break;
            };
            if let Err(e) = poll.wait(wait) {
                self.say(format!("poll: {e}"));
                std::thread::sleep(IDLE);
            }
        }
        self.web.close_all();
        self.publish();
    }

    /// One turn of the loop: reads what is ready, runs the timers that are due, sends what
    /// every state machine queued. Whether anything happened (then the next turn does not
    /// wait). `signalling_due`: read the signalling sockets even if epoll said nothing (set
    /// for the next turn when this one's read was busy, or the trunk is TCP).
    pub(super) fn turn(&mut self, buf: &mut [u8], signalling_due: &mut bool) -> bool {
        let mut busy = false;
        let signalling_ready = self
            .media_poll
            .as_mut()
            .is_none_or(MediaPoller::take_signalling);
        if *signalling_due || signalling_ready {
            let read = self.signalling(buf);
            busy |= read;
            // Over TCP without a wake-up the trunk's messages come from its connections'
            // threads unannounced: read every turn.
            *signalling_due = read || !self.trunk.wakes();
        }
        busy |= self.media(buf);
        {
            let now = self.now();
            self.media_timeouts(now);
            if self.web.ua.poll_timeout().is_some_and(|t| t <= now) {
                self.web.ua.handle_timeout(now);
            }
            if self.trunk.ua.poll_timeout().is_some_and(|t| t <= now) {
                self.trunk.ua.handle_timeout(now);
            }
            if self.web.registrar.poll_timeout().is_some_and(|t| t <= now) {
                self.web.registrar.handle_timeout(now);
                self.registrar_events();
            }
            for (_, c) in self.calls.iter_mut() {
                c.relay.web.handle_timeout(now);
            }
            self.pump(now);
            busy |= self.web.transmit(now, buf);
            busy |= self.trunk.transmit(now, buf);
            for (_, c) in self.calls.iter_mut() {
                busy |= c.relay.web.transmit(now, buf);
            }
            if self.dirty || now.saturating_duration_since(self.published) >= PUBLISH {
                self.publish();
                self.published = now;
            }
        }
        busy
    }

    /// New sockets join the poller: the listener and the trunk's UDP socket (`None`) under the
    /// shared signalling token, each WebSocket connection under its own number.
    fn watch(&mut self, sockets: impl IntoIterator<Item = (Option<u64>, std::os::fd::RawFd)>) {
        let Some(poll) = self.media_poll.as_mut() else {
            return;
        };
        let failed: Vec<_> = sockets
            .into_iter()
            .filter_map(|(id, fd)| {
                match id {
                    None => poll.register_signalling(fd),
                    Some(id) => poll.register_connection(fd, id),
                }
                .err()
            })
            .collect();
        for e in failed {
            self.say(format!("poll: socket not watched: {e}"));
        }
    }

    /// How long the loop may sleep when nothing is ready: until the next timer of a user
    /// agent, the registrar or a call's ICE/DTLS, or the next refresh of the shared counters
    /// while calls run; [`IDLE`] while something must be looked at every turn (WebSocket
    /// handshakes under way, a trunk over TCP whose connections do not wake the loop); at most
    /// [`LONGEST_WAIT`].
    fn idle_wait(&self, signalling_due: bool) -> Duration {
        if signalling_due || self.web.handshaking() {
            return IDLE;
        }
        let now = self.now();
        let mut next = self
            .next_timer()
            .map_or(LONGEST_WAIT, |t| t.saturating_duration_since(now));
        if !self.calls.is_empty() {
            next = next.min(PUBLISH);
        }
        next.min(LONGEST_WAIT)
    }

    /// The earliest timer of a user agent, the registrar or a call's ICE/DTLS.
    pub(super) fn next_timer(&self) -> Option<Instant> {
        [
            self.web.ua.poll_timeout(),
            self.trunk.ua.poll_timeout(),
            self.web.registrar.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .chain(
            self.calls
                .iter()
                .filter_map(|(_, c)| c.relay.web.poll_timeout()),
        )
        .min()
    }

    /// Reads the WebSocket connections and the trunk's socket and routes each message.
    fn signalling(&mut self, buf: &mut [u8]) -> bool {
        let mut input = WebInput::default();
        let now = self.now();
        // With epoll, only the connections it reported (and those left with more to read); on a
        // simulated network, every one.
        let ready = self.media_poll.as_mut().map(|p| {
            let mut ids = Vec::new();
            p.take_ready_connections(&mut ids);
            ids
        });
        let mut busy = self.web.read(now, ready.as_deref(), &mut input);
        self.watch(input.opened.iter().map(|&(id, fd)| (Some(id), fd)));
        if let Some(p) = self.media_poll.as_mut() {
            p.connections_again(&input.more);
        }
        for line in input.said {
            self.say(line);
        }
        let now = self.now();
        for (addr, msg) in input.messages {
            self.on_browser_message(now, addr, &msg);
        }
        for addr in input.closed {
            self.browser_gone(now, addr);
        }
        let mut datagrams = Vec::new();
        busy |= self.trunk.read(buf, &mut datagrams);
        for (from, msg) in datagrams {
            self.on_trunk_message(now, from, &msg);
        }
        busy
    }

    /// Relays the media of the calls whose sockets have datagrams waiting ([`MediaPoller`]).
    fn media(&mut self, buf: &mut [u8]) -> bool {
        let now = self.now();
        let mut busy = false;
        let mut keyed = Vec::new();
        let mut events = Vec::new();
        let mut ready = std::mem::take(&mut self.ready);
        match self.media_poll.as_mut() {
            Some(poll) => poll.take_ready(&mut ready),
            // A simulated network: every leg with a datagram waiting.
            None => {
                ready.clear();
                for (key, c) in self.calls.iter() {
                    if c.relay.web.socket().sim_readable() {
                        ready.push((key, Leg::Web));
                    }
                    if c.relay.trunk.socket().sim_readable() {
                        ready.push((key, Leg::Trunk));
                    }
                }
            }
        }
        for &(key, leg) in &ready {
            let Some(c) = self.calls.get_mut(key) else {
                continue;
            };
            let reads = match leg {
                Leg::Web => c.relay.read_web(now, buf, &mut c.stats, &mut events),
                Leg::Trunk => c.relay.read_trunk(now, buf, &mut c.stats),
            };
            busy |= reads.any();
            if reads.more {
                if let Some(poll) = self.media_poll.as_mut() {
                    poll.again(key, leg);
                }
            }
            for e in events.drain(..) {
                if let MediaEvent::Keyed(p) = &e {
                    c.stats.dtls_profile = Some(p.clone());
                }
                keyed.push((key, e));
            }
        }
        for (key, e) in keyed {
            match e {
                MediaEvent::Keyed(p) => {
                    self.totals.dtls_profile = Some(p.clone());
                    self.say(format!("call {}: web leg: DTLS connected, {p}", key.0));
                }
                MediaEvent::DtlsFailed(why) => {
                    self.say(format!("call {}: web leg: DTLS {why}", key.0));
                }
            }
        }
        self.ready = ready;
        busy
    }

    /// A new call's media sockets join the poller.
    pub(super) fn watch_media(&mut self, key: CallKey) {
        let (Some(c), Some(poll)) = (self.calls.get(key), self.media_poll.as_mut()) else {
            return;
        };
        if let Err(e) = poll.register(key, &c.relay) {
            self.say(format!("call {}: media sockets not watched: {e}", key.0));
        }
    }

    /// A SIP message from a browser: REGISTER to the registrar, a new INVITE past the bound
    /// refused, everything else to the web UA.
    fn on_browser_message(&mut self, now: Instant, addr: SocketAddr, msg: &[u8]) {
        let peer = ws_peer(addr);
        let mut st = [Header::EMPTY; HEADERS];
        if let Ok(m) = Message::parse(msg, &mut st) {
            if m.method() == Some(Method::Register) {
                let response = self.web.registrar.handle_register(now, peer, &m);
                let response = stamp_via(&response, peer);
                self.web.write(addr, &response);
                self.registrar_events();
                return;
            }
            match self.admission(&m) {
                Admission::Refuse(response) => {
                    self.web.write(addr, &stamp_via(&response, peer));
                    return;
                }
                Admission::New(call_id) => self.admitting = Some(call_id),
                Admission::Other => {}
            }
        }
        let _ = self.web.ua.handle_receive(now, peer, msg);
        self.pump(now);
        self.admitting = None;
    }

    /// A SIP message from the trunk side. A request outside any dialog (no To tag: INVITE,
    /// OPTIONS, MESSAGE, …) is taken only from the trunk's address: anyone else reaching the
    /// gateway's SIP socket would otherwise ring browsers or draw responses to a forged
    /// source; it is dropped unanswered and counted. Responses and in-dialog requests are
    /// matched by the user agent to what it sent (a transfer target answers from elsewhere),
    /// on identifiers an outsider cannot guess.
    fn on_trunk_message(&mut self, now: Instant, from: Peer, msg: &[u8]) {
        let mut st = [Header::EMPTY; HEADERS];
        if let Ok(m) = Message::parse(msg, &mut st) {
            let outside_dialog = m.method().is_some() && !has_to_tag(&m);
            if outside_dialog && from.addr.ip() != self.trunk.trunk.ip() {
                self.totals.foreign_requests += 1;
                self.dirty = true;
                return;
            }
            match self.admission(&m) {
                Admission::Refuse(response) => {
                    self.trunk.send(from, &response);
                    return;
                }
                Admission::New(call_id) => self.admitting = Some(call_id),
                Admission::Other => {}
            }
        }
        let _ = self.trunk.ua.handle_receive(now, from, msg);
        self.pump(now);
        self.admitting = None;
    }

    /// Whether `m` is a new INVITE, and whether the table has room for it: past `max_calls`,
    /// 503 with Retry-After (RFC 3261 §21.5.4), sent statelessly (§8.2.7) so that the refused
    /// call holds nothing. A retransmission of an admitted INVITE is not new.
    fn admission(&mut self, m: &Message<'_>) -> Admission {
        if m.method() != Some(Method::Invite) {
            return Admission::Other;
        }
        if has_to_tag(m) {
            return Admission::Other;
        }
        let call_id = m
            .typed::<CallId>()
            .ok()
            .flatten()
            .map(|c| c.0.to_string())
            .unwrap_or_default();
        let known = !self
            .calls
            .keys_where(|c| c.invite_call_id == call_id)
            .is_empty();
        if known {
            return Admission::Other;
        }
        if !self.calls.is_full() {
            return Admission::New(call_id);
        }
        self.totals.refused_calls += 1;
        let tag = hex(&self.rng.seed32()[..8]);
        let mut b = MessageBuilder::response_to(m, 503, "Service Unavailable", Some(&tag));
        b.add_header("Retry-After", self.cfg.retry_after.to_string());
        self.say(format!(
            "INVITE {call_id} refused 503: {} calls held (--max-calls)",
            self.calls.len()
        ));
        Admission::Refuse(b.to_vec())
    }

    /// A browser's connection closed: its bindings go, and so do its calls, on both legs.
    fn browser_gone(&mut self, now: Instant, addr: SocketAddr) {
        self.web.registrar.connection_closed(ws_peer(addr));
        self.registrar_events();
        for key in self.calls.keys_where(|c| c.conn == addr) {
            self.say(format!("call {}: web leg: connection closed", key.0));
            self.hang_up_both(now, key);
            self.end_call(key, "WebSocket closed");
        }
    }

    fn registrar_events(&mut self) {
        while let Some(e) = self.web.registrar.poll_event() {
            let line = match e {
                RegistrarEvent::Register { aor, status, .. } => {
                    format!("registrar: REGISTER {aor} -> {status}")
                }
                RegistrarEvent::BindingAdded {
                    binding, refreshed, ..
                } => {
                    if let Some(user) = user_of(&binding.aor) {
                        self.known_users.insert(user.to_string());
                    }
                    if refreshed {
                        continue;
                    }
                    format!("registrar: {} bound at {}", binding.aor, binding.peer.addr)
                }
                RegistrarEvent::BindingRemoved { binding, why } => {
                    format!("registrar: {} unbound ({why:?})", binding.aor)
                }
            };
            self.say(line);
        }
    }

    /// Ends the calls whose phone has been silent for the media timeout while it should send
    /// ([`super::BrowserGatewayConfig::media_timeout`]): BYE on both legs.
    fn media_timeouts(&mut self, now: Instant) {
        let Some(limit) = self.cfg.media_timeout else {
            return;
        };
        for key in self
            .calls
            .keys_where(|c| c.relay.trunk.silent_for(now, limit))
        {
            self.say(format!(
                "call {}: trunk leg: no media from the phone for {} s",
                key.0,
                limit.as_secs()
            ));
            self.hang_up_both(now, key);
            self.end_call(key, "no media from the phone");
        }
    }

    /// Sends BYE/CANCEL (or a refusal) on every leg of a call that still has one.
    pub(super) fn hang_up_both(&mut self, now: Instant, key: CallKey) {
        let Some(c) = self.calls.get(key) else {
            return;
        };
        let (web, trunk, transfer) = (c.web, c.trunk, c.transfer);
        // A new offer still waiting for its answer ends with the call (487, RFC 3261 §15).
        if let Some(w) = web {
            let _ = self.web.ua.reject_offer(now, w, 487);
            let _ = self.web.ua.hangup(now, w);
        }
        if let Some(t) = trunk {
            let _ = self.trunk.ua.reject_offer(now, t, 487);
            let _ = self.trunk.ua.hangup(now, t);
        }
        if let Some((_, new)) = transfer {
            let _ = self.trunk.ua.hangup(now, new);
        }
    }

    /// Removes a call: its sockets close, its handles are forgotten, its counters go to the
    /// finished list (and to the log line printed at hang-up).
    pub(super) fn end_call(&mut self, key: CallKey, why: &str) {
        let Some(c) = self.calls.remove(key) else {
            return;
        };
        let mut s = c.stats;
        s.duration = self.now().saturating_duration_since(c.started);
        s.ended = why.into();
        self.add_to_totals(&s);
        let line = s.line();
        self.totals.finished.push(s);
        if self.totals.finished.len() > FINISHED_KEPT {
            self.totals.finished.remove(0);
        }
        self.say(line);
    }

    fn add_to_totals(&mut self, s: &CallStats) {
        let t = &mut self.totals;
        t.web_to_phone += s.web_to_phone;
        t.phone_to_web += s.phone_to_web;
        t.rtcp_terminated += s.rtcp_terminated;
        t.refused += s.refused;
        t.early_media += s.early_media;
    }

    /// Refreshes the shared statistics: totals over ended and running calls.
    pub(super) fn publish(&mut self) {
        let mut st = self.totals.clone();
        st.active = self.calls.iter().map(|(_, c)| c.stats.clone()).collect();
        for s in &st.active {
            st.web_to_phone += s.web_to_phone;
            st.phone_to_web += s.phone_to_web;
            st.rtcp_terminated += s.rtcp_terminated;
            st.refused += s.refused;
            st.early_media += s.early_media;
        }
        st.active_calls = self.calls.len();
        st.sockets_open = self.open_sockets.load(Ordering::Relaxed);
        st.registered = self.web.registrar.all_bindings().count();
        st.log = self.log.iter().cloned().collect();
        if let Ok(mut shared) = self.shared.lock() {
            *shared = st;
        }
        self.dirty = false;
    }
}

/// What [`Driver::admission`] decided.
enum Admission {
    /// Not a new INVITE.
    Other,
    /// A new INVITE with this Call-ID, admitted.
    New(String),
    /// Refused: this response goes back.
    Refuse(Vec<u8>),
}

/// Whether the To header has a tag: a request inside a dialog (RFC 3261 §12.2).
fn has_to_tag(m: &Message<'_>) -> bool {
    m.typed::<ToHeader>()
        .ok()
        .flatten()
        .and_then(|t| t.tag())
        .is_some()
}

/// The user part of `sip:user@host`.
pub(super) fn user_of(uri: &str) -> Option<&str> {
    let rest = uri
        .strip_prefix("sip:")
        .or_else(|| uri.strip_prefix("sips:"))?;
    let (user, _) = rest.split_once('@')?;
    (!user.is_empty()).then_some(user)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
