//! [`UaEvent`]: what a [`super::UserAgent`] reports.

use crate::transaction::Peer;
use alloc::string::String;
use alloc::vec::Vec;

/// Identifies a call inside one UA; never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CallHandle(pub u64);

/// Why a call that was set up ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// We hung up (BYE answered or timed out).
    LocalHangup,
    /// The peer sent BYE.
    RemoteHangup,
    /// The INVITE was cancelled (by us or by the caller) before it was answered.
    Cancelled,
    /// The session timer expired without a refresh (RFC 4028 §10).
    SessionExpired,
    /// Our 2xx was never ACKed (§13.3.1.4), or our reliable provisional response never
    /// PRACKed (RFC 3262 §3, the INVITE then rejected 504).
    NoAck,
}

impl UaEvent {
    /// The event's name and call, without bodies: what the `log` feature prints.
    #[cfg_attr(not(feature = "log"), allow(dead_code))]
    pub(crate) fn summary(&self) -> (&'static str, Option<CallHandle>) {
        match self {
            Self::IncomingCall { call, .. } => ("incoming call", Some(*call)),
            Self::Progress { call, .. } => ("progress", Some(*call)),
            Self::Answered { call, .. } => ("answered", Some(*call)),
            Self::Confirmed { call } => ("confirmed", Some(*call)),
            Self::CallFailed { call, .. } => ("call failed", Some(*call)),
            Self::CallEnded { call, .. } => ("call ended", Some(*call)),
            Self::InDialogRequest { call, .. } => ("in-dialog request", Some(*call)),
            Self::SessionRefreshed { call } => ("session refreshed", Some(*call)),
            Self::PrackReceived { call } => ("PRACK received", Some(*call)),
            Self::ReofferAnswered { call, .. } => ("offer answered", Some(*call)),
            Self::ReofferFailed { call, .. } => ("offer refused", Some(*call)),
            Self::Refer { call, .. } => ("REFER received", Some(*call)),
            Self::ReferAccepted { call, .. } => ("REFER answered", Some(*call)),
            Self::ReferProgress { call, .. } => ("transfer progress", Some(*call)),
            Self::Replaces { call, .. } => ("replaces", Some(*call)),
            Self::Offer { call, .. } => ("new offer", Some(*call)),
            Self::Registered { .. } => ("registered", None),
            Self::Unregistered => ("unregistered", None),
            Self::RegistrationFailed { .. } => ("registration failed", None),
            Self::OptionsResponse { .. } => ("OPTIONS answered", None),
            Self::KeepAlive => ("keep-alive due", None),
        }
    }
}

/// Something that happened.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UaEvent {
    /// A new INVITE arrived; answer with `ringing`, `answer` or `reject`.
    IncomingCall {
        /// The call.
        call: CallHandle,
        /// The From header value.
        from: String,
        /// The To header value (whom the caller asked for, before any tag).
        to: String,
        /// The Request-URI: what a B2BUA or registrar routes on (§16.5).
        request_uri: String,
        /// Where the INVITE came from; the call's later requests (BYE, re-INVITE) go there.
        source: Peer,
        /// The offer (may be empty).
        sdp: Vec<u8>,
    },
    /// A provisional response (180/183) with a To tag: an early dialog (one per fork).
    Progress {
        /// The call.
        call: CallHandle,
        /// The status code.
        code: u16,
        /// Early-media SDP, if the response had a body.
        sdp: Option<Vec<u8>>,
    },
    /// Our INVITE was answered (2xx); the ACK is sent.
    Answered {
        /// The call.
        call: CallHandle,
        /// The answer.
        sdp: Vec<u8>,
    },
    /// The caller ACKed our 2xx: the call is established on both sides.
    Confirmed {
        /// The call.
        call: CallHandle,
    },
    /// Our INVITE failed (`None`: no final response in time).
    CallFailed {
        /// The call.
        call: CallHandle,
        /// The final status.
        code: Option<u16>,
    },
    /// A call ended.
    CallEnded {
        /// The call.
        call: CallHandle,
        /// Why.
        reason: EndReason,
    },
    /// A request inside a call's dialog (INFO, UPDATE, NOTIFY, REFER, MESSAGE, re-INVITE),
    /// answered 200.
    InDialogRequest {
        /// The call.
        call: CallHandle,
        /// The method.
        method: String,
        /// The body.
        body: Vec<u8>,
    },
    /// The caller acknowledged our reliable provisional response with PRACK (RFC 3262 §3); a
    /// 2xx held back for it has been sent.
    PrackReceived {
        /// The call.
        call: CallHandle,
    },
    /// Our re-INVITE/UPDATE offer ([`super::UserAgent::reoffer`]) was answered; `sdp` is the
    /// answer (a re-INVITE's 2xx has been ACKed).
    ReofferAnswered {
        /// The call.
        call: CallHandle,
        /// The answer.
        sdp: Vec<u8>,
    },
    /// Our offer was refused (`None`: it could not be sent again after a 491). The call stays
    /// up, except after 408/481, which end it (a BYE follows).
    ReofferFailed {
        /// The call.
        call: CallHandle,
        /// The final status.
        code: Option<u16>,
    },
    /// The peer asks us to call `refer_to` (RFC 3515): answered 202, a `100 Trying` NOTIFY sent.
    /// Place the call and report its outcome with [`super::UserAgent::notify_refer`].
    Refer {
        /// The call the REFER came in.
        call: CallHandle,
        /// The Refer-To URI (with any `?Replaces=` header part, RFC 3891 §5).
        refer_to: String,
        /// The Referred-By value, if any.
        referred_by: Option<String>,
    },
    /// The final response to our REFER ([`super::UserAgent::refer`]): 202 accepted, or a
    /// refusal.
    ReferAccepted {
        /// The call.
        call: CallHandle,
        /// The status code.
        code: u16,
    },
    /// A NOTIFY of our REFER's implicit subscription: the referred call's status (from the
    /// `message/sipfrag` body, RFC 3420), and whether the subscription ended.
    ReferProgress {
        /// The call.
        call: CallHandle,
        /// The sipfrag's status code, when readable.
        code: Option<u16>,
        /// `Subscription-State: terminated`.
        terminated: bool,
    },
    /// The incoming call `call` (just announced) replaces our call `replaced` (RFC 3891):
    /// answer it and hang up `replaced`.
    Replaces {
        /// The new call.
        call: CallHandle,
        /// The call it replaces.
        replaced: CallHandle,
    },
    /// The peer sent a new offer in the call (re-INVITE or UPDATE with SDP: hold, resume, a
    /// change); with [`UaConfig::answer_offers`](super::UaConfig::answer_offers) off, answer it
    /// with [`super::UserAgent::answer_offer`] or refuse it with
    /// [`super::UserAgent::reject_offer`].
    Offer {
        /// The call.
        call: CallHandle,
        /// `INVITE` or `UPDATE`.
        method: String,
        /// The offer.
        sdp: Vec<u8>,
    },
    /// A session refresh (ours or the peer's) succeeded (RFC 4028).
    SessionRefreshed {
        /// The call.
        call: CallHandle,
    },
    /// The registrar accepted our binding.
    Registered {
        /// Granted expiry in seconds.
        expires: u32,
    },
    /// The binding was removed.
    Unregistered,
    /// A REGISTER failed (`None`: timeout); a retry is scheduled.
    RegistrationFailed {
        /// The final status.
        code: Option<u16>,
    },
    /// The final response to our OPTIONS (408 on timeout).
    OptionsResponse {
        /// The status code.
        code: u16,
    },
    /// Time to send a STUN keep-alive on the UDP flow (RFC 5626 §4.4.2); on streams the UA sends
    /// CRLFCRLF itself.
    KeepAlive,
}
