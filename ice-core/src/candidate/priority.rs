//! Candidate priority (RFC 8445 §5.1.2) and candidate-pair priority (RFC 8445 §6.1.2.3).

use super::CandidateKind;

/// The local preference of an agent with a single IP address (RFC 8445 §5.1.2.1).
pub const MAX_LOCAL_PREFERENCE: u16 = 65535;

/// The recommended type preferences (RFC 8445 §5.1.2.2): host 126, peer-reflexive 110,
/// server-reflexive 100, relayed 0.
pub const fn type_preference(kind: CandidateKind) -> u8 {
    match kind {
        CandidateKind::Host => 126,
        CandidateKind::PeerReflexive => 110,
        CandidateKind::ServerReflexive => 100,
        CandidateKind::Relayed => 0,
    }
}

/// `priority = 2^24 × type preference + 2^8 × local preference + (256 − component ID)`
/// (RFC 8445 §5.1.2.1). Components above 256 are clamped to 256.
pub const fn candidate_priority(type_preference: u8, local_preference: u16, component: u16) -> u32 {
    let component = if component > 256 { 256 } else { component };
    ((type_preference as u32) << 24) | ((local_preference as u32) << 8) | (256 - component as u32)
}

/// `pair priority = 2^32 × MIN(G, D) + 2 × MAX(G, D) + (G > D ? 1 : 0)`, where G is the
/// controlling agent's candidate priority and D the controlled one's (RFC 8445 §6.1.2.3).
/// Priorities above the RFC's 2^31 − 1 (from a misbehaving peer) saturate, never overflow.
pub const fn pair_priority(controlling: u32, controlled: u32) -> u64 {
    let (g, d) = (controlling as u64, controlled as u64);
    let (min, max) = if g < d { (g, d) } else { (d, g) };
    (min << 32)
        .saturating_add(2 * max)
        .saturating_add(if g > d { 1 } else { 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_priority_matches_common_implementations() {
        // 126 << 24 | 65535 << 8 | 255: what every browser puts on its first host candidate.
        assert_eq!(candidate_priority(126, 65535, 1), 2_130_706_431);
        assert_eq!(candidate_priority(0, 65535, 2), 16_777_214);
        assert_eq!(candidate_priority(100, 0, 300), 100 << 24);
    }

    #[test]
    fn pair_priority_is_symmetric_but_tie_broken() {
        let a = pair_priority(10, 20);
        let b = pair_priority(20, 10);
        assert_eq!(a + 1, b);
        assert_eq!(pair_priority(7, 7), (7 << 32) + 14);
        assert_eq!(pair_priority(u32::MAX, u32::MAX), u64::MAX);
        assert!(pair_priority(1 << 31, 1 << 31) > pair_priority(1 << 31, (1 << 31) - 1));
    }
}
