//! The client's side of HTTP Digest as SIP uses it (RFC 3261 §22.2, RFC 7616 §3.4, RFC 8760):
//! choosing the challenge to answer and writing the `Authorization` / `Proxy-Authorization`
//! value. Needs no allocator: the answer is a [`DigestAnswer`] that formats itself, into a
//! [`MessageWriter`](crate::message::writer::MessageWriter) or a `String` alike.

use core::fmt;

use super::digest::{ha1, response_from_ha1, Algorithm, DigestInput, HexDigest, Qop};
use crate::header::{AuthParams, ProxyAuthenticate, WwwAuthenticate};
use crate::message::Message;

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
/// this crate can answer (see [`DigestAnswer::new`]) with the strongest algorithm — SHA-256 and
/// SHA-256-sess over MD5 and MD5-sess — and, among equally strong ones, the first listed (the
/// server's preference, RFC 7616 §3.7). Other schemes (`Basic`, `Bearer`, …), unsupported
/// algorithms or qops, and malformed challenges are skipped. Allocates nothing.
///
/// ```
/// use rtcweb_sip_core::auth::client::select_challenge;
/// use rtcweb_sip_core::header::challenges;
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

/// Whether `v` can be written between double quotes as it is and hashed as it is: no control
/// characters, no `"` and no `\` (a quoted-pair would have to be unescaped before hashing,
/// RFC 7616 §3.4; refusing is better than answering with a wrong response).
fn quotable(v: &str) -> bool {
    !v.bytes()
        .any(|b| b < b' ' || b == 0x7f || b == b'"' || b == b'\\')
}

/// Whether `v` can stand as an unquoted or quoted token value (`cnonce`): visible ASCII without
/// quotes, backslashes or separators of the parameter list.
fn token(v: &str) -> bool {
    !v.is_empty()
        && v.bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b'\\' | b',' | b'='))
}

/// The credentials answering one Digest challenge (RFC 7616 §3.4): the value of an
/// `Authorization` or `Proxy-Authorization` header, computed on the stack and written by its
/// [`Display`](fmt::Display) implementation. The response digest is password-derived and is
/// zeroized on drop (through [`HexDigest`]).
///
/// ```
/// use rtcweb_sip_core::auth::client::DigestAnswer;
/// use rtcweb_sip_core::header::{TypedHeader, WwwAuthenticate};
/// let ch = WwwAuthenticate::parse(r#"Digest realm="example.com", nonce="abc", qop="auth""#).unwrap();
/// let answer = DigestAnswer::new(&ch, "alice", b"secret", "REGISTER", "sip:example.com", b"", "cn", 1)
///     .unwrap();
/// let mut buf = [0u8; 256];
/// let mut w = rtcweb_sip_core::message::writer::MessageWriter::request(
///     &mut buf,
///     rtcweb_sip_core::message::Method::Register,
///     "sip:example.com",
/// );
/// w.header_fmt("Authorization", format_args!("{answer}"));
/// assert!(w.finish(b"").is_ok());
/// ```
pub struct DigestAnswer<'a> {
    username: &'a str,
    realm: &'a str,
    nonce: &'a str,
    uri: &'a str,
    response: HexDigest,
    algorithm: Algorithm,
    qop: Option<Qop>,
    nc: u32,
    cnonce: &'a str,
    opaque: Option<&'a str>,
}

impl fmt::Debug for DigestAnswer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DigestAnswer")
            .field("username", &self.username)
            .field("realm", &self.realm)
            .field("algorithm", &self.algorithm)
            .field("qop", &self.qop)
            .finish_non_exhaustive()
    }
}

impl<'a> DigestAnswer<'a> {
    /// Answers `challenge` for a request (`method`, digest-uri `uri` — normally the
    /// Request-URI —, `body` for `auth-int`) with `username` and `password`. `cnonce` comes from
    /// the caller's random source, `nc` counts the uses of this nonce (from 1). Prefers
    /// `qop=auth` when offered.
    ///
    /// `None` when the challenge is not Digest, uses an unsupported algorithm or qop, lacks
    /// realm or nonce, or when a value cannot be written back safely: a realm, nonce or opaque
    /// holding a quote, backslash or control character, a username or uri likewise, or a
    /// cnonce that is not a token. With several challenges, pick one with [`select_challenge`]
    /// or [`challenge_in`] first.
    #[allow(clippy::too_many_arguments)]
    #[must_use]
    pub fn new(
        challenge: &AuthParams<'a>,
        username: &'a str,
        password: &[u8],
        method: &str,
        uri: &'a str,
        body: &[u8],
        cnonce: &'a str,
        nc: u32,
    ) -> Option<Self> {
        let (realm, nonce, algorithm, qop) = answerable(challenge)?;
        let opaque = challenge.get("opaque");
        let safe = [realm, nonce, opaque.unwrap_or_default(), username, uri]
            .into_iter()
            .all(quotable)
            && token(cnonce);
        if !safe {
            return None;
        }
        let nc_text = NcText::new(nc);
        let input = DigestInput {
            algorithm,
            username,
            realm,
            nonce,
            uri,
            method,
            qop,
            nc: nc_text.as_str(),
            cnonce,
        };
        let h1 = ha1(algorithm, username, realm, password);
        let response = response_from_ha1(&input, h1.as_str(), body);
        Some(Self {
            username,
            realm,
            nonce,
            uri,
            response,
            algorithm,
            qop,
            nc,
            cnonce,
            opaque,
        })
    }

    /// The `response` parameter (lowercase hex).
    #[must_use]
    pub fn response(&self) -> &str {
        self.response.as_str()
    }
}

impl fmt::Display for DigestAnswer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Digest username=\"{}\", realm=\"{}\", nonce=\"{}\", uri=\"{}\", response=\"{}\", algorithm={}",
            self.username,
            self.realm,
            self.nonce,
            self.uri,
            self.response.as_str(),
            self.algorithm.as_str()
        )?;
        if let Some(q) = self.qop {
            write!(
                f,
                ", qop={}, nc={:08x}, cnonce=\"{}\"",
                q.as_str(),
                self.nc,
                self.cnonce
            )?;
        }
        if let Some(o) = self.opaque {
            write!(f, ", opaque=\"{o}\"")?;
        }
        Ok(())
    }
}

/// `nc` as the 8 lowercase hex digits the digest hashes (RFC 7616 §3.4).
struct NcText([u8; 8]);

impl NcText {
    fn new(nc: u32) -> Self {
        let mut out = [b'0'; 8];
        for (i, d) in out.iter_mut().enumerate() {
            let shift = 28 - 4 * i;
            let n = ((nc >> shift) & 15) as u8;
            *d = if n < 10 { b'0' + n } else { b'a' + n - 10 };
        }
        Self(out)
    }

    fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or("00000000")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::digest::{verify, Challenged, NonceCheck};
    use crate::header::{challenges, Authorization, TypedHeader};

    #[test]
    fn nc_is_eight_lowercase_hex_digits() {
        assert_eq!(NcText::new(1).as_str(), "00000001");
        assert_eq!(NcText::new(0xABCD_EF12).as_str(), "abcdef12");
    }

    #[test]
    fn answer_verifies_and_refuses_what_cannot_be_quoted() {
        let ch = WwwAuthenticate::parse(
            r#"Digest realm="r", nonce="abc", qop="auth", opaque="o", algorithm=SHA-256"#,
        )
        .unwrap();
        let a = DigestAnswer::new(&ch, "alice", b"pw", "REGISTER", "sip:r", b"", "cn", 2).unwrap();
        let text = std::format!("{a}");
        let parsed = Authorization::parse(&text).unwrap();
        assert_eq!(parsed.get("nc"), Some("00000002"));
        assert_eq!(parsed.get("opaque"), Some("o"));
        assert_eq!(parsed.get("response"), Some(a.response()));
        let c = Challenged {
            realm: "r",
            nonce: NonceCheck::Exact("abc"),
            algorithm: Algorithm::Sha256,
            qop: Some(Qop::Auth),
            method: "REGISTER",
            request_uri: "sip:r",
        };
        verify(&parsed, &c, b"pw", b"").unwrap();
        // Values that would need escaping, and a cnonce that is not a token, are refused.
        let escaped = WwwAuthenticate::parse(r#"Digest realm="a\"b", nonce="n""#).unwrap();
        assert!(DigestAnswer::new(&escaped, "u", b"p", "REGISTER", "sip:r", b"", "c", 1).is_none());
        assert!(DigestAnswer::new(&ch, "a\"b", b"p", "REGISTER", "sip:r", b"", "c", 1).is_none());
        assert!(DigestAnswer::new(&ch, "u", b"p", "REGISTER", "sip:r", b"", "c,d", 1).is_none());
        let basic = select_challenge(challenges(r#"Basic realm="x""#));
        assert!(basic.is_none());
    }
}
