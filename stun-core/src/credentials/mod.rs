//! Credentials (RFC 8489 §9): short-term (ICE), long-term (MD5 and SHA-256 keys), USERHASH, and the
//! TURN REST "ephemeral" scheme that coturn and Kamailio's auth_ephemeral share.

pub use rtcweb_proto::turn_rest as ephemeral;
mod long_term;
mod saslprep;
mod short_term;

pub use long_term::{long_term_key_md5, long_term_key_sha256, userhash, LongTermKey};
pub use saslprep::{saslprep, SaslprepError};
pub use short_term::short_term_key;
