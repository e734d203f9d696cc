//! The UA's call table: calls by handle, indexed by our local tag (RFC 3261 §12: with the Call-ID,
//! the dialog's local half) and by the INVITE transaction, and their deadlines in a min-heap, so
//! that a request for one of thousands of calls and [`UserAgent::poll_timeout`] cost O(log n),
//! not a scan of every call.
//!
//! A call's deadline (2xx retransmission, CANCEL give-up, session timer, reliable provisional)
//! is recomputed after it changes: [`Calls::get_mut`] marks the call dirty and
//! [`Calls::flush`] (run at the end of every UA operation, before a lookup that depends on
//! mutable state, and before timers fire) pushes its new `(deadline, call, generation)` onto the
//! heap. As in the transaction layer, older entries are not searched for: an entry whose
//! generation is not the call's current one is stale and is dropped when it reaches the top,
//! which is kept live after every change.
//!
//! [`UserAgent::poll_timeout`]: super::UserAgent::poll_timeout

use alloc::collections::{BTreeMap, BinaryHeap};
use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Reverse;

use super::call::Call;
use crate::transaction::TxId;
use crate::Instant;

#[derive(Debug, Clone)]
struct Slot {
    call: Call,
    /// The deadline and generation the heap holds for this call; other entries are stale.
    scheduled: Option<(Instant, u64)>,
    /// The INVITE transaction this call is indexed under.
    indexed_tx: Option<TxId>,
}

/// Calls by handle, with their indexes and deadline heap. See the module docs.
#[derive(Debug, Clone, Default)]
pub(crate) struct Calls {
    slots: BTreeMap<u64, Slot>,
    /// Our local tag (From tag of our INVITE, To tag of our answer) → call. Tags are random
    /// per call, so a tag names at most one call; the Call-ID and dialog are checked on lookup.
    by_tag: BTreeMap<String, u64>,
    /// The call's INVITE transaction (client or server) → call.
    by_invite_tx: BTreeMap<TxId, u64>,
    heap: BinaryHeap<Reverse<(Instant, u64, u64)>>,
    next_gen: u64,
    /// Calls borrowed mutably since the last [`Self::flush`].
    dirty: Vec<u64>,
}

impl Calls {
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    pub(crate) fn contains_key(&self, id: &u64) -> bool {
        self.slots.contains_key(id)
    }

    pub(crate) fn get(&self, id: &u64) -> Option<&Call> {
        self.slots.get(id).map(|s| &s.call)
    }

    /// The call, to change: its deadline and indexes are brought up to date at the next
    /// [`Self::flush`].
    pub(crate) fn get_mut(&mut self, id: &u64) -> Option<&mut Call> {
        let slot = self.slots.get_mut(id)?;
        self.dirty.push(*id);
        Some(&mut slot.call)
    }

    /// Every call, by handle.
    #[cfg(test)]
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&u64, &Call)> {
        self.slots.iter().map(|(id, s)| (id, &s.call))
    }

    /// Adds (or replaces) a call, indexed and scheduled at once.
    pub(crate) fn insert(&mut self, id: u64, call: Call) {
        self.remove(&id);
        self.by_tag.entry(call.local_tag.clone()).or_insert(id);
        self.slots.insert(
            id,
            Slot {
                call,
                scheduled: None,
                indexed_tx: None,
            },
        );
        self.update(id);
        self.prune();
    }

    /// Removes a call and its index entries; its heap entries become stale.
    pub(crate) fn remove(&mut self, id: &u64) -> Option<Call> {
        let slot = self.slots.remove(id)?;
        if self.by_tag.get(&slot.call.local_tag) == Some(id) {
            self.by_tag.remove(&slot.call.local_tag);
        }
        if let Some(tx) = slot.indexed_tx {
            if self.by_invite_tx.get(&tx) == Some(id) {
                self.by_invite_tx.remove(&tx);
            }
        }
        self.prune();
        Some(slot.call)
    }

    /// The call whose local tag is `tag`.
    pub(crate) fn by_local_tag(&self, tag: &str) -> Option<u64> {
        self.by_tag.get(tag).copied()
    }

    /// The call whose INVITE transaction is `tx`.
    pub(crate) fn by_invite_tx(&mut self, tx: TxId) -> Option<u64> {
        self.flush();
        self.by_invite_tx.get(&tx).copied()
    }

    /// Brings the deadlines and indexes of the calls changed since the last flush up to date.
    pub(crate) fn flush(&mut self) {
        if self.dirty.is_empty() {
            return;
        }
        let mut dirty = core::mem::take(&mut self.dirty);
        for &id in &dirty {
            self.update(id);
        }
        dirty.clear();
        self.dirty = dirty;
        if self.heap.len() > 2 * self.slots.len() + 1024 {
            self.compact();
        }
        self.prune();
    }

    /// The earliest deadline of any call. O(1) after a flush (the heap's top is kept live);
    /// exact, if slower, with calls changed since.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        if !self.dirty.is_empty() {
            return self.slots.values().filter_map(|s| s.call.deadline()).min();
        }
        let &Reverse((at, _, _)) = self.heap.peek()?;
        Some(at)
    }

    /// The calls with a deadline at or before `now`, by handle (the order a scan of the table
    /// would visit them). They count as changed: their next deadline is taken at the next flush.
    pub(crate) fn due(&mut self, now: Instant) -> Vec<u64> {
        self.flush();
        let mut due = Vec::new();
        while let Some(&Reverse((at, id, generation))) = self.heap.peek() {
            if at > now {
                break;
            }
            self.heap.pop();
            let Some(slot) = self.slots.get_mut(&id) else {
                continue;
            };
            if slot.scheduled != Some((at, generation)) {
                continue; // stale
            }
            slot.scheduled = None;
            due.push(id);
        }
        due.sort_unstable();
        self.dirty.extend_from_slice(&due);
        due
    }

    /// Reschedules and reindexes one call.
    fn update(&mut self, id: u64) {
        let Some(slot) = self.slots.get_mut(&id) else {
            return;
        };
        let next = slot.call.deadline();
        if next != slot.scheduled.map(|(at, _)| at) {
            slot.scheduled = next.map(|at| {
                self.next_gen += 1;
                self.heap.push(Reverse((at, id, self.next_gen)));
                (at, self.next_gen)
            });
        }
        if slot.indexed_tx != slot.call.invite_tx {
            if let Some(old) = slot.indexed_tx {
                if self.by_invite_tx.get(&old) == Some(&id) {
                    self.by_invite_tx.remove(&old);
                }
            }
            if let Some(tx) = slot.call.invite_tx {
                self.by_invite_tx.entry(tx).or_insert(id);
            }
            slot.indexed_tx = slot.call.invite_tx;
        }
    }

    /// Pops stale entries off the top of the heap, so that [`Self::next_deadline`] reads the
    /// next deadline without `&mut self`.
    fn prune(&mut self) {
        while let Some(&Reverse((at, id, generation))) = self.heap.peek() {
            if self
                .slots
                .get(&id)
                .is_some_and(|s| s.scheduled == Some((at, generation)))
            {
                return;
            }
            self.heap.pop();
        }
    }

    /// Drops stale heap entries (bounded memory however often deadlines move).
    fn compact(&mut self) {
        let live: Vec<_> = self
            .slots
            .iter()
            .filter_map(|(&id, s)| s.scheduled.map(|(at, g)| Reverse((at, id, g))))
            .collect();
        self.heap = BinaryHeap::from(live);
    }
}

#[cfg(test)]
mod tests {
    use super::Calls;
    use crate::transaction::{Peer, TxId};
    use crate::ua::call::{Call, CallState};
    use crate::ua::event::CallHandle;
    use crate::Instant;
    use alloc::format;
    use alloc::string::String;
    use alloc::vec::Vec;

    fn call(id: u64, tx: u64, deadline: Option<u64>) -> Call {
        Call {
            handle: CallHandle(id),
            outgoing: false,
            state: CallState::Incoming,
            target: String::new(),
            call_id: format!("cid{id}"),
            local_tag: format!("tag{id}"),
            invite: Vec::new(),
            invite_tx: Some(TxId(tx)),
            invite_seq: 1,
            peer: Peer::udp(core::net::SocketAddr::from(([192, 0, 2, 1], 5060))),
            dialogs: Vec::new(),
            confirmed: None,
            ack: None,
            sdp: Vec::new(),
            got_provisional: false,
            cancel_pending: false,
            cancelled: false,
            auth_attempts: 0,
            ok: None,
            st_cfg: None,
            timer: None,
            end_reason: None,
            bye_pending: false,
            cancel_deadline: deadline.map(now_instant),
            uac_rel100: crate::ua::rel100::UacRel100::default(),
            uas_rel100: crate::ua::rel100::UasRel100::default(),
            reoffer: None,
            reoffer_ack: None,
            refer_subscription: false,
            pending_offer: None,
            invite_headers: Vec::new(),
        }
    }

    fn scan_min(calls: &Calls) -> Option<Instant> {
        calls.iter().filter_map(|(_, c)| c.deadline()).min()
    }

    /// The heap agrees with a scan of every call through random inserts, changes, removals and
    /// timer firings, flushed or not; the indexes find each call.
    #[test]
    fn heap_and_indexes_agree_with_a_scan() {
        let mut calls = Calls::default();
        let mut rng = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let mut now = 0u64;
        let mut tx = 0u64;
        for step in 0..20_000u64 {
            let id = next() % 400;
            match next() % 8 {
                0 | 1 => {
                    tx += 1;
                    let d = (next() % 3 != 0).then(|| now + next() % 1000);
                    calls.insert(id, call(id, tx, d));
                }
                2 => {
                    calls.remove(&id);
                }
                3 | 4 => {
                    if let Some(c) = calls.get_mut(&id) {
                        c.cancel_deadline =
                            (next() % 4 != 0).then(|| now_instant(now + next() % 1000));
                        if next() % 5 == 0 {
                            tx += 1;
                            c.invite_tx = Some(TxId(tx));
                        }
                    }
                }
                5 => calls.flush(),
                _ => {
                    now += next() % 50;
                    let at = now_instant(now);
                    let mut want: Vec<u64> = calls
                        .iter()
                        .filter(|(_, c)| c.deadline().is_some_and(|d| d <= at))
                        .map(|(&k, _)| k)
                        .collect();
                    want.sort_unstable();
                    assert_eq!(calls.due(now_instant(now)), want, "step {step}");
                    // A fired call's deadline passes: move it on, as the UA does.
                    for k in want {
                        if let Some(c) = calls.get_mut(&k) {
                            c.cancel_deadline = None;
                        }
                    }
                }
            }
            assert_eq!(calls.next_deadline(), scan_min(&calls), "step {step}");
            if step % 97 == 0 {
                calls.flush();
                assert_eq!(calls.next_deadline(), scan_min(&calls), "step {step}");
                assert!(calls.heap.len() <= 2 * calls.len() + 1024 + 1);
                for (&k, c) in calls.iter() {
                    assert_eq!(calls.by_local_tag(&c.local_tag), Some(k));
                }
                let txs: Vec<(TxId, u64)> = calls
                    .iter()
                    .filter_map(|(&k, c)| Some((c.invite_tx?, k)))
                    .collect();
                for (t, k) in txs {
                    assert_eq!(calls.by_invite_tx(t), Some(k));
                }
            }
        }
    }

    fn now_instant(n: u64) -> Instant {
        Instant::from_nanos(i64::try_from(n).unwrap())
    }
}
