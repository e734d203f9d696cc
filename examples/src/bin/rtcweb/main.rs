//! `rtcweb`: inspect STUN, SIP and SDP messages, talk to STUN/TURN servers, protect SRTP and place a
//! loopback call, all with the rtcweb crates.
//!
//! Every subcommand prints its result on stdout and exits 0, or prints a one-line error on stderr and
//! exits 1 (invalid input); a usage error exits 2. Nothing panics on bad input.
// A std program: `std` paths are right here. Slices are cut at lengths the crates or the OS
// returned for the same buffers (`Transmit::len`, `recv_from`), which never exceed them.
#![allow(
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    clippy::indexing_slicing
)]

use std::io::Read as _;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod call;
mod driver;
mod gateway;
mod inspect_pcap;
mod inspect_sdp;
mod inspect_sip;
mod inspect_stun;
mod options;
mod srtp;
mod stun;
mod turn;
mod uas;

/// Command-line tool of the rtcweb crates.
#[derive(Parser)]
#[command(
    name = "rtcweb",
    version,
    about,
    propagate_version = true,
    after_help = "\
Examples:
  rtcweb inspect stun request.bin --password VOkJxbRl1RmTxUk/WvJxBt
  rtcweb call --seconds 3 --pcap call.pcap
  rtcweb inspect pcap call.pcap --flows

Diagnostics: -v (info), -vv (debug), -vvv (trace), or RUST_LOG (e.g. RUST_LOG=debug): why each
step of SIP, ICE and TURN happened, on stderr.

Exit status: 0 ok, 1 invalid input (a one-line error on stderr), 2 usage."
)]
struct Cli {
    /// More diagnostics on stderr: -v info, -vv debug, -vvv trace (RUST_LOG overrides).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

/// Prints the crates' `log` records on stderr: RUST_LOG when set, else the `-v` level, else
/// warnings only.
fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => log::LevelFilter::Warn,
        1 => log::LevelFilter::Info,
        2 => log::LevelFilter::Debug,
        _ => log::LevelFilter::Trace,
    };
    let mut builder = env_logger::Builder::new();
    builder.filter_level(level);
    if let Ok(spec) = std::env::var("RUST_LOG") {
        builder.parse_filters(&spec);
    }
    builder.format_timestamp_millis().init();
}

#[derive(Subcommand)]
enum Command {
    /// Decode a message and print it as JSON; exit 1 with a one-line error when it is invalid.
    #[command(subcommand)]
    Inspect(Inspect),
    /// Send a STUN Binding request over UDP and print the reflexive address (IP:PORT).
    Stun(stun::Args),
    /// Allocate a TURN relay with TURN REST (ephemeral) credentials and print the relayed IP:PORT.
    Turn(turn::Args),
    /// The loopback call: SIP + SDP + ICE + SRTP between two parties on 127.0.0.1.
    Call(call::Args),
    /// The WebRTC-to-SIP gateway sketch: WebRTC caller -> B2BUA (ICE-lite, SRTP <-> RTP) -> SIP phone.
    Gateway(gateway::Args),
    /// Reach a SIP URI through RFC 3263 (NAPTR, SRV, A/AAAA from --dns) with an OPTIONS request,
    /// failing over to the next target on a timeout or 503; JSON of every step.
    Options(options::Args),
    /// A SIP UAS over UDP that answers every INVITE (a load target for sipp); JSON counters at the end.
    Uas(uas::Args),
    /// Protect or unprotect one RTP packet with AES_CM_128_HMAC_SHA1_80 (hex on stdin and stdout).
    #[command(subcommand)]
    Srtp(srtp::Command),
}

#[derive(Subcommand)]
enum Inspect {
    /// A binary STUN/TURN message (RFC 8489, RFC 8656).
    Stun(inspect_stun::Args),
    /// A SIP message (RFC 3261).
    Sip(inspect_sip::Args),
    /// An SDP session description (RFC 8866).
    Sdp(inspect_sdp::Args),
    /// A pcap or pcapng capture: one JSON line per packet (STUN, TURN ChannelData, SIP, RTP/RTCP,
    /// DTLS), or `--flows` for SIP dialogs, ICE pairs and SRTP streams.
    Pcap(inspect_pcap::Args),
}

/// Reads a whole file, or standard input when `path` is `-`.
pub(crate) fn read_input(path: &str) -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    if path == "-" {
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| format!("reading standard input: {e}"))?;
    } else {
        buf = std::fs::read(path).map_err(|e| format!("reading {path}: {e}"))?;
    }
    Ok(buf)
}

/// Prints a JSON value on stdout, pretty.
pub(crate) fn print_json(value: &serde_json::Value) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    println!("{text}");
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let result = match cli.command {
        Command::Inspect(Inspect::Stun(a)) => inspect_stun::run(&a),
        Command::Inspect(Inspect::Sip(a)) => inspect_sip::run(&a),
        Command::Inspect(Inspect::Sdp(a)) => inspect_sdp::run(&a),
        Command::Inspect(Inspect::Pcap(a)) => inspect_pcap::run(&a),
        Command::Stun(a) => stun::run(&a),
        Command::Turn(a) => turn::run(&a),
        Command::Srtp(c) => srtp::run(&c),
        Command::Call(a) => call::run_call(&a),
        Command::Gateway(a) => gateway::run(&a),
        Command::Uas(a) => uas::run(&a),
        Command::Options(a) => options::run(&a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            // One line, always: callers and scripts read it.
            eprintln!("error: {}", msg.replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}
