//! The `extern "C"` surface. The only `unsafe` of the crate: C pointers become slices here, after
//! NULL checks, and everything else happens in the safe [`binding`](crate::binding) module.
#![allow(unsafe_code)]

use crate::binding;
use crate::errors::{RTCWEB_ERR_BUFFER_TOO_SMALL, RTCWEB_ERR_NULL};

/// A read-only slice from a C pointer and length; `len == 0` gives an empty slice whatever the
/// pointer; NULL with a length is an error.
///
/// # Safety
/// When `len > 0` and `ptr` is not NULL, `ptr` must point to `len` readable bytes that stay valid
/// and unmodified for `'a`.
unsafe fn input<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], i32> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(RTCWEB_ERR_NULL);
    }
    // SAFETY: non-NULL and, by this function's contract, valid for `len` bytes for `'a`.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// An optional input: NULL means absent.
///
/// # Safety
/// As for [`input`].
unsafe fn optional<'a>(ptr: *const u8, len: usize) -> Result<Option<&'a [u8]>, i32> {
    if ptr.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded contract.
        unsafe { input(ptr, len) }.map(Some)
    }
}

/// A writable output buffer.
///
/// # Safety
/// When not NULL, `ptr` must point to `cap` writable bytes that nothing else accesses for `'a`.
unsafe fn output<'a>(ptr: *mut u8, cap: usize) -> Result<&'a mut [u8], i32> {
    if ptr.is_null() {
        return Err(RTCWEB_ERR_NULL);
    }
    // SAFETY: non-NULL and, by this function's contract, valid and exclusive for `cap` bytes.
    Ok(unsafe { core::slice::from_raw_parts_mut(ptr, cap) })
}

/// Reads exactly `N` bytes.
///
/// # Safety
/// When not NULL, `ptr` must point to `N` readable bytes.
unsafe fn array<const N: usize>(ptr: *const u8) -> Result<[u8; N], i32> {
    if ptr.is_null() {
        return Err(RTCWEB_ERR_NULL);
    }
    let mut out = [0u8; N];
    // SAFETY: non-NULL and, by this function's contract, readable for `N` bytes.
    out.copy_from_slice(unsafe { core::slice::from_raw_parts(ptr, N) });
    Ok(out)
}

/// A length as the C functions return it.
fn length(r: Result<usize, i32>) -> isize {
    match r {
        Ok(n) => isize::try_from(n).unwrap_or(RTCWEB_ERR_BUFFER_TOO_SMALL as isize),
        Err(e) => e as isize,
    }
}

/// Writes a STUN Binding request into `buf` (capacity `cap`): USERNAME when `username_len > 0`,
/// MESSAGE-INTEGRITY when `password` is not NULL, then FINGERPRINT. `tid` points to the 12-byte
/// transaction ID, which the caller draws at random (RFC 8489 §6.1).
///
/// Returns the message length, or a negative `RTCWEB_ERR_*` code.
///
/// # Safety
/// `buf` must be valid for `cap` writable bytes; `tid` for 12 readable bytes; `username` for
/// `username_len` and `password` (when not NULL) for `password_len` readable bytes. None may
/// overlap `buf`.
#[no_mangle]
pub unsafe extern "C" fn rtcweb_stun_binding_request(
    buf: *mut u8,
    cap: usize,
    tid: *const u8,
    username: *const u8,
    username_len: usize,
    password: *const u8,
    password_len: usize,
) -> isize {
    // SAFETY: each pointer is used only as this function's contract allows.
    let r = unsafe {
        (|| {
            let tid = array::<12>(tid)?;
            let username = input(username, username_len)?;
            let password = optional(password, password_len)?;
            let buf = output(buf, cap)?;
            binding::request(buf, tid, username, password)
        })()
    };
    length(r)
}

/// Writes a STUN Binding success response into `buf` (capacity `cap`): XOR-MAPPED-ADDRESS of
/// `ip`/`family`/`port`, MESSAGE-INTEGRITY when `password` is not NULL, then FINGERPRINT. `ip`
/// points to 16 bytes (only the first 4 are read for IPv4); `family` is 4 or 6.
///
/// Returns the message length, or a negative `RTCWEB_ERR_*` code.
///
/// # Safety
/// `buf` must be valid for `cap` writable bytes; `tid` for 12 and `ip` for 16 readable bytes;
/// `password` (when not NULL) for `password_len` readable bytes. None may overlap `buf`.
#[no_mangle]
pub unsafe extern "C" fn rtcweb_stun_binding_success(
    buf: *mut u8,
    cap: usize,
    tid: *const u8,
    ip: *const u8,
    family: u8,
    port: u16,
    password: *const u8,
    password_len: usize,
) -> isize {
    // SAFETY: each pointer is used only as this function's contract allows.
    let r = unsafe {
        (|| {
            let tid = array::<12>(tid)?;
            let ip = array::<16>(ip)?;
            let password = optional(password, password_len)?;
            let buf = output(buf, cap)?;
            binding::success(buf, tid, &ip, family, port, password)
        })()
    };
    length(r)
}

/// Checks the Binding response `msg` (`len` bytes): it must parse, be a Binding success response
/// with transaction ID `tid`, carry a matching FINGERPRINT when it has one, and — when `password`
/// is not NULL — a MESSAGE-INTEGRITY that verifies. On success writes the reflexive address:
/// 16 bytes to `out_ip` (IPv4 in the first 4, the rest zeroed), 4 or 6 to `out_family`, the port
/// to `out_port`, and returns 0; otherwise returns a negative `RTCWEB_ERR_*` code and writes
/// nothing.
///
/// # Safety
/// `msg` must be valid for `len` readable bytes; `tid` for 12; `password` (when not NULL) for
/// `password_len`; `out_ip` for 16 writable bytes; `out_family` and `out_port` for one value each.
#[no_mangle]
pub unsafe extern "C" fn rtcweb_stun_parse_binding_response(
    msg: *const u8,
    len: usize,
    password: *const u8,
    password_len: usize,
    tid: *const u8,
    out_ip: *mut u8,
    out_family: *mut u8,
    out_port: *mut u16,
) -> i32 {
    if out_ip.is_null() || out_family.is_null() || out_port.is_null() || msg.is_null() {
        return RTCWEB_ERR_NULL;
    }
    // SAFETY: each pointer is used only as this function's contract allows.
    let r = unsafe {
        (|| {
            let msg = input(msg, len)?;
            let tid = array::<12>(tid)?;
            let password = optional(password, password_len)?;
            binding::parse_response(msg, tid, password)
        })()
    };
    match r {
        Ok(addr) => {
            let (ip, family, port) = binding::split(addr);
            // SAFETY: checked non-NULL above; the contract makes them writable (16 bytes for
            // `out_ip`); `write_unaligned` asks nothing of the C side's alignment.
            unsafe {
                core::ptr::copy_nonoverlapping(ip.as_ptr(), out_ip, ip.len());
                out_family.write(family);
                out_port.write_unaligned(port);
            }
            0
        }
        Err(e) => e,
    }
}
