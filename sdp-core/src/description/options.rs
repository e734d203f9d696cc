//! How strictly to parse, and the bounds that keep parsing cheap on hostile input.

/// Strict or lenient parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Every malformed line is an error (RFC 8866 §5 grammar and each known attribute's grammar).
    #[default]
    Strict,
    /// Keep going the way browsers do: malformed or misplaced lines other than `v=`, `o=`, `s=` and `m=`
    /// become warnings; they stay in the view (and in its serialization) but typed accessors skip them.
    Lenient,
}

/// Bounds on the input; exceeding one is always an error, in both modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most lines accepted (default 8192).
    pub max_lines: usize,
    /// Most media sections accepted (default 256).
    pub max_media: usize,
    /// Longest line accepted in bytes, ending excluded (default 8192).
    pub max_line_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_lines: 8192,
            max_media: 256,
            max_line_len: 8192,
        }
    }
}

/// Options of [`SessionDescription::parse_with`](crate::SessionDescription::parse_with).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ParseOptions {
    /// Strict or lenient.
    pub mode: Mode,
    /// Bounds.
    pub limits: Limits,
}

impl ParseOptions {
    /// Lenient parsing with default limits.
    #[must_use]
    pub fn lenient() -> Self {
        Self {
            mode: Mode::Lenient,
            limits: Limits::default(),
        }
    }
}
