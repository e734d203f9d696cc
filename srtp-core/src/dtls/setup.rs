//! The DTLS role from `a=setup` (RFC 4145 §4, RFC 5763 §5, RFC 8842 §5).

use core::fmt;

use super::DtlsError;
use crate::DtlsRole;

/// An `a=setup` value that decides a DTLS role (RFC 4145 §4; `holdconn` decides none and is not
/// represented).
///
/// `active` opens the association (the DTLS client), `passive` accepts it (the DTLS server),
/// `actpass` leaves the choice to the answerer. sdp-core's typed `Setup` converts through
/// [`Setup::parse`] of its `as_str()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Setup {
    /// `active`: this side is the DTLS client.
    Active,
    /// `passive`: this side is the DTLS server.
    Passive,
    /// `actpass`: either; what an offerer writes (RFC 5763 §5, RFC 8842 §5.2).
    ActPass,
}

impl Setup {
    /// The value of `a=setup:<value>`; `None` for `holdconn` and anything else.
    #[must_use]
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "active" => Some(Self::Active),
            "passive" => Some(Self::Passive),
            "actpass" => Some(Self::ActPass),
            _ => None,
        }
    }

    /// The value as written in SDP.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Passive => "passive",
            Self::ActPass => "actpass",
        }
    }

    /// What an answerer writes for an offer's value (RFC 5763 §5, RFC 8842 §5.3): the opposite
    /// role; to `actpass` the answerer chooses, `active` (RECOMMENDED: the handshake can start
    /// as soon as the answer is sent) unless it is the ICE-lite side, which takes `passive`: a
    /// lite agent sends no connectivity checks (RFC 8445 §2.5), so the full agent, which knows
    /// the selected pair, starts the handshake.
    #[must_use]
    pub const fn answer(offer: Self, ice_lite: bool) -> Self {
        match offer {
            Self::Active => Self::Passive,
            Self::Passive => Self::Active,
            Self::ActPass if ice_lite => Self::Passive,
            Self::ActPass => Self::Active,
        }
    }

    /// This side's DTLS role once offer and answer are done, from its own and the peer's
    /// values (RFC 5763 §5).
    ///
    /// # Errors
    /// [`DtlsError::RoleConflict`] when both are `active`, both `passive`, or both `actpass`
    /// (an answer must not be `actpass`, RFC 8842 §5.3).
    pub const fn dtls_role(local: Self, remote: Self) -> Result<DtlsRole, DtlsError> {
        match (local, remote) {
            (Self::Active, Self::Passive | Self::ActPass) | (Self::ActPass, Self::Passive) => {
                Ok(DtlsRole::Client)
            }
            (Self::Passive, Self::Active | Self::ActPass) | (Self::ActPass, Self::Active) => {
                Ok(DtlsRole::Server)
            }
            _ => Err(DtlsError::RoleConflict { local, remote }),
        }
    }
}

impl fmt::Display for Setup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_and_roles() {
        for (offer, lite, answer) in [
            (Setup::ActPass, false, Setup::Active),
            (Setup::ActPass, true, Setup::Passive),
            (Setup::Active, true, Setup::Passive),
            (Setup::Passive, true, Setup::Active),
        ] {
            assert_eq!(Setup::answer(offer, lite), answer);
            // Offerer and answerer always end in opposite roles.
            let offerer = Setup::dtls_role(offer, answer).unwrap();
            let answerer = Setup::dtls_role(answer, offer).unwrap();
            assert_ne!(offerer, answerer);
        }
        assert_eq!(
            Setup::dtls_role(Setup::Active, Setup::ActPass),
            Ok(DtlsRole::Client)
        );
        for s in [Setup::Active, Setup::Passive, Setup::ActPass] {
            assert!(matches!(
                Setup::dtls_role(s, s),
                Err(DtlsError::RoleConflict { .. })
            ));
            assert_eq!(Setup::parse(s.as_str()), Some(s));
        }
        assert_eq!(Setup::parse("holdconn"), None);
    }
}
