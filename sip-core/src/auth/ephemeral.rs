//! Ephemeral ("TURN REST") credentials as Kamailio's `auth_ephemeral` checks them: username
//! `<expiry>:<user>`, password `base64(HMAC-SHA1(secret, username))`. The arithmetic lives in
//! `rtcweb_proto::turn_rest` and is shared with stun-core, not written twice.

use super::digest::Challenged;
use crate::header::AuthParams;

pub use rtcweb_proto::turn_rest::{check, parse_username, password, EphemeralError};

/// Why a Digest request with ephemeral credentials was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EphemeralAuthError {
    /// The credentials are not an acceptable Digest.
    #[error(transparent)]
    Digest(#[from] super::digest::DigestError),
    /// The username is not `<expiry>[:<user>]`, or has expired.
    #[error(transparent)]
    Ephemeral(#[from] EphemeralError),
}

/// Verifies Digest credentials whose password is the ephemeral one derived from `secret` and the
/// username, and that the username has not expired at `now_unix_secs` (auth_ephemeral's
/// `autheph_check`), after everything [`Challenged`] says (realm, nonce, algorithm, qop, uri).
///
/// # Errors
/// [`EphemeralAuthError`].
pub fn verify_digest(
    creds: &AuthParams<'_>,
    challenged: &Challenged<'_>,
    secret: &[u8],
    body: &[u8],
    now_unix_secs: u64,
) -> Result<(), EphemeralAuthError> {
    let username = creds
        .get("username")
        .ok_or(super::digest::DigestError::Missing("username"))?;
    let (expiry, _) = parse_username(username)?;
    if expiry < now_unix_secs {
        return Err(EphemeralError::Expired { expiry }.into());
    }
    let pw = password(secret, username);
    super::digest::verify(creds, challenged, pw.as_str().as_bytes(), body)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::digest::{response, Algorithm, DigestInput, NonceCheck, Qop};
    use crate::header::{Authorization, TypedHeader};

    #[test]
    fn digest_with_ephemeral_password() {
        let user = "1700003600:alice";
        let pw = password(b"north", user);
        assert!(check(b"north", user, pw.as_str().as_bytes(), 1_700_000_000).is_ok());
        let input = DigestInput {
            algorithm: Algorithm::Md5,
            username: user,
            realm: "example.com",
            nonce: "n",
            uri: "sip:example.com",
            method: "REGISTER",
            qop: Some(Qop::Auth),
            nc: "00000001",
            cnonce: "c",
        };
        let r = response(&input, pw.as_str().as_bytes(), b"");
        let hdr = std::format!(
            "Digest username=\"{user}\", realm=\"example.com\", nonce=\"n\", uri=\"sip:example.com\", response=\"{}\", qop=auth, nc=00000001, cnonce=\"c\"",
            r.as_str()
        );
        let a = Authorization::parse(&hdr).unwrap();
        let c = Challenged {
            realm: "example.com",
            nonce: NonceCheck::Exact("n"),
            algorithm: Algorithm::Md5,
            qop: Some(Qop::Auth),
            method: "REGISTER",
            request_uri: "sip:example.com",
        };
        assert_eq!(verify_digest(&a, &c, b"north", b"", 1_700_000_000), Ok(()));
        assert!(verify_digest(&a, &c, b"south", b"", 1_700_000_000).is_err());
        assert_eq!(
            verify_digest(&a, &c, b"north", b"", 1_700_003_601),
            Err(EphemeralAuthError::Ephemeral(EphemeralError::Expired {
                expiry: 1_700_003_600
            }))
        );
    }
}
