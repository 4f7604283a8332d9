//! detection.svg: one horizontal bar per cell of the matrix, its length the share of runs
//! that ended invalid, grouped by bug (the systems without a bug last), coloured by fault
//! setting, with the goal drawn as a dashed line. Self-contained SVG, every text escaped.

use super::matrix::{Matrix, GOAL};
use reports::escape::{xml_attr, xml_text};
use std::fmt::Write;

const WIDTH: f64 = 760.0;
const LABEL_W: f64 = 330.0;
const BAR_W: f64 = 330.0;
const ROW_H: f64 = 16.0;
const GROUP_GAP: f64 = 8.0;
const TOP: f64 = 30.0;
/// Colours of the fault settings, in the order they first appear.
const COLOURS: [&str; 6] = [
    "#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860",
];

/// The chart of `m`.
pub fn svg(m: &Matrix) -> String {
    let mut settings: Vec<&str> = Vec::new();
    for l in &m.lines {
        if !settings.contains(&l.faults.as_str()) {
            settings.push(&l.faults);
        }
    }
    let colour = |f: &str| {
        let i = settings.iter().position(|s| *s == f).unwrap_or(0);
        COLOURS[i % COLOURS.len()]
    };
    let mut body = String::new();
    let mut y = TOP;
    let mut group = String::new();
    for l in &m.lines {
        let label = l.label();
        if label != group {
            if !group.is_empty() {
                y += GROUP_GAP;
            }
            group = label.clone();
            let _ = write!(
                body,
                r#"<text x="4" y="{:.1}" font-size="11" font-weight="bold">{}</text>"#,
                y + 11.0,
                xml_text(&label)
            );
            y += ROW_H;
        }
        let w = l.share() * BAR_W;
        let _ = write!(
            body,
            concat!(
                r#"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end">{}</text>"#,
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}">"#,
                r#"<title>{}: {}/{} invalid</title></rect>"#,
                r#"<text x="{:.1}" y="{:.1}" font-size="10">{}/{}</text>"#
            ),
            LABEL_W - 6.0,
            y + 11.0,
            xml_text(&l.faults),
            LABEL_W,
            y + 2.0,
            w,
            ROW_H - 4.0,
            colour(&l.faults),
            xml_text(&format!("{} with {}", label, l.faults)),
            l.invalid,
            l.runs,
            LABEL_W + w + 4.0,
            y + 11.0,
            l.invalid,
            l.runs
        );
        y += ROW_H;
    }
    let height = y + 24.0;
    let goal_x = LABEL_W + GOAL * BAR_W;
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0}" viewBox="0 0 {WIDTH} {height:.0}" font-family="sans-serif" role="img" aria-label="{}">"#,
        xml_attr("share of runs that ended invalid, per bug and fault setting")
    );
    let _ = write!(
        s,
        r#"<rect width="100%" height="100%" fill="white"/><text x="{LABEL_W}" y="16" font-size="12">share of runs invalid ({} per cell)</text>"#,
        m.runs_per_cell
    );
    for (v, label) in [(0.0, "0"), (0.5, "50 %"), (1.0, "100 %")] {
        let x = LABEL_W + v * BAR_W;
        let _ = write!(
            s,
            r##"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{:.1}" stroke="#ccc"/><text x="{x:.1}" y="{:.1}" font-size="10" text-anchor="middle">{label}</text>"##,
            y,
            y + 14.0
        );
    }
    s.push_str(&body);
    let _ = write!(
        s,
        r##"<line x1="{goal_x:.1}" y1="{TOP}" x2="{goal_x:.1}" y2="{y:.1}" stroke="#333" stroke-dasharray="4 3"><title>goal: {:.0} %</title></line></svg>"##,
        GOAL * 100.0
    );
    s.push('\n');
    s
}
