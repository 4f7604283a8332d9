//! Inline SVG chart helpers: a plot frame over time with a linear or logarithmic y axis,
//! its axes and ticks, and the fault windows shaded and labelled behind the data.

use super::escape::{esc, shorten};
use super::faults::Window;
use super::units;
use std::fmt::Write;

/// The y axis of a frame.
#[derive(Debug, Clone, Copy)]
pub enum Scale {
    /// From 0 to the maximum.
    Linear(f64),
    /// From 10^lo to 10^hi (whole decades).
    Log(i32, i32),
}

/// A chart over the run's time: x in seconds from `0` to `t1`.
pub struct Frame {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    pub t1: f64,
    pub scale: Scale,
}

impl Frame {
    pub fn new(width: f64, height: f64, t1: f64, scale: Scale) -> Frame {
        Frame {
            width,
            height,
            left: 64.0,
            right: 16.0,
            top: 34.0,
            bottom: 34.0,
            t1: if t1 > 0.0 { t1 } else { 1.0 },
            scale,
        }
    }

    pub fn x(&self, t_s: f64) -> f64 {
        self.left + (t_s / self.t1).clamp(0.0, 1.0) * (self.width - self.left - self.right)
    }

    pub fn y(&self, v: f64) -> f64 {
        let f = match self.scale {
            Scale::Linear(max) => {
                if max > 0.0 {
                    v / max
                } else {
                    0.0
                }
            }
            Scale::Log(lo, hi) => (v.max(1e-9).log10() - lo as f64) / (hi - lo).max(1) as f64,
        };
        let plot = self.height - self.top - self.bottom;
        self.height - self.bottom - f.clamp(0.0, 1.0) * plot
    }

    /// The opening tag, with explicit width and height, a title for screen readers.
    pub fn open(&self, class: &str, title: &str) -> String {
        format!(
            "<svg class=\"chart {class}\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
             role=\"img\" aria-label=\"{t}\" xmlns=\"http://www.w3.org/2000/svg\">",
            w = self.width,
            h = self.height,
            t = esc(title)
        )
    }

    /// Axes, ticks, grid lines and labels. `y_label` formats a y tick's value.
    pub fn axes(&self, x_title: &str, y_title: &str, y_label: impl Fn(f64) -> String) -> String {
        let mut s = String::new();
        let (x0, x1) = (self.left, self.width - self.right);
        let (y0, y1) = (self.height - self.bottom, self.top);
        for t in nice_ticks(self.t1) {
            let x = self.x(t);
            let _ = write!(
                s,
                "<line class=\"grid\" x1=\"{x:.1}\" y1=\"{y1}\" x2=\"{x:.1}\" y2=\"{y0}\"/>\
                 <text class=\"tick\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                y0 + 14.0,
                trim(t)
            );
        }
        for v in self.y_ticks() {
            let y = self.y(v);
            let _ = write!(
                s,
                "<line class=\"grid\" x1=\"{x0}\" y1=\"{y:.1}\" x2=\"{x1}\" y2=\"{y:.1}\"/>\
                 <text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                x0 - 4.0,
                y + 4.0,
                esc(&y_label(v))
            );
        }
        let _ = write!(
            s,
            "<line class=\"axis\" x1=\"{x0}\" y1=\"{y0}\" x2=\"{x1}\" y2=\"{y0}\"/>\
             <line class=\"axis\" x1=\"{x0}\" y1=\"{y0}\" x2=\"{x0}\" y2=\"{y1}\"/>\
             <text class=\"title\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\
             <text class=\"title\" x=\"12\" y=\"{:.1}\" text-anchor=\"middle\" \
             transform=\"rotate(-90 12 {:.1})\">{}</text>",
            (x0 + x1) / 2.0,
            self.height - 4.0,
            esc(x_title),
            (y0 + y1) / 2.0,
            (y0 + y1) / 2.0,
            esc(y_title)
        );
        s
    }

    fn y_ticks(&self) -> Vec<f64> {
        match self.scale {
            Scale::Linear(max) => nice_ticks(max),
            Scale::Log(lo, hi) => (lo..=hi).map(|d| 10f64.powi(d)).collect(),
        }
    }

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
                    "{label}, {} to {}{}",
                    units::at(w.start_ns),
                    units::at(w.end_ns),
                    w.error
                        .as_deref()
                        .map(|e| format!(" ({e})"))
                        .unwrap_or_default()
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

/// The smallest step of 1, 2 or 5 times a power of ten that is at least `raw` (positive).
pub(crate) fn nice_step(raw: f64) -> f64 {
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag)
}

/// Round ticks from 0 to `max` (about six).
pub fn nice_ticks(max: f64) -> Vec<f64> {
    if max <= 0.0 || !max.is_finite() {
        return vec![0.0];
    }
    let step = nice_step(max / 6.0);
    (0..)
        .map(|i| i as f64 * step)
        .take_while(|v| *v <= max * (1.0 + 1e-9))
        .collect()
}

/// A tick value without needless decimals.
pub fn trim(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round() {
        assert_eq!(nice_ticks(10.0), [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(nice_ticks(0.7).len(), 4);
        assert_eq!(trim(0.5), "0.5");
        assert_eq!(trim(2.0), "2");
    }

    #[test]
    fn scales_map_into_the_plot() {
        let f = Frame::new(200.0, 100.0, 10.0, Scale::Log(3, 6));
        assert_eq!(f.x(0.0), f.left);
        assert_eq!(f.x(10.0), 200.0 - f.right);
        assert_eq!(f.y(1e3), 100.0 - f.bottom);
        assert_eq!(f.y(1e6), f.top);
    }
}
