//! `rtcweb stun HOST:PORT`: one Binding transaction over UDP (RFC 8489 §6.2.1 retransmissions),
//! printing the server-reflexive address.

use rtcweb_stun_core::client::{ClientTransaction, TransactionConfig, TransactionState};
use rtcweb_stun_core::wire::attributes::{MappedAddress, Software, XorMappedAddress};
use rtcweb_stun_core::wire::{Class, Message, MessageType, MessageWriter, Method, TransactionId};

use rtcweb_cli::runtime::{random_bytes, Clock};

use crate::driver::{recv_until, resolve, socket_for};

/// Arguments of `rtcweb stun`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  rtcweb stun stun.l.google.com:19302
  rtcweb stun 127.0.0.1:3478 --rto-ms 100

Exit status: 0 with the reflexive IP:PORT on stdout, 1 on timeout or an error response, 2 usage.")]
pub struct Args {
    /// The STUN server, HOST:PORT.
    pub server: String,
    /// Initial retransmission timeout in milliseconds (RFC 8489 default 500).
    #[arg(long, default_value_t = 500)]
    pub rto_ms: u64,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> Result<(), String> {
    let server = resolve(&args.server)?;
    let socket = socket_for(server)?;
    let clock = Clock::new();
    let tid = TransactionId(random_bytes());
    let mut buf = [0u8; 1500];
    let mut w = MessageWriter::new(
        &mut buf,
        MessageType::new(Method::BINDING, Class::Request),
        tid,
    )
    .map_err(|e| e.to_string())?;
    w.add(&Software("rtcweb")).map_err(|e| e.to_string())?;
    w.add_fingerprint().map_err(|e| e.to_string())?;
    let len = w.finish();
    let config = TransactionConfig {
        rto: std::time::Duration::from_millis(args.rto_ms),
        ..TransactionConfig::default()
    };
    let mut tx = ClientTransaction::new(clock.now(), &buf[..len], false, config)
        .map_err(|e| e.to_string())?;
    let mut rx = [0u8; 1500];
    loop {
        tx.handle_timeout(clock.now());
        if let Some(bytes) = tx.poll_transmit(clock.now()) {
            socket
                .send_to(bytes, server)
                .map_err(|e| format!("sending: {e}"))?;
        }
        if tx.state() == TransactionState::TimedOut {
            return Err(format!(
                "{server}: no response after {} requests",
                tx.sends()
            ));
        }
        let Some((n, from)) = recv_until(&socket, &clock, tx.poll_timeout(), &mut rx)? else {
            continue;
        };
        if from != server {
            continue;
        }
        let Ok(msg) = Message::parse(&rx[..n]) else {
            continue;
        };
        if !tx.handle_response(&msg) {
            continue;
        }
        if msg.class() == Class::Error {
            return Err(format!("{server}: error response"));
        }
        let mapped = match msg.attribute::<XorMappedAddress>() {
            Ok(Some(a)) => a.0,
            _ => msg
                .attribute::<MappedAddress>()
                .ok()
                .flatten()
                .map(|a| a.0)
                .ok_or("response without (XOR-)MAPPED-ADDRESS")?,
        };
        println!("{mapped}");
        return Ok(());
    }
}
