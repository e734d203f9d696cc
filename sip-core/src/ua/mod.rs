//! A small UA core (RFC 3261 §8, §13–§15) composing the [transaction layer](crate::transaction),
//! [dialogs](crate::dialog), [registration](crate::registration) and
//! [session timers](crate::session_timer) for the common flows: place a call (INVITE with the
//! caller's SDP, 100/180/183/200, ACK), answer, reject (486/603), hang up (BYE), CANCEL a pending
//! INVITE, be challenged and retry, register, OPTIONS. Everything is observable as [`UaEvent`]s.
//!
//! Bad input is absorbed as the RFC says: retransmitted requests get the last response (the
//! transaction layer), a stray 2xx that answers an INVITE this UA sent recently (same Call-ID and
//! From-tag) is ACKed and then ended with BYE, once per fork (§13.2.2.4); any other stray response
//! is dropped (§18.1.2), so spoofed 2xx cannot make the UA send; a stray ACK is dropped, requests
//! for unknown dialogs get 481.
//!
//! Requests go to the configured outbound proxy ([`UaConfig::proxy`]), or for a call placed with
//! [`UserAgent::call_to`] to that call's peer; an incoming call's requests go back to where its
//! INVITE came from. The UA does no DNS (RFC 3263 is the driver's job).

mod agent;
mod call;
mod calls;
mod config;
mod control;
mod event;
mod refer;
mod rel100;
mod reoffer;
mod sent_invites;
mod stray;
mod timers;
mod uac;
mod uas;

pub use agent::{UaError, UserAgent};
pub use call::CallState;
pub use config::UaConfig;
pub use event::{CallHandle, EndReason, UaEvent};
pub use rel100::Rel100;
pub use reoffer::ReofferMethod;
