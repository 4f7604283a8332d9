//! `junit.xml` of a run, for CI systems that show test results: one `<testsuite>` named
//! `schism: <test>`, one `<testcase>` per checker (`classname` `<system>.<workload>`).
//!
//! - a valid checker passes;
//! - an invalid safety checker is a `<failure type="safety">` whose message counts the
//!   anomalies and quotes the first one's first line, and whose text holds every anomaly's
//!   explanation (the first 20);
//! - an invalid liveness checker (such as termination) is a `<failure type="liveness">`,
//!   and its test case is named `<checker> [liveness]`, so the two are told apart even
//!   where a CI system shows names only;
//! - an unknown verdict (the checker ran out of time or memory, or the history could not be
//!   read) is an `<error type="unknown" message="unknown: <reason>">`, not `<skipped>`:
//!   CI systems count skipped tests as neutral (GitHub test reporters, Jenkins and GitLab
//!   show them grey or yellow and pass the check), which would hide that nothing was
//!   proved, and `schism run` exits 2 on it; in JUnit's terms a test that could not reach
//!   a result is an error, not a failure;
//! - a run that stopped early adds a `run` test case with an `<error type="harness">`.
//!
//! The seed, the verdicts and the replay command are `<properties>` and `<system-out>`.
//! Every value is escaped: they may come from the system under test.

use crate::escape::{xml_attr, xml_text};
use crate::run::RunResult;
use crate::summary::replay_command;
use history::{Anomaly, Validity, Verdict};
use std::fmt::Write;
use std::path::Path;

/// At most this many anomalies are written out per checker.
const MAX_ANOMALIES: usize = 20;
/// A failure message is cut to this many characters.
const MAX_MESSAGE: usize = 300;

/// Write `junit.xml` into the run directory `dir`.
pub fn write(r: &RunResult, dir: &Path) -> std::io::Result<()> {
    std::fs::write(dir.join("junit.xml"), render(r, dir))
}

/// The JUnit XML of a run stored in `dir`.
pub fn render(r: &RunResult, dir: &Path) -> String {
    let cases: Vec<String> = r.checkers.iter().map(|v| testcase(r, v)).collect();
    let count = |f: fn(&Verdict) -> bool| r.checkers.iter().filter(|v| f(v)).count();
    let failures = count(|v| v.validity == Validity::Invalid);
    let mut errors = count(|v| v.validity == Validity::Unknown);
    let mut tests = cases.len();
    let mut body = cases.concat();
    if let Some(e) = &r.error {
        tests += 1;
        errors += 1;
        let _ = write!(
            body,
            "    <testcase classname=\"{}\" name=\"run\" time=\"{:.3}\">\n      <error type=\"harness\" message=\"{}\">{}</error>\n    </testcase>\n",
            xml_attr(&classname(r)),
            r.duration_s,
            xml_attr(&cut(&format!("stopped early: {e}"), MAX_MESSAGE)),
            xml_text(e)
        );
    }
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"schism\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"0\" time=\"{:.3}\">",
        r.duration_s
    );
    let _ = write!(
        x,
        "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"0\" time=\"{:.3}\"",
        xml_attr(&format!("schism: {}", r.test)),
        r.duration_s
    );
    if let Some(t) = iso_time(&r.started) {
        let _ = write!(x, " timestamp=\"{t}\"");
    }
    x.push_str(">\n");
    x.push_str(&properties(r, dir));
    x.push_str(&body);
    let _ = writeln!(
        x,
        "    <system-out>{}</system-out>",
        xml_text(&system_out(r, dir))
    );
    x.push_str("  </testsuite>\n</testsuites>\n");
    x
}

/// The run in a few lines: verdicts, ops, faults, and how to replay it.
fn system_out(r: &RunResult, dir: &Path) -> String {
    let liveness = r.liveness.map(|l| format!(", liveness {}", l.as_str()));
    let mut out = format!(
        "{} on {} ({} nodes, seed {}): {}{}\n",
        r.workload,
        r.system,
        r.nodes,
        r.seed,
        r.valid.as_str(),
        liveness.unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "{} ok, {} fail, {} info in {:.1} s ({:.0} ops/s)",
        r.ops.ok, r.ops.fail, r.ops.info, r.duration_s, r.ops_per_s
    );
    let faults = crate::faults::FaultCounts::of(&r.faults).text();
    let _ = writeln!(
        out,
        "faults applied: {faults}\nreplay: {}",
        replay_command(dir)
    );
    if r.interrupted {
        out.push_str("interrupted (Ctrl-C): the verdicts are of what was recorded\n");
    }
    out
}

fn classname(r: &RunResult) -> String {
    format!("{}.{}", r.system, r.workload)
}

fn properties(r: &RunResult, dir: &Path) -> String {
    let mut props = vec![
        ("seed", r.seed.to_string()),
        ("run_id", r.run_id.clone()),
        ("system", r.system.clone()),
        ("workload", r.workload.clone()),
        ("nodes", r.nodes.to_string()),
        ("concurrency", r.concurrency.to_string()),
        ("valid", r.valid.as_str().to_string()),
    ];
    if let Some(l) = r.liveness {
        props.push(("liveness", l.as_str().to_string()));
    }
    props.extend([
        ("ops_ok", r.ops.ok.to_string()),
        ("ops_fail", r.ops.fail.to_string()),
        ("ops_info", r.ops.info.to_string()),
        ("ops_per_s", format!("{:.1}", r.ops_per_s)),
        ("faults", crate::faults::FaultCounts::of(&r.faults).text()),
        ("interrupted", r.interrupted.to_string()),
        ("replay", replay_command(dir)),
    ]);
    let mut x = String::from("    <properties>\n");
    for (k, v) in props {
        let _ = writeln!(
            x,
            "      <property name=\"{k}\" value=\"{}\"/>",
            xml_attr(&v)
        );
    }
    x.push_str("    </properties>\n");
    x
}

fn testcase(r: &RunResult, v: &Verdict) -> String {
    let name = if v.liveness {
        format!("{} [liveness]", v.checker)
    } else {
        v.checker.to_string()
    };
    let time = v
        .stats
        .get("elapsed_ms")
        .and_then(|t| t.as_f64())
        .map_or(0.0, |ms| ms / 1e3);
    let mut x = format!(
        "    <testcase classname=\"{}\" name=\"{}\" time=\"{time:.3}\"",
        xml_attr(&classname(r)),
        xml_attr(&name)
    );
    match v.validity {
        Validity::Valid => x.push_str("/>\n"),
        Validity::Invalid => {
            let kind = if v.liveness { "liveness" } else { "safety" };
            let _ = write!(
                x,
                ">\n      <failure type=\"{kind}\" message=\"{}\">{}</failure>\n    </testcase>\n",
                xml_attr(&failure_message(v)),
                xml_text(&anomaly_text(&v.anomalies))
            );
        }
        Validity::Unknown => {
            let reason = v
                .reason
                .as_deref()
                .unwrap_or("the checker could not decide");
            let _ = write!(
                x,
                ">\n      <error type=\"unknown\" message=\"{}\">{}</error>\n    </testcase>\n",
                xml_attr(&cut(&format!("unknown: {reason}"), MAX_MESSAGE)),
                xml_text(reason)
            );
        }
    }
    x
}

/// `3 anomalies: first: <its first line>`, or the reason when there are none.
fn failure_message(v: &Verdict) -> String {
    let n = crate::anomalies::count(v);
    let m = match v.anomalies.first() {
        Some(a) => format!(
            "{n} {}: first: {}",
            if n == 1 { "anomaly" } else { "anomalies" },
            anomaly_headline(a)
        ),
        None => format!(
            "invalid: {}",
            v.reason.as_deref().unwrap_or("no anomaly recorded")
        ),
    };
    cut(&m, MAX_MESSAGE)
}

/// `kind (key K): the explanation's first line` (and the next, when the first ends with a
/// colon: it introduces the op to blame).
fn anomaly_headline(a: &Anomaly) -> String {
    let mut lines = a.explanation.lines().map(str::trim);
    let mut first = lines.next().unwrap_or("").to_string();
    if first.ends_with(':') {
        if let Some(next) = lines.next() {
            first = format!("{first} {next}");
        }
    }
    match &a.key {
        Some(k) => format!("{} (key {k}): {first}", a.kind),
        None => format!("{}: {first}", a.kind),
    }
}

fn anomaly_text(anomalies: &[Anomaly]) -> String {
    let mut s = String::new();
    for (i, a) in anomalies.iter().take(MAX_ANOMALIES).enumerate() {
        let key = a
            .key
            .as_ref()
            .map(|k| format!(" (key {k})"))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "#{} {}{key}\n{}\n",
            i + 1,
            a.kind,
            a.explanation.trim_end()
        );
    }
    if anomalies.len() > MAX_ANOMALIES {
        let _ = writeln!(
            s,
            "... and {} more listed in results.json",
            anomalies.len() - MAX_ANOMALIES
        );
    }
    s
}

/// At most `max` characters, with `...` when cut.
fn cut(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

/// `20261125T202244Z` as `2026-11-25T20:22:44` (JUnit's timestamp, UTC).
fn iso_time(t: &str) -> Option<String> {
    let b = t.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b.get(r.clone())
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    if b.len() < 16 || !digits(0..8) || b[8] != b'T' || !digits(9..15) {
        return None;
    }
    Some(format!(
        "{}-{}-{}T{}:{}:{}",
        &t[0..4],
        &t[4..6],
        &t[6..8],
        &t[9..11],
        &t[11..13],
        &t[13..15]
    ))
}

#[cfg(test)]
mod tests;
