//! `schism synth`: write a seeded synthetic register history.

use crate::exit::ExitCode;
use clap::Args;
use history::synth::{generate, SynthSpec};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct SynthArgs {
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[arg(long, default_value_t = 5)]
    pub clients: u32,
    /// Client operations in all.
    #[arg(long, default_value_t = 1000)]
    pub ops: usize,
    #[arg(long, default_value_t = 1)]
    pub keys: u32,
    /// Writes draw values from 0..VALUES.
    #[arg(long, default_value_t = 5)]
    pub values: u32,
    #[arg(long, default_value_t = 0.5)]
    pub reads: f64,
    #[arg(long, default_value_t = 0.0)]
    pub cas: f64,
    /// Fraction of ops that time out (info); half of them took effect.
    #[arg(long, default_value_t = 0.0)]
    pub info: f64,
    /// Make one read stale, so the history is not linearizable.
    #[arg(long)]
    pub stale: bool,
    #[arg(long, default_value = "jsonl", value_parser = ["jsonl", "jepsen-edn"])]
    pub format: String,
    /// Where to write (default: stdout).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

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
