//! The shrinking of a failing fault schedule, pure and generic (no cluster, no clock of
//! its own but the budget's): given the windows of a failing run's faults and an oracle
//! that runs a candidate once and says whether it failed, find a smaller schedule that
//! still fails.
//!
//! 0. Replay the original schedule: when it does not fail often enough (a cluster whose
//!    failure depended on timing the replay does not meet), there is nothing to shrink
//!    against, and the search says so and stops.
//! 1. Delta debugging (Zeller's ddmin) over the windows: try halves, then smaller chunks
//!    and their complements, down to single faults, keeping any candidate that fails.
//!    The empty schedule is never tried (a run that fails without faults is not the
//!    nemesis's doing).
//! 2. Shorten each kept window: halve its length (from its start) while it still fails.
//! 3. Shorten the run to end `margin_s` after the first anomaly of the last failing
//!    candidate (windows past the end dropped, the others cut there); if that passes,
//!    halfway between.
//!
//! A real cluster is not deterministic, so each candidate is tried `tries` times and kept
//! when it fails in at least `min_share` of them (a candidate that can no longer reach
//! that share is given up early); a deterministic oracle (the simulator) needs one try.
//! Candidates already judged are not run again. The budget (runs, wall time) stops the
//! search where it is: the smallest failing candidate so far is the result.
//!
//! ```
//! use harness::shrink::reduce::{shrink, Budget, Candidate, Outcome, Try, Window};
//! let windows = (0..10)
//!     .map(|id| Window { id, at_s: id as f64, end_s: id as f64 + 4.0, fault: () })
//!     .collect();
//! let original = Candidate { windows, run_s: 30.0 };
//! // Fails iff faults 3 and 7 are both there.
//! let oracle = |c: &Candidate<()>| {
//!     let has = |i| c.windows.iter().any(|w| w.id == i);
//!     if has(3) && has(7) { Try::Failed { first_anomaly_s: Some(12.0) } } else { Try::Passed }
//! };
//! let budget = Budget { tries: 1, ..Budget::default() };
//! let s = shrink(original, Outcome::failed_once(Some(12.0)), &budget, oracle, |_| {});
//! assert_eq!(s.best.ids(), [3, 7]);
//! ```

use serde::Serialize;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// One fault of a schedule and when it holds (seconds from the start of the run); `id`
/// is its place in the original schedule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Window<F> {
    pub id: usize,
    pub at_s: f64,
    pub end_s: f64,
    pub fault: F,
}

/// A schedule to try: its windows, and how long the run is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate<F> {
    pub windows: Vec<Window<F>>,
    pub run_s: f64,
}

impl<F: Clone> Candidate<F> {
    /// The ids of its windows, in order.
    pub fn ids(&self) -> Vec<usize> {
        self.windows.iter().map(|w| w.id).collect()
    }

    /// The same schedule in a run of `run_s`: windows starting at or after it dropped,
    /// the others cut there.
    pub fn ending_at(&self, run_s: f64) -> Candidate<F> {
        let windows = self
            .windows
            .iter()
            .filter(|w| w.at_s < run_s)
            .map(|w| Window {
                end_s: w.end_s.min(run_s),
                ..w.clone()
            })
            .collect();
        Candidate { windows, run_s }
    }

    /// What tells candidates apart (their windows' ids and times, the run's length).
    fn key(&self) -> String {
        let mut k = format!("{}", self.run_s);
        for w in &self.windows {
            k.push_str(&format!("|{}:{}:{}", w.id, w.at_s, w.end_s));
        }
        k
    }
}

/// One try of a candidate.
#[derive(Debug, Clone, PartialEq)]
pub enum Try {
    /// It failed; the first anomaly showed this many seconds into the run, if known.
    Failed {
        first_anomaly_s: Option<f64>,
    },
    Passed,
    /// It could not be run, or the user asked to stop: the search ends here, why given.
    Stop(String),
}

/// The tries of a candidate: how many failed, of how many.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Outcome {
    pub failures: usize,
    pub tries: usize,
    /// Of the failing tries, the latest first anomaly (seconds into the run).
    pub first_anomaly_s: Option<f64>,
}

impl Outcome {
    /// A run that failed once (the run being shrunk).
    pub fn failed_once(first_anomaly_s: Option<f64>) -> Outcome {
        Outcome {
            failures: 1,
            tries: 1,
            first_anomaly_s,
        }
    }

    /// The share of tries that failed (0 without tries).
    pub fn share(&self) -> f64 {
        if self.tries == 0 {
            return 0.0;
        }
        self.failures as f64 / self.tries as f64
    }
}

/// How hard to look.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    /// Tries of each candidate.
    pub tries: usize,
    /// A candidate is kept when at least this share of its tries failed.
    pub min_share: f64,
    /// At most this many runs in all.
    pub max_runs: Option<usize>,
    /// At most this much wall time (no run starts after it).
    pub time: Option<Duration>,
    /// A shortened run ends this long after the first anomaly.
    pub margin_s: f64,
    /// A window is not halved below this length.
    pub min_window_s: f64,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            tries: 3,
            min_share: 0.5,
            max_runs: None,
            time: None,
            margin_s: 5.0,
            min_window_s: 0.5,
        }
    }
}

impl Budget {
    /// Failing tries a candidate needs to be kept (at least one).
    fn needed(&self) -> usize {
        ((self.min_share * self.tries as f64).ceil() as usize).clamp(1, self.tries.max(1))
    }
}

/// Which step of the search tried a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    /// The original schedule, replayed.
    Original,
    /// A chunk of the schedule (a half, a quarter, ... a single fault).
    Subset,
    /// The schedule without one chunk.
    Complement,
    /// One window shortened.
    Window,
    /// The run shortened.
    RunLength,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Original => "original",
            Step::Subset => "subset",
            Step::Complement => "complement",
            Step::Window => "window",
            Step::RunLength => "run-length",
        }
    }
}

/// A candidate tried, and what came of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tried {
    /// Its number, from 1.
    pub k: usize,
    pub step: Step,
    /// Its windows' ids.
    pub ids: Vec<usize>,
    pub run_s: f64,
    pub outcome: Outcome,
    /// Whether it failed often enough to be kept.
    pub kept: bool,
}

/// What the progress callback is told after each candidate.
#[derive(Debug)]
pub struct Progress<'a, F> {
    pub tried: &'a Tried,
    /// The search so far, as it would end now (`stopped` None).
    pub so_far: Shrunk<F>,
    /// Faults of the smallest failing schedule so far.
    pub best_faults: usize,
    /// Runs so far, and the budget's limit.
    pub runs: usize,
    pub max_runs: Option<usize>,
    pub elapsed: Duration,
}

/// What the search found.
#[derive(Debug, Clone)]
pub struct Shrunk<F> {
    /// The smallest failing schedule found (the original when none was smaller).
    pub best: Candidate<F>,
    /// Its tries (of the original's replay when nothing smaller failed; the original
    /// run's own when not even that was tried).
    pub outcome: Outcome,
    pub tried: Vec<Tried>,
    pub runs: usize,
    pub elapsed: Duration,
    /// Why it stopped before the end (the budget, an error, Ctrl-C), if it did.
    pub stopped: Option<String>,
}

/// Shrink `original` (which failed as `first` says): see the module's doc. `oracle` runs a
/// candidate once; `progress` is told of each candidate tried.
pub fn shrink<F: Clone>(
    original: Candidate<F>,
    first: Outcome,
    budget: &Budget,
    oracle: impl FnMut(&Candidate<F>) -> Try,
    progress: impl FnMut(&Progress<'_, F>),
) -> Shrunk<F> {
    let mut s = Search {
        budget,
        oracle,
        progress,
        started: Instant::now(),
        runs: 0,
        seen: HashMap::new(),
        tried: Vec::new(),
        stopped: None,
        best: original,
        outcome: first,
    };
    // Each step returns None when the search must end (budget, error, Ctrl-C).
    let _ = s
        .original()
        .and_then(|_| s.ddmin())
        .and_then(|_| s.windows())
        .and_then(|_| s.run_length());
    Shrunk {
        best: s.best,
        outcome: s.outcome,
        tried: s.tried,
        runs: s.runs,
        elapsed: s.started.elapsed(),
        stopped: s.stopped,
    }
}

struct Search<'b, F, O, P> {
    budget: &'b Budget,
    oracle: O,
    progress: P,
    started: Instant,
    runs: usize,
    /// Candidates judged: kept or not.
    seen: HashMap<String, bool>,
    tried: Vec<Tried>,
    stopped: Option<String>,
    best: Candidate<F>,
    outcome: Outcome,
}

impl<F, O, P> Search<'_, F, O, P>
where
    F: Clone,
    O: FnMut(&Candidate<F>) -> Try,
    P: FnMut(&Progress<'_, F>),
{
    /// Why no run may start now, if none may.
    fn spent(&self) -> Option<String> {
        if let Some(max) = self.budget.max_runs.filter(|m| self.runs >= *m) {
            return Some(format!("the budget of {max} runs is spent"));
        }
        if let Some(t) = self.budget.time.filter(|t| self.started.elapsed() >= *t) {
            return Some(format!("the time budget of {} s is spent", t.as_secs_f64()));
        }
        None
    }

    /// Try a candidate: Some(whether it fails often enough, and then it is the best), or
    /// None when the search must end before it was judged.
    fn test(&mut self, c: Candidate<F>, step: Step) -> Option<bool> {
        let key = c.key();
        if let Some(&kept) = self.seen.get(&key) {
            return Some(kept);
        }
        let (tries, needed) = (self.budget.tries.max(1), self.budget.needed());
        let mut o = Outcome {
            failures: 0,
            tries: 0,
            first_anomaly_s: None,
        };
        while o.tries < tries && o.failures + (tries - o.tries) >= needed {
            if let Some(why) = self.stopped.clone().or_else(|| self.spent()) {
                self.stopped = Some(why);
                return None;
            }
            match (self.oracle)(&c) {
                Try::Failed { first_anomaly_s } => {
                    o.failures += 1;
                    o.first_anomaly_s = match (o.first_anomaly_s, first_anomaly_s) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        (a, b) => a.or(b),
                    };
                }
                Try::Passed => {}
                Try::Stop(why) => {
                    self.stopped = Some(why);
                    return None;
                }
            }
            o.tries += 1;
            self.runs += 1;
        }
        let kept = o.failures >= needed;
        self.seen.insert(key, kept);
        self.tried.push(Tried {
            k: self.tried.len() + 1,
            step,
            ids: c.ids(),
            run_s: c.run_s,
            outcome: o,
            kept,
        });
        if kept {
            self.best = c;
            self.outcome = o;
        }
        let so_far = Shrunk {
            best: self.best.clone(),
            outcome: self.outcome,
            tried: self.tried.clone(),
            runs: self.runs,
            elapsed: self.started.elapsed(),
            stopped: None,
        };
        (self.progress)(&Progress {
            tried: self.tried.last().expect("just tried"),
            so_far,
            best_faults: self.best.windows.len(),
            runs: self.runs,
            max_runs: self.budget.max_runs,
            elapsed: self.started.elapsed(),
        });
        Some(kept)
    }

    fn with(&self, windows: Vec<Window<F>>) -> Candidate<F> {
        Candidate {
            windows,
            run_s: self.best.run_s,
        }
    }

    /// Replay the original; None (and why) when it does not fail often enough.
    fn original(&mut self) -> Option<()> {
        if self.test(self.best.clone(), Step::Original)? {
            return Some(());
        }
        let o = self.tried.last().expect("just tried").outcome;
        self.outcome = o;
        self.stopped = Some(format!(
            "the original schedule failed in {} of {} replays, less than the share asked \
             for ({}): its failure does not reproduce well enough to shrink",
            o.failures, o.tries, self.budget.min_share
        ));
        None
    }

    /// ddmin: chunks, then their complements, at finer and finer grain.
    fn ddmin(&mut self) -> Option<()> {
        let mut n = 2;
        while self.best.windows.len() >= 2 {
            let chunks = split(&self.best.windows, n);
            let mut reduced = false;
            for chunk in &chunks {
                if self.test(self.with(chunk.clone()), Step::Subset)? {
                    (n, reduced) = (2, true);
                    break;
                }
            }
            if !reduced && chunks.len() > 2 {
                for i in 0..chunks.len() {
                    let rest = chunks
                        .iter()
                        .enumerate()
                        .filter(|(j, _)| *j != i)
                        .flat_map(|(_, c)| c.iter().cloned())
                        .collect();
                    if self.test(self.with(rest), Step::Complement)? {
                        (n, reduced) = ((n - 1).max(2), true);
                        break;
                    }
                }
            }
            if !reduced {
                let len = self.best.windows.len();
                if n >= len {
                    break;
                }
                n = (n * 2).min(len);
            }
        }
        Some(())
    }

    /// Halve each window while the schedule still fails.
    fn windows(&mut self) -> Option<()> {
        for i in 0..self.best.windows.len() {
            loop {
                let w = &self.best.windows[i];
                let half = (w.end_s - w.at_s) / 2.0;
                if half < self.budget.min_window_s {
                    break;
                }
                let mut windows = self.best.windows.clone();
                windows[i].end_s = w.at_s + half;
                if !self.test(self.with(windows), Step::Window)? {
                    break;
                }
            }
        }
        Some(())
    }

    /// End the run soon after the first anomaly; if that passes, halfway there.
    fn run_length(&mut self) -> Option<()> {
        let Some(first) = self.outcome.first_anomaly_s else {
            return Some(());
        };
        let target = first + self.budget.margin_s;
        if target >= self.best.run_s {
            return Some(());
        }
        let run_s = self.best.run_s;
        if !self.test(self.best.ending_at(target), Step::RunLength)? {
            let halfway = (target + run_s) / 2.0;
            self.test(self.best.ending_at(halfway), Step::RunLength)?;
        }
        Some(())
    }
}

/// `items` in `n` chunks of nearly equal length, in order (fewer when there are fewer
/// items).
fn split<T: Clone>(items: &[T], n: usize) -> Vec<Vec<T>> {
    let n = n.clamp(1, items.len().max(1));
    let (size, extra) = (items.len() / n, items.len() % n);
    let mut chunks = Vec::new();
    let mut at = 0;
    for i in 0..n {
        let len = size + usize::from(i < extra);
        chunks.push(items[at..at + len].to_vec());
        at += len;
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn windows(n: usize) -> Candidate<()> {
        let windows = (0..n)
            .map(|id| Window {
                id,
                at_s: 2.0 * id as f64,
                end_s: 2.0 * id as f64 + 8.0,
                fault: (),
            })
            .collect();
        Candidate {
            windows,
            run_s: 100.0,
        }
    }

    fn has(c: &Candidate<()>, id: usize) -> bool {
        c.windows.iter().any(|w| w.id == id)
    }

    fn once() -> Budget {
        Budget {
            tries: 1,
            ..Budget::default()
        }
    }

    #[test]
    fn chunks_are_even_and_in_order() {
        assert_eq!(split(&[1, 2, 3, 4, 5], 2), vec![vec![1, 2, 3], vec![4, 5]]);
        assert_eq!(split(&[1, 2, 3], 5), vec![vec![1], vec![2], vec![3]]);
    }

    #[test]
    fn two_faults_that_matter_together_are_found_among_many() {
        let mut runs = 0;
        let oracle = |c: &Candidate<()>| {
            runs += 1;
            match has(c, 3) && has(c, 7) {
                true => Try::Failed {
                    first_anomaly_s: Some(20.0),
                },
                false => Try::Passed,
            }
        };
        let mut lines = 0;
        let s = shrink(
            windows(16),
            Outcome::failed_once(Some(20.0)),
            &once(),
            oracle,
            |_| lines += 1,
        );
        assert_eq!(s.best.ids(), [3, 7]);
        assert!(s.stopped.is_none());
        assert_eq!(lines, s.tried.len());
        assert_eq!(s.runs, runs);
        // Windows halved to the floor (8 s -> 0.5 s), the run cut 5 s after the anomaly.
        for w in &s.best.windows {
            assert!((w.end_s - w.at_s - 0.5).abs() < 1e-9, "{w:?}");
        }
        assert_eq!(s.best.run_s, 25.0);
        assert_eq!(s.outcome.share(), 1.0);
    }

    #[test]
    fn windows_keep_the_length_they_need_and_the_run_what_it_needs() {
        // Fails while fault 5 holds at least 3 s and the run lasts past 30 s.
        let oracle = |c: &Candidate<()>| {
            let long = c
                .windows
                .iter()
                .any(|w| w.id == 5 && w.end_s - w.at_s >= 3.0);
            match long && c.run_s > 30.0 {
                true => Try::Failed {
                    first_anomaly_s: Some(24.0),
                },
                false => Try::Passed,
            }
        };
        let s = shrink(
            windows(9),
            Outcome::failed_once(None),
            &once(),
            oracle,
            |_| {},
        );
        assert_eq!(s.best.ids(), [5]);
        let w = &s.best.windows[0];
        assert_eq!(w.end_s - w.at_s, 4.0);
        // 24 + 5 passes; halfway between 29 and 100 fails.
        assert_eq!(s.best.run_s, 64.5);
        let last: Vec<Step> = s.tried.iter().rev().take(2).map(|t| t.step).collect();
        assert_eq!(last, [Step::RunLength, Step::RunLength]);
    }

    #[test]
    fn a_flaky_failure_needs_its_share_of_tries() {
        // Fault 2 alone fails 2 tries in 3; any schedule with fault 4 always fails.
        let mut n = 0;
        let oracle = |c: &Candidate<()>| {
            n += 1;
            let fails = has(c, 4) || (has(c, 2) && n % 3 != 0);
            match fails {
                true => Try::Failed {
                    first_anomaly_s: None,
                },
                false => Try::Passed,
            }
        };
        let budget = Budget {
            tries: 3,
            min_share: 0.9,
            ..Budget::default()
        };
        let s = shrink(
            windows(6),
            Outcome::failed_once(None),
            &budget,
            oracle,
            |_| {},
        );
        assert_eq!(s.best.ids(), [4]);
        assert_eq!((s.outcome.failures, s.outcome.tries), (3, 3));
        // A passing first try gives a candidate up (it cannot reach 90 %).
        assert!(s.tried.iter().any(|t| !t.kept && t.outcome.tries < 3));
    }

    #[test]
    fn the_budget_stops_the_search_with_the_best_so_far() {
        let oracle = |c: &Candidate<()>| match has(c, 1) {
            true => Try::Failed {
                first_anomaly_s: None,
            },
            false => Try::Passed,
        };
        let budget = Budget {
            max_runs: Some(3),
            ..once()
        };
        let s = shrink(
            windows(8),
            Outcome::failed_once(None),
            &budget,
            oracle,
            |_| {},
        );
        assert_eq!(s.runs, 3);
        assert_eq!(s.tried[0].step, Step::Original);
        assert_eq!(s.best.ids(), [0, 1]);
        assert!(s.stopped.unwrap().contains("3 runs"));
        // An oracle that cannot run ends it too, the original kept.
        let s = shrink(
            windows(8),
            Outcome::failed_once(None),
            &once(),
            |_| Try::Stop("interrupted".into()),
            |_| {},
        );
        assert_eq!((s.best.windows.len(), s.runs), (8, 0));
        assert_eq!(s.stopped.as_deref(), Some("interrupted"));
        assert_eq!(s.outcome, Outcome::failed_once(None));
    }

    #[test]
    fn an_original_that_does_not_fail_again_is_not_shrunk() {
        let budget = Budget {
            tries: 3,
            ..Budget::default()
        };
        let mut n = 0;
        let flaky = |_: &Candidate<()>| {
            n += 1;
            match n {
                1 => Try::Failed {
                    first_anomaly_s: None,
                },
                _ => Try::Passed,
            }
        };
        let s = shrink(
            windows(4),
            Outcome::failed_once(None),
            &budget,
            flaky,
            |_| {},
        );
        assert_eq!((s.runs, s.tried.len(), s.best.windows.len()), (3, 1, 4));
        assert_eq!((s.outcome.failures, s.outcome.tries), (1, 3));
        assert!(s.stopped.unwrap().contains("failed in 1 of 3 replays"));
    }
}
