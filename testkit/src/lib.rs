//! The rtcweb crates' test kit: one deterministic, virtual-clock network that every crate's
//! tests drive their Sans-IO state machines through. No sockets, no sleeps, no threads; one
//! `u64` seed fixes a whole run.
//!
//! - [`clock`]: the family's [`Instant`] in test units ([`ms`], [`as_ms`]).
//! - [`rng`]: [`SimRng`], SplitMix64 for the network model; [`SimRng::seed`] seeds the crates'
//!   own `rtcweb_proto::Rng`.
//! - [`link`]: [`Link`] — delay, jitter (reordering), loss, duplication — and presets.
//! - [`net`]: [`Net`], datagrams in flight ordered by delivery time, a log of the wire, a drop
//!   filter, per-path links; [`Net::step`] jumps to the next delivery or deadline.
//! - [`node`]: [`Node`], one endpoint in the family's one verb set (`handle_receive`,
//!   `handle_timeout`, `poll_transmit` → [`rtcweb_proto::Transmit`], `poll_timeout`) plus a
//!   `process` hook for the test's application logic.
//! - [`nat`]: RFC 4787 NAT models; [`stun_server`] and [`turn_server`]: STUN Binding and TURN
//!   server models for simulators that route through NATs (ice-core's).
//!
//! A test wraps each state machine in a [`Node`] and lets the [`Net`] run them:
//! `net.run_until(&mut [&mut a, &mut b], |net, nodes| done, limit)`. A simulator with its own
//! routing uses the network alone:
//!
//! ```
//! use rtcweb_testkit::{ms, Datagram, Link, Net};
//!
//! let mut net = Net::new(7, Link::PERFECT);
//! let (a, b) = ("192.0.2.1:5000".parse()?, "192.0.2.2:5000".parse()?);
//! net.send(Datagram::udp(a, b, b"ping".to_vec()));
//! assert_eq!(net.next_delivery(), Some(ms(10)));
//! assert_eq!(net.pop_due(), None, "not yet");
//! net.advance_to(ms(10));
//! let d = net.pop_due().ok_or("delivered")?;
//! assert_eq!((d.from, d.to, &d.bytes[..]), (a, b, &b"ping"[..]));
//! assert_eq!(net.log.len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

extern crate alloc;

pub mod clock;
pub mod link;
pub mod nat;
pub mod net;
pub mod node;
pub mod rng;
pub mod stun_server;
pub mod turn_server;

pub use clock::{as_ms, ms, secs, Instant};
pub use link::Link;
pub use nat::{Nat, NatKind};
pub use net::{first_line, Datagram, Net, Sent, Stats};
pub use node::{Node, Peer};
pub use rng::SimRng;
pub use rtcweb_proto::{BufferTooSmall, Transmit, Transport};
pub use turn_server::TurnServer;
