//! `rtcweb stun HOST:PORT`: not built yet.

/// Arguments of `rtcweb stun`.
#[derive(clap::Args)]
pub struct Args {
    /// The STUN server, HOST:PORT.
    pub server: String,
}

/// Runs the subcommand.
pub fn run(_args: &Args) -> Result<(), String> {
    Err("not built yet".into())
}
