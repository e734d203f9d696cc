//! The std side of Sans-IO: a clock, randomness and a UDP socket loop. The crates never touch these.

use std::hash::{BuildHasher, Hasher};
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::time::Duration;

use rtcweb_stun_core::Instant;

/// Maps `std::time::Instant` onto the family's [`Instant`], counting from when it was made.
pub struct Clock(std::time::Instant);

impl Clock {
    pub fn new() -> Self {
        Clock(std::time::Instant::now())
    }

    pub fn now(&self) -> Instant {
        Instant::from_nanos(i64::try_from(self.0.elapsed().as_nanos()).unwrap_or(i64::MAX))
    }

    /// How long from now until `deadline` (zero when past).
    pub fn until(&self, deadline: Instant) -> Duration {
        deadline.saturating_duration_since(self.now())
    }
}

/// Random bytes from the OS-seeded SipHash keys of `RandomState` (no extra dependency).
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    for (i, chunk) in out.chunks_mut(8).enumerate() {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_usize(i);
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        let v = h.finish().to_be_bytes();
        chunk.iter_mut().zip(v).for_each(|(c, b)| *c = b);
    }
    out
}

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
