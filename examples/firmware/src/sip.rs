//! SIP registration (RFC 3261 §10, §22) on caller buffers: the safe core behind the `rtcweb_sip_*`
//! functions.
//!
//! Requests are written by sip-core's allocation-free
//! [`MessageWriter`] straight into the caller's buffer, then parsed back with sip-core's
//! parser: inputs that would make an ill-formed message are refused rather than sent. Responses
//! are read with sip-core's zero-copy parser over a header index on the stack; the challenge to
//! answer and the credentials line come from sip-core's digest client
//! ([`auth::client`](rtcweb_sip_core::auth::client)), the one the `alloc` registration uses.
//! What stays here is what C callers need: argument validation and the error codes.

use rtcweb_sip_core::auth::client::{challenge_in, DigestAnswer};
use rtcweb_sip_core::header::{
    AuthParams, CSeq, CallId, Contact, Expires, FromHeader, MinExpires, ProxyAuthenticate,
    ToHeader, Via, WwwAuthenticate,
};
use rtcweb_sip_core::message::writer::MessageWriter;
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

/// Room for the Request-URI (and digest-uri) formatted from the AOR.
const URI_MAX: usize = 256;

/// The Request-URI of `r`: `r.registrar`, or the AOR's scheme and host written into `room`.
fn request_uri<'b>(r: &Register<'b>, room: &'b mut [u8; URI_MAX]) -> Result<&'b str, i32> {
    if let Some(uri) = r.registrar {
        return Ok(uri);
    }
    let (scheme, host) = registrar_of(r.aor)?;
    let n = scheme.len().saturating_add(1).saturating_add(host.len());
    let dst = room.get_mut(..n).ok_or(RTCWEB_ERR_ARGUMENT)?;
    let (a, rest) = dst.split_at_mut(scheme.len());
    a.copy_from_slice(scheme.as_bytes());
    let (colon, b) = rest.split_at_mut(1);
    colon.copy_from_slice(b":");
    b.copy_from_slice(host.as_bytes());
    core::str::from_utf8(dst).map_err(|_| RTCWEB_ERR_ARGUMENT)
}

/// Writes the REGISTER (with the `(header, answer)` credentials line when given) and returns
/// its length.
fn write(
    buf: &mut [u8],
    r: &Register<'_>,
    uri: &str,
    answer: Option<(&str, &DigestAnswer<'_>)>,
) -> Result<usize, i32> {
    let mut w = MessageWriter::request(buf, Method::Register, uri);
    w.header_fmt("Via", format_args!("{};branch={};rport", r.via, r.branch))
        .header("Max-Forwards", "70")
        .header_fmt("From", format_args!("<{}>;tag={}", r.aor, r.from_tag))
        .header_fmt("To", format_args!("<{}>", r.aor))
        .header("Call-ID", r.call_id)
        .header_fmt("CSeq", format_args!("{} REGISTER", r.cseq))
        .header_fmt("Contact", format_args!("<{}>", r.contact))
        .header_fmt("Expires", format_args!("{}", r.expires));
    if let Some((name, a)) = answer {
        w.header_fmt(name, format_args!("{a}"));
    }
    if let Some(ua) = r.user_agent {
        w.header("User-Agent", ua);
    }
    w.finish(b"").map_err(|_| RTCWEB_ERR_BUFFER_TOO_SMALL)
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
    let mut room = [0u8; URI_MAX];
    let uri = request_uri(r, &mut room)?;
    let n = write(buf, r, uri, None)?;
    check_written(buf.get(..n).unwrap_or_default())?;
    Ok(n)
}

/// Whether any of `challenges` is a Digest challenge at all (to tell "nothing to answer" from
/// "a Digest challenge this build cannot answer").
fn any_digest<'a>(challenges: impl Iterator<Item = Option<AuthParams<'a>>>) -> bool {
    challenges.flatten().any(|c| c.is_digest())
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
    let digest_offered = match m.status() {
        Some(401) => any_digest(
            m.typed_all::<WwwAuthenticate>()
                .map(|c| c.ok().map(|c| c.0)),
        ),
        Some(407) => any_digest(
            m.typed_all::<ProxyAuthenticate>()
                .map(|c| c.ok().map(|c| c.0)),
        ),
        _ => return Err(RTCWEB_ERR_NO_CHALLENGE),
    };
    if !same_call || !register {
        return Err(RTCWEB_ERR_TRANSACTION);
    }
    let unanswerable = if digest_offered {
        RTCWEB_ERR_UNSUPPORTED
    } else {
        RTCWEB_ERR_NO_CHALLENGE
    };
    let (c, header) = challenge_in(&m).ok_or(unanswerable)?;
    let mut room = [0u8; URI_MAX];
    let uri = request_uri(r, &mut room)?;
    let answer = DigestAnswer::new(
        &c,
        creds.username,
        creds.password,
        "REGISTER",
        uri,
        b"",
        creds.cnonce,
        creds.nc,
    )
    .ok_or(RTCWEB_ERR_UNSUPPORTED)?;
    write(buf, r, uri, Some((header, &answer)))
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
