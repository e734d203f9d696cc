//! A checked DTLS engine configuration that endpoints share.

use alloc::string::ToString as _;
use alloc::sync::Arc;
use core::fmt;

use sha2::Digest as _;

use super::{DtlsConfig, DtlsError};

/// dimpl's receive queue, in datagrams (its `max_queue_rx` default, set explicitly because the
/// endpoint sizes its output buffer from it).
pub(crate) const ENGINE_RX_QUEUE: usize = 30;

/// A [`DtlsConfig`] turned into dimpl's configuration, shareable by any number of
/// [`super::DtlsSrtp`] endpoints (cheap to clone: one `Arc`).
///
/// Making one costs what dimpl's `Config::build` costs: known-answer tests of the whole crypto
/// provider, key exchanges on P-256, P-384 and X25519 included, about 6 ms with the RustCrypto
/// backend (`benches/dtls.rs`), which is most of a handshake. Make one per configuration and
/// reuse it.
#[derive(Clone)]
pub struct DtlsContext {
    pub(crate) engine: Arc<dimpl::Config>,
    pub(crate) config: DtlsConfig,
    seeded: bool,
}

impl fmt::Debug for DtlsContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DtlsContext")
            .field("config", &self.config)
            .field("seeded", &self.seeded)
            .finish_non_exhaustive()
    }
}

impl DtlsContext {
    /// A context whose endpoints let dimpl draw its non-key randomness (retransmission jitter,
    /// Hello randoms, DTLS 1.2 explicit nonces, cookie secret) from `rand`'s thread generator,
    /// seeded by the operating system, as it draws the ECDHE secrets anyway. The fast choice
    /// for many endpoints.
    ///
    /// # Errors
    /// [`DtlsError::Config`] when a setting (the SRTP ones included) is out of range.
    pub fn new(config: &DtlsConfig) -> Result<Self, DtlsError> {
        Self::build(config, None)
    }

    /// A context whose endpoints take that randomness from `seed` (hashed to the 64-bit seed
    /// dimpl's `StdRng` takes): reproducible runs, no randomness from the system but the ECDHE
    /// secrets. Every endpoint of one seeded context draws the same sequence (the same Hello
    /// randoms and cookie secret), so give each endpoint its own seeded context, which is what
    /// [`super::DtlsSrtp::new`] does.
    ///
    /// # Errors
    /// [`DtlsError::Config`] when a setting is out of range.
    pub fn seeded(config: &DtlsConfig, seed: &[u8; 32]) -> Result<Self, DtlsError> {
        let mut h = sha2::Sha256::new();
        h.update(b"rtcweb dtls rng");
        h.update(seed);
        let digest = h.finalize();
        let mut first = [0u8; 8];
        for (f, d) in first.iter_mut().zip(digest.iter()) {
            *f = *d;
        }
        Self::build(config, Some(u64::from_be_bytes(first)))
    }

    fn build(config: &DtlsConfig, rng_seed: Option<u64>) -> Result<Self, DtlsError> {
        // The SRTP settings are used only on completion: refuse bad ones now.
        config.srtp.validate().map_err(|e| DtlsError::Config {
            reason: std::format!("srtp: {e}"),
        })?;
        let mut builder = dimpl::Config::builder()
            .with_crypto_provider(crypto_provider())
            .mtu(config.mtu)
            .flight_start_rto(config.flight_start_rto)
            .flight_retries(config.flight_retries)
            .handshake_timeout(config.handshake_timeout)
            .max_queue_rx(ENGINE_RX_QUEUE)
            // RFC 5763 §5: both sides authenticate with certificates.
            .require_client_certificate(true);
        if let Some(seed) = rng_seed {
            builder = builder.dangerously_set_rng_seed(seed);
        }
        let engine = builder.build().map_err(|e| DtlsError::Config {
            reason: e.to_string(),
        })?;
        Ok(Self {
            engine: Arc::new(engine),
            config: *config,
            seeded: rng_seed.is_some(),
        })
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &DtlsConfig {
        &self.config
    }

    /// Whether the endpoints' randomness comes from a seed ([`Self::seeded`]).
    #[must_use]
    pub fn is_seeded(&self) -> bool {
        self.seeded
    }
}

/// dimpl's cryptography: RustCrypto, or aws-lc-rs with the `dtls-aws-lc-rs` feature.
fn crypto_provider() -> dimpl::crypto::CryptoProvider {
    #[cfg(feature = "dtls-aws-lc-rs")]
    return dimpl::crypto::aws_lc_rs::default_provider();
    #[cfg(not(feature = "dtls-aws-lc-rs"))]
    return dimpl::crypto::rust_crypto::default_provider();
}
