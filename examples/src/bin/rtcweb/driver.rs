//! The std side of Sans-IO for the one-shot subcommands: name resolution and a UDP receive with a
//! deadline. The clock and randomness are the examples library's (`rtcweb_cli::call`).

use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::time::Duration;

use rtcweb_cli::runtime::Clock;
use rtcweb_stun_core::Instant;

/// Resolves HOST:PORT.
pub fn resolve(server: &str) -> Result<SocketAddr, String> {
    server
        .to_socket_addrs()
        .map_err(|e| format!("{server}: {e}"))?
        .next()
        .ok_or_else(|| format!("{server}: no address"))
}

/// A UDP socket of the server's family on an ephemeral port.
pub fn socket_for(server: SocketAddr) -> Result<UdpSocket, String> {
    let local = if server.is_ipv4() {
        "0.0.0.0:0"
    } else {
        "[::]:0"
    };
    UdpSocket::bind(local).map_err(|e| format!("binding UDP socket: {e}"))
}

/// Waits for a datagram until `deadline`; `Ok(None)` on timeout.
pub fn recv_until(
    socket: &UdpSocket,
    clock: &Clock,
    deadline: Option<Instant>,
    buf: &mut [u8],
) -> Result<Option<(usize, SocketAddr)>, String> {
    let wait = deadline.map_or(Duration::from_secs(1), |d| clock.until(d));
    if wait.is_zero() {
        return Ok(None);
    }
    socket
        .set_read_timeout(Some(wait))
        .map_err(|e| e.to_string())?;
    match socket.recv_from(buf) {
        Ok(r) => Ok(Some(r)),
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(format!("receiving: {e}")),
    }
}
