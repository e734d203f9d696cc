//! The `extern "C"` surface. The only `unsafe` of the crate: C pointers become slices, strings and
//! the SRTP context here, after NULL (and alignment) checks, and everything else happens in the
//! safe [`binding`](crate::binding), [`srtp`](crate::srtp) and [`sip`](crate::sip) modules.
#![allow(unsafe_code)]

use core::ffi::{c_char, CStr};

use crate::errors::{
    RTCWEB_ERR_ARGUMENT, RTCWEB_ERR_BUFFER_TOO_SMALL, RTCWEB_ERR_NULL, RTCWEB_ERR_STATE,
};
use crate::srtp::{Context, CONTEXT_ALIGN, CONTEXT_SIZE};
use crate::{binding, sip};

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

/// A NUL-terminated C string as UTF-8 text; NULL is an error.
///
/// # Safety
/// When not NULL, `ptr` must point to a NUL-terminated string that stays valid and unmodified for
/// `'a`.
unsafe fn text<'a>(ptr: *const c_char) -> Result<&'a str, i32> {
    if ptr.is_null() {
        return Err(RTCWEB_ERR_NULL);
    }
    // SAFETY: non-NULL and, by this function's contract, NUL-terminated and valid for `'a`.
    unsafe { CStr::from_ptr(ptr) }
        .to_str()
        .map_err(|_| RTCWEB_ERR_ARGUMENT)
}

/// An optional C string: NULL means absent.
///
/// # Safety
/// As for [`text`].
unsafe fn optional_text<'a>(ptr: *const c_char) -> Result<Option<&'a str>, i32> {
    if ptr.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded contract.
        unsafe { text(ptr) }.map(Some)
    }
}

// ---------------------------------------------------------------------------------------------
// SRTP

/// Caller-owned storage for one SRTP stream context (`rtcweb_srtp_t` in the header): opaque bytes
/// with the size and alignment the header declares.
#[repr(C, align(16))]
pub struct RtcwebSrtp {
    _opaque: [u8; CONTEXT_SIZE],
}

const _: () = assert!(core::mem::align_of::<RtcwebSrtp>() == CONTEXT_ALIGN);

/// The context in `ctx`, if initialized.
///
/// # Safety
/// When not NULL, `ctx` must point to an `rtcweb_srtp_t` (`CONTEXT_SIZE` bytes) that nothing else
/// accesses for `'a`, and that holds either a context written by [`rtcweb_srtp_init`] or bytes
/// whose first 8 are not that context's live marker (zeroed storage, a cleared context).
unsafe fn context<'a>(ctx: *mut RtcwebSrtp) -> Result<&'a mut Context, i32> {
    if ctx.is_null() {
        return Err(RTCWEB_ERR_NULL);
    }
    let p = ctx.cast::<Context>();
    if !p.is_aligned() {
        return Err(RTCWEB_ERR_STATE);
    }
    // SAFETY: `p` is non-NULL, aligned and points into the caller's storage, which is large enough
    // for a `Context` (checked at compile time in `srtp`). Only the `u64` marker is read, through
    // a raw place (no reference to a possibly invalid `Context` is formed); any bit pattern is a
    // valid `u64`.
    let live = unsafe { core::ptr::addr_of!((*p).live).read() };
    if live != crate::srtp::LIVE {
        return Err(RTCWEB_ERR_STATE);
    }
    // SAFETY: the marker is only ever set by `rtcweb_srtp_init` writing a whole `Context` there,
    // and cleared before that `Context` is dropped; exclusivity is the caller's contract.
    Ok(unsafe { &mut *p })
}

/// Bytes an SRTP stream context needs on this build (at most `RTCWEB_SRTP_CONTEXT_SIZE`): compare
/// with `sizeof(rtcweb_srtp_t)` at start-up to catch a header that does not match the library.
#[no_mangle]
pub extern "C" fn rtcweb_srtp_context_size() -> usize {
    core::mem::size_of::<Context>()
}

/// Alignment an SRTP stream context needs on this build (at most `RTCWEB_SRTP_CONTEXT_ALIGN`).
#[no_mangle]
pub extern "C" fn rtcweb_srtp_context_align() -> usize {
    core::mem::align_of::<Context>()
}

/// Keys the stream context `ctx` with `key_salt` (`len` bytes: the 16-byte master key then the
/// master salt, 14 bytes for AES-CM, 12 for GCM) for `profile`, a DTLS-SRTP profile number
/// (1, 2, or 7 when built with GCM). ROC 0, 64-packet replay window. Whatever `ctx` held is
/// overwritten. Returns 0 or a negative `RTCWEB_ERR_*` code (and `ctx` is left as it was).
///
/// # Safety
/// `ctx` must point to an `rtcweb_srtp_t` that nothing else accesses during the call; `key_salt`
/// to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn rtcweb_srtp_init(
    ctx: *mut RtcwebSrtp,
    key_salt: *const u8,
    len: usize,
    profile: i32,
) -> i32 {
    if ctx.is_null() || key_salt.is_null() {
        return RTCWEB_ERR_NULL;
    }
    let p = ctx.cast::<Context>();
    if !p.is_aligned() {
        return RTCWEB_ERR_STATE;
    }
    // SAFETY: non-NULL, and readable for `len` bytes by this function's contract.
    let key_salt = match unsafe { input(key_salt, len) } {
        Ok(k) => k,
        Err(e) => return e,
    };
    // Checked first: on a bad key or profile the context is left as it was.
    let material = match Context::material(key_salt, profile) {
        Ok(m) => m,
        Err(e) => return e,
    };
    // SAFETY: `p` is non-NULL, aligned, and points to storage large enough for a `Context`
    // (compile-time check in `srtp`) that nothing else accesses. `write` does not drop what was
    // there: the old bytes may be anything, and a `Context` owns no resources beyond its bytes.
    // `UNKEYED` is a constant, copied into place without being built on the stack.
    unsafe { p.write(Context::UNKEYED) };
    // SAFETY: `p` now holds a valid `Context`, and nothing else accesses it during this call.
    let c = unsafe { &mut *p };
    // Keyed in place: the key schedules are derived into the caller's storage.
    match c.key(&material) {
        Ok(()) => 0,
        Err(e) => e,
    }
}

/// Protects the RTP packet in `buf[0..len)` in place (`cap` bytes available, at least `len` + 10
/// for `_80`, + 4 for `_32`, + 16 for GCM); returns the SRTP length or a negative code.
///
/// # Safety
/// `ctx` as for [`rtcweb_srtp_init`]; `buf` valid for `cap` writable bytes, not overlapping `ctx`.
#[no_mangle]
pub unsafe extern "C" fn rtcweb_srtp_protect(
    ctx: *mut RtcwebSrtp,
    buf: *mut u8,
    len: usize,
    cap: usize,
) -> isize {
    // SAFETY: each pointer is used only as this function's contract allows.
    let r = unsafe {
        (|| {
            let c = context(ctx)?;
            c.protect_rtp(output(buf, cap)?, len)
        })()
    };
    length(r)
}

/// Verifies and decrypts the SRTP packet `buf[0..len)` in place; returns the RTP length (tag and
/// MKI stripped) or a negative code, leaving `buf` untouched on error.
///
/// # Safety
/// `ctx` as for [`rtcweb_srtp_init`]; `buf` valid for `len` writable bytes, not overlapping `ctx`.
#[no_mangle]
pub unsafe extern "C" fn rtcweb_srtp_unprotect(
    ctx: *mut RtcwebSrtp,
    buf: *mut u8,
    len: usize,
) -> isize {
    // SAFETY: each pointer is used only as this function's contract allows.
    let r = unsafe {
        (|| {
            let c = context(ctx)?;
            c.unprotect_rtp(output(buf, len)?)
        })()
    };
    length(r)
}

/// Protects the RTCP compound packet in `buf[0..len)` in place (`cap` bytes available, at least
/// `len` + 14, + 20 for GCM); returns the SRTCP length or a negative code.
///
/// # Safety
/// As for [`rtcweb_srtp_protect`].
#[no_mangle]
pub unsafe extern "C" fn rtcweb_srtp_protect_rtcp(
    ctx: *mut RtcwebSrtp,
    buf: *mut u8,
    len: usize,
    cap: usize,
) -> isize {
    // SAFETY: each pointer is used only as this function's contract allows.
    let r = unsafe {
        (|| {
            let c = context(ctx)?;
            c.protect_rtcp(output(buf, cap)?, len)
        })()
    };
    length(r)
}

/// Verifies and decrypts the SRTCP packet `buf[0..len)` in place; returns the RTCP length or a
/// negative code, leaving `buf` untouched on error.
///
/// # Safety
/// As for [`rtcweb_srtp_unprotect`].
#[no_mangle]
pub unsafe extern "C" fn rtcweb_srtp_unprotect_rtcp(
    ctx: *mut RtcwebSrtp,
    buf: *mut u8,
    len: usize,
) -> isize {
    // SAFETY: each pointer is used only as this function's contract allows.
    let r = unsafe {
        (|| {
            let c = context(ctx)?;
            c.unprotect_rtcp(output(buf, len)?)
        })()
    };
    length(r)
}

/// Wipes `ctx`: the keys are zeroized and the whole storage zero-filled, so later calls get
/// `RTCWEB_ERR_STATE` until the next [`rtcweb_srtp_init`]. NULL is ignored.
///
/// # Safety
/// As for [`rtcweb_srtp_init`].
#[no_mangle]
pub unsafe extern "C" fn rtcweb_srtp_clear(ctx: *mut RtcwebSrtp) {
    // SAFETY: by this function's contract; `context` only succeeds on a live `Context`.
    if let Ok(c) = unsafe { context(ctx) } {
        // SAFETY: `c` is a live `Context` owned by the caller's storage; it is dropped once here
        // (zeroizing its keys) and its bytes are overwritten right after, so it is never used
        // or dropped again.
        unsafe { core::ptr::drop_in_place(c as *mut Context) };
    }
    if !ctx.is_null() {
        // SAFETY: non-NULL and, by the contract, `CONTEXT_SIZE` writable bytes; zero bytes are not
        // the live marker.
        unsafe { ctx.cast::<u8>().write_bytes(0, CONTEXT_SIZE) };
    }
}

// ---------------------------------------------------------------------------------------------
// SIP

/// A REGISTER's fields (`rtcweb_sip_register_t` in the header): NUL-terminated UTF-8 strings.
#[repr(C)]
pub struct RtcwebSipRegister {
    /// Request-URI; NULL: the AOR's scheme and host.
    pub registrar: *const c_char,
    /// Address of record (From, To).
    pub aor: *const c_char,
    /// Contact URI.
    pub contact: *const c_char,
    /// Via sent-protocol and sent-by.
    pub via: *const c_char,
    /// Via branch (`z9hG4bK…`).
    pub branch: *const c_char,
    /// From tag.
    pub from_tag: *const c_char,
    /// Call-ID.
    pub call_id: *const c_char,
    /// User-Agent; NULL: none.
    pub user_agent: *const c_char,
    /// CSeq number.
    pub cseq: u32,
    /// Expires, seconds.
    pub expires: u32,
}

/// The safe view of a [`RtcwebSipRegister`].
///
/// # Safety
/// When not NULL, `reg` must point to a readable `rtcweb_sip_register_t` whose strings are as
/// [`text`] requires for `'a`.
unsafe fn register<'a>(reg: *const RtcwebSipRegister) -> Result<sip::Register<'a>, i32> {
    if reg.is_null() {
        return Err(RTCWEB_ERR_NULL);
    }
    // SAFETY: non-NULL and readable by the contract; `read_unaligned` asks nothing of alignment.
    let r = unsafe { reg.read_unaligned() };
    // SAFETY: the strings' validity is the caller's contract.
    unsafe {
        Ok(sip::Register {
            registrar: optional_text(r.registrar)?,
            aor: text(r.aor)?,
            contact: text(r.contact)?,
            via: text(r.via)?,
            branch: text(r.branch)?,
            from_tag: text(r.from_tag)?,
            call_id: text(r.call_id)?,
            cseq: r.cseq,
            expires: r.expires,
            user_agent: optional_text(r.user_agent)?,
        })
    }
}

/// Writes a REGISTER for `reg` into `buf` (capacity `cap`); returns its length or a negative code.
///
/// # Safety
/// `buf` valid for `cap` writable bytes; `reg` as [`register`] requires; none may overlap `buf`.
#[no_mangle]
pub unsafe extern "C" fn rtcweb_sip_register(
    buf: *mut u8,
    cap: usize,
    reg: *const RtcwebSipRegister,
) -> isize {
    // SAFETY: each pointer is used only as this function's contract allows.
    let r = unsafe {
        (|| {
            let reg = register(reg)?;
            sip::register(output(buf, cap)?, &reg)
        })()
    };
    length(r)
}

/// Writes a REGISTER for `reg` answering the 401/407 `challenge` (`challenge_len` bytes) with a
/// digest computed from `username`, `password` (`password_len` bytes), `cnonce` and `nc`.
///
/// # Safety
/// As for [`rtcweb_sip_register`]; `challenge` valid for `challenge_len` and `password` for
/// `password_len` readable bytes; `username` and `cnonce` NUL-terminated. None may overlap `buf`.
#[no_mangle]
pub unsafe extern "C" fn rtcweb_sip_register_with_auth(
    buf: *mut u8,
    cap: usize,
    reg: *const RtcwebSipRegister,
    challenge: *const u8,
    challenge_len: usize,
    username: *const c_char,
    password: *const u8,
    password_len: usize,
    cnonce: *const c_char,
    nc: u32,
) -> isize {
    if challenge.is_null() || password.is_null() {
        return RTCWEB_ERR_NULL as isize;
    }
    // SAFETY: each pointer is used only as this function's contract allows.
    let r = unsafe {
        (|| {
            let reg = register(reg)?;
            let challenge = input(challenge, challenge_len)?;
            let creds = sip::Credentials {
                username: text(username)?,
                password: input(password, password_len)?,
                cnonce: text(cnonce)?,
                nc,
            };
            sip::register_with_auth(output(buf, cap)?, &reg, challenge, &creds)
        })()
    };
    length(r)
}

/// Reads a SIP message of a registration (see [`sip::parse`]): writes the status (0 for a request)
/// to `out_status` and, when not NULL, the CSeq number to `out_cseq` and the binding lifetime to
/// `out_expires`; returns 0 or a negative code (writing nothing).
///
/// # Safety
/// `msg` valid for `len` readable bytes; `call_id` and `contact` NULL or NUL-terminated;
/// `out_status` (and `out_cseq`, `out_expires` when not NULL) writable.
#[no_mangle]
pub unsafe extern "C" fn rtcweb_sip_parse_response(
    msg: *const u8,
    len: usize,
    call_id: *const c_char,
    contact: *const c_char,
    out_status: *mut u16,
    out_cseq: *mut u32,
    out_expires: *mut u32,
) -> i32 {
    if msg.is_null() || out_status.is_null() {
        return RTCWEB_ERR_NULL;
    }
    // SAFETY: each pointer is used only as this function's contract allows.
    let r = unsafe {
        (|| {
            let msg = input(msg, len)?;
            sip::parse(msg, optional_text(call_id)?, optional_text(contact)?)
        })()
    };
    match r {
        Ok(s) => {
            // SAFETY: `out_status` checked non-NULL above, the others just here; all writable by
            // the contract; `write_unaligned` asks nothing of the C side's alignment.
            unsafe {
                out_status.write_unaligned(s.status);
                if !out_cseq.is_null() {
                    out_cseq.write_unaligned(s.cseq);
                }
                if !out_expires.is_null() {
                    out_expires.write_unaligned(s.expires);
                }
            }
            0
        }
        Err(e) => e,
    }
}
