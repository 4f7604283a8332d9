//! The two charts of `bench.html`: throughput against concurrency (the mean over seeds,
//! with min/max whiskers), and latency quantiles against throughput (one line per
//! quantile, each dot a concurrency level at its mean throughput).

use super::model::{Bench, QuantileSpread};
use super::quantiles::NAMES;
use crate::svg::lines::{chart, Axis, Dot, Series};
use crate::svg::{number, Fit};

/// Throughput against concurrency.
pub fn throughput(b: &Bench) -> String {
    let measured: Vec<_> = b
        .points
        .iter()
        .filter_map(|p| p.throughput.map(|t| (p.concurrency as f64, t)))
        .collect();
    let series = Series {
        name: "ok ops/s".into(),
        dots: measured
            .iter()
            .map(|(c, t)| Dot {
                x: *c,
                y: t.mean,
                title: format!(
                    "concurrency {c}: {} ok ops/s (min {}, max {})",
                    number(t.mean),
                    number(t.min),
                    number(t.max)
                ),
            })
            .collect(),
        whiskers: measured.iter().map(|(c, t)| (*c, t.min, t.max)).collect(),
    };
    chart(
        "Throughput against concurrency (mean, min–max over seeds)",
        &Axis {
            label: "concurrency (workers)".into(),
            fit: Fit::Log2,
        },
        &Axis {
            label: "ok ops/s".into(),
            fit: Fit::Linear,
        },
        &[series],
    )
}

/// Latency quantiles (of `pick`'s set: all, healthy or under faults) against throughput.
pub fn latency(
    b: &Bench,
    title: &str,
    pick: fn(&super::model::Point) -> Option<QuantileSpread>,
) -> String {
    let measured: Vec<_> = b
        .points
        .iter()
        .filter_map(|p| Some((p.concurrency, p.throughput?.mean, pick(p)?)))
        .collect();
    let series: Vec<Series> = NAMES
        .iter()
        .enumerate()
        .map(|(i, name)| Series {
            name: (*name).into(),
            dots: measured
                .iter()
                .map(|(c, t, q)| {
                    let v = q.spreads()[i].mean;
                    Dot {
                        x: *t,
                        y: v,
                        title: format!(
                            "concurrency {c}: {} ok ops/s, {name} {} ms",
                            number(*t),
                            number(v)
                        ),
                    }
                })
                .collect(),
            whiskers: Vec::new(),
        })
        .collect();
    chart(
        title,
        &Axis {
            label: "ok ops/s (mean)".into(),
            fit: Fit::Linear,
        },
        &Axis {
            label: "latency, ms (mean over seeds, log scale)".into(),
            fit: Fit::Log10,
        },
        &series,
    )
}
