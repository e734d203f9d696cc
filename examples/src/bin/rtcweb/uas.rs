//! `rtcweb uas --listen HOST:PORT`: a SIP user agent server over UDP built on sip-core's
//! `UserAgent` that answers every INVITE with 200 OK and a plain RTP/AVP PCMU answer, takes the
//! ACK and the BYE, and prints its counters as JSON when it stops: the target of a load client
//! such as `sipp -sn uac` (scripts/sipp-load.sh). No media is sent. With `--tcp` and/or `--tls`
//! it also takes SIP over TCP and TLS (RFC 3261 §18, `src/sip_stream.rs`): responses go back on
//! the connection the request came on.

use std::net::{SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::time::Duration;

use rtcweb_cli::runtime::{random_seed, Clock};
use rtcweb_cli::sip_stream::{server_config, Streams};
use rtcweb_proto::time::InstantExt as _;
use rtcweb_sip_core::transaction::{LayerConfig, Peer};
use rtcweb_sip_core::ua::{UaConfig, UaEvent, UserAgent};

use crate::driver::{recv_until, resolve};

/// Arguments of `rtcweb uas`.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  rtcweb uas --listen 127.0.0.1:5070 --seconds 30 &\n  \
    sipp -sn uac -r 100 -m 3000 127.0.0.1:5070\n  \
    rtcweb uas --listen 127.0.0.1:5070 --tls 127.0.0.1:5071 --cert cert.pem --key key.pem\n\n\
    Exit status: 0 after printing the counters, 1 when a socket or the certificate fails, 2 usage."
)]
pub struct Args {
    /// Where to listen for SIP over UDP, HOST:PORT.
    #[arg(long, default_value = "127.0.0.1:5070")]
    pub listen: String,
    /// Stop after this many seconds (0: run until killed).
    #[arg(long, default_value_t = 0)]
    pub seconds: u64,
    /// Most simultaneous calls; further INVITEs are answered 486 (RFC 3261 §21.4.24).
    #[arg(long, default_value_t = 10_000)]
    pub max_calls: usize,
    /// Most live transactions. Over UDP each call leaves its INVITE and BYE server transactions
    /// for 32 s after their final response (RFC 6026 Timer L, RFC 3261 Timer J), so a rate of R
    /// calls/s needs about 64·R; past this, requests are answered 503.
    #[arg(long, default_value_t = 262_144)]
    pub max_transactions: usize,
    /// Stop after this many calls have ended (0: no limit).
    #[arg(long, default_value_t = 0)]
    pub calls: u64,
    /// Also take SIP over TCP on this address.
    #[arg(long, value_name = "ADDR")]
    pub tcp: Option<SocketAddr>,
    /// Also take SIP over TLS on this address (`sips:`), with --cert and --key.
    #[arg(long, value_name = "ADDR", requires_all = ["cert", "key"])]
    pub tls: Option<SocketAddr>,
    /// The TLS certificate chain (PEM).
    #[arg(long, value_name = "FILE")]
    pub cert: Option<PathBuf>,
    /// The TLS private key (PEM).
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
}

/// What the UAS saw, printed as JSON at the end.
#[derive(Default)]
struct Counters {
    invites: u64,
    answered: u64,
    confirmed: u64,
    ended: u64,
    refused: u64,
    peak_calls: u64,
    live: u64,
    datagrams_in: u64,
    datagrams_out: u64,
    malformed: u64,
    refers: u64,
}

/// Resident memory of this process in KiB (Linux `/proc/self/status`), when readable.
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn answer_sdp(ip: std::net::IpAddr, session: u64) -> String {
    let family = if ip.is_ipv4() { "IP4" } else { "IP6" };
    format!(
        "v=0\r\no=rtcweb {session} 1 IN {family} {ip}\r\ns=-\r\nc=IN {family} {ip}\r\nt=0 0\r\n\
         m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"
    )
}

/// Runs the subcommand.
pub fn run(args: &Args) -> Result<(), String> {
    let listen = resolve(&args.listen)?;
    let socket = UdpSocket::bind(listen).map_err(|e| format!("binding {listen}: {e}"))?;
    let local = socket.local_addr().map_err(|e| e.to_string())?;
    let clock = Clock::new();
    let mut cfg = UaConfig::new(
        &format!("sip:uas@{local}"),
        &format!("<sip:uas@{local}>"),
        &format!("SIP/2.0/UDP {local}"),
        Peer::udp(local),
        random_seed(),
    );
    cfg.max_calls = args.max_calls;
    cfg.max_events = args.max_calls.saturating_mul(4).max(1024);
    cfg.layer = LayerConfig {
        max_transactions: args.max_transactions,
        max_pending_events: args.max_calls.saturating_mul(4).max(4096),
        max_pending_transmits: args.max_calls.saturating_mul(4).max(4096),
        ..LayerConfig::default()
    };
    let mut ua = UserAgent::new(cfg);
    let rss_start = rss_kib();
    let mut rss_peak = rss_start;
    let stop_at = (args.seconds > 0).then(|| {
        clock
            .now()
            .saturating_add(Duration::from_secs(args.seconds))
    });
    eprintln!("rtcweb uas: listening on {local} (SIP/UDP)");
    let (streams, stream_rx) = Streams::new(None);
    if let Some(addr) = args.tcp {
        let bound = streams
            .listen(addr, None)
            .map_err(|e| format!("{addr}: {e}"))?;
        eprintln!("rtcweb uas: listening on {bound} (SIP/TCP)");
    }
    if let (Some(addr), Some(cert), Some(key)) = (args.tls, &args.cert, &args.key) {
        let bound = streams
            .listen(addr, Some(server_config(cert, key)?))
            .map_err(|e| format!("{addr}: {e}"))?;
        eprintln!("rtcweb uas: listening on {bound} (SIP/TLS)");
    }
    let with_streams = args.tcp.is_some() || args.tls.is_some();
    let mut c = Counters::default();
    let mut buf = vec![0u8; 65_535];
    let mut session = 1u64;
    loop {
        let now = clock.now();
        if stop_at.is_some_and(|t| now >= t) || (args.calls > 0 && c.ended >= args.calls) {
            break;
        }
        // With stream listeners, wake often to take what their threads read.
        let tick = if with_streams { 5 } else { 200 };
        let deadline = [
            ua.poll_timeout(),
            stop_at,
            with_streams.then(|| now.saturating_add(Duration::from_millis(tick))),
        ]
        .into_iter()
        .flatten()
        .min()
        .or(Some(now.saturating_add(Duration::from_millis(tick))));
        if let Some((n, from)) = recv_until(&socket, &clock, deadline, &mut buf)? {
            c.datagrams_in += 1;
            let data = buf.get(..n).unwrap_or_default().to_vec();
            if ua
                .handle_receive(clock.now(), Peer::udp(from), &data)
                .is_err()
            {
                c.malformed += 1;
            }
        }
        while let Ok(m) = stream_rx.try_recv() {
            if ua.handle_receive(clock.now(), m.peer, &m.bytes).is_err() {
                c.malformed += 1;
            }
        }
        let now = clock.now();
        if ua.poll_timeout().is_some_and(|t| t <= now) {
            ua.handle_timeout(now);
        }
        while let Some(e) = ua.poll_event() {
            match e {
                UaEvent::IncomingCall { call, .. } => {
                    c.invites += 1;
                    session += 1;
                    let sdp = answer_sdp(local.ip(), session);
                    if ua.answer(now, call, sdp.as_bytes()).is_ok() {
                        c.answered += 1;
                        c.live += 1;
                        c.peak_calls = c.peak_calls.max(c.live);
                    } else {
                        c.refused += 1;
                    }
                }
                UaEvent::Confirmed { .. } => c.confirmed += 1,
                UaEvent::Refer { call, .. } => {
                    // A load target transfers nothing: the REFER was accepted (202, NOTIFY 100
                    // Trying); its outcome is reported as declined, ending the subscription.
                    c.refers += 1;
                    let _ = ua.notify_refer(now, call, 603, "Declined");
                }
                UaEvent::CallEnded { .. } => {
                    c.ended += 1;
                    c.live = c.live.saturating_sub(1);
                }
                _ => {}
            }
        }
        loop {
            match ua.poll_transmit(now, &mut buf) {
                Ok(Some(t)) => {
                    let bytes = buf.get(..t.len).unwrap_or_default();
                    if t.transport.is_reliable() {
                        let peer = Peer::from(t);
                        if let Err(e) = streams.send(peer, "", bytes) {
                            eprintln!("rtcweb uas: {e}");
                        }
                    } else if socket.send_to(bytes, t.destination).is_ok() {
                        c.datagrams_out += 1;
                    }
                }
                Ok(None) => break,
                Err(e) => return Err(e.to_string()),
            }
        }
        if c.datagrams_in % 1024 == 0 {
            rss_peak = rss_peak.max(rss_kib());
        }
    }
    rss_peak = rss_peak.max(rss_kib());
    let per_call = match (rss_start, rss_peak) {
        (Some(a), Some(b)) if c.peak_calls > 0 => {
            Some(b.saturating_sub(a).saturating_mul(1024) / c.peak_calls)
        }
        _ => None,
    };
    let stats = ua.transaction_stats();
    crate::print_json(&serde_json::json!({
        "invites": c.invites,
        "answered": c.answered,
        "confirmed": c.confirmed,
        "ended": c.ended,
        "refused": c.refused,
        "peak_simultaneous_calls": c.peak_calls,
        "datagrams_in": c.datagrams_in,
        "datagrams_out": c.datagrams_out,
        "malformed": c.malformed,
        "refers": c.refers,
        "transactions_rejected_503": stats.rejected_overload,
        "rss_kib_start": rss_start,
        "rss_kib_peak": rss_peak,
        "rss_bytes_per_peak_call": per_call,
    }))
}
