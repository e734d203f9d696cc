//! Authentication: HTTP Digest as SIP uses it (RFC 3261 §22, RFC 7616, RFC 8760) — the client's
//! answer ([`client`]) and the server's check ([`digest`]) —, a stateless
//! nonce helper, and the ephemeral-credential check shared with stun-core's TURN REST helper.

pub mod client;
pub mod digest;
pub mod ephemeral;
pub mod nonce;
