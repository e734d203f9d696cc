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
    /// The SIP phone or trunk (UDP) the browsers' calls go to, with `--ws`.
    #[arg(long, value_name = "HOST:PORT")]
    pub trunk: Option<std::net::SocketAddr>,
    /// With `--ws`: print each call's statistics at hang-up as one JSON object per line
    /// (otherwise one line of text).
    #[arg(long, requires = "ws")]
    pub json: bool,
    /// With `--ws`: most calls at once (two UDP sockets each); more get 503 with Retry-After.
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub max_calls: usize,
}

/// `--ws`: the browser gateway, printing what it does until interrupted, and each call's
/// statistics when it ends (one line of text, or one JSON object with `--json`).
fn run_browser_gateway(
    ws: std::net::SocketAddr,
    trunk: std::net::SocketAddr,
    max_calls: usize,
    json: bool,
) -> Result<(), String> {
    use rtcweb_cli::gateway::browser::{BrowserGateway, BrowserGatewayConfig};
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| format!("random seed: {e}"))?;
    let mut cfg = BrowserGatewayConfig::new(ws, trunk, seed);
    cfg.max_calls = max_calls;
    let gw = BrowserGateway::start(cfg).map_err(|e| format!("gateway on {ws}: {e}"))?;
    println!(
        "browser gateway: JsSIP WebSocketInterface('ws://{}'), calls go to sip:phone@{trunk}; \
         the trunk reaches browsers registered in example.com (at most {max_calls} calls)",
        gw.local_addr()
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
                "{} calls: relayed {} SRTP->RTP, {} RTP->SRTP ({} refused)",
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
        return run_browser_gateway(ws, trunk, args.max_calls, args.json);
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
