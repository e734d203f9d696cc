//! `rtcweb inspect stun FILE|-`: a STUN/TURN message as JSON, MESSAGE-INTEGRITY and FINGERPRINT
//! verified; or a TURN ChannelData message (RFC 8656 §12.4), told apart by its first byte
//! (RFC 7983: 0x40-0x7F; channel numbers 0x4000-0x4FFF).

use rtcweb_stun_core::channel_data::{ChannelData, ChannelDataError};
use rtcweb_stun_core::credentials::{long_term_key_md5, long_term_key_sha256, short_term_key};
use rtcweb_stun_core::wire::attributes::{AnyAttribute, PasswordAlgorithm, Realm, Username};
use rtcweb_stun_core::wire::{Class, Message};
use rtcweb_stun_core::IntegrityKey;
use serde_json::{json, Value};

/// Arguments of `rtcweb inspect stun`.
#[derive(clap::Args)]
#[command(after_help = "\
A ChannelData message (first byte 0x40-0x7F) is printed with its channel, length, padding and data;
it is accepted padded (TCP) or not (UDP), and with no data.

Examples:
  rtcweb inspect stun request.bin --password VOkJxbRl1RmTxUk/WvJxBt
  xxd -r -p <<< 4001000361626300 | rtcweb inspect stun -

Exit status: 0 valid, 1 invalid input (the error names the byte offset), 2 usage.")]
pub struct Args {
    /// The file to read, or `-` for standard input.
    pub file: String,
    /// Password: MESSAGE-INTEGRITY(-SHA256) is verified with the short-term key, or the long-term
    /// key MD5(user:realm:SASLprep(pw)) (SHA-256 when PASSWORD-ALGORITHM says so) when the message
    /// carries a REALM.
    #[arg(long, conflicts_with = "key")]
    pub password: Option<String>,
    /// The MESSAGE-INTEGRITY key itself, as hex.
    #[arg(long)]
    pub key: Option<String>,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> Result<(), String> {
    let input = crate::read_input(&args.file)?;
    if let Some(0x40..=0x7f) = input.first() {
        return crate::print_json(&channel_data_json(&input)?);
    }
    let msg = Message::parse(&input).map_err(|e| format!("invalid STUN message: {e}"))?;
    let mut attributes = Vec::new();
    for raw in msg.attributes() {
        let typed = raw.decode(&msg.transaction_id()).map_err(|e| {
            format!(
                "invalid STUN message: byte {}: attribute {}: {e}",
                raw.offset, raw.typ
            )
        })?;
        attributes.push(json!({
            "type": format!("{:#06x}", raw.typ.0),
            "name": raw.typ.name(),
            "offset": raw.offset,
            "length": raw.value.len(),
            "value": attribute_json(&typed),
        }));
    }
    let key = integrity_key(&msg, args.key.as_deref(), args.password.as_deref())?;
    let integrity = match (&key, msg.has_integrity()) {
        (Some(k), true) => {
            let alg = msg
                .verify_integrity(k)
                .map_err(|e| format!("invalid STUN message: {e}"))?;
            json!({"present": true, "verified": true, "algorithm": format!("{alg:?}")})
        }
        (_, present) => json!({"present": present, "verified": false}),
    };
    let fingerprint = if msg.has_fingerprint() {
        msg.verify_fingerprint()
            .map_err(|e| format!("invalid STUN message: {e}"))?;
        json!({"present": true, "verified": true})
    } else {
        json!({"present": false})
    };
    let unknown: Vec<String> = msg
        .unknown_comprehension_required()
        .map(|t| format!("{:#06x}", t.0))
        .collect();
    crate::print_json(&json!({
        "method": msg.method().name().map_or_else(|| format!("{:#05x}", msg.method().value()), String::from),
        "class": class_name(msg.class()),
        "transaction_id": msg.transaction_id().to_string(),
        "length": input.len(),
        "attributes": attributes,
        "unknown_comprehension_required": unknown,
        "message_integrity": integrity,
        "fingerprint": fingerprint,
    }))
}

/// A ChannelData message (RFC 8656 §12.4) as JSON: channel, length, padding, data as hex. Invalid
/// only when the channel number is outside 0x4000-0x4FFF or the length disagrees with the bytes
/// present (fewer than announced, or more than the padding to 4 bytes).
pub(crate) fn channel_data_json(input: &[u8]) -> Result<Value, String> {
    let cd = ChannelData::parse(input).map_err(|e| {
        let (offset, what) = channel_data_error(&e, input);
        format!("invalid ChannelData message: byte {offset}: {what}")
    })?;
    let padding = input
        .len()
        .saturating_sub(ChannelData::HEADER_LEN + cd.data.len());
    Ok(json!({
        "type": "ChannelData",
        "channel": format!("{:#06x}", cd.channel),
        "length": cd.data.len(),
        "padding": padding,
        "data": hex(cd.data),
    }))
}

/// Where a ChannelData message is wrong (byte offset) and what is wrong.
pub(crate) fn channel_data_error(e: &ChannelDataError, input: &[u8]) -> (usize, String) {
    let got = input.len();
    match *e {
        ChannelDataError::Truncated { needed, .. } if got < ChannelData::HEADER_LEN => (
            got,
            format!("header truncated: {needed} bytes needed, {got} present"),
        ),
        ChannelDataError::Truncated { needed, .. } => (
            2,
            format!(
                "length {} needs {needed} bytes, {got} present",
                needed - ChannelData::HEADER_LEN
            ),
        ),
        ChannelDataError::BadChannel(c) => {
            (0, format!("channel number {c:#06x} outside 0x4000-0x4fff"))
        }
        ChannelDataError::TrailingBytes { offset, extra } => (
            offset,
            format!("{extra} bytes follow the data (more than the padding to 4 bytes)"),
        ),
        _ => (0, e.to_string()),
    }
}

/// The name of a STUN class, as printed.
pub(crate) fn class_name(c: Class) -> &'static str {
    match c {
        Class::Request => "request",
        Class::Indication => "indication",
        Class::Success => "success",
        Class::Error => "error",
    }
}

/// The MESSAGE-INTEGRITY key: `key` as hex, or derived from `password` (short-term, or long-term
/// when the message carries a REALM).
pub(crate) fn integrity_key(
    msg: &Message<'_>,
    key: Option<&str>,
    password: Option<&str>,
) -> Result<Option<IntegrityKey>, String> {
    if let Some(hex) = key {
        return decode_hex(hex).map(|k| Some(IntegrityKey::new(&k)));
    }
    let Some(password) = password else {
        return Ok(None);
    };
    let realm = msg.attribute::<Realm>().map_err(|e| e.to_string())?;
    let key = match realm {
        None => short_term_key(password).map_err(|e| e.to_string())?,
        Some(Realm(realm)) => {
            let user = msg
                .attribute::<Username>()
                .map_err(|e| e.to_string())?
                .map(|u| u.0)
                .ok_or("long-term credentials need USERNAME (USERHASH cannot be reversed)")?;
            let sha256 = msg
                .attribute::<PasswordAlgorithm>()
                .map_err(|e| e.to_string())?
                .is_some_and(|a| a.algorithm == PasswordAlgorithm::SHA256);
            let k = if sha256 {
                long_term_key_sha256(user, realm, password)
            } else {
                long_term_key_md5(user, realm, password)
            };
            k.map_err(|e| e.to_string())?.integrity_key()
        }
    };
    Ok(Some(key))
}

fn decode_hex(s: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if digits.len() % 2 != 0 {
        return Err("hex key has an odd number of digits".into());
    }
    digits
        .chunks(2)
        .map(|c| {
            std::str::from_utf8(c)
                .ok()
                .and_then(|s| u8::from_str_radix(s, 16).ok())
                .ok_or_else(|| "key is not hex".to_string())
        })
        .collect()
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A decoded attribute's value as JSON.
pub(crate) fn attribute_json(a: &AnyAttribute<'_>) -> Value {
    match a {
        AnyAttribute::MappedAddress(v) => json!(v.0.to_string()),
        AnyAttribute::XorMappedAddress(v) => json!(v.0.to_string()),
        AnyAttribute::XorPeerAddress(v) => json!(v.0.to_string()),
        AnyAttribute::XorRelayedAddress(v) => json!(v.0.to_string()),
        AnyAttribute::AlternateServer(v) => json!(v.0.to_string()),
        AnyAttribute::Username(v) => json!(v.0),
        AnyAttribute::Realm(v) => json!(v.0),
        AnyAttribute::Nonce(v) => json!(v.0),
        AnyAttribute::Software(v) => json!(v.0),
        AnyAttribute::AlternateDomain(v) => json!(v.0),
        AnyAttribute::Userhash(v) => json!(hex(&v.0)),
        AnyAttribute::MessageIntegrity(v) => json!(hex(&v.0)),
        AnyAttribute::MessageIntegritySha256(v) => json!(hex(v.0)),
        AnyAttribute::Fingerprint(v) => json!(format!("{:#010x}", v.0)),
        AnyAttribute::ErrorCode(v) => json!({"code": v.code, "reason": v.reason}),
        AnyAttribute::PasswordAlgorithm(v) => {
            json!({"algorithm": v.algorithm, "parameters": hex(v.parameters)})
        }
        AnyAttribute::PasswordAlgorithms(v) => json!(v
            .iter()
            .map(|a| json!({"algorithm": a.algorithm, "parameters": hex(a.parameters)}))
            .collect::<Vec<_>>()),
        AnyAttribute::UnknownAttributes(v) => {
            json!(v
                .iter()
                .map(|t| format!("{:#06x}", t.0))
                .collect::<Vec<_>>())
        }
        AnyAttribute::Priority(v) => json!(v.0),
        AnyAttribute::UseCandidate(_) => json!(true),
        AnyAttribute::IceControlled(v) => json!(format!("{:#018x}", v.0)),
        AnyAttribute::IceControlling(v) => json!(format!("{:#018x}", v.0)),
        AnyAttribute::ChannelNumber(v) => json!(format!("{:#06x}", v.0)),
        AnyAttribute::Lifetime(v) => json!(v.0),
        AnyAttribute::Data(v) => json!(hex(v.0)),
        AnyAttribute::RequestedAddressFamily(v) => json!(format!("{:?}", v.0)),
        AnyAttribute::AdditionalAddressFamily(v) => json!(format!("{:?}", v.0)),
        AnyAttribute::EvenPort(v) => json!({"reserve": v.reserve}),
        AnyAttribute::RequestedTransport(v) => json!(v.0),
        AnyAttribute::DontFragment(_) => json!(true),
        AnyAttribute::ReservationToken(v) => json!(hex(&v.0)),
        AnyAttribute::AddressErrorCode(v) => {
            json!({"family": format!("{:?}", v.family), "code": v.code, "reason": v.reason})
        }
        AnyAttribute::Icmp(v) => {
            json!({"type": v.icmp_type, "code": v.icmp_code, "error_data": v.error_data})
        }
        AnyAttribute::Unknown { value, .. } => json!(hex(value)),
        _ => Value::Null,
    }
}
