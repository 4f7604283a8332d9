//! The live status line of a run: elapsed time, ops per second, outcomes, current fault.
//! Drawn on stderr when it is a terminal, and nowhere otherwise.

use crate::workers::Counters;
use history::recorder::Recorder;
use indicatif::{ProgressBar, ProgressStyle};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// The line shown now.
pub fn line(rec: &Recorder, c: &Counters, last_total: &mut (u64, u64)) -> String {
    let now = rec.now_ns();
    let total = c.total();
    let (t0, n0) = *last_total;
    let rate = if now > t0 {
        (total - n0) as f64 / ((now - t0) as f64 / 1e9)
    } else {
        0.0
    };
    *last_total = (now, total);
    let fault = match rec.last_nemesis() {
        Some(op) if op.f.starts_with("start-") => {
            let what = op
                .value
                .get("applied")
                .or(Some(&op.value))
                .and_then(|v| v.get("shape").or_else(|| v.get("nodes")))
                .map(|v| v.to_string())
                .unwrap_or_default();
            format!("{} {what}", &op.f["start-".len()..])
        }
        _ => "none".into(),
    };
    format!(
        "{:6.1} s  {:7.0} ops/s  ok {} fail {} info {}  fault: {fault}",
        now as f64 / 1e9,
        rate,
        c.ok.load(Ordering::Relaxed),
        c.fail.load(Ordering::Relaxed),
        c.info.load(Ordering::Relaxed),
    )
}

/// Keep the status line fresh until the returned bar is finished.
pub fn start(rec: Arc<Recorder>, counters: Arc<Counters>) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let b = bar.clone();
    tokio::spawn(async move {
        let mut last = (0, 0);
        while !b.is_finished() {
            b.set_message(line(&rec, &counters, &mut last));
            b.tick();
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    });
    bar
}
