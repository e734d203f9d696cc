//! Answering a digest challenge (RFC 3261 §22.2, RFC 7616 §3.4, RFC 8760): the `Authorization` or
//! `Proxy-Authorization` value for a `WWW-Authenticate` / `Proxy-Authenticate` challenge.

use alloc::format;
use alloc::string::String;
use core::fmt::Write;

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::auth::digest::{ha1, response_from_ha1, Algorithm, DigestInput, Qop};
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
/// Prefers `qop=auth` when offered. `None` when the challenge is not Digest or uses an unsupported
/// algorithm or qop.
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
    if !challenge.is_digest() {
        return None;
    }
    let realm = challenge.get("realm")?;
    let nonce = challenge.get("nonce")?;
    let algorithm = match challenge.get("algorithm") {
        None => Algorithm::Md5,
        Some(a) => Algorithm::parse(a)?,
    };
    let qop = match challenge.get("qop") {
        None => None,
        Some(list) => {
            let mut opts = list.split(',').map(str::trim);
            if opts.clone().any(|q| q.eq_ignore_ascii_case("auth")) {
                Some(Qop::Auth)
            } else if opts.any(|q| q.eq_ignore_ascii_case("auth-int")) {
                Some(Qop::AuthInt)
            } else {
                return None;
            }
        }
    };
    let nc_text = format!("{nc:08x}");
    let input = DigestInput {
        algorithm,
        username: &creds.username,
        realm,
        nonce,
        uri,
        method,
        qop,
        nc: &nc_text,
        cnonce,
    };
    let h1 = ha1(algorithm, &creds.username, realm, creds.password.as_bytes());
    let resp = response_from_ha1(&input, h1.as_str(), body);
    let mut out = format!(
        "Digest username=\"{}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\", response=\"{}\", algorithm={}",
        creds.username,
        resp.as_str(),
        algorithm.as_str()
    );
    if let Some(q) = qop {
        let _ = write!(
            out,
            ", qop={}, nc={nc_text}, cnonce=\"{cnonce}\"",
            q.as_str()
        );
    }
    if let Some(opaque) = challenge.get("opaque") {
        let _ = write!(out, ", opaque=\"{opaque}\"");
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::digest::verify;
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
        verify(&a, "REGISTER", b"secret", b"").unwrap();
        assert!(verify(&a, "REGISTER", b"wrong", b"").is_err());
        let basic = WwwAuthenticate::parse("Basic realm=\"x\"").unwrap();
        assert!(authorization(&basic, &creds, "REGISTER", "sip:x", b"", "c", 1).is_none());
    }
}
