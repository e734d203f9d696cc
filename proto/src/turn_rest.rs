//! Ephemeral ("TURN REST") credentials, as coturn's `use-auth-secret` and Kamailio's
//! `auth_ephemeral` implement them (draft-uberti-behave-turn-rest-00 §2.2):
//! username = `"<expiry unix time>:<user>"` (or just `"<expiry>"`), password =
//! base64(HMAC-SHA1(shared secret, username)).
//!
//! Time is the caller's: pass the current Unix time in seconds. stun-core (TURN clients and servers)
//! and sip-core (Kamailio-style `auth_ephemeral` registrars) both use these functions.
//!
//! ```
//! use rtcweb_proto::turn_rest as ephemeral;
//!
//! let mut buf = [0u8; 64];
//! let username = ephemeral::username(&mut buf, 1_700_003_600, "alice")?;
//! assert_eq!(username, "1700003600:alice");
//! let password = ephemeral::password(b"north", username);
//! assert!(ephemeral::check(b"north", username, password.as_str().as_bytes(), 1_700_000_000).is_ok());
//! assert!(ephemeral::check(b"north", username, password.as_str().as_bytes(), 1_700_003_601).is_err());
//! # Ok::<(), ephemeral::EphemeralError>(())
//! ```

use crate::hmac::{HmacKey, Sha1};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

/// Why ephemeral credentials were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EphemeralError {
    /// The username does not start with a decimal Unix time.
    #[error("username does not start with an expiry time")]
    BadUsername,
    /// The credentials expired at the given Unix time.
    #[error("credentials expired at {expiry}")]
    Expired {
        /// The expiry in the username.
        expiry: u64,
    },
    /// The password is not the HMAC of the username.
    #[error("password does not match")]
    WrongPassword,
    /// The output buffer is too small for the username.
    #[error("buffer too small: {needed} bytes needed")]
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
    },
}

/// A password: base64 of the 20-byte HMAC-SHA1, 28 ASCII characters; zeroized on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct EphemeralPassword([u8; 28]);

impl EphemeralPassword {
    /// The password text.
    pub fn as_str(&self) -> &str {
        // Always ASCII base64: this cannot fail.
        core::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl core::fmt::Debug for EphemeralPassword {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("EphemeralPassword(..)")
    }
}

impl Drop for EphemeralPassword {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// Writes `"<expiry>:<user>"` (or `"<expiry>"` when `user` is empty) into `buf`.
pub fn username<'b>(buf: &'b mut [u8], expiry: u64, user: &str) -> Result<&'b str, EphemeralError> {
    let mut digits = [0u8; 20];
    let mut n = expiry;
    let mut i = digits.len();
    loop {
        i -= 1;
        if let Some(d) = digits.get_mut(i) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    let digits = digits.get(i..).unwrap_or_default();
    let needed = digits.len() + if user.is_empty() { 0 } else { 1 + user.len() };
    let out = buf
        .get_mut(..needed)
        .ok_or(EphemeralError::BufferTooSmall { needed })?;
    let (head, tail) = out.split_at_mut(digits.len());
    head.copy_from_slice(digits);
    if let Some((colon, rest)) = tail.split_first_mut() {
        *colon = b':';
        rest.copy_from_slice(user.as_bytes());
    }
    core::str::from_utf8(out).map_err(|_| EphemeralError::BadUsername)
}

/// Splits a username into its expiry and user parts.
pub fn parse_username(username: &str) -> Result<(u64, &str), EphemeralError> {
    let (time, user) = match username.split_once(':') {
        Some((t, u)) => (t, u),
        None => (username, ""),
    };
    if time.is_empty() || time.len() > 19 || !time.bytes().all(|b| b.is_ascii_digit()) {
        return Err(EphemeralError::BadUsername);
    }
    let expiry = time.parse().map_err(|_| EphemeralError::BadUsername)?;
    Ok((expiry, user))
}

/// base64(HMAC-SHA1(secret, username)).
pub fn password(secret: &[u8], username: &str) -> EphemeralPassword {
    let mut tag = mac(secret, username);
    let mut out = [0u8; 28];
    // 20 bytes encode to exactly 28 characters.
    let _ = STANDARD.encode_slice(tag, &mut out);
    tag.zeroize();
    EphemeralPassword(out)
}

fn mac(secret: &[u8], username: &str) -> [u8; 20] {
    let key = HmacKey::<Sha1>::new(secret);
    let mut mac = key.start();
    mac.update(username.as_bytes());
    mac.finalize_truncated()
}

/// Checks credentials at `now` (Unix seconds): the expiry must not have passed and the password must
/// be the HMAC of the username, compared in constant time.
pub fn check(
    secret: &[u8],
    username: &str,
    password_given: &[u8],
    now: u64,
) -> Result<(), EphemeralError> {
    let (expiry, _) = parse_username(username)?;
    let want = password(secret, username);
    if !bool::from(password_given.ct_eq(want.as_str().as_bytes())) {
        return Err(EphemeralError::WrongPassword);
    }
    if expiry < now {
        return Err(EphemeralError::Expired { expiry });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coturn_style_credentials() {
        // The example of draft-uberti-behave-turn-rest: secret "north", a username with a colon.
        let p = password(b"north", "1433895918:alice");
        assert_eq!(p.as_str().len(), 28);
        assert!(check(
            b"north",
            "1433895918:alice",
            p.as_str().as_bytes(),
            1433895000
        )
        .is_ok());
        assert_eq!(
            check(
                b"south",
                "1433895918:alice",
                p.as_str().as_bytes(),
                1433895000
            ),
            Err(EphemeralError::WrongPassword)
        );
        assert_eq!(parse_username("x:alice"), Err(EphemeralError::BadUsername));
        assert_eq!(parse_username("12"), Ok((12, "")));
        let mut buf = [0u8; 4];
        assert!(username(&mut buf, 12345, "a").is_err());
        assert_eq!(username(&mut buf, 0, "").unwrap(), "0");
    }

    #[test]
    fn known_answer() {
        // HMAC-SHA1("key", "The quick brown fox jumps over the lazy dog") =
        // de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9 (RFC 2104 test in common use).
        let p = password(b"key", "The quick brown fox jumps over the lazy dog");
        assert_eq!(p.as_str(), "3nybhbi3iqa8ino29wqQcBydtNk=");
    }
}
