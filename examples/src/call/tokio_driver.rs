//! The call over `tokio::net::UdpSocket`s: a task per party that waits on both sockets and the
//! party's next deadline at once with `select!`.
//!
//! SIP datagrams are received into a `BytesMut`, frozen into `Bytes` and parsed once into a
//! sip-core [`SharedMessage`] (feature `bytes`): the narration and the user agent both read that
//! one parse, and the message could be handed to another task as is. A datagram that does not
//! parse goes to the UA as bytes, which answers what deserves an answer (400 for a request whose
//! Content-Length exceeds the datagram, RFC 3261 §18.3).

use std::net::UdpSocket as StdUdpSocket;
use std::time::Duration;

use bytes::BytesMut;
use rtcweb_sip_core::message::SharedMessage;
use tokio::net::UdpSocket;

use super::party::{Party, PartyConfig, Report, MEDIA, SIP};
use super::Sockets;
use crate::capture::Capture;
use crate::runtime::node::Node;
use crate::runtime::Clock;

/// Room for one SIP datagram (the loopback call's messages are under 2 KB; a longer datagram
/// is cut by the OS and then fails to parse).
const SIP_RX: usize = 4096;

/// Runs one party until its call is over, or `limit` passes. With a `capture`, every datagram
/// sent and received is written to it.
pub async fn run_party(
    cfg: PartyConfig,
    sockets: Sockets<UdpSocket>,
    clock: Clock,
    name: &'static str,
    limit: Duration,
    capture: Option<&Capture>,
) -> Result<Report, String> {
    let (sip_addr, media_addr) = (cfg.sip, cfg.media);
    let mut party = Party::new(cfg, clock.now())?;
    let mut tx = [0u8; 2048];
    let mut sip_rx = BytesMut::with_capacity(SIP_RX);
    let mut media_rx = [0u8; 2048];
    loop {
        let now = clock.now();
        party.handle_timeout(now);
        while let Some(out) = party.poll_transmit(now, &mut tx) {
            let (socket, from) = if out.socket == SIP {
                (&sockets.sip, sip_addr)
            } else {
                (&sockets.media, media_addr)
            };
            // Captured before it leaves, so that the peer's answer can never be written first.
            if let Some(c) = capture {
                c.sent(from, out.destination, &tx[..out.len]);
            }
            let _ = socket.send_to(&tx[..out.len], out.destination).await;
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
        let deadline = party.poll_timeout().map_or_else(
            || std::time::Instant::now() + Duration::from_millis(100),
            |d| clock.to_std(d),
        );
        tokio::select! {
            r = sockets.sip.recv_buf_from(&mut sip_rx) => {
                if let Ok((_, from)) = r {
                    let datagram = sip_rx.split().freeze();
                    sip_rx.reserve(SIP_RX);
                    if let Some(c) = capture {
                        c.received(from, sip_addr, &datagram);
                    }
                    match SharedMessage::parse(datagram.clone()) {
                        Ok(shared) => party.handle_sip_shared(clock.now(), from, &shared),
                        Err(_) => {
                            party.handle_datagram(clock.now(), SIP, from, &mut datagram.to_vec());
                        }
                    }
                }
            }
            r = sockets.media.recv_from(&mut media_rx) => {
                if let Ok((n, from)) = r {
                    if let Some(c) = capture {
                        c.received(from, media_addr, &media_rx[..n]);
                    }
                    party.handle_datagram(clock.now(), MEDIA, from, &mut media_rx[..n]);
                }
            }
            () = tokio::time::sleep_until(deadline.into()) => {}
        }
    }
}

fn to_tokio(s: Vec<StdUdpSocket>) -> Result<Sockets<UdpSocket>, String> {
    let conv = |s: StdUdpSocket| {
        s.set_nonblocking(true).map_err(|e| e.to_string())?;
        UdpSocket::from_std(s).map_err(|e| e.to_string())
    };
    let mut it = s.into_iter();
    let (Some(sip), Some(media)) = (it.next(), it.next()) else {
        return Err("a party needs two sockets".into());
    };
    Ok(Sockets {
        sip: conv(sip)?,
        media: conv(media)?,
    })
}

/// Runs both parties as tasks on a current-thread runtime.
pub fn run_pair(
    caller: (PartyConfig, Vec<StdUdpSocket>),
    callee: (PartyConfig, Vec<StdUdpSocket>),
    clock: Clock,
    limit: Duration,
    capture: Option<&Capture>,
) -> Result<(Report, Report), String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let a = to_tokio(caller.1)?;
        let b = to_tokio(callee.1)?;
        let (ra, rb) = tokio::join!(
            run_party(caller.0, a, clock, "caller", limit, capture),
            run_party(callee.0, b, clock, "callee", limit, capture)
        );
        Ok((ra?, rb?))
    })
}
