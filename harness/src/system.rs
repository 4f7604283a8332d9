//! The harness's side of the `systems` crate: what a run tells its system (a
//! [`systems::Setup`], from the test spec) and the names a run is stored under. How
//! `systems::Error` becomes an exit code is `crate::error`'s.

use crate::spec::TestSpec;
use std::time::Duration;
use systems::spec_file;

/// What the run of `spec` tells its system (the seed is 0 until one is drawn).
pub fn setup(spec: &TestSpec) -> systems::Setup {
    // The spec was validated: these times are bounded (`limits`).
    let seconds = |s: f64| Duration::try_from_secs_f64(s).unwrap_or(Duration::MAX);
    systems::Setup {
        system: spec.system.clone(),
        bin: spec.bin.clone(),
        nodes: spec.nodes,
        workload: spec.workload.clone(),
        workload_options: spec.workload_section(),
        bug: spec.bug.clone(),
        traitors: spec.traitors,
        faults: spec.nemesis.kinds(),
        power_loss: nemesis::registry::needs_power_loss(&spec.nemesis.kinds()),
        seed: spec.seed.unwrap_or(0),
        etcd: systems::Etcd {
            binary: spec.etcd.binary.clone(),
            read_mode: spec.etcd.read_mode.clone(),
        },
        client_timeout: Duration::from_millis(spec.client_timeout_ms),
        ready_timeout: seconds(spec.ready_timeout_s),
    }
}

/// Give a spec without a workload its system's default: the registry's default
/// (`register`) where the system serves it, else the first workload the system serves
/// (om: `generals`, eig: `interactive-consistency`), so `--system S --bug B` alone runs.
/// A system that cannot be resolved is left for the run to report.
pub fn settle_workload(spec: &mut TestSpec) {
    if !spec.workload.is_empty() {
        return;
    }
    let default = workloads::registry::DEFAULT.name;
    let served = systems::resolve(&setup(spec))
        .map(|s| s.workloads())
        .unwrap_or_default();
    spec.workload = match served.first() {
        Some(first) if !served.iter().any(|w| w == default) => first.clone(),
        _ => default.to_string(),
    };
}

/// The name a run is stored under: the spec's `name`, else `<system>-<workload>` (a name
/// given is checked by [`crate::spec::check_test_name`]).
pub fn test_name(spec: &TestSpec) -> String {
    spec.name
        .clone()
        .unwrap_or_else(|| format!("{}-{}", system_name(spec), spec.workload))
}

/// The system's name: `system`, or for a system spec file the name inside it (else the
/// file's name without its extension).
pub fn system_name(spec: &TestSpec) -> String {
    if !spec_file::is_path(&spec.system) {
        return spec.system.clone();
    }
    let path = std::path::Path::new(&spec.system);
    match spec_file::load(path) {
        Ok(l) => l.spec.name,
        Err(_) => path
            .file_stem()
            .map_or("system".into(), |s| s.to_string_lossy().into_owned()),
    }
}
