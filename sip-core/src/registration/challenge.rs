//! Answering a digest challenge with owned credentials (RFC 3261 §22.2): the `Authorization` or
//! `Proxy-Authorization` value as a `String`. The allocation-free digest client it formats lives
//! in [`auth::client`](crate::auth::client).

use alloc::string::{String, ToString};

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::auth::client::DigestAnswer;
pub use crate::auth::client::{challenge_in, select_challenge};
use crate::header::AuthParams;

/// A username and password; the password is wiped on drop.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Credentials {
    /// The username.
    pub username: String,
    /// The password.
    pub password: String,
}

impl core::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// New credentials.
    #[must_use]
    pub fn new(username: &str, password: &str) -> Self {
        Self {
            username: username.into(),
            password: password.into(),
        }
    }
}

/// The credentials value answering `challenge` for a request (`method`, Request-URI `uri`, `body`
/// for `auth-int`). `cnonce` comes from the caller's random source, `nc` counts uses of the nonce.
/// Prefers `qop=auth` when offered. `None` when the challenge is not Digest, uses an unsupported
/// algorithm or qop, or holds a value that cannot be written back safely (see
/// [`DigestAnswer::new`], which this formats into a `String`; without an allocator, write the
/// `DigestAnswer` itself). With several challenges, pick one with [`select_challenge`] or
/// [`challenge_in`] first.
#[must_use]
pub fn authorization(
    challenge: &AuthParams<'_>,
    creds: &Credentials,
    method: &str,
    uri: &str,
    body: &[u8],
    cnonce: &str,
    nc: u32,
) -> Option<String> {
    DigestAnswer::new(
        challenge,
        &creds.username,
        creds.password.as_bytes(),
        method,
        uri,
        body,
        cnonce,
        nc,
    )
    .map(|a| a.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::digest::{verify, Algorithm, Challenged, NonceCheck, Qop};

    fn challenged<'a>(
        realm: &'a str,
        nonce: &'a str,
        algorithm: Algorithm,
        uri: &'a str,
    ) -> Challenged<'a> {
        Challenged {
            realm,
            nonce: NonceCheck::Exact(nonce),
            algorithm,
            qop: Some(Qop::Auth),
            method: "REGISTER",
            request_uri: uri,
        }
    }
    use crate::header::{Authorization, TypedHeader, WwwAuthenticate};

    #[test]
    fn answer_verifies_with_the_server_side_check() {
        let ch = WwwAuthenticate::parse(
            "Digest realm=\"example.com\", nonce=\"abc\", qop=\"auth,auth-int\", opaque=\"o\", algorithm=SHA-256",
        )
        .unwrap();
        let creds = Credentials::new("alice", "secret");
        let v = authorization(&ch, &creds, "REGISTER", "sip:example.com", b"", "cn", 1).unwrap();
        let a = Authorization::parse(&v).unwrap();
        assert_eq!(a.get("qop"), Some("auth"));
        assert_eq!(a.get("nc"), Some("00000001"));
        let c = challenged("example.com", "abc", Algorithm::Sha256, "sip:example.com");
        verify(&a, &c, b"secret", b"").unwrap();
        assert!(verify(&a, &c, b"wrong", b"").is_err());
        let basic = WwwAuthenticate::parse("Basic realm=\"x\"").unwrap();
        assert!(authorization(&basic, &creds, "REGISTER", "sip:x", b"", "c", 1).is_none());
    }

    #[test]
    fn strongest_answerable_challenge_is_selected() {
        use crate::header::challenges;
        let alg = |v: &'static str| select_challenge(challenges(v)).map(|c| c.get("algorithm"));
        let d =
            |a: &str| std::format!("Digest realm=\"r\", nonce=\"n\", algorithm={a}, qop=\"auth\"");
        // SHA-256 wins wherever it is listed; other schemes are ignored.
        let v = std::format!(
            "Basic realm=\"r\", {}, Bearer realm=\"r\", {}",
            d("MD5"),
            d("SHA-256")
        );
        assert_eq!(
            select_challenge(challenges(&v)).unwrap().get("algorithm"),
            Some("SHA-256")
        );
        let v = std::format!("{}, {}", d("SHA-256"), d("MD5"));
        assert_eq!(
            select_challenge(challenges(&v)).unwrap().get("algorithm"),
            Some("SHA-256")
        );
        // -sess ranks with its base algorithm; among equals the first listed wins.
        let v = std::format!("{}, {}, {}", d("MD5"), d("SHA-256-sess"), d("SHA-256"));
        assert_eq!(
            select_challenge(challenges(&v)).unwrap().get("algorithm"),
            Some("SHA-256-sess")
        );
        let v = std::format!("{}, {}", d("MD5-sess"), d("MD5"));
        assert_eq!(
            select_challenge(challenges(&v)).unwrap().get("algorithm"),
            Some("MD5-sess")
        );
        // Unsupported algorithms and qops, missing nonce and malformed challenges are skipped.
        let v = std::format!(
            "{}, Digest realm=\"r\", nonce=\"n\", qop=\"auth-conf\", Digest realm=\"r\", Digest realm=\"r\" nonce=\"n\", {}",
            d("SHA-512-256"),
            d("MD5")
        );
        assert_eq!(
            select_challenge(challenges(&v)).unwrap().get("algorithm"),
            Some("MD5")
        );
        // No algorithm means MD5.
        assert_eq!(
            alg("Bearer x=y, Digest realm=\"r\", nonce=\"n\""),
            Some(None)
        );
        // Nothing answerable.
        assert_eq!(
            alg("Basic realm=\"r\", Bearer realm=\"r\", Negotiate"),
            None
        );
        assert_eq!(alg(""), None);
        // The answer to the selected SHA-256 challenge verifies.
        let v = std::format!("Basic realm=\"r\", {}, {}", d("MD5"), d("SHA-256"));
        let ch = select_challenge(challenges(&v)).unwrap();
        let creds = Credentials::new("alice", "pw");
        let answer = authorization(&ch, &creds, "REGISTER", "sip:r", b"", "cn", 1).unwrap();
        let a = Authorization::parse(&answer).unwrap();
        assert_eq!(a.get("algorithm"), Some("SHA-256"));
        let nonce = a.get("nonce").unwrap();
        verify(
            &a,
            &challenged("r", nonce, Algorithm::Sha256, "sip:r"),
            b"pw",
            b"",
        )
        .unwrap();
    }
}
