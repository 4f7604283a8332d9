//! The one SVG kit of every chart schism draws, in `report.html` and in `bench.html`:
//! inline SVG, no script, every text escaped. [`ticks`] picks round tick values and labels
//! them; [`scale`] is an axis's range (linear or logarithmic) and a value's place on it;
//! [`frame`] is a chart's plot area with its axes and grid; [`shading`] shades fault
//! windows behind the data; [`lines`] is a line chart of series of dots, with whiskers
//! and a legend.
//!
//! ```
//! use reports::svg::{Frame, Scale};
//! let f = Frame::over_time(400.0, 200.0, 10.0, Scale::linear(100.0));
//! let mut svg = f.open("demo", "a <demo>");
//! svg.push_str(&f.axes("time (s)", "share", |v| format!("{v:.0}%")));
//! svg.push_str("</svg>");
//! assert!(svg.contains("aria-label=\"a &lt;demo&gt;\"") && svg.contains(">100%</text>"));
//! assert_eq!((f.x(0.0), f.x(10.0)), (f.left, 400.0 - f.right));
//! ```

pub mod frame;
pub mod lines;
pub mod scale;
pub mod shading;
pub mod ticks;

pub use frame::Frame;
pub use scale::{Fit, Scale};
pub use ticks::{nice_ticks, number};
