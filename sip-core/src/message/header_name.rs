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
                    return COMPACT
                        .get(usize::from(c.to_ascii_lowercase()))
                        .copied()
                        .unwrap_or(Self::Other);
                }
                // Open addressing over `LONG`: usually one probe and one comparison, instead of
                // comparing against every name of the same length.
                let mut slot = name_hash(name.as_bytes());
                for _ in 0..LONG.len() {
                    let id = LONG.get(slot).copied().unwrap_or(Self::Other);
                    match id.canonical() {
                        None => return Self::Other,
                        Some(c) if eq_name(name.as_bytes(), c.as_bytes()) => return id,
                        Some(_) => slot = (slot + 1) % LONG.len(),
                    }
                }
                Self::Other
            }
        }

        impl HeaderName {
            /// [`HeaderName::parse`] in const context, for a name fixed at compile time (a
            /// [`TypedHeader::NAME`](crate::header::TypedHeader::NAME)): a linear search, evaluated
            /// by the compiler, never on input.
            #[must_use]
            #[allow(clippy::indexing_slicing)] // const fn; i < KNOWN.len()
            pub(crate) const fn parse_const(name: &str) -> Self {
                let name = name.as_bytes();
                let mut i = 0;
                while i < KNOWN.len() {
                    let id = KNOWN[i];
                    let hit = match (name, id.canonical(), id.compact()) {
                        ([c], _, Some(k)) => c.eq_ignore_ascii_case(&(k as u8)),
                        (_, Some(canon), _) => const_eq_ignore_case(name, canon.as_bytes()),
                        _ => false,
                    };
                    if hit {
                        return id;
                    }
                    i += 1;
                }
                Self::Other
            }
        }

        /// Every known name, for the [`LONG`] table.
        const KNOWN: &[HeaderName] = &[$( HeaderName::$variant, )*];

        /// Every known name (for tests that compare [`HeaderName::parse`] with a linear search).
        #[cfg(test)]
        pub(crate) const fn known() -> &'static [HeaderName] {
            KNOWN
        }

        /// Compact forms (§7.3.3) by lowercase letter.
        #[allow(clippy::indexing_slicing)] // const context, indices < 256
        static COMPACT: [HeaderName; 256] = {
            let mut t = [HeaderName::Other; 256];
            $( $( t[$compact as usize] = HeaderName::$variant; )? )*
            t
        };

        /// The long names hashed by [`name_hash`] into a table with linear probing.
        #[allow(clippy::indexing_slicing)] // const context, indices < 256
        static LONG: [HeaderName; 256] = {
            let mut t = [HeaderName::Other; 256];
            let mut i = 0;
            while i < KNOWN.len() {
                let id = KNOWN[i];
                let name = match id.canonical() {
                    Some(n) => n,
                    None => "",
                };
                let mut j = 0;
                while j < name.len() {
                    let b = name.as_bytes()[j];
                    // Evaluated at compile time (a static initializer): a known name the case
                    // folding cannot handle fails the build, never a run on input.
                    assert!(b.is_ascii_alphabetic() || b == b'-', "eq_name folds letters only");
                    j += 1;
                }
                let mut slot = name_hash(name.as_bytes());
                while !matches!(t[slot], HeaderName::Other) {
                    slot = (slot + 1) % 256;
                }
                t[slot] = id;
                i += 1;
            }
            t
        };
    };
}

/// Whether `name` is `canon` ignoring ASCII case, where `canon` holds only letters and `-` (the
/// `LONG` table checks it at compile time). A word at a time: two spellings of a letter differ in
/// bit 0x20 only, and only letters (unlike `-`) have bit 0x40 set.
fn eq_name(name: &[u8], canon: &[u8]) -> bool {
    fn same(a: u64, c: u64) -> bool {
        (a ^ c) & !((c & 0x4040_4040_4040_4040) >> 1) == 0
    }
    fn word(s: &[u8], at: usize) -> u64 {
        s.get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map_or(0, u64::from_le_bytes)
    }
    fn half(s: &[u8], at: usize) -> u64 {
        s.get(at..at + 4)
            .and_then(|w| <[u8; 4]>::try_from(w).ok())
            .map_or(0, |w| u64::from(u32::from_le_bytes(w)))
    }
    let n = name.len();
    if n != canon.len() {
        return false;
    }
    match n {
        // Overlapping words cover the tail.
        8.. => {
            let mut at = 0;
            while at + 8 < n {
                if !same(word(name, at), word(canon, at)) {
                    return false;
                }
                at += 8;
            }
            same(word(name, n - 8), word(canon, n - 8))
        }
        4..=7 => same(half(name, 0), half(canon, 0)) && same(half(name, n - 4), half(canon, n - 4)),
        _ => name
            .iter()
            .zip(canon)
            .all(|(&a, &c)| same(u64::from(a), u64::from(c))),
    }
}

/// `a.eq_ignore_ascii_case(b)` in const context.
#[allow(clippy::indexing_slicing)] // const fn; indices < len, lengths equal
const fn const_eq_ignore_case(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if !a[i].eq_ignore_ascii_case(&b[i]) {
            return false;
        }
        i += 1;
    }
    true
}

/// Slot of a header name in the `LONG` table: length, first and last byte, case-folded. The
/// multipliers spread the known names over distinct slots; a collision only costs a probe.
#[allow(clippy::indexing_slicing)] // const fn; guarded by the length check
const fn name_hash(name: &[u8]) -> usize {
    if name.is_empty() {
        return 0;
    }
    let first = (name[0] | 0x20) as usize;
    let last = (name[name.len() - 1] | 0x20) as usize;
    (name.len() + 2 * first + 11 * last) % 256
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
        // Case folds letters only: `-` is not `\r` (0x0D | 0x20) nor `\x0d`.
        assert_eq!(HeaderName::parse("CALL\rID"), HeaderName::Other);
        assert_eq!(HeaderName::parse("Call\x0dID"), HeaderName::Other);
        assert_eq!(HeaderName::parse("mAX-fORWARDS"), HeaderName::MaxForwards);
        assert_eq!(HeaderName::parse("Max-Forward"), HeaderName::Other);
        assert_eq!(HeaderName::parse("Max-Forwardz"), HeaderName::Other);
        assert_eq!(HeaderName::parse("Max_Forwards"), HeaderName::Other);
        assert_eq!(HeaderName::parse("Min-SE"), HeaderName::MinSe);
        assert_eq!(HeaderName::parse("Min-Sf"), HeaderName::Other);
        assert_eq!(HeaderName::parse("To"), HeaderName::To);
        assert_eq!(HeaderName::parse("tO"), HeaderName::To);
        assert_eq!(HeaderName::parse("T0"), HeaderName::Other);
        assert_eq!(HeaderName::parse(""), HeaderName::Other);
    }

    /// The const lookup behind `TypedHeader::NAME` agrees with the wire lookup.
    #[test]
    fn parse_const_agrees() {
        for &id in super::KNOWN {
            let canon = id.canonical().unwrap();
            assert_eq!(HeaderName::parse_const(canon), id);
            assert_eq!(HeaderName::parse_const(&canon.to_ascii_lowercase()), id);
            if let Some(c) = id.compact() {
                let mut b = [0; 4];
                assert_eq!(
                    HeaderName::parse_const(c.to_ascii_uppercase().encode_utf8(&mut b)),
                    id
                );
            }
        }
        for other in ["X-Custom", "", "q", "Vias", "Call-I"] {
            assert_eq!(HeaderName::parse_const(other), HeaderName::parse(other));
        }
    }

    /// Every canonical name, in any case, resolves to itself; a one-letter change does not.
    #[test]
    fn every_name_and_its_neighbours() {
        for &id in super::KNOWN {
            let canon = id.canonical().unwrap();
            assert_eq!(HeaderName::parse(canon), id);
            assert_eq!(HeaderName::parse(&canon.to_ascii_uppercase()), id);
            assert_eq!(HeaderName::parse(&canon.to_ascii_lowercase()), id);
            for i in 0..canon.len() {
                for b in 0u8..=127 {
                    let mut v = canon.as_bytes().to_vec();
                    if v[i].eq_ignore_ascii_case(&b) {
                        continue;
                    }
                    v[i] = b;
                    let v = core::str::from_utf8(&v).unwrap();
                    assert_ne!(HeaderName::parse(v), id, "{v:?}");
                }
            }
        }
    }
}
