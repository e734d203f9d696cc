//! STUN in a capture: ICE connectivity checks per candidate pair (RFC 8445 §7: requests,
//! successes, USE-CANDIDATE → the nominated, selected pair; MESSAGE-INTEGRITY checked with the
//! `a=ice-pwd` of the SDP or `--password`), the other STUN/TURN transactions per client and server
//! (Binding, Allocate with its 401, Refresh, CreatePermission, ChannelBind), TURN allocations and
//! channels. Transactions are matched by transaction ID, so a request seen twice (retransmitted,
//! or on both legs of a relay) counts once.

use std::collections::HashMap;
use std::net::SocketAddr;

use rtcweb_stun_core::credentials::short_term_key;
use rtcweb_stun_core::wire::attributes::{
    ChannelNumber, ErrorCode, IceControlled, IceControlling, Priority, UseCandidate, Username,
    XorPeerAddress, XorRelayedAddress,
};
use rtcweb_stun_core::wire::{Class, Message, Method};
use serde_json::{json, Value};

use super::keys::Keys;

/// A request waiting for its response.
struct Pending {
    method: Method,
    src: SocketAddr,
    dst: SocketAddr,
    /// Index of the ICE pair, for a connectivity check.
    pair: Option<usize>,
    use_candidate: bool,
    /// The password that keys the check (the receiver's `a=ice-pwd`).
    password: Option<String>,
    /// Index in the client's transaction list, for another request.
    transaction: Option<(usize, usize)>,
    /// ChannelBind: the channel and peer.
    channel: Option<(u16, SocketAddr)>,
    answered: bool,
}

struct Pair {
    src: SocketAddr,
    dst: SocketAddr,
    requests: u64,
    successes: u64,
    errors: u64,
    use_candidate: u64,
    nominated: bool,
    integrity_verified: u64,
    integrity_failed: u64,
    role: Option<&'static str>,
}

struct Exchange {
    client: SocketAddr,
    server: SocketAddr,
    transactions: Vec<Value>,
}

/// A TURN channel (RFC 8656 §12) and its use.
struct Channel {
    client: SocketAddr,
    server: SocketAddr,
    channel: u16,
    peer: SocketAddr,
    to_peer: u64,
    from_peer: u64,
}

/// STUN, ICE and TURN state of a capture.
#[derive(Default)]
pub struct Stun {
    pending: HashMap<[u8; 12], Pending>,
    pairs: Vec<Pair>,
    pair_index: HashMap<(SocketAddr, SocketAddr), usize>,
    exchanges: Vec<Exchange>,
    exchange_index: HashMap<(SocketAddr, SocketAddr), usize>,
    /// Relayed address per (client, server).
    allocations: Vec<(SocketAddr, SocketAddr, SocketAddr)>,
    channels: Vec<Channel>,
    indications: HashMap<&'static str, u64>,
}

/// Where the payload inside a TURN message or ChannelData goes, seen end to end.
pub struct Relayed {
    /// Sender (the peer, or the client's relayed address).
    pub src: SocketAddr,
    /// Receiver.
    pub dst: SocketAddr,
}

impl Stun {
    /// A STUN message from `src` to `dst`. For a Send or Data indication, returns the end-to-end
    /// addresses of its DATA.
    pub fn message(
        &mut self,
        keys: &Keys,
        password: Option<&str>,
        time: f64,
        src: SocketAddr,
        dst: SocketAddr,
        msg: &Message<'_>,
    ) -> Option<Relayed> {
        let tid = msg.transaction_id().0;
        match msg.class() {
            Class::Request => self.request(keys, password, time, src, dst, msg, tid),
            Class::Success | Class::Error => self.response(src, dst, msg, tid),
            Class::Indication => return self.indication(src, dst, msg),
        }
        None
    }

    #[allow(clippy::too_many_arguments)]
    fn request(
        &mut self,
        keys: &Keys,
        password: Option<&str>,
        time: f64,
        src: SocketAddr,
        dst: SocketAddr,
        msg: &Message<'_>,
        tid: [u8; 12],
    ) {
        if self.pending.contains_key(&tid) {
            return;
        }
        let method = msg.method();
        let controlling = matches!(msg.attribute::<IceControlling>(), Ok(Some(_)));
        let controlled = matches!(msg.attribute::<IceControlled>(), Ok(Some(_)));
        let is_check = method == Method::BINDING
            && (controlling || controlled || matches!(msg.attribute::<Priority>(), Ok(Some(_))));
        let mut p = Pending {
            method,
            src,
            dst,
            pair: None,
            use_candidate: false,
            password: None,
            transaction: None,
            channel: None,
            answered: false,
        };
        if is_check {
            // USERNAME is "receiver-ufrag:sender-ufrag" (RFC 8445 §7.2.2): the receiver's password.
            let ufrag = msg
                .attribute::<Username>()
                .ok()
                .flatten()
                .and_then(|u| u.0.split(':').next().map(str::to_string));
            p.password = ufrag
                .and_then(|u| keys.ice_pwd.get(&u).cloned())
                .or_else(|| password.map(str::to_string));
            p.use_candidate = matches!(msg.attribute::<UseCandidate>(), Ok(Some(_)));
            let i = self.pair(src, dst);
            if let Some(pair) = self.pairs.get_mut(i) {
                pair.requests += 1;
                pair.use_candidate += u64::from(p.use_candidate);
                pair.role = if controlling {
                    Some("controlling")
                } else if controlled {
                    Some("controlled")
                } else {
                    pair.role
                };
                count_integrity(pair, msg, p.password.as_deref());
            }
            p.pair = Some(i);
        } else {
            if method == Method::CHANNEL_BIND {
                if let (Ok(Some(ChannelNumber(c))), Ok(Some(XorPeerAddress(peer)))) = (
                    msg.attribute::<ChannelNumber>(),
                    msg.attribute::<XorPeerAddress>(),
                ) {
                    p.channel = Some((c, peer));
                }
            }
            let e = *self.exchange_index.entry((src, dst)).or_insert_with(|| {
                self.exchanges.push(Exchange {
                    client: src,
                    server: dst,
                    transactions: Vec::new(),
                });
                self.exchanges.len() - 1
            });
            if let Some(x) = self.exchanges.get_mut(e) {
                x.transactions.push(json!({
                    "time": time,
                    "method": method_name(method),
                    "transaction_id": msg.transaction_id().to_string(),
                    "response": Value::Null,
                }));
                p.transaction = Some((e, x.transactions.len() - 1));
            }
        }
        self.pending.insert(tid, p);
    }

    fn response(&mut self, src: SocketAddr, dst: SocketAddr, msg: &Message<'_>, tid: [u8; 12]) {
        let Some(p) = self.pending.get_mut(&tid) else {
            return;
        };
        if p.answered || p.method != msg.method() {
            return;
        }
        p.answered = true;
        let success = msg.class() == Class::Success;
        let outcome = if success {
            "success".to_string()
        } else {
            match msg.attribute::<ErrorCode>() {
                Ok(Some(e)) => format!("error {} {}", e.code, e.reason),
                _ => "error".to_string(),
            }
        };
        if let Some(pair) = p.pair.and_then(|i| self.pairs.get_mut(i)) {
            if success {
                pair.successes += 1;
                pair.nominated |= p.use_candidate;
            } else {
                pair.errors += 1;
            }
            count_integrity(pair, msg, p.password.as_deref());
        }
        if let Some((e, t)) = p.transaction {
            if let Some(v) = self
                .exchanges
                .get_mut(e)
                .and_then(|x| x.transactions.get_mut(t))
            {
                v["response"] = json!(outcome);
            }
        }
        let (client, server) = (p.src, p.dst);
        if success && (client, server) == (dst, src) {
            if p.method == Method::ALLOCATE {
                if let Ok(Some(XorRelayedAddress(relayed))) = msg.attribute::<XorRelayedAddress>() {
                    self.allocations.retain(|a| (a.0, a.1) != (client, server));
                    self.allocations.push((client, server, relayed));
                }
            }
            if let Some((channel, peer)) = p.channel {
                self.channels
                    .retain(|c| (c.client, c.server, c.channel) != (client, server, channel));
                self.channels.push(Channel {
                    client,
                    server,
                    channel,
                    peer,
                    to_peer: 0,
                    from_peer: 0,
                });
            }
        }
    }

    fn indication(
        &mut self,
        src: SocketAddr,
        dst: SocketAddr,
        msg: &Message<'_>,
    ) -> Option<Relayed> {
        let method = msg.method();
        *self.indications.entry(method_name(method)).or_default() += 1;
        let peer = msg.attribute::<XorPeerAddress>().ok().flatten()?.0;
        if method == Method::SEND {
            Some(Relayed {
                src: self.relayed(src, dst).unwrap_or(src),
                dst: peer,
            })
        } else if method == Method::DATA {
            Some(Relayed {
                src: peer,
                dst: self.relayed(dst, src).unwrap_or(dst),
            })
        } else {
            None
        }
    }

    fn relayed(&self, client: SocketAddr, server: SocketAddr) -> Option<SocketAddr> {
        self.allocations
            .iter()
            .find(|a| (a.0, a.1) == (client, server))
            .map(|a| a.2)
    }

    /// A ChannelData message: counts it and returns the end-to-end addresses of its data when the
    /// channel was bound in the capture.
    pub fn channel_data(
        &mut self,
        src: SocketAddr,
        dst: SocketAddr,
        channel: u16,
    ) -> Option<Relayed> {
        let relayed_src = self.relayed(src, dst);
        let relayed_dst = self.relayed(dst, src);
        let c = self.channels.iter_mut().find(|c| {
            c.channel == channel
                && ((c.client, c.server) == (src, dst) || (c.client, c.server) == (dst, src))
        })?;
        if c.client == src {
            c.to_peer += 1;
            Some(Relayed {
                src: relayed_src.unwrap_or(src),
                dst: c.peer,
            })
        } else {
            c.from_peer += 1;
            Some(Relayed {
                src: c.peer,
                dst: relayed_dst.unwrap_or(dst),
            })
        }
    }

    fn pair(&mut self, src: SocketAddr, dst: SocketAddr) -> usize {
        *self.pair_index.entry((src, dst)).or_insert_with(|| {
            self.pairs.push(Pair {
                src,
                dst,
                requests: 0,
                successes: 0,
                errors: 0,
                use_candidate: 0,
                nominated: false,
                integrity_verified: 0,
                integrity_failed: 0,
                role: None,
            });
            self.pairs.len() - 1
        })
    }

    /// ICE as JSON: the checks per pair and the selected pairs.
    pub fn ice_json(&self) -> Value {
        let pair_json = |p: &Pair| {
            json!({
                "src": p.src.to_string(),
                "dst": p.dst.to_string(),
                "role": p.role,
                "requests": p.requests,
                "successes": p.successes,
                "errors": p.errors,
                "use_candidate": p.use_candidate,
                "nominated": p.nominated,
                "integrity": {"verified": p.integrity_verified, "failed": p.integrity_failed},
            })
        };
        let selected: Vec<Value> = self
            .pairs
            .iter()
            .filter(|p| p.nominated)
            .map(|p| json!({"src": p.src.to_string(), "dst": p.dst.to_string()}))
            .collect();
        json!({
            "pairs": self.pairs.iter().map(pair_json).collect::<Vec<_>>(),
            "selected": selected,
        })
    }

    /// The other STUN/TURN exchanges as JSON.
    pub fn stun_json(&self) -> Value {
        Value::Array(
            self.exchanges
                .iter()
                .map(|x| {
                    json!({
                        "client": x.client.to_string(),
                        "server": x.server.to_string(),
                        "transactions": x.transactions,
                    })
                })
                .collect(),
        )
    }

    /// TURN allocations, channels and indications as JSON.
    pub fn turn_json(&self) -> Value {
        json!({
            "allocations": self.allocations.iter().map(|(c, s, r)| json!({
                "client": c.to_string(), "server": s.to_string(), "relayed": r.to_string(),
            })).collect::<Vec<_>>(),
            "channels": self.channels.iter().map(|c| json!({
                "client": c.client.to_string(), "server": c.server.to_string(),
                "channel": format!("{:#06x}", c.channel), "peer": c.peer.to_string(),
                "to_peer": c.to_peer, "from_peer": c.from_peer,
            })).collect::<Vec<_>>(),
            "indications": self.indications,
        })
    }
}

fn count_integrity(pair: &mut Pair, msg: &Message<'_>, password: Option<&str>) {
    let (Some(pw), true) = (password, msg.has_integrity()) else {
        return;
    };
    let ok = short_term_key(pw)
        .ok()
        .is_some_and(|k| msg.verify_integrity(&k).is_ok());
    if ok {
        pair.integrity_verified += 1;
    } else {
        pair.integrity_failed += 1;
    }
}

fn method_name(m: Method) -> &'static str {
    m.name().unwrap_or("unknown")
}
