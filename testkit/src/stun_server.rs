//! A STUN Binding server (RFC 8489 §6.3.1): answers every Binding request with the source
//! address it saw (XOR-MAPPED-ADDRESS) and a FINGERPRINT; ignores everything else.

use alloc::vec::Vec;
use core::net::SocketAddr;

use rtcweb_stun_core::wire::attributes::XorMappedAddress;
use rtcweb_stun_core::wire::{Class, Message, MessageType, MessageWriter, Method};

/// The Binding success response to `request` as received from `src`; `None` when `request` is
/// not a Binding request.
#[must_use]
pub fn binding_response(request: &[u8], src: SocketAddr) -> Option<Vec<u8>> {
    let msg = Message::parse(request).ok()?;
    if msg.method() != Method::BINDING || msg.class() != Class::Request {
        return None;
    }
    let mut buf = [0u8; 64];
    let mut w = MessageWriter::new(
        &mut buf,
        MessageType::new(Method::BINDING, Class::Success),
        msg.transaction_id(),
    )
    .ok()?;
    w.add(&XorMappedAddress(src)).ok()?;
    w.add_fingerprint().ok()?;
    let len = w.finish();
    Some(buf.get(..len)?.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rtcweb_stun_core::wire::TransactionId;

    #[test]
    fn answers_binding_requests_only() {
        let src = SocketAddr::from(([203, 0, 113, 9], 4000));
        let mut req = [0u8; 64];
        let tid = TransactionId([5; 12]);
        let n = MessageWriter::new(
            &mut req,
            MessageType::new(Method::BINDING, Class::Request),
            tid,
        )
        .map(MessageWriter::finish)
        .unwrap_or(0);
        let resp = binding_response(req.get(..n).unwrap_or_default(), src).unwrap_or_default();
        let msg = Message::parse(&resp);
        assert!(msg.is_ok_and(|m| m.transaction_id() == tid
            && m.class() == Class::Success
            && m.attribute::<XorMappedAddress>() == Ok(Some(XorMappedAddress(src)))));
        assert_eq!(binding_response(b"not stun", src), None);
    }
}
