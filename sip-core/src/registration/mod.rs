//! Registration client (RFC 3261 §10.2): REGISTER with an expiry, the 401/407 digest challenge and
//! retry (§22.2), 423 Interval Too Brief, refresh before expiry, unregister; and RFC 5626 outbound
//! basics (`+sip.instance`, `reg-id`, flow keep-alive deadlines) for clients behind NAT.

mod challenge;
mod client;

pub use challenge::{authorization, challenge_in, select_challenge, Credentials};
pub use client::{Registration, RegistrationConfig, RegistrationEvent, RegistrationState};
