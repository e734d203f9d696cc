//! Session timers (RFC 4028): negotiating Session-Expires, Min-SE and the refresher, answering
//! 422, and the refresh / expiry deadlines that let a gateway notice a peer that vanished.

mod negotiate;
mod timer;

pub use negotiate::{
    uac_after_422, uac_from_response, uac_headers, uas_negotiate, Negotiated, Refresher,
    SessionTimerConfig,
};
pub use timer::{SessionTimer, SessionTimerEvent};
