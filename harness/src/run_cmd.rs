//! `schism run`: the spec from a file and flags, a run, its summary and exit code.

use crate::cli::RunArgs;
use crate::exit::ExitCode;
use crate::spec::TestSpec;

/// The spec: the file's (or the defaults), then every flag given.
pub fn spec_of(args: &RunArgs) -> Result<TestSpec, String> {
    if let Some(kb) = args.max_spec_kb {
        crate::yaml::set_max_spec_bytes(kb.saturating_mul(1024));
    }
    let mut s = match &args.spec {
        Some(p) => TestSpec::read(p).map_err(|e| e.0)?,
        None => TestSpec::default(),
    };
    macro_rules! set {
        ($($flag:ident => $($field:ident).+),* $(,)?) => {
            $(if let Some(v) = &args.$flag { s.$($field).+ = v.clone().into(); })*
        };
    }
    set!(
        system => system, workload => workload, nodes => nodes,
        concurrency => concurrency, rate => rate, time_limit => time_limit_s,
        store => store, client_timeout_ms => client_timeout_ms, recovery => recovery_s,
        ready_timeout => ready_timeout_s, check_time_limit => check_time_limit_s,
        nemesis => nemesis.faults, nemesis_interval => nemesis.interval_s,
        nemesis_duration => nemesis.duration_s, max_faulty => nemesis.max_faulty,
        loss_probability => nemesis.loss_probability, shapes => nemesis.shapes,
        read_mode => etcd.read_mode, bug => bug,
        etcd_binary => etcd.binary, traitors => traitors, byzantine => nemesis.byzantine,
        lie_fields => nemesis.lie_fields, max_clock_skew_ms => nemesis.max_clock_skew_ms,
    );
    // Flags of the workloads' options: shorthands for `--option SECTION.FIELD=VALUE`.
    macro_rules! option {
        ($($flag:ident => $section:literal . $field:literal),* $(,)?) => {
            $(if let Some(v) = &args.$flag { s.set_option($section, $field, serde_json::json!(v)); })*
        };
    }
    option!(
        ops_per_key => "register"."ops_per_key", workers_per_key => "register"."workers_per_key",
        values => "register"."values", read_fraction => "register"."read_fraction",
        cas_fraction => "register"."cas_fraction",
        instances_per_s => "agreement"."instances_per_s",
        proposal_values => "agreement"."values",
        traitor_strategy => "agreement"."traitor_strategy", txn_model => "txn"."model",
    );
    for o in &args.option {
        let (path, value) = crate::cli::parse_option(o)?;
        let (section, field) = path;
        s.set_option(&section, &field, value);
    }
    if args.name.is_some() {
        s.name = args.name.clone();
    }
    if args.bin.is_some() {
        s.bin = args.bin.clone();
    }
    if args.seed.is_some() {
        s.seed = args.seed;
    }
    s.nemesis.faults.retain(|f| !f.is_empty() && f != "none");
    s.validate().map_err(|e| e.0)?;
    Ok(s)
}

/// Run the command; returns the exit code.
pub fn run(args: &RunArgs) -> ExitCode {
    let spec = match spec_of(args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("schism run: {e}");
            return ExitCode::BadInput;
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("schism run: cannot start the async runtime: {e}");
            return ExitCode::HarnessError;
        }
    };
    let outcome = rt.block_on(crate::run::run(spec, |seed| eprintln!("seed: {seed}")));
    match outcome {
        Err(e) => {
            eprintln!("schism run: {e}");
            e.exit_code()
        }
        Ok(o) => {
            println!("{}", o.result.summary());
            println!("  store: {}", o.dir.display());
            if o.result.error.is_some() {
                ExitCode::HarnessError
            } else if o.result.interrupted && o.result.valid != history::Validity::Invalid {
                // Stopped early: what it recorded holds nothing invalid, but the run did
                // not run its course, so it must not look like a pass.
                ExitCode::Interrupted
            } else {
                ExitCode::of(o.result.valid)
            }
        }
    }
}
