//! A registrar for browsers (RFC 3261 §10.3), Sans-IO: REGISTER authenticated with HTTP Digest
//! (RFC 3261 §22.4, RFC 7616; stateless nonces from sip-core's [`NonceKey`]), bindings with an
//! expiry, unregistration (`Expires: 0`, `Contact: *`), and bindings that die with the connection
//! they were registered on: a browser behind a WebSocket is reachable only over that connection
//! (RFC 7118 §5, RFC 5626 flows). Users come from a table ([`RegistrarConfig::users`]) or, with
//! [`RegistrarConfig::ephemeral`], from ephemeral credentials derived from a shared secret
//! (Kamailio's `auth_ephemeral`, see [`super::ephemeral`]).
//!
//! Call order: [`Registrar::handle_register`] (returns the response to send through the server
//! transaction) / [`Registrar::connection_closed`] / [`Registrar::handle_timeout`] in; then
//! [`Registrar::poll_event`]; then [`Registrar::poll_timeout`].

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use rtcweb_proto::time::after_secs;
use rtcweb_sip_core::auth::digest::{self, Algorithm, Challenged, DigestError, NonceCheck, Qop};
use rtcweb_sip_core::auth::nonce::NonceKey;
use rtcweb_sip_core::header::{Authorization, CSeq, CallId, Contact, Expires, ToHeader};
use rtcweb_sip_core::message::builder::MessageBuilder;
use rtcweb_sip_core::message::Message;
use rtcweb_sip_core::transaction::{IdGenerator, Peer};
use rtcweb_sip_core::uri::{Host, Uri};
use rtcweb_sip_core::Instant;

use super::ephemeral::EphemeralAuth;
use rtcweb_sip_core::auth::ephemeral::{EphemeralAuthError, EphemeralError};

/// What the registrar serves and whom it lets in.
#[derive(Debug, Clone)]
pub struct RegistrarConfig {
    /// The domain whose addresses of record live here (`example.com`: `sip:alice@example.com`).
    pub domain: String,
    /// The digest realm (RFC 3261 §22.1: usually the domain).
    pub realm: String,
    /// Username → password. A user may register only its own address of record.
    pub users: BTreeMap<String, String>,
    /// Ephemeral credentials instead of [`Self::users`] (default `None`): the username is
    /// `<expiry>:<user>`, the password base64(HMAC-SHA1(secret, username)), and `<user>` may
    /// register only `sip:<user>@domain` (see [`super::ephemeral`] for what is refused how).
    pub ephemeral: Option<EphemeralAuth>,
    /// Expiry when the request names none, seconds (§10.2.1.1; default 3600).
    pub default_expires: u32,
    /// Longest expiry granted, seconds (§10.3 step 7: the registrar may shorten; default 3600).
    pub max_expires: u32,
    /// Shortest nonzero expiry accepted; shorter gets 423 with `Min-Expires` (§10.3; default 60).
    pub min_expires: u32,
    /// Age after which a nonce is answered `stale=true`, seconds (RFC 7616 §3.3; default 300).
    pub nonce_max_age: u64,
    /// Most bindings held (default 4096); a REGISTER past it gets 503.
    pub max_bindings: usize,
    /// Whether REGISTER must carry digest credentials of a configured user (default `true`).
    /// `false`: an open registrar for a closed network (a gateway on loopback) — any user may
    /// bind its own address of record, and credentials sent anyway are ignored.
    pub authenticate: bool,
}

impl RegistrarConfig {
    /// A registrar for `domain` (also the realm) with these users.
    #[must_use]
    pub fn new(domain: &str, users: &[(&str, &str)]) -> Self {
        Self {
            domain: domain.into(),
            realm: domain.into(),
            users: users
                .iter()
                .map(|(u, p)| ((*u).to_string(), (*p).to_string()))
                .collect(),
            ephemeral: None,
            default_expires: 3600,
            max_expires: 3600,
            min_expires: 60,
            nonce_max_age: 300,
            max_bindings: 4096,
            authenticate: true,
        }
    }
}

/// One registered contact of an address of record (§10.3 step 7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The address of record, `sip:user@domain`.
    pub aor: String,
    /// The contact URI as the client wrote it (`sip:x@y.invalid;transport=ws` for a browser).
    pub contact: String,
    /// The contact's header parameters other than `expires`, as written (`;+sip.instance=…`),
    /// echoed in the 200 so that RFC 5626 clients find their binding.
    pub params: String,
    /// The connection the binding was registered over: requests for it go there.
    pub peer: Peer,
    /// When it lapses.
    pub expires_at: Instant,
    /// Call-ID and CSeq of the REGISTER that made it (§10.3 step 7 ordering).
    call_id: String,
    cseq: u32,
}

/// Why a binding went away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// `Expires: 0` (or `Contact: *`) from the client.
    Unregistered,
    /// Not refreshed in time.
    Expired,
    /// Its connection closed (RFC 5626 §5.2: the flow is gone).
    ConnectionClosed,
}

/// What happened, for the application and for tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistrarEvent {
    /// A REGISTER was answered with `status`; `user` is set when its digest credentials verified
    /// (with ephemeral credentials, the `<user>` part of `<expiry>:<user>`).
    Register {
        /// The connection it came over.
        peer: Peer,
        /// Its address of record (To), as written.
        aor: String,
        /// The status code sent back.
        status: u16,
        /// The authenticated username.
        user: Option<String>,
    },
    /// A binding was added, or refreshed when `refreshed`.
    BindingAdded {
        /// The binding as it now stands.
        binding: Binding,
        /// Seconds granted.
        expires: u32,
        /// Whether it existed before.
        refreshed: bool,
    },
    /// A binding went away.
    BindingRemoved {
        /// The binding as it stood.
        binding: Binding,
        /// Why.
        why: Removal,
    },
}

/// A change the REGISTER asks for, checked in full before any is applied (§10.3 is atomic).
struct Change {
    contact: String,
    params: String,
    expires: u32,
}

/// The registrar. See the [module docs](self).
#[derive(Debug)]
pub struct Registrar {
    cfg: RegistrarConfig,
    nonces: NonceKey,
    ids: IdGenerator,
    bindings: BTreeMap<u64, Binding>,
    /// Expiry order: `poll_timeout` and `handle_timeout` cost O(log n).
    expiry: BTreeSet<(Instant, u64)>,
    next_id: u64,
    events: VecDeque<RegistrarEvent>,
}

/// A refusal: status, reason and extra headers.
type Refusal = (u16, &'static str, Vec<(&'static str, String)>);

fn refuse(status: u16, reason: &'static str) -> Refusal {
    (status, reason, Vec::new())
}

/// Seconds of `now` as the nonces' clock (the caller's time base, never negative).
fn secs(now: Instant) -> u64 {
    u64::try_from(now.secs()).unwrap_or(0)
}

/// `sip:user@host` of a To URI in `domain`, or `None`.
fn address_of_record(to_uri: &str, domain: &str) -> Option<(String, String)> {
    let uri = Uri::parse(to_uri).ok()?;
    let sip = uri.as_sip()?;
    let user = sip.user?;
    let in_domain = match sip.host {
        Host::Domain(d) => d.eq_ignore_ascii_case(domain),
        other => other.to_string() == domain,
    };
    in_domain.then(|| {
        (
            format!("sip:{user}@{}", domain.to_ascii_lowercase()),
            user.to_string(),
        )
    })
}

fn same_uri(a: &str, b: &str) -> bool {
    match (Uri::parse(a), Uri::parse(b)) {
        (Ok(a), Ok(b)) => a.equivalent(&b),
        _ => a == b,
    }
}

impl Registrar {
    /// A registrar; `seed` keys its nonces and tags (32 bytes from the OS's secure source).
    #[must_use]
    pub fn new(cfg: RegistrarConfig, seed: [u8; 32]) -> Self {
        let mut ids = IdGenerator::new(seed);
        Self {
            cfg,
            nonces: NonceKey::new(ids.seed32()),
            ids,
            bindings: BTreeMap::new(),
            expiry: BTreeSet::new(),
            next_id: 0,
            events: VecDeque::new(),
        }
    }

    /// The configuration.
    #[must_use]
    pub const fn config(&self) -> &RegistrarConfig {
        &self.cfg
    }

    /// The live bindings of an address of record (`sip:user@domain`).
    pub fn bindings<'a>(&'a self, aor: &'a str) -> impl Iterator<Item = &'a Binding> + 'a {
        self.bindings
            .values()
            .filter(move |b| b.aor.eq_ignore_ascii_case(aor))
    }

    /// Every live binding.
    pub fn all_bindings(&self) -> impl Iterator<Item = &Binding> {
        self.bindings.values()
    }

    /// Answers a REGISTER received from `peer` (§10.3): the response bytes to send through its
    /// server transaction.
    pub fn handle_register(&mut self, now: Instant, peer: Peer, req: &Message<'_>) -> Vec<u8> {
        let aor_text = req
            .typed::<ToHeader>()
            .ok()
            .flatten()
            .map(|t| t.0.uri.to_string())
            .unwrap_or_default();
        let tag = self.ids.tag();
        let (status, user, response) = match self.register(now, peer, req) {
            Ok((user, aor)) => {
                let mut b = MessageBuilder::response_to(req, 200, "OK", Some(&tag));
                for bnd in self.bindings(&aor) {
                    let left = bnd.expires_at.saturating_duration_since(now).as_secs();
                    b.add_header(
                        "Contact",
                        format!("<{}>{};expires={left}", bnd.contact, bnd.params),
                    );
                }
                (200, Some(user), b.to_vec())
            }
            Err((status, reason, headers)) => {
                let mut b = MessageBuilder::response_to(req, status, reason, Some(&tag));
                for (name, value) in headers {
                    b.add_header(name, value);
                }
                (status, None, b.to_vec())
            }
        };
        self.events.push_back(RegistrarEvent::Register {
            peer,
            aor: aor_text,
            status,
            user,
        });
        response
    }

    /// A 401 with a fresh nonce (`stale=true` when the old one was authentic but too old).
    fn challenge(&self, now: Instant, stale: bool) -> Refusal {
        let nonce = self.nonces.issue(secs(now));
        let value = format!(
            "Digest realm=\"{}\", nonce=\"{}\", algorithm=MD5, qop=\"auth\"{}",
            self.cfg.realm,
            nonce.as_str(),
            if stale { ", stale=true" } else { "" }
        );
        (401, "Unauthorized", vec![("WWW-Authenticate", value)])
    }

    /// Authenticates (§22.4) and applies the request; `(user, aor)` on success.
    fn register(
        &mut self,
        now: Instant,
        peer: Peer,
        req: &Message<'_>,
    ) -> Result<(String, String), Refusal> {
        // Step 1: we must be the registrar of the Request-URI's domain.
        let ruri = req.request_uri().unwrap_or_default();
        let ours = Uri::parse(ruri)
            .ok()
            .and_then(|u| u.as_sip().map(|s| s.host.to_string()))
            .is_some_and(|h| h.eq_ignore_ascii_case(&self.cfg.domain));
        if !ours {
            return Err(refuse(404, "Domain Not Served Here"));
        }
        if !self.cfg.authenticate {
            return self.register_as_to_user(now, peer, req);
        }
        // Step 3: authenticate. Only credentials for our realm count (a request may carry others).
        let creds = req
            .typed_all::<Authorization>()
            .filter_map(Result::ok)
            .find(|a| a.get("realm") == Some(self.cfg.realm.as_str()));
        let Some(creds) = creds else {
            return Err(self.challenge(now, false));
        };
        let username = self.authenticate(now, peer, req, &creds, ruri)?;
        // Step 4: the authenticated user may change only its own address of record.
        let to = req
            .typed::<ToHeader>()
            .ok()
            .flatten()
            .ok_or_else(|| refuse(400, "Bad To"))?;
        let (aor, aor_user) = address_of_record(to.0.uri, &self.cfg.domain)
            .ok_or_else(|| refuse(404, "Not Found"))?;
        if aor_user != username {
            return Err(refuse(403, "Forbidden"));
        }
        let changes = self.changes(req)?;
        let call_id = req
            .typed::<CallId>()
            .ok()
            .flatten()
            .map(|c| c.0.to_string())
            .unwrap_or_default();
        let cseq = req.typed::<CSeq>().ok().flatten().map_or(0, |c| c.seq);
        self.apply(now, peer, &aor, changes, &call_id, cseq)?;
        Ok((username.to_string(), aor))
    }

    /// Step 3 (§22.4): the Digest `creds` verify against a configured user's password or, with
    /// [`RegistrarConfig::ephemeral`], against the password the secret derives from the
    /// username; the user the address of record must name on success.
    fn authenticate<'c>(
        &self,
        now: Instant,
        peer: Peer,
        req: &Message<'_>,
        creds: &Authorization<'c>,
        ruri: &str,
    ) -> Result<&'c str, Refusal> {
        let challenged = Challenged {
            realm: &self.cfg.realm,
            nonce: NonceCheck::Stateless {
                key: &self.nonces,
                now_unix_secs: secs(now),
                max_age_secs: self.cfg.nonce_max_age,
            },
            algorithm: Algorithm::Md5,
            qop: Some(Qop::Auth),
            method: "REGISTER",
            request_uri: ruri,
        };
        let username = creds.get("username").unwrap_or_default();
        let verified = match &self.cfg.ephemeral {
            Some(eph) => eph.verify(now, creds, &challenged, req.body()),
            None => {
                let Some(password) = self.cfg.users.get(username) else {
                    return Err(refuse(403, "Forbidden"));
                };
                digest::verify(creds, &challenged, password.as_bytes(), req.body())
                    .map(|()| username)
                    .map_err(EphemeralAuthError::Digest)
            }
        };
        match verified {
            Ok(user) => Ok(user),
            Err(EphemeralAuthError::Digest(DigestError::StaleNonce)) => {
                Err(self.challenge(now, true))
            }
            Err(EphemeralAuthError::Digest(DigestError::UnknownNonce)) => {
                Err(self.challenge(now, false))
            }
            // Kamailio's auth_ephemeral: an expired username fails like a missing credential,
            // and is challenged again (fresh credentials from the web application answer it).
            Err(EphemeralAuthError::Ephemeral(EphemeralError::Expired { expiry })) => {
                log::info!("ws registrar: REGISTER from {peer:?}: {username} expired at {expiry}");
                Err(self.challenge(now, false))
            }
            Err(e) => {
                log::info!("ws registrar: REGISTER from {peer:?} refused: {e}");
                Err(refuse(403, "Forbidden"))
            }
        }
    }

    /// Steps 4–7 without authentication ([`RegistrarConfig::authenticate`] off): the user is
    /// the To URI's.
    fn register_as_to_user(
        &mut self,
        now: Instant,
        peer: Peer,
        req: &Message<'_>,
    ) -> Result<(String, String), Refusal> {
        let to = req
            .typed::<ToHeader>()
            .ok()
            .flatten()
            .ok_or_else(|| refuse(400, "Bad To"))?;
        let (aor, user) = address_of_record(to.0.uri, &self.cfg.domain)
            .ok_or_else(|| refuse(404, "Not Found"))?;
        let changes = self.changes(req)?;
        let call_id = req
            .typed::<CallId>()
            .ok()
            .flatten()
            .map(|c| c.0.to_string())
            .unwrap_or_default();
        let cseq = req.typed::<CSeq>().ok().flatten().map_or(0, |c| c.seq);
        self.apply(now, peer, &aor, changes, &call_id, cseq)?;
        Ok((user, aor))
    }

    /// Steps 5–6: what the Contact and Expires headers ask for; `None` contacts for `*`.
    fn changes(&self, req: &Message<'_>) -> Result<Option<Vec<Change>>, Refusal> {
        let header_expires = match req.typed::<Expires>() {
            Ok(None) => None,
            Ok(Some(e)) => Some(e.0),
            Err(_) => return Err(refuse(400, "Bad Expires")),
        };
        let mut out = Vec::new();
        let mut star = false;
        for c in req.typed_all::<Contact>() {
            let c = c.map_err(|_| refuse(400, "Bad Contact"))?;
            let addr = match c {
                Contact::Star(_) => {
                    star = true;
                    continue;
                }
                Contact::Addr(a) => a,
            };
            if Uri::parse(addr.uri).is_err() {
                return Err(refuse(400, "Bad Contact URI"));
            }
            let expires = c
                .expires()
                .or(header_expires)
                .unwrap_or(self.cfg.default_expires);
            if expires != 0 && expires < self.cfg.min_expires {
                return Err((
                    423,
                    "Interval Too Brief",
                    vec![("Min-Expires", self.cfg.min_expires.to_string())],
                ));
            }
            let params = addr
                .params
                .iter()
                .filter(|(n, _)| !n.eq_ignore_ascii_case("expires"))
                .map(|(n, v)| v.map_or_else(|| format!(";{n}"), |v| format!(";{n}={v}")))
                .collect();
            out.push(Change {
                contact: addr.uri.to_string(),
                params,
                expires: expires.min(self.cfg.max_expires),
            });
        }
        if star {
            // §10.2.2: `*` only alone and only with Expires: 0.
            return if out.is_empty() && header_expires == Some(0) {
                Ok(None)
            } else {
                Err(refuse(400, "Invalid Contact *"))
            };
        }
        Ok(Some(out))
    }

    /// Step 7: checks the Call-ID/CSeq ordering of every change, then applies them all.
    fn apply(
        &mut self,
        now: Instant,
        peer: Peer,
        aor: &str,
        changes: Option<Vec<Change>>,
        call_id: &str,
        cseq: u32,
    ) -> Result<(), Refusal> {
        let mine: Vec<u64> = self
            .bindings
            .iter()
            .filter(|(_, b)| b.aor == aor)
            .map(|(&id, _)| id)
            .collect();
        let Some(changes) = changes else {
            for id in mine {
                self.remove(id, Removal::Unregistered);
            }
            return Ok(());
        };
        // The existing binding of each contact, found before anything changes.
        let olds: Vec<Option<u64>> = changes
            .iter()
            .map(|c| {
                mine.iter().copied().find(|id| {
                    self.bindings
                        .get(id)
                        .is_some_and(|b| same_uri(&b.contact, &c.contact))
                })
            })
            .collect();
        let mut added = 0;
        for (c, old) in changes.iter().zip(&olds) {
            match old.and_then(|id| self.bindings.get(&id)) {
                Some(b) if b.call_id == call_id && b.cseq >= cseq => {
                    return Err(refuse(500, "Out Of Order REGISTER"));
                }
                Some(_) => {}
                None if c.expires > 0 => added += 1,
                None => {}
            }
        }
        if self.bindings.len() + added > self.cfg.max_bindings {
            return Err(refuse(503, "Too Many Bindings"));
        }
        for (c, old) in changes.into_iter().zip(olds) {
            if c.expires == 0 {
                if let Some(id) = old {
                    self.remove(id, Removal::Unregistered);
                }
                continue;
            }
            let binding = Binding {
                aor: aor.to_string(),
                contact: c.contact,
                params: c.params,
                peer,
                expires_at: after_secs(now, u64::from(c.expires)),
                call_id: call_id.to_string(),
                cseq,
            };
            let id = match old {
                Some(id) => {
                    if let Some(prev) = self.bindings.get(&id) {
                        self.expiry.remove(&(prev.expires_at, id));
                    }
                    id
                }
                None => {
                    self.next_id += 1;
                    self.next_id
                }
            };
            self.expiry.insert((binding.expires_at, id));
            self.bindings.insert(id, binding.clone());
            self.events.push_back(RegistrarEvent::BindingAdded {
                binding,
                expires: c.expires,
                refreshed: old.is_some(),
            });
        }
        Ok(())
    }

    fn remove(&mut self, id: u64, why: Removal) {
        if let Some(binding) = self.bindings.remove(&id) {
            self.expiry.remove(&(binding.expires_at, id));
            self.events
                .push_back(RegistrarEvent::BindingRemoved { binding, why });
        }
    }

    /// The connection to `peer` is gone: so is every binding registered over it.
    pub fn connection_closed(&mut self, peer: Peer) {
        let gone: Vec<u64> = self
            .bindings
            .iter()
            .filter(|(_, b)| b.peer == peer)
            .map(|(&id, _)| id)
            .collect();
        for id in gone {
            self.remove(id, Removal::ConnectionClosed);
        }
    }

    /// Removes the bindings that lapsed at or before `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(&(at, id)) = self.expiry.first() {
            if at > now {
                break;
            }
            self.remove(id, Removal::Expired);
        }
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<RegistrarEvent> {
        self.events.pop_front()
    }

    /// When the next binding lapses.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.expiry.first().map(|&(at, _)| at)
    }
}
