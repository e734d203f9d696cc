//! The call table: one entry per call (web leg + trunk leg + their media), found by either
//! leg's [`CallHandle`], bounded by `max_calls`. Generic over the entry so that its bookkeeping
//! is tested without sockets.

use std::collections::BTreeMap;

use rtcweb_sip_core::ua::CallHandle;

/// A call's key in the table (never reused).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CallKey(pub u64);

/// The table is at its bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full;

/// Calls by key, with indexes from the web leg's and the trunk leg's handles (each handle belongs
/// to its own user agent, so the two indexes are separate).
#[derive(Debug)]
pub struct CallTable<T> {
    calls: BTreeMap<CallKey, T>,
    by_web: BTreeMap<CallHandle, CallKey>,
    by_trunk: BTreeMap<CallHandle, CallKey>,
    next: u64,
    max: usize,
}

impl<T> CallTable<T> {
    /// An empty table holding at most `max` calls.
    #[must_use]
    pub const fn new(max: usize) -> Self {
        Self {
            calls: BTreeMap::new(),
            by_web: BTreeMap::new(),
            by_trunk: BTreeMap::new(),
            next: 0,
            max,
        }
    }

    /// Calls held.
    #[must_use]
    pub fn len(&self) -> usize {
        self.calls.len()
    }

    /// No call held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// At the bound: a new call would be refused.
    #[must_use]
    pub fn is_full(&self) -> bool {
        self.calls.len() >= self.max
    }

    /// Adds a call (`make` gets its key).
    ///
    /// # Errors
    /// [`Full`] at the bound.
    pub fn insert(&mut self, make: impl FnOnce(CallKey) -> T) -> Result<CallKey, Full> {
        if self.is_full() {
            return Err(Full);
        }
        self.next += 1;
        let key = CallKey(self.next);
        self.calls.insert(key, make(key));
        Ok(key)
    }

    /// Indexes `key` under its web leg's handle.
    pub fn link_web(&mut self, key: CallKey, web: CallHandle) {
        if self.calls.contains_key(&key) {
            self.by_web.insert(web, key);
        }
    }

    /// Indexes `key` under a trunk leg's handle (a transfer links a second one).
    pub fn link_trunk(&mut self, key: CallKey, trunk: CallHandle) {
        if self.calls.contains_key(&key) {
            self.by_trunk.insert(trunk, key);
        }
    }

    /// Forgets a trunk leg's handle (a transfer released it).
    pub fn unlink_trunk(&mut self, trunk: CallHandle) {
        self.by_trunk.remove(&trunk);
    }

    /// The call of a web leg.
    #[must_use]
    pub fn by_web(&self, web: CallHandle) -> Option<CallKey> {
        self.by_web.get(&web).copied()
    }

    /// The call of a trunk leg.
    #[must_use]
    pub fn by_trunk(&self, trunk: CallHandle) -> Option<CallKey> {
        self.by_trunk.get(&trunk).copied()
    }

    /// A call.
    pub fn get_mut(&mut self, key: CallKey) -> Option<&mut T> {
        self.calls.get_mut(&key)
    }

    /// A call.
    #[must_use]
    pub fn get(&self, key: CallKey) -> Option<&T> {
        self.calls.get(&key)
    }

    /// Every call.
    pub fn iter(&self) -> impl Iterator<Item = (CallKey, &T)> {
        self.calls.iter().map(|(k, v)| (*k, v))
    }

    /// Every call.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (CallKey, &mut T)> {
        self.calls.iter_mut().map(|(k, v)| (*k, v))
    }

    /// Keys of the calls `keep` selects.
    pub fn keys_where(&self, keep: impl Fn(&T) -> bool) -> Vec<CallKey> {
        self.calls
            .iter()
            .filter(|(_, c)| keep(c))
            .map(|(k, _)| *k)
            .collect()
    }

    /// Removes a call and every index entry pointing at it.
    pub fn remove(&mut self, key: CallKey) -> Option<T> {
        let call = self.calls.remove(&key)?;
        self.by_web.retain(|_, k| *k != key);
        self.by_trunk.retain(|_, k| *k != key);
        Some(call)
    }

    /// Index entries (both legs): zero when the table is empty.
    #[must_use]
    pub fn indexed(&self) -> usize {
        self.by_web.len() + self.by_trunk.len()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn bounded_indexed_by_both_legs_and_emptied_on_removal() {
        let mut t = CallTable::new(2);
        let a = t.insert(|k| k.0 * 10).unwrap();
        let b = t.insert(|k| k.0 * 10).unwrap();
        assert_eq!(t.insert(|_| 0), Err(Full));
        t.link_web(a, CallHandle(1));
        t.link_trunk(a, CallHandle(1));
        t.link_web(b, CallHandle(2));
        t.link_trunk(b, CallHandle(7));
        assert_eq!(t.by_web(CallHandle(1)), Some(a));
        assert_eq!(t.by_trunk(CallHandle(7)), Some(b));
        // A transfer: a second trunk leg, the first released.
        t.link_trunk(b, CallHandle(8));
        t.unlink_trunk(CallHandle(7));
        assert_eq!(t.by_trunk(CallHandle(8)), Some(b));
        assert_eq!(t.remove(a), Some(10));
        assert_eq!(t.by_web(CallHandle(1)), None);
        assert!(!t.is_full());
        assert_eq!(t.remove(b), Some(20));
        assert!(t.is_empty());
        assert_eq!(t.indexed(), 0);
        // Keys are never reused.
        assert_eq!(t.insert(|k| k.0).unwrap(), CallKey(3));
    }
}
