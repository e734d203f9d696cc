//! SRTP/SRTCP (RFC 3711) on one stream: the safe core behind the `rtcweb_srtp_*` functions.
//!
//! A [`Context`] is one SSRC in one direction (protect what you send, unprotect what you receive),
//! built on `rtcweb-srtp-core`'s fixed-size [`Stream`]. The C side owns its memory (an
//! `rtcweb_srtp_t` of [`CONTEXT_SIZE`] bytes, [`CONTEXT_ALIGN`]-aligned); [`crate::ffi`] writes
//! [`Context::UNKEYED`] there (a constant: no code, no stack) and keys it in place with
//! [`Context::key`], so the 2 KiB context and its key schedules are never built on the stack and
//! moved.

use rtcweb_srtp_core::{Config, KeyingMaterial, Profile, Stream};

use crate::errors::{srtp, RTCWEB_ERR_ARGUMENT, RTCWEB_ERR_UNSUPPORTED};

/// Bytes of an `rtcweb_srtp_t` (`RTCWEB_SRTP_CONTEXT_SIZE` in the header). A bound for every
/// target: the build fails (below) if a target's context does not fit.
#[cfg(not(feature = "gcm"))]
pub const CONTEXT_SIZE: usize = 2048;
/// With `gcm` the AES-256-GCM key schedule (AEAD_AES_256_GCM, RFC 7714) makes a stream larger: C
/// code linking a `gcm` build defines `RTCWEB_FIRMWARE_GCM` before including the header.
#[cfg(feature = "gcm")]
pub const CONTEXT_SIZE: usize = 2560;
/// Alignment of an `rtcweb_srtp_t` (`RTCWEB_SRTP_CONTEXT_ALIGN` in the header): the AES key
/// schedules hold 128-bit vectors on x86.
pub const CONTEXT_ALIGN: usize = 16;

/// Marks a live context; anything else (zeroed static storage, a cleared context) is refused.
pub(crate) const LIVE: u64 = u64::from_be_bytes(*b"rtcwSRTP");

/// One stream's crypto context, as stored in the caller's `rtcweb_srtp_t`.
pub struct Context {
    pub(crate) live: u64,
    stream: Stream,
}

const _: () = assert!(core::mem::size_of::<Context>() <= CONTEXT_SIZE);
const _: () = assert!(core::mem::align_of::<Context>() <= CONTEXT_ALIGN);

/// The profile of a DTLS-SRTP protection profile number (RFC 5764 §4.1.2): 1
/// `AES_CM_128_HMAC_SHA1_80`, 2 `AES_CM_128_HMAC_SHA1_32`, 7 `AEAD_AES_128_GCM` (with the `gcm`
/// feature).
pub fn profile(id: i32) -> Result<Profile, i32> {
    u16::try_from(id)
        .ok()
        .and_then(Profile::from_dtls_id)
        .ok_or(RTCWEB_ERR_UNSUPPORTED)
}

impl Context {
    /// A context that is not live (refused by every call) and holds no keys: what
    /// [`crate::ffi::rtcweb_srtp_init`] writes before [`Self::key`].
    pub const UNKEYED: Self = Self {
        live: 0,
        stream: Stream::unkeyed(),
    };

    /// The keying material of `key_salt` (master key then master salt: 30 bytes for AES-CM, 28
    /// for GCM) for a DTLS-SRTP profile number; checked before any context is touched.
    pub fn material(key_salt: &[u8], profile_id: i32) -> Result<KeyingMaterial, i32> {
        let profile = profile(profile_id)?;
        if key_salt.len() != profile.master_key_len() + profile.master_salt_len() {
            return Err(RTCWEB_ERR_ARGUMENT);
        }
        KeyingMaterial::from_key_salt(profile, key_salt).map_err(|e| srtp(&e))
    }

    /// Keys this context in place with `material` (ROC 0, a 64-packet replay window, key
    /// derivation rate 0) and makes it live: the session keys are derived straight into it.
    pub fn key(&mut self, material: &KeyingMaterial) -> Result<(), i32> {
        self.live = 0;
        self.stream
            .reset(material, &Config::default())
            .map_err(|e| srtp(&e))?;
        self.live = LIVE;
        Ok(())
    }

    /// Whether this was initialized and not cleared since.
    pub fn is_live(&self) -> bool {
        self.live == LIVE
    }

    /// Protects the RTP packet `buf[..len]` in place; returns the SRTP length.
    pub fn protect_rtp(&mut self, buf: &mut [u8], len: usize) -> Result<usize, i32> {
        self.stream.protect_rtp(buf, len).map_err(|e| srtp(&e))
    }

    /// Verifies and decrypts the SRTP packet `packet` in place; returns the RTP length.
    pub fn unprotect_rtp(&mut self, packet: &mut [u8]) -> Result<usize, i32> {
        self.stream.unprotect_rtp(packet).map_err(|e| srtp(&e))
    }

    /// Protects the RTCP compound packet `buf[..len]` in place; returns the SRTCP length.
    pub fn protect_rtcp(&mut self, buf: &mut [u8], len: usize) -> Result<usize, i32> {
        self.stream.protect_rtcp(buf, len).map_err(|e| srtp(&e))
    }

    /// Verifies and decrypts the SRTCP packet `packet` in place; returns the RTCP length.
    pub fn unprotect_rtcp(&mut self, packet: &mut [u8]) -> Result<usize, i32> {
        self.stream.unprotect_rtcp(packet).map_err(|e| srtp(&e))
    }

    /// The bytes `protect_rtp` appends (tag and MKI).
    pub fn rtp_overhead(&self) -> usize {
        self.stream.rtp_overhead()
    }

    /// The bytes `protect_rtcp` appends (SRTCP index, tag and MKI).
    pub fn rtcp_overhead(&self) -> usize {
        self.stream.rtcp_overhead()
    }
}
