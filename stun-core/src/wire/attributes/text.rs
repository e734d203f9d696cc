//! UTF-8 text attributes: USERNAME, REALM, NONCE, SOFTWARE, ALTERNATE-DOMAIN (RFC 8489 §14).

use super::{put, Attribute, AttributeError, AttributeType};
use crate::wire::TransactionId;

fn text<'a>(
    value: &'a [u8],
    max: usize,
    expected: &'static str,
) -> Result<&'a str, AttributeError> {
    if value.len() > max {
        return Err(AttributeError::BadLength {
            expected,
            got: value.len(),
        });
    }
    core::str::from_utf8(value).map_err(|e| AttributeError::NotUtf8 {
        valid_up_to: e.valid_up_to(),
    })
}

macro_rules! text_attribute {
    ($(#[$doc:meta])* $name:ident, $typ:ident, $max:expr, $expected:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name<'a>(pub &'a str);

        impl<'a> $name<'a> {
            /// The longest value, in bytes, that the RFC allows.
            pub const MAX_LEN: usize = $max;
        }

        impl<'a> Attribute<'a> for $name<'a> {
            const TYPE: AttributeType = AttributeType::$typ;

            fn decode(value: &'a [u8], _tid: &TransactionId) -> Result<Self, AttributeError> {
                text(value, $max, $expected).map($name)
            }

            fn encoded_len(&self) -> usize {
                self.0.len()
            }

            fn encode(&self, _tid: &TransactionId, out: &mut [u8]) {
                put(out, 0, self.0.as_bytes())
            }
        }
    };
}

text_attribute!(
    /// USERNAME (RFC 8489 §14.3): fewer than 509 bytes.
    Username, USERNAME, 508, "at most 508"
);
text_attribute!(
    /// REALM (RFC 8489 §14.9): fewer than 128 characters (763 bytes).
    Realm, REALM, 763, "at most 763"
);
text_attribute!(
    /// NONCE (RFC 8489 §14.10): fewer than 128 characters (763 bytes).
    Nonce, NONCE, 763, "at most 763"
);
text_attribute!(
    /// SOFTWARE (RFC 8489 §14.14): fewer than 128 characters (763 bytes).
    Software, SOFTWARE, 763, "at most 763"
);
text_attribute!(
    /// ALTERNATE-DOMAIN (RFC 8489 §14.16): the server's domain name for a TLS 300 redirect.
    AlternateDomain, ALTERNATE_DOMAIN, 255, "at most 255"
);
