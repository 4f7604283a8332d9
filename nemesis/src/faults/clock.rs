//! `clock`: move the target nodes' clocks: bump, strobe or drift ([`super::clock_modes`]),
//! back at heal. Two mechanisms behind one fault: nodes under schism's runtime get a
//! control message ([`super::clock_runtime`]); programs that read the time through libc
//! run with libfaketime preloaded and get their control file rewritten
//! ([`super::clock_faketime`]). A system that is neither (Go and static programs read the
//! time without libc) is refused before the run starts, with the system's reason.
//!
//! A strobe and a drift happen inside the fault's application (its `apply_ms` is their
//! length); a drift is stepped every [`DRIFT_STEP_MS`] (libfaketime's own rate counts from
//! the process's start, so changing it mid-run would jump the clock).

use super::clock_modes::{self as modes, Mode, NAME};
use super::{clock_faketime, clock_runtime};
use crate::env::Env;
use crate::kind::{nodes_of, Nemesis};
use crate::{ClockReach, NemesisError, NemesisOptions};
use async_trait::async_trait;
use history::rng::Rng;
use history::Value;
use std::time::{Duration, Instant};

/// A drifting clock's offset is rewritten this often.
pub const DRIFT_STEP_MS: u64 = 100;

pub struct Clock;

/// How this run reaches the clocks: `runtime` or `faketime`.
fn via(env: &Env<'_>) -> Result<&'static str, NemesisError> {
    match (&env.control, &env.options.system.clock) {
        (Some(_), _) => Ok("runtime"),
        (None, ClockReach::Faketime { .. }) => Ok("faketime"),
        (None, ClockReach::Refused(why)) => Err(refused(why)),
        (None, _) => Err(super::tell::no_runtime(NAME)),
    }
}

fn refused(why: &str) -> NemesisError {
    NemesisError::Unsupported(format!(
        "the {NAME} nemesis cannot move this system's clocks: {why}"
    ))
}

/// Set the offsets of some nodes, by the run's mechanism.
async fn set(env: &Env<'_>, offsets: &[(String, i64)]) -> Result<Value, NemesisError> {
    match &env.options.system.clock {
        ClockReach::Faketime { file } if env.control.is_none() => {
            clock_faketime::set(env, file, offsets).await
        }
        _ => clock_runtime::set(env, offsets).await,
    }
}

/// The target nodes, each at `f(node)`.
fn each(targets: &[String], f: impl Fn(&str) -> i64) -> Vec<(String, i64)> {
    targets.iter().map(|n| (n.clone(), f(n))).collect()
}

/// Flip the targets between their offsets and 0 every period, for the strobe's length;
/// back at 0 at the end. The nodes' last answers.
async fn strobe(env: &Env<'_>, fault: &Value, targets: &[String]) -> Result<Value, NemesisError> {
    let offsets = modes::offsets(fault);
    let period = Duration::from_millis(fault["period_ms"].as_u64().unwrap_or(100).max(1));
    let length = Duration::from_millis(fault["strobe_ms"].as_u64().unwrap_or(0));
    let start = tokio::time::Instant::now();
    let mut flips = 0u64;
    while start.elapsed() < length {
        let on = flips.is_multiple_of(2);
        set(env, &each(targets, |n| if on { offsets[n] } else { 0 })).await?;
        flips += 1;
        tokio::time::sleep_until(start + period * flips as u32).await;
    }
    tracing::debug!(flips, "strobe");
    set(env, &each(targets, |_| 0)).await
}

/// Step the targets' offsets along their rates for the drift's length; they keep the
/// offset they gained. The nodes' last answers.
async fn drift(env: &Env<'_>, fault: &Value, targets: &[String]) -> Result<Value, NemesisError> {
    let rates = modes::rates(fault);
    let length_ms = fault["drift_ms"].as_u64().unwrap_or(0);
    let start = Instant::now();
    loop {
        let ms = (start.elapsed().as_millis() as u64).min(length_ms);
        let last = set(env, &each(targets, |n| modes::drifted(rates[n], ms))).await?;
        if ms >= length_ms {
            return Ok(last);
        }
        tokio::time::sleep(Duration::from_millis(DRIFT_STEP_MS)).await;
    }
}

#[async_trait]
impl Nemesis for Clock {
    fn name(&self) -> &'static str {
        NAME
    }

    fn check(&self, options: &NemesisOptions) -> Result<(), NemesisError> {
        modes::settings(options)?;
        match &options.system.clock {
            ClockReach::Refused(why) => Err(refused(why)),
            _ => Ok(()),
        }
    }

    async fn prepare(&self, env: &Env<'_>) -> Result<(), NemesisError> {
        via(env).map(|_| ())
    }

    fn choose(&self, env: &Env<'_>, rng: &mut Rng) -> Result<Option<Value>, NemesisError> {
        modes::choose(env, via(env)?, rng).map(Some)
    }

    async fn invoke(&self, env: &Env<'_>, fault: &Value) -> Result<Value, NemesisError> {
        let targets = nodes_of(fault);
        let offsets = modes::offsets(fault);
        match fault["mode"].as_str().and_then(Mode::from_name) {
            Some(Mode::Bump) => set(env, &each(&targets, |n| offsets[n])).await,
            Some(Mode::Strobe) => strobe(env, fault, &targets).await,
            Some(Mode::Drift) => drift(env, fault, &targets).await,
            None => Err(NemesisError::Unknown(format!("{NAME}: no mode in {fault}"))),
        }
    }

    async fn heal(&self, env: &Env<'_>, fault: &Value) -> Result<Value, NemesisError> {
        set(env, &each(&nodes_of(fault), |_| 0)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SystemFacts;
    use cluster::fake::FakeCluster;
    use cluster::Cluster;
    use serde_json::json;

    fn faketime(section: Value) -> NemesisOptions {
        let mut o = NemesisOptions {
            faults: vec![NAME.into()],
            max_clock_skew_ms: 4_000,
            system: SystemFacts {
                clock: ClockReach::Faketime {
                    file: "/schism/faketime".into(),
                },
                ..SystemFacts::default()
            },
            ..NemesisOptions::default()
        };
        o.sections.insert(NAME.into(), section);
        o
    }

    async fn file(c: &FakeCluster, n: &str) -> String {
        String::from_utf8(c.read_file(n, "/schism/faketime").await.unwrap()).unwrap()
    }

    #[tokio::test]
    async fn a_bump_rewrites_the_targets_faketime_files_and_heal_zeroes_them() {
        let c = FakeCluster::new(3);
        let o = faketime(json!({"modes": ["bump"]}));
        let e = Env::plain(&c, &o);
        let fault = Clock.choose(&e, &mut Rng::new(2)).unwrap().unwrap();
        let answers = Clock.invoke(&e, &fault).await.unwrap();
        for n in nodes_of(&fault) {
            let want = clock_faketime::line(modes::offsets(&fault)[&n]);
            assert_eq!(file(&c, &n).await, want);
            assert_eq!(answers[&n], want.trim_end());
        }
        Clock.heal(&e, &fault).await.unwrap();
        for n in nodes_of(&fault) {
            assert_eq!(file(&c, &n).await, "+0.000\n");
        }
    }

    #[tokio::test]
    async fn a_strobe_flips_and_ends_at_zero_a_drift_ends_at_its_gain() {
        let c = FakeCluster::new(1);
        let o = faketime(json!({"modes": ["strobe"], "strobe_ms": 200, "strobe_period_ms": 20}));
        let e = Env::plain(&c, &o);
        let fault = Clock.choose(&e, &mut Rng::new(1)).unwrap().unwrap();
        let began = std::time::Instant::now();
        let a = Clock.invoke(&e, &fault).await.unwrap();
        assert!(
            began.elapsed().as_millis() >= 200,
            "the strobe lasts its length"
        );
        assert_eq!(a, json!({"n1": "+0.000"}), "the nodes' last answers");
        assert_eq!(file(&c, "n1").await, "+0.000\n");
        let o = faketime(json!({"modes": ["drift"], "drift_ms": 300}));
        let e = Env::plain(&c, &o);
        let fault = Clock.choose(&e, &mut Rng::new(1)).unwrap().unwrap();
        let began = std::time::Instant::now();
        Clock.invoke(&e, &fault).await.unwrap();
        assert!(
            began.elapsed().as_millis() >= 300,
            "the drift lasts its length"
        );
        let gained = modes::offsets(&fault)["n1"];
        assert_eq!(gained, modes::drifted(modes::rates(&fault)["n1"], 300));
        assert_eq!(file(&c, "n1").await, clock_faketime::line(gained));
    }

    #[test]
    fn a_system_whose_clock_cannot_move_is_refused_with_its_reason() {
        let mut o = faketime(json!({}));
        o.system.clock = ClockReach::Refused("etcd is a Go program".into());
        let e = Clock.check(&o).unwrap_err();
        assert!(matches!(e, NemesisError::Unsupported(_)));
        let e = e.to_string();
        assert!(
            e.contains("clock nemesis") && e.contains("etcd is a Go program"),
            "{e}"
        );
        assert!(Clock.check(&faketime(json!({}))).is_ok());
    }
}
