//! Registration client (RFC 3261 §10.2): REGISTER with an expiry, the 401/407 digest challenge and
//! retry (§22.2), 423 Interval Too Brief, refresh before expiry, unregister; and RFC 5626 outbound
//! basics (`+sip.instance`, `reg-id`, flow keep-alive deadlines) for clients behind NAT.
//!
//! [`Registration`] is the state machine as a transaction user: its REGISTERs come out of
//! `poll_request` and go through the caller's client transactions (the
//! [`UserAgent`](crate::ua::UserAgent) does this). [`RegistrationClient`] wraps it with its own
//! transaction layer and speaks the family's one verb set (`handle_receive`, `handle_timeout`,
//! `poll_transmit`, `poll_event`, `poll_timeout`).

mod challenge;
mod client;
mod standalone;

pub use challenge::{authorization, challenge_in, select_challenge, Credentials};
pub use client::{Registration, RegistrationConfig, RegistrationEvent, RegistrationState};
pub use standalone::RegistrationClient;
