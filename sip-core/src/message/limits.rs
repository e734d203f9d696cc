//! Resource caps applied while parsing, so hostile input cannot make the parser do unbounded work.

/// Bounds on what the parser accepts. All checks are O(1) per byte scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most header fields accepted (also bounded by the caller's storage). Default 128.
    pub max_headers: usize,
    /// Longest line (start line or one physical header line) in bytes. Default 8192.
    pub max_line_len: usize,
    /// Largest whole message (head and body) in bytes. Default 65535, the largest UDP datagram.
    pub max_message_size: usize,
}

impl Limits {
    /// The defaults: 128 headers, 8 KiB lines, 64 KiB messages.
    pub const DEFAULT: Self = Self {
        max_headers: 128,
        max_line_len: 8192,
        max_message_size: 65535,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}
