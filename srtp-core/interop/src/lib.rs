//! A thin safe wrapper over libsrtp2 (built with OpenSSL) for the cross-checks and benchmarks of
//! `rtcweb-srtp-core`. Not part of the product: only its tests and benches use it.

use std::ffi::c_void;
use std::os::raw::c_int;
use std::sync::Once;

use srtp2_sys as sys;

/// The protection profiles libsrtp is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suite {
    /// AES_CM_128_HMAC_SHA1_80.
    AesCm128HmacSha1_80,
    /// AES_CM_128_HMAC_SHA1_32 (SRTCP keeps the 80-bit tag).
    AesCm128HmacSha1_32,
    /// AEAD_AES_128_GCM.
    AeadAes128Gcm,
    /// AEAD_AES_256_GCM.
    AeadAes256Gcm,
}

/// A libsrtp status code other than `srtp_err_status_ok`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status(pub u32);

impl Status {
    /// `srtp_err_status_auth_fail`.
    pub const AUTH_FAIL: Self = Self(sys::srtp_err_status_t_srtp_err_status_auth_fail);
    /// `srtp_err_status_replay_fail`.
    pub const REPLAY_FAIL: Self = Self(sys::srtp_err_status_t_srtp_err_status_replay_fail);
}

fn check(status: sys::srtp_err_status_t) -> Result<(), Status> {
    if status == sys::srtp_err_status_t_srtp_err_status_ok {
        Ok(())
    } else {
        Err(Status(status))
    }
}

/// Extra bytes libsrtp may write after a packet (tag, MKI, SRTCP index): callers leave this much room.
pub const MAX_TRAILER: usize = 16 + 4 + 128;

/// One libsrtp session with a single wildcard stream (any inbound or any outbound SSRC).
pub struct LibSrtp {
    ctx: sys::srtp_t,
}

impl LibSrtp {
    /// A session keyed with `key_salt` (30 bytes, 28 for AES-128-GCM, 44 for AES-256-GCM);
    /// `outbound` picks the direction.
    ///
    /// # Panics
    /// When libsrtp refuses the policy.
    pub fn new(suite: Suite, key_salt: &[u8], outbound: bool, window: u64) -> Self {
        static INIT: Once = Once::new();
        // SAFETY: srtp_init has no preconditions; Once runs it a single time.
        INIT.call_once(|| unsafe {
            check(sys::srtp_init()).expect("srtp_init");
        });
        let mut key = key_salt.to_vec();
        key.resize(64, 0);
        // SAFETY: srtp_policy_t is a plain C struct for which all-zero is a valid (empty) value.
        let mut policy: sys::srtp_policy_t = unsafe { std::mem::zeroed() };
        // SAFETY: the policy setters only write into the struct they are given.
        unsafe {
            match suite {
                Suite::AesCm128HmacSha1_80 => {
                    sys::srtp_crypto_policy_set_rtp_default(&mut policy.rtp);
                    sys::srtp_crypto_policy_set_rtcp_default(&mut policy.rtcp);
                }
                Suite::AesCm128HmacSha1_32 => {
                    sys::srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&mut policy.rtp);
                    sys::srtp_crypto_policy_set_rtcp_default(&mut policy.rtcp);
                }
                Suite::AeadAes128Gcm => {
                    sys::srtp_crypto_policy_set_aes_gcm_128_16_auth(&mut policy.rtp);
                    sys::srtp_crypto_policy_set_aes_gcm_128_16_auth(&mut policy.rtcp);
                }
                Suite::AeadAes256Gcm => {
                    sys::srtp_crypto_policy_set_aes_gcm_256_16_auth(&mut policy.rtp);
                    sys::srtp_crypto_policy_set_aes_gcm_256_16_auth(&mut policy.rtcp);
                }
            }
        }
        policy.ssrc.type_ = if outbound {
            sys::srtp_ssrc_type_t_ssrc_any_outbound
        } else {
            sys::srtp_ssrc_type_t_ssrc_any_inbound
        };
        policy.key = key.as_mut_ptr();
        policy.window_size = window as _;
        policy.allow_repeat_tx = 0;
        let mut ctx: sys::srtp_t = std::ptr::null_mut();
        // SAFETY: policy and key outlive the call; libsrtp copies the key material it needs.
        unsafe { check(sys::srtp_create(&mut ctx, &policy)).expect("srtp_create") };
        Self { ctx }
    }

    fn call(
        &mut self,
        f: unsafe extern "C" fn(sys::srtp_t, *mut c_void, *mut c_int) -> sys::srtp_err_status_t,
        buf: &mut [u8],
        len: usize,
        grows: bool,
    ) -> Result<usize, Status> {
        assert!(
            len <= buf.len() && (!grows || buf.len() >= len + MAX_TRAILER),
            "no room"
        );
        let mut n = len as c_int;
        // SAFETY: `buf` holds `len` bytes of packet plus, when protecting, MAX_TRAILER bytes of room;
        // the context is valid until drop.
        unsafe { check(f(self.ctx, buf.as_mut_ptr().cast(), &mut n))? };
        Ok(n as usize)
    }

    /// `srtp_protect`: `buf` must have [`MAX_TRAILER`] bytes after `len`.
    pub fn protect(&mut self, buf: &mut [u8], len: usize) -> Result<usize, Status> {
        self.call(sys::srtp_protect, buf, len, true)
    }

    /// `srtp_unprotect`.
    pub fn unprotect(&mut self, buf: &mut [u8]) -> Result<usize, Status> {
        let len = buf.len();
        self.call(sys::srtp_unprotect, buf, len, false)
    }

    /// `srtp_protect_rtcp`: `buf` must have [`MAX_TRAILER`] bytes after `len`.
    pub fn protect_rtcp(&mut self, buf: &mut [u8], len: usize) -> Result<usize, Status> {
        self.call(sys::srtp_protect_rtcp, buf, len, true)
    }

    /// `srtp_unprotect_rtcp`.
    pub fn unprotect_rtcp(&mut self, buf: &mut [u8]) -> Result<usize, Status> {
        let len = buf.len();
        self.call(sys::srtp_unprotect_rtcp, buf, len, false)
    }
}

impl Drop for LibSrtp {
    fn drop(&mut self) {
        // SAFETY: the context came from srtp_create and is freed once.
        unsafe {
            sys::srtp_dealloc(self.ctx);
        }
    }
}

/// A global allocator that counts the allocations of each thread, for the zero-allocation tests
/// (installed with `#[global_allocator]` by the test itself). Per thread, so that the test harness's
/// own threads do not count.
pub struct CountingAllocator;

std::thread_local! {
    // Const-initialized: reading it never allocates, so it is safe to use inside the allocator.
    static ALLOCATIONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl CountingAllocator {
    /// Allocations so far on the calling thread.
    pub fn count() -> usize {
        ALLOCATIONS.with(std::cell::Cell::get)
    }
}

// SAFETY: forwards every call to the system allocator unchanged, only counting allocations.
unsafe impl std::alloc::GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        // `try_with`: during thread teardown the counter may be gone; those allocations are not ours.
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: the caller upholds GlobalAlloc::alloc's contract, which System shares.
        unsafe { std::alloc::System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        // SAFETY: `ptr` came from `alloc` above, i.e. from System, with this layout.
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
}
