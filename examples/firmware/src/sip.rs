//! SIP registration (RFC 3261 §10, §22) on caller buffers: the safe core behind the `rtcweb_sip_*`
//! functions.
//!
//! `rtcweb-sip-core`'s builder needs `alloc`, so requests are formatted here with
//! [`core::fmt::Write`] straight into the caller's buffer, then parsed back with sip-core's
//! parser: inputs that would make an ill-formed message are refused rather than sent. Responses
//! are read with sip-core's zero-copy parser over a header index on the stack, and the digest
//! `response` comes from sip-core's [`auth::digest`](rtcweb_sip_core::auth::digest).

use core::fmt::{self, Write};

use rtcweb_sip_core::auth::digest::{ha1, response_from_ha1, Algorithm, DigestInput, Qop};
use rtcweb_sip_core::header::{
    AuthParams, CSeq, CallId, Contact, Expires, FromHeader, MinExpires, ProxyAuthenticate,
    ToHeader, Via, WwwAuthenticate,
};
use rtcweb_sip_core::message::{Header, Message, Method};
use rtcweb_sip_core::uri::Uri;

use crate::errors::{
    RTCWEB_ERR_ARGUMENT, RTCWEB_ERR_BUFFER_TOO_SMALL, RTCWEB_ERR_MALFORMED,
    RTCWEB_ERR_NO_CHALLENGE, RTCWEB_ERR_TRANSACTION, RTCWEB_ERR_UNSUPPORTED,
};

/// Header fields indexed per parsed message (`RTCWEB_SIP_MAX_HEADERS`); a message with more is
/// refused as malformed. About 64 bytes of stack each.
pub const MAX_HEADERS: usize = 32;
/// `out_expires` when the message says nothing about expiry (`RTCWEB_SIP_EXPIRES_NONE`).
pub const EXPIRES_NONE: u32 = u32::MAX;

/// What a REGISTER carries (`rtcweb_sip_register_t`); every text is validated before use.
#[derive(Debug, Clone, Copy)]
pub struct Register<'a> {
    /// Request-URI (the registrar's domain, `sip:example.com`); `None`: the AOR without its user.
    pub registrar: Option<&'a str>,
    /// Address of record, for From and To: `sip:1001@example.com`.
    pub aor: &'a str,
    /// The binding: `sip:1001@192.0.2.10:5060`.
    pub contact: &'a str,
    /// Via sent-protocol and sent-by: `SIP/2.0/UDP 192.0.2.10:5060`.
    pub via: &'a str,
    /// Via branch, starting `z9hG4bK`, new for each request (§8.1.1.7).
    pub branch: &'a str,
    /// From tag, the same for every REGISTER of this registration.
    pub from_tag: &'a str,
    /// Call-ID, the same for every REGISTER to this registrar (§10.2).
    pub call_id: &'a str,
    /// CSeq number, one more for each REGISTER (§10.2), below 2^31.
    pub cseq: u32,
    /// Requested binding lifetime in seconds (0 removes the binding).
    pub expires: u32,
    /// Optional User-Agent text.
    pub user_agent: Option<&'a str>,
}

/// The client's side of a digest challenge.
#[derive(Debug, Clone, Copy)]
pub struct Credentials<'a> {
    /// Digest username.
    pub username: &'a str,
    /// Password.
    pub password: &'a [u8],
    /// Client nonce, from the caller's random source (RFC 7616 §3.4).
    pub cnonce: &'a str,
    /// Nonce count: 1 for the first request with this nonce, then one more each time.
    pub nc: u32,
}

/// What [`parse`] reads from a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Status code; 0 for a request.
    pub status: u16,
    /// CSeq number.
    pub cseq: u32,
    /// Binding lifetime (see [`parse`]), or [`EXPIRES_NONE`].
    pub expires: u32,
}

/// Text for a header value: not empty, no control characters (no CR/LF injection).
fn text(s: &str) -> Result<&str, i32> {
    if s.is_empty() || s.bytes().any(|b| b < b' ' || b == 0x7f) {
        return Err(RTCWEB_ERR_ARGUMENT);
    }
    Ok(s)
}

/// A token-like value (Call-ID, tag, branch, cnonce): visible ASCII without separators that would
/// end a parameter or a quoted string.
fn word(s: &str) -> Result<&str, i32> {
    let ok = !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_graphic() && !matches!(b, b';' | b',' | b'<' | b'>' | b'"' | b'\\' | b'=')
        });
    ok.then_some(s).ok_or(RTCWEB_ERR_ARGUMENT)
}

/// A SIP or SIPS URI, as sip-core parses it.
fn sip_uri(s: &str) -> Result<&str, i32> {
    match Uri::parse(text(s)?) {
        Ok(Uri::Sip(_)) => Ok(s),
        _ => Err(RTCWEB_ERR_ARGUMENT),
    }
}

/// The registrar URI of an AOR: its scheme and host part (`sip:1001@example.com;x` →
/// `sip:example.com`), as a prefix and suffix of the AOR's own text.
fn registrar_of(aor: &str) -> Result<(&str, &str), i32> {
    let (scheme, rest) = aor.split_once(':').ok_or(RTCWEB_ERR_ARGUMENT)?;
    let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    let end = host.find([';', '?']).unwrap_or(host.len());
    Ok((scheme, host.get(..end).unwrap_or_default()))
}

/// `fmt::Write` into a byte slice; remembers running out of room.
struct Cursor<'a> {
    buf: &'a mut [u8],
    len: usize,
    full: bool,
}

impl Write for Cursor<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        match self.buf.get_mut(self.len..end) {
            Some(dst) => {
                dst.copy_from_slice(s.as_bytes());
                self.len = end;
                Ok(())
            }
            None => {
                self.full = true;
                Err(fmt::Error)
            }
        }
    }
}

/// The credentials line answering one challenge.
struct Answer<'a> {
    header: &'static str,
    username: &'a str,
    realm: &'a str,
    nonce: &'a str,
    uri: &'a str,
    response: &'a str,
    algorithm: Algorithm,
    qop: Option<Qop>,
    nc: u32,
    cnonce: &'a str,
    opaque: Option<&'a str>,
}

impl fmt::Display for Answer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: Digest username=\"{}\", realm=\"{}\", nonce=\"{}\", uri=\"{}\", response=\"{}\", algorithm={}",
            self.header,
            self.username,
            self.realm,
            self.nonce,
            self.uri,
            self.response,
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
        f.write_str("\r\n")
    }
}

/// Writes the REGISTER (with `answer`'s credentials line when given) and returns its length.
fn write(buf: &mut [u8], r: &Register<'_>, answer: Option<&Answer<'_>>) -> Result<usize, i32> {
    let mut w = Cursor {
        buf,
        len: 0,
        full: false,
    };
    let result = (|| -> fmt::Result {
        match r.registrar {
            Some(uri) => write!(w, "REGISTER {uri} SIP/2.0\r\n")?,
            None => {
                let (scheme, host) = registrar_of(r.aor).map_err(|_| fmt::Error)?;
                write!(w, "REGISTER {scheme}:{host} SIP/2.0\r\n")?;
            }
        }
        write!(w, "Via: {};branch={};rport\r\n", r.via, r.branch)?;
        w.write_str("Max-Forwards: 70\r\n")?;
        write!(w, "From: <{}>;tag={}\r\n", r.aor, r.from_tag)?;
        write!(w, "To: <{}>\r\n", r.aor)?;
        write!(w, "Call-ID: {}\r\n", r.call_id)?;
        write!(w, "CSeq: {} REGISTER\r\n", r.cseq)?;
        write!(w, "Contact: <{}>\r\n", r.contact)?;
        write!(w, "Expires: {}\r\n", r.expires)?;
        if let Some(a) = answer {
            write!(w, "{a}")?;
        }
        if let Some(ua) = r.user_agent {
            write!(w, "User-Agent: {ua}\r\n")?;
        }
        w.write_str("Content-Length: 0\r\n\r\n")
    })();
    match result {
        Ok(()) => Ok(w.len),
        Err(_) if w.full => Err(RTCWEB_ERR_BUFFER_TOO_SMALL),
        Err(_) => Err(RTCWEB_ERR_ARGUMENT),
    }
}

/// Checks every text of `r` (and of the credentials) before anything is written.
fn validate(r: &Register<'_>) -> Result<(), i32> {
    if let Some(uri) = r.registrar {
        sip_uri(uri)?;
    }
    sip_uri(r.aor)?;
    let (_, host) = registrar_of(r.aor)?;
    text(host)?;
    sip_uri(r.contact)?;
    text(r.via)?;
    if !r.branch.starts_with("z9hG4bK") {
        return Err(RTCWEB_ERR_ARGUMENT);
    }
    word(r.branch)?;
    word(r.from_tag)?;
    word(r.call_id)?;
    if r.cseq >= 1 << 31 {
        return Err(RTCWEB_ERR_ARGUMENT);
    }
    if let Some(ua) = r.user_agent {
        text(ua)?;
    }
    Ok(())
}

/// Parses what [`write`] produced: a REGISTER whose Via, From, To, Call-ID, CSeq and Contact all
/// parse. A separate frame (not inlined) so its header index does not add to the challenge's.
#[inline(never)]
fn check_written(msg: &[u8]) -> Result<(), i32> {
    let mut storage = [Header::EMPTY; MAX_HEADERS];
    let m = Message::parse(msg, &mut storage).map_err(|_| RTCWEB_ERR_ARGUMENT)?;
    let ok = m.method() == Some(Method::Register)
        && matches!(m.typed::<Via>(), Ok(Some(_)))
        && matches!(m.typed::<FromHeader>(), Ok(Some(_)))
        && matches!(m.typed::<ToHeader>(), Ok(Some(_)))
        && matches!(m.typed::<CallId>(), Ok(Some(_)))
        && matches!(m.typed::<CSeq>(), Ok(Some(c)) if c.method == Method::Register)
        && matches!(m.typed::<Contact>(), Ok(Some(_)));
    ok.then_some(()).ok_or(RTCWEB_ERR_ARGUMENT)
}

/// Writes a REGISTER for `r` into `buf`; returns its length.
pub fn register(buf: &mut [u8], r: &Register<'_>) -> Result<usize, i32> {
    validate(r)?;
    let n = write(buf, r, None)?;
    check_written(buf.get(..n).unwrap_or_default())?;
    Ok(n)
}

/// The first Digest challenge of `challenges` this build can answer, with the qop to use
/// (`auth` preferred, then `auth-int` over the empty body).
fn pick<'a>(
    challenges: impl Iterator<Item = Option<AuthParams<'a>>>,
) -> Result<(AuthParams<'a>, Algorithm, Option<Qop>), i32> {
    let mut seen_digest = false;
    for c in challenges.flatten().filter(AuthParams::is_digest) {
        seen_digest = true;
        let algorithm = match c.get("algorithm") {
            None => Algorithm::Md5,
            Some(a) => match Algorithm::parse(a) {
                Some(a) => a,
                None => continue,
            },
        };
        let qop = match c.get("qop") {
            None => None,
            Some(list) => {
                let mut opts = list.split(',').map(str::trim);
                if opts.clone().any(|q| q.eq_ignore_ascii_case("auth")) {
                    Some(Qop::Auth)
                } else if opts.any(|q| q.eq_ignore_ascii_case("auth-int")) {
                    Some(Qop::AuthInt)
                } else {
                    continue;
                }
            }
        };
        if c.get("realm").is_none() || c.get("nonce").is_none() {
            continue;
        }
        return Ok((c, algorithm, qop));
    }
    Err(if seen_digest {
        RTCWEB_ERR_UNSUPPORTED
    } else {
        RTCWEB_ERR_NO_CHALLENGE
    })
}

/// Answers the 401 (WWW-Authenticate) or 407 (Proxy-Authenticate) `challenge` to an earlier
/// REGISTER of `r` (same Call-ID): writes the REGISTER again with the Authorization (or
/// Proxy-Authorization) line. `r.cseq` should be one more than the challenged request's.
#[inline(never)]
fn write_with_auth(
    buf: &mut [u8],
    r: &Register<'_>,
    challenge: &[u8],
    creds: &Credentials<'_>,
) -> Result<usize, i32> {
    let mut storage = [Header::EMPTY; MAX_HEADERS];
    let m = Message::parse(challenge, &mut storage).map_err(|_| RTCWEB_ERR_MALFORMED)?;
    let same_call = matches!(m.typed::<CallId>(), Ok(Some(c)) if c.0 == r.call_id);
    let register = matches!(m.typed::<CSeq>(), Ok(Some(c)) if c.method == Method::Register);
    let header = match m.status() {
        Some(401) => "Authorization",
        Some(407) => "Proxy-Authorization",
        _ => return Err(RTCWEB_ERR_NO_CHALLENGE),
    };
    if !same_call || !register {
        return Err(RTCWEB_ERR_TRANSACTION);
    }
    let (c, algorithm, qop) = if header == "Authorization" {
        pick(
            m.typed_all::<WwwAuthenticate>()
                .map(|c| c.ok().map(|c| c.0)),
        )?
    } else {
        pick(
            m.typed_all::<ProxyAuthenticate>()
                .map(|c| c.ok().map(|c| c.0)),
        )?
    };
    let realm = c.get("realm").unwrap_or_default();
    let nonce = c.get("nonce").unwrap_or_default();
    let opaque = c.get("opaque");
    // The server's values are hashed and written back between quotes as they came: refuse
    // quoted-pairs (whose hashing would need unescaping) rather than answer wrongly.
    for v in [realm, nonce, opaque.unwrap_or_default()] {
        if v.bytes().any(|b| b < b' ' || b == b'"' || b == b'\\') {
            return Err(RTCWEB_ERR_UNSUPPORTED);
        }
    }
    let (scheme, host) = registrar_of(r.aor)?;
    let mut uri_buf = [0u8; 256];
    let uri = match r.registrar {
        Some(u) => u,
        None => {
            let mut w = Cursor {
                buf: &mut uri_buf,
                len: 0,
                full: false,
            };
            write!(w, "{scheme}:{host}").map_err(|_| RTCWEB_ERR_ARGUMENT)?;
            let n = w.len;
            core::str::from_utf8(uri_buf.get(..n).unwrap_or_default())
                .map_err(|_| RTCWEB_ERR_ARGUMENT)?
        }
    };
    let mut nc_buf = [0u8; 8];
    let nc = {
        let mut w = Cursor {
            buf: &mut nc_buf,
            len: 0,
            full: false,
        };
        write!(w, "{:08x}", creds.nc).map_err(|_| RTCWEB_ERR_ARGUMENT)?;
        core::str::from_utf8(&nc_buf).map_err(|_| RTCWEB_ERR_ARGUMENT)?
    };
    let input = DigestInput {
        algorithm,
        username: creds.username,
        realm,
        nonce,
        uri,
        method: "REGISTER",
        qop,
        nc,
        cnonce: creds.cnonce,
    };
    let h1 = ha1(algorithm, creds.username, realm, creds.password);
    let response = response_from_ha1(&input, h1.as_str(), b"");
    let answer = Answer {
        header,
        username: creds.username,
        realm,
        nonce,
        uri,
        response: response.as_str(),
        algorithm,
        qop,
        nc: creds.nc,
        cnonce: creds.cnonce,
        opaque,
    };
    write(buf, r, Some(&answer))
}

/// Writes a REGISTER for `r` answering the 401/407 `challenge` with `creds`; returns its length.
pub fn register_with_auth(
    buf: &mut [u8],
    r: &Register<'_>,
    challenge: &[u8],
    creds: &Credentials<'_>,
) -> Result<usize, i32> {
    validate(r)?;
    let username = text(creds.username)?;
    if username.contains(['"', '\\']) {
        return Err(RTCWEB_ERR_ARGUMENT);
    }
    word(creds.cnonce)?;
    let n = write_with_auth(buf, r, challenge, creds)?;
    check_written(buf.get(..n).unwrap_or_default())?;
    Ok(n)
}

/// Whether two URIs are the same binding: §19.1.4 equivalence, or equal text when either does not
/// parse.
fn same_uri(a: &str, b: &str) -> bool {
    match (Uri::parse(a), Uri::parse(b)) {
        (Ok(x), Ok(y)) => x.equivalent(&y),
        _ => a.eq_ignore_ascii_case(b),
    }
}

/// Reads a SIP message about a registration: status (0 for a request), CSeq number (the method
/// must be REGISTER), and the binding lifetime:
/// - 2xx: the `expires` parameter of the Contact whose URI is `contact` (any Contact when `None`),
///   else the Expires header (§10.2.4); 0 when `contact` is given but not listed (no binding);
/// - 423 Interval Too Brief: Min-Expires (§10.3), the least the registrar accepts;
/// - a REGISTER request: its Contact `expires`, else its Expires header;
/// - otherwise, or when absent: the Expires header or [`EXPIRES_NONE`].
///
/// With `call_id`, a different Call-ID is [`RTCWEB_ERR_TRANSACTION`].
pub fn parse(msg: &[u8], call_id: Option<&str>, contact: Option<&str>) -> Result<Summary, i32> {
    let mut storage = [Header::EMPTY; MAX_HEADERS];
    let m = Message::parse(msg, &mut storage).map_err(|_| RTCWEB_ERR_MALFORMED)?;
    let cseq = match m.typed::<CSeq>() {
        Ok(Some(c)) => c,
        _ => return Err(RTCWEB_ERR_MALFORMED),
    };
    if cseq.method != Method::Register || m.method().is_some_and(|x| x != Method::Register) {
        return Err(RTCWEB_ERR_TRANSACTION);
    }
    if let Some(id) = call_id {
        match m.typed::<CallId>() {
            Ok(Some(c)) if c.0 == id => {}
            Ok(Some(_)) => return Err(RTCWEB_ERR_TRANSACTION),
            _ => return Err(RTCWEB_ERR_MALFORMED),
        }
    }
    let status = m.status().unwrap_or(0);
    let header_expires = match m.typed::<Expires>() {
        Ok(None) => EXPIRES_NONE,
        Ok(Some(e)) => e.0,
        Err(_) => return Err(RTCWEB_ERR_MALFORMED),
    };
    let expires = match status {
        0 | 200..=299 => {
            let mut found = None;
            for c in m.typed_all::<Contact>() {
                let c = c.map_err(|_| RTCWEB_ERR_MALFORMED)?;
                let matches = match (contact, c.addr()) {
                    (None, _) => true,
                    (Some(ours), Some(a)) => same_uri(ours, a.uri),
                    (Some(_), None) => false,
                };
                if matches {
                    found = Some(c.expires().unwrap_or(header_expires));
                    break;
                }
            }
            match (found, contact) {
                (Some(e), _) => e,
                (None, Some(_)) if status != 0 => 0,
                (None, _) => header_expires,
            }
        }
        423 => match m.typed::<MinExpires>() {
            Ok(Some(e)) => e.0,
            Err(_) => return Err(RTCWEB_ERR_MALFORMED),
            Ok(None) => header_expires,
        },
        _ => header_expires,
    };
    Ok(Summary {
        status,
        cseq: cseq.seq,
        expires,
    })
}
