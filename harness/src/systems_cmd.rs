//! `schism systems`: what `--system` takes, by name or by file.

use crate::exit::ExitCode;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct SystemsArgs {
    /// Directories of system specs (*.yaml) to list too (default: ./systems).
    pub dirs: Vec<PathBuf>,
}

pub fn run(args: &SystemsArgs) -> ExitCode {
    let dirs = if args.dirs.is_empty() {
        vec![PathBuf::from("systems")]
    } else {
        args.dirs.clone()
    };
    let listed = systems::listing::list(&dirs);
    let width = listed.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    let mut broken = false;
    for (name, about) in &listed {
        broken |= about.starts_with("does not load") || about.starts_with("broken");
        println!("{name:width$}  {about}");
    }
    if broken {
        ExitCode::BadInput
    } else {
        ExitCode::Valid
    }
}
