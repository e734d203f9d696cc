//! Ephemeral credentials for browser registration, as Kamailio's `auth_ephemeral` module and
//! coturn's `use-auth-secret` take them (draft-uberti-behave-turn-rest-00 §2.2): a web
//! application that shares a secret with the registrar hands its browser the username
//! `<expiry unix time>:<user>` and the password base64(HMAC-SHA1(secret, username)); the browser
//! answers the registrar's Digest challenge with them, and the registrar derives the same
//! password from the username it receives — no user table. The user part is the one the address
//! of record must name.
//!
//! The credential format and the HMAC are sip-core's [`verify_digest`] and rtcweb-proto's
//! `turn_rest`, not written again here; this file only holds the secret and turns the caller's
//! clock into Unix time (Sans-IO: the driver says once what Unix time its `Instant::ZERO` is).
//!
//! Refusals, as [`super::Registrar`] answers them: a username that is not `<expiry>:<user>`, a
//! wrong password (another secret) or a user part that is not the To URI's user: 403. An
//! expired username: 401 with a fresh challenge — Kamailio's `autheph_check` returns the
//! generic `AUTH_ERROR` (-1) for an expired timestamp and the module's documented route answers
//! every failed check with `auth_challenge`, so a client that fetched new credentials from its
//! web application can answer that challenge at once.

use rtcweb_sip_core::auth::digest::Challenged;
use rtcweb_sip_core::auth::ephemeral::{parse_username, verify_digest, EphemeralAuthError};
use rtcweb_sip_core::header::AuthParams;
use rtcweb_sip_core::Instant;
use zeroize::Zeroizing;

/// The shared secret and the clock's anchor. See the [module docs](self).
#[derive(Clone)]
pub struct EphemeralAuth {
    secret: Zeroizing<Vec<u8>>,
    /// Unix time, in seconds, at the caller's `Instant::ZERO` (the start of its clock).
    pub unix_at_zero: u64,
}

impl core::fmt::Debug for EphemeralAuth {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EphemeralAuth")
            .field("unix_at_zero", &self.unix_at_zero)
            .finish_non_exhaustive()
    }
}

impl EphemeralAuth {
    /// Credentials derived from `secret`; `unix_at_zero` is the Unix time (seconds) of the
    /// caller's `Instant::ZERO`.
    #[must_use]
    pub fn new(secret: &[u8], unix_at_zero: u64) -> Self {
        Self {
            secret: Zeroizing::new(secret.to_vec()),
            unix_at_zero,
        }
    }

    /// Unix time at `now`, seconds.
    #[must_use]
    pub fn unix_secs(&self, now: Instant) -> u64 {
        let since_zero = u64::try_from(now.secs()).unwrap_or(0);
        self.unix_at_zero.saturating_add(since_zero)
    }

    /// Verifies Digest `creds` whose username is `<expiry>:<user>` and whose password is the
    /// one `secret` derives, unexpired at `now`, after everything `challenged` asks (realm,
    /// nonce, algorithm, qop, uri). Returns the user part.
    ///
    /// # Errors
    /// [`EphemeralAuthError`]: not ephemeral, expired, or a Digest that does not verify.
    pub fn verify<'c>(
        &self,
        now: Instant,
        creds: &AuthParams<'c>,
        challenged: &Challenged<'_>,
        body: &[u8],
    ) -> Result<&'c str, EphemeralAuthError> {
        verify_digest(creds, challenged, &self.secret, body, self.unix_secs(now))?;
        let username = creds.get("username").unwrap_or_default();
        Ok(parse_username(username)?.1)
    }
}

#[cfg(test)]
mod tests {
    //! The registrar with ephemeral credentials, on a virtual clock: raw REGISTERs answered
    //! through [`Registrar::handle_register`](super::super::Registrar::handle_register).
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::net::SocketAddr;

    use rtcweb_proto::turn_rest;
    use rtcweb_sip_core::header::WwwAuthenticate;
    use rtcweb_sip_core::message::{Header, Message};
    use rtcweb_sip_core::registration::{authorization, Credentials};
    use rtcweb_sip_core::Instant;

    use super::EphemeralAuth;
    use crate::ws::{ws_peer, Registrar, RegistrarConfig, RegistrarEvent};

    /// Unix time at the registrar's `Instant::ZERO`; the tests run 1000 s later.
    const ZERO: u64 = 1_700_000_000;
    const NOW_UNIX: u64 = ZERO + 1000;

    fn now() -> Instant {
        Instant::from_nanos(1_000_000_000_000)
    }

    fn registrar() -> Registrar {
        let mut cfg = RegistrarConfig::new("example.com", &[]);
        cfg.ephemeral = Some(EphemeralAuth::new(b"north", ZERO));
        Registrar::new(cfg, [5; 32])
    }

    fn register(to_user: &str, cseq: u32, authorization: Option<&str>) -> String {
        let auth = authorization.map_or(String::new(), |a| format!("Authorization: {a}\r\n"));
        format!(
            "REGISTER sip:example.com SIP/2.0\r\n\
             Via: SIP/2.0/WSS h4k8.invalid;branch=z9hG4bK{cseq}e\r\n\
             Max-Forwards: 69\r\nTo: <sip:{to_user}@example.com>\r\n\
             From: <sip:{to_user}@example.com>;tag=t1\r\nCall-ID: e1\r\nCSeq: {cseq} REGISTER\r\n\
             Contact: <sip:u1@h4k8.invalid;transport=ws>;expires=600\r\n\
             {auth}Content-Length: 0\r\n\r\n"
        )
    }

    fn answer(r: &mut Registrar, text: &str) -> String {
        let peer = ws_peer("127.0.0.1:50000".parse::<SocketAddr>().unwrap());
        let mut st = [Header::EMPTY; 32];
        let msg = Message::parse(text.as_bytes(), &mut st).unwrap();
        String::from_utf8(r.handle_register(now(), peer, &msg)).unwrap()
    }

    /// Challenged first, then answered with `username` and the password `secret` derives.
    fn register_as(r: &mut Registrar, to_user: &str, username: &str, secret: &[u8]) -> String {
        let challenge = answer(r, &register(to_user, 1, None));
        assert!(challenge.starts_with("SIP/2.0 401 "), "{challenge}");
        let mut st = [Header::EMPTY; 32];
        let msg = Message::parse(challenge.as_bytes(), &mut st).unwrap();
        let c = msg.typed::<WwwAuthenticate>().unwrap().unwrap();
        let password = turn_rest::password(secret, username);
        let creds = Credentials::new(username, password.as_str());
        let auth = authorization(&c, &creds, "REGISTER", "sip:example.com", b"", "cn", 1).unwrap();
        answer(r, &register(to_user, 2, Some(&auth)))
    }

    fn username(expiry: u64, user: &str) -> String {
        let mut buf = [0u8; 64];
        turn_rest::username(&mut buf, expiry, user)
            .unwrap()
            .to_string()
    }

    #[test]
    fn unexpired_credentials_of_the_secret_register_the_user_part() {
        let mut r = registrar();
        let ok = register_as(
            &mut r,
            "alice",
            &username(NOW_UNIX + 3600, "alice"),
            b"north",
        );
        assert!(ok.starts_with("SIP/2.0 200 "), "{ok}");
        assert_eq!(r.bindings("sip:alice@example.com").count(), 1);
        let users: Vec<_> = std::iter::from_fn(|| r.poll_event())
            .filter_map(|e| match e {
                RegistrarEvent::Register { status, user, .. } => Some((status, user)),
                _ => None,
            })
            .collect();
        assert_eq!(users, [(401, None), (200, Some("alice".into()))]);
    }

    #[test]
    fn a_password_of_another_secret_is_forbidden() {
        let mut r = registrar();
        let no = register_as(
            &mut r,
            "alice",
            &username(NOW_UNIX + 3600, "alice"),
            b"south",
        );
        assert!(no.starts_with("SIP/2.0 403 "), "{no}");
        assert_eq!(r.all_bindings().count(), 0);
    }

    /// Kamailio's auth_ephemeral fails an expired username like missing credentials: challenged
    /// again (401, a fresh nonce, not stale), never bound.
    #[test]
    fn an_expired_username_is_challenged_again() {
        let mut r = registrar();
        let again = register_as(&mut r, "alice", &username(NOW_UNIX - 1, "alice"), b"north");
        assert!(again.starts_with("SIP/2.0 401 "), "{again}");
        assert!(again.contains("WWW-Authenticate: Digest "), "{again}");
        assert!(!again.contains("stale=true"), "{again}");
        assert_eq!(r.all_bindings().count(), 0);
        // Expiring this very second is still valid (auth_ephemeral: `now > expiry` fails).
        let ok = register_as(&mut r, "alice", &username(NOW_UNIX, "alice"), b"north");
        assert!(ok.starts_with("SIP/2.0 200 "), "{ok}");
    }

    #[test]
    fn the_user_part_must_be_the_address_of_record_user() {
        let mut r = registrar();
        let no = register_as(&mut r, "alice", &username(NOW_UNIX + 3600, "bob"), b"north");
        assert!(no.starts_with("SIP/2.0 403 "), "{no}");
        // No user part, or not ephemeral at all: forbidden too.
        let no = register_as(&mut r, "alice", &username(NOW_UNIX + 3600, ""), b"north");
        assert!(no.starts_with("SIP/2.0 403 "), "{no}");
        let no = register_as(&mut r, "alice", "alice", b"north");
        assert!(no.starts_with("SIP/2.0 403 "), "{no}");
        assert_eq!(r.all_bindings().count(), 0);
    }
}
