//! `rtcweb inspect sdp`: not built yet.

/// Arguments of `rtcweb inspect sdp`.
#[derive(clap::Args)]
pub struct Args {
    /// The file to read, or `-` for standard input.
    pub file: String,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> Result<(), String> {
    let _input = crate::read_input(&args.file)?;
    Err("not built yet".into())
}
