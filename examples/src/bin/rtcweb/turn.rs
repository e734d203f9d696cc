//! `rtcweb turn --server HOST:PORT --secret S`: allocate a relay with TURN REST credentials
//! (coturn `use-auth-secret`) and print the relayed address.

use rtcweb_stun_core::turn::{TurnClient, TurnConfig, TurnEvent};

use rtcweb_cli::coturn::rest_credentials;
use rtcweb_cli::runtime::{random_bytes, Clock};

use crate::driver::{recv_until, resolve, socket_for};

/// Arguments of `rtcweb turn`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  rtcweb turn --server 127.0.0.1:3478 --secret s3cret
  rtcweb turn --server turn.example.net:3478 --secret s3cret --user alice --ttl 600

Exit status: 0 with the relayed IP:PORT on stdout, 1 when the allocation failed, 2 usage.")]
pub struct Args {
    /// The TURN server, HOST:PORT.
    #[arg(long)]
    pub server: String,
    /// The TURN REST shared secret (coturn `static-auth-secret`).
    #[arg(long)]
    pub secret: String,
    /// The user part of the ephemeral username.
    #[arg(long, default_value = "rtcweb")]
    pub user: String,
    /// How long the credentials stay valid, in seconds.
    #[arg(long, default_value_t = 3600)]
    pub ttl: u64,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> Result<(), String> {
    let server = resolve(&args.server)?;
    let socket = socket_for(server)?;
    let clock = Clock::new();
    let (username, password) = rest_credentials(
        &args.secret,
        &args.user,
        std::time::Duration::from_secs(args.ttl),
    )?;
    let mut client = TurnClient::new(
        TurnConfig::new(server, &username, &password),
        random_bytes(),
    );
    client.allocate(clock.now()).map_err(|e| e.to_string())?;
    let mut tx = [0u8; 1500];
    let mut rx = [0u8; 1500];
    loop {
        client.handle_timeout(clock.now());
        while let Ok(Some(t)) = client.poll_transmit(clock.now(), &mut tx) {
            socket
                .send_to(&tx[..t.len], t.destination)
                .map_err(|e| format!("sending: {e}"))?;
        }
        while let Some(event) = client.poll_event() {
            match event {
                TurnEvent::Allocated { relayed, .. } => {
                    println!("{relayed}");
                    // Release it again: this command only shows that allocation works.
                    let _ = client.deallocate(clock.now());
                    while let Ok(Some(t)) = client.poll_transmit(clock.now(), &mut tx) {
                        let _ = socket.send_to(&tx[..t.len], t.destination);
                    }
                    return Ok(());
                }
                TurnEvent::AllocationFailed { code: Some(code) } => {
                    return Err(format!("{server}: allocation refused with error {code}"))
                }
                TurnEvent::AllocationFailed { code: None } => {
                    return Err(format!("{server}: no response"))
                }
                _ => {}
            }
        }
        if let Some((n, from)) = recv_until(&socket, &clock, client.poll_timeout(), &mut rx)? {
            let _ = client.handle_receive(clock.now(), from, &rx[..n]);
        }
    }
}
