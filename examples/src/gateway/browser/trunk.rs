//! The trunk's signalling leg: SIP over UDP or TCP (RFC 3261 §18) to the configured phone or
//! trunk, in a user agent of its own (its Via, Contact and Call-IDs are the gateway's; no
//! browser address reaches it).
//!
//! Over TCP the gateway both connects (its requests open one connection to the trunk, reused
//! for everything after, RFC 5923) and listens on its SIP address (a trunk that opens its own
//! connection to call a browser): [`crate::sip_stream::Streams`] owns the connections, a
//! thread each, framed by sip-core (Content-Length, CRLF keep-alives), and a response or
//! in-dialog request goes back on the connection its request came in on (§18.2.2).

use std::io;
use std::net::SocketAddr;
use std::sync::mpsc::Receiver;

use rtcweb_proto::Transport;
use rtcweb_sip_core::transaction::Peer;
use rtcweb_sip_core::ua::{UaConfig, UserAgent};
use rtcweb_sip_core::Instant;

use crate::sip_stream::{Incoming, Notify, Streams};

use super::net::{Backend, UdpPort};

/// How the leg's messages travel.
enum Wire {
    /// One UDP socket for everything.
    Udp(UdpPort),
    /// TCP connections, listening and connecting.
    Tcp {
        streams: Streams,
        incoming: Receiver<Incoming>,
        /// The connections' threads wake the driver for each message.
        notified: bool,
    },
}

impl std::fmt::Debug for Wire {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Udp(s) => f.debug_tuple("Udp").field(s).finish(),
            Self::Tcp { streams, .. } => f
                .debug_struct("Tcp")
                .field("connections", &streams.connections())
                .finish(),
        }
    }
}

/// The trunk's leg.
#[derive(Debug)]
pub struct TrunkSide {
    wire: Wire,
    /// The user agent of every trunk leg.
    pub ua: UserAgent,
    /// The phone or trunk.
    pub trunk: SocketAddr,
    /// Our SIP address (the UDP socket's, or the TCP listener's).
    pub local: SocketAddr,
    /// UDP or TCP.
    pub transport: Transport,
}

impl TrunkSide {
    /// The leg on `bind`: a UDP socket, or a TCP listener when `transport` is TCP (on the
    /// operating system's network only; its connections' threads call `notify` for each
    /// message they hand over).
    ///
    /// # Errors
    /// Binding failed, or `transport` is neither UDP nor TCP, or TCP on a simulated network.
    pub fn new(
        backend: &Backend,
        bind: SocketAddr,
        trunk: SocketAddr,
        transport: Transport,
        seed: [u8; 32],
        max_calls: usize,
        notify: Option<Notify>,
    ) -> io::Result<Self> {
        let (wire, local, via, param) = match transport {
            Transport::Udp => {
                let socket = UdpPort::bind(backend, bind)?;
                let local = socket.local_addr()?;
                (Wire::Udp(socket), local, "UDP", "")
            }
            Transport::Tcp if matches!(backend, Backend::Os) => {
                let notified = notify.is_some();
                let (streams, incoming) = Streams::with_notify(None, notify);
                let local = streams.listen(bind, None)?;
                (
                    Wire::Tcp {
                        streams,
                        incoming,
                        notified,
                    },
                    local,
                    "TCP",
                    ";transport=tcp",
                )
            }
            other => {
                return Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    format!("trunk over {other:?}: UDP, or TCP on the system's network"),
                ))
            }
        };
        let ip = local.ip();
        let mut cfg = UaConfig::new(
            &format!("sip:gateway@{ip}"),
            &format!("<sip:gateway@{local}{param}>"),
            &format!("SIP/2.0/{via} {local}"),
            Peer {
                addr: trunk,
                transport,
            },
            seed,
        );
        cfg.user_agent = "rtcweb-gateway".into();
        // The phone's new offers (hold, resume, moved media) go to the browser; the gateway
        // answers them with what the browser answered.
        cfg.answer_offers = false;
        // Room beyond the gateway's bound for calls that are ending and transfer legs.
        cfg.max_calls = max_calls.saturating_mul(2).max(4);
        Ok(Self {
            wire,
            ua: UserAgent::new(cfg),
            trunk,
            local,
            transport,
        })
    }

    /// The peer at `addr` on this leg's transport (the trunk, or a transfer target).
    #[must_use]
    pub const fn peer(&self, addr: SocketAddr) -> Peer {
        Peer {
            addr,
            transport: self.transport,
        }
    }

    /// The messages that arrived (datagrams, or messages framed off the connections), with
    /// their sender.
    pub fn read(&mut self, buf: &mut [u8], out: &mut Vec<(Peer, Vec<u8>)>) -> bool {
        let mut busy = false;
        match &self.wire {
            Wire::Udp(socket) => {
                while let Ok((n, from)) = socket.recv_from(buf) {
                    busy = true;
                    if let Some(msg) = buf.get(..n) {
                        out.push((Peer::udp(from), msg.to_vec()));
                    }
                }
            }
            Wire::Tcp { incoming, .. } => {
                while let Ok(m) = incoming.try_recv() {
                    busy = true;
                    out.push((m.peer, m.bytes));
                }
            }
        }
        busy
    }

    /// Sends one message (a response made outside the UA: a refusal at the bound).
    pub fn send(&self, to: Peer, msg: &[u8]) {
        match &self.wire {
            Wire::Udp(socket) => {
                let _ = socket.send_to(msg, to.addr);
            }
            Wire::Tcp { streams, .. } => {
                if let Err(e) = streams.send(to, "", msg) {
                    log::warn!("gateway: trunk leg: {e}");
                }
            }
        }
    }

    /// Sends what the UA has queued.
    pub fn transmit(&mut self, now: Instant, buf: &mut [u8]) -> bool {
        let mut busy = false;
        while let Ok(Some(t)) = self.ua.poll_transmit(now, buf) {
            busy = true;
            if let Some(msg) = buf.get(..t.len) {
                let to = Peer {
                    addr: t.destination,
                    transport: t.transport,
                };
                self.send(to, msg);
            }
        }
        busy
    }

    /// The UDP socket's descriptor, to watch for readiness (`None` over TCP: the connections'
    /// threads hand messages over a channel, read every turn; `None` on a simulated network).
    #[must_use]
    pub fn udp_fd(&self) -> Option<std::os::fd::RawFd> {
        match &self.wire {
            Wire::Udp(s) => s.raw_fd(),
            Wire::Tcp { .. } => None,
        }
    }

    /// Whether the driver is woken when a message arrives (epoll on the UDP socket, or the TCP
    /// connections' notification), so that it need not look every turn.
    #[must_use]
    pub const fn wakes(&self) -> bool {
        match &self.wire {
            Wire::Udp(_) => true,
            Wire::Tcp { notified, .. } => *notified,
        }
    }

    /// Open TCP connections (0 over UDP).
    #[must_use]
    pub fn connections(&self) -> usize {
        match &self.wire {
            Wire::Udp(_) => 0,
            Wire::Tcp { streams, .. } => streams.connections(),
        }
    }
}
