//! A chart's frame: the SVG element's size, the plot area inside its margins, the scales
//! of its two axes, and the axes drawn (grid lines, ticks, titles). Styling is by class
//! (`grid`, `axis`, `tick`, `title`), left to the page's CSS.

use super::scale::Scale;
use super::ticks::number;
use crate::escape::html as esc;
use std::fmt::Write;

pub struct Frame {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    pub x_axis: Scale,
    pub y_axis: Scale,
}

impl Frame {
    /// A chart over a run's time: x in seconds from 0 to `t1_s`, `y` up the side.
    pub fn over_time(width: f64, height: f64, t1_s: f64, y: Scale) -> Frame {
        Frame {
            width,
            height,
            left: 64.0,
            right: 16.0,
            top: 34.0,
            bottom: 34.0,
            x_axis: Scale::linear(if t1_s > 0.0 { t1_s } else { 1.0 }),
            y_axis: y,
        }
    }

    /// Where a value falls across the plot.
    pub fn x(&self, v: f64) -> f64 {
        self.left + self.x_axis.fraction(v) * (self.width - self.left - self.right)
    }

    /// Where a value falls up the plot.
    pub fn y(&self, v: f64) -> f64 {
        let plot = self.height - self.top - self.bottom;
        self.height - self.bottom - self.y_axis.fraction(v) * plot
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

    /// Axes, ticks, grid lines and titles. `y_label` labels a y tick's value (x ticks are
    /// labelled as [`number`]s).
    pub fn axes(&self, x_title: &str, y_title: &str, y_label: impl Fn(f64) -> String) -> String {
        let mut s = String::new();
        let (x0, x1) = (self.left, self.width - self.right);
        let (y0, y1) = (self.height - self.bottom, self.top);
        for &t in &self.x_axis.ticks {
            let x = self.x(t);
            let _ = write!(
                s,
                "<line class=\"grid\" x1=\"{x:.1}\" y1=\"{y1}\" x2=\"{x:.1}\" y2=\"{y0}\"/>\
                 <text class=\"tick\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                y0 + 14.0,
                esc(&number(t))
            );
        }
        for &v in &self.y_axis.ticks {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_map_into_the_plot() {
        let f = Frame::over_time(200.0, 100.0, 10.0, Scale::decades(3, 6));
        assert_eq!(f.x(0.0), f.left);
        assert_eq!(f.x(10.0), 200.0 - f.right);
        assert_eq!(f.x(20.0), 200.0 - f.right);
        assert_eq!(f.y(1e3), 100.0 - f.bottom);
        assert_eq!(f.y(1e6), f.top);
        assert_eq!(
            Frame::over_time(200.0, 100.0, 0.0, Scale::linear(1.0))
                .x_axis
                .hi,
            1.0
        );
    }

    #[test]
    fn axes_escape_their_titles_and_labels() {
        let f = Frame::over_time(200.0, 100.0, 10.0, Scale::linear(4.0));
        let s = f.axes("<t>", "y", |v| format!("<{v}>"));
        assert!(s.contains(">&lt;t&gt;</text>") && s.contains(">&lt;4&gt;</text>"));
        assert!(!s.contains("<t>") && !s.contains("<4>"));
        assert_eq!(s.matches("class=\"axis\"").count(), 2);
        assert!(s.contains(">10</text>"), "x ticks up to the end: {s}");
    }
}
