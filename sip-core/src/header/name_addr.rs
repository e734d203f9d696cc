//! `name-addr` / `addr-spec` headers (RFC 3261 §20.10, §20.20, §20.39, §25.1): From, To, Contact,
//! Route, Record-Route, Path (RFC 3327), Refer-To (RFC 3515), Referred-By (RFC 3892) and
//! P-Asserted-Identity (RFC 3325).

use super::error::{HeaderErrorKind, ParseResult};
use super::params::{find_unquoted, Params};
use super::quoted::{quoted_len, unescape_quoted};
use super::{offset_in, TypedHeader};
use crate::message::grammar::{find_byte, is_lws, is_token, is_token_byte, parse_u32, trim_lws};
use crate::message::HeaderName;
use crate::uri::{Uri, UriError};

/// An address with optional display name and header parameters: `"Alice" <sip:a@b>;tag=1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameAddr<'a> {
    /// Display name as written (quotes and quoted-pairs kept; see [`NameAddr::display_name`]).
    pub display_raw: Option<&'a str>,
    /// The URI text (without `<>`).
    pub uri: &'a str,
    /// Whether the URI was in angle brackets (name-addr form).
    pub bracketed: bool,
    /// Header parameters after the address (`tag`, `expires`, `q`…).
    pub params: Params<'a>,
}

impl<'a> NameAddr<'a> {
    /// Parses `name-addr` or `addr-spec` followed by `;params`.
    ///
    /// # Errors
    /// The rule broken and its offset inside `value`.
    pub fn parse_value(value: &'a str) -> ParseResult<Self> {
        let v = trim_lws(value);
        if v.is_empty() {
            return Err((HeaderErrorKind::Empty, 0));
        }
        let (display_raw, rest) = if v.starts_with('"') {
            let n = quoted_len(v).ok_or((HeaderErrorKind::Quote, offset_in(value, v)))?;
            let after = trim_lws(v.get(n..).unwrap_or_default());
            if !after.starts_with('<') {
                return Err((HeaderErrorKind::NameAddr, offset_in(value, after)));
            }
            (v.get(..n), after)
        } else {
            match find_byte(v, b'<') {
                // `<` before any `;` means name-addr; a token display name may precede it.
                Some(lt) if !v.as_bytes().get(..lt).unwrap_or_default().contains(&b';') => {
                    let name = trim_lws(v.get(..lt).unwrap_or_default());
                    // §25.1 display-name = *(token LWS) / quoted-string: an unquoted name with a
                    // comma or other non-token character is malformed (RFC 4475 §3.1.2.15).
                    if !name.bytes().all(|b| is_token_byte(b) || is_lws(b)) {
                        let bad = name
                            .split(|c: char| c.is_ascii() && is_lws(c as u8))
                            .find(|w| !w.is_empty() && !is_token(w))
                            .unwrap_or(name);
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
            let gt = find_byte(inner, b'>')
                .ok_or((HeaderErrorKind::NameAddr, offset_in(value, rest)))?;
            let uri = trim_lws(inner.get(..gt).unwrap_or_default());
            let after = trim_lws(inner.get(gt + 1..).unwrap_or_default());
            let params = match after {
                "" => "",
                a => a
                    .strip_prefix(';')
                    .ok_or((HeaderErrorKind::NameAddr, offset_in(value, a)))?,
            };
            if uri.is_empty() {
                return Err((HeaderErrorKind::Uri, offset_in(value, inner)));
            }
            return Ok(Self {
                display_raw,
                uri,
                bracketed: true,
                params: Params::new(params),
            });
        }
        // addr-spec: parameters after the first `;` belong to the header (§20.10).
        let end = find_unquoted(rest, b"; \t\r\n");
        let uri = rest.get(..end).unwrap_or_default();
        // §20: a URI with a comma, question mark or semicolon must be in name-addr form (<>);
        // the `;` case cannot be told apart from header parameters (RFC 4475 §3.1.2.13).
        if let Some(q) = uri.find(['?', ',']) {
            return Err((HeaderErrorKind::NameAddr, offset_in(value, rest) + q));
        }
        let tail = trim_lws(rest.get(end..).unwrap_or_default());
        let params = match tail {
            "" => "",
            t => t
                .strip_prefix(';')
                .ok_or((HeaderErrorKind::NameAddr, offset_in(value, t)))?,
        };
        if uri.is_empty() {
            return Err((HeaderErrorKind::Uri, offset_in(value, rest)));
        }
        Ok(Self {
            display_raw: None,
            uri,
            bracketed: false,
            params: Params::new(params),
        })
    }

    /// The display name with quotes removed; quoted-pairs are still raw (use
    /// [`NameAddr::display_name_chars`] to decode them).
    #[must_use]
    pub fn display_name(&self) -> Option<&'a str> {
        self.display_raw.map(super::params::unquote)
    }

    /// The display name decoded (quoted-pairs resolved).
    pub fn display_name_chars(&self) -> impl Iterator<Item = char> + 'a {
        let quoted = self.display_raw.is_some_and(|d| d.starts_with('"'));
        let s = self.display_name().unwrap_or_default();
        let raw = (!quoted).then(|| s.chars()).into_iter().flatten();
        let dec = quoted.then(|| unescape_quoted(s)).into_iter().flatten();
        raw.chain(dec)
    }

    /// Parses the URI.
    ///
    /// # Errors
    /// The URI's [`UriError`].
    pub fn parse_uri(&self) -> Result<Uri<'a>, UriError> {
        Uri::parse(self.uri)
    }

    /// The `tag` parameter (§19.3).
    #[must_use]
    pub fn tag(&self) -> Option<&'a str> {
        self.params.value("tag")
    }
}

macro_rules! name_addr_header {
    ($(#[$doc:meta])* $ty:ident, $name:ident, $list:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $ty<'a>(pub NameAddr<'a>);

        impl<'a> core::ops::Deref for $ty<'a> {
            type Target = NameAddr<'a>;
            fn deref(&self) -> &NameAddr<'a> {
                &self.0
            }
        }

        impl<'a> TypedHeader<'a> for $ty<'a> {
            const NAME: &'static str = super::known(HeaderName::$name);
    const COMPACT: Option<char> = HeaderName::$name.compact();
            const LIST: bool = $list;
            fn parse(value: &'a str) -> ParseResult<Self> {
                NameAddr::parse_value(value).map(Self)
            }
        }
    };
}

name_addr_header!(
    /// `From` (§20.20); its `tag` identifies the dialog.
    FromHeader, From, false);
name_addr_header!(
    /// `To` (§20.39).
    ToHeader, To, false);
name_addr_header!(
    /// One `Route` value (§20.34).
    Route, Route, true);
name_addr_header!(
    /// One `Record-Route` value (§20.30).
    RecordRoute, RecordRoute, true);
name_addr_header!(
    /// One `Path` value (RFC 3327).
    Path, Path, true);
name_addr_header!(
    /// `Refer-To` (RFC 3515 §2.1).
    ReferTo, ReferTo, false);
name_addr_header!(
    /// `Referred-By` (RFC 3892).
    ReferredBy, ReferredBy, false);
name_addr_header!(
    /// One `P-Asserted-Identity` value (RFC 3325 §9.1).
    PAssertedIdentity, PAssertedIdentity, true);

/// One `Contact` value (§20.10): an address, or `*` (with params) to remove all bindings (§10.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contact<'a> {
    /// `Contact: *`.
    Star(Params<'a>),
    /// An address.
    Addr(NameAddr<'a>),
}

impl<'a> Contact<'a> {
    /// The header parameters.
    #[must_use]
    pub const fn params(&self) -> &Params<'a> {
        match self {
            Self::Star(p) => p,
            Self::Addr(a) => &a.params,
        }
    }

    /// The address, unless this is `*`.
    #[must_use]
    pub const fn addr(&self) -> Option<&NameAddr<'a>> {
        match self {
            Self::Star(_) => None,
            Self::Addr(a) => Some(a),
        }
    }

    /// `expires` in seconds (§10.2.1.1).
    #[must_use]
    pub fn expires(&self) -> Option<u32> {
        self.params().value("expires").and_then(parse_u32)
    }

    /// `q` as thousandths (`q=0.7` → 700), §20.10.
    #[must_use]
    pub fn q(&self) -> Option<u16> {
        let q = self.params().value("q")?;
        let (int, frac) = q.split_once('.').unwrap_or((q, ""));
        if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let whole: u16 = match int {
            "0" => 0,
            "1" => 1000,
            _ => return None,
        };
        let mut f: u16 = 0;
        for i in 0..3 {
            f = f * 10 + frac.as_bytes().get(i).map_or(0, |b| u16::from(b - b'0'));
        }
        (whole + f <= 1000).then_some(whole + f)
    }

    /// `+sip.instance` (RFC 5626 §4.1), unquoted (e.g. `<urn:uuid:…>`).
    #[must_use]
    pub fn sip_instance(&self) -> Option<&'a str> {
        self.params().value("+sip.instance")
    }

    /// `reg-id` (RFC 5626 §4.2).
    #[must_use]
    pub fn reg_id(&self) -> Option<u32> {
        self.params().value("reg-id").and_then(parse_u32)
    }
}

impl<'a> TypedHeader<'a> for Contact<'a> {
    const NAME: &'static str = super::known(HeaderName::Contact);
    const COMPACT: Option<char> = HeaderName::Contact.compact();
    const LIST: bool = true;

    fn parse(value: &'a str) -> ParseResult<Self> {
        let v = trim_lws(value);
        if let Some(rest) = v.strip_prefix('*') {
            let rest = trim_lws(rest);
            let params = match rest {
                "" => "",
                r => r
                    .strip_prefix(';')
                    .ok_or((HeaderErrorKind::NameAddr, offset_in(value, r)))?,
            };
            return Ok(Self::Star(Params::new(params)));
        }
        NameAddr::parse_value(value).map(Self::Addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let a = NameAddr::parse_value(
            r#""J Rosenberg \\\""       <sip:jdrosen@example.com>  ;  tag = 98asjd8"#,
        )
        .unwrap();
        assert_eq!(a.uri, "sip:jdrosen@example.com");
        assert_eq!(a.tag(), Some("98asjd8"));
        assert!(a.display_name_chars().eq(r#"J Rosenberg \""#.chars()));
        let a = NameAddr::parse_value("sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n")
            .unwrap();
        assert_eq!(a.uri, "sip:vivekg@chair-dnrc.example.com");
        assert_eq!(a.tag(), Some("1918181833n"));
        let a = NameAddr::parse_value("sip:a@b;tag=x").unwrap();
        assert_eq!((a.uri, a.tag()), ("sip:a@b", Some("x")));
        let a = NameAddr::parse_value(r#""caller"<sip:caller@example.com>;tag=323"#).unwrap();
        assert_eq!((a.display_name(), a.tag()), (Some("caller"), Some("323")));
        let a = NameAddr::parse_value("Bob Smith <sip:bob@b>").unwrap();
        assert_eq!(a.display_name(), Some("Bob Smith"));
        assert!(NameAddr::parse_value("<sip:a@b").is_err());
        assert!(NameAddr::parse_value(r#""open <sip:a@b>"#).is_err());
        assert!(NameAddr::parse_value("<sip:a@b> junk").is_err());
        // §25.1 display-name: unquoted, it is tokens (RFC 4475 baddn).
        let a = NameAddr::parse_value("token1~` token2'+_ token3*%!.- <sip:m@b>").unwrap();
        assert_eq!(a.display_name(), Some("token1~` token2'+_ token3*%!.-"));
        assert_eq!(
            NameAddr::parse_value("Bell, Alexander <sip:a@b>"),
            Err((HeaderErrorKind::NameAddr, 0))
        );
        assert_eq!(
            NameAddr::parse_value("A. Bell (x) <sip:a@b>"),
            Err((HeaderErrorKind::NameAddr, 8))
        );
        // §20: a URI with `?` or `,` must be in <> (RFC 4475 regbadct).
        assert_eq!(
            NameAddr::parse_value("sip:a@b?Route=%3Csip:c%3E"),
            Err((HeaderErrorKind::NameAddr, 7))
        );
        assert!(NameAddr::parse_value("<sip:a@b?Route=%3Csip:c%3E>").is_ok());
    }

    #[test]
    fn contact() {
        let c = Contact::parse("*").unwrap();
        assert!(matches!(c, Contact::Star(_)));
        let c = Contact::parse(
            "<sip:a@192.0.2.1>;expires=3600;q=0.7;+sip.instance=\"<urn:uuid:1>\";reg-id=1",
        )
        .unwrap();
        assert_eq!(
            (c.expires(), c.q(), c.sip_instance(), c.reg_id()),
            (Some(3600), Some(700), Some("<urn:uuid:1>"), Some(1))
        );
    }
}
