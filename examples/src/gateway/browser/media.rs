//! The media legs of one call and the relay between them.
//!
//! The browser's leg ([`WebMedia`]) is one UDP socket carrying STUN (the ICE-lite agent), DTLS
//! and SRTP/SRTCP, split by first byte (RFC 7983). The trunk's leg ([`TrunkMedia`]) is one UDP
//! socket of plain RTP, or of SRTP keyed by SDES ([`super::sdes`]). SRTP from the browser is verified, decrypted and goes on to the phone as
//! RTP with our SSRC, our sequence numbers and the trunk's payload type; RTP from the phone gets
//! the browser leg's SSRC, sequence and payload type and is protected. RTCP ends at the gateway
//! on both legs (its receiver reports are read for the statistics). Here are the sockets and
//! the source checks; what happens to each packet in between is [`super::relay`].
//!
//! Each socket belongs to one call: [`MediaSocket`] counts the open ones, so a test can check
//! that teardown closed them all.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rtcweb_ice_core::{Agent, AgentConfig};
use rtcweb_proto::Rng;
use rtcweb_sip_core::Instant;
use rtcweb_srtp_core::dtls::{
    Certificate, DtlsContext, DtlsEvent, DtlsSrtp, Fingerprint, SrtpSessions,
};
use rtcweb_srtp_core::wire::rtcp::is_rtcp;
use rtcweb_srtp_core::DtlsRole;

use super::codec::PtMap;
use super::net::{Backend, UdpPort};
use super::stats::CallStats;

/// A UDP socket of one call leg, counted while open.
#[derive(Debug)]
pub struct MediaSocket {
    socket: UdpPort,
    open: Arc<AtomicUsize>,
}

impl MediaSocket {
    /// Binds a non-blocking socket on `ip`, any port, on `backend`.
    ///
    /// # Errors
    /// Binding failed.
    pub fn bind(backend: &Backend, ip: IpAddr, open: &Arc<AtomicUsize>) -> io::Result<Self> {
        let socket = UdpPort::bind(backend, SocketAddr::new(ip, 0))?;
        open.fetch_add(1, Ordering::Relaxed);
        Ok(Self {
            socket,
            open: Arc::clone(open),
        })
    }

    /// The socket.
    #[must_use]
    pub const fn socket(&self) -> &UdpPort {
        &self.socket
    }
}

impl Drop for MediaSocket {
    fn drop(&mut self) {
        self.open.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The browser's media leg: ICE-lite, DTLS-SRTP, SRTP contexts, one socket.
#[derive(Debug)]
pub struct WebMedia {
    socket: MediaSocket,
    /// The socket's address (our host candidate).
    pub addr: SocketAddr,
    /// The ICE-lite agent (RFC 8445 §2.5).
    pub ice: Agent,
    dtls: Option<DtlsSrtp>,
    dtls_peer: Option<SocketAddr>,
    /// The SRTP sessions keyed by DTLS-SRTP (RFC 5764 §4.2), once connected.
    pub(super) keys: Option<Box<SrtpSessions>>,
    /// Our SSRC towards the browser (signalled with `a=ssrc`).
    pub ssrc: u32,
    /// Our last RTP sequence number towards the browser.
    pub(super) seq: u16,
}

/// The trunk's media leg: one socket of plain RTP.
#[derive(Debug)]
pub struct TrunkMedia {
    socket: MediaSocket,
    /// The socket's address (in our SDP to the trunk).
    pub addr: SocketAddr,
    /// Where the phone receives RTP (its SDP); RTP from elsewhere is refused.
    pub remote: Option<SocketAddr>,
    /// SDES-SRTP with the phone (RFC 4568, [`super::sdes`]); `None`: plain RTP.
    pub keys: Option<Box<super::sdes::TrunkSrtp>>,
    /// Our SSRC towards the phone.
    pub(super) ssrc: u32,
    /// Our last RTP sequence number towards the phone.
    pub(super) seq: u16,
    /// Once the trunk answered ([`Relay::answer`]; `None` before): when the phone was last heard
    /// on this leg (a datagram from its address that verified, RTP or RTCP), or last had to
    /// start sending (the answer, the end of a hold). The media timeout counts from here
    /// ([`super::BrowserGatewayConfig::media_timeout`]).
    pub heard: Option<Instant>,
    /// The phone's direction lets it send (`sendrecv`/`sendonly`): otherwise (on hold) its
    /// silence is expected and not timed.
    pub phone_sends: bool,
}

/// What the media legs of a call report to the call.
#[derive(Debug)]
pub enum MediaEvent {
    /// DTLS-SRTP keyed, with this profile.
    Keyed(String),
    /// DTLS failed or closed.
    DtlsFailed(String),
}

impl WebMedia {
    /// A leg on a fresh socket on `ip`, its ICE-lite agent and SSRC drawn from `rng` (DTLS
    /// starts later, on the gateway's shared context: [`Self::start_dtls`]).
    ///
    /// # Errors
    /// Binding failed.
    pub fn new(
        backend: &Backend,
        ip: IpAddr,
        rng: &mut Rng,
        open: &Arc<AtomicUsize>,
    ) -> io::Result<Self> {
        let socket = MediaSocket::bind(backend, ip, open)?;
        let addr = socket.socket().local_addr()?;
        let mut ice = Agent::new(AgentConfig::lite(), rng.seed32());
        ice.add_local_host(addr)
            .map_err(|e| io::Error::other(e.to_string()))?;
        let ssrc = u32::from_be_bytes(rng.seed32()[..4].try_into().unwrap_or([1; 4]));
        Ok(Self {
            socket,
            addr,
            ice,
            dtls: None,
            dtls_peer: None,
            keys: None,
            ssrc,
            seq: 0,
        })
    }

    /// The browser's ICE credentials and candidates.
    pub fn set_remote(
        &mut self,
        ufrag: &str,
        pwd: &str,
        candidates: &[rtcweb_ice_core::candidate::Candidate],
    ) {
        let _ = self.ice.set_remote_credentials(ufrag, pwd);
        for c in candidates {
            let _ = self.ice.add_remote_candidate(*c);
        }
    }

    /// Starts DTLS in `role` expecting the browser's `fingerprint`, on the gateway's one
    /// [`DtlsContext`] (dimpl's checked configuration: building one runs its provider's
    /// self-tests, ≈ 6 ms, which a call set-up must not pay).
    pub fn start_dtls(
        &mut self,
        now: Instant,
        role: DtlsRole,
        certificate: &Certificate,
        fingerprint: Fingerprint,
        context: &DtlsContext,
    ) {
        self.dtls = Some(DtlsSrtp::with_context(
            now,
            role,
            certificate,
            Some(fingerprint),
            context,
        ));
    }

    /// The leg's socket (for readiness; the relay reads and writes it).
    #[must_use]
    pub const fn socket(&self) -> &UdpPort {
        self.socket.socket()
    }

    /// Whether SRTP is keyed.
    #[must_use]
    pub const fn keyed(&self) -> bool {
        self.keys.is_some()
    }

    /// Where media to the browser goes: the ICE-selected pair, else where DTLS came from.
    fn destination(&self) -> Option<SocketAddr> {
        self.ice
            .selected_pair(1)
            .map(|(_, r)| r.address)
            .or(self.dtls_peer)
    }

    /// When [`Self::handle_timeout`] is next due (ICE's or DTLS's timer).
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let dtls = self.dtls.as_ref().and_then(DtlsSrtp::poll_timeout);
        match (self.ice.poll_timeout(), dtls) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Time moved on.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.ice.poll_timeout().is_some_and(|t| t <= now) {
            self.ice.handle_timeout(now);
        }
        if let Some(d) = self.dtls.as_mut() {
            if d.poll_timeout().is_some_and(|t| t <= now) {
                d.handle_timeout(now);
            }
        }
        while self.ice.poll_event().is_some() {}
    }

    /// Sends what ICE and DTLS have queued; busy when something went.
    pub fn transmit(&mut self, now: Instant, buf: &mut [u8]) -> bool {
        let mut busy = false;
        while let Ok(Some(t)) = self.ice.poll_transmit(now, buf) {
            busy = true;
            if let Some(msg) = buf.get(..t.len) {
                let _ = self.socket.socket().send_to(msg, t.destination);
            }
        }
        let to = self.destination();
        if let (Some(d), Some(to)) = (self.dtls.as_mut(), to) {
            while let Ok(Some(n)) = d.poll_transmit(now, buf) {
                busy = true;
                if let Some(msg) = buf.get(..n) {
                    let _ = self.socket.socket().send_to(msg, to);
                }
            }
        }
        busy
    }

    fn dtls_events(&mut self, events: &mut Vec<MediaEvent>) {
        let Some(d) = self.dtls.as_mut() else {
            return;
        };
        while let Some(e) = d.poll_event() {
            match e {
                DtlsEvent::Connected(c) => {
                    events.push(MediaEvent::Keyed(c.profile.name().to_string()));
                    self.keys = Some(Box::new(c.srtp));
                }
                other => events.push(MediaEvent::DtlsFailed(format!("{other:?}"))),
            }
        }
    }
}

impl TrunkMedia {
    /// Records the phone's direction (its offer's or answer's, RFC 3264 §6.1); the timeout
    /// restarts at `now` when the phone has to start sending again.
    pub fn set_phone_direction(&mut self, now: Instant, direction: &str) {
        let sends = matches!(direction, "sendrecv" | "sendonly");
        if sends && !self.phone_sends {
            self.heard = Some(now);
        }
        self.phone_sends = sends;
    }

    /// Whether the phone has been silent for `limit` while it should send: the call is
    /// answered (`heard` set) and the phone's direction lets it send.
    #[must_use]
    pub fn silent_for(&self, now: Instant, limit: std::time::Duration) -> bool {
        self.phone_sends
            && self
                .heard
                .is_some_and(|h| now.saturating_duration_since(h) >= limit)
    }

    /// A leg on a fresh socket on `ip`.
    ///
    /// # Errors
    /// Binding failed.
    pub fn new(
        backend: &Backend,
        ip: IpAddr,
        rng: &mut Rng,
        open: &Arc<AtomicUsize>,
    ) -> io::Result<Self> {
        let socket = MediaSocket::bind(backend, ip, open)?;
        let addr = socket.socket().local_addr()?;
        let ssrc = u32::from_be_bytes(rng.seed32()[..4].try_into().unwrap_or([2; 4]));
        Ok(Self {
            socket,
            addr,
            remote: None,
            keys: None,
            ssrc,
            seq: 0,
            heard: None,
            phone_sends: true,
        })
    }

    /// The leg's socket (for readiness; the relay reads and writes it).
    #[must_use]
    pub const fn socket(&self) -> &UdpPort {
        self.socket.socket()
    }
}

/// Datagrams read from one leg's socket per turn, so that one busy call cannot hold up the
/// others (a leg stopped here is read again next turn: [`super::poller`]).
pub const BATCH: usize = 64;

/// What one read of a leg's socket found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reads {
    /// Datagrams taken off the socket (errors it reported included).
    pub datagrams: usize,
    /// Stopped at [`BATCH`]: more may be waiting.
    pub more: bool,
}

impl Reads {
    /// Whether anything was read.
    #[must_use]
    pub const fn any(self) -> bool {
        self.datagrams > 0
    }

    /// The next datagram of `socket` (non-blocking), counted: `None` when it would block, or
    /// at the cap (`more` set). An error the socket reports (an ICMP port unreachable for an
    /// earlier send) is counted and reading goes on.
    fn next(&mut self, socket: &UdpPort, buf: &mut [u8]) -> Option<(usize, SocketAddr)> {
        loop {
            if self.datagrams >= BATCH {
                self.more = true;
                return None;
            }
            match socket.recv_from(buf) {
                Ok(r) => {
                    self.datagrams += 1;
                    return Some(r);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return None,
                Err(_) => self.datagrams += 1,
            }
        }
    }
}

/// Both media legs of a call, relaying between them.
#[derive(Debug)]
pub struct Relay {
    /// The browser's leg.
    pub web: WebMedia,
    /// The trunk's leg.
    pub trunk: TrunkMedia,
    /// Payload types between the legs, once the codec is chosen.
    pub pts: Option<PtMap>,
    /// The trunk has answered (packets to the browser before are early media).
    pub answered: bool,
}

impl Relay {
    /// The trunk answered at `now`: later packets to the browser are no longer early media,
    /// and the phone's media timeout starts.
    pub fn answer(&mut self, now: Instant) {
        self.answered = true;
        self.trunk.heard = Some(now);
    }

    /// Reads the browser's socket (until it would block, at most [`BATCH`] datagrams): STUN to
    /// ICE, DTLS to DTLS, SRTP relayed to the phone.
    pub fn read_web(
        &mut self,
        now: Instant,
        buf: &mut [u8],
        stats: &mut CallStats,
        events: &mut Vec<MediaEvent>,
    ) -> Reads {
        let mut reads = Reads::default();
        while let Some((n, from)) = reads.next(self.web.socket.socket(), buf) {
            let Some(datagram) = buf.get_mut(..n) else {
                continue;
            };
            match datagram.first().copied().unwrap_or(255) {
                0..=3 => {
                    let _ = self
                        .web
                        .ice
                        .handle_receive(now, self.web.addr, from, datagram);
                }
                20..=63 => {
                    self.web.dtls_peer.get_or_insert(from);
                    if let Some(d) = self.web.dtls.as_mut() {
                        let _ = d.handle_receive(now, datagram);
                    }
                    self.web.dtls_events(events);
                }
                128..=191 => {
                    let Some(len) = self.web_to_trunk(datagram, stats) else {
                        continue;
                    };
                    let Some(len) = self.to_trunk_wire(buf, len) else {
                        continue;
                    };
                    let (Some(to), Some(rtp)) = (self.trunk.remote, buf.get(..len)) else {
                        continue;
                    };
                    if self.trunk.socket.socket().send_to(rtp, to).is_ok() {
                        stats.web_to_phone += 1;
                    }
                }
                _ => stats.refused += 1,
            }
        }
        reads
    }

    /// Reads the phone's socket (until it would block, at most [`BATCH`] datagrams): RTP
    /// protected and sent to the browser, RTCP read and ended; a datagram from the phone's
    /// address that passes the leg's SRTP check (if any) marks the phone heard at `now`.
    pub fn read_trunk(&mut self, now: Instant, buf: &mut [u8], stats: &mut CallStats) -> Reads {
        let mut reads = Reads::default();
        while let Some((n, from)) = reads.next(self.trunk.socket.socket(), buf) {
            if self.trunk.remote.is_some_and(|r| r.ip() != from.ip()) {
                stats.refused += 1;
                continue;
            }
            let Some(n) = self.from_trunk_wire(buf, n, stats) else {
                continue;
            };
            if self.answered && self.trunk.remote.is_some() {
                self.trunk.heard = Some(now);
            }
            let Some(src) = buf.get(..n) else { continue };
            if is_rtcp(src) {
                stats.phone_reception.update(src);
                continue;
            }
            if Some(from) != self.trunk.remote {
                continue;
            }
            let Some(len) = self.trunk_to_web(buf, n, stats) else {
                continue;
            };
            let to = self.web.destination();
            if let (Some(to), Some(p)) = (to, buf.get(..len)) {
                if self.web.socket.socket().send_to(p, to).is_ok() {
                    stats.phone_to_web += 1;
                    if !self.answered {
                        stats.early_media += 1;
                    }
                }
            }
        }
        reads
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// The media timeout's clock: it runs once the call is answered (`heard` set) while the
    /// phone's direction lets it send, stops on hold, and restarts when the hold ends.
    #[test]
    fn the_phone_is_timed_only_while_it_should_send() {
        let open = Arc::new(AtomicUsize::new(0));
        let mut rng = Rng::from_seed([4; 32]);
        let mut leg =
            TrunkMedia::new(&Backend::Os, "127.0.0.1".parse().unwrap(), &mut rng, &open).unwrap();
        let limit = Duration::from_secs(60);
        let at = |s: i64| Instant::from_nanos(s * 1_000_000_000);
        assert!(!leg.silent_for(at(500), limit), "not answered: not timed");
        leg.heard = Some(at(10));
        assert!(!leg.silent_for(at(69), limit));
        assert!(leg.silent_for(at(70), limit));
        leg.set_phone_direction(at(70), "recvonly");
        assert!(!leg.silent_for(at(500), limit), "on hold: not timed");
        leg.set_phone_direction(at(500), "sendrecv");
        assert!(
            !leg.silent_for(at(559), limit),
            "the hold's end restarts the clock"
        );
        assert!(leg.silent_for(at(560), limit));
        leg.set_phone_direction(at(560), "inactive");
        leg.set_phone_direction(at(561), "sendonly");
        assert!(!leg.silent_for(at(620), limit));
        assert!(leg.silent_for(at(621), limit));
    }
}
