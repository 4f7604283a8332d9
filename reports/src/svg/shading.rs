//! Fault windows on a chart over time: each shaded across the plot, coloured by its kind
//! (a class per kind, the page's CSS colours it), labelled `#n kind: nodes` above the plot,
//! with its times and failure in a tooltip.

use super::Frame;
use crate::escape::{html as esc, shorten};
use crate::faults::Window;
use crate::html::units;
use std::fmt::Write;

impl Frame {
    /// The fault windows, shaded across the plot and labelled `#n kind: nodes` above it.
    pub fn faults(&self, windows: &[Window]) -> String {
        let mut s = String::new();
        let (y0, y1) = (self.height - self.bottom, self.top);
        for (i, w) in windows.iter().enumerate() {
            let xa = self.x(w.start_ns as f64 / 1e9);
            let xb = self.x(w.end_ns as f64 / 1e9).max(xa + 1.0);
            let label = shorten(&format!("#{} {}", i + 1, w.label()), 48);
            // Labels are 10px text, about 5.6px a character: keep them inside the chart.
            let right = self.width - self.right;
            let (lx, anchor) = if xa + 2.0 + label.chars().count() as f64 * 5.6 > right {
                (right - 2.0, "end")
            } else {
                (xa + 2.0, "start")
            };
            let failure = w
                .failure
                .as_ref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default();
            let _ = write!(
                s,
                "<g class=\"fault {kind}\"><rect x=\"{xa:.1}\" y=\"{y1}\" width=\"{:.1}\" \
                 height=\"{:.1}\"><title>{t}</title></rect>\
                 <text x=\"{lx:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{}</text></g>",
                xb - xa,
                y0 - y1,
                y1 - 4.0 - (i % 2) as f64 * 12.0,
                esc(&label),
                kind = fault_class(&w.kind),
                t = esc(&format!(
                    "{label}, {} to {}{failure}",
                    units::at(w.start_ns),
                    units::at(w.end_ns),
                )),
            );
        }
        s
    }
}

/// A CSS class for a fault kind (known kinds have their own colour).
pub fn fault_class(kind: &str) -> &'static str {
    match kind {
        "partition" => "f-partition",
        "kill" => "f-kill",
        "pause" => "f-pause",
        "loss" | "delay" | "duplicate" | "reorder" => "f-net",
        "byzantine" => "f-byzantine",
        "clock" => "f-clock",
        _ => "f-other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::Failure;
    use crate::svg::Scale;
    use serde_json::json;

    #[test]
    fn windows_are_shaded_labelled_and_escaped() {
        let f = Frame::over_time(400.0, 200.0, 10.0, Scale::linear(1.0));
        let w = Window {
            kind: "kill".into(),
            fault: json!({"nodes": ["<b>n1</b>"]}),
            start_ns: 2_000_000_000,
            heal_ns: Some(4_000_000_000),
            end_ns: 4_000_000_000,
            failure: Some(Failure::HealFailed("<oops>".into())),
        };
        let s = f.faults(&[w]);
        assert!(s.starts_with("<g class=\"fault f-kill\">"));
        assert!(s.contains(">#1 kill: &lt;b&gt;n1&lt;/b&gt;</text>"));
        assert!(s.contains("2.000 s to 4.000 s (heal failed: &lt;oops&gt;)</title>"));
        assert!(!s.contains("<b>") && !s.contains("<oops>"));
        assert_eq!(fault_class("reorder"), "f-net");
        assert_eq!(fault_class("<x>"), "f-other");
    }
}
