//! The fatal alert sent when the peer's certificate is refused.
//!
//! dimpl 0.9 sends no alert when the handshake fails; the endpoint writes this one record itself
//! so the peer fails at once instead of after its retransmission timers.

/// `bad_certificate` (RFC 5246 §7.2, RFC 8446 §6.2).
pub(crate) const BAD_CERTIFICATE: u8 = 42;

/// Length of [`fatal_alert`]'s record.
pub(crate) const ALERT_RECORD_LEN: usize = 13 + 2;

/// A plaintext (epoch 0) DTLS record carrying a fatal alert (RFC 6347 §4.1 record layer,
/// RFC 5246 §7.2 alert): during the handshake the peer still reads epoch 0 when it receives
/// this (in DTLS 1.2 both flights that carry certificates are epoch 0). The sequence number is
/// far above any a handshake uses, so the peer's replay window (RFC 6347 §4.1.2.6) accepts it.
pub(crate) fn fatal_alert(description: u8) -> [u8; ALERT_RECORD_LEN] {
    const ALERT: u8 = 21;
    const DTLS_1_2: [u8; 2] = [254, 253];
    const FATAL: u8 = 2;
    let [v0, v1] = DTLS_1_2;
    [
        ALERT,
        v0,
        v1,
        0, // epoch
        0,
        0, // sequence_number (48 bits): 2^40
        1,
        0,
        0,
        0,
        0,
        0, // length
        2,
        FATAL,
        description,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_layout() {
        let r = fatal_alert(BAD_CERTIFICATE);
        assert_eq!(r[0], 21);
        assert_eq!(u16::from_be_bytes([r[11], r[12]]), 2);
        assert_eq!(&r[13..], &[2, 42]);
    }
}
