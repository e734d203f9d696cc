//! `rtcweb gateway`: the WebRTC-to-SIP gateway sketch on loopback — a WebRTC-style caller (ICE +
//! SRTP) calls a plain SIP phone (RTP) through a B2BUA that relays the media.

use std::time::Duration;

use rtcweb_examples::capture::Capture;
use rtcweb_examples::gateway::demo;

/// Arguments of `rtcweb gateway`.
#[derive(clap::Args)]
pub struct Args {
    /// Seconds of media before the WebRTC side hangs up.
    #[arg(long, default_value_t = 3)]
    pub seconds: u64,
    /// Write every datagram of the three parties to this pcap file (Ethernet/IP/UDP headers
    /// synthesized), for Wireshark or `rtcweb inspect pcap FILE --flows`.
    #[arg(long, value_name = "FILE")]
    pub pcap: Option<std::path::PathBuf>,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> Result<(), String> {
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
