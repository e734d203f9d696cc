//! One SRTP/SRTCP stream context (RFC 3711 §3.2): keys, ROC, replay lists and key usage counters.
//! Fixed size, no allocation: the single-stream API works without an allocator. SRTP here, SRTCP in
//! [`srtcp`].

use subtle::ConstantTimeEq;

use crate::config::Config;
use crate::crypto::hmac_sha1::HmacSha1;
use crate::key_derivation::{key_id_r, Kdf};
use crate::replay::ReplayWindow;
use crate::rollover::Rollover;
use crate::session_keys::{aes_cm_iv, Kind, SessionKeys};
use crate::wire::{rtcp, rtp::RtpHeader};
use crate::{Error, KeyingMaterial};

mod srtcp;

/// SRTP packets one master key may protect: 2^48 (RFC 3711 §9.2).
pub const SRTP_KEY_LIMIT: u64 = 1 << 48;
/// SRTCP packets one master key may protect: 2^31 (RFC 3711 §9.2).
pub const SRTCP_KEY_LIMIT: u64 = 1 << 31;

/// The crypto context of one SSRC in one direction: protect what you send, unprotect what you receive.
///
/// Call [`Self::protect_rtp`] / [`Self::protect_rtcp`] on an outbound stream and
/// [`Self::unprotect_rtp`] / [`Self::unprotect_rtcp`] on an inbound one. The ROC survives
/// [`Self::rekey`].
///
/// About 2 KiB (on x86-64: 1984 bytes without GCM, 2000 with `ring`, 2512 with `aes-gcm`, whose
/// AES-256-GCM key schedule is the largest variant). Where stack is scarce (firmware), build it in
/// its final place rather than move it there: start from [`Self::unkeyed`] (a `const fn`, so a
/// `static` or a caller's slot can hold one with no code run) and key it with [`Self::reset`],
/// which derives the session keys straight into the stream.
///
/// ```
/// use rtcweb_srtp_core::{Config, Error, KeyingMaterial, Profile, Stream};
///
/// let mut slot = Stream::unkeyed();
/// let mut buf = [0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 42, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
/// assert_eq!(slot.protect_rtp(&mut buf, 16), Err(Error::NotKeyed));
/// let key = KeyingMaterial::from_key_salt(Profile::AesCm128HmacSha1_80, &[7u8; 30])?;
/// slot.reset(&key, &Config::default())?;
/// assert_eq!(slot.protect_rtp(&mut buf, 16)?, 26);
/// # Ok::<(), Error>(())
/// ```
#[derive(Clone)]
pub struct Stream {
    material: KeyingMaterial,
    config: Config,
    rtp_keys: SessionKeys,
    rtp_r: u64,
    rtcp_keys: SessionKeys,
    rtcp_r: u64,
    rollover: Rollover,
    rtp_replay: ReplayWindow,
    rtcp_replay: ReplayWindow,
    rtcp_next_index: u32,
    rtp_packets: u64,
    rtcp_packets: u64,
}

/// What a stream remembers of the packets it has seen: the index (ROC and highest sequence
/// number) and both replay lists. A [`crate::Session`] keeps it when a stream is removed, so that
/// recorded packets of that SSRC are not accepted again when it comes back (RFC 3711 §3.3.2).
#[cfg(feature = "alloc")]
#[derive(Debug, Clone)]
pub(crate) struct ReplayState {
    rollover: Rollover,
    rtp_replay: ReplayWindow,
    rtcp_replay: ReplayWindow,
    rtcp_next_index: u32,
}

#[cfg(feature = "alloc")]
impl Stream {
    pub(crate) fn replay_state(&self) -> ReplayState {
        ReplayState {
            rollover: self.rollover,
            rtp_replay: self.rtp_replay.clone(),
            rtcp_replay: self.rtcp_replay.clone(),
            rtcp_next_index: self.rtcp_next_index,
        }
    }

    pub(crate) fn restore_replay_state(&mut self, state: ReplayState) {
        self.rollover = state.rollover;
        self.rtp_replay = state.rtp_replay;
        self.rtcp_replay = state.rtcp_replay;
        self.rtcp_next_index = state.rtcp_next_index;
    }
}

impl core::fmt::Debug for Stream {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Stream")
            .field("profile", &self.material.profile())
            .field("roc", &self.rollover.roc())
            .field("rtp_packets", &self.rtp_packets)
            .field("rtcp_packets", &self.rtcp_packets)
            .finish_non_exhaustive()
    }
}

/// Whether a packet's MKI field is the expected one. Not through `==` on slices: that calls
/// `memcmp`, which profiled at a quarter of a small packet's unprotect time even for empty MKIs.
#[inline(always)]
fn mki_matches(got: &[u8], expected: &[u8]) -> bool {
    got.len() == expected.len() && got.iter().zip(expected).all(|(a, b)| a == b)
}

/// Compares a computed tag with the packet's in constant time (RFC 3711 §9.5: no timing oracle).
///
/// The byte differences are OR-folded with no early exit and the fold goes through `subtle` once:
/// `subtle`'s per-byte comparison cost 4 % of a 172-byte unprotect.
#[inline(always)]
fn tag_matches(computed: &[u8], received: &[u8]) -> bool {
    let diff = computed
        .iter()
        .zip(received)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    let same_len = subtle::Choice::from(u8::from(computed.len() == received.len()));
    bool::from(diff.ct_eq(&0) & same_len)
}

/// Writes the first `dst.len()` bytes of `mac` into `dst`: an 80- or 32-bit tag (RFC 3711 §5.2)
/// as a fixed-size move (a variable-length copy is a `memcpy` call).
#[inline(always)]
pub(crate) fn write_tag(dst: &mut [u8], mac: &[u8; 20]) {
    fn put<const N: usize>(dst: &mut [u8], mac: &[u8; 20]) {
        if let (Some(d), Some(s)) = (dst.get_mut(..N), mac.get(..N)) {
            d.copy_from_slice(s);
        }
    }
    match dst.len() {
        10 => put::<10>(dst, mac),
        4 => put::<4>(dst, mac),
        len => {
            if let Some(s) = mac.get(..len) {
                dst.copy_from_slice(s);
            }
        }
    }
}

/// The ROC that follows the packet in the authenticated data (RFC 3711 §4.2): the 48-bit
/// index's top 32 bits, big-endian.
pub(crate) fn roc_bytes(index: u64) -> [u8; 4] {
    ((index >> 16) as u32).to_be_bytes()
}

/// A tag computed ahead of [`Stream::unprotect_rtp_with`], for the packet index and key it
/// assumed.
pub(crate) struct Precomputed {
    pub(crate) index: u64,
    pub(crate) mac: [u8; 20],
}

impl Precomputed {
    /// The tag to check a packet against: `pre`'s if it was computed for this index (a packet of
    /// the same stream accepted in between can change the index; then it is computed here).
    /// The key cannot have changed in between: a tag is computed ahead only with a key
    /// derivation rate of 0 ([`Stream::rtp_mac_input`]), and a stream is rekeyed only through
    /// `&mut` methods, none called between.
    pub(crate) fn or_compute(
        pre: Option<Self>,
        auth: &HmacSha1,
        body: &[u8],
        index: u64,
    ) -> [u8; 20] {
        match pre {
            Some(pre) if pre.index == index => pre.mac,
            _ => auth.mac(body, &roc_bytes(index)),
        }
    }
}

/// The parts of an SRTP trailer: where authenticated data ends, and where MKI and tag sit.
struct Trailer {
    mki: usize,
    tag: usize,
}

impl Default for Stream {
    /// [`Self::unkeyed`].
    fn default() -> Self {
        Self::unkeyed()
    }
}

impl Stream {
    /// A stream keyed with `material`, ROC 0.
    ///
    /// # Errors
    /// [`Error::BadReplayWindow`] or [`Error::BadKey`] when `config` is out of range.
    pub fn new(material: &KeyingMaterial, config: &Config) -> Result<Self, Error> {
        let mut stream = Self::unkeyed();
        stream.reset(material, config)?;
        Ok(stream)
    }

    /// A stream with no keys: every protect and unprotect fails with [`Error::NotKeyed`] until
    /// [`Self::reset`]. Costs no key derivation; `const`, so it can initialize a `static`.
    #[must_use]
    pub const fn unkeyed() -> Self {
        Self {
            material: KeyingMaterial::UNKEYED,
            config: Config::DEFAULT,
            rtp_keys: SessionKeys::Unkeyed,
            rtp_r: 0,
            rtcp_keys: SessionKeys::Unkeyed,
            rtcp_r: 0,
            rollover: Rollover::new(0),
            rtp_replay: ReplayWindow::EMPTY,
            rtcp_replay: ReplayWindow::EMPTY,
            rtcp_next_index: 0,
            rtp_packets: 0,
            rtcp_packets: 0,
        }
    }

    /// Makes this stream what [`Self::new`] would return, in place: keyed with `material`, ROC 0,
    /// empty replay lists, counters at 0. The session keys are derived straight into the stream,
    /// so this needs far less stack than building a `Stream` and moving it (firmware: see
    /// [`Self::unkeyed`]). The old keys are zeroized.
    ///
    /// # Errors
    /// [`Error::BadReplayWindow`] or [`Error::BadKey`] when `config` is out of range; the stream is
    /// then unchanged.
    pub fn reset(&mut self, material: &KeyingMaterial, config: &Config) -> Result<(), Error> {
        config.validate()?;
        let window = ReplayWindow::new(config.replay_window)?;
        self.config = *config;
        self.rollover = Rollover::new(0);
        self.rtp_replay = window.clone();
        self.rtcp_replay = window;
        self.rtcp_next_index = 0;
        self.rtp_r = 0;
        self.rtcp_r = 0;
        self.rekey(material);
        Ok(())
    }

    /// Installs a new master key (re-INVITE, SDP renegotiation, DTLS re-handshake). The ROC, the
    /// highest sequence number, the replay lists and the SRTCP index carry over; the key usage
    /// counters restart. The keys are derived in place, as in [`Self::reset`].
    pub fn rekey(&mut self, material: &KeyingMaterial) {
        self.material = material.clone();
        let kdf = Kdf::new(material.master_key(), material.master_salt());
        self.rtp_keys
            .derive_into(&kdf, material, Kind::Rtp, self.rtp_r);
        self.rtcp_keys
            .derive_into(&kdf, material, Kind::Rtcp, self.rtcp_r);
        self.rtp_packets = 0;
        self.rtcp_packets = 0;
    }

    /// The rollover counter (RFC 3711 §3.3.1).
    #[must_use]
    pub fn roc(&self) -> u32 {
        self.rollover.roc()
    }

    /// Sets the rollover counter, e.g. from an SDES `ROC` signalled for a late joiner.
    pub fn set_roc(&mut self, roc: u32) {
        self.rollover.set_roc(roc);
    }

    /// The highest SRTP packet index processed, `2^16 * ROC + SEQ`.
    #[must_use]
    pub fn highest_index(&self) -> Option<u64> {
        self.rtp_replay.highest()
    }

    /// The SRTCP index the next [`Self::protect_rtcp`] uses.
    #[must_use]
    pub fn next_srtcp_index(&self) -> u32 {
        self.rtcp_next_index
    }

    /// The keying material in use.
    #[must_use]
    pub fn keying_material(&self) -> &KeyingMaterial {
        &self.material
    }

    fn rtp_limit(&self) -> u64 {
        self.material
            .lifetime()
            .map_or(SRTP_KEY_LIMIT, |l| l.min(SRTP_KEY_LIMIT))
    }

    fn rtcp_limit(&self) -> u64 {
        self.material
            .lifetime()
            .map_or(SRTCP_KEY_LIMIT, |l| l.min(SRTCP_KEY_LIMIT))
    }

    fn mki_len(&self) -> usize {
        self.material.mki().map_or(0, |m| m.as_bytes().len())
    }

    fn rtp_trailer(&self) -> Trailer {
        Trailer {
            mki: self.mki_len(),
            tag: self.material.profile().rtp_tag_len(),
        }
    }

    fn rtcp_trailer(&self) -> Trailer {
        Trailer {
            mki: self.mki_len(),
            tag: self.material.profile().rtcp_tag_len(),
        }
    }

    /// The protection profile of the stream's master key.
    #[must_use]
    pub fn profile(&self) -> crate::Profile {
        self.material.profile()
    }

    /// The bytes `protect_rtp` adds after the packet: MKI and tag.
    #[must_use]
    pub fn rtp_overhead(&self) -> usize {
        let t = self.rtp_trailer();
        t.mki + t.tag
    }

    /// The bytes `protect_rtcp` adds after the packet: SRTCP index, MKI and tag.
    #[must_use]
    pub fn rtcp_overhead(&self) -> usize {
        let t = self.rtcp_trailer();
        rtcp::INDEX_LEN + t.mki + t.tag
    }

    /// Keys for `r`: the current ones, or freshly derived ones when the rate moved `r` (RFC 3711 §4.3.1).
    #[inline(always)]
    fn keys_for(&self, kind: Kind, index: u64) -> (u64, Option<SessionKeys>) {
        // Rate 0 (SDES, DTLS-SRTP): keys never change; skip the division and the branch below.
        if self.config.key_derivation_rate == 0 {
            return (0, None);
        }
        let r = key_id_r(index, self.config.key_derivation_rate);
        let current = if kind == Kind::Rtp {
            self.rtp_r
        } else {
            self.rtcp_r
        };
        if r == current {
            (r, None)
        } else {
            (r, Some(SessionKeys::derive(&self.material, kind, r)))
        }
    }

    /// Installs keys derived for a new `r` (only ever called with a rate other than 0).
    #[cold]
    fn commit_keys(&mut self, kind: Kind, r: u64, keys: SessionKeys) {
        if kind == Kind::Rtp {
            self.rtp_keys = keys;
            self.rtp_r = r;
        } else {
            self.rtcp_keys = keys;
            self.rtcp_r = r;
        }
    }

    /// Protects the RTP packet in `buf[..len]` in place and returns the SRTP length: the payload is
    /// encrypted, then MKI and tag are written after it (RFC 3711 §3.1). `buf` must have room for
    /// [`Self::rtp_overhead`] more bytes.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] without tail room, [`Error::Truncated`] / [`Error::BadVersion`] for
    /// a malformed header, [`Error::Replayed`] for an index already sent, [`Error::KeyLifetimeExceeded`].
    /// The buffer is unchanged on every error.
    pub fn protect_rtp(&mut self, buf: &mut [u8], len: usize) -> Result<usize, Error> {
        self.protect_rtp_with(buf, len, |auth, body, roc, tag| {
            write_tag(tag, &auth.mac(body, &roc));
        })
    }

    /// [`Self::protect_rtp`], with the AES-CM profiles' tag left to `tag`: it gets the HMAC key,
    /// the authenticated bytes (header and encrypted payload), the ROC and where the tag goes.
    /// The stream's state is already updated when it runs (protecting cannot fail after the
    /// payload is encrypted), so a caller may compute the tag later, e.g. two at once
    /// ([`crate::pair`]). The AES-GCM profiles finish in here and never call `tag`.
    pub(crate) fn protect_rtp_with<'b>(
        &mut self,
        buf: &'b mut [u8],
        len: usize,
        tag: impl FnOnce(&HmacSha1, &'b [u8], [u8; 4], &'b mut [u8]),
    ) -> Result<usize, Error> {
        let packet = buf.get(..len).ok_or(Error::LengthOutOfBounds {
            len,
            buf: buf.len(),
        })?;
        let header = RtpHeader::parse(packet)?;
        let trailer = self.rtp_trailer();
        let total = len + trailer.mki + trailer.tag;
        if buf.len() < total {
            return Err(Error::BufferTooSmall {
                needed: total,
                got: buf.len(),
            });
        }
        if self.rtp_packets >= self.rtp_limit() {
            return Err(Error::KeyLifetimeExceeded);
        }
        let index = self
            .rollover
            .estimate(header.sequence)
            .ok_or(Error::KeyLifetimeExceeded)?;
        if !self.config.allow_repeat_tx {
            self.rtp_replay.check(index)?;
        }
        let (r, fresh) = self.keys_for(Kind::Rtp, index);
        let keys = fresh.as_ref().unwrap_or(&self.rtp_keys);
        let (body, tail) = buf.split_at_mut(len);
        let mki = self
            .material
            .mki()
            .map(|m| m.as_bytes())
            .unwrap_or_default();
        match keys {
            SessionKeys::AesCmHmac { cipher, salt, auth } => {
                // Two passes, AES then SHA-1: interleaving them per 64-byte block measured 30 %
                // slower, as SHA-1 then runs one block per call.
                if let Some(payload) = body.get_mut(header.len..) {
                    cipher.apply_keystream(&aes_cm_iv(salt, header.ssrc, index), payload);
                }
                let (mki_dst, tag_dst) = tail.split_at_mut(trailer.mki);
                if !mki.is_empty() {
                    mki_dst.copy_from_slice(mki);
                }
                let tag_dst = tag_dst.get_mut(..trailer.tag).unwrap_or_default();
                tag(auth, body, roc_bytes(index), tag_dst);
            }
            SessionKeys::Unkeyed => return Err(Error::NotKeyed),
            #[cfg(any(feature = "gcm", feature = "ring"))]
            SessionKeys::Gcm { aead, salt } => {
                let (aad, payload) = body.split_at_mut(header.len);
                let tag = aead
                    .seal(
                        &crate::session_keys::gcm_iv(salt, header.ssrc, index),
                        aad,
                        payload,
                    )
                    .ok_or(Error::Unsupported("payload too long for AES-GCM"))?;
                let (tag_dst, mki_dst) = tail.split_at_mut(trailer.tag);
                tag_dst.copy_from_slice(&tag);
                if let Some(dst) = mki_dst.get_mut(..trailer.mki) {
                    dst.copy_from_slice(mki);
                }
            }
        }
        if let Some(keys) = fresh {
            self.commit_keys(Kind::Rtp, r, keys);
        }
        self.rollover.update(index);
        self.rtp_replay.accept(index);
        self.rtp_packets += 1;
        Ok(total)
    }

    /// Verifies and decrypts the SRTP packet `packet` in place; returns the RTP packet's length (the
    /// packet now starts `packet`, MKI and tag stripped). The tag is checked before anything is
    /// decrypted, in constant time.
    ///
    /// # Errors
    /// [`Error::AuthenticationFailed`], [`Error::Replayed`], [`Error::TooOld`], [`Error::UnknownMki`],
    /// [`Error::Truncated`], [`Error::BadVersion`], [`Error::KeyLifetimeExceeded`]. The buffer is
    /// unchanged on every error.
    pub fn unprotect_rtp(&mut self, packet: &mut [u8]) -> Result<usize, Error> {
        self.unprotect_rtp_with(packet, |auth, body, index| {
            auth.mac(body, &roc_bytes(index))
        })
    }

    /// The key, the length of the authenticated bytes and the packet index with which
    /// [`Self::unprotect_rtp`] would check `packet`'s HMAC-SHA1 tag as the stream is now; `None`
    /// where it would not (a malformed or short packet, an index too old, AES-GCM, a key
    /// derivation rate: new keys) — errors are [`Self::unprotect_rtp_with`]'s to report.
    pub(crate) fn rtp_mac_input(&self, packet: &[u8]) -> Option<(&HmacSha1, usize, u64)> {
        let header = RtpHeader::parse(packet).ok()?;
        let trailer = self.rtp_trailer();
        let end = packet
            .len()
            .checked_sub(trailer.mki + trailer.tag)
            .filter(|end| *end >= header.len)?;
        let index = self.rollover.estimate(header.sequence)?;
        match (self.config.key_derivation_rate, &self.rtp_keys) {
            (0, SessionKeys::AesCmHmac { auth, .. }) => Some((auth, end, index)),
            _ => None,
        }
    }

    /// [`Self::unprotect_rtp`], with the AES-CM profiles' HMAC-SHA1 computed by `mac` (the key,
    /// the authenticated bytes, the packet index): the pair functions give a tag computed ahead
    /// ([`Precomputed::or_compute`]). Generic rather than an `Option` argument: the single-packet
    /// path measured 8 ns slower per 172-byte packet with one.
    pub(crate) fn unprotect_rtp_with(
        &mut self,
        packet: &mut [u8],
        mac: impl FnOnce(&HmacSha1, &[u8], u64) -> [u8; 20],
    ) -> Result<usize, Error> {
        let header = RtpHeader::parse(packet)?;
        let trailer = self.rtp_trailer();
        let needed = header.len + trailer.mki + trailer.tag;
        if packet.len() < needed {
            return Err(Error::Truncated {
                needed,
                got: packet.len(),
            });
        }
        if self.rtp_packets >= self.rtp_limit() {
            return Err(Error::KeyLifetimeExceeded);
        }
        let highest = self.rtp_replay.highest().unwrap_or_default();
        let index = self
            .rollover
            .estimate(header.sequence)
            .ok_or(Error::TooOld { index: 0, highest })?;
        self.rtp_replay.check(index)?;
        let (r, fresh) = self.keys_for(Kind::Rtp, index);
        let keys = fresh.as_ref().unwrap_or(&self.rtp_keys);
        let expected_mki = self
            .material
            .mki()
            .map(|m| m.as_bytes())
            .unwrap_or_default();
        let end = packet.len() - trailer.mki - trailer.tag;
        let (body, tail) = packet.split_at_mut(end);
        match keys {
            SessionKeys::AesCmHmac { cipher, salt, auth } => {
                let (mki, tag) = tail.split_at(trailer.mki);
                if !mki_matches(mki, expected_mki) {
                    return Err(Error::UnknownMki);
                }
                let mac = mac(auth, body, index);
                if !tag_matches(mac.get(..trailer.tag).unwrap_or_default(), tag) {
                    return Err(Error::AuthenticationFailed);
                }
                if let Some(payload) = body.get_mut(header.len..) {
                    cipher.apply_keystream(&aes_cm_iv(salt, header.ssrc, index), payload);
                }
            }
            SessionKeys::Unkeyed => return Err(Error::NotKeyed),
            #[cfg(any(feature = "gcm", feature = "ring"))]
            SessionKeys::Gcm { aead, salt } => {
                let (tag, mki) = tail.split_at(trailer.tag);
                if !mki_matches(mki, expected_mki) {
                    return Err(Error::UnknownMki);
                }
                let tag: &[u8; 16] = tag.try_into().map_err(|_| Error::AuthenticationFailed)?;
                let (aad, payload) = body.split_at_mut(header.len);
                if !aead.open(
                    &crate::session_keys::gcm_iv(salt, header.ssrc, index),
                    aad,
                    payload,
                    tag,
                ) {
                    return Err(Error::AuthenticationFailed);
                }
            }
        }
        if let Some(keys) = fresh {
            self.commit_keys(Kind::Rtp, r, keys);
        }
        self.rollover.update(index);
        self.rtp_replay.accept(index);
        self.rtp_packets += 1;
        Ok(end)
    }
}

#[cfg(test)]
mod tests;
