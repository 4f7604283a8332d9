//! `schism systems`: what `--system` takes, by name or by file.

use crate::cli::SystemsArgs;
use crate::exit::ExitCode;
use std::path::PathBuf;

pub fn run(args: &SystemsArgs) -> ExitCode {
    let dirs = if args.dirs.is_empty() {
        vec![PathBuf::from("systems")]
    } else {
        args.dirs.clone()
    };
    let listed = crate::system::spec_file::list_builtin(&dirs);
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
