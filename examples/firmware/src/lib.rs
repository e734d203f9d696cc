//! `rtcweb-firmware`: STUN Binding (RFC 8489), SRTP (RFC 3711) and SIP REGISTER with digest auth
//! (RFC 3261) for C firmware, with no standard library and no allocator: every message is written
//! into, or read from, a buffer the caller owns, and the SRTP context lives in storage the caller
//! owns. Declared in `include/rtcweb_firmware.h`:
//! - STUN: [`rtcweb_stun_binding_request`], [`rtcweb_stun_binding_success`],
//!   [`rtcweb_stun_parse_binding_response`];
//! - SRTP ([`srtp`]): [`rtcweb_srtp_init`], [`rtcweb_srtp_protect`], [`rtcweb_srtp_unprotect`],
//!   their RTCP forms, [`rtcweb_srtp_clear`], [`rtcweb_srtp_context_size`];
//! - SIP ([`sip`]): [`rtcweb_sip_register`], [`rtcweb_sip_register_with_auth`],
//!   [`rtcweb_sip_parse_response`].
//!
//! Lengths come back as non-negative values, failures as the negative `RTCWEB_ERR_*` codes of
//! [`errors`]. Passwords are short-term credentials (RFC 8489 §9.1): ASCII is used as is; other
//! text needs SASLprep tables this build leaves out, and is refused with
//! [`errors::RTCWEB_ERR_ARGUMENT`].
//!
//! `unsafe` is denied except in [`ffi`], where C pointers become slices.
#![no_std]
#![deny(unsafe_code)]
#![warn(missing_docs)]
#![warn(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

pub mod binding;
pub mod errors;
mod ffi;
pub mod sip;
pub mod srtp;

pub use ffi::{
    rtcweb_sip_parse_response, rtcweb_sip_register, rtcweb_sip_register_with_auth,
    rtcweb_srtp_clear, rtcweb_srtp_context_align, rtcweb_srtp_context_size, rtcweb_srtp_init,
    rtcweb_srtp_protect, rtcweb_srtp_protect_rtcp, rtcweb_srtp_unprotect,
    rtcweb_srtp_unprotect_rtcp, rtcweb_stun_binding_request, rtcweb_stun_binding_success,
    rtcweb_stun_parse_binding_response, RtcwebSipRegister, RtcwebSrtp,
};

/// A panic cannot unwind into C, and this library has no way to report one: stop here. The code
/// is written not to panic (no indexing or unwrapping on input); this is the backstop.
#[cfg(not(test))]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    loop {
        core::hint::spin_loop();
    }
}
