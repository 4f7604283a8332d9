//! A small line chart as inline SVG: axes (linear or logarithmic) with ticks, one polyline
//! with dots per series, optional min/max whiskers, a legend, and a tooltip (`<title>`) on
//! every dot. No script, no external assets; every text is escaped.

use super::html::escape;
use std::fmt::Write;

const WIDTH: f64 = 680.0;
const HEIGHT: f64 = 380.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 130.0;
const TOP: f64 = 34.0;
const BOTTOM: f64 = 50.0;
const COLORS: [&str; 6] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
];
/// Dashes by series, so lines that coincide (p999 and max of few ops) stay apart.
const DASHES: [&str; 6] = ["", "", "", "7 3", "2 3", "4 2"];

/// An axis: its label and whether it is logarithmic (base 2 for `Log2`, where ticks fall
/// on the values themselves; base 10 for `Log10`, ticks at the decades).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scale {
    Linear,
    Log2,
    Log10,
}

pub struct Axis {
    pub label: String,
    pub scale: Scale,
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

/// Logarithmic axes show values down to this.
const LOG_FLOOR: f64 = 1e-4;

/// The range an axis shows for these values, and its ticks.
fn range(values: &[f64], scale: Scale) -> (f64, f64, Vec<f64>) {
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    match scale {
        Scale::Linear => {
            let hi = if hi.is_finite() && hi > 0.0 { hi } else { 1.0 };
            let step = crate::html::svg::nice_step(hi / 5.0);
            let top = (hi / step).ceil() * step;
            let ticks = (0..=((top / step).round() as usize))
                .map(|i| i as f64 * step)
                .collect();
            (0.0, top, ticks)
        }
        Scale::Log2 => {
            let mut ticks: Vec<f64> = values.iter().copied().filter(|v| *v > 0.0).collect();
            ticks.sort_by(f64::total_cmp);
            ticks.dedup();
            let (lo, hi) = match (ticks.first(), ticks.last()) {
                (Some(a), Some(b)) if a < b => (*a, *b),
                (Some(a), _) => (a / 2.0, a * 2.0),
                _ => (1.0, 2.0),
            };
            // A margin of a quarter octave either side.
            (lo / 2f64.powf(0.25), hi * 2f64.powf(0.25), ticks)
        }
        Scale::Log10 => {
            let lo = if lo.is_finite() {
                lo.max(LOG_FLOOR)
            } else {
                1.0
            };
            let hi = if hi.is_finite() { hi.max(lo) } else { 10.0 };
            let (a, mut b) = (lo.log10().floor(), hi.log10().ceil());
            if b <= a {
                b = a + 1.0;
            }
            let ticks = (a as i32..=b as i32).map(|e| 10f64.powi(e)).collect();
            (10f64.powi(a as i32), 10f64.powi(b as i32), ticks)
        }
    }
}

/// Where a value falls between `lo` and `hi`, as a fraction.
fn fraction(v: f64, lo: f64, hi: f64, scale: Scale) -> f64 {
    match scale {
        Scale::Linear => (v - lo) / (hi - lo),
        Scale::Log2 | Scale::Log10 => {
            let v = v.max(LOG_FLOOR);
            (v.ln() - lo.ln()) / (hi.ln() - lo.ln())
        }
    }
}

/// A tick's label: short, without trailing zeros.
pub fn number(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let digits = if v.abs() >= 100.0 {
        0
    } else {
        (2 - v.abs().log10().floor() as i32).clamp(0, 6) as usize
    };
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The whole chart.
pub fn chart(title: &str, x: &Axis, y: &Axis, series: &[Series]) -> String {
    let xs: Vec<f64> = series
        .iter()
        .flat_map(|s| {
            s.dots
                .iter()
                .map(|d| d.x)
                .chain(s.whiskers.iter().map(|w| w.0))
        })
        .collect();
    let ys: Vec<f64> = series
        .iter()
        .flat_map(|s| {
            let w = s.whiskers.iter().flat_map(|w| [w.1, w.2]);
            s.dots.iter().map(|d| d.y).chain(w)
        })
        .collect();
    let (x0, x1, xticks) = range(&xs, x.scale);
    let (y0, y1, yticks) = range(&ys, y.scale);
    let (pw, ph) = (WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
    let px = |v: f64| LEFT + fraction(v, x0, x1, x.scale) * pw;
    let py = |v: f64| TOP + ph - fraction(v, y0, y1, y.scale) * ph;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" \
         viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{t}\">\
         <text x=\"{cx}\" y=\"20\" text-anchor=\"middle\" class=\"title\">{t}</text>\
         <rect x=\"{LEFT}\" y=\"{TOP}\" width=\"{pw}\" height=\"{ph}\" fill=\"none\" stroke=\"#999\"/>",
        t = escape(title),
        cx = LEFT + pw / 2.0,
    );
    for t in &xticks {
        let p = px(*t);
        let _ = write!(
            s,
            "<line x1=\"{p:.1}\" y1=\"{TOP}\" x2=\"{p:.1}\" y2=\"{b}\" stroke=\"#eee\"/>\
             <text x=\"{p:.1}\" y=\"{ty}\" text-anchor=\"middle\">{}</text>",
            escape(&number(*t)),
            b = TOP + ph,
            ty = TOP + ph + 16.0,
        );
    }
    for t in &yticks {
        let p = py(*t);
        let _ = write!(
            s,
            "<line x1=\"{LEFT}\" y1=\"{p:.1}\" x2=\"{r}\" y2=\"{p:.1}\" stroke=\"#eee\"/>\
             <text x=\"{tx}\" y=\"{ty:.1}\" text-anchor=\"end\">{}</text>",
            escape(&number(*t)),
            r = LEFT + pw,
            tx = LEFT - 6.0,
            ty = p + 4.0,
        );
    }
    let _ = write!(
        s,
        "<text x=\"{cx}\" y=\"{by}\" text-anchor=\"middle\">{}</text>\
         <text transform=\"translate(16 {cy}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
        escape(&x.label),
        escape(&y.label),
        cx = LEFT + pw / 2.0,
        by = HEIGHT - 10.0,
        cy = TOP + ph / 2.0,
    );
    for (i, series) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        for (wx, lo, hi) in &series.whiskers {
            let (p, a, b) = (px(*wx), py(*lo), py(*hi));
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
            .map(|d| format!("{:.1},{:.1}", px(d.x), py(d.y)))
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
                px(d.x),
                py(d.y),
                escape(&d.title)
            );
        }
        let ly = TOP + 10.0 + i as f64 * 18.0;
        let lx = LEFT + pw + 12.0;
        let _ = write!(
            s,
            "<line x1=\"{lx}\" y1=\"{ly}\" x2=\"{l2}\" y2=\"{ly}\" stroke=\"{color}\" stroke-width=\"2\"{dash}/>\
             <text x=\"{tx}\" y=\"{ty}\">{}</text>",
            escape(&series.name),
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
    fn ranges_and_ticks() {
        let (lo, hi, t) = range(&[0.0, 730.0], Scale::Linear);
        assert_eq!((lo, hi), (0.0, 800.0));
        assert_eq!(t, vec![0.0, 200.0, 400.0, 600.0, 800.0]);
        let (_, _, t) = range(&[1.0, 2.0, 8.0, 4.0, 2.0], Scale::Log2);
        assert_eq!(t, vec![1.0, 2.0, 4.0, 8.0]);
        let (lo, hi, t) = range(&[0.004, 0.3], Scale::Log10);
        assert!((lo - 0.001).abs() < 1e-12 && hi == 1.0, "{lo} {hi}");
        assert_eq!(t.len(), 4);
        let (lo, hi, _) = range(&[5.0, 5.0], Scale::Log10);
        assert_eq!((lo, hi), (1.0, 10.0));
        assert_eq!(range(&[], Scale::Linear).1, 1.0);
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(number(800.0), "800");
        assert_eq!(number(0.001), "0.001");
        assert_eq!(number(2.5), "2.5");
        assert_eq!(number(12.0), "12");
        assert_eq!(number(0.0), "0");
    }

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
        let axis = |l: &str, scale| Axis {
            label: l.into(),
            scale,
        };
        let svg = chart(
            "t\"<script>",
            &axis("x", Scale::Log2),
            &axis("y", Scale::Linear),
            &[s],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("t&quot;&lt;script&gt;"));
        assert!(svg.contains("p&lt;99&gt;"));
        assert!(svg.contains("<title>a &amp; b</title>"));
        assert_eq!(svg.matches("<circle").count(), 2);
        assert_eq!(svg.matches("<polyline").count(), 1);
    }
}
