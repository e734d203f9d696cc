//! SIP messages (RFC 3261 §7): the zero-copy parser, the [`Message`] view, the header index, the
//! allocation-free [`writer`] into a caller's buffer and, with `alloc`, the [`builder`] that edits
//! and serializes (through the writer).

#[cfg(feature = "alloc")]
pub mod builder;
mod error;
pub(crate) mod grammar;
mod header;
mod header_name;
mod limits;
mod method;
pub(crate) mod parser;
pub(crate) mod scan;
#[cfg(feature = "bytes")]
mod shared;
mod start_line;
pub mod validate;
mod view;
pub mod writer;

pub use error::{Error, ErrorKind};
pub use header::Header;
#[cfg(test)]
pub(crate) use header_name::known as header_name_known;
pub use header_name::HeaderName;
pub use limits::Limits;
pub use method::Method;
#[cfg(feature = "bytes")]
#[cfg_attr(docsrs, doc(cfg(feature = "bytes")))]
pub use shared::SharedMessage;
pub use start_line::StartLine;
pub use view::Message;

#[cfg(test)]
mod tests;
