//! Diagnostics behind a feature: `log_error!` … `log_trace!` forward to the [`log`] facade when
//! the *calling* crate is built with its `log` feature (which turns on `rtcweb-proto/log`), and
//! compile to nothing otherwise — the arguments are still type-checked, never evaluated.
//!
//! What the family logs, and at which level: refusals with their reason (authentication failed,
//! replayed packet, a limit hit) at `debug`; state changes of transactions, dialogs, calls, ICE
//! pairs, TURN allocations and registrations at `debug`, connection milestones at `info`;
//! per-packet detail at `trace`. Never a key, password, nonce secret or SRTP payload.
//!
//! [`log`]: https://docs.rs/log

#[doc(hidden)]
#[cfg(feature = "log")]
pub use log as __log;

/// Expands one `log` level macro, or nothing without the calling crate's `log` feature.
#[doc(hidden)]
#[macro_export]
macro_rules! __log_at {
    ($level:ident, $($arg:tt)+) => {{
        #[cfg(feature = "log")]
        {
            $crate::log::__log::$level!($($arg)+);
        }
        #[cfg(not(feature = "log"))]
        {
            if false {
                let _ = ::core::format_args!($($arg)+);
            }
        }
    }};
}

/// `log::error!` when the calling crate has its `log` feature; nothing otherwise.
#[macro_export]
macro_rules! log_error { ($($arg:tt)+) => { $crate::__log_at!(error, $($arg)+) }; }
/// `log::warn!` when the calling crate has its `log` feature; nothing otherwise.
#[macro_export]
macro_rules! log_warn { ($($arg:tt)+) => { $crate::__log_at!(warn, $($arg)+) }; }
/// `log::info!` when the calling crate has its `log` feature; nothing otherwise.
#[macro_export]
macro_rules! log_info { ($($arg:tt)+) => { $crate::__log_at!(info, $($arg)+) }; }
/// `log::debug!` when the calling crate has its `log` feature; nothing otherwise.
#[macro_export]
macro_rules! log_debug { ($($arg:tt)+) => { $crate::__log_at!(debug, $($arg)+) }; }
/// `log::trace!` when the calling crate has its `log` feature; nothing otherwise.
#[macro_export]
macro_rules! log_trace { ($($arg:tt)+) => { $crate::__log_at!(trace, $($arg)+) }; }
