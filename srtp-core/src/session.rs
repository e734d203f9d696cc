//! A session: the stream contexts of many SSRCs under one master key, created on first use and
//! bounded in number (RFC 3711 §3.2.3). Needs `alloc`.

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, VecDeque};

use crate::crypto::hmac_sha1::HmacSha1;
use crate::stream::{Precomputed, ReplayState};
use crate::wire::{rtcp, rtp};
use crate::{Config, Error, KeyingMaterial, Stream};

/// The SRTP/SRTCP contexts of one direction (outbound: protect, inbound: unprotect) keyed by SSRC.
///
/// A stream is created on the first packet of its SSRC (for inbound packets only once the packet
/// authenticates), up to [`Config::max_streams`]. Per packet there is no heap allocation once the
/// stream exists. [`Self::rekey`] keeps every stream's ROC.
#[derive(Debug)]
pub struct Session {
    /// A stream with the session keys derived and no packet seen: new SSRCs start as a copy of it,
    /// so a packet for an unknown SSRC costs no key derivation.
    template: Stream,
    config: Config,
    /// Boxed: a `Stream` is about 2.5 KB (expanded keys for RTP and RTCP, replay lists), and a
    /// B-tree leaf holds 11 values inline, so unboxed a one-stream session took 24 KB.
    streams: BTreeMap<u32, Box<Stream>>,
    /// Replay state of removed streams, newest last, at most `config.max_streams`: a removed SSRC
    /// that comes back resumes from it instead of accepting its old packets again.
    retired: VecDeque<(u32, ReplayState)>,
}

impl Session {
    /// A session with no stream yet.
    ///
    /// # Errors
    /// When `config` is out of range (see [`Config`]).
    pub fn new(material: &KeyingMaterial, config: &Config) -> Result<Self, Error> {
        Ok(Self {
            template: Stream::new(material, config)?,
            config: *config,
            streams: BTreeMap::new(),
            retired: VecDeque::new(),
        })
    }

    /// A fresh stream for `ssrc`: the template, with the replay state it had if it was removed.
    fn new_stream(&self, ssrc: u32) -> Box<Stream> {
        let mut stream = Box::new(self.template.clone());
        if let Some((_, state)) = self.retired.iter().rev().find(|(s, _)| *s == ssrc) {
            stream.restore_replay_state(state.clone());
        }
        stream
    }

    fn stream_mut(&mut self, ssrc: u32) -> Result<&mut Stream, Error> {
        if !self.streams.contains_key(&ssrc) {
            if self.streams.len() >= self.config.max_streams {
                return Err(Error::TooManyStreams {
                    limit: self.config.max_streams,
                });
            }
            let stream = self.new_stream(ssrc);
            self.streams.insert(ssrc, stream);
        }
        self.streams
            .get_mut(&ssrc)
            .map(|s| &mut **s)
            .ok_or(Error::TooManyStreams {
                limit: self.config.max_streams,
            })
    }

    /// The SSRC of the RTP packet `buf[..len]` (the packet a protect call is given).
    fn rtp_ssrc(buf: &[u8], len: usize) -> Result<u32, Error> {
        let packet = buf.get(..len).ok_or(Error::LengthOutOfBounds {
            len,
            buf: buf.len(),
        })?;
        Ok(rtp::RtpHeader::parse(packet)?.ssrc)
    }

    /// Runs `f` on the SSRC's stream, or on a new one kept only when `f` succeeds.
    fn with_stream<T>(
        &mut self,
        ssrc: u32,
        f: impl FnOnce(&mut Stream) -> Result<T, Error>,
    ) -> Result<T, Error> {
        if let Some(stream) = self.streams.get_mut(&ssrc) {
            return f(stream);
        }
        if self.streams.len() >= self.config.max_streams {
            return Err(Error::TooManyStreams {
                limit: self.config.max_streams,
            });
        }
        let mut stream = self.new_stream(ssrc);
        let n = f(&mut stream)?;
        self.streams.insert(ssrc, stream);
        Ok(n)
    }

    /// [`Stream::protect_rtp`] on the packet's SSRC.
    ///
    /// # Errors
    /// As [`Stream::protect_rtp`], and [`Error::TooManyStreams`].
    pub fn protect_rtp(&mut self, buf: &mut [u8], len: usize) -> Result<usize, Error> {
        let ssrc = Self::rtp_ssrc(buf, len)?;
        self.with_stream(ssrc, |s| s.protect_rtp(buf, len))
    }

    /// [`Stream::unprotect_rtp`] on the packet's SSRC.
    ///
    /// # Errors
    /// As [`Stream::unprotect_rtp`], and [`Error::TooManyStreams`].
    pub fn unprotect_rtp(&mut self, packet: &mut [u8]) -> Result<usize, Error> {
        let ssrc = rtp::RtpHeader::parse(packet)?.ssrc;
        self.with_stream(ssrc, |s| s.unprotect_rtp(packet))
    }

    /// [`Self::protect_rtp`] with the tag left to `tag` ([`Stream::protect_rtp_with`]).
    pub(crate) fn protect_rtp_with<'b>(
        &mut self,
        buf: &'b mut [u8],
        len: usize,
        tag: impl FnOnce(&HmacSha1, &'b [u8], [u8; 4], &'b mut [u8]),
    ) -> Result<usize, Error> {
        let ssrc = Self::rtp_ssrc(buf, len)?;
        self.with_stream(ssrc, |s| s.protect_rtp_with(buf, len, tag))
    }

    /// [`Stream::rtp_mac_input`] of the packet's stream; `None` for an SSRC without one yet.
    pub(crate) fn rtp_mac_input(&self, packet: &[u8]) -> Option<(&HmacSha1, usize, u64)> {
        let ssrc = rtp::RtpHeader::parse(packet).ok()?.ssrc;
        self.streams.get(&ssrc)?.rtp_mac_input(packet)
    }

    /// [`Self::unprotect_rtp`] with a tag computed ahead ([`Stream::unprotect_rtp_with`]).
    pub(crate) fn unprotect_rtp_with(
        &mut self,
        packet: &mut [u8],
        pre: Option<Precomputed>,
    ) -> Result<usize, Error> {
        let ssrc = rtp::RtpHeader::parse(packet)?.ssrc;
        self.with_stream(ssrc, |s| {
            s.unprotect_rtp_with(packet, |auth, body, index| {
                Precomputed::or_compute(pre, auth, body, index)
            })
        })
    }

    /// [`Stream::protect_rtcp`] on the packet's sender SSRC.
    ///
    /// # Errors
    /// As [`Stream::protect_rtcp`], and [`Error::TooManyStreams`].
    pub fn protect_rtcp(&mut self, buf: &mut [u8], len: usize) -> Result<usize, Error> {
        let packet = buf.get(..len).ok_or(Error::LengthOutOfBounds {
            len,
            buf: buf.len(),
        })?;
        let ssrc = rtcp::sender_ssrc(packet)?;
        self.with_stream(ssrc, |s| s.protect_rtcp(buf, len))
    }

    /// [`Stream::unprotect_rtcp`] on the packet's sender SSRC.
    ///
    /// # Errors
    /// As [`Stream::unprotect_rtcp`], and [`Error::TooManyStreams`].
    pub fn unprotect_rtcp(&mut self, packet: &mut [u8]) -> Result<usize, Error> {
        let ssrc = rtcp::sender_ssrc(packet)?;
        self.with_stream(ssrc, |s| s.unprotect_rtcp(packet))
    }

    /// The protection profile of the session's master key (the last [`Self::rekey`]'s).
    #[must_use]
    pub fn profile(&self) -> crate::Profile {
        self.template.profile()
    }

    /// The bytes `protect_rtp` appends (MKI and tag): the tail room a buffer needs.
    #[must_use]
    pub fn rtp_overhead(&self) -> usize {
        self.template.rtp_overhead()
    }

    /// The bytes `protect_rtcp` appends (SRTCP index, MKI and tag).
    #[must_use]
    pub fn rtcp_overhead(&self) -> usize {
        self.template.rtcp_overhead()
    }

    /// The ROC of an SSRC, when its stream exists.
    #[must_use]
    pub fn roc(&self, ssrc: u32) -> Option<u32> {
        self.streams.get(&ssrc).map(|s| s.roc())
    }

    /// Sets the ROC of an SSRC, creating its stream if needed.
    ///
    /// # Errors
    /// [`Error::TooManyStreams`].
    pub fn set_roc(&mut self, ssrc: u32, roc: u32) -> Result<(), Error> {
        self.stream_mut(ssrc)?.set_roc(roc);
        Ok(())
    }

    /// Installs a new master key for the session and every stream; ROCs and replay lists carry over.
    pub fn rekey(&mut self, material: &KeyingMaterial) {
        self.template.rekey(material);
        for stream in self.streams.values_mut() {
            stream.rekey(material);
        }
    }

    /// The stream of an SSRC.
    #[must_use]
    pub fn stream(&self, ssrc: u32) -> Option<&Stream> {
        self.streams.get(&ssrc).map(|s| &**s)
    }

    /// Frees an SSRC's stream (RTCP BYE); returns whether it existed. Its replay state (index and
    /// replay lists, not its keys) is kept — for the last [`Config::max_streams`] removed SSRCs —
    /// so that packets recorded before the removal are still refused if the SSRC comes back.
    pub fn remove_stream(&mut self, ssrc: u32) -> bool {
        let Some(stream) = self.streams.remove(&ssrc) else {
            return false;
        };
        self.retired.retain(|(s, _)| *s != ssrc);
        while self.retired.len() >= self.config.max_streams.max(1) {
            self.retired.pop_front();
        }
        self.retired.push_back((ssrc, stream.replay_state()));
        true
    }

    /// Number of streams.
    #[must_use]
    pub fn len(&self) -> usize {
        self.streams.len()
    }

    /// Whether no stream exists yet.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.streams.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Profile;

    fn rtp(ssrc: u32, seq: u16) -> alloc::vec::Vec<u8> {
        let mut p = alloc::vec![0x80, 0, 0, 0, 0, 0, 0, 0];
        p[2..4].copy_from_slice(&seq.to_be_bytes());
        p.extend_from_slice(&ssrc.to_be_bytes());
        p.extend_from_slice(&[1; 20]);
        p.resize(p.len() + 10, 0);
        p
    }

    #[test]
    fn streams_per_ssrc_bounded_and_created_only_when_authentic() {
        let key = KeyingMaterial::from_key_salt(Profile::AesCm128HmacSha1_80, &[5; 30]).unwrap();
        let config = Config {
            max_streams: 2,
            ..Config::default()
        };
        let mut tx = Session::new(&key, &config).unwrap();
        let mut rx = Session::new(&key, &config).unwrap();
        let mut a = rtp(1, 10);
        let mut b = rtp(2, 10);
        let n = tx.protect_rtp(&mut a, 32).unwrap();
        tx.protect_rtp(&mut b, 32).unwrap();
        let mut c = rtp(3, 10);
        assert_eq!(
            tx.protect_rtp(&mut c, 32),
            Err(Error::TooManyStreams { limit: 2 })
        );
        // A forged packet for an unknown SSRC creates nothing.
        let mut forged = a.clone();
        forged[n - 1] ^= 1;
        assert_eq!(
            rx.unprotect_rtp(&mut forged),
            Err(Error::AuthenticationFailed)
        );
        assert!(rx.is_empty());
        rx.unprotect_rtp(&mut a).unwrap();
        rx.unprotect_rtp(&mut b).unwrap();
        assert_eq!(rx.len(), 2);
        assert_eq!((rx.rtp_overhead(), rx.rtcp_overhead()), (10, 14));
        assert_eq!(rx.roc(1), Some(0));
        assert!(rx.remove_stream(2));
        assert_eq!(rx.roc(2), None);
        // ROC set before the first packet, kept over a re-key.
        rx.set_roc(9, 4).unwrap();
        let fresh = KeyingMaterial::from_key_salt(Profile::AesCm128HmacSha1_80, &[6; 30]).unwrap();
        rx.rekey(&fresh);
        assert_eq!(rx.roc(9), Some(4));
        assert_eq!(rx.stream(9).map(Stream::roc), Some(4));
    }

    /// Hardening review: removing a stream used to forget its replay list, so a recorded packet
    /// of that SSRC was accepted again once the SSRC came back.
    #[test]
    fn a_removed_ssrc_still_refuses_its_old_packets() {
        let key = KeyingMaterial::from_key_salt(Profile::AesCm128HmacSha1_80, &[5; 30]).unwrap();
        let config = Config::default();
        let mut tx = Session::new(&key, &config).unwrap();
        let mut rx = Session::new(&key, &config).unwrap();
        let mut p = rtp(7, 100);
        let n = tx.protect_rtp(&mut p, 32).unwrap();
        let recorded = p[..n].to_vec();
        rx.unprotect_rtp(&mut p[..n].to_vec()).unwrap();
        assert!(rx.remove_stream(7));
        assert!(!rx.remove_stream(7));
        assert!(rx.is_empty());
        assert!(matches!(
            rx.unprotect_rtp(&mut recorded.clone()),
            Err(Error::Replayed { .. })
        ));
        assert!(rx.is_empty(), "a replayed packet creates no stream");
        // New packets of the SSRC are accepted and resume from the old index.
        let mut q = rtp(7, 101);
        let n = tx.protect_rtp(&mut q, 32).unwrap();
        rx.unprotect_rtp(&mut q[..n]).unwrap();
        assert_eq!(rx.roc(7), Some(0));
    }
}
