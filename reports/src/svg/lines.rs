//! A line chart on a [`Frame`]: a heading, one polyline with dots per series, optional
//! min/max whiskers, a legend at the right, and a tooltip (`<title>`) on every dot. The
//! axes fit the values drawn ([`Fit`]); every text is escaped.

use super::{Fit, Frame, Scale};
use crate::escape::html as esc;
use std::fmt::Write;

const COLORS: [&str; 6] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
];
/// Dashes by series, so lines that coincide (p999 and max of few ops) stay apart.
const DASHES: [&str; 6] = ["", "", "", "7 3", "2 3", "4 2"];

/// An axis: its title and how it fits the values.
pub struct Axis {
    pub label: String,
    pub fit: Fit,
}

/// A dot: where, and what its tooltip says.
pub struct Dot {
    pub x: f64,
    pub y: f64,
    pub title: String,
}

pub struct Series {
    pub name: String,
    pub dots: Vec<Dot>,
    /// (x, min, max) bars.
    pub whiskers: Vec<(f64, f64, f64)>,
}

/// The whole chart.
pub fn chart(title: &str, x: &Axis, y: &Axis, series: &[Series]) -> String {
    let xs: Vec<f64> = series
        .iter()
        .flat_map(|s| {
            let w = s.whiskers.iter().map(|w| w.0);
            s.dots.iter().map(|d| d.x).chain(w)
        })
        .collect();
    let ys: Vec<f64> = series
        .iter()
        .flat_map(|s| {
            let w = s.whiskers.iter().flat_map(|w| [w.1, w.2]);
            s.dots.iter().map(|d| d.y).chain(w)
        })
        .collect();
    let frame = Frame {
        width: 680.0,
        height: 380.0,
        left: 70.0,
        right: 130.0,
        top: 34.0,
        bottom: 50.0,
        x_axis: Scale::fit(&xs, x.fit),
        y_axis: Scale::fit(&ys, y.fit),
    };
    let plot_right = frame.width - frame.right;
    let mut s = frame.open("lines", title);
    let _ = write!(
        s,
        "<text class=\"heading\" x=\"{:.1}\" y=\"20\" text-anchor=\"middle\">{}</text>",
        (frame.left + plot_right) / 2.0,
        esc(title)
    );
    s.push_str(&frame.axes(&x.label, &y.label, super::number));
    for (i, series) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        for &(wx, lo, hi) in &series.whiskers {
            let (p, a, b) = (frame.x(wx), frame.y(lo), frame.y(hi));
            let _ = write!(
                s,
                "<path d=\"M{p:.1} {a:.1}V{b:.1}M{l:.1} {a:.1}H{r:.1}M{l:.1} {b:.1}H{r:.1}\" \
                 stroke=\"{color}\" fill=\"none\"/>",
                l = p - 5.0,
                r = p + 5.0,
            );
        }
        let mut dots: Vec<&Dot> = series.dots.iter().collect();
        dots.sort_by(|a, b| a.x.total_cmp(&b.x));
        let line: Vec<String> = dots
            .iter()
            .map(|d| format!("{:.1},{:.1}", frame.x(d.x), frame.y(d.y)))
            .collect();
        let dash = match DASHES[i % DASHES.len()] {
            "" => String::new(),
            d => format!(" stroke-dasharray=\"{d}\""),
        };
        let _ = write!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{dash}/>",
            line.join(" ")
        );
        for d in dots {
            let _ = write!(
                s,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"{color}\"><title>{}</title></circle>",
                frame.x(d.x),
                frame.y(d.y),
                esc(&d.title)
            );
        }
        let (lx, ly) = (plot_right + 12.0, frame.top + 10.0 + i as f64 * 18.0);
        let _ = write!(
            s,
            "<line x1=\"{lx}\" y1=\"{ly}\" x2=\"{l2}\" y2=\"{ly}\" stroke=\"{color}\" stroke-width=\"2\"{dash}/>\
             <text x=\"{tx}\" y=\"{ty}\">{}</text>",
            esc(&series.name),
            l2 = lx + 18.0,
            tx = lx + 24.0,
            ty = ly + 4.0,
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_draws_every_series_and_escapes_text() {
        let s = Series {
            name: "p<99>".into(),
            dots: vec![
                Dot {
                    x: 2.0,
                    y: 3.0,
                    title: "a & b".into(),
                },
                Dot {
                    x: 1.0,
                    y: 1.0,
                    title: "c".into(),
                },
            ],
            whiskers: vec![(1.0, 0.5, 1.5)],
        };
        let axis = |l: &str, fit| Axis {
            label: l.into(),
            fit,
        };
        let svg = chart(
            "t\"<script>",
            &axis("x", Fit::Log2),
            &axis("y", Fit::Linear),
            &[s],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("t&quot;&lt;script&gt;"));
        assert!(svg.contains("p&lt;99&gt;"));
        assert!(svg.contains("<title>a &amp; b</title>"));
        assert_eq!(svg.matches("<circle").count(), 2);
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }
}
