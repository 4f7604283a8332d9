//! `schism faults`: every fault the nemesis can inject, and the targets node faults take.

use crate::exit::ExitCode;

pub fn run() -> ExitCode {
    let width = nemesis::registry::ALL
        .iter()
        .map(|d| d.name.len())
        .max()
        .unwrap_or(0);
    for d in nemesis::registry::ALL {
        let runtime = if d.needs_runtime {
            " (nodes under schism's runtime)"
        } else {
            ""
        };
        println!("{:width$}  {}{runtime}", d.name, d.about);
    }
    println!(
        "\ntargets (--targets): {}, or nodes joined by + (n1+n3)",
        nemesis::Target::NAMES.join(", ")
    );
    ExitCode::Valid
}
