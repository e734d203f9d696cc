//! Equivalence tests for the parser's fast paths: each scanner or parser that was rewritten for
//! speed (word-at-a-time searches, single-pass lookups) against a straightforward reference (the
//! earlier implementation, kept here), on generated input dense in the bytes that matter.
//! Same result, same offsets, same borrowed slices.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::net::Ipv4Addr;

use proptest::prelude::*;

use crate::header::params::{find_unquoted, find_unquoted_byte, Params};
use crate::header::{
    split_list, FromHeader, HeaderErrorKind, NameAddr, TypedHeader, Via, WwwAuthenticate,
};
use crate::message::grammar::{is_lws, is_token, parse_u32, trim_lws};
use crate::message::{Header, HeaderName, Message};
use crate::uri::{Host, SipUri, TelUri, Uri, UriError, UriErrorKind};

fn ref_trim_lws(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_ascii() && is_lws(c as u8))
}

fn ref_parse_u32(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let t = s.trim_start_matches('0');
    if t.len() > 10 {
        return None;
    }
    let v = t.bytes().fold(0u64, |v, b| v * 10 + u64::from(b - b'0'));
    u32::try_from(v).ok()
}

fn ref_split_list(text: &str) -> Vec<(&str, usize)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut pos = 0;
    while pos < bytes.len() {
        let start = pos;
        let mut i = start;
        let (mut quoted, mut angle, mut escape) = (false, false, false);
        while let Some(&b) = bytes.get(i) {
            if escape {
                escape = false;
            } else if quoted {
                match b {
                    b'\\' => escape = true,
                    b'"' => quoted = false,
                    _ => {}
                }
            } else {
                match b {
                    b'"' => quoted = true,
                    b'<' => angle = true,
                    b'>' => angle = false,
                    b',' if !angle => break,
                    _ => {}
                }
            }
            i += 1;
        }
        pos = i + 1;
        let raw = text.get(start..i).unwrap();
        let t = ref_trim_lws(raw);
        if t.is_empty() {
            continue;
        }
        let lead = raw.len()
            - raw
                .trim_start_matches(|c: char| c.is_ascii() && is_lws(c as u8))
                .len();
        out.push((t, start + lead));
    }
    out
}

fn ref_host(s: &str) -> Result<Host<'_>, ()> {
    if s.is_empty() {
        return Err(());
    }
    if s.starts_with('[') {
        // Unchanged code: compare with what `Host::parse` does for IPv6.
        return Host::parse(s).map_err(|_| ());
    }
    if s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        if let Ok(ip) = s.parse::<Ipv4Addr>() {
            return Ok(Host::Ipv4(ip));
        }
    }
    if s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
    {
        Ok(Host::Domain(s))
    } else {
        Err(())
    }
}

fn uri_err(kind: UriErrorKind, offset: usize) -> UriError {
    UriError { kind, offset }
}

fn looks_like_hostport(s: &str) -> bool {
    let hp = s.split(';').next().unwrap_or_default();
    !hp.is_empty()
        && hp
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

#[allow(clippy::too_many_lines)]
fn ref_sip_uri(rest: &str, secure: bool, base: usize) -> Result<SipUri<'_>, UriError> {
    let at = rest.find('@').filter(|&i| {
        let before = rest.get(..i).unwrap_or_default();
        !before
            .split_once('?')
            .is_some_and(|(head, h)| h.contains('=') && looks_like_hostport(head))
    });
    let (userinfo, hostpart, hbase) = match at {
        Some(i) => (
            rest.get(..i),
            rest.get(i + 1..).unwrap_or_default(),
            base + i + 1,
        ),
        None => (None, rest, base),
    };
    let (user, password) = match userinfo {
        Some(ui) => {
            let (u, p) = match ui.split_once(':') {
                Some((u, p)) => (u, Some(p)),
                None => (ui, None),
            };
            if u.is_empty() {
                return Err(uri_err(UriErrorKind::User, base));
            }
            if ui
                .bytes()
                .any(|b| b <= b' ' || matches!(b, b'<' | b'>' | b'"' | 0x7f))
            {
                return Err(uri_err(UriErrorKind::User, base));
            }
            if let Some(i) = crate::uri::escape::bad_escape(ui) {
                return Err(uri_err(UriErrorKind::User, base + i));
            }
            (Some(u), p)
        }
        None => (None, None),
    };
    let hp_end = if hostpart.starts_with('[') {
        hostpart.find(']').map_or(hostpart.len(), |i| i + 1)
    } else {
        0
    };
    let tail_at = hostpart
        .get(hp_end..)
        .and_then(|t| t.find([';', '?']))
        .map_or(hostpart.len(), |i| i + hp_end);
    let hostport = hostpart.get(..tail_at).unwrap_or_default();
    let tail = hostpart.get(tail_at..).unwrap_or_default();
    let (host_s, port_s) = if hostport.starts_with('[') {
        let close = hostport
            .find(']')
            .ok_or(uri_err(UriErrorKind::Host, hbase))?;
        let after = hostport.get(close + 1..).unwrap_or_default();
        let port = match after {
            "" => None,
            p => Some(
                p.strip_prefix(':')
                    .ok_or(uri_err(UriErrorKind::Port, hbase + close + 1))?,
            ),
        };
        (hostport.get(..=close).unwrap_or_default(), port)
    } else {
        match hostport.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    let host = ref_host(host_s).map_err(|()| uri_err(UriErrorKind::Host, hbase))?;
    let port = match port_s {
        None => None,
        Some(p) => {
            let off = hbase + host_s.len() + 1;
            if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(uri_err(UriErrorKind::Port, off));
            }
            Some(
                p.parse::<u16>()
                    .map_err(|_| uri_err(UriErrorKind::Port, off))?,
            )
        }
    };
    let (params, headers) = match tail.split_once('?') {
        Some((p, h)) => (p, Some(h)),
        None => (tail, None),
    };
    if params
        .bytes()
        .chain(headers.unwrap_or_default().bytes())
        .any(|b| b <= b' ' || b == b'<' || b == b'>')
    {
        return Err(uri_err(UriErrorKind::Params, hbase + tail_at));
    }
    if let Some(i) = crate::uri::escape::bad_escape(tail) {
        return Err(uri_err(UriErrorKind::Params, hbase + tail_at + i));
    }
    let mut at = hbase + tail_at;
    for p in params.split(';').skip(1) {
        at += 1;
        if p.split('=').next().is_none_or(str::is_empty) {
            return Err(uri_err(UriErrorKind::Params, at));
        }
        at += p.len();
    }
    Ok(SipUri {
        secure,
        user,
        password,
        host,
        port,
        params: Params::new(params.strip_prefix(';').unwrap_or(params)),
        headers,
    })
}

fn ref_uri(s: &str) -> Result<Uri<'_>, UriError> {
    let colon = s.find(':').ok_or(uri_err(UriErrorKind::Scheme, 0))?;
    let scheme = s.get(..colon).unwrap_or_default();
    let rest = s.get(colon + 1..).unwrap_or_default();
    let valid_scheme = scheme
        .as_bytes()
        .first()
        .is_some_and(u8::is_ascii_alphabetic)
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if !valid_scheme {
        return Err(uri_err(UriErrorKind::Scheme, 0));
    }
    if scheme.eq_ignore_ascii_case("sip") || scheme.eq_ignore_ascii_case("sips") {
        return ref_sip_uri(rest, scheme.len() == 4, colon + 1).map(Uri::Sip);
    }
    if scheme.eq_ignore_ascii_case("tel") {
        return TelUri::parse_after_scheme(rest)
            .map(Uri::Tel)
            .ok_or(uri_err(UriErrorKind::Tel, colon + 1));
    }
    if rest.bytes().any(|b| b <= b' ' || b == b'<' || b == b'>') {
        return Err(uri_err(UriErrorKind::Params, colon + 1));
    }
    Ok(Uri::Other { scheme, rest })
}

fn offset_in(whole: &str, sub: &str) -> usize {
    crate::header::offset_in(whole, sub)
}

type Res<T> = Result<T, (HeaderErrorKind, usize)>;

fn ref_name_addr(value: &str) -> Res<NameAddr<'_>> {
    let v = ref_trim_lws(value);
    if v.is_empty() {
        return Err((HeaderErrorKind::Empty, 0));
    }
    let (display_raw, rest) = if v.starts_with('"') {
        let n = crate::header::quoted::quoted_len(v)
            .ok_or((HeaderErrorKind::Quote, offset_in(value, v)))?;
        let after = ref_trim_lws(v.get(n..).unwrap_or_default());
        if !after.starts_with('<') {
            return Err((HeaderErrorKind::NameAddr, offset_in(value, after)));
        }
        (v.get(..n), after)
    } else {
        match v.find('<') {
            Some(lt) if v.find(';').is_none_or(|sc| lt < sc) => {
                let name = ref_trim_lws(v.get(..lt).unwrap_or_default());
                if let Some(bad) = name
                    .split(|c: char| c.is_ascii() && is_lws(c as u8))
                    .find(|w| !w.is_empty() && !is_token(w))
                {
                    return Err((HeaderErrorKind::NameAddr, offset_in(value, bad)));
                }
                (
                    Some(name).filter(|n| !n.is_empty()),
                    v.get(lt..).unwrap_or_default(),
                )
            }
            _ => (None, v),
        }
    };
    if let Some(inner) = rest.strip_prefix('<') {
        let gt = inner
            .find('>')
            .ok_or((HeaderErrorKind::NameAddr, offset_in(value, rest)))?;
        let uri = ref_trim_lws(inner.get(..gt).unwrap_or_default());
        let after = ref_trim_lws(inner.get(gt + 1..).unwrap_or_default());
        let params = match after {
            "" => "",
            a => a
                .strip_prefix(';')
                .ok_or((HeaderErrorKind::NameAddr, offset_in(value, a)))?,
        };
        if uri.is_empty() {
            return Err((HeaderErrorKind::Uri, offset_in(value, inner)));
        }
        return Ok(NameAddr {
            display_raw,
            uri,
            bracketed: true,
            params: Params::new(params),
        });
    }
    let end = find_unquoted(rest, b"; \t\r\n");
    let uri = rest.get(..end).unwrap_or_default();
    if let Some(q) = uri.find(['?', ',']) {
        return Err((HeaderErrorKind::NameAddr, offset_in(value, rest) + q));
    }
    let tail = ref_trim_lws(rest.get(end..).unwrap_or_default());
    let params = match tail {
        "" => "",
        t => t
            .strip_prefix(';')
            .ok_or((HeaderErrorKind::NameAddr, offset_in(value, t)))?,
    };
    if uri.is_empty() {
        return Err((HeaderErrorKind::Uri, offset_in(value, rest)));
    }
    Ok(NameAddr {
        display_raw: None,
        uri,
        bracketed: false,
        params: Params::new(params),
    })
}

fn ref_params_get<'a>(p: &Params<'a>, name: &str) -> Option<Option<&'a str>> {
    p.iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn ref_via(value: &str) -> Res<Via<'_>> {
    let end = find_unquoted(value, b";");
    let head = value
        .get(..end)
        .unwrap_or_default()
        .trim_end_matches(|c: char| c.is_ascii() && is_lws(c as u8));
    let params = Params::new(value.get(end + 1..).unwrap_or_default());
    let mut parts = head.splitn(3, '/');
    let protocol = ref_trim_lws(parts.next().unwrap_or_default());
    let version = ref_trim_lws(parts.next().unwrap_or_default());
    let rest = ref_trim_lws(parts.next().unwrap_or_default());
    if !is_token(protocol) || !is_token(version) {
        return Err((HeaderErrorKind::SentProtocol, 0));
    }
    let split = rest.find(|c: char| c.is_ascii() && is_lws(c as u8));
    let (transport, sent_by) = match split {
        Some(i) => (
            rest.get(..i).unwrap_or_default(),
            ref_trim_lws(rest.get(i..).unwrap_or_default()),
        ),
        None => (rest, ""),
    };
    if !is_token(transport) {
        return Err((HeaderErrorKind::SentProtocol, offset_in(value, rest)));
    }
    let at = offset_in(value, sent_by);
    let (host_s, port_s) = if sent_by.starts_with('[') {
        let close = sent_by.find(']').ok_or((HeaderErrorKind::SentBy, at))?;
        let after = ref_trim_lws(sent_by.get(close + 1..).unwrap_or_default());
        let port = match after.strip_prefix(':') {
            Some(p) => Some(ref_trim_lws(p)),
            None if after.is_empty() => None,
            None => return Err((HeaderErrorKind::SentBy, at + close + 1)),
        };
        (sent_by.get(..=close).unwrap_or_default(), port)
    } else {
        match sent_by.split_once(':') {
            Some((h, p)) => (ref_trim_lws(h), Some(ref_trim_lws(p))),
            None => (sent_by, None),
        }
    };
    let host = ref_host(host_s).map_err(|()| (HeaderErrorKind::SentBy, at))?;
    let port = match port_s {
        Some(p) => Some(
            ref_parse_u32(p)
                .and_then(|n| u16::try_from(n).ok())
                .ok_or((HeaderErrorKind::SentBy, offset_in(value, p)))?,
        ),
        None => None,
    };
    if let Some(Some(p)) = ref_params_get(&params, "rport") {
        if ref_parse_u32(p)
            .and_then(|n| u16::try_from(n).ok())
            .is_none()
        {
            return Err((HeaderErrorKind::SentBy, offset_in(value, p)));
        }
    }
    Ok(Via {
        protocol,
        version,
        transport,
        host,
        port,
        params,
    })
}

/// A known name by its canonical spelling or compact form, by a linear search.
fn ref_header_name(name: &str) -> HeaderName {
    let known = crate::message::header_name_known();
    if let [c] = name.as_bytes() {
        let c = char::from(c.to_ascii_lowercase());
        return known
            .iter()
            .copied()
            .find(|id| id.compact() == Some(c))
            .unwrap_or(HeaderName::Other);
    }
    known
        .iter()
        .copied()
        .find(|id| id.canonical().is_some_and(|c| c.eq_ignore_ascii_case(name)))
        .unwrap_or(HeaderName::Other)
}

/// Text dense in the bytes the scanners stop at.
fn sip_text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(
            &[
                "a", "B", "t", "g", "1", "9", "0", " ", "\t", "\r\n ", ";", "=", ",", "\"", "\\",
                "<", ">", "@", ":", "?", "&", "%", "%4", "%41", "[", "]", ".", "-", "_", "é",
            ][..],
        ),
        0..max,
    )
    .prop_map(|v| v.concat())
}

fn same_slice(a: &str, b: &str) -> bool {
    a == b && a.as_ptr() == b.as_ptr()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn grammar(s in sip_text(12), d in "[0-9]{0,24}") {
        prop_assert!(same_slice(trim_lws(&s), ref_trim_lws(&s)), "{:?}", s);
        prop_assert_eq!(parse_u32(&s), ref_parse_u32(&s));
        prop_assert_eq!(parse_u32(&d), ref_parse_u32(&d));
    }

    #[test]
    fn lists(s in sip_text(30)) {
        let got: Vec<_> = split_list(&s).collect();
        let want = ref_split_list(&s);
        prop_assert_eq!(got.len(), want.len());
        for ((g, go), (w, wo)) in got.iter().zip(&want) {
            prop_assert!(same_slice(g, w) && go == wo, "{:?}", s);
        }
    }

    #[test]
    fn params(s in sip_text(30), name in prop::sample::select(&["a", "B", "tag", "ab", "a b", "", "=", "\"", "t"][..])) {
        let p = Params::new(&s);
        let got = p.get(name);
        let want = ref_params_get(&p, name);
        prop_assert_eq!(got, want);
        if let (Some(Some(g)), Some(Some(w))) = (got, want) {
            prop_assert!(same_slice(g, w));
        }
        for sep in [b';', b',', b'?'] {
            prop_assert_eq!(find_unquoted_byte(&s, sep), find_unquoted(&s, &[sep]));
        }
    }

    #[test]
    fn hosts(s in "[a-z0-9._:-]{0,20}|[0-9.]{0,16}") {
        prop_assert_eq!(Host::parse(&s).map_err(|_| ()), ref_host(&s));
    }

    #[test]
    fn uris(scheme in prop::sample::select(&["sip:", "SIPS:", "tel:", "urn:", "s p:", ""][..]), s in sip_text(30)) {
        let u = format!("{scheme}{s}");
        prop_assert_eq!(Uri::parse(&u), ref_uri(&u));
    }

    #[test]
    fn host_parts(user in "[a-z%4]{0,4}(:[a-z]{0,3})?@|", host in "[a-z0-9.]{0,12}|\\[[0-9a-f:.]{0,12}\\]?",
                  port in "(:[0-9a]{0,6})?", tail in sip_text(12)) {
        let u = format!("sip:{user}{host}{port}{tail}");
        prop_assert_eq!(Uri::parse(&u), ref_uri(&u));
    }

    #[test]
    fn name_addrs(s in sip_text(30)) {
        let got = NameAddr::parse_value(&s);
        let want = ref_name_addr(&s);
        prop_assert_eq!(got, want);
        if let (Ok(g), Ok(w)) = (got, want) {
            prop_assert!(same_slice(g.uri, w.uri));
        }
    }

    #[test]
    fn vias(proto in "(SIP ?/ ?2\\.0 ?/ ?(UDP|TCP|T;S)|SIP/2.0|x/y/)", sep in "( |\t|\r\n |)",
            host in "[a-z0-9.:\\[\\]]{0,16}", s in sip_text(16)) {
        let v = format!("{proto}{sep}{host}{s}");
        prop_assert_eq!(Via::parse(&v), ref_via(&v));
    }

    #[test]
    fn header_names(s in "[a-zA-Z-]{1,3}|[a-zA-Z-]{4,20}|(Via|From|To|Call-ID|CSeq|Min-SE|Content-Length|P-Asserted-Identity)[a-z]?") {
        prop_assert_eq!(HeaderName::parse(&s), ref_header_name(&s));
        let upper = s.to_ascii_uppercase();
        prop_assert_eq!(HeaderName::parse(&upper), ref_header_name(&upper));
    }

    /// `typed()` is `typed_all().next().transpose()`, for each way of splitting a line into values.
    #[test]
    fn typed_first(vals in prop::collection::vec(sip_text(16), 1..4)) {
        let mut raw = String::from("OPTIONS sip:a SIP/2.0\r\n");
        for v in &vals {
            for name in ["Via", "From", "WWW-Authenticate"] {
                raw.push_str(&format!("{name}: {v}\r\n"));
            }
        }
        raw.push_str("\r\n");
        let mut st = [Header::EMPTY; 16];
        if let Ok(m) = Message::parse(raw.as_bytes(), &mut st) {
            prop_assert_eq!(m.typed::<Via>(), m.typed_all::<Via>().next().transpose());
            prop_assert_eq!(m.typed::<FromHeader>(), m.typed_all::<FromHeader>().next().transpose());
            prop_assert_eq!(m.typed::<WwwAuthenticate>(), m.typed_all::<WwwAuthenticate>().next().transpose());
        }
    }
}

#[test]
fn every_known_name_resolves() {
    for &id in crate::message::header_name_known() {
        let c = id.canonical().unwrap_or_default();
        assert_eq!(HeaderName::parse(c), id);
        assert_eq!(ref_header_name(c), id);
        if let Some(k) = id.compact() {
            assert_eq!(HeaderName::parse(&String::from(k)), id);
        }
    }
}
