//! DTLS-SRTP (RFC 5763, RFC 5764): the handshake that keys SRTP in every browser, run by the
//! Sans-IO DTLS 1.2/1.3 engine [`dimpl`](https://crates.io/crates/dimpl) (str0m's DTLS), behind
//! the family's verbs. Feature `dtls` (needs `std`).
//!
//! ```
//! use rtcweb_srtp_core::dtls::{Certificate, DtlsConfig, DtlsEvent, DtlsSrtp};
//! use rtcweb_srtp_core::{DtlsRole, Instant};
//!
//! let (a_cert, b_cert) = (Certificate::self_signed(&[1; 32])?, Certificate::self_signed(&[2; 32])?);
//! let config = DtlsConfig::default();
//! let now = Instant::ZERO;
//! let mut a = DtlsSrtp::new(now, DtlsRole::Client, &a_cert, Some(b_cert.fingerprint()), &config, &[3; 32])?;
//! let mut b = DtlsSrtp::new(now, DtlsRole::Server, &b_cert, Some(a_cert.fingerprint()), &config, &[4; 32])?;
//! let mut buf = [0u8; 2048];
//! for _ in 0..8 { // the flights, over a lossless wire
//!     while let Some(n) = a.poll_transmit(now, &mut buf)? { b.handle_receive(now, &buf[..n])?; }
//!     while let Some(n) = b.poll_transmit(now, &mut buf)? { a.handle_receive(now, &buf[..n])?; }
//! }
//! let (Some(DtlsEvent::Connected(mut ka)), Some(DtlsEvent::Connected(mut kb))) = (a.poll_event(), b.poll_event()) else { panic!() };
//! assert_eq!(ka.keying_material.as_bytes(), kb.keying_material.as_bytes());
//! assert_eq!(ka.peer_fingerprint, b_cert.fingerprint());
//! // SRTP keyed by role (RFC 5764 §4.2): what A protects, B verifies and decrypts.
//! let rtp = [0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 42, 1, 2, 3, 4];
//! buf[..16].copy_from_slice(&rtp);
//! let n = ka.srtp.outbound.protect_rtp(&mut buf, 16)?;
//! assert_eq!(kb.srtp.inbound.unprotect_rtp(&mut buf[..n])?, 16);
//! assert_eq!(buf[..16], rtp);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What it does
//!
//! - [`DtlsSrtp`]: one association. `handle_receive(now, datagram)`, `handle_timeout(now)` in;
//!   `poll_transmit(now, buf)`, `poll_event()`, `poll_timeout()` out. Flights are
//!   retransmitted on dimpl's timers (RFC 6347 §4.2.4); a too-small output buffer is an error
//!   naming the size needed, the datagram stays queued.
//! - [`Certificate`]: self-signed ECDSA P-256 made from a seed, or taken as DER; its
//!   [`Fingerprint`] displays as the `a=fingerprint` value (`sha-256 AB:CD:…`, RFC 8122 §5).
//! - The peer's certificate must hash to the remote `a=fingerprint` (compared in constant time):
//!   otherwise the handshake is refused with [`DtlsError::FingerprintMismatch`] and a
//!   `bad_certificate` alert; no other PKI (RFC 8122 §5, RFC 5763 §5).
//! - [`Setup`]: the DTLS role from `a=setup` (RFC 5763 §5, RFC 8842 §5): the answerer to
//!   `actpass` chooses, the ICE-lite side is passive.
//! - `use_srtp` (RFC 5764 §4.1): on completion [`DtlsEvent::Connected`] carries the exported
//!   keying material ([`ExportedKeyingMaterial`], label `EXTRACTOR-dtls_srtp`), the selected
//!   [`SrtpProtectionProfile`], the peer's fingerprint and the inbound and outbound
//!   [`crate::Session`]s keyed by role (RFC 5764 §4.2). Every profile dimpl negotiates is
//!   keyed: `SRTP_AES128_CM_HMAC_SHA1_80` (RFC 5764 §4.1.2), `SRTP_AEAD_AES_128_GCM` and
//!   `SRTP_AEAD_AES_256_GCM` (RFC 7714 §14.2); the feature turns on `gcm` for that.
//! - `close_notify` is [`DtlsEvent::PeerClosed`]; fatal alerts, time-outs and refusals are
//!   [`DtlsEvent::Failed`]. Garbage is dropped inside dimpl, never a panic (fuzz target
//!   `dtls_srtp`).
//!
//! # Taking `a=fingerprint` from sdp-core
//!
//! srtp-core does not depend on sdp-core (keys do not need a signalling parser); its typed
//! attribute converts in two lines:
//!
//! ```
//! use rtcweb_sdp_core::attribute::Fingerprint as SdpFingerprint;
//! use rtcweb_srtp_core::dtls::{Certificate, Fingerprint, HashFunction};
//!
//! let cert = Certificate::self_signed(&[9; 32])?;
//! let line = cert.fingerprint().to_string(); // what a peer wrote after `a=fingerprint:`
//! let sdp = SdpFingerprint::parse(&line).expect("valid attribute");
//! let hash = HashFunction::from_name(sdp.hash_function).expect("a known hash function");
//! let (bytes, len) = sdp.to_bytes();
//! let remote = Fingerprint::new(hash, &bytes[..len])?;
//! assert!(remote.matches_certificate(cert.der()));
//! # Ok::<(), rtcweb_srtp_core::dtls::DtlsError>(())
//! ```
//!
//! # Randomness
//!
//! The endpoint draws no randomness itself. dimpl 0.9 (either backend) draws:
//!
//! - the ECDHE ephemeral secrets from the operating system, always (p256's
//!   `EphemeralSecret::generate` and x25519-dalek's `EphemeralSecret::random` through
//!   `getrandom`; aws-lc's RNG with `dtls-aws-lc-rs`): dimpl takes them from no seed, and
//!   forward secrecy should not rest on a seed a caller might reuse;
//! - retransmission jitter, the Hello randoms, DTLS 1.2 explicit GCM nonces and the cookie
//!   secret from its `StdRng`, seeded with 64 bits: with [`DtlsSrtp::new`] (and
//!   [`DtlsContext::seeded`]) from the caller's 32-byte seed, hashed with SHA-256, so runs are
//!   reproducible; with a shared [`DtlsContext::new`] from `rand`'s OS-seeded thread generator;
//! - nothing for ECDSA signatures (RFC 6979 deterministic nonces); [`Certificate::self_signed`]
//!   takes key and serial from its own seed.
//!
//! [`DtlsSrtp::new`] builds a context per endpoint, and building one runs dimpl's provider
//! self-tests (about 6 ms, most of a handshake's cost): for many endpoints share one context
//! through [`DtlsSrtp::with_context`].
//!
//! # Time
//!
//! Time is the family's [`crate::Instant`]. dimpl's API takes `std::time::Instant`; the endpoint
//! reads `std::time::Instant::now()` once, at construction, as an anchor for the caller's times
//! (only their differences reach dimpl).
//!
//! # Limits
//!
//! dimpl offers `SRTP_AEAD_AES_256_GCM` first, then `SRTP_AEAD_AES_128_GCM`, then
//! `SRTP_AES128_CM_HMAC_SHA1_80`, and as a DTLS 1.2 server prefers them in that order; it
//! cannot be told otherwise, so two of these endpoints always settle on AES-256-GCM, and the
//! other profiles are reached only with a peer that offers or picks them (OpenSSL, browsers).
//! dimpl's own copies of the certificate key and keying material are not zeroized; ours are.

mod alert;
mod certificate;
mod clock;
mod config;
mod context;
mod endpoint;
mod error;
mod event;
mod fingerprint;
mod keying_material;
mod protection_profile;
mod setup;

pub use certificate::Certificate;
pub use config::{DtlsConfig, DtlsVersion, VersionPolicy};
pub use context::DtlsContext;
pub use endpoint::{DtlsSrtp, DtlsState};
pub use error::DtlsError;
pub use event::DtlsEvent;
pub use fingerprint::{Fingerprint, HashFunction, MAX_FINGERPRINT_LEN};
pub use keying_material::{Connected, ExportedKeyingMaterial, SrtpSessions, MAX_EXPORTED_LEN};
pub use protection_profile::SrtpProtectionProfile;
pub use setup::Setup;
