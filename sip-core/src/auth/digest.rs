//! Digest `response` computation and verification (RFC 7616 §3.4.1, RFC 2617 §3.2.2, RFC 8760):
//! MD5, MD5-sess, SHA-256 and SHA-256-sess; qop absent, `auth` or `auth-int`.

use md5::Md5;
use sha2::digest::Digest;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::header::AuthParams;

/// Digest hash algorithm (RFC 7616 §3.3, RFC 8760 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// `MD5` (the default when absent).
    Md5,
    /// `MD5-sess`.
    Md5Sess,
    /// `SHA-256`.
    Sha256,
    /// `SHA-256-sess`.
    Sha256Sess,
}

impl Algorithm {
    /// Parses the `algorithm` parameter (case-insensitive); `None` for unsupported ones.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Md5, Self::Md5Sess, Self::Sha256, Self::Sha256Sess]
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(s))
    }

    /// The parameter value.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::Md5Sess => "MD5-sess",
            Self::Sha256 => "SHA-256",
            Self::Sha256Sess => "SHA-256-sess",
        }
    }

    const fn is_sess(self) -> bool {
        matches!(self, Self::Md5Sess | Self::Sha256Sess)
    }
}

/// Quality of protection (RFC 7616 §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qop {
    /// `auth`: authenticates the request line.
    Auth,
    /// `auth-int`: also the body.
    AuthInt,
}

impl Qop {
    /// The parameter value.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Auth => "auth",
            Self::AuthInt => "auth-int",
        }
    }
}

/// A lowercase hex digest (32 or 64 characters), on the stack. An HA1 is password-equivalent,
/// so the buffer is zeroized on drop and the type is not `Copy`.
#[derive(Clone, PartialEq, Eq, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct HexDigest {
    buf: [u8; 64],
    len: usize,
}

impl HexDigest {
    /// The hex text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(self.buf.get(..self.len).unwrap_or_default()).unwrap_or_default()
    }
}

impl core::fmt::Debug for HexDigest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

const fn hex_digit(n: u8) -> u8 {
    if n < 10 {
        b'0' + n
    } else {
        b'a' + n - 10
    }
}

fn hash(alg: Algorithm, parts: &[&[u8]]) -> HexDigest {
    fn run<D: Digest>(parts: &[&[u8]], out: &mut HexDigest) {
        let mut d = D::new();
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                d.update(b":");
            }
            d.update(p);
        }
        let h = d.finalize();
        for (i, b) in h.iter().enumerate() {
            if let Some(dst) = out.buf.get_mut(2 * i..2 * i + 2) {
                dst.copy_from_slice(&[hex_digit(b >> 4), hex_digit(b & 15)]);
            }
        }
        out.len = 2 * h.len();
    }
    let mut out = HexDigest {
        buf: [0; 64],
        len: 0,
    };
    match alg {
        Algorithm::Md5 | Algorithm::Md5Sess => run::<Md5>(parts, &mut out),
        Algorithm::Sha256 | Algorithm::Sha256Sess => run::<Sha256>(parts, &mut out),
    }
    out
}

/// The inputs of a digest response, other than the secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DigestInput<'a> {
    /// Algorithm.
    pub algorithm: Algorithm,
    /// `username`.
    pub username: &'a str,
    /// `realm`.
    pub realm: &'a str,
    /// `nonce` from the challenge.
    pub nonce: &'a str,
    /// `uri` (the digest-uri, normally the Request-URI).
    pub uri: &'a str,
    /// The request method.
    pub method: &'a str,
    /// `qop`, if the challenge offered one.
    pub qop: Option<Qop>,
    /// `nc`, 8 hex digits (with qop).
    pub nc: &'a str,
    /// `cnonce` (with qop or -sess).
    pub cnonce: &'a str,
}

/// HA1 = H(username:realm:password), what a server may store instead of the password.
#[must_use]
pub fn ha1(algorithm: Algorithm, username: &str, realm: &str, password: &[u8]) -> HexDigest {
    hash(
        algorithm,
        &[username.as_bytes(), realm.as_bytes(), password],
    )
}

/// The `response` value from a stored HA1 (RFC 7616 §3.4.1–3.4.3). `body` is used for auth-int.
#[must_use]
pub fn response_from_ha1(input: &DigestInput<'_>, ha1: &str, body: &[u8]) -> HexDigest {
    let alg = input.algorithm;
    let sess;
    let ha1 = if alg.is_sess() {
        sess = hash(
            alg,
            &[
                ha1.as_bytes(),
                input.nonce.as_bytes(),
                input.cnonce.as_bytes(),
            ],
        );
        sess.as_str()
    } else {
        ha1
    };
    let ha2 = match input.qop {
        Some(Qop::AuthInt) => {
            let hb = hash(alg, &[body]);
            hash(
                alg,
                &[
                    input.method.as_bytes(),
                    input.uri.as_bytes(),
                    hb.as_str().as_bytes(),
                ],
            )
        }
        _ => hash(alg, &[input.method.as_bytes(), input.uri.as_bytes()]),
    };
    match input.qop {
        Some(q) => hash(
            alg,
            &[
                ha1.as_bytes(),
                input.nonce.as_bytes(),
                input.nc.as_bytes(),
                input.cnonce.as_bytes(),
                q.as_str().as_bytes(),
                ha2.as_str().as_bytes(),
            ],
        ),
        None => hash(
            alg,
            &[
                ha1.as_bytes(),
                input.nonce.as_bytes(),
                ha2.as_str().as_bytes(),
            ],
        ),
    }
}

/// The `response` value from the password.
#[must_use]
pub fn response(input: &DigestInput<'_>, password: &[u8], body: &[u8]) -> HexDigest {
    let h = ha1(input.algorithm, input.username, input.realm, password);
    response_from_ha1(input, h.as_str(), body)
}

/// Why credentials were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DigestError {
    /// The scheme is not `Digest`.
    #[error("authorization scheme is not Digest")]
    NotDigest,
    /// A required parameter is missing.
    #[error("missing digest parameter {0}")]
    Missing(&'static str),
    /// The algorithm is not supported.
    #[error("unsupported digest algorithm")]
    Algorithm,
    /// The qop is not `auth` or `auth-int`.
    #[error("unsupported qop")]
    Qop,
    /// The response does not match.
    #[error("digest response mismatch")]
    Mismatch,
    /// `realm` is not the realm the server challenged with.
    #[error("digest realm is not the one challenged")]
    Realm,
    /// `nonce` is not one the server issued (or was tampered with).
    #[error("digest nonce was not issued by this server")]
    UnknownNonce,
    /// `nonce` is authentic but too old: challenge again with `stale=true` (RFC 7616 §3.3).
    #[error("digest nonce is stale")]
    StaleNonce,
    /// `uri` is not the Request-URI of the request it authenticates (RFC 7616 §3.4.6).
    #[error("digest uri does not match the Request-URI")]
    Uri,
    /// The algorithm is not the one challenged (a downgrade, RFC 7616 §3.4).
    #[error("digest algorithm is not the one challenged")]
    AlgorithmMismatch,
    /// The challenge asked for a qop the response does not use (a downgrade to RFC 2069).
    #[error("digest qop is not the one challenged")]
    QopMismatch,
}

/// How the server recognises a nonce it issued.
#[derive(Debug, Clone, Copy)]
pub enum NonceCheck<'a> {
    /// The server kept the nonce it sent (compared in constant time).
    Exact(&'a str),
    /// Stateless nonces ([`super::nonce::NonceKey`]): authentic and at most `max_age_secs` old.
    Stateless {
        /// The key the nonces were issued with.
        key: &'a super::nonce::NonceKey,
        /// The caller's clock, Unix seconds.
        now_unix_secs: u64,
        /// Oldest acceptable nonce, seconds.
        max_age_secs: u64,
    },
}

/// What the server challenged with and what the request is: everything credentials are checked
/// against besides the secret. Verification takes it whole, so no check can be forgotten:
/// realm, nonce freshness, algorithm, qop and `uri` are all compared before the response is.
#[derive(Debug, Clone, Copy)]
pub struct Challenged<'a> {
    /// The realm of the challenge.
    pub realm: &'a str,
    /// How to recognise the nonce.
    pub nonce: NonceCheck<'a>,
    /// The algorithm the challenge named.
    pub algorithm: Algorithm,
    /// The qop the challenge offered (`Some(Auth)` for `qop="auth"`), `None` if it offered none.
    pub qop: Option<Qop>,
    /// The method of the request carrying the credentials.
    pub method: &'a str,
    /// Its Request-URI (the `uri` parameter must equal it).
    pub request_uri: &'a str,
}

impl Challenged<'_> {
    fn check(&self, input: &DigestInput<'_>) -> Result<(), DigestError> {
        if input.realm != self.realm {
            return Err(DigestError::Realm);
        }
        if input.algorithm != self.algorithm {
            return Err(DigestError::AlgorithmMismatch);
        }
        if input.qop != self.qop {
            return Err(DigestError::QopMismatch);
        }
        if input.uri != self.request_uri {
            return Err(DigestError::Uri);
        }
        match self.nonce {
            NonceCheck::Exact(n) => {
                if !bool::from(n.as_bytes().ct_eq(input.nonce.as_bytes())) {
                    return Err(DigestError::UnknownNonce);
                }
            }
            NonceCheck::Stateless {
                key,
                now_unix_secs,
                max_age_secs,
            } => match key.check(input.nonce, now_unix_secs, max_age_secs) {
                super::nonce::NonceStatus::Valid => {}
                super::nonce::NonceStatus::Stale => return Err(DigestError::StaleNonce),
                super::nonce::NonceStatus::Invalid => return Err(DigestError::UnknownNonce),
            },
        }
        Ok(())
    }
}

/// Reads the [`DigestInput`] of an `Authorization` / `Proxy-Authorization` value.
///
/// # Errors
/// [`DigestError`] when the scheme, a parameter, the algorithm or the qop is wrong.
pub fn input_from_credentials<'a>(
    creds: &AuthParams<'a>,
    method: &'a str,
) -> Result<DigestInput<'a>, DigestError> {
    if !creds.is_digest() {
        return Err(DigestError::NotDigest);
    }
    let need = |n: &'static str| creds.get(n).ok_or(DigestError::Missing(n));
    let algorithm = match creds.get("algorithm") {
        None => Algorithm::Md5,
        Some(a) => Algorithm::parse(a).ok_or(DigestError::Algorithm)?,
    };
    let qop = match creds.get("qop") {
        None => None,
        Some(q) if q.eq_ignore_ascii_case("auth") => Some(Qop::Auth),
        Some(q) if q.eq_ignore_ascii_case("auth-int") => Some(Qop::AuthInt),
        Some(_) => return Err(DigestError::Qop),
    };
    let (nc, cnonce) = match qop {
        Some(_) => (need("nc")?, need("cnonce")?),
        None if algorithm.is_sess() => ("", need("cnonce")?),
        None => ("", ""),
    };
    Ok(DigestInput {
        algorithm,
        username: need("username")?,
        realm: need("realm")?,
        nonce: need("nonce")?,
        uri: need("uri")?,
        method,
        qop,
        nc,
        cnonce,
    })
}

/// Verifies credentials against a stored HA1: first everything [`Challenged`] says (realm, nonce,
/// algorithm, qop, uri), then the response in constant time.
///
/// # Errors
/// [`DigestError`] naming the first check that failed.
pub fn verify_with_ha1(
    creds: &AuthParams<'_>,
    challenged: &Challenged<'_>,
    ha1: &str,
    body: &[u8],
) -> Result<(), DigestError> {
    let input = input_from_credentials(creds, challenged.method)?;
    challenged.check(&input)?;
    let given = creds
        .get("response")
        .ok_or(DigestError::Missing("response"))?;
    let want = response_from_ha1(&input, ha1, body);
    let given = given.to_ascii_lowercase_ct();
    if bool::from(given.as_str().as_bytes().ct_eq(want.as_str().as_bytes())) {
        Ok(())
    } else {
        Err(DigestError::Mismatch)
    }
}

/// Verifies credentials against the password: everything [`Challenged`] says, then the response
/// in constant time.
///
/// # Errors
/// [`DigestError`] naming the first check that failed.
pub fn verify(
    creds: &AuthParams<'_>,
    challenged: &Challenged<'_>,
    password: &[u8],
    body: &[u8],
) -> Result<(), DigestError> {
    let input = input_from_credentials(creds, challenged.method)?;
    challenged.check(&input)?;
    let h = ha1(input.algorithm, input.username, input.realm, password);
    verify_with_ha1(creds, challenged, h.as_str(), body)
}

trait LowerHex {
    fn to_ascii_lowercase_ct(&self) -> HexDigest;
}

impl LowerHex for str {
    /// Lowercases up to 64 bytes without data-dependent branches; longer input never matches.
    fn to_ascii_lowercase_ct(&self) -> HexDigest {
        let mut out = HexDigest {
            buf: [0; 64],
            len: self.len().min(65),
        };
        for (d, s) in out.buf.iter_mut().zip(self.bytes()) {
            *d = s | (u8::from(s.is_ascii_uppercase()) << 5);
        }
        if self.len() > 64 {
            out.len = 0;
            out.buf = [0xff; 64];
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::{Authorization, TypedHeader};

    #[test]
    fn stateless_nonces_are_checked_for_authenticity_and_age() {
        use crate::auth::nonce::NonceKey;
        let key = NonceKey::new([9; 32]);
        let nonce = key.issue(1_000);
        let input = DigestInput {
            algorithm: Algorithm::Md5,
            username: "bob",
            realm: "r",
            nonce: nonce.as_str(),
            uri: "sip:r",
            method: "REGISTER",
            qop: Some(Qop::Auth),
            nc: "00000001",
            cnonce: "c",
        };
        let r = response(&input, b"pw", b"");
        let hdr = std::format!(
            "Digest username=\"bob\", realm=\"r\", nonce=\"{}\", uri=\"sip:r\", response=\"{}\", qop=auth, nc=00000001, cnonce=\"c\"",
            nonce.as_str(),
            r.as_str()
        );
        let a = Authorization::parse(&hdr).unwrap();
        let at = |now| Challenged {
            realm: "r",
            nonce: NonceCheck::Stateless {
                key: &key,
                now_unix_secs: now,
                max_age_secs: 300,
            },
            algorithm: Algorithm::Md5,
            qop: Some(Qop::Auth),
            method: "REGISTER",
            request_uri: "sip:r",
        };
        assert_eq!(verify(&a, &at(1_100), b"pw", b""), Ok(()));
        assert_eq!(
            verify(&a, &at(2_000), b"pw", b""),
            Err(DigestError::StaleNonce)
        );
        let other = NonceKey::new([1; 32]);
        let c = Challenged {
            nonce: NonceCheck::Stateless {
                key: &other,
                now_unix_secs: 1_100,
                max_age_secs: 300,
            },
            ..at(1_100)
        };
        assert_eq!(verify(&a, &c, b"pw", b""), Err(DigestError::UnknownNonce));
    }

    #[test]
    fn rfc2617_md5_auth() {
        let input = DigestInput {
            algorithm: Algorithm::Md5,
            username: "Mufasa",
            realm: "testrealm@host.com",
            nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
            uri: "/dir/index.html",
            method: "GET",
            qop: Some(Qop::Auth),
            nc: "00000001",
            cnonce: "0a4f113b",
        };
        assert_eq!(
            response(&input, b"Circle Of Life", b"").as_str(),
            "6629fae49393a05397450978507c4ef1"
        );
    }

    #[test]
    fn rfc7616_sha256_and_md5() {
        let mut input = DigestInput {
            algorithm: Algorithm::Sha256,
            username: "Mufasa",
            realm: "http-auth@example.org",
            nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
            uri: "/dir/index.html",
            method: "GET",
            qop: Some(Qop::Auth),
            nc: "00000001",
            cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
        };
        assert_eq!(
            response(&input, b"Circle of Life", b"").as_str(),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
        );
        input.algorithm = Algorithm::Md5;
        assert_eq!(
            response(&input, b"Circle of Life", b"").as_str(),
            "8ca523f5e9506fed4657c9700eebdbec"
        );
    }

    #[test]
    fn verify_roundtrip_all_modes() {
        for alg in [
            Algorithm::Md5,
            Algorithm::Md5Sess,
            Algorithm::Sha256,
            Algorithm::Sha256Sess,
        ] {
            for qop in [None, Some(Qop::Auth), Some(Qop::AuthInt)] {
                let input = DigestInput {
                    algorithm: alg,
                    username: "bob",
                    realm: "biloxi.com",
                    nonce: "n1",
                    uri: "sip:bob@biloxi.com",
                    method: "REGISTER",
                    qop,
                    nc: "00000001",
                    cnonce: "c1",
                };
                let r = response(&input, b"zanzibar", b"body");
                let qop_s = qop
                    .map(|q| std::format!(", qop={}, nc=00000001", q.as_str()))
                    .unwrap_or_default();
                let hdr = std::format!(
                    "Digest username=\"bob\", realm=\"biloxi.com\", nonce=\"n1\", uri=\"sip:bob@biloxi.com\", response=\"{}\", algorithm={}, cnonce=\"c1\"{qop_s}",
                    r.as_str().to_uppercase(),
                    alg.as_str()
                );
                let a = Authorization::parse(&hdr).unwrap();
                let c = Challenged {
                    realm: "biloxi.com",
                    nonce: NonceCheck::Exact("n1"),
                    algorithm: alg,
                    qop,
                    method: "REGISTER",
                    request_uri: "sip:bob@biloxi.com",
                };
                assert_eq!(verify(&a, &c, b"zanzibar", b"body"), Ok(()), "{hdr}");
                assert_eq!(
                    verify(&a, &c, b"wrong", b"body"),
                    Err(DigestError::Mismatch)
                );
                if qop == Some(Qop::AuthInt) {
                    assert_eq!(
                        verify(&a, &c, b"zanzibar", b"other"),
                        Err(DigestError::Mismatch)
                    );
                }
                // Every other part of the challenge is checked too (hardening review, defect 8).
                let wrong = [
                    (
                        Challenged {
                            realm: "evil.com",
                            ..c
                        },
                        DigestError::Realm,
                    ),
                    (
                        Challenged {
                            nonce: NonceCheck::Exact("n2"),
                            ..c
                        },
                        DigestError::UnknownNonce,
                    ),
                    (
                        Challenged {
                            request_uri: "sip:alice@biloxi.com",
                            ..c
                        },
                        DigestError::Uri,
                    ),
                    // The method is hashed into the response: another method cannot match.
                    (
                        Challenged {
                            method: "INVITE",
                            ..c
                        },
                        DigestError::Mismatch,
                    ),
                ];
                for (c, e) in wrong {
                    assert_eq!(verify(&a, &c, b"zanzibar", b"body"), Err(e));
                }
                let other_alg = if alg == Algorithm::Md5 {
                    Algorithm::Sha256
                } else {
                    Algorithm::Md5
                };
                assert_eq!(
                    verify(
                        &a,
                        &Challenged {
                            algorithm: other_alg,
                            ..c
                        },
                        b"zanzibar",
                        b"body"
                    ),
                    Err(DigestError::AlgorithmMismatch)
                );
                if qop.is_none() {
                    // The challenge asked for qop=auth, the response has none: a downgrade.
                    assert_eq!(
                        verify(
                            &a,
                            &Challenged {
                                qop: Some(Qop::Auth),
                                ..c
                            },
                            b"zanzibar",
                            b"body"
                        ),
                        Err(DigestError::QopMismatch)
                    );
                }
            }
        }
    }
}
