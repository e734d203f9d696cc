//! [`Link`]: what the path between two addresses does to a datagram — delay, jitter (which
//! reorders), loss and duplication — drawn from the network's [`SimRng`].

use core::time::Duration;

use crate::rng::SimRng;

/// One-way behaviour of a path. Loss and duplication are in per-mille and apply to unreliable
/// transports only; a reliable transport (TCP, TLS, WebSocket) delivers every message once, in
/// order, after `delay` (see [`crate::Net`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    /// Fixed one-way delay.
    pub delay: Duration,
    /// A uniform extra delay in `[0, jitter)`: datagrams sent close together overtake each other.
    pub jitter: Duration,
    /// Datagrams lost, per mille (1000: the path is cut).
    pub loss: u32,
    /// Datagrams delivered twice, per mille (each copy with its own jitter).
    pub duplication: u32,
}

/// What a link does with one datagram: each `Some` is one copy delivered after that delay.
pub type Fate = [Option<Duration>; 2];

impl Link {
    /// 10 ms, nothing lost, duplicated or reordered.
    pub const PERFECT: Self = Self {
        delay: Duration::from_millis(10),
        jitter: Duration::ZERO,
        loss: 0,
        duplication: 0,
    };

    /// A bad network: 25 % loss, 15 % duplication, 20 ms plus up to 400 ms of jitter (heavy
    /// reordering).
    pub const LOSSY: Self = Self {
        delay: Duration::from_millis(20),
        jitter: Duration::from_millis(400),
        loss: 250,
        duplication: 150,
    };

    /// A wide-area path: 20 ms plus up to 10 ms of jitter, 1 % loss.
    pub const WAN: Self = Self {
        delay: Duration::from_millis(20),
        jitter: Duration::from_millis(10),
        loss: 10,
        duplication: 0,
    };

    /// A cut path: everything unreliable is lost.
    pub const CUT: Self = Self {
        delay: Duration::from_millis(10),
        jitter: Duration::ZERO,
        loss: 1000,
        duplication: 0,
    };

    /// Draws what happens to one datagram: lost, delivered once, or twice; `reliable` transports
    /// are never lost, duplicated or jittered.
    pub fn fate(&self, rng: &mut SimRng, reliable: bool) -> Fate {
        if reliable {
            return [Some(self.delay), None];
        }
        if rng.chance(self.loss) {
            return [None, None];
        }
        let twice = rng.chance(self.duplication);
        let first = Some(self.delay_with_jitter(rng));
        let second = if twice {
            Some(self.delay_with_jitter(rng))
        } else {
            None
        };
        [first, second]
    }

    fn delay_with_jitter(&self, rng: &mut SimRng) -> Duration {
        let jitter = u64::try_from(self.jitter.as_nanos()).unwrap_or(u64::MAX);
        self.delay + Duration::from_nanos(rng.below(jitter))
    }
}

impl Default for Link {
    /// [`Link::PERFECT`].
    fn default() -> Self {
        Self::PERFECT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fates() {
        let mut rng = SimRng::new(1);
        assert_eq!(
            Link::PERFECT.fate(&mut rng, false),
            [Some(Duration::from_millis(10)), None]
        );
        assert_eq!(Link::CUT.fate(&mut rng, false), [None, None]);
        assert_eq!(
            Link::CUT.fate(&mut rng, true),
            [Some(Duration::from_millis(10)), None]
        );
        let fates: Vec<Fate> = (0..1000)
            .map(|_| Link::LOSSY.fate(&mut rng, false))
            .collect();
        assert!(fates.iter().any(|f| f[0].is_none()));
        assert!(fates.iter().any(|f| f[1].is_some()));
        assert!(fates
            .iter()
            .flatten()
            .flatten()
            .all(|d| *d >= Duration::from_millis(20) && *d < Duration::from_millis(420)));
    }
}
