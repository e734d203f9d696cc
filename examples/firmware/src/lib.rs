//! `rtcweb-firmware`: STUN Binding (RFC 8489) for C firmware, with no standard library and no
//! allocator: every message is written into, or read from, a buffer the caller owns.
//!
//! Three functions, declared in `include/rtcweb_firmware.h`:
//! - [`rtcweb_stun_binding_request`]: a client's Binding request (USERNAME, MESSAGE-INTEGRITY,
//!   FINGERPRINT);
//! - [`rtcweb_stun_binding_success`]: a server's success response (XOR-MAPPED-ADDRESS,
//!   MESSAGE-INTEGRITY, FINGERPRINT);
//! - [`rtcweb_stun_parse_binding_response`]: checks a response against its request and returns the
//!   reflexive address.
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

pub use ffi::{
    rtcweb_stun_binding_request, rtcweb_stun_binding_success, rtcweb_stun_parse_binding_response,
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
