//! The step summary: its headline, table, faults, the first anomaly and the replay line,
//! and Markdown that a hostile system under test cannot break.

use super::*;
use crate::fixtures::{self, NASTY};

#[test]
fn a_valid_run_reads_at_a_glance() {
    let md = render(
        &fixtures::valid(),
        Path::new("store/memory-register/20261125T202244Z"),
    );
    assert!(
        md.starts_with("### ✅ schism memory-register: valid\n"),
        "{md}"
    );
    assert!(md.contains("| linearizable | ✅ valid | 0 |  |"), "{md}");
    assert!(
        md.contains("**Ops:** 900 ok, 90 fail, 10 info; 400 ops/s"),
        "{md}"
    );
    assert!(md.contains("**Faults applied:** kill 1"), "{md}");
    assert!(md.contains(
        "**Replay** (seed 42): `schism run store/memory-register/20261125T202244Z/spec.yaml`"
    ));
    assert!(!md.contains("First anomaly") && !md.contains("first anomaly"));
}

#[test]
fn an_invalid_run_shows_its_first_anomaly_in_a_fence() {
    let md = render(&fixtures::invalid(), Path::new("d"));
    assert!(md.starts_with("### ❌ schism evil "), "{md}");
    assert!(md.contains(", liveness ❌ invalid\n"), "{md}");
    assert!(
        md.contains("| termination (liveness) | ❌ invalid | 1 |"),
        "{md}"
    );
    assert!(
        md.contains("| agreement | ❔ unknown | 0 | out of time"),
        "{md}"
    );
    assert!(md.contains("**First anomaly** (linearizable: nonlinearizable, key 1):"));
    assert!(
        md.contains("**Time to first anomaly:** 2.500 s from the start"),
        "{md}"
    );
    // The explanation holds a ``` line: the fence is longer, so it stays inside.
    assert!(md.contains("\n````text\nread <script>"), "{md}");
    assert!(md.contains("```\nafter a fence\n````\n"), "{md}");
}

#[test]
fn table_cells_and_headlines_are_escaped() {
    let md = render(&fixtures::invalid(), Path::new("d"));
    let headline = md.lines().next().unwrap();
    assert!(!headline.contains("<script>"), "{headline}");
    assert!(headline.contains("\\<script\\>") && headline.contains("\\|"));
    let row = md.lines().find(|l| l.starts_with("| agreement")).unwrap();
    // Five unescaped bars: the borders of four cells.
    let bars = row
        .match_indices('|')
        .filter(|(i, _)| !row[..*i].ends_with('\\'))
        .count();
    assert_eq!(bars, 5, "{row}");
    assert!(!md.contains('\u{1}') && !md.contains('\u{1b}'));
    assert!(NASTY.contains('\u{1b}'));
}

#[test]
fn long_explanations_are_cut_to_forty_lines() {
    let mut r = fixtures::invalid();
    r.checkers[0].anomalies[0].explanation = (1..=100).map(|i| format!("line {i}\n")).collect();
    let md = render(&r, Path::new("d"));
    assert!(
        md.contains("line 40\n... 60 more lines in results.json"),
        "{md}"
    );
    assert!(!md.contains("line 41"));
}

#[test]
fn replay_paths_are_quoted_for_the_shell() {
    assert_eq!(
        replay_command(Path::new("/tmp/my store/t")),
        "schism run '/tmp/my store/t/spec.yaml'"
    );
    assert_eq!(
        replay_command(Path::new("it's")),
        "schism run 'it'\\''s/spec.yaml'"
    );
}
