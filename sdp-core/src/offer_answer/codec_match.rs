//! Which offered payload format a local codec can take (RFC 3264 §6.1): same encoding name
//! (case-insensitive), clock rate and channel count, and format parameters that agree where the payload
//! format says they must (H.264 RFC 6184 §8.2.2, VP9 RFC 9628, AV1, H.265 RFC 7798).

use crate::attribute::rtp::fmtp_pairs;

/// H.264 profiles as far as negotiation cares (RFC 6184 §8.1, `profile-level-id` = idc, iop, level).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum H264Profile {
    /// Constrained Baseline (`42e0..`, `4d80..`, `58c0..`, …).
    ConstrainedBaseline,
    /// Baseline.
    Baseline,
    /// Main.
    Main,
    /// Extended.
    Extended,
    /// High.
    High,
    /// Constrained High (`640c..`).
    ConstrainedHigh,
    /// Another `profile_idc`.
    Other(u8),
}

fn hex_byte(s: &str) -> Option<u8> {
    u8::from_str_radix(s, 16).ok()
}

/// Classifies a `profile-level-id` (six hex digits).
#[must_use]
pub fn h264_profile(profile_level_id: &str) -> Option<H264Profile> {
    if profile_level_id.len() != 6 {
        return None;
    }
    let idc = hex_byte(profile_level_id.get(0..2)?)?;
    let iop = hex_byte(profile_level_id.get(2..4)?)?;
    hex_byte(profile_level_id.get(4..6)?)?;
    Some(match idc {
        0x42 if iop & 0x40 != 0 => H264Profile::ConstrainedBaseline,
        0x42 => H264Profile::Baseline,
        0x4d if iop & 0x80 != 0 => H264Profile::ConstrainedBaseline,
        0x4d => H264Profile::Main,
        0x58 if iop & 0xc0 == 0xc0 => H264Profile::ConstrainedBaseline,
        0x58 => H264Profile::Extended,
        0x64 if iop & 0x0c == 0x0c => H264Profile::ConstrainedHigh,
        0x64 => H264Profile::High,
        o => H264Profile::Other(o),
    })
}

fn param<'a>(fmtp: Option<&'a str>, key: &str) -> Option<&'a str> {
    fmtp_pairs(fmtp.unwrap_or(""))
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .and_then(|(_, v)| v)
}

/// True when an offered format's parameters are compatible with the local codec's.
#[must_use]
pub fn fmtp_compatible(encoding: &str, offered: Option<&str>, local: Option<&str>) -> bool {
    let same = |key: &str, default: &str| {
        param(offered, key).unwrap_or(default) == param(local, key).unwrap_or(default)
    };
    if encoding.eq_ignore_ascii_case("H264") {
        let profile = |f| h264_profile(param(f, "profile-level-id").unwrap_or("42001f"));
        same("packetization-mode", "0")
            && profile(offered).is_some()
            && profile(offered) == profile(local)
    } else if encoding.eq_ignore_ascii_case("VP9") {
        same("profile-id", "0")
    } else if encoding.eq_ignore_ascii_case("AV1") {
        same("profile", "0")
    } else if encoding.eq_ignore_ascii_case("H265") {
        same("profile-id", "1")
    } else {
        true
    }
}

/// Encoding name, clock rate and channels of a static RTP/AVP payload type (RFC 3551 §6).
#[must_use]
pub fn static_payload_type(pt: u8) -> Option<(&'static str, u32, u16)> {
    Some(match pt {
        0 => ("PCMU", 8000, 1),
        3 => ("GSM", 8000, 1),
        4 => ("G723", 8000, 1),
        8 => ("PCMA", 8000, 1),
        9 => ("G722", 8000, 1),
        13 => ("CN", 8000, 1),
        18 => ("G729", 8000, 1),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn h264_profiles() {
        assert_eq!(
            h264_profile("42e01f"),
            Some(H264Profile::ConstrainedBaseline)
        );
        assert_eq!(h264_profile("42001f"), Some(H264Profile::Baseline));
        assert_eq!(h264_profile("4d001f"), Some(H264Profile::Main));
        assert_eq!(h264_profile("640c1f"), Some(H264Profile::ConstrainedHigh));
        assert_eq!(h264_profile("64001f"), Some(H264Profile::High));
        assert_eq!(h264_profile("zz"), None);
    }

    #[test]
    fn h264_matching() {
        let cb = Some("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
        assert!(fmtp_compatible(
            "H264",
            cb,
            Some("profile-level-id=42e034;packetization-mode=1")
        ));
        assert!(!fmtp_compatible(
            "H264",
            cb,
            Some("profile-level-id=42e01f;packetization-mode=0")
        ));
        assert!(!fmtp_compatible(
            "h264",
            cb,
            Some("profile-level-id=640c1f;packetization-mode=1")
        ));
        assert!(fmtp_compatible("VP9", Some("profile-id=0"), None));
        assert!(!fmtp_compatible("VP9", Some("profile-id=2"), None));
        assert!(fmtp_compatible(
            "opus",
            Some("minptime=10"),
            Some("stereo=1")
        ));
    }
}
