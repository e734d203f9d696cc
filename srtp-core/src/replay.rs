//! The replay list (RFC 3711 §3.3.2): a sliding window of received indices, as a ring bitmap.

use crate::Error;

/// The largest replay window this crate supports, in packets.
pub const MAX_REPLAY_WINDOW: usize = 1024;

/// The default replay window (RFC 3711 §3.3.2 asks for at least 64).
pub const DEFAULT_REPLAY_WINDOW: usize = 64;

const WORDS: usize = MAX_REPLAY_WINDOW / 64;

/// Which indices in `(highest - window, highest]` were received: a fixed-size ring, no allocation.
///
/// Bit `i % MAX_REPLAY_WINDOW` stands for index `i`; moving the window clears the bits it passes.
#[derive(Debug, Clone)]
pub(crate) struct ReplayWindow {
    bits: [u64; WORDS],
    highest: Option<u64>,
    window: u64,
}

impl ReplayWindow {
    /// An empty list of the default window, usable in `const` context.
    pub(crate) const EMPTY: Self = Self {
        bits: [0; WORDS],
        highest: None,
        window: DEFAULT_REPLAY_WINDOW as u64,
    };

    /// An empty list of `window` packets (1 to [`MAX_REPLAY_WINDOW`]).
    pub(crate) fn new(window: usize) -> Result<Self, Error> {
        if window == 0 || window > MAX_REPLAY_WINDOW {
            return Err(Error::BadReplayWindow(window));
        }
        Ok(Self {
            bits: [0; WORDS],
            highest: None,
            window: window as u64,
        })
    }

    fn bit(index: u64) -> (usize, u64) {
        let slot = (index % MAX_REPLAY_WINDOW as u64) as usize;
        (slot / 64, 1u64 << (slot % 64))
    }

    /// The highest index accepted so far.
    pub(crate) fn highest(&self) -> Option<u64> {
        self.highest
    }

    /// Whether `index` may be accepted: not seen and not left of the window.
    pub(crate) fn check(&self, index: u64) -> Result<(), Error> {
        let Some(highest) = self.highest else {
            return Ok(());
        };
        if index > highest {
            return Ok(());
        }
        if highest - index >= self.window {
            return Err(Error::TooOld { index, highest });
        }
        let (word, mask) = Self::bit(index);
        match self.bits.get(word) {
            Some(w) if w & mask != 0 => Err(Error::Replayed { index }),
            _ => Ok(()),
        }
    }

    /// Records `index` as received (after [`Self::check`] and authentication).
    pub(crate) fn accept(&mut self, index: u64) {
        match self.highest {
            Some(highest) if index <= highest => {}
            Some(highest) if index - highest < MAX_REPLAY_WINDOW as u64 => {
                for i in highest + 1..=index {
                    let (word, mask) = Self::bit(i);
                    if let Some(w) = self.bits.get_mut(word) {
                        *w &= !mask;
                    }
                }
                self.highest = Some(index);
            }
            _ => {
                self.bits = [0; WORDS];
                self.highest = Some(index);
            }
        }
        let (word, mask) = Self::bit(index);
        if let Some(w) = self.bits.get_mut(word) {
            *w |= mask;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_semantics() {
        let mut w = ReplayWindow::new(64).unwrap();
        assert!(w.check(5).is_ok());
        w.accept(5);
        assert_eq!(w.check(5), Err(Error::Replayed { index: 5 }));
        assert!(w.check(4).is_ok());
        w.accept(100);
        assert_eq!(
            w.check(5),
            Err(Error::TooOld {
                index: 5,
                highest: 100
            })
        );
        assert_eq!(
            w.check(36),
            Err(Error::TooOld {
                index: 36,
                highest: 100
            })
        );
        assert!(w.check(37).is_ok());
        w.accept(37);
        assert_eq!(w.check(37), Err(Error::Replayed { index: 37 }));
        // Jumping far ahead forgets everything and does not alias old bits.
        w.accept(100 + 1024);
        assert!(w.check(100 + 1024 - 1).is_ok());
        assert!(ReplayWindow::new(0).is_err());
        assert!(ReplayWindow::new(1025).is_err());
    }

    #[test]
    fn large_window_ring_wraps() {
        let mut w = ReplayWindow::new(1024).unwrap();
        for i in 0..5000u64 {
            assert!(w.check(i).is_ok(), "{i}");
            w.accept(i);
            if i >= 1023 {
                assert_eq!(w.check(i - 1023), Err(Error::Replayed { index: i - 1023 }));
            }
            if i >= 1024 {
                assert!(matches!(w.check(i - 1024), Err(Error::TooOld { .. })));
            }
        }
    }
}
