//! `rtcweb srtp`: not built yet.

/// `rtcweb srtp protect|unprotect`.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Protect one RTP packet (hex on stdin) and print the SRTP packet as hex.
    Protect(Args),
    /// Unprotect one SRTP packet (hex on stdin) and print the RTP packet as hex; exit 1 when refused.
    Unprotect(Args),
}

/// Arguments of `rtcweb srtp protect|unprotect`.
#[derive(clap::Args)]
pub struct Args {
    /// Base64 of the 30-byte master key || master salt.
    #[arg(long)]
    pub key: String,
}

/// Runs the subcommand.
pub fn run(_command: &Command) -> Result<(), String> {
    Err("not built yet".into())
}
