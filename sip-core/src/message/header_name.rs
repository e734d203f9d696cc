//! Header field names: the ones this crate knows, resolved once, including compact forms (RFC 3261 §7.3.3).

macro_rules! known_headers {
    ($( $(#[$doc:meta])* $variant:ident => $canon:literal $(, $compact:literal)? ;)*) => {
        /// A header field name, resolved case-insensitively and from its compact form (§7.3.3, §20).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum HeaderName {
            $( $(#[$doc])* $variant, )*
            /// Any other header; compare its name text case-insensitively.
            Other,
        }

        impl HeaderName {
            /// The canonical spelling, or `None` for [`HeaderName::Other`].
            #[must_use]
            pub const fn canonical(self) -> Option<&'static str> {
                match self {
                    $( Self::$variant => Some($canon), )*
                    Self::Other => None,
                }
            }

            /// The compact form of §7.3.3 (and its extensions), if the header has one.
            #[must_use]
            pub const fn compact(self) -> Option<char> {
                match self {
                    $( $( Self::$variant => Some($compact), )? )*
                    _ => None,
                }
            }

            /// Resolves a name as it appears on the wire (any case, long or compact form).
            #[must_use]
            pub fn parse(name: &str) -> Self {
                if let [c] = name.as_bytes() {
                    return match c.to_ascii_lowercase() {
                        $( $( c if char::from(c) == $compact => Self::$variant, )? )*
                        _ => Self::Other,
                    };
                }
                match name.len() {
                    $( n if n == $canon.len() && name.eq_ignore_ascii_case($canon) => Self::$variant, )*
                    _ => Self::Other,
                }
            }
        }
    };
}

known_headers! {
    /// `Via`, compact `v` (§20.42).
    Via => "Via", 'v';
    /// `From`, compact `f` (§20.20).
    From => "From", 'f';
    /// `To`, compact `t` (§20.39).
    To => "To", 't';
    /// `Call-ID`, compact `i` (§20.8).
    CallId => "Call-ID", 'i';
    /// `CSeq` (§20.16).
    CSeq => "CSeq";
    /// `Contact`, compact `m` (§20.10).
    Contact => "Contact", 'm';
    /// `Max-Forwards` (§20.22).
    MaxForwards => "Max-Forwards";
    /// `Content-Length`, compact `l` (§20.14).
    ContentLength => "Content-Length", 'l';
    /// `Content-Type`, compact `c` (§20.15).
    ContentType => "Content-Type", 'c';
    /// `Content-Encoding`, compact `e` (§20.12).
    ContentEncoding => "Content-Encoding", 'e';
    /// `Subject`, compact `s` (§20.36).
    Subject => "Subject", 's';
    /// `Supported`, compact `k` (§20.37).
    Supported => "Supported", 'k';
    /// `Route` (§20.34).
    Route => "Route";
    /// `Record-Route` (§20.30).
    RecordRoute => "Record-Route";
    /// `Path` (RFC 3327).
    Path => "Path";
    /// `Expires` (§20.19).
    Expires => "Expires";
    /// `Min-Expires` (§20.23).
    MinExpires => "Min-Expires";
    /// `Allow` (§20.5).
    Allow => "Allow";
    /// `Require` (§20.32).
    Require => "Require";
    /// `Proxy-Require` (§20.29).
    ProxyRequire => "Proxy-Require";
    /// `Unsupported` (§20.40).
    Unsupported => "Unsupported";
    /// `Authorization` (§20.7).
    Authorization => "Authorization";
    /// `Proxy-Authorization` (§20.28).
    ProxyAuthorization => "Proxy-Authorization";
    /// `WWW-Authenticate` (§20.44).
    WwwAuthenticate => "WWW-Authenticate";
    /// `Proxy-Authenticate` (§20.27).
    ProxyAuthenticate => "Proxy-Authenticate";
    /// `Session-Expires`, compact `x` (RFC 4028).
    SessionExpires => "Session-Expires", 'x';
    /// `Min-SE` (RFC 4028).
    MinSe => "Min-SE";
    /// `Event`, compact `o` (RFC 6665).
    Event => "Event", 'o';
    /// `Allow-Events`, compact `u` (RFC 6665).
    AllowEvents => "Allow-Events", 'u';
    /// `Subscription-State` (RFC 6665).
    SubscriptionState => "Subscription-State";
    /// `Refer-To`, compact `r` (RFC 3515).
    ReferTo => "Refer-To", 'r';
    /// `Referred-By`, compact `b` (RFC 3892).
    ReferredBy => "Referred-By", 'b';
    /// `Replaces` (RFC 3891).
    Replaces => "Replaces";
    /// `P-Asserted-Identity` (RFC 3325).
    PAssertedIdentity => "P-Asserted-Identity";
    /// `Reason` (RFC 3326).
    Reason => "Reason";
    /// `User-Agent` (§20.41).
    UserAgent => "User-Agent";
    /// `Server` (§20.35).
    Server => "Server";
    /// `Retry-After` (§20.33).
    RetryAfter => "Retry-After";
    /// `RSeq` (RFC 3262).
    RSeq => "RSeq";
    /// `RAck` (RFC 3262).
    RAck => "RAck";
    /// `Accept` (§20.1).
    Accept => "Accept";
    /// `Identity`, compact `y` (RFC 8224).
    Identity => "Identity", 'y';
    /// `Accept-Contact`, compact `a` (RFC 3841).
    AcceptContact => "Accept-Contact", 'a';
}

#[cfg(test)]
mod tests {
    use super::HeaderName;

    #[test]
    fn resolves_long_compact_and_case() {
        assert_eq!(HeaderName::parse("via"), HeaderName::Via);
        assert_eq!(HeaderName::parse("V"), HeaderName::Via);
        assert_eq!(HeaderName::parse("CALL-ID"), HeaderName::CallId);
        assert_eq!(HeaderName::parse("i"), HeaderName::CallId);
        assert_eq!(HeaderName::parse("x"), HeaderName::SessionExpires);
        assert_eq!(HeaderName::parse("X-Custom"), HeaderName::Other);
        assert_eq!(HeaderName::parse("q"), HeaderName::Other);
        assert_eq!(HeaderName::Contact.compact(), Some('m'));
        assert_eq!(HeaderName::CSeq.canonical(), Some("CSeq"));
    }
}
