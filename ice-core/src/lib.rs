//! A Sans-IO ICE agent: RFC 8445 full and lite, trickle (RFC 8838), consent (RFC 7675).
//!
//! Part of the [rtcweb](https://github.com/rtcweb/rtcweb) family. This crate is Sans-IO: it never opens
//! a socket, spawns a thread or reads a clock; time comes in as an [`Instant`], randomness as a seed.
//!
//! ```
//! use rtcweb_ice_core::{Agent, AgentConfig, IceEvent, Instant};
//! let (a, b) = ("10.0.0.1:5000".parse()?, "10.0.0.2:6000".parse()?);
//! let mut offerer = Agent::new(AgentConfig::default(), [1; 32]);
//! let mut gateway = Agent::new(AgentConfig::lite(), [2; 32]);
//! offerer.add_local_host(a)?;
//! let cand = gateway.add_local_host(b)?;
//! let (u, p) = gateway.local_credentials();
//! offerer.set_remote_credentials(u, p)?;
//! offerer.add_remote_candidate(cand)?;
//! // One check from the offerer, answered by the lite gateway.
//! let (mut buf, mut out) = ([0u8; 1500], [0u8; 1500]);
//! offerer.handle_timeout(Instant::ZERO);
//! let t = offerer.poll_transmit(Instant::ZERO, &mut buf)?.ok_or("a check")?;
//! let from = t.source.ok_or("ICE names the local address")?;
//! gateway.handle_receive(Instant::ZERO, t.destination, from, &buf[..t.len]);
//! let r = gateway.poll_transmit(Instant::ZERO, &mut out)?.ok_or("a response")?;
//! let from = r.source.ok_or("ICE names the local address")?;
//! offerer.handle_receive(Instant::ZERO, r.destination, from, &out[..r.len]);
//! assert!(offerer.pairs().any(|(_, _, state, _)| state == rtcweb_ice_core::PairState::Succeeded));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Layout
//! - [`candidate`]: the [`Candidate`](candidate::Candidate) value, its RFC 8839 text form, priority
//!   and foundation (no allocator needed);
//! - [`credentials`]: `ice-ufrag`/`ice-pwd` rules;
//! - [`Agent`] (feature `alloc`): the agent, its [`AgentConfig`], [`IceEvent`]s and verdicts.
//!
//! # Sans-IO
//! Feed every datagram of the agent's sockets to [`Agent::handle_receive`] (STUN is consumed,
//! media handed back) and time to [`Agent::handle_timeout`]; drain [`Agent::poll_transmit`], then
//! [`Agent::poll_event`], then sleep until [`Agent::poll_timeout`] or the next datagram.
//!
//! # Bounds
//! [`AgentConfig`] caps pairs (RFC 8445 default 100), remote candidates (64), peer-reflexive
//! candidates learned from checks (16), STUN/TURN servers (4 each), local hosts (8) and queued
//! responses (64). Checks from unknown addresses beyond the caps are answered but not learned.
//!
//! # SDP
//! The agent hands SDP its values as strings: [`Agent::local_credentials`] for `a=ice-ufrag` /
//! `a=ice-pwd`, each local candidate's `Display` for `a=candidate`, [`Agent::ice_options`] for
//! `a=ice-options`, and `a=ice-lite` when [`Agent::is_lite`]. Remote `a=candidate` values go
//! through [`Candidate::parse`](candidate::Candidate::parse).
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

#[cfg(feature = "alloc")]
pub mod agent;
pub mod candidate;
pub mod credentials;
#[cfg(feature = "alloc")]
#[cfg(feature = "alloc")]
pub use agent::{
    Agent, AgentConfig, AgentError, ConnectionState, Discard, IceEvent, PairState, Receive, Role,
    Transmit,
};

/// The family-wide point in time: nanoseconds since an arbitrary, caller-chosen start.
pub use sans_io_time::Instant;
