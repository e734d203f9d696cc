//! Datagrams from the server (RFC 8656 §6–§12): relayed data (Data indications from permitted
//! peers, ChannelData on bound channels) and responses to our requests, acted on only when they
//! authenticate (RFC 8489 §9.2.5), with the 401 → credentials and 438 → new nonce retries.

use alloc::string::String;
use core::time::Duration;

use super::client::{
    refresh_delay, Auth, Kind, Pending, State, TurnClient, CHANNEL_REFRESH, MAX_CHALLENGES,
    PERMISSION_REFRESH,
};
use super::event::{Received, TurnError, TurnEvent};
use crate::channel_data::ChannelData;
use crate::credentials::{long_term_key_md5, long_term_key_sha256};
use crate::demux::{classify, Packet};
use crate::wire::attributes::{
    Data, ErrorCode, Lifetime, Nonce, PasswordAlgorithm, PasswordAlgorithms, Realm,
    XorMappedAddress, XorPeerAddress, XorRelayedAddress,
};
use crate::wire::{Class, Message, Method};
use crate::Instant;
use core::net::SocketAddr;
use rtcweb_proto::time::InstantExt as _;

impl TurnClient {
    /// Feeds a datagram received from `from`. Relayed data comes back borrowed from `datagram`.
    pub fn handle_receive<'a>(
        &mut self,
        now: Instant,
        from: SocketAddr,
        datagram: &'a [u8],
    ) -> Received<'a> {
        if from != self.config.server {
            return Received::NotMine;
        }
        match classify(datagram) {
            Packet::ChannelData => {
                let parsed = if self.config.reliable {
                    ChannelData::parse_prefix(datagram).map(|(c, _)| c)
                } else {
                    ChannelData::parse(datagram)
                };
                match parsed {
                    Ok(cd) => match self.channels.iter().find(|c| c.number == cd.channel) {
                        Some(c) => Received::Data {
                            peer: c.peer,
                            data: cd.data,
                        },
                        None => Received::Handled,
                    },
                    Err(_) => Received::NotMine,
                }
            }
            Packet::Stun => match Message::parse(datagram) {
                Ok(msg) => self.handle_message(now, &msg),
                Err(_) => Received::NotMine,
            },
            _ => Received::NotMine,
        }
    }

    fn handle_message<'a>(&mut self, now: Instant, msg: &Message<'a>) -> Received<'a> {
        match msg.class() {
            Class::Indication if msg.method() == Method::DATA => {
                match (msg.attribute::<XorPeerAddress>(), msg.attribute::<Data>()) {
                    // RFC 8656 §11.6: only from a peer we asked a permission for (installed, or
                    // requested: its success may arrive after the first data); anything else
                    // was not relayed on our behalf and is dropped.
                    (Ok(Some(peer)), Ok(Some(data)))
                        if self.permissions.iter().any(|p| p.peer == peer.0.ip()) =>
                    {
                        Received::Data {
                            peer: peer.0,
                            data: data.0,
                        }
                    }
                    _ => Received::Handled,
                }
            }
            Class::Success | Class::Error => {
                let tid = msg.transaction_id();
                let Some(i) = self
                    .pending
                    .iter()
                    .position(|p| p.tx.transaction_id() == tid)
                else {
                    return Received::Handled;
                };
                let authenticated = self.pending.get(i).is_some_and(|p| p.authenticated);
                if authenticated && !self.authentic(msg) {
                    rtcweb_proto::log_debug!(
                        "turn {}: response without valid MESSAGE-INTEGRITY discarded (RFC 8489 §9.2.5)",
                        self.config.server
                    );
                    // Discarded as if never received; retransmissions go on (RFC 8489 §9.2.5).
                    return Received::Handled;
                }
                let p = self.pending.swap_remove(i);
                if msg.class() == Class::Success {
                    self.on_success(now, p.kind, msg);
                } else {
                    self.on_error(now, p, msg);
                }
                Received::Handled
            }
            _ => Received::Handled,
        }
    }

    /// Whether a response to an authenticated request may be acted on (RFC 8489 §9.2.5): its
    /// MESSAGE-INTEGRITY(-SHA256) verifies with our key; or it is a 401 or 438 without one (a
    /// server that no longer knows the key or nonce cannot sign, and the retry they cause is
    /// bounded). A forged success or error (a 403 ending the allocation, say) is discarded.
    fn authentic(&self, msg: &Message<'_>) -> bool {
        let Some(auth) = self.auth.as_ref() else {
            return false;
        };
        match msg.verify_integrity(&auth.key) {
            Ok(_) => true,
            Err(crate::wire::Error::NoIntegrity) => {
                msg.class() == Class::Error
                    && matches!(
                        msg.attribute::<ErrorCode>().ok().flatten().map(|e| e.code),
                        Some(ErrorCode::UNAUTHENTICATED | ErrorCode::STALE_NONCE)
                    )
            }
            Err(_) => false,
        }
    }

    fn on_success(&mut self, now: Instant, kind: Kind, msg: &Message<'_>) {
        let lifetime = msg
            .attribute::<Lifetime>()
            .ok()
            .flatten()
            .map_or(self.config.lifetime, |l| l.0);
        let lifetime_d = Duration::from_secs(u64::from(lifetime));
        match kind {
            Kind::Allocate => {
                let Ok(Some(XorRelayedAddress(relayed))) = msg.attribute::<XorRelayedAddress>()
                else {
                    self.fail_allocation(None);
                    return;
                };
                let mapped = msg
                    .attribute::<XorMappedAddress>()
                    .ok()
                    .flatten()
                    .map(|m| m.0);
                self.state = State::Allocated {
                    relayed,
                    expires: now.saturating_add(lifetime_d),
                    refresh_at: now.saturating_add(refresh_delay(lifetime_d)),
                };
                self.events.push_back(TurnEvent::Allocated {
                    relayed,
                    mapped,
                    lifetime: lifetime_d,
                });
            }
            Kind::Refresh { lifetime: 0 } => {
                self.close();
                self.events.push_back(TurnEvent::Deallocated);
            }
            Kind::Refresh { .. } => {
                if let State::Allocated { relayed, .. } = self.state {
                    self.state = State::Allocated {
                        relayed,
                        expires: now.saturating_add(lifetime_d),
                        refresh_at: now.saturating_add(refresh_delay(lifetime_d)),
                    };
                }
                self.events.push_back(TurnEvent::Refreshed {
                    lifetime: lifetime_d,
                });
            }
            Kind::CreatePermission(peer) => {
                if let Some(p) = self.permissions.iter_mut().find(|p| p.peer == peer) {
                    let first = !p.installed;
                    p.installed = true;
                    p.refresh_at = Some(now.saturating_add(PERMISSION_REFRESH));
                    if first {
                        self.events.push_back(TurnEvent::PermissionCreated(peer));
                    }
                }
            }
            Kind::ChannelBind { peer, channel } => {
                if let Some(c) = self.channels.iter_mut().find(|c| c.number == channel) {
                    let first = !c.bound;
                    c.bound = true;
                    c.refresh_at = Some(now.saturating_add(CHANNEL_REFRESH));
                    if first {
                        self.events
                            .push_back(TurnEvent::ChannelBound { peer, channel });
                    }
                }
            }
        }
    }

    fn on_error(&mut self, now: Instant, p: Pending, msg: &Message<'_>) {
        let code = msg.attribute::<ErrorCode>().ok().flatten().map(|e| e.code);
        let nonce = msg.attribute::<Nonce>().ok().flatten();
        let retry = match (code, nonce) {
            // 401 carries REALM and NONCE: retry once with credentials (RFC 8489 §9.2.3).
            (Some(ErrorCode::UNAUTHENTICATED), Some(nonce)) if p.challenges == 0 => {
                self.learn_auth(msg, nonce.0).is_ok()
            }
            // 438: the nonce went stale; retry with the new one (RFC 8489 §9.2.5).
            (Some(ErrorCode::STALE_NONCE), Some(nonce)) if p.challenges < MAX_CHALLENGES => {
                if let Some(a) = self.auth.as_mut() {
                    a.nonce = nonce.0.into();
                    true
                } else {
                    self.learn_auth(msg, nonce.0).is_ok()
                }
            }
            _ => false,
        };
        if retry && self.start_with(now, p.kind, p.challenges + 1).is_ok() {
            return;
        }
        self.fail(p.kind, code);
    }

    fn learn_auth(&mut self, msg: &Message<'_>, nonce: &str) -> Result<(), TurnError> {
        let realm = msg
            .attribute::<Realm>()
            .ok()
            .flatten()
            .map(|r| String::from(r.0))
            .unwrap_or_default();
        // SHA-256 only when the server offers it in PASSWORD-ALGORITHMS and before MD5.
        let offered = msg.attribute::<PasswordAlgorithms>().ok().flatten();
        let sha256 = offered.is_some_and(|list| {
            list.iter()
                .map(|a| a.algorithm)
                .find(|a| *a == PasswordAlgorithm::MD5 || *a == PasswordAlgorithm::SHA256)
                == Some(PasswordAlgorithm::SHA256)
        });
        let key = if sha256 {
            long_term_key_sha256(&self.config.username, &realm, &self.config.password)?
        } else {
            long_term_key_md5(&self.config.username, &realm, &self.config.password)?
        };
        let algorithms = msg
            .raw_attribute(crate::wire::AttributeType::PASSWORD_ALGORITHMS)
            .map(|a| a.value.to_vec())
            .unwrap_or_default();
        self.auth = Some(Auth {
            realm,
            nonce: nonce.into(),
            key: key.integrity_key(),
            sha256,
            algorithms,
        });
        Ok(())
    }
}
