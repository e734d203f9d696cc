//! The trunk's signalling leg: SIP over UDP to the configured phone or trunk, in a user agent of
//! its own (its Via, Contact and Call-IDs are the gateway's; no browser address reaches it).

use std::io;
use std::net::{SocketAddr, UdpSocket};

use rtcweb_sip_core::transaction::Peer;
use rtcweb_sip_core::ua::{UaConfig, UserAgent};
use rtcweb_sip_core::Instant;

/// The trunk's leg.
#[derive(Debug)]
pub struct TrunkSide {
    socket: UdpSocket,
    /// The user agent of every trunk leg.
    pub ua: UserAgent,
    /// The phone or trunk.
    pub trunk: SocketAddr,
    /// Our socket's address.
    pub local: SocketAddr,
}

impl TrunkSide {
    /// The leg on a UDP socket bound on `bind`.
    ///
    /// # Errors
    /// Binding failed.
    pub fn new(
        bind: SocketAddr,
        trunk: SocketAddr,
        seed: [u8; 32],
        max_calls: usize,
    ) -> io::Result<Self> {
        let socket = UdpSocket::bind(bind)?;
        socket.set_nonblocking(true)?;
        let local = socket.local_addr()?;
        let ip = local.ip();
        let mut cfg = UaConfig::new(
            &format!("sip:gateway@{ip}"),
            &format!("<sip:gateway@{local}>"),
            &format!("SIP/2.0/UDP {local}"),
            Peer::udp(trunk),
            seed,
        );
        cfg.user_agent = "rtcweb-gateway".into();
        // Room beyond the gateway's bound for calls that are ending and transfer legs.
        cfg.max_calls = max_calls.saturating_mul(2).max(4);
        Ok(Self {
            socket,
            ua: UserAgent::new(cfg),
            trunk,
            local,
        })
    }

    /// The datagrams that arrived, with their source.
    pub fn read(&mut self, buf: &mut [u8], out: &mut Vec<(SocketAddr, Vec<u8>)>) -> bool {
        let mut busy = false;
        while let Ok((n, from)) = self.socket.recv_from(buf) {
            busy = true;
            if let Some(msg) = buf.get(..n) {
                out.push((from, msg.to_vec()));
            }
        }
        busy
    }

    /// Sends one datagram (a response made outside the UA: a refusal at the bound).
    pub fn send(&self, to: SocketAddr, msg: &[u8]) {
        let _ = self.socket.send_to(msg, to);
    }

    /// Sends what the UA has queued.
    pub fn transmit(&mut self, now: Instant, buf: &mut [u8]) -> bool {
        let mut busy = false;
        while let Ok(Some(t)) = self.ua.poll_transmit(now, buf) {
            busy = true;
            if let Some(msg) = buf.get(..t.len) {
                let _ = self.socket.send_to(msg, t.destination);
            }
        }
        busy
    }
}
