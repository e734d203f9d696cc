//! Shared by the `sip_ua_uac`, `sip_ua_uas` and `sip_dialog_session_timer` targets: a
//! `UserAgent` wired to a fuzz-driven peer that builds its messages from what the UA really sent
//! (branches, Call-IDs, tags), so that the fuzzer reaches dialogs, CANCEL, BYE, re-INVITE and
//! session refreshes; and the invariants checked after every input:
//!
//! - no panic; `poll_timeout` never before `now`, and strictly after it once `handle_timeout(now)`
//!   ran (a driver would otherwise spin);
//! - `call_count() <= max_calls`, transactions `<= max_transactions`, forks per call bounded;
//! - output bounded: at most 4 datagrams in answer to one received datagram (no amplifier), at
//!   most `max_pending_transmits` queued; at most 64 events per input;
//! - no stuck call: a call in `Terminating` or `Answering` ends (or moves on) within 64·T1 + 1 s,
//!   one in `Calling`/`Early` within Timer C + 64·T1 + 1 s of the last message for it, and one
//!   `Established` with a session timer within the session interval of its last refresh;
//! - session refreshes (UPDATE with Session-Expires) of one call at least 45 s apart (half the
//!   90 s floor of RFC 4028).
#![allow(dead_code)]

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::time::Duration;

use rtcweb_sip_core::header::{CSeq, CallId, FromHeader, ToHeader};
use rtcweb_sip_core::message::builder::MessageBuilder;
use rtcweb_sip_core::message::{Header, Message, Method};
use rtcweb_sip_core::session_timer::{uac_from_response, uas_negotiate, SessionTimerConfig};
use rtcweb_sip_core::transaction::{LayerConfig, Peer, Transport};
use rtcweb_sip_core::ua::{CallHandle, CallState, ReofferMethod, UaConfig, UaEvent, UserAgent};
use rtcweb_sip_core::Instant;

/// The clock stops here (200 years): beyond, deadlines saturate to the end of time.
const MAX_NOW: i64 = 200 * 365 * 86_400 * 1_000_000_000;

/// The fuzz input, consumed front to back; reads past the end give zeros.
pub struct Input<'a>(pub &'a [u8]);

impl<'a> Input<'a> {
    pub fn take(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.0.len());
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        a
    }

    pub fn byte(&mut self) -> u8 {
        self.take(1).first().copied().unwrap_or(0)
    }

    pub fn u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        let raw = self.take(4);
        b[..raw.len()].copy_from_slice(raw);
        u32::from_le_bytes(b)
    }

    /// A length-prefixed (u16 little-endian) run of bytes: a whole datagram, e.g. a fixture.
    pub fn chunk(&mut self) -> &'a [u8] {
        let len = usize::from(u16::from_le_bytes([self.byte(), self.byte()]));
        self.take(len)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A number as a peer might write it in a header: boundary, huge, negative or garbage.
    pub fn number(&mut self) -> String {
        match self.byte() % 10 {
            0 => "0".into(),
            1 => "1".into(),
            2 => "89".into(),
            3 => "90".into(),
            4 => "1800".into(),
            5 => "4294967295".into(),
            6 => "18446744073709551616".into(),
            7 => "-5".into(),
            8 => format!("{}", self.u32() % 4000),
            _ => format!("{}", self.u32()),
        }
    }

    /// A time step: small, seconds, minutes, days, centuries.
    pub fn step(&mut self) -> Duration {
        match self.byte() % 6 {
            0 => Duration::from_millis(u64::from(self.byte()) * 20),
            1 => Duration::from_secs(u64::from(self.byte())),
            2 => Duration::from_secs(u64::from(self.byte()) * 60),
            3 => Duration::from_secs(u64::from(self.byte()) * 86_400),
            4 => Duration::from_secs(u64::MAX),
            _ => Duration::from_millis(500),
        }
    }

    /// Extra header lines for a message: session timer, auth, routing, garbage.
    pub fn headers(&mut self) -> Vec<(String, String)> {
        let mut v = Vec::new();
        for _ in 0..self.byte() % 5 {
            let k = self.byte();
            let refresher =
                ["", ";refresher=uac", ";refresher=uas", ";refresher=x"][usize::from(k >> 6)];
            let h = match k % 20 {
                0 | 1 => (
                    "Session-Expires".into(),
                    format!("{}{refresher}", self.number()),
                ),
                2 => ("Min-SE".into(), self.number()),
                3 => ("Supported".into(), "timer".into()),
                4 => ("Require".into(), "timer".into()),
                5 => (
                    "WWW-Authenticate".into(),
                    format!(
                        "Digest realm=\"example.com\", nonce=\"n{}\", qop=\"auth\"",
                        k >> 6
                    ),
                ),
                6 => (
                    "Proxy-Authenticate".into(),
                    "Digest realm=\"example.com\", nonce=\"p\", algorithm=SHA-256".into(),
                ),
                7 => ("Record-Route".into(), "<sip:p1.example.com;lr>".into()),
                8 => (
                    "Contact".into(),
                    "<sip:bob@192.0.2.9:5060>;expires=60".into(),
                ),
                9 => ("Retry-After".into(), self.number()),
                10 => ("Expires".into(), self.number()),
                // RFC 3262, 3515, 3891: reliable provisionals, transfer, replacement.
                12 => ("Require".into(), "100rel".into()),
                13 => ("Supported".into(), "100rel".into()),
                14 => ("RSeq".into(), self.number()),
                15 => (
                    "RAck".into(),
                    format!("{} {} INVITE", self.number(), self.number()),
                ),
                16 => ("Refer-To".into(), "<sip:carol@192.0.2.3>".into()),
                17 => ("Event".into(), "refer".into()),
                18 => (
                    "Subscription-State".into(),
                    ["active;expires=60", "terminated;reason=noresource"][usize::from(k >> 7)]
                        .into(),
                ),
                19 => (
                    "Replaces".into(),
                    format!("c{};to-tag=t{};from-tag=f{}", k >> 6, k >> 5, k >> 4),
                ),
                _ => {
                    let len = usize::from(self.byte() % 40);
                    let raw = String::from_utf8_lossy(self.take(len)).into_owned();
                    let (n, val) = raw.split_once(':').unwrap_or(("X-Fuzz", raw.as_str()));
                    (n.trim().to_owned(), val.trim().to_owned())
                }
            };
            v.push(h);
        }
        v
    }
}

/// Call-ID, From tag and To tag of a message.
pub fn ids(msg: &Message<'_>) -> (String, Option<String>, Option<String>) {
    let call_id = msg
        .typed::<CallId>()
        .ok()
        .flatten()
        .map_or(String::new(), |c| c.0.to_owned());
    let from = msg
        .typed::<FromHeader>()
        .ok()
        .flatten()
        .and_then(|f| f.tag().map(str::to_owned));
    let to = msg
        .typed::<ToHeader>()
        .ok()
        .flatten()
        .and_then(|t| t.tag().map(str::to_owned));
    (call_id, from, to)
}

/// The header lines of a fixture that do not identify a transaction or dialog.
fn fixture_headers(m: &Message<'_>) -> Vec<(String, String)> {
    m.headers()
        .iter()
        .filter(|h| {
            !matches!(
                h.name().to_ascii_lowercase().as_str(),
                "via"
                    | "v"
                    | "from"
                    | "f"
                    | "to"
                    | "t"
                    | "call-id"
                    | "i"
                    | "cseq"
                    | "content-length"
                    | "l"
                    | "max-forwards"
            )
        })
        .map(|h| (h.name().to_owned(), h.value().to_owned()))
        .collect()
}

/// A dialog as the fuzz-driven peer sees it.
#[derive(Debug, Clone)]
pub struct PeerDialog {
    pub call_id: String,
    /// The UA's tag (From of its INVITE, or To of its answer).
    pub ua_tag: Option<String>,
    /// Our (the peer's) tag.
    pub peer_tag: String,
    /// The INVITE that made it (sent by the UA or by the peer).
    pub invite: Vec<u8>,
    pub ua_is_caller: bool,
    /// The peer's next CSeq in the dialog.
    pub peer_cseq: u32,
}

#[derive(Debug, Clone)]
struct Track {
    call_id: Option<String>,
    state: Option<CallState>,
    since: Instant,
    last_activity: Instant,
    /// Upper bound of the session interval and the last instant the timer restarted.
    session: Option<(u32, Instant)>,
    last_refresh_sent: Option<Instant>,
}

/// What the last input was, for the checks that depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Receive,
    Timeout,
    App,
}

pub struct Harness {
    pub ua: UserAgent,
    pub now: Instant,
    pub proxy: Peer,
    buf: Vec<u8>,
    /// Requests the UA sent (no ACK), newest last.
    pub sent: VecDeque<Vec<u8>>,
    /// Branches of session refreshes already seen (retransmissions are not new refreshes).
    refresh_branches: VecDeque<String>,
    pub dialogs: Vec<PeerDialog>,
    calls: BTreeMap<CallHandle, Track>,
    /// Incoming calls the app has not answered or rejected yet.
    pub incoming: Vec<CallHandle>,
    /// Calls that exist (for hangup and in-dialog requests).
    pub handles: Vec<CallHandle>,
    /// The INVITE just delivered (its Call-ID names the call it creates).
    last_delivered: Option<Vec<u8>>,
    new_outgoing: Option<CallHandle>,
    pub cfg: UaConfig,
    pub st_bound: u32,
}

impl Harness {
    /// A UA at 192.0.2.1:5060 whose proxy (the fuzz-driven peer) is 192.0.2.9:5060.
    pub fn new(mode: u8, session_timer: Option<SessionTimerConfig>) -> Self {
        let transport = if mode & 0x40 != 0 {
            Transport::Tcp
        } else {
            Transport::Udp
        };
        let proxy = Peer {
            addr: "192.0.2.9:5060".parse().unwrap(),
            transport,
        };
        let mut cfg = UaConfig::new(
            "sip:alice@example.com",
            "<sip:alice@192.0.2.1:5060>",
            "SIP/2.0/UDP 192.0.2.1:5060",
            proxy,
            [mode; 32],
        );
        cfg.layer = LayerConfig {
            max_transactions: [8, 32][usize::from(mode & 1)],
            max_pending_transmits: 64,
            max_pending_events: 64,
            ..LayerConfig::default()
        };
        cfg.max_calls = 1 + usize::from((mode >> 1) & 3);
        cfg.max_events = 64;
        cfg.max_sent_invites = 4;
        cfg.session_timer = session_timer;
        if mode & 0x08 != 0 {
            cfg.credentials = Some(rtcweb_sip_core::registration::Credentials::new(
                "alice", "pw",
            ));
        }
        let st_bound = session_timer.map_or(0, |s| s.session_expires.max(s.min_se).max(90));
        Self {
            ua: UserAgent::new(cfg.clone()),
            now: Instant::ZERO,
            proxy,
            buf: vec![0; 65535],
            sent: VecDeque::new(),
            refresh_branches: VecDeque::new(),
            dialogs: Vec::new(),
            calls: BTreeMap::new(),
            incoming: Vec::new(),
            handles: Vec::new(),
            last_delivered: None,
            new_outgoing: None,
            cfg,
            st_bound,
        }
    }

    fn t1x64(&self) -> Duration {
        self.cfg.layer.timers.t1x64()
    }

    /// A peer address: the proxy, or a stranger.
    pub fn from(&self, b: u8) -> Peer {
        if b & 0x80 == 0 {
            self.proxy
        } else {
            Peer {
                addr: SocketAddr::from(([203, 0, 113, b & 7], 5060)),
                transport: self.proxy.transport,
            }
        }
    }

    /// Delivers a datagram to the UA.
    pub fn deliver(&mut self, from: Peer, bytes: &[u8]) {
        let mut st = [Header::EMPTY; 64];
        if let Ok(m) = Message::parse(bytes, &mut st) {
            let (cid, _, _) = ids(&m);
            for t in self.calls.values_mut() {
                if t.call_id.as_deref() == Some(cid.as_str()) {
                    t.last_activity = self.now;
                }
            }
            self.last_delivered = (m.method() == Some(Method::Invite)).then(|| bytes.to_vec());
        }
        let _ = self.ua.handle_receive(self.now, from, bytes);
        self.settle(Kind::Receive);
    }

    /// Moves the clock and fires the UA's timers.
    pub fn advance(&mut self, step: Duration) {
        let nanos = i64::try_from(step.as_nanos()).unwrap_or(i64::MAX);
        self.now = Instant::from_nanos(self.now.as_nanos().saturating_add(nanos).min(MAX_NOW));
        self.ua.handle_timeout(self.now);
        self.settle(Kind::Timeout);
    }

    /// Jumps to the UA's next deadline.
    pub fn advance_to_deadline(&mut self) {
        if let Some(t) = self.ua.poll_timeout() {
            self.advance(t.saturating_duration_since(self.now));
        }
    }

    /// Places a call.
    pub fn call(&mut self, sdp: bool) {
        let body: &[u8] = if sdp { b"v=0\r\n" } else { b"" };
        if let Ok(h) = self.ua.call(self.now, "sip:bob@example.com", body) {
            self.new_outgoing = Some(h);
            self.calls.insert(
                h,
                Track {
                    call_id: None,
                    state: None,
                    since: self.now,
                    last_activity: self.now,
                    session: None,
                    last_refresh_sent: None,
                },
            );
            self.handles.push(h);
        }
        self.settle(Kind::App);
    }

    /// One of the live calls.
    pub fn pick(&self, b: u8) -> Option<CallHandle> {
        self.handles
            .get(usize::from(b) % self.handles.len().max(1))
            .copied()
    }

    /// Answers (200 with SDP), rings or rejects an incoming call, per `b`.
    pub fn respond(&mut self, b: u8) {
        let Some(&call) = self
            .incoming
            .get(usize::from(b >> 2) % self.incoming.len().max(1))
        else {
            return;
        };
        let now = self.now;
        match b % 4 {
            0 | 1 => {
                // The UAS's session timer starts with its 2xx.
                if self.ua.answer(now, call, b"v=0\r\n").is_ok() {
                    if let Some(s) = self.calls.get_mut(&call).and_then(|t| t.session.as_mut()) {
                        s.1 = now;
                    }
                }
            }
            2 if b & 0x20 != 0 => {
                // Early media, reliable when the INVITE asked for 100rel.
                let _ = self
                    .ua
                    .progress(now, call, 183, "Session Progress", Some(b"v=0\r\n"));
            }
            2 => {
                let _ = self.ua.ringing(now, call);
            }
            _ => {
                let _ = self
                    .ua
                    .reject(now, call, [486, 603, 480, 299][usize::from(b >> 6)]);
            }
        }
        self.settle(Kind::App);
    }

    pub fn hangup(&mut self, b: u8) {
        if let Some(c) = self.pick(b) {
            let _ = self.ua.hangup(self.now, c);
        }
        self.settle(Kind::App);
    }

    pub fn in_dialog(&mut self, b: u8) {
        if let Some(c) = self.pick(b) {
            let now = self.now;
            match b % 8 {
                // New offers (hold/resume) and transfers.
                4 => {
                    let _ = self.ua.reoffer(now, c, ReofferMethod::Invite, b"v=0\r\n");
                }
                5 => {
                    let _ = self.ua.reoffer(now, c, ReofferMethod::Update, b"v=0\r\n");
                }
                6 => {
                    let _ = self.ua.refer(now, c, "sip:carol@192.0.2.3");
                }
                7 => {
                    let _ = self.ua.notify_refer(
                        now,
                        c,
                        [100, 180, 200, 486][usize::from(b >> 6)],
                        "X",
                    );
                }
                _ => {
                    let method = [
                        Method::Info,
                        Method::Update,
                        Method::Message,
                        Method::Notify,
                    ][usize::from(b >> 6)];
                    let _ = self.ua.request_in_dialog(now, c, method, None);
                }
            }
        }
        self.settle(Kind::App);
    }

    pub fn options_or_register(&mut self, b: u8) {
        match b % 3 {
            0 => {
                let _ = self.ua.options(self.now, "sip:bob@example.com");
            }
            1 => self.ua.register(self.now),
            _ => self.ua.unregister(self.now),
        }
        self.settle(Kind::App);
    }

    /// A response to one of the requests the UA sent, from the input: see [`Self::respond_with`].
    pub fn respond_to_sent(&mut self, input: &mut Input<'_>) {
        let which = usize::from(input.byte() % 8);
        let code = match input.byte() % 16 {
            0 => 100,
            1 | 2 => 180,
            3 => 183,
            4..=6 => 200,
            7 => 401,
            8 => 407,
            9 => 422,
            10 => 481,
            11 => 486,
            12 => 487,
            13 => 491,
            14 => 503,
            _ => 100 + u16::from(input.byte()) * 2,
        };
        let flags = input.byte();
        let fork = input.byte() % 4;
        let from_b = input.byte();
        let extra = input.headers();
        self.respond_with(which, code, flags, fork, from_b, &extra);
    }

    /// A response to the `which`-th newest request the UA sent, built from it: status `code`, To
    /// tag `b{fork}` (none for fork 0), and per `flags` a wrong branch, Call-ID, From tag or CSeq
    /// method, no Contact, a body; then the `extra` header lines.
    pub fn respond_with(
        &mut self,
        which: usize,
        code: u16,
        flags: u8,
        fork: u8,
        from_b: u8,
        extra: &[(String, String)],
    ) {
        let Some(req) = self
            .sent
            .get(self.sent.len().wrapping_sub(1 + which))
            .cloned()
        else {
            return;
        };
        let mut st = [Header::EMPTY; 64];
        let Ok(msg) = Message::parse(&req, &mut st) else {
            return;
        };
        let (call_id, ua_tag, _) = ids(&msg);
        let tag = format!("b{fork}");
        let to_tag = (fork != 0).then_some(tag.as_str());
        let mut b = MessageBuilder::response_to(&msg, code, "Fuzz", to_tag);
        if flags & 1 != 0 {
            b.replace_header(
                "Via",
                "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKforged;rport",
            );
        }
        if flags & 2 != 0 {
            b.replace_header("Call-ID", "forged-call-id");
        }
        if flags & 4 != 0 {
            b.replace_header("From", "<sip:alice@example.com>;tag=forged");
        }
        if flags & 8 != 0 {
            let seq = msg.typed::<CSeq>().ok().flatten().map_or(1, |c| c.seq);
            b.replace_header("CSeq", format!("{seq} BYE"));
        }
        if flags & 16 == 0 && (101..300).contains(&code) {
            b.add_header("Contact", "<sip:bob@192.0.2.9:5060>");
        }
        for (k, v) in extra {
            b.add_header(k.as_str(), v.as_str());
        }
        if flags & 32 != 0 {
            if !extra
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            {
                b.add_header("Content-Type", "application/sdp");
            }
            b.set_body(&b"v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\n"[..], None);
        }
        let bytes = b.to_vec();
        // The peer remembers the dialog this response makes, to send requests in it later.
        if msg.method() == Some(Method::Invite) && fork != 0 && (101..300).contains(&code) {
            if let Some(d) = self
                .dialogs
                .iter_mut()
                .find(|d| d.call_id == call_id && d.ua_is_caller)
            {
                d.peer_tag = tag.clone();
                d.ua_tag = ua_tag;
            }
        }
        // The session interval a 2xx sets for the UAC (an upper bound of its timer).
        let mut st2 = [Header::EMPTY; 64];
        let answer_interval = Message::parse(&bytes, &mut st2)
            .ok()
            .filter(|m| (200..300).contains(&m.status().unwrap_or(0)))
            .and_then(|m| uac_from_response(&m))
            .map(|n| n.interval);
        let before: Vec<(CallHandle, Option<CallState>)> = self
            .calls
            .keys()
            .map(|&h| (h, self.ua.call_state(h)))
            .collect();
        let from = self.from(from_b);
        self.deliver(from, &bytes);
        // A call that became Established on this 2xx runs the timer the 2xx asked for.
        if self.cfg.session_timer.is_some() {
            let now = self.now;
            for (h, prev) in before {
                if prev != Some(CallState::Established)
                    && self.ua.call_state(h) == Some(CallState::Established)
                {
                    let bound = self.st_bound;
                    if let Some(t) = self.calls.get_mut(&h) {
                        t.session = answer_interval.map(|i| (i.max(bound), now));
                    }
                }
            }
        }
    }

    /// A request from the peer, from the input: see [`Self::request_with`].
    pub fn request(&mut self, input: &mut Input<'_>) {
        let sel = input.byte();
        let flags = input.byte();
        let from_b = input.byte();
        let rand = input.u32();
        let extra = input.headers();
        let methods = [
            "BYE", "INVITE", "UPDATE", "INFO", "PRACK", "ACK", "CANCEL", "OPTIONS", "REFER",
            "NOTIFY",
        ];
        let method = methods[usize::from(sel >> 4) % methods.len()];
        let dialog = (sel & 1 != 0).then_some(usize::from(sel >> 1));
        let body = if flags & 1 != 0 { "v=0\r\n" } else { "" };
        self.request_with(method, dialog, flags, from_b, rand, &extra, body);
    }

    /// A request from the peer: out of dialog (`dialog` None) a new INVITE or other request from
    /// small Call-ID/tag/branch alphabets (so retransmissions and CANCELs match); else a request
    /// in the peer's `dialog`-th known dialog (BYE, re-INVITE, UPDATE, INFO, PRACK, ACK, CANCEL,
    /// OPTIONS; `usize::MAX`: the newest), with per `flags` a foreign Call-ID, a stale CSeq, the
    /// INVITE's branch, no Contact; then the `extra` header lines and `body`.
    #[allow(clippy::too_many_arguments)]
    pub fn request_with(
        &mut self,
        method: &str,
        dialog: Option<usize>,
        flags: u8,
        from_b: u8,
        rand: u32,
        extra: &[(String, String)],
        body: &str,
    ) {
        // `usize::MAX`: the newest dialog.
        let dialog = dialog
            .and_then(|i| match i {
                usize::MAX => self.dialogs.last(),
                i => self.dialogs.get(i % self.dialogs.len().max(1)),
            })
            .cloned();
        let (call_id, from_tag, to_tag, cseq, branch);
        match &dialog {
            Some(d) => {
                let mut st = [Header::EMPTY; 64];
                let inv = Message::parse(&d.invite, &mut st).ok();
                let inv_branch = inv
                    .as_ref()
                    .and_then(|m| m.header("via"))
                    .and_then(|v| v.value().split(";branch=").nth(1))
                    .map(|s| s.split(';').next().unwrap_or(s).to_owned())
                    .unwrap_or_default();
                let inv_seq = inv
                    .as_ref()
                    .and_then(|m| m.typed::<CSeq>().ok().flatten())
                    .map_or(1, |c| c.seq);
                call_id = if flags & 2 != 0 {
                    "stranger".to_owned()
                } else {
                    d.call_id.clone()
                };
                // ACK and CANCEL of the peer's own INVITE reuse its CSeq; CANCEL its branch too.
                let own_invite = !d.ua_is_caller && matches!(method, "ACK" | "CANCEL");
                from_tag = Some(d.peer_tag.clone());
                to_tag = if own_invite && method == "CANCEL" {
                    None
                } else {
                    d.ua_tag.clone()
                };
                cseq = if own_invite || flags & 4 != 0 {
                    inv_seq
                } else if method == "ACK" {
                    // The ACK of the peer's last re-INVITE carries its CSeq (§13.2.2.4).
                    d.peer_cseq
                } else if let Some(x) = self.dialogs.iter_mut().find(|x| x.call_id == d.call_id) {
                    x.peer_cseq += 1;
                    x.peer_cseq
                } else {
                    inv_seq + 1
                };
                branch = if (own_invite && method == "CANCEL") || flags & 8 != 0 {
                    inv_branch
                } else {
                    format!("z9hG4bKp{rand}")
                };
            }
            None => {
                let n = rand % 4;
                call_id = format!("peer-call-{n}");
                from_tag = Some(format!("pt{n}"));
                to_tag = (flags & 2 != 0).then(|| "ut0".to_owned());
                cseq = 1 + u32::from(flags >> 6);
                branch = format!("z9hG4bKpi{}{}", n, (flags >> 4) % 2);
            }
        }
        let mut lines: Vec<String> = Vec::new();
        lines.push(format!("{method} sip:alice@192.0.2.1:5060 SIP/2.0"));
        lines.push(format!("Via: SIP/2.0/UDP 192.0.2.9:5060;branch={branch}"));
        lines.push("Max-Forwards: 70".into());
        match &from_tag {
            Some(t) => lines.push(format!("From: <sip:bob@example.com>;tag={t}")),
            None => lines.push("From: <sip:bob@example.com>".into()),
        }
        match &to_tag {
            Some(t) => lines.push(format!("To: <sip:alice@example.com>;tag={t}")),
            None => lines.push("To: <sip:alice@example.com>".into()),
        }
        lines.push(format!("Call-ID: {call_id}"));
        lines.push(format!("CSeq: {cseq} {method}"));
        if flags & 0x20 == 0 {
            lines.push("Contact: <sip:bob@192.0.2.9:5060>".into());
        }
        for (k, v) in extra {
            lines.push(format!("{k}: {v}"));
        }
        if !body.is_empty()
            && !extra
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        {
            lines.push("Content-Type: application/sdp".into());
        }
        lines.push(format!("Content-Length: {}", body.len()));
        let msg = format!("{}\r\n\r\n{body}", lines.join("\r\n")).into_bytes();
        if method == "INVITE"
            && dialog.is_none()
            && to_tag.is_none()
            && !self.dialogs.iter().any(|d| d.call_id == call_id)
        {
            self.remember(PeerDialog {
                call_id: call_id.clone(),
                ua_tag: None,
                peer_tag: from_tag.clone().unwrap_or_default(),
                invite: msg.clone(),
                ua_is_caller: false,
                peer_cseq: cseq,
            });
        }
        let from = self.from(from_b);
        self.deliver(from, &msg);
    }

    /// A response whose status, headers and body come from `raw` (a fixture, or any bytes:
    /// delivered as they are when they do not parse), addressed to the `which`-th newest request
    /// the UA sent: Via, From, Call-ID and CSeq from that request, To with `raw`'s tag.
    pub fn transplant_response(&mut self, which: usize, raw: &[u8]) {
        let mut st = [Header::EMPTY; 64];
        let Ok(m) = Message::parse(raw, &mut st) else {
            return self.deliver(self.proxy, raw);
        };
        let Some(code) = m.status() else {
            return self.deliver(self.proxy, raw);
        };
        let tag = ids(&m).2;
        let fork = match tag.as_deref() {
            None => 0,
            Some(t) => 1 + t.len() as u8 % 3,
        };
        let extra = fixture_headers(&m);
        let flags = if m.body().is_empty() { 16 } else { 16 | 32 };
        self.respond_with(which, code, flags, fork, 0, &extra);
    }

    /// A request whose method, headers and body come from `raw` (delivered as it is when it does
    /// not parse), put in the peer's `dialog`-th dialog (or out of dialog): the dialog supplies
    /// Via, From, To, Call-ID and CSeq.
    pub fn transplant_request(&mut self, dialog: Option<usize>, rand: u32, raw: &[u8]) {
        let mut st = [Header::EMPTY; 64];
        let Ok(m) = Message::parse(raw, &mut st) else {
            return self.deliver(self.proxy, raw);
        };
        let Some(method) = m.method() else {
            return self.deliver(self.proxy, raw);
        };
        let extra = fixture_headers(&m);
        let body = String::from_utf8_lossy(m.body()).into_owned();
        self.request_with(method.as_str(), dialog, 0x20, 0, rand, &extra, &body);
    }

    fn remember(&mut self, d: PeerDialog) {
        if self.dialogs.len() >= 16 {
            self.dialogs.remove(0);
        }
        self.dialogs.push(d);
    }

    /// Drains the UA's output and checks every invariant.
    pub fn settle(&mut self, kind: Kind) {
        let now = self.now;
        let mut transmits = 0usize;
        while let Ok(Some(t)) = self.ua.poll_transmit(now, &mut self.buf) {
            transmits += 1;
            assert!(t.len <= self.buf.len());
            let bytes = self.buf[..t.len].to_vec();
            self.observe(&bytes);
        }
        assert!(
            transmits <= self.cfg.layer.max_pending_transmits,
            "{transmits} datagrams queued"
        );
        if kind == Kind::Receive {
            assert!(
                transmits <= 4,
                "{transmits} datagrams sent for one received"
            );
        }
        let mut events = 0;
        while let Some(e) = self.ua.poll_event() {
            events += 1;
            match e {
                UaEvent::IncomingCall { call, .. } => {
                    let invite = self.last_delivered.clone().unwrap_or_default();
                    let mut st = [Header::EMPTY; 64];
                    let msg = Message::parse(&invite, &mut st).ok();
                    let call_id = msg.as_ref().map(|m| ids(m).0);
                    let session = msg.as_ref().and_then(|m| {
                        let cfg = self.cfg.session_timer?;
                        match uas_negotiate(&cfg, m) {
                            Ok(Some(_)) => Some((self.st_bound, now)),
                            _ => None,
                        }
                    });
                    self.calls.insert(
                        call,
                        Track {
                            call_id,
                            state: None,
                            since: now,
                            last_activity: now,
                            session,
                            last_refresh_sent: None,
                        },
                    );
                    self.incoming.push(call);
                    self.handles.push(call);
                }
                UaEvent::CallEnded { call, .. } | UaEvent::CallFailed { call, .. } => {
                    self.calls.remove(&call);
                }
                UaEvent::SessionRefreshed { call } => {
                    if let Some(t) = self.calls.get_mut(&call) {
                        if let Some(s) = t.session.as_mut() {
                            s.1 = now;
                        }
                    }
                }
                _ => {}
            }
        }
        assert!(events <= 64, "{events} events from one input");
        assert!(self.ua.call_count() <= self.cfg.max_calls);
        assert!(self.ua.transactions().len() <= self.cfg.layer.max_transactions);
        if let Some(t) = self.ua.poll_timeout() {
            if kind == Kind::Timeout {
                assert!(t > now, "deadline {t} not after {now} after handle_timeout");
            } else {
                assert!(t >= now, "deadline {t} before {now}");
            }
        }
        self.handles.retain(|&h| self.ua.call_state(h).is_some());
        self.incoming
            .retain(|&h| self.ua.call_state(h) == Some(CallState::Incoming));
        let t1x64 = self.t1x64();
        let timer_c = self.cfg.layer.timers.timer_c;
        let slack = Duration::from_secs(1);
        let ua = &self.ua;
        self.calls.retain(|&h, t| {
            let Some(state) = ua.call_state(h) else {
                return false;
            };
            assert!(ua.early_dialogs(h).len() <= 16);
            if t.state != Some(state) {
                t.state = Some(state);
                t.since = now;
            }
            let in_state = now.saturating_duration_since(t.since);
            match state {
                CallState::Terminating | CallState::Answering => assert!(
                    in_state <= t1x64 + slack,
                    "call {h:?} stuck in {state:?} for {in_state:?}"
                ),
                CallState::Calling | CallState::Early => {
                    let quiet = now.saturating_duration_since(t.last_activity);
                    assert!(
                        quiet <= timer_c + t1x64 + slack,
                        "call {h:?} stuck in {state:?}, {quiet:?} after the last message for it"
                    );
                }
                CallState::Established => {
                    if let Some((bound, since)) = t.session {
                        let age = now.saturating_duration_since(since);
                        assert!(
                            age <= Duration::from_secs(u64::from(bound)) + slack,
                            "call {h:?} established {age:?} after its last session refresh (interval <= {bound} s)"
                        );
                    }
                }
                CallState::Incoming => {}
            }
            true
        });
    }

    /// Learns from a datagram the UA sent: its requests (to answer them), its dialogs (its tags),
    /// the call a new INVITE belongs to, and the spacing of its session refreshes.
    fn observe(&mut self, bytes: &[u8]) {
        let mut st = [Header::EMPTY; 64];
        let Ok(msg) = Message::parse(bytes, &mut st) else {
            return;
        };
        let (call_id, from_tag, to_tag) = ids(&msg);
        match msg.method() {
            Some(Method::Ack) => {}
            Some(method) => {
                if self.sent.len() >= 16 {
                    self.sent.pop_front();
                }
                self.sent.push_back(bytes.to_vec());
                if method == Method::Invite && to_tag.is_none() {
                    match self.dialogs.iter_mut().find(|d| d.call_id == call_id) {
                        Some(d) => d.invite = bytes.to_vec(),
                        None => {
                            if let Some(h) = self.new_outgoing.take() {
                                if let Some(t) = self.calls.get_mut(&h) {
                                    t.call_id = Some(call_id.clone());
                                }
                            }
                            self.remember(PeerDialog {
                                call_id: call_id.clone(),
                                ua_tag: from_tag,
                                peer_tag: "b1".into(),
                                invite: bytes.to_vec(),
                                ua_is_caller: true,
                                peer_cseq: 100,
                            });
                        }
                    }
                }
                if method == Method::Update && msg.header("session-expires").is_some() {
                    let branch = msg.header("via").map_or("", |v| v.value()).to_owned();
                    if !self.refresh_branches.contains(&branch) {
                        if self.refresh_branches.len() >= 64 {
                            self.refresh_branches.pop_front();
                        }
                        self.refresh_branches.push_back(branch);
                        let now = self.now;
                        for t in self.calls.values_mut() {
                            if t.call_id.as_deref() == Some(call_id.as_str()) {
                                if let Some(last) = t.last_refresh_sent {
                                    let gap = now.saturating_duration_since(last);
                                    assert!(
                                        gap >= Duration::from_secs(45),
                                        "session refreshes {gap:?} apart"
                                    );
                                }
                                t.last_refresh_sent = Some(now);
                            }
                        }
                    }
                }
            }
            None => {
                // Our answer to the peer's INVITE tells the UA's tag.
                let is_invite = msg
                    .typed::<CSeq>()
                    .ok()
                    .flatten()
                    .is_some_and(|c| c.method == Method::Invite);
                if is_invite {
                    if let Some(tag) = to_tag {
                        if let Some(d) = self
                            .dialogs
                            .iter_mut()
                            .find(|d| d.call_id == call_id && !d.ua_is_caller)
                        {
                            d.ua_tag = Some(tag);
                        }
                    }
                }
            }
        }
    }
}
