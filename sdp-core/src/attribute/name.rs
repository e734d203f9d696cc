//! Recognising the attribute names this crate types, with one integer switch instead of a chain of
//! string comparisons: the key packs the length, first, second and last bytes (unique across the known
//! names), and one final comparison confirms the match.

macro_rules! names {
    ($($variant:ident = $text:literal,)*) => {
        /// A known attribute name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Name {
            $($variant,)*
        }

        /// The known name `s`, if it is one.
        #[inline]
        pub(crate) fn classify(s: &str) -> Option<Name> {
            #[allow(non_upper_case_globals)]
            mod keys {
                $(pub(super) const $variant: u32 = super::key($text.as_bytes());)*
            }
            // Comparing against each literal in its own arm lets the compiler inline a fixed-size compare.
            match key(s.as_bytes()) {
                $(keys::$variant if s.as_bytes() == $text.as_bytes() => Some(Name::$variant),)*
                _ => None,
            }
        }
    };
}

/// `len << 24 | first << 16 | second << 8 | last`, 0 for names shorter than two bytes.
const fn key(b: &[u8]) -> u32 {
    match b {
        [f, s, .., l] => {
            ((b.len() as u32 & 0xff) << 24) | ((*f as u32) << 16) | ((*s as u32) << 8) | *l as u32
        }
        [f, l] => (2 << 24) | ((*f as u32) << 16) | ((*l as u32) << 8) | *l as u32,
        _ => 0,
    }
}

names! {
    Rtpmap = "rtpmap",
    Fmtp = "fmtp",
    Rtcp = "rtcp",
    RtcpFb = "rtcp-fb",
    RtcpMux = "rtcp-mux",
    RtcpRsize = "rtcp-rsize",
    Extmap = "extmap",
    ExtmapAllowMixed = "extmap-allow-mixed",
    Ssrc = "ssrc",
    SsrcGroup = "ssrc-group",
    Msid = "msid",
    MsidSemantic = "msid-semantic",
    Mid = "mid",
    Group = "group",
    BundleOnly = "bundle-only",
    IceUfrag = "ice-ufrag",
    IcePwd = "ice-pwd",
    IceOptions = "ice-options",
    IceLite = "ice-lite",
    Candidate = "candidate",
    EndOfCandidates = "end-of-candidates",
    Fingerprint = "fingerprint",
    Setup = "setup",
    Connection = "connection",
    Crypto = "crypto",
    SctpPort = "sctp-port",
    MaxMessageSize = "max-message-size",
    Sctpmap = "sctpmap",
    Rid = "rid",
    Simulcast = "simulcast",
    SendRecv = "sendrecv",
    SendOnly = "sendonly",
    RecvOnly = "recvonly",
    Inactive = "inactive",
    Ptime = "ptime",
    Maxptime = "maxptime",
    Framerate = "framerate",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_exactly() {
        assert_eq!(classify("rtpmap"), Some(Name::Rtpmap));
        assert_eq!(classify("ice-lite"), Some(Name::IceLite));
        assert_eq!(classify("inactive"), Some(Name::Inactive));
        assert_eq!(classify("rtpmaq"), None);
        assert_eq!(classify("rxxmap"), None);
        assert_eq!(classify(""), None);
        assert_eq!(classify("a"), None);
        assert_eq!(classify("RTPMAP"), None);
    }
}
