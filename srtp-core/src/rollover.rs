//! The rollover counter and the packet index estimate of RFC 3711 §3.3.1 and appendix A.

/// The sender or receiver view of an SRTP stream's index: ROC and highest sequence number `s_l`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rollover {
    roc: u32,
    s_l: u16,
    started: bool,
}

impl Rollover {
    /// A stream that has seen no packet, starting at `roc`.
    pub(crate) const fn new(roc: u32) -> Self {
        Self {
            roc,
            s_l: 0,
            started: false,
        }
    }

    /// The rollover counter.
    pub(crate) const fn roc(&self) -> u32 {
        self.roc
    }

    /// Sets the rollover counter (signalled out of band, RFC 4568 §6.4.1); `s_l` stays.
    pub(crate) fn set_roc(&mut self, roc: u32) {
        self.roc = roc;
    }

    /// The estimated 48-bit index of a packet with sequence number `seq` (appendix A), or `None`
    /// when it would fall before index 0 or past 2^48 - 1.
    pub(crate) fn estimate(&self, seq: u16) -> Option<u64> {
        if !self.started {
            return Some(index(self.roc, seq));
        }
        let roc = if self.s_l < 0x8000 {
            if u32::from(seq) > u32::from(self.s_l) + 0x8000 {
                self.roc.checked_sub(1)?
            } else {
                self.roc
            }
        } else if u32::from(self.s_l) - 0x8000 > u32::from(seq) {
            self.roc.checked_add(1)?
        } else {
            self.roc
        };
        Some(index(roc, seq))
    }

    /// Records an authenticated packet's index: the ROC and `s_l` move forward only.
    pub(crate) fn update(&mut self, index: u64) {
        let current = if self.started {
            self::index(self.roc, self.s_l)
        } else {
            0
        };
        if !self.started || index > current {
            self.roc = (index >> 16) as u32;
            self.s_l = index as u16;
            self.started = true;
        }
    }
}

/// `i = 2^16 * ROC + SEQ` (RFC 3711 §3.3.1).
pub(crate) const fn index(roc: u32, seq: u16) -> u64 {
    ((roc as u64) << 16) | seq as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_forward_and_back() {
        let mut r = Rollover::new(0);
        assert_eq!(r.estimate(65530), Some(65530));
        r.update(65530);
        assert_eq!(r.estimate(2), Some(0x1_0002));
        r.update(0x1_0002);
        assert_eq!(r.roc(), 1);
        // A late packet from before the wrap.
        assert_eq!(r.estimate(65533), Some(65533));
        r.update(65533);
        assert_eq!(r.roc(), 1);
        // s_l = 2 after the wrap: 40000 is more than half a cycle ahead, so it belongs to ROC 0.
        assert_eq!(r.estimate(40000), Some(40000));
        assert_eq!(r.estimate(30000), Some(0x1_0000 + 30000));
        // Before index 0: no estimate.
        let mut r = Rollover::new(0);
        r.update(10);
        assert_eq!(r.estimate(60000), None);
        let mut r = Rollover::new(u32::MAX);
        r.update(index(u32::MAX, 65000));
        assert_eq!(r.estimate(1), None);
        let mut r = Rollover::new(7);
        assert_eq!(r.estimate(9), Some(index(7, 9)));
        r.set_roc(9);
        assert_eq!(r.roc(), 9);
    }
}
