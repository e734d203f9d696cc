//! What a payload is and what it says: SIP by content (on any port), then the RFC 7983 first-byte
//! demultiplexing of STUN, ZRTP, DTLS, TURN ChannelData and RTP/RTCP (stun-core's
//! `demux::classify`), each decoded by the crates' own parsers into a JSON summary, with the byte
//! offset of what is malformed.

use rtcweb_sdp_core::{ParseOptions, SessionDescription};
use rtcweb_sip_core::header::{CSeq, CallId, FromHeader, ToHeader, Via};
use rtcweb_sip_core::message::{Header, Limits, Message, StartLine};
use rtcweb_srtp_core::wire::{rtcp, rtp::RtpHeader};
use rtcweb_stun_core::channel_data::ChannelData;
use rtcweb_stun_core::demux::{self, Packet};
use rtcweb_stun_core::wire::attributes::Data;
use rtcweb_stun_core::wire::{Error as StunError, Message as StunMessage, Method};
use serde_json::{json, Value};

use crate::inspect_stun::{attribute_json, channel_data_error, class_name, hex, integrity_key};

/// What a payload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A SIP request or response.
    Sip,
    /// A SIP keep-alive (RFC 5626: CRLF CRLF ping, CRLF pong).
    KeepAlive,
    /// STUN or TURN.
    Stun,
    /// TURN ChannelData.
    ChannelData,
    /// A DTLS record (or several).
    Dtls,
    /// RTP (SRTP: the header is in the clear).
    Rtp,
    /// RTCP (SRTCP: the first header and sender SSRC are in the clear).
    Rtcp,
    /// ZRTP.
    Zrtp,
    /// None of these.
    Unknown,
}

impl Kind {
    /// The name printed as `kind`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Sip => "sip",
            Kind::KeepAlive => "keepalive",
            Kind::Stun => "stun",
            Kind::ChannelData => "channeldata",
            Kind::Dtls => "dtls",
            Kind::Rtp => "rtp",
            Kind::Rtcp => "rtcp",
            Kind::Zrtp => "zrtp",
            Kind::Unknown => "unknown",
        }
    }
}

/// A decoded payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// What it is.
    pub kind: Kind,
    /// What it says.
    pub summary: Value,
    /// Where it is malformed (byte offset in the payload) and how.
    pub error: Option<(usize, String)>,
}

impl Decoded {
    fn ok(kind: Kind, summary: Value) -> Self {
        Self {
            kind,
            summary,
            error: None,
        }
    }

    fn bad(kind: Kind, summary: Value, offset: usize, message: impl Into<String>) -> Self {
        Self {
            kind,
            summary,
            error: Some((offset, message.into())),
        }
    }

    /// As JSON: `kind`, `summary`, and `error` {offset, message} when malformed.
    pub fn to_json(&self) -> Value {
        let mut v = json!({"kind": self.kind.name(), "summary": self.summary});
        if let Some((offset, message)) = &self.error {
            v["error"] = json!({"offset": offset, "message": message});
        }
        v
    }
}

/// What the decoding may use.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// The STUN password (`--password`): MESSAGE-INTEGRITY is verified with it.
    pub password: Option<&'a str>,
}

/// Whether `payload` starts like a SIP message: a first line ending with `SIP/2.0` (a request)
/// or starting with `SIP/2.0 ` (a response).
pub fn looks_like_sip(payload: &[u8]) -> bool {
    let head = payload.get(..payload.len().min(2048)).unwrap_or_default();
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    line.starts_with(b"SIP/2.0 ")
        || (line.ends_with(b" SIP/2.0") && line.first().is_some_and(u8::is_ascii_uppercase))
}

/// The kind of a UDP payload: SIP first (its first byte, a capital letter, would otherwise fall in
/// the ChannelData range), keep-alives, then RFC 7983.
pub fn kind_of(payload: &[u8]) -> Kind {
    if looks_like_sip(payload) {
        return Kind::Sip;
    }
    if matches!(payload, b"\r\n\r\n" | b"\r\n") {
        return Kind::KeepAlive;
    }
    match demux::classify(payload) {
        Packet::Stun => Kind::Stun,
        Packet::Zrtp => Kind::Zrtp,
        Packet::Dtls => Kind::Dtls,
        Packet::ChannelData => Kind::ChannelData,
        Packet::Rtp if rtcweb_srtp_core::wire::rtcp::is_rtcp(payload) => Kind::Rtcp,
        Packet::Rtp => Kind::Rtp,
        // RFC 7983 leaves 0x50-0x7F to TURN channels as well; the channel check refuses them.
        _ if matches!(payload.first(), Some(0x50..=0x7f)) => Kind::ChannelData,
        _ => Kind::Unknown,
    }
}

/// Decodes a UDP payload (or the data inside ChannelData, Send and Data indications, `depth` 1).
pub fn datagram(payload: &[u8], opts: Options<'_>, depth: u8) -> Decoded {
    match kind_of(payload) {
        Kind::Sip => sip_datagram(payload),
        Kind::KeepAlive => Decoded::ok(Kind::KeepAlive, json!({"ping": payload.len() == 4})),
        Kind::Stun => stun(payload, opts, depth),
        Kind::ChannelData => channel_data(payload, opts, depth),
        Kind::Dtls => dtls(payload),
        Kind::Rtp => rtp(payload),
        Kind::Rtcp => rtcp_packet(payload),
        Kind::Zrtp => Decoded::ok(Kind::Zrtp, json!({"length": payload.len()})),
        Kind::Unknown => Decoded::ok(
            Kind::Unknown,
            json!({"length": payload.len(), "first_byte": payload.first().map(|b| format!("{b:#04x}"))}),
        ),
    }
}

/// Header storage and limits for SIP parsing.
pub const SIP_HEADERS: usize = 128;

/// SIP limits for captures: more headers than the default.
pub fn sip_limits() -> Limits {
    Limits {
        max_headers: SIP_HEADERS,
        ..Limits::DEFAULT
    }
}

fn sip_datagram(payload: &[u8]) -> Decoded {
    let mut storage = [Header::EMPTY; SIP_HEADERS];
    match rtcweb_sip_core::framing::parse_datagram(payload, &mut storage, &sip_limits()) {
        Ok(msg) => Decoded::ok(Kind::Sip, sip_summary(&msg)),
        Err(e) => Decoded::bad(Kind::Sip, json!({}), e.offset, e.to_string()),
    }
}

/// A SIP message's summary: start line, Call-ID, CSeq, tags, top Via branch, body.
pub fn sip_summary(msg: &Message<'_>) -> Value {
    let mut v = json!({"start_line": msg.start_line_raw()});
    match msg.start_line() {
        StartLine::Request { method, uri } => {
            v["method"] = json!(method.as_str());
            v["request_uri"] = json!(uri);
        }
        StartLine::Response { code, reason } => {
            v["status"] = json!(code);
            v["reason"] = json!(reason);
        }
    }
    let facts = SipFacts::of(msg);
    v["call_id"] = json!(facts.call_id);
    v["cseq"] = json!(facts.cseq.as_ref().map(|(n, m)| format!("{n} {m}")));
    v["from_tag"] = json!(facts.from_tag);
    v["to_tag"] = json!(facts.to_tag);
    v["branch"] = json!(facts.branch);
    v["body_length"] = json!(msg.body().len());
    if let Some(ct) = msg.header("Content-Type") {
        v["content_type"] = json!(ct.value());
    }
    if is_sdp(msg) {
        v["sdp"] = sdp_summary(msg.body());
    }
    v
}

/// The fields of a SIP message that identify its dialog and transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SipFacts {
    /// Call-ID.
    pub call_id: Option<String>,
    /// CSeq number and method.
    pub cseq: Option<(u32, String)>,
    /// From tag.
    pub from_tag: Option<String>,
    /// To tag.
    pub to_tag: Option<String>,
    /// The top Via's branch.
    pub branch: Option<String>,
    /// From URI.
    pub from_uri: Option<String>,
    /// To URI.
    pub to_uri: Option<String>,
}

impl SipFacts {
    /// Reads them from `msg`; a malformed header leaves its field empty.
    pub fn of(msg: &Message<'_>) -> Self {
        let call_id = msg
            .typed::<CallId>()
            .ok()
            .flatten()
            .map(|c| c.0.to_string());
        let cseq = msg
            .typed::<CSeq>()
            .ok()
            .flatten()
            .map(|c| (c.seq, c.method.as_str().to_string()));
        let from = msg.typed::<FromHeader>().ok().flatten();
        let to = msg.typed::<ToHeader>().ok().flatten();
        let branch = msg
            .typed::<Via>()
            .ok()
            .flatten()
            .and_then(|v| v.branch().map(str::to_string));
        Self {
            call_id,
            cseq,
            from_tag: from.as_ref().and_then(|f| f.0.tag()).map(str::to_string),
            to_tag: to.as_ref().and_then(|t| t.0.tag()).map(str::to_string),
            branch,
            from_uri: from.map(|f| f.0.uri.to_string()),
            to_uri: to.map(|t| t.0.uri.to_string()),
        }
    }
}

/// Whether the body is SDP (Content-Type application/sdp).
pub fn is_sdp(msg: &Message<'_>) -> bool {
    !msg.body().is_empty()
        && msg.header("Content-Type").is_some_and(|h| {
            h.value()
                .trim()
                .to_ascii_lowercase()
                .starts_with("application/sdp")
        })
}

/// An SDP body's summary: connection and, per media section, port, protocol, SDES suites (never
/// the keys), ICE ufrag and candidate count.
pub fn sdp_summary(body: &[u8]) -> Value {
    let desc = match SessionDescription::parse_with(body, &ParseOptions::lenient(), |_| {}) {
        Ok(d) => d,
        Err(e) => return json!({"error": e.to_string()}),
    };
    let media: Vec<Value> = desc
        .media()
        .map(|m| {
            json!({
                "media": m.kind(),
                "port": m.port(),
                "proto": m.media_line().proto,
                "connection": m.connection().or_else(|| desc.connection()).map(|c| c.address),
                "crypto": m.cryptos().map(|c| format!("{} {}", c.tag, c.suite)).collect::<Vec<_>>(),
                "ice_ufrag": m.ice_ufrag().or_else(|| desc.ice_ufrag()),
                "candidates": m.candidates().count(),
            })
        })
        .collect();
    json!({"connection": desc.connection().map(|c| c.address), "media": media})
}

/// A STUN message: method, class, transaction ID, attributes; MESSAGE-INTEGRITY verified with
/// `--password`, FINGERPRINT always; the data of Send and Data indications decoded (`depth` 0).
pub fn stun(payload: &[u8], opts: Options<'_>, depth: u8) -> Decoded {
    let msg = match StunMessage::parse(payload) {
        Ok(m) => m,
        Err(e) => {
            let text = e.to_string();
            let offset = match e {
                StunError::Truncated { got, .. } => got,
                _ => stun_offset(&text),
            };
            return Decoded::bad(Kind::Stun, json!({}), offset, text);
        }
    };
    let mut error = None;
    let mut attributes = Vec::new();
    for raw in msg.attributes() {
        match raw.decode(&msg.transaction_id()) {
            Ok(a) => attributes.push(json!({"name": raw.typ.name(), "value": attribute_json(&a)})),
            Err(e) => {
                attributes
                    .push(json!({"name": raw.typ.name(), "type": format!("{:#06x}", raw.typ.0)}));
                error.get_or_insert((raw.offset, format!("attribute {}: {e}", raw.typ)));
            }
        }
    }
    let method = msg.method();
    let mut v = json!({
        "method": method.name().map_or_else(|| format!("{:#05x}", method.value()), String::from),
        "class": class_name(msg.class()),
        "transaction_id": msg.transaction_id().to_string(),
        "attributes": attributes,
    });
    if msg.has_integrity() {
        v["message_integrity"] = match integrity_key(&msg, None, opts.password) {
            Ok(Some(key)) => match msg.verify_integrity(&key) {
                Ok(_) => json!({"present": true, "verified": true}),
                Err(e) => json!({"present": true, "verified": false, "error": e.to_string()}),
            },
            Ok(None) => json!({"present": true, "verified": Value::Null}),
            Err(e) => json!({"present": true, "verified": false, "error": e}),
        };
    }
    if msg.has_fingerprint() {
        v["fingerprint"] = match msg.verify_fingerprint() {
            Ok(()) => json!({"verified": true}),
            Err(e) => {
                let text = e.to_string();
                error.get_or_insert((stun_offset(&text), text.clone()));
                json!({"verified": false})
            }
        };
    }
    if depth == 0 && (method == Method::SEND || method == Method::DATA) {
        if let Ok(Some(Data(data))) = msg.attribute::<Data>() {
            v["inner"] = datagram(data, opts, 1).to_json();
        }
    }
    Decoded {
        kind: Kind::Stun,
        summary: v,
        error,
    }
}

/// stun-core's errors say `byte N: …`; the offset is read back from there (0 when absent).
fn stun_offset(text: &str) -> usize {
    text.strip_prefix("byte ")
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// TURN ChannelData: channel, length, padding, the data decoded (`depth` 0) or as hex.
pub fn channel_data(payload: &[u8], opts: Options<'_>, depth: u8) -> Decoded {
    let cd = match ChannelData::parse(payload) {
        Ok(cd) => cd,
        Err(e) => {
            let (offset, what) = channel_data_error(&e, payload);
            return Decoded::bad(Kind::ChannelData, json!({}), offset, what);
        }
    };
    let mut v = json!({
        "channel": format!("{:#06x}", cd.channel),
        "length": cd.data.len(),
        "padding": payload.len().saturating_sub(ChannelData::HEADER_LEN + cd.data.len()),
    });
    if depth == 0 && !cd.data.is_empty() {
        v["inner"] = datagram(cd.data, opts, 1).to_json();
    } else {
        v["data"] = json!(hex(cd
            .data
            .get(..cd.data.len().min(64))
            .unwrap_or_default()));
    }
    Decoded::ok(Kind::ChannelData, v)
}

/// RTP: version, payload type, marker, sequence number, timestamp, SSRC (srtp-core's header view
/// checks the version and the lengths of CSRCs and extension).
pub fn rtp(payload: &[u8]) -> Decoded {
    let header = match RtpHeader::parse(payload) {
        Ok(h) => h,
        Err(e) => return srtp_error(Kind::Rtp, payload, &e),
    };
    let byte = |i: usize| payload.get(i).copied().unwrap_or(0);
    let ts = u32::from_be_bytes([byte(4), byte(5), byte(6), byte(7)]);
    Decoded::ok(
        Kind::Rtp,
        json!({
            "ssrc": format!("{:#010x}", header.ssrc),
            "seq": header.sequence,
            "pt": byte(1) & 0x7f,
            "marker": byte(1) & 0x80 != 0,
            "timestamp": ts,
            "header_length": header.len,
            "payload_length": payload.len() - header.len,
        }),
    )
}

/// RTCP: the first packet's type and the sender SSRC (all SRTCP leaves in the clear).
pub fn rtcp_packet(payload: &[u8]) -> Decoded {
    let ssrc = match rtcp::sender_ssrc(payload) {
        Ok(s) => s,
        Err(e) => return srtp_error(Kind::Rtcp, payload, &e),
    };
    let pt = payload.get(1).copied().unwrap_or(0);
    let name = match pt {
        200 => "SR",
        201 => "RR",
        202 => "SDES",
        203 => "BYE",
        204 => "APP",
        205 => "RTPFB",
        206 => "PSFB",
        207 => "XR",
        _ => "other",
    };
    Decoded::ok(
        Kind::Rtcp,
        json!({"ssrc": format!("{ssrc:#010x}"), "pt": pt, "type": name, "length": payload.len()}),
    )
}

fn srtp_error(kind: Kind, payload: &[u8], e: &rtcweb_srtp_core::Error) -> Decoded {
    let offset = match e {
        rtcweb_srtp_core::Error::Truncated { .. } => payload.len(),
        _ => 0,
    };
    Decoded::bad(kind, json!({}), offset, e.to_string())
}

/// DTLS records (RFC 6347 §4.1): content type, version, epoch, sequence number, length; the
/// handshake message type of unencrypted (epoch 0) handshake records.
pub fn dtls(payload: &[u8]) -> Decoded {
    const HEADER: usize = 13;
    let mut records = Vec::new();
    let mut at = 0;
    while at < payload.len() {
        let Some(h) = payload.get(at..at + HEADER) else {
            let msg = format!("DTLS record header truncated: {HEADER} bytes needed");
            return Decoded::bad(Kind::Dtls, json!({"records": records}), at, msg);
        };
        let field = |i: usize| h.get(i).copied().unwrap_or(0);
        let epoch = u16::from_be_bytes([field(3), field(4)]);
        let seq = (5..11).fold(0u64, |acc, i| acc << 8 | u64::from(field(i)));
        let len = usize::from(u16::from_be_bytes([field(11), field(12)]));
        let Some(fragment) = payload.get(at + HEADER..at + HEADER + len) else {
            let msg = format!("DTLS record length {len} runs past the datagram");
            return Decoded::bad(Kind::Dtls, json!({"records": records}), at + 11, msg);
        };
        let content = match field(0) {
            20 => "change_cipher_spec",
            21 => "alert",
            22 => "handshake",
            23 => "application_data",
            24 => "heartbeat",
            _ => "other",
        };
        let version = match (field(1), field(2)) {
            (0xfe, 0xff) => "DTLS 1.0",
            (0xfe, 0xfd) => "DTLS 1.2",
            (0xfe, 0xfc) => "DTLS 1.3",
            _ => "unknown",
        };
        let mut r = json!({"content_type": content, "version": version, "epoch": epoch, "seq": seq, "length": len});
        if field(0) == 22 && epoch == 0 {
            r["handshake"] = json!(handshake_name(fragment.first().copied()));
        }
        records.push(r);
        at += HEADER + len;
    }
    Decoded::ok(Kind::Dtls, json!({"records": records}))
}

fn handshake_name(t: Option<u8>) -> &'static str {
    match t {
        Some(1) => "client_hello",
        Some(2) => "server_hello",
        Some(3) => "hello_verify_request",
        Some(11) => "certificate",
        Some(12) => "server_key_exchange",
        Some(13) => "certificate_request",
        Some(14) => "server_hello_done",
        Some(15) => "certificate_verify",
        Some(16) => "client_key_exchange",
        Some(20) => "finished",
        _ => "other",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn first_byte_and_content() {
        assert_eq!(kind_of(b"INVITE sip:a@b SIP/2.0\r\n\r\n"), Kind::Sip);
        assert_eq!(kind_of(b"SIP/2.0 200 OK\r\n\r\n"), Kind::Sip);
        assert_eq!(kind_of(b"\r\n\r\n"), Kind::KeepAlive);
        assert_eq!(kind_of(&[0, 1, 0, 0]), Kind::Stun);
        assert_eq!(kind_of(&[0x40, 0, 0, 0]), Kind::ChannelData);
        assert_eq!(kind_of(&[0x5f, 0, 0, 0]), Kind::ChannelData);
        assert_eq!(kind_of(&[22, 0xfe, 0xfd]), Kind::Dtls);
        assert_eq!(kind_of(&[0x80, 0]), Kind::Rtp);
        assert_eq!(kind_of(&[0x80, 200]), Kind::Rtcp);
        assert_eq!(kind_of(&[16]), Kind::Zrtp);
        assert_eq!(kind_of(&[0xff]), Kind::Unknown);
        // "I" (0x49) is in the ChannelData range: only a SIP-looking line makes it SIP.
        assert_eq!(kind_of(b"INFO"), Kind::ChannelData);
    }

    #[test]
    fn channel_data_inner_rtp_and_errors() {
        let mut cd = vec![0x40, 0x01, 0, 12];
        cd.extend_from_slice(&[0x80, 0, 0, 7, 0, 0, 0, 9, 0xde, 0xad, 0xbe, 0xef]);
        let d = datagram(&cd, Options::default(), 0);
        assert_eq!(d.kind, Kind::ChannelData);
        assert_eq!(d.summary["channel"], "0x4001");
        assert_eq!(d.summary["inner"]["kind"], "rtp");
        assert_eq!(d.summary["inner"]["summary"]["seq"], 7);
        let bad = datagram(&cd[..10], Options::default(), 0);
        assert_eq!(bad.error.unwrap().0, 2, "the length field is wrong");
        let reserved = datagram(&[0x50, 0, 0, 0], Options::default(), 0);
        assert!(reserved.error.unwrap().1.contains("0x5000"));
        let trailing = datagram(&[0x40, 0, 0, 1, 9, 0, 0, 0, 1], Options::default(), 0);
        assert_eq!(trailing.error.unwrap().0, 5);
    }

    #[test]
    fn dtls_records() {
        let mut p = vec![22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 1, 0];
        let d = dtls(&p);
        assert_eq!(d.summary["records"][0]["handshake"], "client_hello");
        assert_eq!(d.summary["records"][0]["version"], "DTLS 1.2");
        p[12] = 9;
        assert_eq!(dtls(&p).error.unwrap().0, 11);
    }

    #[test]
    fn stun_offsets_from_messages() {
        assert_eq!(stun_offset("byte 76: MESSAGE-INTEGRITY mismatch"), 76);
        assert_eq!(stun_offset("truncated"), 0);
    }
}
