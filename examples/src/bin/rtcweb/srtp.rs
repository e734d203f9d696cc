//! `rtcweb srtp protect|unprotect`: one RTP packet in, one SRTP packet out (or back), as hex, with
//! AES_CM_128_HMAC_SHA1_80, ROC 0 and the packet's own sequence number.

use base64::Engine as _;
use rtcweb_srtp_core::{Config, KeyingMaterial, Profile, Stream};

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
#[command(after_help = "Examples:
  echo 8000000100000001deadbeefcafe | rtcweb srtp protect --key $(head -c30 /dev/urandom | base64)
  echo <hex> | rtcweb srtp unprotect --key <B64>

Exit status: 0 ok, 1 bad hex, bad key or a packet that does not authenticate, 2 usage.")]
pub struct Args {
    /// Base64 of the 30-byte master key || master salt.
    #[arg(long)]
    pub key: String,
}

/// Decodes hex, ignoring ASCII whitespace.
fn decode_hex(text: &[u8]) -> Result<Vec<u8>, String> {
    let digits: Vec<u8> = text
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if digits.len() % 2 != 0 {
        return Err(format!("odd number of hex digits ({})", digits.len()));
    }
    let nibble = |(i, b): (usize, u8)| -> Result<u8, String> {
        char::from(b)
            .to_digit(16)
            .map(|d| d as u8)
            .ok_or_else(|| format!("not a hex digit at digit {i}"))
    };
    digits
        .chunks_exact(2)
        .enumerate()
        .map(|(i, pair)| match pair {
            [hi, lo] => Ok(nibble((2 * i, *hi))? << 4 | nibble((2 * i + 1, *lo))?),
            _ => Err("odd number of hex digits".to_owned()),
        })
        .collect()
}

fn encode_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn stream(args: &Args) -> Result<Stream, String> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(args.key.trim())
        .map_err(|e| format!("--key is not base64: {e}"))?;
    let key = KeyingMaterial::from_key_salt(Profile::AesCm128HmacSha1_80, &raw)
        .map_err(|e| format!("--key: {e}"))?;
    Stream::new(&key, &Config::default()).map_err(|e| e.to_string())
}

/// Runs the subcommand.
pub fn run(command: &Command) -> Result<(), String> {
    let (args, protect) = match command {
        Command::Protect(a) => (a, true),
        Command::Unprotect(a) => (a, false),
    };
    let mut stream = stream(args)?;
    let mut packet = decode_hex(&crate::read_input("-")?)?;
    let len = if protect {
        let len = packet.len();
        packet.resize(len + stream.rtp_overhead(), 0);
        stream
            .protect_rtp(&mut packet, len)
            .map_err(|e| format!("protect: {e}"))?
    } else {
        stream
            .unprotect_rtp(&mut packet)
            .map_err(|e| format!("unprotect: {e}"))?
    };
    println!("{}", encode_hex(packet.get(..len).unwrap_or_default()));
    Ok(())
}
