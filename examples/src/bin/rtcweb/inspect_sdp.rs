//! `rtcweb inspect sdp FILE|- [--lenient]`: parse an SDP session description and print it as JSON.
//!
//! Strict by default: exit 1 with `line N: …` for the first malformed line. With `--lenient`, problems
//! are printed as warnings on stderr (and listed in the JSON) and the exit status is 0.

use rtcweb_sdp_core::attribute::{Attribute, AttributeValue, Candidate, Lifetime};
use rtcweb_sdp_core::wire::Connection;
use rtcweb_sdp_core::{LineEnding, Media, ParseOptions, SessionDescription};
use serde_json::{json, Map, Value};

/// Arguments of `rtcweb inspect sdp`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  rtcweb inspect sdp offer.sdp
  rtcweb inspect sdp --lenient - < browser-offer.sdp

Exit status: 0 valid (JSON on stdout), 1 invalid (the line and what is wrong, on stderr), 2 usage.")]
pub struct Args {
    /// The file to read, or `-` for standard input.
    pub file: String,
    /// Keep going past malformed lines the way browsers do; print them as warnings.
    #[arg(long)]
    pub lenient: bool,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> Result<(), String> {
    let input = crate::read_input(&args.file)?;
    let mut warnings = Vec::new();
    let desc = if args.lenient {
        SessionDescription::parse_with(&input, &ParseOptions::lenient(), |w| warnings.push(w))
    } else {
        SessionDescription::parse(&input)
    }
    .map_err(|e| e.to_string())?;
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    let mut out = describe(&desc);
    if args.lenient {
        if let Some(obj) = out.as_object_mut() {
            let w: Vec<Value> = warnings.iter().map(|w| json!(w.to_string())).collect();
            obj.insert("warnings".into(), Value::Array(w));
        }
    }
    crate::print_json(&out)
}

fn describe(d: &SessionDescription<'_>) -> Value {
    let o = d.origin();
    json!({
        "line_ending": match d.line_ending() {
            LineEnding::CrLf => "CRLF",
            LineEnding::Lf => "LF",
            LineEnding::Mixed => "mixed",
        },
        "origin": {
            "username": o.username,
            "session_id": o.session_id,
            "session_version": o.session_version,
            "nettype": o.nettype,
            "addrtype": o.addrtype,
            "address": o.address,
        },
        "session_name": d.session_name(),
        "timing": d.timing().map(|t| json!({"start": t.start, "stop": t.stop})),
        "connection": d.connection().map(|c| connection(&c)),
        "bandwidth": d.bandwidths().map(|b| json!({"type": b.bwtype, "value": b.bandwidth})).collect::<Vec<_>>(),
        "attributes": d.attributes().map(|a| attribute(&a)).collect::<Vec<_>>(),
        "media": d.media().map(|m| media(&m)).collect::<Vec<_>>(),
    })
}

fn connection(c: &Connection<'_>) -> Value {
    json!({
        "nettype": c.nettype,
        "addrtype": c.addrtype,
        "address": c.address,
        "ttl": c.ttl,
        "num_addresses": c.num_addresses,
    })
}

fn media(m: &Media<'_>) -> Value {
    let ml = m.media_line();
    json!({
        "media": ml.media,
        "port": ml.port,
        "num_ports": ml.num_ports,
        "proto": ml.proto,
        "formats": ml.formats().collect::<Vec<_>>(),
        "mid": m.mid(),
        "direction": m.direction().as_str(),
        "rejected": m.is_rejected(),
        "connection": m.connection().map(|c| connection(&c)),
        "bandwidth": m.bandwidths().map(|b| json!({"type": b.bwtype, "value": b.bandwidth})).collect::<Vec<_>>(),
        "attributes": m.attributes().map(|a| attribute(&a)).collect::<Vec<_>>(),
    })
}

fn candidate(c: &Candidate<'_>) -> Value {
    json!({
        "foundation": c.foundation,
        "component": c.component,
        "transport": c.transport,
        "priority": c.priority,
        "address": c.address,
        "port": c.port,
        "type": c.typ.as_str(),
        "raddr": c.raddr,
        "rport": c.rport,
        "tcptype": c.tcptype.map(|t| t.as_str()),
        "generation": c.generation,
        "ufrag": c.ufrag,
        "network_id": c.network_id,
        "network_cost": c.network_cost,
        "extensions": c.unknown_extensions().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
    })
}

/// One attribute: its name and raw value, plus the typed fields when the crate knows it.
fn attribute(a: &Attribute<'_>) -> Value {
    let mut obj = Map::new();
    obj.insert("line".into(), json!(a.line));
    obj.insert("name".into(), json!(a.name));
    obj.insert("value".into(), json!(a.value));
    let typed = match a.parse() {
        Ok(AttributeValue::Rtpmap(r)) => json!({
            "payload_type": r.payload_type, "encoding": r.encoding,
            "clock_rate": r.clock_rate, "channels": r.channels,
        }),
        Ok(AttributeValue::Fmtp(f)) => {
            let params: Map<String, Value> = f
                .parameters()
                .map(|(k, v)| (k.to_string(), json!(v)))
                .collect();
            json!({"format": f.format, "parameters": params})
        }
        Ok(AttributeValue::RtcpFb(f)) => {
            json!({"payload_type": f.payload_type, "type": f.feedback, "parameter": f.parameter})
        }
        Ok(AttributeValue::Extmap(e)) => json!({
            "id": e.id, "direction": e.direction.map(|d| d.as_str()), "uri": e.uri,
        }),
        Ok(AttributeValue::Candidate(c)) => candidate(&c),
        Ok(AttributeValue::Fingerprint(f)) => json!({"hash": f.hash_function, "value": f.value}),
        Ok(AttributeValue::Setup(s)) => json!(s.as_str()),
        Ok(AttributeValue::Group(g)) => {
            json!({"semantics": g.semantics, "mids": g.mids().collect::<Vec<_>>()})
        }
        Ok(AttributeValue::Ssrc(s)) => {
            json!({"ssrc": s.ssrc, "attribute": s.attribute, "value": s.value})
        }
        Ok(AttributeValue::SsrcGroup(g)) => {
            json!({"semantics": g.semantics, "ssrcs": g.ssrcs().collect::<Vec<_>>()})
        }
        Ok(AttributeValue::Msid(m)) => json!({"stream": m.stream_id, "track": m.track_id}),
        Ok(AttributeValue::Crypto(c)) => {
            // The key is a secret: report its size and parameters, never its bytes.
            let keys: Vec<Value> = c
                .key_params()
                .map(|k| {
                    json!({
                        "key_salt_len": k.key_salt().map(|s| s.as_bytes().len()).ok(),
                        "lifetime": k.lifetime.map(|l| match l {
                            Lifetime::PowerOfTwo(e) => format!("2^{e}"),
                            Lifetime::Packets(n) => n.to_string(),
                        }),
                        "mki": k.mki.map(|m| json!({"value": m.value, "length": m.length})),
                    })
                })
                .collect();
            json!({"tag": c.tag, "suite": c.suite, "keys": keys,
                   "session_params": c.session_params().collect::<Vec<_>>()})
        }
        Ok(AttributeValue::Rid(r)) => {
            json!({"id": r.id, "direction": r.direction.as_str(), "params": r.params})
        }
        Ok(AttributeValue::Simulcast(s)) => json!({"send": s.send, "recv": s.recv}),
        Ok(AttributeValue::SctpPort(p)) => json!(p),
        Ok(AttributeValue::MaxMessageSize(p)) => json!(p),
        Ok(
            AttributeValue::Ptime(p) | AttributeValue::Maxptime(p) | AttributeValue::Framerate(p),
        ) => {
            json!(p.to_string())
        }
        Ok(_) => Value::Null,
        Err(e) => {
            obj.insert("error".into(), json!(e.to_string()));
            Value::Null
        }
    };
    if !typed.is_null() {
        obj.insert("typed".into(), typed);
    }
    Value::Object(obj)
}
