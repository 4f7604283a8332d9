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

/// Give a spec what its system does by default where it names nothing: the workload
/// (the registry's default where the system serves it, else the first it serves) and the
/// faults (`default` in the list becomes the system's own set), so `--system S --bug B`
/// alone runs. A system that cannot be resolved gets the common defaults, and is left for
/// the run to report.
pub fn settle(spec: &mut TestSpec) {
    if !needs_settling(spec) {
        return;
    }
    let system = systems::resolve(&setup(spec)).ok();
    if spec.workload.is_empty() {
        let default = workloads::registry::DEFAULT.name;
        let served = system.as_ref().map(|s| s.workloads()).unwrap_or_default();
        spec.workload = match served.first() {
            Some(first) if !served.iter().any(|w| w == default) => first.clone(),
            _ => default.to_string(),
        };
    }
    let defaults = match &system {
        Some(s) => s.default_faults(),
        None => systems::DEFAULT_FAULTS
            .iter()
            .map(|f| f.to_string())
            .collect(),
    };
    let mut faults = Vec::new();
    for f in std::mem::take(&mut spec.nemesis.faults) {
        let kinds = if f == DEFAULT {
            defaults.clone()
        } else {
            vec![f]
        };
        for k in kinds {
            if !faults.contains(&k) {
                faults.push(k);
            }
        }
    }
    spec.nemesis.faults = faults;
}

/// The name of the system's own faults in a fault list.
pub const DEFAULT: &str = "default";

/// Whether [`settle`] has anything to do.
pub fn needs_settling(spec: &TestSpec) -> bool {
    spec.workload.is_empty() || spec.nemesis.faults.iter().any(|f| f == DEFAULT)
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
