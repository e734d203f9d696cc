//! A bounded memory of the INVITEs this UA sent, so that a 2xx arriving outside any transaction is
//! answered only when it really answers one of ours (RFC 3261 §13.2.2.4, §18.1.2; RFC 6026 §7).
//!
//! Without it, any 2xx with a To-tag and a Contact — from anyone — made the UA send an ACK and
//! start a BYE transaction: 1 000 spoofed 2xx gave 12 000 datagrams and filled the transaction
//! table. Now a stray 2xx must carry the Call-ID and From-tag of an INVITE we sent recently, and
//! each To-tag (each fork) of it is ACKed and ended with BYE once; a retransmission of that 2xx
//! gets the same ACK again and nothing more. Everything else is dropped.

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

use crate::Instant;

/// Forks (distinct To-tags) of one INVITE that are ACKed and ended with BYE; more are dropped.
pub(crate) const MAX_FORKS_ENDED: usize = 8;

/// What to do with a 2xx that no transaction matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Not an answer to an INVITE of ours (or too many forks of one): drop it (§18.1.2).
    Drop,
    /// A new fork of one of our INVITEs: ACK it and end it with BYE.
    AckAndBye,
    /// A retransmission of a 2xx we already ACKed: send the ACK again, nothing else.
    AckAgain,
}

#[derive(Debug)]
struct SentInvite {
    call_id: String,
    from_tag: String,
    /// Forgotten after this instant.
    until: Instant,
    /// To-tags already ACKed and ended.
    ended: Vec<String>,
}

/// The most recent INVITEs sent, oldest first, bounded by count and by age.
#[derive(Debug)]
pub(crate) struct SentInvites {
    entries: VecDeque<SentInvite>,
    capacity: usize,
}

impl SentInvites {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            entries: VecDeque::new(),
            capacity,
        }
    }

    /// Remembers an INVITE (Call-ID, our From-tag) until `until`; the oldest goes when full.
    pub(crate) fn remember(&mut self, call_id: &str, from_tag: &str, until: Instant) {
        if let Some(e) = self.find(call_id, from_tag) {
            e.until = e.until.max(until);
            return;
        }
        if self.capacity == 0 {
            return;
        }
        while self.entries.len() >= self.capacity {
            self.entries.pop_front();
        }
        self.entries.push_back(SentInvite {
            call_id: call_id.into(),
            from_tag: from_tag.into(),
            until,
            ended: Vec::new(),
        });
    }

    fn find(&mut self, call_id: &str, from_tag: &str) -> Option<&mut SentInvite> {
        self.entries
            .iter_mut()
            .find(|e| e.call_id == call_id && e.from_tag == from_tag)
    }

    /// Classifies a stray 2xx by its Call-ID, From-tag and To-tag, and records a new fork.
    pub(crate) fn classify(
        &mut self,
        now: Instant,
        call_id: &str,
        from_tag: &str,
        to_tag: &str,
    ) -> Verdict {
        self.entries.retain(|e| e.until > now);
        let Some(e) = self.find(call_id, from_tag) else {
            return Verdict::Drop;
        };
        if e.ended.iter().any(|t| t == to_tag) {
            Verdict::AckAgain
        } else if e.ended.len() < MAX_FORKS_ENDED {
            e.ended.push(to_tag.into());
            Verdict::AckAndBye
        } else {
            Verdict::Drop
        }
    }

    /// How many INVITEs are remembered.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> Instant {
        Instant::from_nanos(s * 1_000_000_000)
    }

    #[test]
    fn only_our_invites_and_each_fork_once() {
        let mut m = SentInvites::new(2);
        m.remember("c1", "t1", at(100));
        assert_eq!(m.classify(at(1), "c1", "other", "x"), Verdict::Drop);
        assert_eq!(m.classify(at(1), "c2", "t1", "x"), Verdict::Drop);
        assert_eq!(m.classify(at(1), "c1", "t1", "x"), Verdict::AckAndBye);
        assert_eq!(m.classify(at(1), "c1", "t1", "x"), Verdict::AckAgain);
        assert_eq!(m.classify(at(1), "c1", "t1", "y"), Verdict::AckAndBye);
        for i in 0..20 {
            let _ = m.classify(at(1), "c1", "t1", &alloc::format!("f{i}"));
        }
        assert_eq!(
            m.classify(at(1), "c1", "t1", "z"),
            Verdict::Drop,
            "forks capped"
        );
        assert_eq!(
            m.classify(at(100), "c1", "t1", "x"),
            Verdict::Drop,
            "forgotten"
        );
        m.remember("a", "1", at(200));
        m.remember("b", "1", at(200));
        m.remember("c", "1", at(200));
        assert_eq!(m.len(), 2);
        assert_eq!(
            m.classify(at(2), "a", "1", "x"),
            Verdict::Drop,
            "oldest evicted"
        );
    }
}
