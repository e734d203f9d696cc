//! Short-term credentials (RFC 8489 §9.1): the key is the SASLprep-ed password itself. ICE uses them
//! with the remote ufrag:local ufrag as USERNAME and the ice-pwd as password (RFC 8445 §7.2.2).

use super::{saslprep, SaslprepError};
use crate::integrity::IntegrityKey;

/// The MESSAGE-INTEGRITY key of a short-term password (RFC 8489 §9.1.1).
pub fn short_term_key(password: &str) -> Result<IntegrityKey, SaslprepError> {
    Ok(IntegrityKey::new(saslprep(password)?.as_str().as_bytes()))
}
