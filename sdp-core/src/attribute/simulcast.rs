//! RTP stream identifiers and simulcast: `a=rid` (RFC 8851 §4) and `a=simulcast` (RFC 8853 §5.1).

use core::fmt;

use super::rtp::fmtp_pairs;
use crate::error::ValueError;
use crate::wire::token::{parse_u8, split_space};

/// Direction of a RID or simulcast stream list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RidDirection {
    /// `send`.
    Send,
    /// `recv`.
    Recv,
}

impl RidDirection {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "send" => Some(Self::Send),
            "recv" => Some(Self::Recv),
            _ => None,
        }
    }

    /// The keyword.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Send => "send",
            Self::Recv => "recv",
        }
    }
}

fn is_rid_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `a=rid:<id> <send|recv> [pt=<fmt>,…;][<key>=<value>;…]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rid<'a> {
    /// The RID.
    pub id: &'a str,
    /// Direction.
    pub direction: RidDirection,
    /// Restrictions as written.
    pub params: Option<&'a str>,
}

impl<'a> Rid<'a> {
    /// Parses the attribute value.
    ///
    /// # Errors
    /// A [`ValueError`] at the malformed part.
    pub fn parse(v: &'a str) -> Result<Self, ValueError> {
        const A: &str = "rid";
        let (id, rest) = split_space(v);
        if !is_rid_id(id) {
            return Err(ValueError::attribute(0, A, "rid-id"));
        }
        let rest = rest.ok_or(ValueError::attribute(v.len(), A, "missing direction"))?;
        let (dir, params) = split_space(rest);
        let direction =
            RidDirection::parse(dir).ok_or(ValueError::attribute(id.len() + 1, A, "direction"))?;
        let r = Self {
            id,
            direction,
            params,
        };
        if let Some(pts) = r.get("pt") {
            if !crate::wire::token::split_iter(pts, b',').all(|p| parse_u8(p).is_some()) {
                return Err(ValueError::attribute(
                    id.len() + dir.len() + 2,
                    A,
                    "pt list",
                ));
            }
        }
        Ok(r)
    }

    /// The `key=value` restrictions (`max-width`, `max-fps`, …).
    pub fn restrictions(&self) -> impl Iterator<Item = (&'a str, Option<&'a str>)> + Clone {
        fmtp_pairs(self.params.unwrap_or(""))
    }

    /// The value of restriction `key`.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.restrictions()
            .find(|(k, _)| *k == key)
            .and_then(|(_, v)| v)
    }

    /// The payload types of `pt=`, if restricted.
    pub fn payload_types(&self) -> impl Iterator<Item = u8> + 'a {
        self.get("pt").unwrap_or("").split(',').filter_map(parse_u8)
    }
}

impl fmt::Display for Rid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.id, self.direction.as_str())?;
        if let Some(p) = self.params {
            write!(f, " {p}")?;
        }
        Ok(())
    }
}

/// `a=simulcast:<send|recv> <list> [<send|recv> <list>]`; a list is `;`-separated streams, each a
/// `,`-separated set of alternative RIDs, a leading `~` marking a paused one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Simulcast<'a> {
    /// The send list, as written.
    pub send: Option<&'a str>,
    /// The receive list, as written.
    pub recv: Option<&'a str>,
}

impl<'a> Simulcast<'a> {
    /// Parses the attribute value.
    ///
    /// # Errors
    /// A [`ValueError`] at the malformed part.
    pub fn parse(v: &'a str) -> Result<Self, ValueError> {
        const A: &str = "simulcast";
        let mut s = Self {
            send: None,
            recv: None,
        };
        // Tolerate the draft-era forms seen in the wild: `simulcast: send rid=a;b`.
        let t = v.trim_start_matches(' ');
        let mut it = crate::wire::token::split_iter(t, b' ');
        let mut off = v.len() - t.len();
        while let Some(dir) = it.next() {
            let d = RidDirection::parse(dir).ok_or(ValueError::attribute(off, A, "direction"))?;
            off += dir.len() + 1;
            let list = it
                .next()
                .ok_or(ValueError::attribute(off, A, "missing stream list"))?;
            let full_len = list.len();
            let list = list.strip_prefix("rid=").unwrap_or(list);
            let valid = list.split(';').all(|alt| {
                crate::wire::token::split_iter(alt, b',')
                    .all(|r| is_rid_id(r.strip_prefix('~').unwrap_or(r)))
            });
            if !valid {
                return Err(ValueError::attribute(off, A, "stream list"));
            }
            let slot = match d {
                RidDirection::Send => &mut s.send,
                RidDirection::Recv => &mut s.recv,
            };
            if slot.replace(list).is_some() {
                return Err(ValueError::attribute(off, A, "direction twice"));
            }
            off += full_len + 1;
        }
        Ok(s)
    }

    /// The streams of a list: each yields its alternatives as `(rid, paused)`.
    pub fn streams(
        list: &'a str,
    ) -> impl Iterator<Item = impl Iterator<Item = (&'a str, bool)> + Clone> + Clone {
        crate::wire::token::split_iter(list, b';').map(|alt| {
            crate::wire::token::split_iter(alt, b',').map(|r| match r.strip_prefix('~') {
                Some(id) => (id, true),
                None => (r, false),
            })
        })
    }
}

impl fmt::Display for Simulcast<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.send, self.recv) {
            (Some(s), Some(r)) => write!(f, "send {s} recv {r}"),
            (Some(s), None) => write!(f, "send {s}"),
            (None, Some(r)) => write!(f, "recv {r}"),
            (None, None) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rid() {
        let r = Rid::parse("hi send pt=96,97;max-width=1280;max-height=720").unwrap();
        assert_eq!((r.id, r.direction), ("hi", RidDirection::Send));
        assert!(r.payload_types().eq([96, 97]));
        assert_eq!(r.get("max-width"), Some("1280"));
        assert!(Rid::parse("hi both").is_err());
        assert!(Rid::parse("hi send pt=x").is_err());
    }

    #[test]
    fn simulcast() {
        let s = Simulcast::parse("send q;h,~f recv r").unwrap();
        assert_eq!((s.send, s.recv), (Some("q;h,~f"), Some("r")));
        let streams: [bool; 2] = [true, false];
        let mut it = Simulcast::streams("q;h,~f");
        assert!(it.next().unwrap().eq([("q", false)]));
        assert!(it.next().unwrap().eq([("h", false), ("f", streams[0])]));
        let legacy = Simulcast::parse(" send rid=h;m;l").unwrap();
        assert_eq!(legacy.send, Some("h;m;l"));
        assert!(Simulcast::parse("send").is_err());
        assert!(Simulcast::parse("send a send b").is_err());
    }
}
