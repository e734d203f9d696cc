//! The order in which SRV targets are tried (RFC 2782, "Usage rules"): by priority, and within a
//! priority a weighted random draw, repeated until every record is placed.

use alloc::vec::Vec;

use rtcweb_proto::Rng;

use super::record::Srv;

/// Orders `records` as RFC 2782 says: lowest priority first; among equal priorities, records are
/// drawn one at a time with probability proportional to their weight (weight-0 records first
/// in the running sum, so that they are picked only rarely, as the RFC's algorithm does).
/// A single record whose target is `.` means the service is not offered: no records. Records
/// with port 0 are skipped.
#[must_use]
pub fn order(mut records: Vec<Srv>, rng: &mut Rng) -> Vec<Srv> {
    if records.len() == 1 && records.first().is_some_and(|r| r.target == ".") {
        return Vec::new();
    }
    // Port 0 is nowhere to send to: such a record is skipped like a "." target.
    records.retain(|r| r.target != "." && r.port != 0);
    // RFC 2782: "arrange all SRV RRs (that have not been ordered yet) in any order, except that
    // all those with weight 0 are placed at the beginning of the list".
    records.sort_by_key(|r| (r.priority, r.weight != 0));
    let mut out = Vec::with_capacity(records.len());
    while let Some(first) = records.first() {
        let priority = first.priority;
        let end = records
            .iter()
            .position(|r| r.priority != priority)
            .unwrap_or(records.len());
        let mut group: Vec<Srv> = records.drain(..end).collect();
        while !group.is_empty() {
            let total: u64 = group.iter().map(|r| u64::from(r.weight)).sum();
            let pick = if total == 0 {
                0
            } else {
                // A running sum >= a uniform draw in 0..=total picks the record.
                let draw = rng.below(total + 1);
                let mut sum = 0u64;
                group
                    .iter()
                    .position(|r| {
                        sum += u64::from(r.weight);
                        sum >= draw
                    })
                    .unwrap_or(0)
            };
            out.push(group.remove(pick));
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn srv(priority: u16, weight: u16, target: &str) -> Srv {
        Srv {
            priority,
            weight,
            port: 5060,
            target: target.to_string(),
        }
    }

    #[test]
    fn priority_first_then_weighted() {
        let mut rng = Rng::from_seed([1; 32]);
        let mut first_a = 0;
        for _ in 0..2000 {
            let o = order(
                alloc::vec![srv(20, 0, "z"), srv(10, 90, "a"), srv(10, 10, "b")],
                &mut rng,
            );
            assert_eq!(o.len(), 3);
            assert_eq!(o[2].target, "z", "priority 20 comes last");
            if o[0].target == "a" {
                first_a += 1;
            }
        }
        // Weight 90 of 100 (+1 for the draw of 0): about 90 %.
        assert!((1700..1900).contains(&first_a), "{first_a}");
    }

    #[test]
    fn dot_means_not_offered_and_zero_weights_still_ordered() {
        let mut rng = Rng::from_seed([2; 32]);
        assert!(order(alloc::vec![srv(0, 0, ".")], &mut rng).is_empty());
        let o = order(alloc::vec![srv(1, 0, "a"), srv(1, 0, "b")], &mut rng);
        assert_eq!(o.len(), 2);
        let mut zero = srv(0, 0, "c");
        zero.port = 0;
        assert!(
            order(alloc::vec![zero], &mut rng).is_empty(),
            "port 0 is skipped"
        );
    }
}
