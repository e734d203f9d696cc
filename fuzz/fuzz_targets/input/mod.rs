//! Reading a fuzz input as a stream of choices, shared by the targets that drive a state machine
//! from it (`ice_agent`, `sip_registration`, `sip_registration_client`, `srtp_session`,
//! `srtp_pair`): past its end every read gives zeros or empty slices.

/// The next `n` bytes (fewer at the end).
pub fn take<'a>(data: &mut &'a [u8], n: usize) -> &'a [u8] {
    let n = n.min(data.len());
    let (a, b) = data.split_at(n);
    *data = b;
    a
}

/// The next byte, 0 at the end.
pub fn byte(data: &mut &[u8]) -> u8 {
    take(data, 1).first().copied().unwrap_or(0)
}
