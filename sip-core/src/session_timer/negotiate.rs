//! Negotiation of the session interval and refresher (RFC 4028 §7–§9).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::header::{MinSe, SessionExpires, Supported};
use crate::message::Message;

/// The smallest session interval RFC 4028 §4 allows, seconds.
pub const MIN_SE_FLOOR: u32 = 90;

/// Our preferences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionTimerConfig {
    /// Session interval we ask for, seconds (default 1800, RFC 4028 §4).
    pub session_expires: u32,
    /// Smallest interval we accept, seconds (at least 90, RFC 4028 §5).
    pub min_se: u32,
}

impl Default for SessionTimerConfig {
    fn default() -> Self {
        Self {
            session_expires: 1800,
            min_se: 90,
        }
    }
}

/// Which side refreshes (RFC 4028 §4 `refresher`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refresher {
    /// The caller (the UAC of the INVITE).
    Uac,
    /// The callee.
    Uas,
}

impl Refresher {
    /// The parameter value.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Uac => "uac",
            Self::Uas => "uas",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        if s.eq_ignore_ascii_case("uac") {
            Some(Self::Uac)
        } else if s.eq_ignore_ascii_case("uas") {
            Some(Self::Uas)
        } else {
            None
        }
    }
}

/// The agreed session timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Negotiated {
    /// Session interval, seconds.
    pub interval: u32,
    /// Who refreshes.
    pub refresher: Refresher,
}

/// Headers a UAC puts in an INVITE (or refresh) asking for session timers (RFC 4028 §7.1).
#[must_use]
pub fn uac_headers(cfg: &SessionTimerConfig) -> Vec<(&'static str, String)> {
    let se = cfg.session_expires.max(cfg.min_se).max(MIN_SE_FLOOR);
    alloc::vec![
        ("Supported", String::from("timer")),
        ("Session-Expires", format!("{se}")),
        ("Min-SE", format!("{}", cfg.min_se.max(MIN_SE_FLOOR))),
    ]
}

/// After a 422 (RFC 4028 §7.4): the new config to retry with, using the response's Min-SE.
/// `None` if the 422 carries no usable Min-SE.
#[must_use]
pub fn uac_after_422(
    cfg: &SessionTimerConfig,
    response: &Message<'_>,
) -> Option<SessionTimerConfig> {
    let min = response.typed::<MinSe>().ok().flatten()?.delta;
    (min > cfg.session_expires || min > cfg.min_se).then_some(SessionTimerConfig {
        session_expires: cfg.session_expires.max(min),
        min_se: cfg.min_se.max(min),
    })
}

/// A UAC reads the 2xx (RFC 4028 §7.2): Session-Expires with its refresher (absent → the UAC).
/// `None`: no session timer for this session. An interval below 90 s, which RFC 4028 §4 forbids,
/// is raised to 90 s: a hostile `Session-Expires: 1` must not make us refresh twice a second.
#[must_use]
pub fn uac_from_response(response: &Message<'_>) -> Option<Negotiated> {
    let se = response.typed::<SessionExpires>().ok().flatten()?;
    let refresher = se
        .refresher()
        .and_then(Refresher::parse)
        .unwrap_or(Refresher::Uac);
    Some(Negotiated {
        interval: se.delta.max(MIN_SE_FLOOR),
        refresher,
    })
}

/// A UAS decides (RFC 4028 §9). `Err(min_se)`: answer 422 with `Min-SE: min_se`. `Ok(None)`: no
/// session timer. `Ok(Some((n, headers)))`: use `n` and add `headers` to the 2xx.
///
/// # Errors
/// The Min-SE to put in a 422 when the request's interval is too small.
#[allow(clippy::type_complexity)]
pub fn uas_negotiate(
    cfg: &SessionTimerConfig,
    request: &Message<'_>,
) -> Result<Option<(Negotiated, Vec<(&'static str, String)>)>, u32> {
    let uac_supports = request
        .typed_all::<Supported>()
        .filter_map(Result::ok)
        .any(|s| s.0.eq_ignore_ascii_case("timer"));
    let requested = request.typed::<SessionExpires>().ok().flatten();
    let min_se = cfg.min_se.max(MIN_SE_FLOOR);
    let (interval, refresher) = match requested {
        Some(se) if se.delta < min_se => return Err(min_se),
        Some(se) => {
            let r = se.refresher().and_then(Refresher::parse);
            (se.delta.min(cfg.session_expires.max(min_se)), r)
        }
        None if uac_supports => (cfg.session_expires.max(min_se), None),
        None => return Ok(None),
    };
    let refresher = refresher.unwrap_or(if uac_supports {
        Refresher::Uac
    } else {
        Refresher::Uas
    });
    let mut headers = alloc::vec![(
        "Session-Expires",
        format!("{interval};refresher={}", refresher.as_str())
    )];
    if uac_supports {
        headers.push(("Require", String::from("timer")));
    }
    Ok(Some((
        Negotiated {
            interval,
            refresher,
        },
        headers,
    )))
}
