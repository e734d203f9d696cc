//! The line-level grammar of RFC 8866 §5: lines, tokens and the typed non-attribute fields.

pub mod connection;
pub mod line;
pub mod media_line;
pub mod origin;
pub mod timing;
pub(crate) mod token;

pub use connection::Connection;
pub use line::{Line, LineEnding, Lines};
pub use media_line::MediaLine;
pub use origin::Origin;
pub use timing::{Bandwidth, Timing};
