//! The demos over `std::net::UdpSocket`s: one thread per [`Node`], a poll loop that feeds it
//! datagrams and time and sends what it asks. This is the whole integration an application
//! writes; copy it.

use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use super::node::Node;
use super::Clock;
use crate::capture::Capture;

/// Runs `node` over `sockets` until it is done or `limit` passes; returns it for its report.
/// With a `capture`, every datagram sent and received is written to it.
pub fn run<N: Node>(
    mut node: N,
    sockets: &[UdpSocket],
    clock: Clock,
    name: &'static str,
    limit: Duration,
    capture: Option<&Capture>,
) -> Result<N, String> {
    let mut locals = Vec::with_capacity(sockets.len());
    for s in sockets {
        s.set_nonblocking(true).map_err(|e| e.to_string())?;
        locals.push(local(s)?);
    }
    let mut tx = [0u8; 2048];
    let mut rx = [0u8; 2048];
    loop {
        let now = clock.now();
        node.handle_timeout(now);
        while let Some(out) = node.poll_transmit(now, &mut tx) {
            if let Some(socket) = sockets.get(out.socket) {
                // A lost datagram is the protocols' business (retransmissions, loss statistics).
                let _ = socket.send_to(&tx[..out.len], out.destination);
                if let (Some(c), Some(from)) = (capture, locals.get(out.socket)) {
                    c.sent(*from, out.destination, &tx[..out.len]);
                }
            }
        }
        while let Some(line) = node.poll_log() {
            println!("{name:>7} | {line}");
        }
        if node.is_done() {
            return Ok(node);
        }
        if clock.elapsed() > limit {
            return Err(format!("{name}: not finished within {limit:?}"));
        }
        let mut received = false;
        for (i, socket) in sockets.iter().enumerate() {
            while let Ok((n, from)) = socket.recv_from(&mut rx) {
                if let (Some(c), Some(to)) = (capture, locals.get(i)) {
                    c.received(from, *to, &rx[..n]);
                }
                node.handle_datagram(clock.now(), i, from, &mut rx[..n]);
                received = true;
            }
        }
        if !received {
            // Sleep until the next deadline, but at most 1 ms: several sockets and no select(2)
            // in std. The tokio driver waits on the sockets and the deadline at once.
            let wait = node
                .poll_timeout()
                .map_or(Duration::from_millis(1), |d| clock.until(d))
                .min(Duration::from_millis(1));
            std::thread::sleep(wait);
        }
    }
}

/// Binds `n` UDP sockets on 127.0.0.1.
pub fn bind(n: usize) -> Result<Vec<UdpSocket>, String> {
    (0..n)
        .map(|_| UdpSocket::bind("127.0.0.1:0").map_err(|e| format!("binding: {e}")))
        .collect()
}

/// Local address of a socket.
pub fn local(s: &UdpSocket) -> Result<SocketAddr, String> {
    s.local_addr().map_err(|e| e.to_string())
}
