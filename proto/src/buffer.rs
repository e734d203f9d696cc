//! The one error shape for "the caller's output buffer is too small".

/// The output did not fit: the caller's buffer must hold at least `needed` bytes. Nothing was
/// written that the caller should use, and no protocol state changed, so the same call with a
/// larger buffer succeeds (the `rustls` `InsufficientSizeError` pattern).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("output buffer too small: {needed} bytes needed")]
pub struct BufferTooSmall {
    /// Bytes the output needs.
    pub needed: usize,
}
