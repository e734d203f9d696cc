//! The call over `std::net::UdpSocket`s: one thread per party, a poll loop that feeds the party
//! datagrams and time and sends what it asks. This is the whole integration an application
//! writes; copy it.

use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use super::party::{Party, PartyConfig, Report, Socket};
use super::{Clock, Sockets};

/// Runs one party until its call is over, or `limit` passes.
pub fn run_party(
    cfg: PartyConfig,
    sockets: Sockets<UdpSocket>,
    clock: Clock,
    name: &'static str,
    limit: Duration,
) -> Result<Report, String> {
    for s in [&sockets.sip, &sockets.media] {
        s.set_nonblocking(true).map_err(|e| e.to_string())?;
    }
    let mut party = Party::new(cfg, clock.now())?;
    let mut tx = [0u8; 2048];
    let mut rx = [0u8; 2048];
    loop {
        let now = clock.now();
        party.handle_timeout(now);
        while let Some(out) = party.poll_transmit(now, &mut tx) {
            let socket = match out.socket {
                Socket::Sip => &sockets.sip,
                Socket::Media => &sockets.media,
            };
            // A lost datagram is the protocols' business (retransmissions, loss statistics).
            let _ = socket.send_to(&tx[..out.len], out.destination);
        }
        while let Some(line) = party.poll_log() {
            println!("{name:>6} | {line}");
        }
        if party.is_done() {
            return Ok(party.report());
        }
        if clock.elapsed() > limit {
            return Err(format!("{name}: the call did not finish within {limit:?}"));
        }
        let mut received = false;
        for (socket, kind) in [(&sockets.sip, Socket::Sip), (&sockets.media, Socket::Media)] {
            while let Ok((n, from)) = socket.recv_from(&mut rx) {
                party.handle_datagram(clock.now(), kind, from, &mut rx[..n]);
                received = true;
            }
        }
        if !received {
            // Sleep until the next deadline, but at most 1 ms: two sockets and no select(2)
            // in std. The tokio driver waits on both sockets and the deadline at once.
            let wait = party
                .poll_timeout()
                .map_or(Duration::from_millis(1), |d| clock.until(d))
                .min(Duration::from_millis(1));
            std::thread::sleep(wait);
        }
    }
}

/// Binds a party's SIP and media sockets on 127.0.0.1.
pub fn bind() -> Result<Sockets<UdpSocket>, String> {
    let bind = || UdpSocket::bind("127.0.0.1:0").map_err(|e| format!("binding: {e}"));
    Ok(Sockets {
        sip: bind()?,
        media: bind()?,
    })
}

/// Local address of a socket.
pub fn local(s: &UdpSocket) -> Result<SocketAddr, String> {
    s.local_addr().map_err(|e| e.to_string())
}
