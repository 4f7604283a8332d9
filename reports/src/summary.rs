//! `summary.md` of a run: a short Markdown page for a CI step summary (GitHub's
//! `$GITHUB_STEP_SUMMARY`): the verdict in the headline, a table of the checkers, ops and
//! ops/s, the faults applied per kind, the first anomaly's explanation (cut to 40 lines),
//! and the seed with the command that replays the run.
//!
//! Every value that may come from the system under test is escaped for Markdown (table
//! cells cannot be broken, no HTML gets through), and the explanation sits in a fence
//! longer than any run of backticks inside it.

use crate::escape::{md_code, md_fenced, md_text};
use crate::faults::FaultCounts;
use crate::run::RunResult;
use history::{Validity, Verdict};
use std::fmt::Write;
use std::path::Path;

/// The first anomaly's explanation is cut to this many lines.
const MAX_LINES: usize = 40;
/// ... and each of its lines to this many characters.
const MAX_LINE: usize = 400;

/// Write `summary.md` into the run directory `dir`.
pub fn write(r: &RunResult, dir: &Path) -> std::io::Result<()> {
    std::fs::write(dir.join("summary.md"), render(r, dir))
}

/// The command that replays the run stored in `dir`, quoted for a POSIX shell.
pub fn replay_command(dir: &Path) -> String {
    format!(
        "schism run {}",
        shell_word(&dir.join("spec.yaml").to_string_lossy())
    )
}

fn shell_word(s: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-:=+,@%".contains(c);
    if !s.is_empty() && s.chars().all(plain) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn icon(v: Validity) -> &'static str {
    match v {
        Validity::Valid => "✅",
        Validity::Invalid => "❌",
        Validity::Unknown => "❔",
    }
}

/// The Markdown summary of a run stored in `dir`.
pub fn render(r: &RunResult, dir: &Path) -> String {
    let mut s = format!(
        "### {} schism {}: {}",
        icon(r.valid),
        md_text(&r.test),
        r.valid.as_str()
    );
    if let Some(l) = r.liveness {
        let _ = write!(s, ", liveness {} {}", icon(l), l.as_str());
    }
    let _ = write!(
        s,
        "\n\n{} on {}, {} nodes, concurrency {}, seed {}, started {}, {:.1} s\n\n",
        md_code(&r.workload),
        md_code(&r.system),
        r.nodes,
        r.concurrency,
        r.seed,
        md_text(&r.started),
        r.duration_s
    );
    if let Some(t) = r.first_anomaly_s {
        let _ = writeln!(
            s,
            "**Time to first anomaly:** {t:.3} s from the start of the run.\n"
        );
    }
    if let Some(e) = &r.error {
        let _ = writeln!(s, "**Stopped early:** {}\n", md_text(e));
    }
    if r.interrupted {
        s.push_str("**Interrupted** (Ctrl-C): the verdicts are of what was recorded.\n\n");
    }
    s.push_str(&checker_table(&r.checkers));
    let _ = write!(
        s,
        "\n**Ops:** {} ok, {} fail, {} info; {:.0} ops/s  \n**Faults applied:** {}\n",
        r.ops.ok,
        r.ops.fail,
        r.ops.info,
        r.ops_per_s,
        md_text(&FaultCounts::of(&r.faults).text())
    );
    if let Some((v, a)) = r
        .checkers
        .iter()
        .find_map(|v| v.anomalies.first().map(|a| (v, a)))
    {
        let key = a
            .key
            .as_ref()
            .map(|k| format!(", key {}", md_text(&k.to_string())))
            .unwrap_or_default();
        let _ = write!(
            s,
            "\n**First anomaly** ({}: {}{key}):\n\n{}",
            md_text(&v.checker),
            md_text(&a.kind),
            md_fenced(&first_lines(&a.explanation), "text")
        );
    }
    let _ = writeln!(
        s,
        "\n**Replay** (seed {}): {}",
        r.seed,
        md_code(&replay_command(dir))
    );
    s
}

fn checker_table(checkers: &[Verdict]) -> String {
    if checkers.is_empty() {
        return "No checker ran.\n".into();
    }
    let mut s = String::from("| checker | verdict | anomalies | note |\n|---|---|---:|---|\n");
    for v in checkers {
        let name = if v.liveness {
            format!("{} (liveness)", md_text(&v.checker))
        } else {
            md_text(&v.checker)
        };
        let _ = writeln!(
            s,
            "| {name} | {} {} | {} | {} |",
            icon(v.validity),
            v.validity.as_str(),
            crate::anomalies::count(v),
            md_text(v.reason.as_deref().unwrap_or(""))
        );
    }
    s
}

/// The first [`MAX_LINES`] lines, each cut to [`MAX_LINE`] characters, and how many more.
fn first_lines(text: &str) -> String {
    let lines: Vec<&str> = text.trim_end().lines().collect();
    let mut out: Vec<String> = lines
        .iter()
        .take(MAX_LINES)
        .map(|l| match l.char_indices().nth(MAX_LINE) {
            Some((i, _)) => format!("{}...", &l[..i]),
            None => l.to_string(),
        })
        .collect();
    if lines.len() > MAX_LINES {
        out.push(format!(
            "... {} more lines in results.json",
            lines.len() - MAX_LINES
        ));
    }
    out.join("\n")
}

#[cfg(test)]
mod tests;
