//! `sweep.md`: one Markdown row per cell (its params, runs, valid / invalid / unknown by the
//! safety verdict, invalid/judged for each checker, liveness failures, mean ops/s and the
//! seeds of the invalid runs), under a line saying what ran.

use super::report::Report;
use super::tally::Row;
use std::collections::BTreeMap;

/// At most this many seeds in a row's cell (sweep.json has them all).
const SEEDS_SHOWN: usize = 8;

fn escape(s: &str) -> String {
    s.replace('|', "\\|")
}

fn seeds(seeds: &[u64]) -> String {
    let mut s = seeds
        .iter()
        .take(SEEDS_SHOWN)
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if seeds.len() > SEEDS_SHOWN {
        s.push_str(&format!(" (+{} more)", seeds.len() - SEEDS_SHOWN));
    }
    s
}

/// The table alone: a header row, the alignment row, one row per cell.
pub fn table(fields: &[String], rows: &[Row]) -> String {
    // Every checker seen, with whether it judges liveness.
    let mut checkers: BTreeMap<&str, bool> = BTreeMap::new();
    for r in rows {
        for (name, c) in &r.checkers {
            checkers.insert(name, c.liveness);
        }
    }
    let errors = rows.iter().any(|r| r.errors > 0);
    let mut header: Vec<String> = fields.iter().map(|f| escape(f)).collect();
    let mut align: Vec<&str> = fields.iter().map(|_| "---").collect();
    let counts = ["runs", "valid", "invalid", "unknown"];
    header.extend(counts.iter().map(|c| c.to_string()));
    header.extend(checkers.iter().map(|(name, live)| {
        let mark = if *live { " (liveness)" } else { "" };
        format!("{}{mark}", escape(name))
    }));
    header.push("liveness failed".into());
    if errors {
        header.push("errors".into());
    }
    header.push("ops/s".into());
    align.resize(header.len(), "---:");
    header.push("invalid seeds".into());
    align.push("---");
    let mut out = format!("| {} |\n|{}|\n", header.join(" | "), align.join("|"));
    for r in rows {
        let mut cells: Vec<String> = r
            .params
            .iter()
            .map(|(_, v)| match v.as_str() {
                "" => "(not given)".into(),
                v => escape(v),
            })
            .collect();
        cells.extend([r.runs, r.valid, r.invalid, r.unknown].map(|n| n.to_string()));
        cells.extend(checkers.keys().map(|name| match r.checkers.get(*name) {
            Some(c) => format!("{}/{}", c.invalid, c.runs),
            None => "–".into(),
        }));
        cells.push(r.liveness_failed.to_string());
        if errors {
            cells.push(r.errors.to_string());
        }
        cells.push(r.mean_ops_per_s.map_or("–".into(), |x| format!("{x:.0}")));
        cells.push(seeds(&r.invalid_seeds));
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

/// A word for the shell: quoted when it needs to be.
fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.,/=:+@%".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The whole of `sweep.md`.
pub fn document(report: &Report) -> String {
    let fields: Vec<String> = report.params.iter().map(|p| p.field.clone()).collect();
    let command: Vec<String> = report.command.iter().map(|a| shell_word(a)).collect();
    let last_seed = report
        .seed
        .wrapping_add(report.test_count.saturating_sub(1) as u64);
    format!(
        "# schism sweep {}\n\n```\n{}\n```\n\n{} cells × {} runs (seeds {} to {}): {}, {} of {} \
         runs done (updated {}).\n\n{}\n\
         valid / invalid / unknown: each run's safety verdict (the worst of its checkers that \
         are not liveness checkers); a checker's column: the runs it found invalid / the runs \
         it judged. Replay a run with `schism run <its dir>/spec.yaml` (each run's dir is in \
         sweep.json).\n",
        report.started,
        command.join(" "),
        report.cells.len(),
        report.test_count,
        report.seed,
        last_seed,
        report.status.as_str(),
        report.runs_done,
        report.runs_planned,
        report.updated,
        table(&fields, &report.cells),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::grid::Cell;
    use crate::sweep::tally::CheckerCount;

    #[test]
    fn a_row_per_cell_with_a_column_per_checker() {
        let mut a = Row::new(
            &Cell(vec![
                ("nodes".into(), "3".into()),
                ("bug".into(), "x|y".into()),
            ]),
            "a".into(),
        );
        a.runs = 20;
        a.invalid = 3;
        a.valid = 17;
        a.invalid_seeds = (1..=10).collect();
        a.mean_ops_per_s = Some(1234.4);
        a.checkers.insert(
            "ic1".into(),
            CheckerCount {
                liveness: false,
                invalid: 3,
                runs: 20,
            },
        );
        let mut b = a.clone();
        b.checkers.clear();
        b.checkers.insert(
            "termination".into(),
            CheckerCount {
                liveness: true,
                invalid: 1,
                runs: 20,
            },
        );
        b.errors = 1;
        let t = table(&["nodes".into(), "bug".into()], &[a, b]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 4, "{t}");
        assert_eq!(
            lines[0],
            "| nodes | bug | runs | valid | invalid | unknown | ic1 | termination (liveness) \
             | liveness failed | errors | ops/s | invalid seeds |"
        );
        assert_eq!(
            lines[1],
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
        );
        assert_eq!(
            lines[2],
            "| 3 | x\\|y | 20 | 17 | 3 | 0 | 3/20 | – | 0 | 0 | 1234 | 1, 2, 3, 4, 5, 6, 7, 8 \
             (+2 more) |"
        );
        assert!(lines[3].contains("| – | 1/20 |"), "{}", lines[3]);
    }

    #[test]
    fn commands_are_quoted_for_the_shell() {
        assert_eq!(shell_word("--nodes=3"), "--nodes=3");
        assert_eq!(
            shell_word("nemesis=partition;kill"),
            "'nemesis=partition;kill'"
        );
        assert_eq!(shell_word("it's"), r"'it'\''s'");
    }
}
