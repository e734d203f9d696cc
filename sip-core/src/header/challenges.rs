//! Challenge lists (RFC 7235 §2.1, §4.1; RFC 8760 §2.4): one `WWW-Authenticate` or
//! `Proxy-Authenticate` value may hold several challenges,
//! `Digest realm="a", nonce="x", algorithm=SHA-256, Digest realm="a", nonce="x", algorithm=MD5`.
//!
//! The value is a comma-separated list whose elements are either an `auth-param`
//! (`token BWS "=" BWS (token / quoted-string)`) continuing the current challenge, or an
//! `auth-scheme` optionally followed by whitespace and its first auth-param (or a `token68`),
//! starting a new one. So a comma splits challenges only when a new scheme token follows it;
//! commas between auth-params and inside quoted strings (with `\` escapes) do not.

use super::auth::AuthParams;
use super::error::{HeaderErrorKind, ParseResult};
use super::quoted::quoted_len;
use crate::message::grammar::{is_lws, is_token_byte, trim_lws};

/// Comma-separated elements of an auth header value, split outside quoted strings (`\` escapes
/// honoured), LWS-trimmed, empty ones skipped (RFC 7230 §7), each with its offset in the value.
#[derive(Debug, Clone)]
pub(crate) struct Elements<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Elements<'a> {
    pub(crate) const fn new(text: &'a str) -> Self {
        Self { text, pos: 0 }
    }
}

impl<'a> Iterator for Elements<'a> {
    type Item = (&'a str, usize);

    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.text.as_bytes();
        while self.pos < bytes.len() {
            let start = self.pos;
            let (mut i, mut quoted) = (start, false);
            while let Some(&b) = bytes.get(i) {
                match b {
                    b'\\' if quoted => i += 1,
                    b'"' => quoted = !quoted,
                    b',' if !quoted => break,
                    _ => {}
                }
                i += 1;
            }
            // A trailing `\` inside a quote may step one past the end.
            let end = i.min(bytes.len());
            self.pos = end + 1;
            let raw = self.text.get(start..end).unwrap_or_default();
            let lead = raw.len() - trim_start_lws(raw).len();
            let t = trim_lws(raw);
            if !t.is_empty() {
                return Some((t, start + lead));
            }
        }
        None
    }
}

fn trim_start_lws(s: &str) -> &str {
    s.trim_start_matches(|c: char| c.is_ascii() && is_lws(c as u8))
}

fn is_digest(scheme: &str) -> bool {
    scheme.eq_ignore_ascii_case("Digest")
}

fn token_len(s: &str) -> usize {
    s.bytes().take_while(|&b| is_token_byte(b)).count()
}

/// `token68` (RFC 7235 §2.1): `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn is_token68(s: &str) -> bool {
    let body = s.trim_end_matches('=');
    !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
}

/// What one list element is: the start of a challenge (`auth-scheme [ 1*SP ( token68 /
/// auth-param ) ]`) or not (an `auth-param`, or junk), and the first rule it breaks, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Element {
    /// Length of the scheme token when the element starts a challenge.
    scheme_len: Option<usize>,
    /// The rule broken and its offset inside the element.
    error: Option<(HeaderErrorKind, usize)>,
}

/// Checks `name BWS "=" BWS value` where `after_name` starts at the `=` (after BWS) and sits at
/// `at` in the element. The value is a quoted string or a run without quotes and LWS; an empty
/// value is tolerated (`opaque=` is seen in the wild).
fn check_param_value(after_name: &str, at: usize) -> ParseResult<()> {
    let raw = after_name.get(1..).unwrap_or_default();
    let v = trim_lws(raw);
    let v_at = at + 1 + (raw.len() - trim_start_lws(raw).len());
    if v.starts_with('"') {
        return match quoted_len(v) {
            None => Err((HeaderErrorKind::Quote, v_at)),
            Some(n) if n == v.len() => Ok(()),
            Some(n) => Err((HeaderErrorKind::AuthParam, v_at + n)),
        };
    }
    match v.bytes().position(|b| b == b'"' || is_lws(b)) {
        Some(i) => Err((HeaderErrorKind::AuthParam, v_at + i)),
        None => Ok(()),
    }
}

/// Whether `s` (at `at` in the element) is an auth-param: `Some(Ok)` if well formed, `Some(Err)`
/// if it has the `token BWS "="` start but a bad value, `None` if it is not one at all.
fn auth_param(s: &str, at: usize) -> Option<ParseResult<()>> {
    let n = token_len(s);
    let after = trim_start_lws(s.get(n..).unwrap_or_default());
    (n > 0 && after.starts_with('=')).then(|| check_param_value(after, at + s.len() - after.len()))
}

/// Classifies one (trimmed, non-empty) element.
fn classify(e: &str) -> Element {
    let start = |scheme_len, r: ParseResult<()>| Element {
        scheme_len: Some(scheme_len),
        error: r.err(),
    };
    let other = |r: ParseResult<()>| Element {
        scheme_len: None,
        error: r.err(),
    };
    if let Some(r) = auth_param(e, 0) {
        return other(r);
    }
    let scheme_len = token_len(e);
    if scheme_len == 0 {
        return other(Err((HeaderErrorKind::Token, 0)));
    }
    let rest = e.get(scheme_len..).unwrap_or_default();
    let first = trim_start_lws(rest);
    if first.is_empty() {
        return start(scheme_len, Ok(()));
    }
    if first.len() == rest.len() {
        // A token running into a non-token character: neither a scheme nor a parameter.
        return other(Err((HeaderErrorKind::Token, scheme_len)));
    }
    let first_at = e.len() - first.len();
    match auth_param(first, first_at) {
        Some(r) => start(scheme_len, r),
        // Digest takes auth-params only (RFC 7616 §3.3), so `Digest username` is malformed.
        None if is_token68(first) && !e.get(..scheme_len).is_some_and(is_digest) => {
            start(scheme_len, Ok(()))
        }
        None => start(scheme_len, Err((HeaderErrorKind::AuthParam, first_at))),
    }
}

/// Byte ranges of one challenge inside the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: usize,
    scheme_end: usize,
    params_start: usize,
    end: usize,
}

impl Span {
    fn new(e: &str, at: usize, scheme_len: usize) -> Self {
        let rest = e.get(scheme_len..).unwrap_or_default();
        Self {
            start: at,
            scheme_end: at + scheme_len,
            params_start: at + e.len() - trim_start_lws(rest).len(),
            end: at + e.len(),
        }
    }
}

type Pending<'a> = (usize, usize, &'a str, Option<(HeaderErrorKind, usize)>);

/// Iterator over the challenges of one `WWW-Authenticate` / `Proxy-Authenticate` value
/// (RFC 7235 §4.1), borrowing it; made by [`challenges`]. Allocates nothing.
///
/// A malformed challenge yields one `Err` (the first rule broken and its byte offset in the
/// value) and the iterator resumes at the next element that starts a challenge, so a bad
/// `Bearer` challenge does not hide a good `Digest` one. Auth-params before the first scheme
/// yield [`HeaderErrorKind::MissingAuthScheme`]; a value without any challenge (empty, or only
/// commas) yields one [`HeaderErrorKind::Empty`].
#[derive(Debug, Clone)]
pub struct Challenges<'a> {
    value: &'a str,
    elements: Elements<'a>,
    /// An element that starts the next challenge, already read: its offset, scheme length,
    /// text and the rule it breaks (offset in the value).
    pending: Option<Pending<'a>>,
    /// Whether anything was yielded yet (a value without any challenge is one `Empty` error).
    started: bool,
}

/// The challenges of a `WWW-Authenticate` or `Proxy-Authenticate` value (RFC 7235 §4.1).
///
/// ```
/// use rtcweb_sip_core::header::challenges;
/// let v = r#"Digest realm="a", nonce="x,y", algorithm=SHA-256, Basic realm="a", Digest realm="a", nonce="x,y""#;
/// let schemes: Vec<_> = challenges(v).map(|c| c.unwrap().scheme).collect();
/// assert_eq!(schemes, ["Digest", "Basic", "Digest"]);
/// let first = challenges(v).next().unwrap().unwrap();
/// assert_eq!(first.get("nonce"), Some("x,y"));
/// assert_eq!(first.get("algorithm"), Some("SHA-256"));
/// ```
#[must_use]
pub const fn challenges(value: &str) -> Challenges<'_> {
    Challenges {
        value,
        elements: Elements::new(value),
        pending: None,
        started: false,
    }
}

impl<'a> Challenges<'a> {
    fn next_span(&mut self) -> Option<ParseResult<Span>> {
        let mut cur = None;
        let mut error = None;
        if let Some((at, scheme_len, e, err)) = self.pending.take() {
            cur = Some(Span::new(e, at, scheme_len));
            error = err;
        }
        for (e, at) in self.elements.by_ref() {
            let el = classify(e);
            let err = el.error.map(|(kind, off)| (kind, at + off));
            match el.scheme_len {
                Some(scheme_len) if cur.is_some() || error.is_some() => {
                    self.pending = Some((at, scheme_len, e, err));
                    break;
                }
                Some(scheme_len) => {
                    cur = Some(Span::new(e, at, scheme_len));
                    error = err;
                }
                None => match (err, cur.as_mut()) {
                    (Some(err), _) => {
                        error.get_or_insert(err);
                    }
                    (None, Some(span)) => span.end = at + e.len(),
                    (None, None) => {
                        error.get_or_insert((HeaderErrorKind::MissingAuthScheme, at));
                    }
                },
            }
        }
        let started = core::mem::replace(&mut self.started, true);
        match (error, cur) {
            (Some(e), _) => Some(Err(e)),
            (None, Some(span)) => Some(Ok(span)),
            // `1#challenge` (RFC 7235 §4.1): at least one.
            (None, None) if !started => Some(Err((HeaderErrorKind::Empty, 0))),
            (None, None) => None,
        }
    }

    /// The next challenge as its whole text (scheme and parameters) and its offset in the value.
    pub(crate) fn next_slice(&mut self) -> Option<ParseResult<(&'a str, usize)>> {
        Some(
            self.next_span()?
                .map(|s| (self.value.get(s.start..s.end).unwrap_or_default(), s.start)),
        )
    }
}

impl<'a> Iterator for Challenges<'a> {
    type Item = ParseResult<AuthParams<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(self.next_span()?.map(|s| AuthParams {
            scheme: self.value.get(s.start..s.scheme_end).unwrap_or_default(),
            params: self.value.get(s.params_start..s.end).unwrap_or_default(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    type Split<'a> = ParseResult<(&'a str, &'a str)>;

    /// (scheme, params) of each challenge, or the error.
    fn schemes(v: &str) -> Vec<Split<'_>> {
        challenges(v)
            .map(|r| r.map(|a| (a.scheme, a.params)))
            .collect()
    }

    #[test]
    fn one_line_two_algorithms() {
        let v = "Digest realm=\"a\", nonce=\"x\", algorithm=SHA-256, qop=\"auth\", Digest realm=\"a\", nonce=\"x\", algorithm=MD5, qop=\"auth\"";
        let all: Vec<_> = challenges(v).map(Result::unwrap).collect();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].get("algorithm"), Some("SHA-256"));
        assert_eq!(all[1].get("algorithm"), Some("MD5"));
        assert_eq!(
            all[0].params,
            "realm=\"a\", nonce=\"x\", algorithm=SHA-256, qop=\"auth\""
        );
        assert_eq!(all[1].iter().count(), 4);
        let mut it = challenges(v);
        assert_eq!(it.next_slice(), Some(Ok((v.get(..58).unwrap(), 0))));
        assert_eq!(it.next_slice(), Some(Ok((v.get(60..).unwrap(), 60))));
        assert_eq!(it.next_slice(), None);
    }

    #[test]
    fn quoted_commas_and_escaped_quotes_do_not_split() {
        let v = r#"Digest realm="a, Basic b=c", nonce="x\", Digest y=\"z", qop="auth,auth-int""#;
        let all: Vec<_> = challenges(v).map(Result::unwrap).collect();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].get("realm"), Some("a, Basic b=c"));
        assert_eq!(all[0].get("nonce"), Some(r#"x\", Digest y=\"z"#));
        assert_eq!(all[0].get("qop"), Some("auth,auth-int"));
        // An escaped backslash before the closing quote ends the string.
        let v = r#"Digest realm="a\\", Basic realm="b""#;
        assert_eq!(
            schemes(v),
            [
                Ok(("Digest", r#"realm="a\\""#)),
                Ok(("Basic", r#"realm="b""#))
            ]
        );
    }

    #[test]
    fn mixed_schemes_token68_bws_and_empty_elements() {
        let v = "Negotiate, Bearer realm=\"api\" , , Basic dXNlcjpw/YXNz==,Digest realm = \"a\" ,nonce= n1,, Custom";
        assert_eq!(
            schemes(v),
            [
                Ok(("Negotiate", "")),
                Ok(("Bearer", "realm=\"api\"")),
                Ok(("Basic", "dXNlcjpw/YXNz==")),
                Ok(("Digest", "realm = \"a\" ,nonce= n1")),
                Ok(("Custom", "")),
            ]
        );
        let d = challenges(v).nth(3).unwrap().unwrap();
        assert_eq!((d.get("realm"), d.get("nonce")), (Some("a"), Some("n1")));
        let empty = [Err((HeaderErrorKind::Empty, 0))];
        assert_eq!(schemes(""), empty);
        assert_eq!(schemes(" , ,"), empty);
    }

    #[test]
    fn malformed_challenges_yield_offsets_and_resume() {
        // Unterminated quoted string: points at its opening quote.
        assert_eq!(
            schemes("Digest realm=\"abc, nonce=x"),
            [Err((HeaderErrorKind::Quote, 13))]
        );
        // Junk after a quoted string (a missing comma).
        assert_eq!(
            schemes("Digest realm=\"a\" nonce=\"b\""),
            [Err((HeaderErrorKind::AuthParam, 16))]
        );
        // Unquoted value with whitespace.
        assert_eq!(
            schemes("Digest algorithm=MD5 qop=auth"),
            [Err((HeaderErrorKind::AuthParam, 20))]
        );
        // Auth-params before any scheme.
        assert_eq!(
            schemes("realm=\"a\", Digest nonce=\"n\""),
            [
                Err((HeaderErrorKind::MissingAuthScheme, 0)),
                Ok(("Digest", "nonce=\"n\""))
            ]
        );
        // A bad Bearer challenge is reported once; the Digest after it still comes out.
        let v = "Bearer realm=\"x\", error=\"a\"b, scope=y, Digest realm=\"r\", nonce=\"n\"";
        assert_eq!(
            schemes(v),
            [
                Err((HeaderErrorKind::AuthParam, 27)),
                Ok(("Digest", "realm=\"r\", nonce=\"n\""))
            ]
        );
        // Not a token where a scheme or parameter name belongs.
        assert_eq!(
            schemes("\"Digest\" realm=a"),
            [Err((HeaderErrorKind::Token, 0))]
        );
        assert_eq!(
            schemes("Digest realm=a, x@y"),
            [Err((HeaderErrorKind::Token, 17))]
        );
        assert_eq!(
            schemes("Digest realm=a, Basic @@"),
            [
                Ok(("Digest", "realm=a")),
                Err((HeaderErrorKind::AuthParam, 22))
            ]
        );
        // Digest has no token68 form.
        assert_eq!(
            schemes("Digest username"),
            [Err((HeaderErrorKind::AuthParam, 7))]
        );
        // A trailing escape inside an unterminated quote stays in bounds.
        assert_eq!(
            schemes("Digest realm=\"a\\"),
            [Err((HeaderErrorKind::Quote, 13))]
        );
    }
}
