//! `rtcweb turn`: not built yet.

/// Arguments of `rtcweb turn`.
#[derive(clap::Args)]
pub struct Args {
    /// The TURN server, HOST:PORT.
    #[arg(long)]
    pub server: String,
    /// The TURN REST shared secret (coturn `static-auth-secret`).
    #[arg(long)]
    pub secret: String,
}

/// Runs the subcommand.
pub fn run(_args: &Args) -> Result<(), String> {
    Err("not built yet".into())
}
