//! The demos over `std::net::UdpSocket`s: a [`Node`] on one thread, fed datagrams and time, sending
//! what it asks. std has no select(2) over several sockets, so each socket gets a small reader
//! thread that blocks in `recv_from` and hands datagrams over a channel; the node's thread blocks
//! on that channel until a datagram arrives or the node's next deadline (`poll_timeout`) is due —
//! no polling loop. This is the whole integration an application writes.

use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

use super::node::Node;
use super::Clock;
use crate::capture::Capture;

/// How often a reader thread looks up from `recv_from` to see whether the node finished.
const READER_TICK: Duration = Duration::from_millis(100);

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
        locals.push(local(s)?);
    }
    let (to_node, datagrams) = channel::<(usize, SocketAddr, Vec<u8>)>();
    let stop = Arc::new(AtomicBool::new(false));
    let mut readers = Vec::with_capacity(sockets.len());
    // Each reader gets its buffers back once the node is done with them: no allocation per
    // datagram once a few are in circulation.
    let mut returns = Vec::with_capacity(sockets.len());
    for (i, s) in sockets.iter().enumerate() {
        let (give_back, spare) = channel::<Vec<u8>>();
        returns.push(give_back);
        let socket = s.try_clone().map_err(|e| e.to_string())?;
        socket.set_nonblocking(false).map_err(|e| e.to_string())?;
        socket
            .set_read_timeout(Some(READER_TICK))
            .map_err(|e| e.to_string())?;
        let (to_node, stop) = (to_node.clone(), Arc::clone(&stop));
        readers.push(std::thread::spawn(move || {
            let mut buf = vec![0u8; 65_535];
            while !stop.load(Ordering::Relaxed) {
                if let Ok((n, from)) = socket.recv_from(&mut buf) {
                    let mut data = spare.try_recv().unwrap_or_default();
                    data.clear();
                    data.extend_from_slice(buf.get(..n).unwrap_or_default());
                    if to_node.send((i, from, data)).is_err() {
                        return;
                    }
                }
            }
        }));
    }
    drop(to_node);
    let result = drive(
        &mut node, sockets, &locals, clock, name, limit, capture, &datagrams, &returns,
    );
    stop.store(true, Ordering::Relaxed);
    drop(datagrams);
    for r in readers {
        let _ = r.join();
    }
    result.map(|()| node)
}

#[allow(clippy::too_many_arguments)]
fn drive<N: Node>(
    node: &mut N,
    sockets: &[UdpSocket],
    locals: &[SocketAddr],
    clock: Clock,
    name: &'static str,
    limit: Duration,
    capture: Option<&Capture>,
    datagrams: &std::sync::mpsc::Receiver<(usize, SocketAddr, Vec<u8>)>,
    returns: &[std::sync::mpsc::Sender<Vec<u8>>],
) -> Result<(), String> {
    let mut tx = [0u8; 2048];
    loop {
        let now = clock.now();
        node.handle_timeout(now);
        while let Some(out) = node.poll_transmit(now, &mut tx) {
            if let Some(socket) = sockets.get(out.socket) {
                // Captured before it leaves, so that the peer's answer can never be written first.
                if let (Some(c), Some(from)) = (capture, locals.get(out.socket)) {
                    c.sent(*from, out.destination, &tx[..out.len]);
                }
                // A lost datagram is the protocols' business (retransmissions, loss statistics).
                let _ = socket.send_to(&tx[..out.len], out.destination);
            }
        }
        while let Some(line) = node.poll_log() {
            println!("{name:>7} | {line}");
        }
        if node.is_done() {
            return Ok(());
        }
        let left = limit.saturating_sub(clock.elapsed());
        if left.is_zero() {
            return Err(format!("{name}: not finished within {limit:?}"));
        }
        // Block until a datagram arrives or the next deadline is due.
        let wait = node
            .poll_timeout()
            .map_or(left, |d| clock.until(d).min(left));
        let mut next = match datagrams.recv_timeout(wait) {
            Ok(d) => Some(d),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return Err(format!("{name}: sockets closed")),
        };
        while let Some((i, from, mut data)) = next {
            if let (Some(c), Some(to)) = (capture, locals.get(i)) {
                c.received(from, *to, &data);
            }
            node.handle_datagram(clock.now(), i, from, &mut data);
            if let Some(r) = returns.get(i) {
                let _ = r.send(data);
            }
            next = datagrams.try_recv().ok();
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
