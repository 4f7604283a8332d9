//! The shrinker on schism's deterministic simulator (no containers, one try a candidate):
//! Raft with its `stale-read` bug, under a schedule of many faults of which, by
//! construction, one matters (the partition that cuts the leader off from the rest, while
//! it still answers reads); the others crash followers or cut followers from each other,
//! which cannot make a read stale. The schedule fails; shrunk, it is that one partition,
//! shorter, in a shorter run, and it fails again when replayed.

use checkers::linearizable::{check, Options};
use harness::shrink::reduce::{shrink, Budget, Candidate, Outcome, Try, Window};
use history::Validity;
use nodes::raft::{Raft, RaftBugs};
use nodes::sim::{Planned, RegisterRun, Sim, SimFault, SimOptions};
use reports::run::RunResult;

const NODES: usize = 5;

fn sim(seed: u64) -> Sim {
    let bugs = RaftBugs {
        stale_read: true,
        ..RaftBugs::default()
    };
    Sim::new(
        SimOptions {
            nodes: NODES,
            seed,
            loss: 0.0,
            latency_ms: (1, 10),
        },
        move |_| Box::new(Raft::with_bugs(bugs.clone())),
    )
}

fn workload(schedule: Vec<Planned>, time_limit_ms: u64) -> RegisterRun {
    RegisterRun {
        clients: 5,
        ops: 1_000_000,
        keys: 2,
        timeout_ms: 500,
        faults: false,
        schedule: Some(schedule),
        time_limit_ms: Some(time_limit_ms),
    }
}

/// Run a candidate once: failed (with its first anomaly) or passed.
fn run(seed: u64, c: &Candidate<SimFault>) -> Try {
    let ms = |s: f64| (s * 1000.0).round() as u64;
    let schedule = c
        .windows
        .iter()
        .map(|w| Planned {
            at_ms: ms(w.at_s),
            end_ms: ms(w.end_s),
            fault: w.fault.clone(),
        })
        .collect();
    let h = workload(schedule, ms(c.run_s)).run(&mut sim(seed), seed);
    let verdict = check(&h, &Options::default()).expect("checkable").verdict;
    match verdict.validity {
        Validity::Invalid => Try::Failed {
            first_anomaly_s: RunResult::first_anomaly_s(&[verdict]),
        },
        _ => Try::Passed,
    }
}

/// Who leads at `at_ms` in a run of this seed without faults (followers' crashes and cuts
/// between followers do not change it).
fn leader_at(seed: u64, at_ms: u64) -> usize {
    let mut s = sim(seed);
    workload(Vec::new(), at_ms).run(&mut s, seed);
    let leaders = s.leaders();
    assert_eq!(leaders.len(), 1, "seed {seed}: one leader at {at_ms} ms");
    leaders[0].0
}

/// Twelve harmless faults among followers from 2 s on, then at 8 s the partition that
/// cuts the leader off for 4 s (its id returned), in a run of 16 s.
fn schedule(seed: u64) -> (Candidate<SimFault>, usize) {
    let key_at_s = 8.0;
    let leader = leader_at(seed, 1900);
    let followers: Vec<usize> = (0..NODES).filter(|&n| n != leader).collect();
    let mut windows = Vec::new();
    for i in 0..12 {
        let f = |k: usize| followers[(i + k) % followers.len()];
        let fault = match i % 2 {
            0 => SimFault::Crash(vec![f(0)]),
            _ => SimFault::Partition(vec![f(0)], vec![f(1)]),
        };
        let at_s = 2.0 + 0.5 * i as f64;
        windows.push(Window {
            id: i,
            at_s,
            end_s: at_s + 0.4,
            fault,
        });
    }
    windows.push(Window {
        id: 12,
        at_s: key_at_s,
        end_s: key_at_s + 4.0,
        fault: SimFault::Partition(vec![leader], followers),
    });
    (
        Candidate {
            windows,
            run_s: 16.0,
        },
        12,
    )
}

#[test]
fn many_faults_shrink_to_the_partition_that_cuts_the_leader_off() {
    // The first seed whose whole schedule fails (a stale read needs a read of the old
    // leader to see a value the new one has overwritten).
    let found = (0..20).find_map(|seed| {
        let (c, key) = schedule(seed);
        match run(seed, &c) {
            Try::Failed { first_anomaly_s } => Some((seed, c, key, first_anomaly_s)),
            _ => None,
        }
    });
    let (seed, original, key, first) = found.expect("some seed of 20 fails");
    eprintln!(
        "seed {seed}: {} faults fail, first anomaly at {first:?} s",
        original.windows.len()
    );
    let budget = Budget {
        tries: 1,
        max_runs: Some(200),
        ..Budget::default()
    };
    let mut lines = Vec::new();
    let shrunk = shrink(
        original.clone(),
        Outcome::failed_once(first),
        &budget,
        |c| run(seed, c),
        |p| lines.push(format!("{} {:?} {}", p.tried.k, p.tried.ids, p.tried.kept)),
    );
    eprintln!("{}", lines.join("\n"));
    assert!(shrunk.stopped.is_none(), "{:?}", shrunk.stopped);
    assert_eq!(shrunk.best.ids(), [key], "the one fault that matters");
    let w = &shrunk.best.windows[0];
    let o = &original.windows[key];
    assert_eq!((w.at_s, &w.fault), (o.at_s, &o.fault));
    assert!(w.end_s <= o.end_s && shrunk.best.run_s <= original.run_s);
    assert!(
        shrunk.best.run_s < original.run_s || w.end_s < o.end_s,
        "something was shortened: {:?}",
        shrunk.best
    );
    assert_eq!(shrunk.outcome.share(), 1.0);
    assert!(shrunk.runs < 60, "{} runs", shrunk.runs);
    // The result replays: deterministic, it fails again.
    assert!(matches!(run(seed, &shrunk.best), Try::Failed { .. }));
}
