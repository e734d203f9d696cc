//! The interleaving timer of rtcweb's side-by-side benchmarks (issue #18, `shared/PEERS.md`).
//!
//! A [`Workload`] is one operation (say, SRTP protect of a 172-byte packet) and the libraries that
//! perform it, each as a [`Contender`] holding a [`Routine`]. [`Harness::run_group`] runs every
//! workload of a group this way:
//!
//! 1. each routine is calibrated (doubling the iteration count until one call takes ≥ 50 ms, which
//!    is also its warm-up);
//! 2. for round 1..=[`Settings::rounds`], every contender runs once, in an order rotated by one
//!    place each round (round 1: A B C, round 2: B C A, …), for a calibrated number of iterations
//!    adding up to at least [`Settings::seconds`] of measured time; one sample = ns per operation;
//! 3. per contender: the **median** of the rounds, with their min–max; never the best.
//!
//! So peers and ours see the same machine load, round after round, and a load burst lands on a
//! single sample of each instead of on one library's whole measurement. Per round the ratio of
//! the fastest peer (by median) to each contender is also kept: its min–max shows how stable the
//! comparison was.
//!
//! Results go to stdout as Markdown tables ([`Harness::run_group`], [`Harness::summary`]) and, one
//! JSON object per line, to the writer given to [`Harness::new`]; progress goes to stderr.

use core::fmt::Write as _;
use core::hint::black_box;
use core::time::Duration;
use std::time::Instant;

/// Rounds when `RTCWEB_BENCH_ROUNDS` is not set.
pub const DEFAULT_ROUNDS: usize = 5;
/// Seconds of measured time per sample when `RTCWEB_BENCH_SECONDS` is not set.
pub const DEFAULT_SECONDS: f64 = 1.0;
/// Measured time of one calibration call at which calibration stops.
const CALIBRATION: Duration = Duration::from_millis(50);

/// How long to measure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Rounds: samples per contender (≥ 1).
    pub rounds: usize,
    /// Measured seconds per sample (> 0).
    pub seconds: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            rounds: DEFAULT_ROUNDS,
            seconds: DEFAULT_SECONDS,
        }
    }
}

impl Settings {
    /// The settings from `RTCWEB_BENCH_ROUNDS` and `RTCWEB_BENCH_SECONDS`, defaults for unset ones.
    ///
    /// # Errors
    /// A message naming the variable when a value does not parse or is out of range.
    pub fn from_env() -> Result<Self, String> {
        let get = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let mut s = Self::default();
        if let Some(v) = get("RTCWEB_BENCH_ROUNDS") {
            s.rounds = v
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|&r| r >= 1)
                .ok_or_else(|| format!("RTCWEB_BENCH_ROUNDS={v}: expected an integer ≥ 1"))?;
        }
        if let Some(v) = get("RTCWEB_BENCH_SECONDS") {
            s.seconds = v
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|&x| x.is_finite() && x > 0.0 && x < 1e6)
                .ok_or_else(|| {
                    format!("RTCWEB_BENCH_SECONDS={v}: expected a number of seconds > 0")
                })?;
        }
        Ok(s)
    }

    /// Measured time per sample.
    #[must_use]
    pub fn target(&self) -> Duration {
        Duration::from_secs_f64(self.seconds)
    }
}

/// Runs `iters` operations and returns the time they took. A routine may leave setup out of the
/// returned time (e.g. producing the next batch of packets to unprotect), but every operation
/// counted must be inside it. Calls continue where the previous one stopped (state is kept).
pub type Routine<'a> = Box<dyn FnMut(u64) -> Duration + 'a>;

/// The routine that times `iters` calls of `op` in one loop, each result through
/// [`core::hint::black_box`]. `op` is monomorphized into the loop: no indirect call per operation.
pub fn per_op<'a, R>(mut op: impl FnMut() -> R + 'a) -> Routine<'a> {
    Box::new(move |iters| {
        let start = Instant::now();
        for _ in 0..iters {
            black_box(op());
        }
        start.elapsed()
    })
}

/// One library performing a workload.
pub struct Contender<'a> {
    /// The library's name as printed.
    pub library: &'static str,
    /// Whether this is an rtcweb crate (the others are peers).
    pub ours: bool,
    routine: Routine<'a>,
}

impl<'a> Contender<'a> {
    /// An rtcweb crate.
    #[must_use]
    pub fn ours(library: &'static str, routine: Routine<'a>) -> Self {
        Self {
            library,
            ours: true,
            routine,
        }
    }

    /// A peer.
    #[must_use]
    pub fn peer(library: &'static str, routine: Routine<'a>) -> Self {
        Self {
            library,
            ours: false,
            routine,
        }
    }
}

/// One operation and the libraries performing it.
pub struct Workload<'a> {
    /// A stable machine name (JSON `workload`, and what the command-line filter matches).
    pub id: String,
    /// The row title in the tables.
    pub title: String,
    /// Ours and the peers.
    pub contenders: Vec<Contender<'a>>,
}

/// A group of workloads printed as one table.
pub struct Group<'a> {
    /// A stable machine name (JSON `group`).
    pub id: &'static str,
    /// The table's heading.
    pub title: &'static str,
    /// A paragraph printed under the heading: what is measured, how each library is called.
    pub note: &'static str,
    /// Its workloads, in table order.
    pub workloads: Vec<Workload<'a>>,
}

/// One sample: one contender in one round.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Nanoseconds per operation.
    pub ns: f64,
    /// Operations timed.
    pub iters: u64,
    /// Measured seconds (excluding the setup a routine leaves out).
    pub seconds: f64,
}

/// All samples of one contender on one workload, in round order.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// [`Group::id`].
    pub group: &'static str,
    /// [`Workload::id`].
    pub workload: String,
    /// [`Workload::title`].
    pub title: String,
    /// [`Contender::library`].
    pub library: &'static str,
    /// [`Contender::ours`].
    pub ours: bool,
    /// One per round, in round order.
    pub samples: Vec<Sample>,
}

impl Outcome {
    fn ns(&self) -> impl Iterator<Item = f64> + '_ {
        self.samples.iter().map(|s| s.ns)
    }

    /// Median ns per operation over the rounds (mean of the middle two for an even count).
    #[must_use]
    pub fn median(&self) -> f64 {
        median(self.ns())
    }

    /// Fastest round, ns per operation.
    #[must_use]
    pub fn min(&self) -> f64 {
        self.ns().fold(f64::INFINITY, f64::min)
    }

    /// Slowest round, ns per operation.
    #[must_use]
    pub fn max(&self) -> f64 {
        self.ns().fold(f64::NEG_INFINITY, f64::max)
    }
}

/// Median of `values` (NaN when empty).
#[must_use]
pub fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match (
        v.get(n / 2),
        n.checked_sub(1).and_then(|_| v.get((n - 1) / 2)),
    ) {
        (Some(&hi), Some(&lo)) => (hi + lo) / 2.0,
        _ => f64::NAN,
    }
}

/// The comparison of one contender with the fastest peer of its workload.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ratio {
    /// Fastest peer's median ÷ this contender's median: above 1 means faster than every peer.
    pub median: f64,
    /// Min of the same ratio taken round by round.
    pub min: f64,
    /// Max of the same ratio taken round by round.
    pub max: f64,
}

/// The peer with the lowest median among `outcomes` (all of one workload).
#[must_use]
pub fn best_peer(outcomes: &[Outcome]) -> Option<&Outcome> {
    outcomes
        .iter()
        .filter(|o| !o.ours)
        .min_by(|a, b| a.median().total_cmp(&b.median()))
}

/// `this` against the fastest peer `best` (same workload, same rounds).
#[must_use]
pub fn ratio(best: &Outcome, this: &Outcome) -> Ratio {
    let per_round = best
        .samples
        .iter()
        .zip(&this.samples)
        .map(|(b, t)| b.ns / t.ns);
    let (min, max) = per_round.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), r| {
        (lo.min(r), hi.max(r))
    });
    Ratio {
        median: best.median() / this.median(),
        min,
        max,
    }
}

/// ns per operation with a precision that suits its size.
#[must_use]
pub fn fmt_ns(ns: f64) -> String {
    if ns < 10.0 {
        format!("{ns:.2}")
    } else if ns < 1000.0 {
        format!("{ns:.1}")
    } else {
        format!("{ns:.0}")
    }
}

/// Operations per second from ns per operation: `5.46 M`, `212 k`.
#[must_use]
pub fn fmt_rate(ns: f64) -> String {
    let ops = 1e9 / ns;
    if ops >= 1e6 {
        format!("{:.2} M", ops / 1e6)
    } else if ops >= 1e3 {
        format!("{:.1} k", ops / 1e3)
    } else {
        format!("{ops:.0}")
    }
}

fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_num(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.3}")
    } else {
        "null".into()
    }
}

/// Runs groups of workloads interleaved round by round and reports them.
pub struct Harness {
    settings: Settings,
    filter: Option<String>,
    json: Option<Box<dyn std::io::Write>>,
    outcomes: Vec<Outcome>,
    started: Instant,
}

impl Harness {
    /// A harness measuring with `settings`, running only the workloads whose id contains `filter`
    /// (all when `None`), writing JSON lines to `json`.
    #[must_use]
    pub fn new(
        settings: Settings,
        filter: Option<String>,
        json: Option<Box<dyn std::io::Write>>,
    ) -> Self {
        let mut h = Self {
            settings,
            filter,
            json,
            outcomes: Vec::new(),
            started: Instant::now(),
        };
        let line = format!(
            "{{\"type\":\"meta\",\"rounds\":{},\"seconds\":{},\"filter\":{}}}",
            settings.rounds,
            json_num(settings.seconds),
            h.filter.as_deref().map_or_else(|| "null".into(), json_str)
        );
        h.emit_json(&line);
        h
    }

    /// The settings in use.
    #[must_use]
    pub const fn settings(&self) -> Settings {
        self.settings
    }

    /// Whether the workload `id` passes the filter: a caller may skip building it.
    #[must_use]
    pub fn wants(&self, id: &str) -> bool {
        self.filter.as_deref().is_none_or(|f| id.contains(f))
    }

    fn emit_json(&mut self, line: &str) {
        if let Some(w) = self.json.as_mut() {
            if writeln!(w, "{line}").and_then(|()| w.flush()).is_err() {
                eprintln!("rtcweb-bench: cannot write the JSON lines; continuing without them");
                self.json = None;
            }
        }
    }

    /// Measures every workload of `group` (that passes the filter), then prints its table to
    /// stdout and its JSON lines. Returns the outcomes of this group.
    pub fn run_group(&mut self, group: Group<'_>) -> Vec<Outcome> {
        let mut results = Vec::new();
        for workload in group.workloads {
            if self.wants(&workload.id) {
                results.extend(self.run_workload(group.id, workload));
            }
        }
        if results.is_empty() {
            return results;
        }
        println!("{}", table(group.title, group.note, &results));
        for o in &results {
            let line = json_line(o, &results);
            self.emit_json(&line);
        }
        self.outcomes.extend(results.iter().cloned());
        results
    }

    fn run_workload(&mut self, group: &'static str, w: Workload<'_>) -> Vec<Outcome> {
        let Workload {
            id,
            title,
            mut contenders,
        } = w;
        let target = self.settings.target();
        let mut per_op: Vec<f64> = contenders
            .iter_mut()
            .map(|c| calibrate(&mut c.routine))
            .collect();
        let mut samples: Vec<Vec<Sample>> = contenders.iter().map(|_| Vec::new()).collect();
        let n = contenders.len();
        for round in 0..self.settings.rounds {
            for k in 0..n {
                let i = (k + round) % n;
                let (Some(c), Some(est), Some(out)) =
                    (contenders.get_mut(i), per_op.get_mut(i), samples.get_mut(i))
                else {
                    continue;
                };
                let s = measure(&mut c.routine, *est, target);
                *est = s.ns / 1e9;
                eprintln!(
                    "[{id}] round {}/{}: {:<22} {:>9} ns/op ({} ops in {:.2} s)",
                    round + 1,
                    self.settings.rounds,
                    c.library,
                    fmt_ns(s.ns),
                    s.iters,
                    s.seconds
                );
                out.push(s);
            }
        }
        contenders
            .iter()
            .zip(samples)
            .map(|(c, samples)| Outcome {
                group,
                workload: id.clone(),
                title: title.clone(),
                library: c.library,
                ours: c.ours,
                samples,
            })
            .collect()
    }

    /// Prints to stdout the summary of every group run so far: per workload, our median, the
    /// fastest peer's and the ratio. Writes the closing JSON line.
    pub fn summary(&mut self) {
        let mut s = String::from(
            "### Summary: rtcweb vs the fastest peer\n\n\
             | workload | rtcweb (median ns/op) | fastest peer | its median ns/op | fastest peer ÷ rtcweb (per-round min–max) |\n\
             |---|---:|---|---:|---:|\n",
        );
        let mut i = 0;
        while let Some(first) = self.outcomes.get(i) {
            let end = self
                .outcomes
                .iter()
                .skip(i)
                .position(|o| o.workload != first.workload || o.group != first.group)
                .map_or(self.outcomes.len(), |p| i + p);
            let rows = self.outcomes.get(i..end).unwrap_or_default();
            if let (Some(best), Some(ours)) = (best_peer(rows), rows.iter().find(|o| o.ours)) {
                let r = ratio(best, ours);
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | **{:.2}×** ({:.2}–{:.2}) |",
                    ours.title,
                    fmt_ns(ours.median()),
                    best.library,
                    fmt_ns(best.median()),
                    r.median,
                    r.min,
                    r.max
                );
            }
            i = end;
        }
        println!("{s}");
        let line = format!(
            "{{\"type\":\"end\",\"wall_seconds\":{}}}",
            json_num(self.started.elapsed().as_secs_f64())
        );
        self.emit_json(&line);
    }
}

/// Seconds per operation, from calls of growing size until one takes ≥ [`CALIBRATION`].
fn calibrate(routine: &mut Routine<'_>) -> f64 {
    let mut iters: u64 = 1;
    loop {
        let t = routine(iters);
        let per = t.as_secs_f64().max(1e-9) / iters as f64;
        if t >= CALIBRATION || iters >= 1 << 40 {
            return per;
        }
        // Aim a little past the calibration time, growing at least 2× and at most 100×.
        let aim = (CALIBRATION.as_secs_f64() * 1.2 / per) as u64;
        iters = aim.clamp(iters.saturating_mul(2), iters.saturating_mul(100));
    }
}

/// One sample: batches sized from `per_op` (seconds) until `target` of measured time is reached.
fn measure(routine: &mut Routine<'_>, per_op: f64, target: Duration) -> Sample {
    let mut elapsed = Duration::ZERO;
    let mut iters: u64 = 0;
    let mut per = per_op.max(1e-12);
    while elapsed < target {
        let remaining = target.saturating_sub(elapsed).as_secs_f64();
        // 1 % over, so that one batch nearly always suffices.
        let batch = (remaining / per * 1.01).ceil().clamp(1.0, 1e15) as u64;
        elapsed += routine(batch);
        iters += batch;
        per = elapsed.as_secs_f64().max(1e-12) / iters as f64;
    }
    Sample {
        ns: elapsed.as_secs_f64() * 1e9 / iters as f64,
        iters,
        seconds: elapsed.as_secs_f64(),
    }
}

/// The Markdown table of one group.
#[must_use]
pub fn table(title: &str, note: &str, outcomes: &[Outcome]) -> String {
    let mut s = format!("### {title}\n\n");
    if !note.is_empty() {
        s.push_str(note);
        s.push_str("\n\n");
    }
    s.push_str(
        "| workload | library | median ns/op | min–max ns/op | ops/s (median) | fastest peer ÷ this (per-round min–max) |\n\
         |---|---|---:|---:|---:|---:|\n",
    );
    let mut last_workload: Option<&str> = None;
    for o in outcomes {
        let rows: Vec<Outcome> = outcomes
            .iter()
            .filter(|x| x.workload == o.workload)
            .cloned()
            .collect();
        let first = last_workload != Some(o.workload.as_str());
        last_workload = Some(o.workload.as_str());
        let ratio_cell = match best_peer(&rows) {
            Some(best) if best.library == o.library && !o.ours => "1.00× (fastest peer)".into(),
            Some(best) => {
                let r = ratio(best, o);
                if o.ours {
                    format!("**{:.2}×** ({:.2}–{:.2})", r.median, r.min, r.max)
                } else {
                    format!("{:.2}× ({:.2}–{:.2})", r.median, r.min, r.max)
                }
            }
            None => "—".into(),
        };
        let lib = if o.ours {
            format!("**{}**", o.library)
        } else {
            o.library.to_string()
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {}–{} | {} | {} |",
            if first { o.title.as_str() } else { "" },
            lib,
            fmt_ns(o.median()),
            fmt_ns(o.min()),
            fmt_ns(o.max()),
            fmt_rate(o.median()),
            ratio_cell
        );
    }
    s
}

fn json_line(o: &Outcome, all: &[Outcome]) -> String {
    let rows: Vec<Outcome> = all
        .iter()
        .filter(|x| x.workload == o.workload)
        .cloned()
        .collect();
    let best = best_peer(&rows);
    let r = best.map(|b| ratio(b, o));
    let list =
        |f: &dyn Fn(&Sample) -> String| o.samples.iter().map(f).collect::<Vec<_>>().join(",");
    format!(
        "{{\"type\":\"result\",\"group\":{},\"workload\":{},\"title\":{},\"library\":{},\"ours\":{},\
         \"median_ns\":{},\"min_ns\":{},\"max_ns\":{},\"ops_per_s\":{},\"best_peer\":{},\
         \"ratio_vs_best_peer\":{},\"ratio_min\":{},\"ratio_max\":{},\"samples_ns\":[{}],\"iters\":[{}],\"seconds\":[{}]}}",
        json_str(o.group),
        json_str(&o.workload),
        json_str(&o.title),
        json_str(o.library),
        o.ours,
        json_num(o.median()),
        json_num(o.min()),
        json_num(o.max()),
        json_num(1e9 / o.median()),
        best.map_or_else(|| "null".into(), |b| json_str(b.library)),
        json_num(r.map_or(f64::NAN, |r| r.median)),
        json_num(r.map_or(f64::NAN, |r| r.min)),
        json_num(r.map_or(f64::NAN, |r| r.max)),
        list(&|s| json_num(s.ns)),
        list(&|s| s.iters.to_string()),
        list(&|s| json_num(s.seconds)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(library: &'static str, ours: bool, ns: &[f64]) -> Outcome {
        Outcome {
            group: "g",
            workload: "w".into(),
            title: "w".into(),
            library,
            ours,
            samples: ns
                .iter()
                .map(|&ns| Sample {
                    ns,
                    iters: 1,
                    seconds: 1.0,
                })
                .collect(),
        }
    }

    #[test]
    fn median_min_max() {
        assert_eq!(median([3.0, 1.0, 2.0].into_iter()), 2.0);
        assert_eq!(median([4.0, 1.0, 2.0, 3.0].into_iter()), 2.5);
        assert!(median(core::iter::empty()).is_nan());
        let o = outcome("x", true, &[5.0, 1.0, 9.0, 3.0, 7.0]);
        assert_eq!((o.median(), o.min(), o.max()), (5.0, 1.0, 9.0));
    }

    #[test]
    fn ratio_against_fastest_peer() {
        let rows = [
            outcome("ours", true, &[10.0, 20.0]),
            outcome("slow", false, &[40.0, 40.0]),
            outcome("fast", false, &[30.0, 20.0]),
        ];
        let best = best_peer(&rows).map(|b| b.library);
        assert_eq!(best, Some("fast"));
        let r = best_peer(&rows).map(|b| ratio(b, &rows[0]));
        assert_eq!(r.map(|r| (r.min, r.max)), Some((1.0, 3.0)));
        assert!(table("t", "", &rows).contains("**1.67×** (1.00–3.00)"));
    }

    #[test]
    fn interleaved_rounds_reach_the_target() {
        let settings = Settings {
            rounds: 3,
            seconds: 0.002,
        };
        let mut h = Harness::new(settings, None, None);
        let mut calls = 0u64;
        let group = Group {
            id: "g",
            title: "t",
            note: "",
            workloads: vec![Workload {
                id: "w".into(),
                title: "w".into(),
                contenders: vec![
                    Contender::ours("a", per_op(|| black_box(1u32) + 1)),
                    Contender::peer(
                        "b",
                        per_op(move || {
                            calls += 1;
                            calls
                        }),
                    ),
                ],
            }],
        };
        let out = h.run_group(group);
        assert_eq!(out.len(), 2);
        for o in &out {
            assert_eq!(o.samples.len(), 3);
            assert!(o.samples.iter().all(|s| s.seconds >= 0.002 && s.iters > 0));
        }
    }
}
