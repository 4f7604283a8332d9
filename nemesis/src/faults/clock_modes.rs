//! How a `clock` fault moves clocks, chosen as data: a bump (the offset jumps and stays
//! until heal), a strobe (the offset flips between 0 and a size every `strobe_period_ms`
//! for `strobe_ms`), or a drift (the clock runs at a rate other than 1 for `drift_ms`,
//! then keeps what it gained until heal). Every node of the cluster is in the record, the
//! untouched ones at offset 0 and rate 1.
//!
//! Options (`nemesis.options.clock`): `modes` (default all three), `strobe_ms` (2000),
//! `strobe_period_ms` (100), `drift_ms` (5000), `max_drift_rate` (0.5: rates between 0.5
//! and 1.5, at least 0.25 from 1). Sizes are drawn up to `max_clock_skew_ms` (at least
//! half of it), either way.

use crate::env::Env;
use crate::kind::{tagged, targeted};
use crate::named::named;
use crate::{NemesisError, NemesisOptions};
use history::rng::Rng;
use history::Value;
use serde_json::json;
use std::collections::BTreeMap;

pub const NAME: &str = "clock";

named! {
    pub enum Mode {
        Bump = "bump",
        Strobe = "strobe",
        Drift = "drift",
    }
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    pub modes: Vec<String>,
    pub strobe_ms: u64,
    pub strobe_period_ms: u64,
    pub drift_ms: u64,
    pub max_drift_rate: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            modes: Mode::all_names(),
            strobe_ms: 2_000,
            strobe_period_ms: 100,
            drift_ms: 5_000,
            max_drift_rate: 0.5,
        }
    }
}

/// The options, checked.
pub fn settings(o: &NemesisOptions) -> Result<(Options, Vec<Mode>), NemesisError> {
    let opts: Options = o.section(NAME)?;
    let bad = |why: String| {
        Err(NemesisError::Unknown(format!(
            "nemesis.options.{NAME}: {why}"
        )))
    };
    let modes = Mode::from_names(&opts.modes, NAME, "modes")?;
    if opts.strobe_period_ms == 0 || opts.strobe_ms > 600_000 || opts.drift_ms > 600_000 {
        return bad("strobe_period_ms must be > 0; strobe_ms and drift_ms at most 600000".into());
    }
    if !(0.25..1.0).contains(&opts.max_drift_rate) {
        return bad("max_drift_rate must be in [0.25, 1)".into());
    }
    Ok((opts, modes))
}

/// A size in ms, up to `max` (at least half of it), either way.
fn size(max: u64, rng: &mut Rng) -> i64 {
    let s = rng.between(max / 2, max) as i64;
    if rng.chance(0.5) {
        s
    } else {
        -s
    }
}

/// The next clock fault: mode, target nodes, and every node's offset (and rate).
pub fn choose(env: &Env<'_>, via: &str, rng: &mut Rng) -> Result<Value, NemesisError> {
    let (opts, modes) = settings(env.options)?;
    let mode = modes[rng.below(modes.len() as u64) as usize];
    let chosen = targeted(env, &env.nodes(), rng);
    let max = env.options.max_clock_skew_ms.max(2);
    let mut offsets: BTreeMap<String, i64> = env.nodes().into_iter().map(|n| (n, 0)).collect();
    let mut fields = json!({ "nodes": chosen, "mode": mode.name(), "via": via });
    match mode {
        Mode::Bump | Mode::Strobe => {
            for n in &chosen {
                offsets.insert(n.clone(), size(max, rng));
            }
            if mode == Mode::Strobe {
                fields["strobe_ms"] = json!(opts.strobe_ms);
                fields["period_ms"] = json!(opts.strobe_period_ms);
            }
        }
        Mode::Drift => {
            let mut rates: BTreeMap<String, f64> =
                env.nodes().into_iter().map(|n| (n, 1.0)).collect();
            for n in &chosen {
                let away = 0.25 + rng.unit() * (opts.max_drift_rate - 0.25);
                let rate = if rng.chance(0.5) {
                    1.0 + away
                } else {
                    1.0 - away
                };
                let rate = (rate * 1000.0).round() / 1000.0;
                rates.insert(n.clone(), rate);
                offsets.insert(n.clone(), drifted(rate, opts.drift_ms));
            }
            fields["rates"] = json!(rates);
            fields["drift_ms"] = json!(opts.drift_ms);
        }
    }
    fields["offsets_ms"] = json!(offsets);
    Ok(tagged(NAME, fields))
}

/// The offset a clock running at `rate` gains in `ms`.
pub fn drifted(rate: f64, ms: u64) -> i64 {
    ((rate - 1.0) * ms as f64).round() as i64
}

/// The offsets of a fault's record (every node), and its targets' rates (drift).
pub fn offsets(fault: &Value) -> BTreeMap<String, i64> {
    serde_json::from_value(fault["offsets_ms"].clone()).unwrap_or_default()
}

pub fn rates(fault: &Value) -> BTreeMap<String, f64> {
    serde_json::from_value(fault["rates"].clone()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cluster::fake::FakeCluster;

    #[test]
    fn each_mode_records_every_nodes_offset_within_bounds() {
        let c = FakeCluster::new(5);
        for (mode, seed) in Mode::NAMES
            .iter()
            .flat_map(|m| (0..20).map(move |s| (m, s)))
        {
            let mut o = NemesisOptions {
                max_clock_skew_ms: 1_000,
                max_faulty: 2,
                ..NemesisOptions::default()
            };
            o.sections.insert(NAME.into(), json!({"modes": [mode]}));
            let f = choose(&Env::plain(&c, &o), "faketime", &mut Rng::new(seed)).unwrap();
            assert_eq!(f["mode"], *mode);
            assert_eq!(f["via"], "faketime");
            let offs = offsets(&f);
            assert_eq!(offs.len(), 5, "every node: {f}");
            let targets = crate::kind::nodes_of(&f);
            assert!((1..=2).contains(&targets.len()));
            for (n, off) in &offs {
                let hit = targets.contains(n);
                match *mode {
                    "drift" => {
                        let r = rates(&f)[n];
                        if hit {
                            assert!((0.5..=1.5).contains(&r) && (r - 1.0).abs() >= 0.249, "{r}");
                            assert_eq!(*off, drifted(r, 5_000));
                        } else {
                            assert_eq!((r, *off), (1.0, 0));
                        }
                    }
                    _ if hit => assert!((500..=1_000).contains(&off.abs()), "{off}"),
                    _ => assert_eq!(*off, 0),
                }
            }
            if *mode == "strobe" {
                assert_eq!(
                    (f["strobe_ms"].as_u64(), f["period_ms"].as_u64()),
                    (Some(2000), Some(100))
                );
            }
        }
    }

    #[test]
    fn bad_clock_options_are_named() {
        for (section, word) in [
            (json!({"modes": ["wobble"]}), "wobble"),
            (json!({"modes": []}), "empty"),
            (json!({"strobe_period_ms": 0}), "strobe_period_ms"),
            (json!({"max_drift_rate": 2.0}), "max_drift_rate"),
            (json!({"speed": 2}), "speed"),
        ] {
            let mut o = NemesisOptions::default();
            o.sections.insert(NAME.into(), section);
            let e = settings(&o).unwrap_err().to_string();
            assert!(
                e.contains(word) && e.contains("nemesis.options.clock"),
                "{e}"
            );
        }
    }
}
