//! STUN Binding (RFC 8489 §3, §6) on slices: the safe core behind the C functions.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use rtcweb_stun_core::credentials::short_term_key;
use rtcweb_stun_core::wire::attributes::{MappedAddress, Username, XorMappedAddress};
use rtcweb_stun_core::wire::{Class, Message, MessageType, MessageWriter, Method, TransactionId};
use rtcweb_stun_core::IntegrityKey;

use crate::errors::*;

/// `out_family` value of an IPv4 address.
pub const FAMILY_IPV4: u8 = 4;
/// `out_family` value of an IPv6 address.
pub const FAMILY_IPV6: u8 = 6;

/// The short-term key of a password (RFC 8489 §9.1.1); ASCII only without SASLprep tables.
fn key(password: &[u8]) -> Result<IntegrityKey, i32> {
    let text = core::str::from_utf8(password).map_err(|_| RTCWEB_ERR_ARGUMENT)?;
    short_term_key(text).map_err(|_| RTCWEB_ERR_ARGUMENT)
}

/// Writes a Binding request: USERNAME (when not empty), MESSAGE-INTEGRITY (with a password),
/// FINGERPRINT. Returns its length.
pub fn request(
    buf: &mut [u8],
    tid: [u8; 12],
    username: &[u8],
    password: Option<&[u8]>,
) -> Result<usize, i32> {
    let username = core::str::from_utf8(username).map_err(|_| RTCWEB_ERR_ARGUMENT)?;
    if username.len() > Username::MAX_LEN {
        return Err(RTCWEB_ERR_ARGUMENT);
    }
    let key = password.map(key).transpose()?;
    let typ = MessageType::new(Method::BINDING, Class::Request);
    let e = |e| stun(&e);
    let mut w = MessageWriter::new(buf, typ, TransactionId(tid)).map_err(e)?;
    if !username.is_empty() {
        w.add(&Username(username)).map_err(e)?;
    }
    if let Some(key) = &key {
        w.add_message_integrity(key).map_err(e)?;
    }
    w.add_fingerprint().map_err(e)?;
    Ok(w.finish())
}

/// Writes a Binding success response: XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY (with a password),
/// FINGERPRINT. `ip` holds 4 (IPv4) or 16 (IPv6) meaningful bytes as `family` says.
pub fn success(
    buf: &mut [u8],
    tid: [u8; 12],
    ip: &[u8; 16],
    family: u8,
    port: u16,
    password: Option<&[u8]>,
) -> Result<usize, i32> {
    let addr = match family {
        FAMILY_IPV4 => {
            let [a, b, c, d, ..] = *ip;
            IpAddr::V4(Ipv4Addr::new(a, b, c, d))
        }
        FAMILY_IPV6 => IpAddr::V6(Ipv6Addr::from(*ip)),
        _ => return Err(RTCWEB_ERR_ARGUMENT),
    };
    let key = password.map(key).transpose()?;
    let typ = MessageType::new(Method::BINDING, Class::Success);
    let e = |e| stun(&e);
    let mut w = MessageWriter::new(buf, typ, TransactionId(tid)).map_err(e)?;
    w.add(&XorMappedAddress(SocketAddr::new(addr, port)))
        .map_err(e)?;
    if let Some(key) = &key {
        w.add_message_integrity(key).map_err(e)?;
    }
    w.add_fingerprint().map_err(e)?;
    Ok(w.finish())
}

/// Checks a Binding response against the request's transaction ID (and password, when given) and
/// returns the reflexive address. FINGERPRINT is verified when present (RFC 8489 §7.3 makes it
/// optional outside ICE). XOR-MAPPED-ADDRESS is preferred; MAPPED-ADDRESS is the fallback for
/// RFC 3489 servers (§14.1).
pub fn parse_response(
    msg: &[u8],
    tid: [u8; 12],
    password: Option<&[u8]>,
) -> Result<SocketAddr, i32> {
    let e = |e| stun(&e);
    let m = Message::parse(msg).map_err(e)?;
    if m.method() != Method::BINDING || m.class() != Class::Success {
        return Err(RTCWEB_ERR_NOT_SUCCESS);
    }
    if m.transaction_id() != TransactionId(tid) {
        return Err(RTCWEB_ERR_TRANSACTION);
    }
    if m.has_fingerprint() {
        m.verify_fingerprint().map_err(e)?;
    }
    if let Some(password) = password {
        m.verify_integrity(&key(password)?).map_err(e)?;
    }
    if let Some(a) = m.attribute::<XorMappedAddress>().map_err(e)? {
        return Ok(a.0);
    }
    match m.attribute::<MappedAddress>().map_err(e)? {
        Some(a) => Ok(a.0),
        None => Err(RTCWEB_ERR_NO_ADDRESS),
    }
}

/// Splits an address into the C out-parameters' form: 16 bytes (IPv4 in the first 4, the rest
/// zero), family 4 or 6, port.
pub fn split(addr: SocketAddr) -> ([u8; 16], u8, u16) {
    let mut ip = [0u8; 16];
    let family = match addr.ip() {
        IpAddr::V4(v4) => {
            ip.iter_mut().zip(v4.octets()).for_each(|(d, s)| *d = s);
            FAMILY_IPV4
        }
        IpAddr::V6(v6) => {
            ip = v6.octets();
            FAMILY_IPV6
        }
    };
    (ip, family, addr.port())
}
