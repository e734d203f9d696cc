//! `rtcweb gateway`: the WebRTC-to-SIP gateway sketch on loopback — a WebRTC-style caller (ICE +
//! SRTP) calls a plain SIP phone (RTP) through a B2BUA that relays the media. With `--ws`, the
//! browser gateway instead: browsers (JsSIP, SIP over WebSocket) call the `--trunk` phone, DTLS-SRTP
//! on their side, plain RTP on the phone's (`rtcweb_cli::gateway::browser`).

use std::time::Duration;

use rtcweb_cli::capture::Capture;
use rtcweb_cli::gateway::demo;

/// Arguments of `rtcweb gateway`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  rtcweb gateway --seconds 3 --pcap gw.pcap      the narrated one-call sketch
  rtcweb gateway --ws 127.0.0.1:8088 --trunk 127.0.0.1:5070 [--json]
                                                  browsers (JsSIP, SIP.js) on ws://127.0.0.1:8088
  rtcweb gateway --ws 0.0.0.0:8443 --trunk 10.0.0.5:5060 --tls-cert cert.pem --tls-key key.pem
                 --auth-secret S                  wss://, browsers register with ephemeral credentials:
                                                  user \"<expiry>:<name>\", password
                                                  base64(HMAC-SHA1(S, user)) (Kamailio auth_ephemeral)

Exit status: 0 ok, 1 when the call failed or a socket could not be opened, 2 usage.")]
pub struct Args {
    /// Seconds of media before the WebRTC side hangs up.
    #[arg(long, default_value_t = 3)]
    pub seconds: u64,
    /// Write every datagram of the three parties to this pcap file (Ethernet/IP/UDP headers
    /// synthesized), for Wireshark or `rtcweb inspect pcap FILE --flows`.
    #[arg(long, value_name = "FILE")]
    pub pcap: Option<std::path::PathBuf>,
    /// Listen for browsers (SIP over WebSocket, `ws://` + this) and bridge their calls to
    /// `--trunk` (runs until interrupted).
    #[arg(long, value_name = "ADDR", requires = "trunk")]
    pub ws: Option<std::net::SocketAddr>,
    /// The SIP phone or trunk the browsers' calls go to, with `--ws`.
    #[arg(long, value_name = "HOST:PORT")]
    pub trunk: Option<std::net::SocketAddr>,
    /// With `--ws`: SIP to the trunk over `udp` or `tcp` (RFC 3261 §18; over TCP the gateway
    /// also listens on its SIP port for the trunk's own connections).
    #[arg(long, value_name = "udp|tcp", default_value = "udp", requires = "ws",
          value_parser = ["udp", "tcp"])]
    pub trunk_transport: String,
    /// With `--ws`: offer the trunk SRTP keyed by SDES (RTP/SAVP, a=crypto, RFC 4568) and
    /// require it in its answer; a trunk's own RTP/SAVP offer is answered with SDES either way.
    #[arg(long, requires = "ws")]
    pub trunk_srtp: bool,
    /// With `--ws`: print each call's statistics at hang-up as one JSON object per line
    /// (otherwise one line of text).
    #[arg(long, requires = "ws")]
    pub json: bool,
    /// With `--ws`: most calls at once (two UDP sockets each); more get 503 with Retry-After.
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub max_calls: usize,
    /// With `--ws`: end a call (BYE on both legs) when the phone has sent no RTP or RTCP for
    /// this many seconds while it should be sending (not on hold); 0: never.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub media_timeout: u64,
    /// With `--ws`: serve secure WebSocket (`wss://`, RFC 7118) with this certificate chain
    /// (PEM), and `--tls-key`.
    #[arg(long, value_name = "PEM", requires_all = ["ws", "tls_key"])]
    pub tls_cert: Option<std::path::PathBuf>,
    /// The private key (PEM) of `--tls-cert`.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<std::path::PathBuf>,
    /// With `--ws`: browsers register with ephemeral credentials derived from this shared
    /// secret (Kamailio auth_ephemeral, TURN REST): username `<expiry unix time>:<user>`,
    /// password base64(HMAC-SHA1(SECRET, username)); expired ones are challenged again (401).
    /// Without it, any user registers without credentials.
    #[arg(long, value_name = "SECRET", requires = "ws")]
    pub auth_secret: Option<String>,
}

/// `--ws`: the browser gateway, printing what it does until interrupted, and each call's
/// statistics when it ends (one line of text, or one JSON object with `--json`).
fn run_browser_gateway(
    args: &Args,
    ws: std::net::SocketAddr,
    trunk: std::net::SocketAddr,
) -> Result<(), String> {
    use rtcweb_cli::gateway::browser::{BrowserGateway, BrowserGatewayConfig};
    let (max_calls, json) = (args.max_calls, args.json);
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| format!("random seed: {e}"))?;
    let mut cfg = BrowserGatewayConfig::new(ws, trunk, seed);
    cfg.max_calls = max_calls;
    cfg.media_timeout = (args.media_timeout > 0).then(|| Duration::from_secs(args.media_timeout));
    cfg.trunk_srtp = args.trunk_srtp;
    if args.trunk_transport == "tcp" {
        cfg.trunk_transport = rtcweb_proto::Transport::Tcp;
    }
    cfg.auth_secret.clone_from(&args.auth_secret);
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        cfg.tls = Some(rtcweb_cli::sip_stream::server_config(cert, key)?);
    }
    let gw = BrowserGateway::start(cfg).map_err(|e| format!("gateway on {ws}: {e}"))?;
    let auth = if args.auth_secret.is_some() {
        "ephemeral credentials (--auth-secret)"
    } else {
        "no credentials"
    };
    println!(
        "browser gateway: JsSIP WebSocketInterface('{}'), calls go to sip:phone@{trunk}; \
         the trunk reaches browsers registered in example.com with {auth} (at most {max_calls} calls)",
        gw.url()
    );
    let mut shown = 0u64;
    let mut printed = std::collections::BTreeSet::new();
    let mut last = (0, 0);
    for tick in 0u64.. {
        std::thread::sleep(Duration::from_millis(200));
        let st = gw.stats();
        // `shown` counts lines since the start; the log keeps the latest.
        let skip = usize::try_from(shown.saturating_sub(st.log_dropped)).unwrap_or(usize::MAX);
        for line in st.log.iter().skip(skip) {
            if !json {
                println!("{line}");
            }
        }
        shown = st.log_dropped + st.log.len() as u64;
        // Calls end in any order: each is printed once.
        for call in &st.finished {
            if printed.insert(call.call) && json {
                println!("{}", call.json());
            }
        }
        printed.retain(|k| st.finished.iter().any(|c| c.call == *k));
        // Every 2 s while media flows.
        if !json && tick % 10 == 0 && (st.web_to_phone, st.phone_to_web) != last {
            println!(
                "{} calls: relayed {} browser->phone, {} phone->browser ({} refused)",
                st.active_calls, st.web_to_phone, st.phone_to_web, st.refused
            );
            last = (st.web_to_phone, st.phone_to_web);
        }
    }
    Ok(())
}

/// Runs the subcommand.
pub fn run(args: &Args) -> Result<(), String> {
    if let (Some(ws), Some(trunk)) = (args.ws, args.trunk) {
        return run_browser_gateway(args, ws, trunk);
    }
    let capture = args.pcap.as_deref().map(Capture::create).transpose()?;
    let report = demo::run_captured(Duration::from_secs(args.seconds), capture.as_ref());
    if let (Some(c), Some(path)) = (&capture, &args.pcap) {
        let frames = c.finish()?;
        println!("wrote {frames} datagrams to {}", path.display());
    }
    let report = report?;
    let r = &report.relayed;
    println!();
    println!(
        "gateway relayed {} SRTP->RTP and {} RTP->SRTP packets ({} refused); phone sent {} and received {}; WebRTC side verified {}",
        r.web_to_phone, r.phone_to_web, r.refused, report.phone.0, report.phone.1, report.caller.received.verified
    );
    report.check()?;
    println!(
        "gateway call completed: WebRTC (ICE + SRTP) <-> B2BUA <-> SIP phone (RTP), BYE relayed"
    );
    Ok(())
}
