//! Dialogs (RFC 3261 §12): creation by the UAC from a 1xx-with-tag or 2xx (several early dialogs
//! per INVITE when a proxy forks) and by the UAS from the request, route set from Record-Route,
//! remote target from Contact, CSeq bookkeeping, in-dialog requests and the ACK for a 2xx.
//!
//! A [`Dialog`] is plain state, not a timer-driven machine: the UA core (or a B2BUA) creates it,
//! asks it to build requests and feeds it the requests and responses that belong to it.

mod id;
mod request;
mod state;

pub use id::DialogId;
pub use state::{Dialog, DialogError, DialogState};
