//! [`Registration`]: the REGISTER state machine of a UA (RFC 3261 §10.2, RFC 5626 §4.2–§4.5).

use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use super::challenge::{authorization, challenge_in, Credentials};
use crate::header::{Contact, Expires, MinExpires};
use crate::message::builder::MessageBuilder;
use crate::message::{Message, Method};
use crate::transaction::IdGenerator;
use crate::Instant;
use rtcweb_proto::time::InstantExt as _;

/// What to register and how.
#[derive(Debug, Clone)]
pub struct RegistrationConfig {
    /// Request-URI of the REGISTER, e.g. `sip:example.com` (§10.2).
    pub registrar: String,
    /// Address of record, e.g. `sip:alice@example.com` (From and To).
    pub aor: String,
    /// Our Contact as a name-addr, e.g. `<sip:alice@192.0.2.1:5060>`.
    pub contact: String,
    /// Via sent-protocol and sent-by, e.g. `SIP/2.0/UDP 192.0.2.1:5060`; branch and `rport` are added.
    pub via: String,
    /// Requested expiry in seconds (default 3600).
    pub expires: u32,
    /// Digest credentials, if the registrar challenges.
    pub credentials: Option<Credentials>,
    /// RFC 5626 `+sip.instance`, e.g. `<urn:uuid:…>` (enables outbound).
    pub instance_id: Option<String>,
    /// RFC 5626 `reg-id` (default 1 when `instance_id` is set).
    pub reg_id: Option<u32>,
    /// Refresh this long before the binding expires (default 32 s; at least half the expiry is kept).
    pub refresh_before: Duration,
    /// RFC 5626 §4.4.1 flow keep-alive interval when no Flow-Timer is given (default 120 s); the
    /// actual interval is 80–100 % of it, drawn from the seed.
    pub keepalive: Option<Duration>,
    /// First retry delay after a failure; doubles up to `retry_max` (RFC 5626 §4.5: 30 s, 1800 s).
    pub retry_base: Duration,
    /// Longest retry delay.
    pub retry_max: Duration,
    /// Challenges answered in a row before giving up (default 2).
    pub max_auth_attempts: u8,
    /// `stale=true` challenges answered in a row before giving up (default 2): a stale nonce
    /// deserves one immediate retry (RFC 7616 §3.3), an endless stream of them is an attack or a
    /// broken registrar, and is treated as a failure with the usual back-off.
    pub max_stale_retries: u8,
}

impl RegistrationConfig {
    /// Defaults for an AOR registered at `registrar` with `contact`, sent as `via`.
    #[must_use]
    pub fn new(registrar: &str, aor: &str, contact: &str, via: &str) -> Self {
        Self {
            registrar: registrar.into(),
            aor: aor.into(),
            contact: contact.into(),
            via: via.into(),
            expires: 3600,
            credentials: None,
            instance_id: None,
            reg_id: None,
            refresh_before: Duration::from_secs(32),
            keepalive: Some(Duration::from_secs(120)),
            retry_base: Duration::from_secs(30),
            retry_max: Duration::from_secs(1800),
            max_auth_attempts: 2,
            max_stale_retries: 2,
        }
    }
}

/// Where the registration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationState {
    /// No binding.
    Unregistered,
    /// A REGISTER is in flight.
    Registering,
    /// Bound until the instant given.
    Registered {
        /// When the binding expires without a refresh.
        until: Instant,
    },
    /// The last attempt failed; a retry is scheduled.
    Failed,
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegistrationEvent {
    /// The registrar accepted the binding for this many seconds.
    Registered {
        /// Granted expiry in seconds.
        expires: u32,
    },
    /// The binding was removed (unregister succeeded).
    Unregistered,
    /// The attempt failed with this status (`None`: no response). A retry is scheduled.
    Failed {
        /// The final status code.
        code: Option<u16>,
    },
    /// The binding lapsed without a successful refresh.
    Expired,
    /// Time to send a flow keep-alive (RFC 5626 §4.4: CRLFCRLF on streams, STUN on UDP).
    KeepAlive,
}

/// The REGISTER client. Requests come out of [`Self::poll_request`] and go through a client
/// transaction; final responses (or the transaction timeout) go back in.
///
/// Call order: `register` / `unregister` / `handle_response` / `handle_timeout` in; then drain
/// `poll_request`, `poll_event`, and read `poll_timeout`.
#[derive(Debug)]
pub struct Registration {
    cfg: RegistrationConfig,
    ids: IdGenerator,
    call_id: String,
    from_tag: String,
    cseq: u32,
    state: RegistrationState,
    outgoing: Option<Vec<u8>>,
    /// The `Expires` of the REGISTER awaiting its final response: a 2xx is read against what that
    /// request asked for, not against what the application wants now.
    in_flight: Option<u32>,
    /// What the application wants: the binding removed (`true`) or kept.
    unregistering: bool,
    /// The application changed its mind while a REGISTER was in flight: send the request it asked
    /// for once that one is answered (§10.2: one REGISTER at a time per Call-ID).
    queued: bool,
    auth_attempts: u8,
    stale_retries: u8,
    interval_retries: u8,
    nonce: String,
    nc: u32,
    failures: u32,
    refresh_at: Option<Instant>,
    expires_at: Option<Instant>,
    keepalive_at: Option<Instant>,
    keepalive_interval: Option<Duration>,
    retry_at: Option<Instant>,
    events: VecDeque<RegistrationEvent>,
}

const MAX_EVENTS: usize = 64;

/// 423 (Interval Too Brief) answers retried in a row with the registrar's `Min-Expires`
/// (§10.2.8): one is what the RFC expects; a registrar raising its minimum on every retry is
/// treated as a failure instead of being followed up to `u32::MAX`.
const MAX_INTERVAL_RETRIES: u8 = 2;

/// The shortest flow keep-alive interval taken from a `Flow-Timer` header: a registrar asking for
/// 0 s would otherwise make the client wake continuously (RFC 5626 §4.4.1 recommends 120 s).
const MIN_FLOW_TIMER_SECS: u64 = 10;

impl Registration {
    /// A registration; `seed` (32 bytes from the OS's secure source) keys the CSPRNG that makes
    /// its Call-ID, tag, branches and cnonces.
    #[must_use]
    pub fn new(cfg: RegistrationConfig, seed: [u8; 32]) -> Self {
        let mut ids = IdGenerator::new(seed);
        Self {
            call_id: ids.call_id(),
            from_tag: ids.tag(),
            ids,
            cseq: 0,
            state: RegistrationState::Unregistered,
            outgoing: None,
            in_flight: None,
            unregistering: false,
            queued: false,
            auth_attempts: 0,
            stale_retries: 0,
            interval_retries: 0,
            nonce: String::new(),
            nc: 0,
            failures: 0,
            refresh_at: None,
            expires_at: None,
            keepalive_at: None,
            keepalive_interval: None,
            retry_at: None,
            events: VecDeque::new(),
            cfg,
        }
    }

    /// The current state.
    #[must_use]
    pub const fn state(&self) -> RegistrationState {
        self.state
    }

    /// The Call-ID used for every REGISTER (§10.2.4: the same for all refreshes).
    #[must_use]
    pub fn call_id(&self) -> &str {
        &self.call_id
    }

    /// Registers (or refreshes) now. While a REGISTER is in flight, the refresh is sent once that
    /// one is answered, unless the one in flight already asks for a binding.
    pub fn register(&mut self, _now: Instant) {
        self.unregistering = false;
        self.retry_at = None;
        match self.in_flight {
            None => self.send_fresh(),
            Some(0) => self.queued = true,
            Some(_) => self.queued = false,
        }
    }

    /// Removes the binding (Expires: 0, §10.2.2). While a REGISTER is in flight, the removal is
    /// sent once that one is answered, unless the one in flight already asks for it.
    pub fn unregister(&mut self, _now: Instant) {
        self.unregistering = true;
        self.refresh_at = None;
        self.retry_at = None;
        self.keepalive_at = None;
        match self.in_flight {
            None => self.send_fresh(),
            Some(0) => self.queued = false,
            Some(_) => self.queued = true,
        }
    }

    /// What the application currently asks for: `Expires: 0` or the configured expiry.
    fn desired_expires(&self) -> u32 {
        if self.unregistering {
            0
        } else {
            self.cfg.expires
        }
    }

    /// A new attempt (not an answer to a challenge): the per-attempt caps start again.
    fn send_fresh(&mut self) {
        if self.in_flight.is_some() {
            return; // one REGISTER at a time (§10.2: no overlapping registrations per Call-ID)
        }
        self.queued = false;
        self.auth_attempts = 0;
        self.stale_retries = 0;
        self.interval_retries = 0;
        self.send(self.desired_expires(), None);
    }

    fn send(&mut self, expires: u32, auth: Option<(&str, String)>) {
        self.cseq = self.cseq.wrapping_add(1).max(1);
        let branch = self.ids.branch();
        let mut b = MessageBuilder::request(Method::Register, self.cfg.registrar.as_str());
        b.add_header("Via", format!("{};branch={branch};rport", self.cfg.via));
        b.add_header("Max-Forwards", "70");
        b.add_header("From", format!("<{}>;tag={}", self.cfg.aor, self.from_tag));
        b.add_header("To", format!("<{}>", self.cfg.aor));
        b.add_header("Call-ID", self.call_id.as_str());
        b.add_header("CSeq", format!("{} REGISTER", self.cseq));
        let mut contact = self.cfg.contact.clone();
        if let Some(inst) = &self.cfg.instance_id {
            contact.push_str(&format!(
                ";+sip.instance=\"{inst}\";reg-id={}",
                self.cfg.reg_id.unwrap_or(1)
            ));
            b.add_header("Supported", "outbound, path");
        }
        b.add_header("Contact", contact);
        b.add_header("Expires", format!("{expires}"));
        if let Some((name, value)) = auth {
            b.add_header(name, value);
        }
        self.outgoing = Some(b.to_vec());
        self.in_flight = Some(expires);
        if !matches!(self.state, RegistrationState::Registered { .. }) {
            self.state = RegistrationState::Registering;
        }
    }

    fn event(&mut self, e: RegistrationEvent) {
        rtcweb_proto::log_debug!("registration of {}: {e:?}", self.cfg.aor);
        if self.events.len() < MAX_EVENTS {
            self.events.push_back(e);
        }
    }

    /// The final response (or a provisional, ignored) to our last REGISTER. A response while no
    /// REGISTER is in flight is ignored (the transaction layer only passes matching ones).
    pub fn handle_response(&mut self, now: Instant, msg: &Message<'_>) {
        let Some(code) = msg.status() else { return };
        if code < 200 {
            return;
        }
        let Some(asked) = self.in_flight.take() else {
            return;
        };
        match code {
            200..=299 => self.accepted(now, asked, msg),
            401 | 407 => self.challenged(now, code, msg),
            423 => {
                let min = msg.typed::<MinExpires>().ok().flatten().map(|m| m.0);
                match min {
                    // §10.2.8: retry once with the registrar's minimum; a removal (Expires: 0)
                    // cannot be too brief, so a 423 to it is a failure, never a new binding.
                    Some(m)
                        if asked > 0
                            && !self.unregistering
                            && m > self.cfg.expires
                            && self.interval_retries < MAX_INTERVAL_RETRIES =>
                    {
                        self.interval_retries = self.interval_retries.saturating_add(1);
                        self.cfg.expires = m;
                        self.send(m, None);
                    }
                    _ => self.failed(now, Some(code)),
                }
            }
            _ => self.failed(now, Some(code)),
        }
        self.send_queued();
    }

    /// The REGISTER transaction timed out (Timer F) or could not be sent.
    pub fn handle_transaction_timeout(&mut self, now: Instant) {
        if self.in_flight.take().is_none() {
            return;
        }
        self.failed(now, None);
        self.send_queued();
    }

    /// The request the application asked for while another was in flight, if nothing else went
    /// out in answer to the final response.
    fn send_queued(&mut self) {
        if self.queued && self.in_flight.is_none() {
            self.retry_at = None;
            self.send_fresh();
        }
    }

    fn accepted(&mut self, now: Instant, asked: u32, msg: &Message<'_>) {
        self.auth_attempts = 0;
        self.stale_retries = 0;
        self.interval_retries = 0;
        self.failures = 0;
        if asked == 0 {
            self.state = RegistrationState::Unregistered;
            self.expires_at = None;
            self.refresh_at = None;
            self.keepalive_at = None;
            self.event(RegistrationEvent::Unregistered);
            return;
        }
        let ours = contact_uri(&self.cfg.contact);
        let granted = msg
            .typed_all::<Contact>()
            .filter_map(Result::ok)
            .find(|c| c.addr().is_some_and(|a| a.uri == ours))
            .and_then(|c| c.expires())
            .or_else(|| msg.typed::<Expires>().ok().flatten().map(|e| e.0))
            .unwrap_or(self.cfg.expires);
        if granted == 0 {
            self.state = RegistrationState::Unregistered;
            self.event(RegistrationEvent::Expired);
            return;
        }
        let life = Duration::from_secs(u64::from(granted));
        let refresh = (life / 2).max(life.saturating_sub(self.cfg.refresh_before));
        // Durations from the wire saturate: `Expires`/`Flow-Timer` may be any number.
        let until = now.saturating_add(life);
        self.expires_at = Some(until);
        self.state = RegistrationState::Registered { until };
        // The application asked for removal meanwhile: no refresh, no keep-alive (the queued
        // Expires: 0 goes out next).
        self.refresh_at = (!self.unregistering).then(|| now.saturating_add(refresh));
        if self.cfg.instance_id.is_some() && !self.unregistering {
            let flow = msg
                .header("flow-timer")
                .and_then(|h| h.value().trim().parse::<u64>().ok())
                .map(|s| Duration::from_secs(s.max(MIN_FLOW_TIMER_SECS)));
            self.keepalive_interval = flow.or(self.cfg.keepalive);
            if self.keepalive_at.is_none() {
                self.schedule_keepalive(now);
            }
        }
        self.event(RegistrationEvent::Registered { expires: granted });
    }

    fn schedule_keepalive(&mut self, now: Instant) {
        self.keepalive_at = self.keepalive_interval.map(|k| {
            // 80–100 % of the interval (RFC 5626 §4.4.1).
            let pct = 80 + self.ids.below(21);
            now.saturating_add(k.saturating_mul(u32::try_from(pct).unwrap_or(100)) / 100)
        });
    }

    fn challenged(&mut self, now: Instant, code: u16, msg: &Message<'_>) {
        let Some(creds) = self.cfg.credentials.clone() else {
            return self.failed(now, Some(code));
        };
        // Every challenge of every WWW-/Proxy-Authenticate line; the strongest answerable one.
        let Some((challenge, header)) = challenge_in(msg) else {
            return self.failed(now, Some(code));
        };
        let stale = challenge
            .get("stale")
            .is_some_and(|s| s.eq_ignore_ascii_case("true"));
        // A stale nonce is retried at once, but only a few times in a row; any other challenge
        // counts against `max_auth_attempts`. Beyond either cap: failure and back-off.
        rtcweb_proto::log_debug!(
            "registration: {code} challenge (stale: {stale}), {} answered so far",
            self.auth_attempts
        );
        if stale {
            if self.stale_retries >= self.cfg.max_stale_retries {
                return self.failed(now, Some(code));
            }
            self.stale_retries = self.stale_retries.saturating_add(1);
        } else {
            if self.auth_attempts >= self.cfg.max_auth_attempts {
                return self.failed(now, Some(code));
            }
            self.auth_attempts = self.auth_attempts.saturating_add(1);
        }
        let nonce = challenge.get("nonce").unwrap_or("");
        if nonce == self.nonce {
            self.nc = self.nc.wrapping_add(1);
        } else {
            self.nonce = nonce.into();
            self.nc = 1;
        }
        let cnonce = self.ids.cnonce();
        // The retry carries what the application wants now: a request queued meanwhile is sent
        // as this retry instead of after it.
        let expires = self.desired_expires();
        self.queued = false;
        match authorization(
            &challenge,
            &creds,
            "REGISTER",
            &self.cfg.registrar,
            b"",
            &cnonce,
            self.nc,
        ) {
            Some(v) => self.send(expires, Some((header, v))),
            None => self.failed(now, Some(code)),
        }
    }

    fn failed(&mut self, now: Instant, code: Option<u16>) {
        self.state = RegistrationState::Failed;
        self.refresh_at = None;
        self.failures = self.failures.saturating_add(1);
        let shift = self.failures.saturating_sub(1).min(16);
        let delay = self
            .cfg
            .retry_base
            .saturating_mul(1 << shift)
            .min(self.cfg.retry_max);
        self.retry_at = (!self.unregistering).then(|| now.saturating_add(delay));
        self.event(RegistrationEvent::Failed { code });
    }

    /// Fires due deadlines: refresh, retry, expiry, keep-alive.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.expires_at.is_some_and(|t| t <= now) {
            self.expires_at = None;
            if matches!(self.state, RegistrationState::Registered { .. }) {
                self.state = RegistrationState::Unregistered;
                self.event(RegistrationEvent::Expired);
            }
        }
        if self.refresh_at.is_some_and(|t| t <= now) {
            self.refresh_at = None;
            self.send_fresh();
        }
        if self.retry_at.is_some_and(|t| t <= now) {
            self.retry_at = None;
            self.send_fresh();
        }
        if self.keepalive_at.is_some_and(|t| t <= now) {
            self.event(RegistrationEvent::KeepAlive);
            self.schedule_keepalive(now);
        }
    }

    /// The next REGISTER to send through a client transaction.
    pub fn poll_request(&mut self) -> Option<Vec<u8>> {
        self.outgoing.take()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<RegistrationEvent> {
        self.events.pop_front()
    }

    /// The next deadline.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        [
            self.refresh_at,
            self.expires_at,
            self.keepalive_at,
            self.retry_at,
        ]
        .into_iter()
        .flatten()
        .min()
    }
}

/// The URI inside a name-addr (`<sip:a@b>;x` → `sip:a@b`).
fn contact_uri(name_addr: &str) -> &str {
    match (name_addr.find('<'), name_addr.find('>')) {
        (Some(a), Some(b)) if a < b => name_addr.get(a + 1..b).unwrap_or(name_addr),
        _ => name_addr.split(';').next().unwrap_or(name_addr),
    }
}
