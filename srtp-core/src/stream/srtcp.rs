//! SRTCP (RFC 3711 §3.4; RFC 7714 §9 for GCM): protect and unprotect of compound RTCP packets.

use super::{mki_matches, tag_matches, write_tag, Stream, SRTCP_KEY_LIMIT};
use crate::session_keys::{aes_cm_iv, Kind, SessionKeys};
use crate::wire::rtcp;
use crate::Error;

impl Stream {
    /// Protects the compound RTCP packet in `buf[..len]` in place (encrypted, E flag set) and returns
    /// the SRTCP length: `E || SRTCP index`, MKI and tag follow (RFC 3711 §3.4). `buf` must have room
    /// for [`Self::rtcp_overhead`] more bytes.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`], [`Error::Truncated`], [`Error::BadVersion`],
    /// [`Error::KeyLifetimeExceeded`] once 2^31 packets were sent. The buffer is unchanged on error.
    pub fn protect_rtcp(&mut self, buf: &mut [u8], len: usize) -> Result<usize, Error> {
        let packet = buf.get(..len).ok_or(Error::LengthOutOfBounds {
            len,
            buf: buf.len(),
        })?;
        let ssrc = rtcp::sender_ssrc(packet)?;
        let trailer = self.rtcp_trailer();
        let total = len + rtcp::INDEX_LEN + trailer.mki + trailer.tag;
        if buf.len() < total {
            return Err(Error::BufferTooSmall {
                needed: total,
                got: buf.len(),
            });
        }
        let index = self.rtcp_next_index;
        if u64::from(index) >= SRTCP_KEY_LIMIT || self.rtcp_packets >= self.rtcp_limit() {
            return Err(Error::KeyLifetimeExceeded);
        }
        let (r, fresh) = self.keys_for(Kind::Rtcp, u64::from(index));
        let keys = fresh.as_ref().unwrap_or(&self.rtcp_keys);
        let mki = self
            .material
            .mki()
            .map(|m| m.as_bytes())
            .unwrap_or_default();
        let e_index = (rtcp::E_FLAG | index).to_be_bytes();
        let (body, tail) = buf.split_at_mut(len);
        match keys {
            SessionKeys::AesCmHmac { cipher, salt, auth } => {
                if let Some(payload) = body.get_mut(rtcp::HEADER_LEN..) {
                    cipher.apply_keystream(&aes_cm_iv(salt, ssrc, u64::from(index)), payload);
                }
                let mac = auth.mac(body, &e_index);
                let (index_dst, rest) = tail.split_at_mut(rtcp::INDEX_LEN);
                index_dst.copy_from_slice(&e_index);
                let (mki_dst, tag_dst) = rest.split_at_mut(trailer.mki);
                mki_dst.copy_from_slice(mki);
                write_tag(tag_dst.get_mut(..trailer.tag).unwrap_or_default(), &mac);
            }
            SessionKeys::Unkeyed => return Err(Error::NotKeyed),
            #[cfg(any(feature = "gcm", feature = "ring"))]
            SessionKeys::Gcm { aead, salt } => {
                let (header, payload) = body.split_at_mut(rtcp::HEADER_LEN);
                let mut aad = [0u8; rtcp::HEADER_LEN + rtcp::INDEX_LEN];
                aad.get_mut(..rtcp::HEADER_LEN)
                    .unwrap_or_default()
                    .copy_from_slice(header);
                aad.get_mut(rtcp::HEADER_LEN..)
                    .unwrap_or_default()
                    .copy_from_slice(&e_index);
                let iv = crate::session_keys::gcm_iv(salt, ssrc, u64::from(index));
                let tag = aead
                    .seal(&iv, &aad, payload)
                    .ok_or(Error::Unsupported("payload too long for AES-GCM"))?;
                let (tag_dst, rest) = tail.split_at_mut(trailer.tag);
                tag_dst.copy_from_slice(&tag);
                let (index_dst, rest) = rest.split_at_mut(rtcp::INDEX_LEN);
                index_dst.copy_from_slice(&e_index);
                if let Some(dst) = rest.get_mut(..trailer.mki) {
                    dst.copy_from_slice(mki);
                }
            }
        }
        if let Some(keys) = fresh {
            self.commit_keys(Kind::Rtcp, r, keys);
        }
        self.rtcp_next_index = index + 1;
        self.rtcp_packets += 1;
        Ok(total)
    }

    /// Verifies and, when its E flag is set, decrypts the SRTCP packet in place; returns the RTCP
    /// length. The tag is checked first, in constant time.
    ///
    /// # Errors
    /// As [`Self::unprotect_rtp`]; the buffer is unchanged on every error.
    pub fn unprotect_rtcp(&mut self, packet: &mut [u8]) -> Result<usize, Error> {
        let ssrc = rtcp::sender_ssrc(packet)?;
        let trailer = self.rtcp_trailer();
        let needed = rtcp::HEADER_LEN + rtcp::INDEX_LEN + trailer.mki + trailer.tag;
        if packet.len() < needed {
            return Err(Error::Truncated {
                needed,
                got: packet.len(),
            });
        }
        if self.rtcp_packets >= self.rtcp_limit() {
            return Err(Error::KeyLifetimeExceeded);
        }
        let expected_mki = self
            .material
            .mki()
            .map(|m| m.as_bytes())
            .unwrap_or_default();
        let is_aead = self.material.profile().is_aead();
        // AES-CM: body || E+index || MKI || tag. GCM: body || tag || E+index || MKI.
        let index_at = if is_aead {
            packet.len() - trailer.mki - rtcp::INDEX_LEN
        } else {
            packet.len() - trailer.mki - trailer.tag - rtcp::INDEX_LEN
        };
        let e_index: [u8; 4] = packet
            .get(index_at..index_at + rtcp::INDEX_LEN)
            .and_then(|s| s.try_into().ok())
            .ok_or(Error::Truncated {
                needed,
                got: packet.len(),
            })?;
        let word = u32::from_be_bytes(e_index);
        let encrypted = word & rtcp::E_FLAG != 0;
        let index = u64::from(word & !rtcp::E_FLAG);
        self.rtcp_replay.check(index)?;
        let (r, fresh) = self.keys_for(Kind::Rtcp, index);
        let keys = fresh.as_ref().unwrap_or(&self.rtcp_keys);
        let end;
        match keys {
            SessionKeys::AesCmHmac { cipher, salt, auth } => {
                end = index_at;
                let (authenticated, tail) = packet.split_at_mut(index_at + rtcp::INDEX_LEN);
                let (mki, tag) = tail.split_at(trailer.mki);
                if !mki_matches(mki, expected_mki) {
                    return Err(Error::UnknownMki);
                }
                let mac = auth.mac(authenticated, &[]);
                if !tag_matches(mac.get(..trailer.tag).unwrap_or_default(), tag) {
                    return Err(Error::AuthenticationFailed);
                }
                if encrypted {
                    if let Some(payload) = authenticated.get_mut(rtcp::HEADER_LEN..index_at) {
                        cipher.apply_keystream(&aes_cm_iv(salt, ssrc, index), payload);
                    }
                }
            }
            SessionKeys::Unkeyed => return Err(Error::NotKeyed),
            #[cfg(any(feature = "gcm", feature = "ring"))]
            SessionKeys::Gcm { aead, salt } => {
                if !encrypted {
                    return Err(Error::Unsupported(
                        "unencrypted SRTCP with AEAD_AES_128_GCM",
                    ));
                }
                end = index_at - trailer.tag;
                let (body, tail) = packet.split_at_mut(end);
                let (tag, rest) = tail.split_at(trailer.tag);
                if !mki_matches(
                    rest.get(rtcp::INDEX_LEN..).unwrap_or_default(),
                    expected_mki,
                ) {
                    return Err(Error::UnknownMki);
                }
                let tag: &[u8; 16] = tag.try_into().map_err(|_| Error::AuthenticationFailed)?;
                let (header, payload) = body.split_at_mut(rtcp::HEADER_LEN);
                let mut aad = [0u8; rtcp::HEADER_LEN + rtcp::INDEX_LEN];
                aad.get_mut(..rtcp::HEADER_LEN)
                    .unwrap_or_default()
                    .copy_from_slice(header);
                aad.get_mut(rtcp::HEADER_LEN..)
                    .unwrap_or_default()
                    .copy_from_slice(&e_index);
                let iv = crate::session_keys::gcm_iv(salt, ssrc, index);
                if !aead.open(&iv, &aad, payload, tag) {
                    return Err(Error::AuthenticationFailed);
                }
            }
        }
        if let Some(keys) = fresh {
            self.commit_keys(Kind::Rtcp, r, keys);
        }
        self.rtcp_replay.accept(index);
        self.rtcp_packets += 1;
        Ok(end)
    }
}
