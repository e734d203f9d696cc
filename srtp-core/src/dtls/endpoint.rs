//! The DTLS-SRTP endpoint: dimpl's handshake behind the family's Sans-IO verbs, checking the
//! peer's certificate against its `a=fingerprint` and handing out SRTP sessions.

use alloc::collections::VecDeque;
use alloc::string::ToString as _;
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::alert::{fatal_alert, BAD_CERTIFICATE};
use super::clock::Clock;
use super::context::ENGINE_RX_QUEUE;
use super::{
    Certificate, Connected, DtlsConfig, DtlsContext, DtlsError, DtlsEvent, DtlsVersion,
    ExportedKeyingMaterial, Fingerprint, SrtpProtectionProfile, SrtpSessions, VersionPolicy,
};
use crate::{BufferTooSmall, DtlsRole, Instant};

/// Datagrams kept for [`DtlsSrtp::poll_transmit`] at most; a handshake flight is a few. Beyond
/// it the oldest is dropped and counted ([`DtlsSrtp::dropped_transmits`]); DTLS retransmits.
const MAX_QUEUED_TRANSMITS: usize = 64;
/// Largest datagram dimpl may ask the output buffer to hold.
const MAX_DATAGRAM: usize = 65_535;
/// Outputs one drain of dimpl may yield before it must have said when to wake it.
const MAX_OUTPUTS_PER_DRAIN: usize = 4096;

/// Where the association stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtlsState {
    /// The handshake is under way (or waits for the remote fingerprint).
    Handshaking,
    /// The handshake completed and the peer was authenticated; keys were handed out.
    Connected,
    /// Closed by [`DtlsSrtp::close`] or by the peer's `close_notify`.
    Closed,
    /// Failed for good ([`DtlsEvent::Failed`] said why).
    Failed,
}

/// A DTLS-SRTP endpoint (RFC 5763, RFC 5764): one DTLS association with one peer whose
/// certificate must match the `a=fingerprint` it signalled.
///
/// Sans-IO, like every state machine of the family:
///
/// - getters: [`Self::role`], [`Self::state`], [`Self::version`], [`Self::local_fingerprint`],
///   [`Self::remote_fingerprint`], [`Self::dropped_transmits`];
/// - in: [`Self::handle_receive`] (a DTLS datagram, RFC 7983 first byte 20..=63, see
///   [`Self::accepts`]), [`Self::handle_timeout`] (at or after [`Self::poll_timeout`]);
/// - application: [`Self::set_remote_fingerprint`] (when the answer arrives after the
///   handshake started), [`Self::close`];
/// - out, in this order after every call above: [`Self::poll_transmit`] until `Ok(None)`, then
///   [`Self::poll_event`] until `None`, then [`Self::poll_timeout`].
///
/// On [`DtlsEvent::Connected`] the SRTP sessions are ready. The endpoint stays useful after it:
/// it answers the peer's retransmitted last flight (RFC 6347 §4.2.4) and reports
/// `close_notify` and fatal alerts, so keep feeding it DTLS datagrams.
#[derive(Debug)]
pub struct DtlsSrtp {
    /// `None` once failed or closed.
    dtls: Option<dimpl::Dtls>,
    role: DtlsRole,
    config: DtlsConfig,
    clock: Clock,
    local_fingerprint: Fingerprint,
    remote_fingerprint: Option<Fingerprint>,
    state: DtlsState,
    /// The overall handshake deadline; `None` once connected.
    deadline: Option<Instant>,
    /// dimpl's next wake-up.
    engine_timeout: Option<Instant>,
    /// dimpl writes its output here.
    scratch: Vec<u8>,
    transmits: VecDeque<Vec<u8>>,
    /// Sent datagrams' buffers, reused.
    spare: Vec<Vec<u8>>,
    dropped: u64,
    events: VecDeque<DtlsEvent>,
    /// The peer's certificate until it is checked (the remote fingerprint may come later).
    peer_certificate: Option<Vec<u8>>,
    peer_fingerprint: Option<Fingerprint>,
    keying: Option<(ExportedKeyingMaterial, SrtpProtectionProfile)>,
    engine_connected: bool,
    /// Bytes received, and the largest datagram, before the peer's certificate came out of
    /// dimpl: what bounds that certificate's size (see [`Self::reserve_for_certificate`]).
    received_before_certificate: usize,
    largest_datagram: usize,
}

impl DtlsSrtp {
    /// An endpoint in `role` with `certificate`, expecting a peer certificate matching
    /// `remote_fingerprint` (`None`: not known yet, give it with
    /// [`Self::set_remote_fingerprint`] before the keys can be handed out).
    ///
    /// A client queues its ClientHello at once. `seed` (32 bytes, fresh per endpoint) is all the
    /// randomness dimpl takes from a seed (see the [module doc](super)); this builds the
    /// endpoint its own [`DtlsContext::seeded`], about 6 ms of dimpl's self-tests: for many
    /// endpoints share a [`DtlsContext`] through [`Self::with_context`].
    ///
    /// # Errors
    /// [`DtlsError::Config`] when a setting is out of range.
    pub fn new(
        now: Instant,
        role: DtlsRole,
        certificate: &Certificate,
        remote_fingerprint: Option<Fingerprint>,
        config: &DtlsConfig,
        seed: &[u8; 32],
    ) -> Result<Self, DtlsError> {
        let context = DtlsContext::seeded(config, seed)?;
        Ok(Self::with_context(
            now,
            role,
            certificate,
            remote_fingerprint,
            &context,
        ))
    }

    /// As [`Self::new`], with a shared, already checked [`DtlsContext`] (no error left to
    /// report: a failure while queueing the first flight is a [`DtlsEvent::Failed`]).
    #[must_use]
    pub fn with_context(
        now: Instant,
        role: DtlsRole,
        certificate: &Certificate,
        remote_fingerprint: Option<Fingerprint>,
        context: &DtlsContext,
    ) -> Self {
        let config = &context.config;
        let engine_config = Arc::clone(&context.engine);
        let mut clock = Clock::new(now);
        let std_now = clock.engine_time(now);
        let cert = certificate.to_dimpl();
        let mut dtls = match config.versions {
            VersionPolicy::Dtls12 => dimpl::Dtls::new_12(engine_config, cert, std_now),
            VersionPolicy::Dtls13 => dimpl::Dtls::new_13(engine_config, cert, std_now),
            VersionPolicy::Auto => dimpl::Dtls::new_auto(engine_config, cert, std_now),
        };
        if role == DtlsRole::Client {
            dtls.set_active(true);
        }
        let mut endpoint = Self {
            dtls: Some(dtls),
            role,
            config: *config,
            clock,
            local_fingerprint: certificate.fingerprint(),
            remote_fingerprint,
            state: DtlsState::Handshaking,
            deadline: now.checked_add(config.handshake_timeout),
            engine_timeout: None,
            scratch: alloc::vec![0; config.mtu.clamp(64, MAX_DATAGRAM)],
            transmits: VecDeque::new(),
            spare: Vec::new(),
            dropped: 0,
            events: VecDeque::new(),
            peer_certificate: None,
            peer_fingerprint: None,
            keying: None,
            engine_connected: false,
            received_before_certificate: 0,
            largest_datagram: 0,
        };
        // Failures here are reported as events, like any later one.
        let _ = endpoint.step(now, None);
        endpoint
    }

    /// Whether a datagram is DTLS by its first byte, 20..=63 (RFC 7983 §7): how one socket's
    /// traffic is split between STUN (0..=3), DTLS, TURN channels (64..=79) and RTP/RTCP
    /// (128..=191).
    #[must_use]
    pub fn accepts(datagram: &[u8]) -> bool {
        matches!(datagram.first(), Some(20..=63))
    }

    /// Feeds one received DTLS datagram.
    ///
    /// Malformed, replayed and out-of-window records are dropped inside (dimpl's policy), so
    /// garbage is never an error by itself.
    ///
    /// # Errors
    /// [`DtlsError::NotDtls`] (not fatal: the datagram belongs to another protocol);
    /// [`DtlsError::Closed`] once failed or closed; otherwise the fatal error this datagram
    /// caused, also reported as [`DtlsEvent::Failed`].
    pub fn handle_receive(&mut self, now: Instant, datagram: &[u8]) -> Result<(), DtlsError> {
        if !Self::accepts(datagram) {
            return Err(DtlsError::NotDtls);
        }
        if self.dtls.is_none() {
            return Err(DtlsError::Closed);
        }
        self.step(now, Some(datagram))
    }

    /// Moves time on: retransmits a flight whose timer ran out (RFC 6347 §4.2.4), fails the
    /// handshake at its deadline.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.dtls.is_some() {
            // A failure is reported as an event.
            let _ = self.step(now, None);
        }
    }

    /// Gives the remote `a=fingerprint` when it was not known at [`Self::new`] (the offerer's
    /// DTLS server may receive the ClientHello before the answer, RFC 5763 §5). A peer
    /// certificate already received is checked now.
    ///
    /// # Errors
    /// [`DtlsError::FingerprintMismatch`] when the certificate already received does not match
    /// (then fatal, as in [`Self::handle_receive`]); [`DtlsError::Closed`] once failed or closed.
    pub fn set_remote_fingerprint(&mut self, fingerprint: Fingerprint) -> Result<(), DtlsError> {
        if self.dtls.is_none() {
            return Err(DtlsError::Closed);
        }
        self.remote_fingerprint = Some(fingerprint);
        self.progress().map_err(|e| self.fail(e))
    }

    /// Writes the next datagram to send into `buf` and returns its length; `Ok(None)` when
    /// there is none.
    ///
    /// `now` is the family's signature: the datagrams were made by the last `handle_*` call.
    ///
    /// The family's small-buffer error, as every `poll_transmit`: the datagram's destination is
    /// the caller's (the selected ICE pair's remote address), so only its length comes back.
    ///
    /// # Errors
    /// [`BufferTooSmall`] with the length needed; the datagram stays queued.
    pub fn poll_transmit(
        &mut self,
        now: Instant,
        buf: &mut [u8],
    ) -> Result<Option<usize>, BufferTooSmall> {
        let _ = now;
        let Some(next) = self.transmits.front() else {
            return Ok(None);
        };
        let len = next.len();
        buf.get_mut(..len)
            .ok_or(BufferTooSmall { needed: len })?
            .copy_from_slice(next);
        if let Some(mut sent) = self.transmits.pop_front() {
            sent.clear();
            if self.spare.len() < MAX_QUEUED_TRANSMITS {
                self.spare.push(sent);
            }
        }
        Ok(Some(len))
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<DtlsEvent> {
        self.events.pop_front()
    }

    /// When to call [`Self::handle_timeout`] next; `None` when nothing is scheduled (failed or
    /// closed).
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.dtls.as_ref()?;
        match (self.engine_timeout, self.deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Closes the association: sends `close_notify` when connected (RFC 5246 §7.2.1), abandons
    /// the handshake otherwise. Drain [`Self::poll_transmit`] afterwards.
    pub fn close(&mut self, now: Instant) {
        let Some(mut dtls) = self.dtls.take() else {
            return;
        };
        let std_now = self.clock.engine_time(now);
        if dtls.handle_timeout(std_now).is_ok() && dtls.close().is_ok() {
            let _ = self.drain(&mut dtls);
        }
        self.state = DtlsState::Closed;
        self.deadline = None;
        self.engine_timeout = None;
    }

    /// This endpoint's DTLS role.
    #[must_use]
    pub fn role(&self) -> DtlsRole {
        self.role
    }

    /// Where the association stands.
    #[must_use]
    pub fn state(&self) -> DtlsState {
        self.state
    }

    /// The DTLS version in use, once known (with [`VersionPolicy::Auto`], after the hellos).
    #[must_use]
    pub fn version(&self) -> Option<DtlsVersion> {
        let v = self.dtls.as_ref()?.protocol_version()?;
        if v == dimpl::ProtocolVersion::DTLS1_2 {
            Some(DtlsVersion::Dtls12)
        } else if v == dimpl::ProtocolVersion::DTLS1_3 {
            Some(DtlsVersion::Dtls13)
        } else {
            None
        }
    }

    /// This endpoint's certificate fingerprint (SHA-256), for its `a=fingerprint`.
    #[must_use]
    pub fn local_fingerprint(&self) -> Fingerprint {
        self.local_fingerprint
    }

    /// The fingerprint the peer's certificate must match, once given.
    #[must_use]
    pub fn remote_fingerprint(&self) -> Option<Fingerprint> {
        self.remote_fingerprint
    }

    /// Datagrams dropped because [`Self::poll_transmit`] was not called for too long.
    #[must_use]
    pub fn dropped_transmits(&self) -> u64 {
        self.dropped
    }

    /// Advances dimpl to `now`, feeds `datagram`, drains its output and acts on it.
    fn step(&mut self, now: Instant, datagram: Option<&[u8]>) -> Result<(), DtlsError> {
        let Some(mut dtls) = self.dtls.take() else {
            return Err(DtlsError::Closed);
        };
        let std_now = self.clock.engine_time(now);
        let mut result = dtls.handle_timeout(std_now).map_err(from_engine);
        if let (Ok(()), Some(d)) = (&result, datagram) {
            if !self.certificate_seen() {
                self.received_before_certificate =
                    self.received_before_certificate.saturating_add(d.len());
                self.largest_datagram = self.largest_datagram.max(d.len());
            }
            result = dtls.handle_packet(d).map_err(from_engine);
        }
        self.reserve_for_certificate();
        // Drain even after an error: the output up to it is consistent.
        let drained = self.drain(&mut dtls);
        self.dtls = Some(dtls);
        let result = result.and(drained).and_then(|()| self.progress());
        if let Err(e) = result {
            return Err(self.fail(e));
        }
        if self.state == DtlsState::Handshaking
            && self.deadline.is_some_and(|d| self.clock.now() >= d)
        {
            return Err(self.fail(DtlsError::Timeout));
        }
        Ok(())
    }

    fn certificate_seen(&self) -> bool {
        self.peer_certificate.is_some() || self.peer_fingerprint.is_some()
    }

    /// dimpl 0.9 copies the peer's certificate into the output buffer and panics when it does
    /// not fit (`into_output`'s assert), so until the certificate is out the buffer is kept as
    /// large as any certificate the peer could have sent: no more than the bytes received, nor
    /// than dimpl's receive queue of the largest datagrams seen. Back to the MTU afterwards.
    fn reserve_for_certificate(&mut self) {
        let floor = self.config.mtu.clamp(64, MAX_DATAGRAM);
        if self.certificate_seen() {
            if self.scratch.len() > floor {
                self.scratch.truncate(floor);
                self.scratch.shrink_to_fit();
            }
            return;
        }
        let bound = self
            .received_before_certificate
            .min(ENGINE_RX_QUEUE.saturating_mul(self.largest_datagram));
        if bound > self.scratch.len() {
            self.scratch.resize(bound, 0);
        }
    }

    /// Takes everything dimpl has to say until it names its next wake-up.
    fn drain(&mut self, dtls: &mut dimpl::Dtls) -> Result<(), DtlsError> {
        for _ in 0..MAX_OUTPUTS_PER_DRAIN {
            match dtls.poll_output(&mut self.scratch) {
                dimpl::Output::Packet(p) => {
                    let mut buf = self.spare.pop().unwrap_or_default();
                    buf.extend_from_slice(p);
                    self.transmits.push_back(buf);
                    if self.transmits.len() > MAX_QUEUED_TRANSMITS {
                        self.transmits.pop_front();
                        self.dropped += 1;
                    }
                }
                dimpl::Output::BufferTooSmall { needed } => {
                    if needed > MAX_DATAGRAM || needed <= self.scratch.len() {
                        return Err(DtlsError::Protocol {
                            reason: "engine output does not fit a datagram".into(),
                        });
                    }
                    self.scratch.resize(needed, 0);
                }
                dimpl::Output::Timeout(t) => {
                    self.engine_timeout = self.clock.caller_time(t);
                    return Ok(());
                }
                dimpl::Output::Connected => self.engine_connected = true,
                dimpl::Output::PeerCert(der) => {
                    // A peer that changes certificate within a handshake is refused.
                    if self.peer_certificate.as_deref().is_some_and(|c| c != der) {
                        return Err(DtlsError::FingerprintMismatch);
                    }
                    if self.peer_certificate.is_none() {
                        self.peer_certificate = Some(der.to_vec());
                    }
                }
                dimpl::Output::KeyingMaterial(material, profile) => {
                    let profile =
                        SrtpProtectionProfile::from_dimpl(profile).ok_or(DtlsError::Protocol {
                            reason: "unknown SRTP protection profile".into(),
                        })?;
                    let exported = ExportedKeyingMaterial::new(&material)
                        .filter(|m| m.as_bytes().len() == profile.keying_material_len())
                        .ok_or(DtlsError::Protocol {
                            reason: "exported keying material of the wrong length".into(),
                        })?;
                    self.keying = Some((exported, profile));
                }
                dimpl::Output::CloseNotify => {
                    self.events.push_back(DtlsEvent::PeerClosed);
                    self.state = DtlsState::Closed;
                }
                // DTLS-SRTP carries no application data over DTLS (RFC 5764 §4): ignored.
                _ => {}
            }
        }
        Err(DtlsError::Protocol {
            reason: "engine output without a deadline".into(),
        })
    }

    /// Checks the peer's certificate and hands out the keys once the handshake is complete.
    fn progress(&mut self) -> Result<(), DtlsError> {
        if self.state == DtlsState::Closed {
            // The peer's close_notify: nothing more to do with this association.
            self.dtls = None;
            self.deadline = None;
            self.engine_timeout = None;
            return Ok(());
        }
        if let (None, Some(der), Some(remote)) = (
            self.peer_fingerprint,
            self.peer_certificate.as_deref(),
            self.remote_fingerprint,
        ) {
            if !remote.matches_certificate(der) {
                return Err(DtlsError::FingerprintMismatch);
            }
            self.peer_fingerprint = Some(Fingerprint::of_certificate(remote.hash_function(), der));
            self.peer_certificate = None;
        }
        if !self.engine_connected || self.state != DtlsState::Handshaking {
            return Ok(());
        }
        if self.peer_certificate.is_none() && self.peer_fingerprint.is_none() {
            return Err(DtlsError::NoPeerCertificate);
        }
        let Some(peer_fingerprint) = self.peer_fingerprint else {
            // Complete but not yet authenticated: waits for set_remote_fingerprint.
            return Ok(());
        };
        let (keying_material, profile) = self.keying.take().ok_or(DtlsError::NoSrtpProfile)?;
        // The length was checked against the profile and the configuration when the context
        // was made: this does not fail, but would be reported rather than unwrapped.
        let srtp = SrtpSessions::new(
            profile.srtp_profile(),
            &keying_material,
            self.role,
            &self.config.srtp,
        )
        .map_err(|e| DtlsError::Protocol {
            reason: e.to_string(),
        })?;
        let version = self.version().unwrap_or(DtlsVersion::Dtls12);
        self.state = DtlsState::Connected;
        self.deadline = None;
        self.events
            .push_back(DtlsEvent::Connected(alloc::boxed::Box::new(Connected {
                version,
                role: self.role,
                profile,
                peer_fingerprint,
                keying_material,
                srtp,
            })));
        Ok(())
    }

    /// Ends the association with `error`: drops the engine and anything unsent (so a refused
    /// peer gets nothing more but, for a bad certificate, the alert), reports it, returns it.
    fn fail(&mut self, error: DtlsError) -> DtlsError {
        self.dtls = None;
        self.state = DtlsState::Failed;
        self.deadline = None;
        self.engine_timeout = None;
        self.keying = None;
        while let Some(mut b) = self.transmits.pop_front() {
            b.clear();
            self.spare.push(b);
        }
        if error == DtlsError::FingerprintMismatch {
            let mut b = self.spare.pop().unwrap_or_default();
            b.extend_from_slice(&fatal_alert(BAD_CERTIFICATE));
            self.transmits.push_back(b);
        }
        self.events.push_back(DtlsEvent::Failed(error.clone()));
        error
    }
}

/// dimpl's fatal errors in this crate's terms.
fn from_engine(e: dimpl::Error) -> DtlsError {
    match e {
        dimpl::Error::Timeout(_) => DtlsError::Timeout,
        dimpl::Error::SecurityError(dimpl::SecurityError::FatalAlert { description }) => {
            DtlsError::FatalAlert { description }
        }
        other => DtlsError::Protocol {
            reason: other.to_string(),
        },
    }
}
