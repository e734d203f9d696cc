//! `rtcweb call`: the loopback call — SIP INVITE/200/ACK with SDP offer/answer, ICE, SRTP media
//! both ways, BYE — between two parties in this process, over real UDP sockets on 127.0.0.1.

use std::time::Duration;

use rtcweb_cli::call::{run_captured, Driver, Keying};
use rtcweb_cli::capture::Capture;
use rtcweb_cli::coturn::Coturn;

/// Arguments of `rtcweb call`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  rtcweb call --seconds 3
  rtcweb call --keying dtls --driver tokio
  rtcweb call --turn --pcap call.pcap && rtcweb inspect pcap call.pcap --flows

Exit status: 0 when the call completed with media both ways, 1 otherwise, 2 usage.")]
pub struct Args {
    /// Seconds of media before the caller hangs up.
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
    /// The socket loop: `std` (a thread per party) or `tokio` (a task per party).
    #[arg(long, default_value = "std", value_parser = ["std", "tokio"])]
    pub driver: String,
    /// Relay the media through a coturn started on 127.0.0.1 (both parties offer only relayed
    /// candidates; needs Debian's coturn).
    #[arg(long)]
    pub turn: bool,
    /// Write every datagram both parties send and receive to this pcap file (Ethernet/IP/UDP
    /// headers synthesized), for Wireshark or `rtcweb inspect pcap FILE --flows`.
    #[arg(long, value_name = "FILE")]
    pub pcap: Option<std::path::PathBuf>,
    /// How SRTP is keyed: `sdes` (a=crypto in the SDP, RFC 4568) or `dtls` (a DTLS-SRTP handshake
    /// over the ICE pair with a=fingerprint/a=setup, RFC 5763/5764).
    #[arg(long, default_value = "sdes", value_parser = ["sdes", "dtls"])]
    pub keying: String,
}

/// Runs the subcommand.
pub fn run_call(args: &Args) -> Result<(), String> {
    let driver = if args.driver == "tokio" {
        Driver::Tokio
    } else {
        Driver::Std
    };
    let coturn = if args.turn {
        let server = Coturn::start("rtcweb-demo-secret")?;
        println!(
            "coturn started on {} (pid-managed, TURN REST credentials)",
            server.addr
        );
        Some(server)
    } else {
        None
    };
    let turn = match &coturn {
        Some(server) => {
            let (user, pass) = server.credentials("demo", Duration::from_secs(600))?;
            Some((server.addr, user, pass))
        }
        None => None,
    };
    let capture = args.pcap.as_deref().map(Capture::create).transpose()?;
    let report = run_captured(
        driver,
        Duration::from_secs(args.seconds),
        turn,
        if args.keying == "dtls" {
            Keying::Dtls
        } else {
            Keying::Sdes
        },
        capture.as_ref(),
    );
    drop(coturn);
    if let (Some(c), Some(path)) = (&capture, &args.pcap) {
        let frames = c.finish()?;
        println!("wrote {frames} datagrams to {}", path.display());
    }
    let report = report?;
    println!();
    for (name, r) in [("caller", &report.caller), ("callee", &report.callee)] {
        let pair = r
            .selected_pair
            .map_or_else(|| "none".to_string(), |(l, rm)| format!("{l} -> {rm}"));
        let rtt = r.rtt.map_or_else(
            || "-".into(),
            |d| format!("{:.2} ms", d.as_secs_f64() * 1000.0),
        );
        println!(
            "{name}: established {}, ICE pair {pair}, SRTP sent {}, received {} verified / {} lost / {} refused, RTT {rtt}, BYE {}",
            r.established,
            r.sent,
            r.received.verified,
            r.received.lost(),
            r.received.refused,
            if r.bye_done { "done" } else { "not done" }
        );
        if let (Some(p), Some(d)) = (r.dtls_profile, r.ice_to_srtp) {
            println!(
                "{name}: DTLS-SRTP {} keyed {:.2} ms after ICE selected the pair",
                p.sdes_name(),
                d.as_secs_f64() * 1000.0
            );
        }
    }
    report.check()?;
    println!("call completed: INVITE/200/ACK, ICE connected, SRTP verified both ways, BYE/200");
    Ok(())
}
