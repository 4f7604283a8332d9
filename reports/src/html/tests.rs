//! The report as a whole: what it escapes, the order of its sections, and its size on a
//! 100,000-op history.

use super::*;
use crate::run::{FaultRecord, OpCounts, RunResult};
use history::synth::{generate, SynthSpec};
use history::{Anomaly, History, Op, OpSpan, OpType, Process, Validity, Verdict};
use serde_json::json;
use std::path::{Path, PathBuf};

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("schism-html-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn nemesis(t_ns: u64, f: &str, value: serde_json::Value) -> Op {
    let mut op = Op::client(0, OpType::Info, f, value).with_time_ns(t_ns);
    op.process = Process::Nemesis;
    op
}

/// A kill and a Byzantine window, as the nemesis records them.
fn fault_ops(node: &str) -> Vec<Op> {
    let kill = json!({"fault": "kill", "nodes": [node]});
    let byz = json!({"fault": "byzantine", "mode": "forge", "nodes": [node], "rules": []});
    let report = json!({node: {"report": {"by_action": {"forge": 7, "drop": 2},
        "messages": 40, "tampered": 9}}});
    vec![
        nemesis(1_000_000_000, "start-kill", kill.clone()),
        nemesis(1_000_100_000, "start-kill", json!({"applied": kill})),
        nemesis(2_000_000_000, "stop-kill", json!(null)),
        nemesis(2_000_100_000, "stop-kill", json!({"healed": kill})),
        nemesis(3_000_000_000, "start-byzantine", byz.clone()),
        nemesis(3_000_100_000, "start-byzantine", json!({"applied": byz})),
        nemesis(4_000_000_000, "stop-byzantine", json!(null)),
        nemesis(
            4_000_100_000,
            "stop-byzantine",
            json!({"healed": byz, "answers": report}),
        ),
    ]
}

/// Merge nemesis ops into a history by time.
fn with_faults(h: &History, faults: Vec<Op>) -> Vec<Op> {
    let mut ops: Vec<Op> = h.ops().to_vec();
    ops.extend(faults);
    ops.sort_by_key(|o| o.time_ns);
    ops
}

/// The anomaly a linearizability checker would give for the read completing at `read`.
fn anomaly_at(ops: &[Op], read: usize, explanation: &str) -> Anomaly {
    let invoke = (0..read)
        .rev()
        .find(|&i| ops[i].process == ops[read].process && ops[i].kind == OpType::Invoke)
        .unwrap();
    Anomaly {
        kind: "nonlinearizable".into(),
        key: None,
        explanation: explanation.into(),
        ops: vec![OpSpan::new(&ops[invoke], Some(&ops[read]), invoke + 1)],
        data: json!(null),
    }
}

fn write_history(dir: &Path, ops: &[Op]) -> PathBuf {
    let p = dir.join("history.jsonl");
    let f = std::io::BufWriter::new(std::fs::File::create(&p).unwrap());
    history::jsonl::write(f, ops).unwrap();
    p
}

fn run_result(ops: &[Op], checkers: Vec<Verdict>) -> RunResult {
    let (counts, rate, faults, span): (OpCounts, f64, Vec<FaultRecord>, f64) =
        RunResult::tally(ops);
    let (valid, liveness) = RunResult::verdicts(&checkers);
    RunResult {
        test: "memory-register".into(),
        run_id: "r1".into(),
        seed: 7,
        system: "memory".into(),
        workload: "register".into(),
        nodes: 3,
        concurrency: 10,
        started: "20260101T000000Z".into(),
        duration_s: span,
        cluster_ready_ms: 1.0,
        valid,
        liveness,
        interrupted: false,
        error: None,
        ops: counts,
        ops_per_s: rate,
        first_anomaly_s: RunResult::first_anomaly_s(&checkers),
        faults,
        checkers,
        history: "history.jsonl".into(),
    }
}

const EVIL: &str = "<script>alert(1)</script>";

#[test]
fn values_from_the_system_are_escaped_never_tags() {
    let dir = temp_dir("evil");
    let synth = generate(&SynthSpec {
        ops: 300,
        stale_read: true,
        ..SynthSpec::default()
    });
    let read = synth.stale.as_ref().unwrap().read_index as usize;
    let mut ops = with_faults(&synth.history, fault_ops(EVIL));
    let read = ops.iter().position(|o| o.index == read as u64).unwrap();
    ops[read].value = json!(EVIL);
    ops[read].node = Some(EVIL.into());
    ops[read].error = Some(json!(EVIL));
    write_history(&dir, &ops);
    let mut v = Verdict::new("linearizable", Validity::Invalid);
    v.anomalies
        .push(anomaly_at(&ops, read, &format!("read -> {EVIL} is stale")));
    v.reason = Some(EVIL.into());
    v.stats.insert(EVIL.into(), json!(EVIL));
    run_result(&ops, vec![v])
        .write(&dir.join("results.json"))
        .unwrap();
    std::fs::create_dir_all(dir.join("nodes")).unwrap();
    std::fs::write(dir.join("nodes").join("n1.log"), "x").unwrap();
    let html = render_run(&dir).unwrap();
    assert!(
        !html.to_lowercase().contains("<script"),
        "a tag got through"
    );
    let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;";
    assert!(html.matches(escaped).count() >= 5, "escaped text missing");
    // Every section, in order.
    let order = [
        "id=\"verdict\"",
        "id=\"checkers\"",
        "id=\"latency\"",
        "id=\"throughput\"",
        "id=\"quantiles\"",
        "id=\"availability\"",
        "id=\"counterexample\"",
        "id=\"byzantine\"",
        "id=\"files\"",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|s| html.find(s).unwrap_or_else(|| panic!("{s} missing")))
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "sections out of order");
    assert!(html.contains("href=\"nodes/n1.log\""));
    assert!(html.contains("cannot be placed"));
    // The stale read's completion is when the anomaly had shown itself.
    let shown = format!("at {:.3} s", ops[read].time_ns as f64 / 1e9);
    assert!(
        html.contains(&shown),
        "time to first anomaly {shown} missing"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_100k_op_run_renders_under_5_mb() {
    let dir = temp_dir("big");
    let synth = generate(&SynthSpec {
        clients: 10,
        ops: 100_000,
        info_fraction: 0.01,
        cas_fraction: 0.2,
        stale_read: true,
        ..SynthSpec::default()
    });
    let read = synth.stale.as_ref().unwrap().read_index;
    let ops = with_faults(&synth.history, fault_ops("n2"));
    let read = ops.iter().position(|o| o.index == read).unwrap();
    write_history(&dir, &ops);
    let mut v = Verdict::new("linearizable", Validity::Invalid);
    v.anomalies.push(anomaly_at(&ops, read, "stale"));
    run_result(&ops, vec![v])
        .write(&dir.join("results.json"))
        .unwrap();
    let started = std::time::Instant::now();
    let html = render_run(&dir).unwrap();
    let took = started.elapsed();
    assert!(html.len() < 5 << 20, "{} bytes", html.len());
    let points = html.matches("h0").count();
    assert!(
        points <= MAX_POINTS && points > MAX_POINTS / 2,
        "{points} points"
    );
    assert!(
        html.contains("class=\"named\""),
        "the anomaly's op is ringed"
    );
    assert!(html.contains("under faults"));
    eprintln!(
        "100k ops: report.html {} bytes, rendered in {took:?}",
        html.len()
    );
    let checked = render_history(&dir.join("history.jsonl"), &[]).unwrap();
    assert!(checked.len() < 5 << 20);
    assert!(checked.contains("href=\"history.jsonl\""));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_run_without_results_is_an_error_naming_the_file() {
    let dir = temp_dir("empty");
    let e = render_run(&dir).unwrap_err();
    assert!(e.to_string().contains("results.json"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_run_without_its_history_still_shows_the_verdict() {
    let dir = temp_dir("nohistory");
    run_result(&[], vec![Verdict::new("linearizable", Validity::Valid)])
        .write(&dir.join("results.json"))
        .unwrap();
    let html = render_run(&dir).unwrap();
    assert!(html.contains("No charts:"));
    assert!(html.contains("badge valid"));
    let _ = std::fs::remove_dir_all(&dir);
}
