//! `rtcweb options URI --dns ADDR`: reach a SIP URI the way RFC 3263 says — NAPTR, SRV and
//! A/AAAA from a name server, then an OPTIONS request (RFC 3261 §11) to each target in order,
//! failing over to the next on a transaction timeout (Timer F) or a 503 (§4.3) — and print what
//! happened as JSON.

use std::net::{SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::time::Duration;

use rtcweb_cli::dns::{select, Dns};
use rtcweb_cli::runtime::{random_bytes, random_seed, Clock};
use rtcweb_cli::sip_stream::{client_config, Streams};
use rtcweb_proto::{Rng, Transport};
use rtcweb_sip_core::message::{Header, Message};
use rtcweb_sip_core::resolve::{RecordType, SelectionConfig, Target};
use rtcweb_sip_core::transaction::{
    LayerConfig, Peer, TimerConfig, TransactionEvent, TransactionLayer,
};
use rtcweb_sip_core::uri::{Host, Uri};
use serde_json::json;

use crate::driver::recv_until;

/// Arguments of `rtcweb options`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  rtcweb options sip:alice@example.test --dns 127.0.0.1:5353
  rtcweb options sips:example.com --dns 9.9.9.9:53 --ca ca.pem --t1-ms 200

UDP, TCP and TLS targets are contacted (TLS verified against --ca for the URI's domain,
RFC 5922); WebSocket targets are listed and skipped, as a failure would be.
Exit status: 0 when a target answered with a final response other than 503 (printed), 1 when
DNS found no target or every target failed, 2 usage.")]
pub struct Args {
    /// The SIP or SIPS URI to reach.
    pub uri: String,
    /// The DNS server to ask, IP:PORT.
    #[arg(long, default_value = "127.0.0.1:53")]
    pub dns: SocketAddr,
    /// SIP Timer T1 in milliseconds: Timer F, after which the next target is tried, is 64·T1.
    #[arg(long, default_value_t = 500)]
    pub t1_ms: u64,
    /// Each DNS lookup's timeout in milliseconds.
    #[arg(long, default_value_t = 2000)]
    pub dns_timeout_ms: u64,
    /// Trust the certificates in this PEM file for TLS targets (`sips:`).
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
}

fn transport_name(t: Transport) -> &'static str {
    match t {
        Transport::Udp => "udp",
        Transport::Tcp => "tcp",
        Transport::Tls => "tls",
        Transport::Ws => "ws",
        Transport::Wss => "wss",
    }
}

fn record_type_name(t: RecordType) -> &'static str {
    match t {
        RecordType::Naptr => "NAPTR",
        RecordType::Srv => "SRV",
        RecordType::A => "A",
        RecordType::Aaaa => "AAAA",
    }
}

/// Runs the subcommand.
pub fn run(args: &Args) -> Result<(), String> {
    let dns = Dns::new(args.dns, Duration::from_millis(args.dns_timeout_ms))?;
    let mut rng = Rng::from_seed(random_seed());
    let (mut selection, asked) = select(&args.uri, &dns, SelectionConfig::default(), rng.fork())?;
    let queries: Vec<_> = asked
        .iter()
        .map(|a| {
            json!({
                "name": a.query.name,
                "type": record_type_name(a.query.record_type),
                "records": a.records,
                "error": a.error,
            })
        })
        .collect();
    let targets: Vec<_> = selection
        .targets()
        .unwrap_or_default()
        .iter()
        .map(|t| json!({"transport": transport_name(t.transport), "address": t.addr.to_string()}))
        .collect();
    let client_tls = args.ca.as_deref().map(client_config).transpose()?;
    let domain = uri_domain(&args.uri);
    let mut attempts = Vec::new();
    let mut answered = None;
    while let Some(target) = selection.next_target() {
        let outcome = match target.transport {
            Transport::Udp | Transport::Tcp | Transport::Tls => options_to(
                &args.uri,
                &domain,
                target,
                args.t1_ms,
                client_tls.clone(),
                &mut rng,
            )?,
            Transport::Ws | Transport::Wss => Outcome::Skipped,
        };
        let result = match &outcome {
            Outcome::Final(code, _) => code.to_string(),
            Outcome::Timeout => "timeout".to_string(),
            Outcome::Skipped => "skipped: transport not supported here".to_string(),
        };
        attempts.push(json!({
            "transport": transport_name(target.transport),
            "address": target.addr.to_string(),
            "result": result,
        }));
        // §4.3: a 503 or a timeout moves on to the next target; any other final response ends.
        if let Outcome::Final(code, line) = outcome {
            if code != 503 {
                answered = Some((code, line, target));
                break;
            }
        }
    }
    let report = json!({
        "uri": args.uri,
        "dns": args.dns.to_string(),
        "queries": queries,
        "targets": targets,
        "attempts": attempts,
        "status": answered.as_ref().map(|a| a.0),
        "reason": answered.as_ref().map(|a| a.1.clone()),
        "answered_by": answered.as_ref().map(|a| a.2.addr.to_string()),
    });
    crate::print_json(&report)?;
    match answered {
        Some(_) => Ok(()),
        None if targets.is_empty() => Err(format!("{}: DNS gave no target", args.uri)),
        None => Err(format!("{}: every target failed", args.uri)),
    }
}

/// What one target did with the OPTIONS.
enum Outcome {
    /// A final response: its code and status line.
    Final(u16, String),
    /// Timer F fired.
    Timeout,
    /// Not a transport this command speaks.
    Skipped,
}

/// The host of a SIP URI (the name a TLS certificate must carry, RFC 5922 §7).
fn uri_domain(uri: &str) -> String {
    let Ok(parsed) = Uri::parse(uri) else {
        return String::new();
    };
    match parsed.as_sip().map(|s| s.host) {
        Some(Host::Domain(d)) => d.to_string(),
        Some(Host::Ipv4(ip)) => ip.to_string(),
        Some(Host::Ipv6(ip, _)) => ip.to_string(),
        None => String::new(),
    }
}

/// One OPTIONS client transaction to `target` (RFC 3261 §17.1.2: retransmissions over UDP,
/// none over TCP/TLS, Timer F either way, from the transaction layer).
fn options_to(
    uri: &str,
    domain: &str,
    target: Target,
    t1_ms: u64,
    client_tls: Option<std::sync::Arc<rustls::ClientConfig>>,
    rng: &mut Rng,
) -> Result<Outcome, String> {
    let local = if target.addr.is_ipv4() {
        "0.0.0.0:0"
    } else {
        "[::]:0"
    };
    let socket = UdpSocket::bind(local).map_err(|e| format!("binding UDP socket: {e}"))?;
    let reliable = target.transport != Transport::Udp;
    let (streams, stream_rx) = Streams::new(client_tls);
    // Over a connection, the sent-by is a name that is never resolved: the response comes back
    // on the connection (§18.2.2).
    let me = if reliable {
        "rtcweb.invalid".to_string()
    } else {
        socket.local_addr().map_err(|e| e.to_string())?.to_string()
    };
    let via_transport = match target.transport {
        Transport::Tcp => "TCP",
        Transport::Tls => "TLS",
        _ => "UDP",
    };
    let clock = Clock::new();
    let mut cfg = LayerConfig::default();
    cfg.timers = TimerConfig {
        t1: Duration::from_millis(t1_ms.max(1)),
        ..cfg.timers
    };
    let mut layer = TransactionLayer::new(cfg);
    let hex = |b: [u8; 8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let branch = format!("z9hG4bK{}", hex(random_bytes()));
    let request = format!(
        "OPTIONS {uri} SIP/2.0\r\n\
         Via: SIP/2.0/{via_transport} {me};branch={branch};rport\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:rtcweb@{me}>;tag={tag}\r\n\
         To: <{uri}>\r\n\
         Call-ID: {call_id}\r\n\
         CSeq: 1 OPTIONS\r\n\
         Accept: application/sdp\r\n\
         Content-Length: 0\r\n\r\n",
        tag = hex(rng.next_u64().to_be_bytes()),
        call_id = hex(rng.next_u64().to_be_bytes()),
    );
    let peer = Peer {
        addr: target.addr,
        transport: target.transport,
    };
    let tx = layer
        .send_request(clock.now(), peer, request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut out = [0u8; 65_535];
    let mut rx = [0u8; 65_535];
    loop {
        let now = clock.now();
        layer.handle_timeout(now);
        while let Ok(Some(t)) = layer.poll_transmit(now, &mut out) {
            if reliable {
                // A connection that cannot be made counts as no answer: Timer F moves on.
                let _ = streams.send(Peer::from(t), domain, &out[..t.len]);
            } else {
                let _ = socket.send_to(&out[..t.len], t.destination);
            }
        }
        while let Some(event) = layer.poll_event() {
            match event {
                TransactionEvent::Response { tx: id, message } if id == tx => {
                    let mut st = [Header::EMPTY; 64];
                    if let Ok(msg) = Message::parse(&message, &mut st) {
                        if let Some(code) = msg.status().filter(|c| *c >= 200) {
                            return Ok(Outcome::Final(code, msg.start_line_raw().to_string()));
                        }
                    }
                }
                TransactionEvent::Timeout { tx: id } if id == tx => return Ok(Outcome::Timeout),
                _ => {}
            }
        }
        if reliable {
            let wait = layer
                .poll_timeout()
                .map_or(Duration::from_millis(100), |d| clock.until(d));
            if let Ok(m) = stream_rx.recv_timeout(wait) {
                let _ = layer.handle_receive(clock.now(), m.peer, &m.bytes);
            }
        } else if let Some((n, from)) = recv_until(&socket, &clock, layer.poll_timeout(), &mut rx)?
        {
            let _ = layer.handle_receive(clock.now(), Peer::udp(from), &rx[..n]);
        }
    }
}
