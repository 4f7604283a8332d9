//! `schism synth`: write a seeded synthetic register history.

use crate::cli::SynthArgs;
use crate::exit::ExitCode;
use history::synth::{generate, SynthSpec};
use std::io::Write;

/// Run the command; returns the exit code.
pub fn run(args: &SynthArgs) -> ExitCode {
    for (name, f) in [
        ("--reads", args.reads),
        ("--cas", args.cas),
        ("--info", args.info),
    ] {
        if !(0.0..=1.0).contains(&f) {
            eprintln!("schism synth: {name} must be a fraction between 0 and 1, not {f}");
            return ExitCode::BadInput;
        }
    }
    if args.reads + args.cas > 1.0 || args.clients == 0 || args.keys == 0 || args.values == 0 {
        eprintln!("schism synth: need --reads + --cas <= 1 and at least one client, key and value");
        return ExitCode::BadInput;
    }
    let spec = SynthSpec {
        seed: args.seed,
        clients: args.clients,
        ops: args.ops,
        keys: args.keys,
        values: args.values,
        read_fraction: args.reads,
        cas_fraction: args.cas,
        info_fraction: args.info,
        stale_read: args.stale,
        ..SynthSpec::default()
    };
    let synth = generate(&spec);
    if args.stale {
        match &synth.stale {
            Some(s) => eprintln!(
                "stale read: the read completing at index {} returns {}, overwritten by the write completing at index {}",
                s.read_index, s.value, s.overwritten_by
            ),
            None => {
                eprintln!("schism synth: no read could be made stale; try another --seed or more --ops");
                return ExitCode::BadInput;
            }
        }
    }
    let out: Box<dyn Write> = match &args.output {
        Some(p) => match std::fs::File::create(p) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("schism synth: cannot create {}: {e}", p.display());
                return ExitCode::BadInput;
            }
        },
        None => Box::new(std::io::stdout().lock()),
    };
    let written = match args.format.as_str() {
        "jepsen-edn" => history::jepsen::write(std::io::BufWriter::new(out), synth.history.ops()),
        _ => history::jsonl::write(out, synth.history.ops()),
    };
    match written {
        Ok(()) => ExitCode::Valid,
        Err(e) => {
            eprintln!("schism synth: write failed: {e}");
            ExitCode::HarnessError
        }
    }
}
