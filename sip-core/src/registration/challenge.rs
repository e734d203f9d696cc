//! Answering a digest challenge (RFC 3261 §22.2, RFC 7616 §3.4, RFC 8760): the `Authorization` or
//! `Proxy-Authorization` value for a `WWW-Authenticate` / `Proxy-Authenticate` challenge.

use alloc::format;
use alloc::string::String;
use core::fmt::Write;

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::auth::digest::{ha1, response_from_ha1, Algorithm, DigestInput, Qop};
use crate::header::{AuthParams, ProxyAuthenticate, WwwAuthenticate};
use crate::message::Message;

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

/// What a Digest challenge asks for, when this crate can answer it: a `Digest` scheme with
/// `realm` and `nonce`, a supported algorithm (absent: MD5) and, if `qop` is offered, `auth`
/// (preferred) or `auth-int`.
fn answerable<'a>(
    challenge: &AuthParams<'a>,
) -> Option<(&'a str, &'a str, Algorithm, Option<Qop>)> {
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
    Some((realm, nonce, algorithm, qop))
}

/// How strong an algorithm is, for choosing among challenges: the SHA-256 family over the MD5
/// family; a `-sess` variant ranks with its base algorithm.
const fn strength(algorithm: Algorithm) -> u8 {
    match algorithm {
        Algorithm::Md5 | Algorithm::Md5Sess => 1,
        Algorithm::Sha256 | Algorithm::Sha256Sess => 2,
    }
}

/// The challenge to answer among several (RFC 7235 §4.1, RFC 8760 §2.4): the Digest challenge
/// this crate can answer (see [`authorization`]) with the strongest algorithm — SHA-256 and
/// SHA-256-sess over MD5 and MD5-sess — and, among equally strong ones, the first listed (the
/// server's preference, RFC 7616 §3.7). Other schemes (`Basic`, `Bearer`, …), unsupported
/// algorithms or qops, and malformed challenges are skipped. Allocates nothing.
///
/// ```
/// use rtcweb_sip_core::header::challenges;
/// use rtcweb_sip_core::registration::select_challenge;
/// let v = r#"Basic realm="a", Digest realm="a", nonce="n", algorithm=MD5, Digest realm="a", nonce="n", algorithm=SHA-256"#;
/// let best = select_challenge(challenges(v)).unwrap();
/// assert_eq!(best.get("algorithm"), Some("SHA-256"));
/// ```
pub fn select_challenge<'a, C, E>(
    challenges: impl IntoIterator<Item = Result<C, E>>,
) -> Option<AuthParams<'a>>
where
    C: Into<AuthParams<'a>>,
{
    let mut best: Option<(u8, AuthParams<'a>)> = None;
    for c in challenges
        .into_iter()
        .filter_map(Result::ok)
        .map(Into::into)
    {
        let Some((_, _, algorithm, _)) = answerable(&c) else {
            continue;
        };
        let rank = strength(algorithm);
        if best.as_ref().is_none_or(|(b, _)| rank > *b) {
            best = Some((rank, c));
        }
    }
    best.map(|(_, c)| c)
}

/// The challenge to answer in a 401 (`WWW-Authenticate`, answered with `Authorization`) or 407
/// (`Proxy-Authenticate`, answered with `Proxy-Authorization`) response, across all its header
/// lines and all challenges in each line, chosen by [`select_challenge`]; with the name of the
/// header that carries the answer. `None` for other responses or when nothing is answerable.
#[must_use]
pub fn challenge_in<'a>(response: &Message<'a>) -> Option<(AuthParams<'a>, &'static str)> {
    match response.status()? {
        401 => {
            select_challenge(response.typed_all::<WwwAuthenticate>()).map(|c| (c, "Authorization"))
        }
        407 => select_challenge(response.typed_all::<ProxyAuthenticate>())
            .map(|c| (c, "Proxy-Authorization")),
        _ => None,
    }
}

/// The credentials value answering `challenge` for a request (`method`, Request-URI `uri`, `body`
/// for `auth-int`). `cnonce` comes from the caller's random source, `nc` counts uses of the nonce.
/// Prefers `qop=auth` when offered. `None` when the challenge is not Digest or uses an unsupported
/// algorithm or qop. With several challenges, pick one with [`select_challenge`] or
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
    let (realm, nonce, algorithm, qop) = answerable(challenge)?;
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
    use crate::auth::digest::{verify, Challenged, NonceCheck};

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
