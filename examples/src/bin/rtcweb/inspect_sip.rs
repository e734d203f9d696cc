//! `rtcweb inspect sip`: parse a SIP message (RFC 3261) and print it as JSON, with typed values for
//! the headers sip-core knows. Exit 1 with a one-line error (byte offset and rule) when a UA or proxy
//! must reject the message: a parse error or a failed §8.2 check.

use rtcweb_sip_core::header::{
    AuthParams, CSeq, CallId, Contact, ContentType, Event, FromHeader, MaxForwards, NameAddr,
    PAssertedIdentity, Path, RAck, Reason, RecordRoute, ReferTo, ReferredBy, Replaces, RetryAfter,
    Route, SessionExpires, SubscriptionState, ToHeader, TypedHeader, Via,
};
use rtcweb_sip_core::message::validate::validate;
use rtcweb_sip_core::message::{Header, HeaderName, Limits, Message, StartLine};
use rtcweb_sip_core::uri::{Host, Uri};
use serde_json::{json, Map, Value};

/// Arguments of `rtcweb inspect sip`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  rtcweb inspect sip invite.txt
  printf 'OPTIONS sip:a@b SIP/2.0\\r\\n...' | rtcweb inspect sip -

Exit status: 0 valid (JSON on stdout), 1 invalid (the offset and what is wrong, on stderr), 2 usage.")]
pub struct Args {
    /// The file to read, or `-` for standard input.
    pub file: String,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> Result<(), String> {
    let input = crate::read_input(&args.file)?;
    let mut storage = [Header::EMPTY; 256];
    let limits = Limits {
        max_headers: 256,
        ..Limits::DEFAULT
    };
    let msg = Message::parse_with(&input, &mut storage, &limits)
        .map_err(|e| format!("invalid SIP message: {e}"))?;
    validate(&msg).map_err(|e| format!("invalid SIP message (answer {}): {e}", e.status_code()))?;
    crate::print_json(&to_json(&msg))
}

fn host_json(h: &Host<'_>) -> Value {
    Value::String(h.to_string())
}

fn uri_json(text: &str) -> Value {
    match Uri::parse(text) {
        Ok(Uri::Sip(u)) => json!({
            "scheme": if u.secure { "sips" } else { "sip" },
            "user": u.user,
            "host": host_json(&u.host),
            "port": u.port,
            "params": u.params.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
            "headers": u.headers,
        }),
        Ok(Uri::Tel(t)) => {
            json!({ "scheme": "tel", "number": t.number, "params": t.params.as_str() })
        }
        Ok(Uri::Other { scheme, rest }) => json!({ "scheme": scheme, "opaque": rest }),
        Err(e) => json!({ "error": e.to_string() }),
    }
}

fn name_addr_json(a: &NameAddr<'_>) -> Value {
    json!({
        "display_name": a.display_name_chars().collect::<String>(),
        "uri": a.uri,
        "parsed_uri": uri_json(a.uri),
        "tag": a.tag(),
        "params": a.params.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
    })
}

fn auth_json(a: &AuthParams<'_>) -> Value {
    let mut m = Map::new();
    for (n, v) in a.iter() {
        m.insert(n.to_ascii_lowercase(), Value::String(v.to_owned()));
    }
    json!({ "scheme": a.scheme, "params": m })
}

fn one<'a, H: TypedHeader<'a>>(value: &'a str, f: impl Fn(H) -> Value) -> Value {
    let items: Vec<Value> = if H::LIST {
        rtcweb_sip_core::header::split_list(value)
            .map(|(v, _)| H::parse(v).map_or_else(|(k, _)| json!({ "error": k.to_string() }), &f))
            .collect()
    } else {
        vec![H::parse(value).map_or_else(|(k, _)| json!({ "error": k.to_string() }), &f)]
    };
    if H::LIST {
        Value::Array(items)
    } else {
        items.into_iter().next().unwrap_or(Value::Null)
    }
}

fn typed(h: &Header<'_>) -> Option<Value> {
    let v = h.value();
    Some(match h.id() {
        HeaderName::Via => one::<Via>(v, |x| {
            json!({
                "protocol": format!("{}/{}", x.protocol, x.version), "transport": x.transport,
                "host": host_json(&x.host), "port": x.port, "branch": x.branch(), "received": x.received(),
                "rport": x.rport().map(|p| p.map_or(Value::Bool(true), |n| json!(n))), "maddr": x.maddr(), "ttl": x.ttl(),
            })
        }),
        HeaderName::From => one::<FromHeader>(v, |x| name_addr_json(&x)),
        HeaderName::To => one::<ToHeader>(v, |x| name_addr_json(&x)),
        HeaderName::Route => one::<Route>(v, |x| name_addr_json(&x)),
        HeaderName::RecordRoute => one::<RecordRoute>(v, |x| name_addr_json(&x)),
        HeaderName::Path => one::<Path>(v, |x| name_addr_json(&x)),
        HeaderName::ReferTo => one::<ReferTo>(v, |x| name_addr_json(&x)),
        HeaderName::ReferredBy => one::<ReferredBy>(v, |x| name_addr_json(&x)),
        HeaderName::PAssertedIdentity => one::<PAssertedIdentity>(v, |x| name_addr_json(&x)),
        HeaderName::Contact => one::<Contact>(v, |x| match x {
            Contact::Star(_) => json!({ "star": true, "expires": x.expires() }),
            Contact::Addr(a) => {
                let mut j = name_addr_json(&a);
                j["expires"] = json!(x.expires());
                j["q"] = json!(x.q().map(|q| f64::from(q) / 1000.0));
                j["sip_instance"] = json!(x.sip_instance());
                j["reg_id"] = json!(x.reg_id());
                j
            }
        }),
        HeaderName::CallId => one::<CallId>(v, |x| json!(x.0)),
        HeaderName::CSeq => {
            one::<CSeq>(v, |x| json!({ "seq": x.seq, "method": x.method.as_str() }))
        }
        HeaderName::RAck => one::<RAck>(
            v,
            |x| json!({ "rseq": x.rseq, "cseq": x.cseq, "method": x.method.as_str() }),
        ),
        HeaderName::MaxForwards => one::<MaxForwards>(v, |x| json!(x.0)),
        HeaderName::ContentLength
        | HeaderName::Expires
        | HeaderName::MinExpires
        | HeaderName::RSeq => one::<MaxForwardsLike>(v, |x| json!(x.0)),
        HeaderName::ContentType => one::<ContentType>(
            v,
            |x| json!({ "type": x.kind, "subtype": x.subtype, "params": x.params.as_str() }),
        ),
        HeaderName::Allow
        | HeaderName::Supported
        | HeaderName::Require
        | HeaderName::ProxyRequire
        | HeaderName::Unsupported
        | HeaderName::AllowEvents => Value::Array(
            rtcweb_sip_core::header::split_list(v)
                .map(|(t, _)| Value::String(t.to_owned()))
                .collect(),
        ),
        HeaderName::Authorization | HeaderName::ProxyAuthorization => {
            one::<rtcweb_sip_core::header::Authorization>(v, |x| auth_json(&x))
        }
        // A challenge header may carry several challenges (RFC 7235 §4.1): one entry each.
        HeaderName::WwwAuthenticate | HeaderName::ProxyAuthenticate => Value::Array(
            rtcweb_sip_core::header::challenges(v)
                .map(|c| {
                    c.map_or_else(
                        |(k, _)| json!({ "error": k.to_string() }),
                        |x| auth_json(&x),
                    )
                })
                .collect(),
        ),
        HeaderName::SessionExpires => one::<SessionExpires>(
            v,
            |x| json!({ "delta": x.delta, "refresher": x.refresher() }),
        ),
        HeaderName::Event => one::<Event>(v, |x| json!({ "package": x.package, "id": x.id() })),
        HeaderName::SubscriptionState => one::<SubscriptionState>(
            v,
            |x| json!({ "state": x.state, "expires": x.expires(), "reason": x.reason() }),
        ),
        HeaderName::Replaces => one::<Replaces>(
            v,
            |x| json!({ "call_id": x.call_id, "to_tag": x.to_tag(), "from_tag": x.from_tag(), "early_only": x.early_only() }),
        ),
        HeaderName::Reason => one::<Reason>(
            v,
            |x| json!({ "protocol": x.protocol, "cause": x.cause(), "text": x.text() }),
        ),
        HeaderName::RetryAfter => one::<RetryAfter>(
            v,
            |x| json!({ "delta": x.delta, "comment": x.comment, "duration": x.duration() }),
        ),
        _ => return None,
    })
}

/// Any single-number header, for display.
struct MaxForwardsLike(u32);

impl<'a> TypedHeader<'a> for MaxForwardsLike {
    const NAME: &'static str = MaxForwards::NAME;
    const LIST: bool = false;
    fn parse(value: &'a str) -> rtcweb_sip_core::header::ParseResult<Self> {
        MaxForwards::parse(value).map(|m| Self(m.0))
    }
}

fn to_json(msg: &Message<'_>) -> Value {
    let start = match msg.start_line() {
        StartLine::Request { method, uri } => json!({
            "kind": "request", "method": method.as_str(), "request_uri": uri, "parsed_uri": uri_json(uri),
            "version": "SIP/2.0",
        }),
        StartLine::Response { code, reason } => {
            json!({ "kind": "response", "status": code, "reason": reason, "version": "SIP/2.0" })
        }
    };
    let headers: Vec<Value> = msg
        .headers()
        .iter()
        .map(|h| {
            let mut o = json!({ "name": h.name(), "value": h.value(), "offset": h.offset() });
            if let Some(c) = h.id().canonical() {
                o["canonical_name"] = json!(c);
            }
            if let Some(t) = typed(h) {
                o["typed"] = t;
            }
            o
        })
        .collect();
    json!({
        "start_line": start,
        "headers": headers,
        "body_length": msg.body().len(),
        "content_length": msg.content_length(),
    })
}
