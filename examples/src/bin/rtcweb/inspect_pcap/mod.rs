//! `rtcweb inspect pcap FILE [--flows] [--password PW] [--key B64]`: a pcap or pcapng capture,
//! one JSON object per packet (time, addresses, transport, kind, decoded summary, error with its
//! byte offset), or with `--flows` the summary of its SIP dialogs, ICE checks, STUN/TURN exchanges
//! and RTP/SRTP streams.
//!
//! Layers: [`file`](mod@file) reads the capture (pcap-file), [`net`] the link, IP and transport headers
//! (etherparse), [`tcp`] reassembles TCP streams and frames SIP in them, [`classify`] tells what
//! each payload is and decodes it with the crates' parsers, [`flows`] follows the conversations.

mod classify;
mod file;
mod flows;
mod net;
mod tcp;

use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use base64::Engine as _;
use rtcweb_srtp_core::{KeyingMaterial, Profile};
use serde_json::{json, Value};

use classify::{Decoded, Options};
use net::{Net, Segment, Transport};

/// Arguments of `rtcweb inspect pcap`.
#[derive(clap::Args)]
#[command(after_help = "\
Every UDP payload is classified by RFC 7983 (STUN, ChannelData, DTLS, RTP/RTCP, ZRTP) and SIP by
content on any port; TCP streams are reassembled to frame SIP (also inside WebSocket). Link types:
Ethernet, Linux cooked (tcpdump -i any), BSD loopback, raw IPv4/IPv6.

Examples:
  tcpdump -i lo -w call.pcap udp            # capture, then:
  rtcweb inspect pcap call.pcap | jq -c 'select(.kind == \"stun\") | .summary.method'
  rtcweb call --pcap call.pcap && rtcweb inspect pcap call.pcap --flows
  rtcweb inspect pcap sdes.pcapng --flows --key AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e

Exit status: 0 decoded (malformed packets are reported in the output), 1 unreadable or malformed
capture file (the error names the byte offset; the packets before it are printed), 2 usage.")]
pub struct Args {
    /// The capture file (pcap or pcapng), or `-` for standard input.
    pub file: String,
    /// Print per-flow summaries (SIP dialogs, ICE pairs, STUN/TURN exchanges, RTP/SRTP streams)
    /// instead of one line per packet.
    #[arg(long)]
    pub flows: bool,
    /// STUN password: MESSAGE-INTEGRITY is verified with the short-term key (or long-term key
    /// when the message carries a REALM). ICE checks also use the SDP's a=ice-pwd.
    #[arg(long, value_name = "PW")]
    pub password: Option<String>,
    /// SDES master key || salt (30 bytes, base64) for AES_CM_128_HMAC_SHA1_80: SRTP/SRTCP is
    /// authenticated with it in `--flows` (keys in a=crypto lines of the capture are also used).
    /// May be repeated.
    #[arg(long = "key", value_name = "B64", value_parser = parse_key)]
    pub keys: Vec<MasterKey>,
}

/// A `--key` value: 16-byte master key and 14-byte master salt.
#[derive(Clone)]
pub struct MasterKey([u8; 30]);

fn parse_key(text: &str) -> Result<MasterKey, String> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| format!("not base64: {e}"))?;
    <[u8; 30]>::try_from(raw.as_slice())
        .map(MasterKey)
        .map_err(|_| {
            format!(
                "{} bytes, AES_CM_128_HMAC_SHA1_80 needs 30 (16 key + 14 salt)",
                raw.len()
            )
        })
}

/// Runs the subcommand.
pub fn run(args: &Args) -> Result<(), String> {
    let input = crate::read_input(&args.file)?;
    let keys = args
        .keys
        .iter()
        .map(|k| {
            KeyingMaterial::from_key_salt(Profile::AesCm128HmacSha1_80, &k.0)
                .map_err(|e| format!("--key: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let settings = Settings {
        flows: args.flows,
        password: args.password.as_deref(),
        keys,
    };
    let result = inspect(&input, settings, &mut out);
    out.flush().map_err(|e| format!("writing: {e}"))?;
    result
}

/// What `inspect` does with a capture.
struct Settings<'a> {
    flows: bool,
    password: Option<&'a str>,
    keys: Vec<KeyingMaterial>,
}

/// Decodes the capture `input` and writes one JSON line per packet, or the flow summary, to
/// `out`. Returns the capture-file error (with its byte offset) after writing what came before it.
fn inspect(input: &[u8], settings: Settings<'_>, out: &mut impl Write) -> Result<(), String> {
    let opts = Options {
        password: settings.password,
    };
    let mut decoder = net::Decoder::default();
    let mut streams = tcp::Streams::default();
    let mut flows = flows::Flows::new(settings.keys, settings.password.map(str::to_string));
    let mut number = 0u64;
    let mut write_error = None;
    let read = file::read(input, |record| {
        number += 1;
        let time = seconds(record.time);
        let mut v = json!({
            "frame": number,
            "time": time,
            "offset": record.offset,
            "length": record.original_len,
        });
        match decoder.decode(record.link, &record.data) {
            Ok(Net::Segment(seg)) => describe(&mut v, &seg, opts, &mut streams, &mut flows, time),
            Ok(Net::Fragment) => v["kind"] = json!("ip-fragment"),
            Ok(Net::Other(what)) => {
                v["kind"] = json!("other");
                v["summary"] = json!({ "what": what });
            }
            Err(e) => {
                v["kind"] = json!("malformed");
                v["error"] = json!({"offset": e.offset, "message": e.message});
            }
        }
        if !settings.flows {
            if let Err(e) = writeln!(out, "{v}") {
                // Stop reading: the reader of the output went away.
                write_error = Some(format!("writing: {e}"));
                return Err(String::new());
            }
        }
        Ok(())
    });
    if let Some(e) = write_error {
        return Err(e);
    }
    if settings.flows {
        let mut summary = flows.to_json();
        if let Ok(format) = &read {
            summary["format"] = json!(format.name());
        }
        let text = serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?;
        writeln!(out, "{text}").map_err(|e| format!("writing: {e}"))?;
    }
    read.map(|_| ())
        .map_err(|e| format!("invalid capture: {e}"))
}

/// Seconds since the epoch, to the microsecond.
fn seconds(t: Duration) -> f64 {
    (t.as_micros() as f64) / 1e6
}

/// Fills in a packet's addresses, kind, summary and error; feeds the flows.
fn describe(
    v: &mut Value,
    seg: &Segment<'_>,
    opts: Options<'_>,
    streams: &mut tcp::Streams,
    flows: &mut flows::Flows,
    time: f64,
) {
    v["src"] = json!(seg.src.to_string());
    v["dst"] = json!(seg.dst.to_string());
    match seg.transport {
        Transport::Udp => {
            v["transport"] = json!("udp");
            let d = classify::datagram(&seg.payload, opts, 0);
            v["kind"] = json!(d.kind.name());
            v["summary"] = d.summary;
            if let Some((offset, message)) = d.error {
                v["error"] = json!({
                    "offset": seg.payload_offset.map(|p| p + offset),
                    "payload_offset": offset,
                    "message": message,
                });
            }
            flows.datagram(time, seg.src, seg.dst, &seg.payload, 0);
        }
        Transport::Tcp(info) => {
            v["transport"] = json!("tcp");
            v["tcp"] = json!({"seq": info.seq, "flags": info.flags(), "payload_length": seg.payload.len()});
            let items = streams.segment(seg.src, seg.dst, info, &seg.payload);
            let messages: Vec<Value> = items
                .iter()
                .map(|item| tcp_item(item, seg.src, seg.dst, flows, time))
                .collect();
            let kind = messages
                .iter()
                .find_map(|m| m["kind"].as_str().filter(|k| *k == "sip"))
                .unwrap_or("tcp");
            v["kind"] = json!(kind);
            if !messages.is_empty() {
                v["messages"] = Value::Array(messages);
            }
        }
    }
}

fn tcp_item(
    item: &tcp::Item,
    src: SocketAddr,
    dst: SocketAddr,
    flows: &mut flows::Flows,
    time: f64,
) -> Value {
    match item {
        tcp::Item::Sip { bytes, websocket } => {
            flows.sip(time, src, dst, bytes);
            let mut m = sip_message(bytes).to_json();
            m["websocket"] = json!(websocket);
            m
        }
        tcp::Item::KeepAlive => json!({"kind": "keepalive"}),
        tcp::Item::Http(line) => json!({"kind": "http", "summary": {"start_line": line}}),
        tcp::Item::WebSocket(op) => json!({"kind": "websocket", "summary": {"opcode": op}}),
        tcp::Item::Gap { skipped } => json!({"kind": "gap", "summary": {"skipped": skipped}}),
        tcp::Item::Error { offset, message } => json!({
            "kind": "error",
            "error": {"stream_offset": offset, "message": message},
        }),
    }
}

/// A SIP message framed from a stream, decoded.
fn sip_message(bytes: &[u8]) -> Decoded {
    classify::datagram(bytes, Options::default(), 1)
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::unreachable
)]
mod tests;
