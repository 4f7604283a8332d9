use clap::{CommandFactory, Parser};
use harness::cli::{Cli, Command};
use harness::exit::ExitCode;

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                ExitCode::BadInput as i32
            } else {
                0
            };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    let code = match cli.command {
        Command::Run(args) => harness::run_cmd::run(&args),
        Command::Sweep(_) => std::process::exit(harness::sweep::main_with(
            Cli::command(),
            std::env::args_os(),
        )),
        Command::Detect(_) => std::process::exit(harness::detect::main_with(
            Cli::command(),
            std::env::args_os(),
        )),
        Command::Bench(_) => std::process::exit(harness::bench::main_with(
            Cli::command(),
            std::env::args_os(),
        )),
        Command::Shrink(args) => harness::shrink::run(&args),
        Command::Systems(args) => harness::systems_cmd::run(&args),
        Command::Faults => harness::faults_cmd::run(),
        Command::Check(args) => harness::check_cmd::run(&args),
        Command::Synth(args) => harness::synth_cmd::run(&args),
        Command::Report(args) => harness::report_cmd::run(&args),
        Command::Serve(args) => harness::serve::run(&args),
        Command::Clean(args) => harness::clean_cmd::run(&args),
        Command::Node(args) => {
            let argv = std::iter::once("schism node".to_string()).chain(args.args);
            std::process::exit(nodes::cli::main_with(argv))
        }
    };
    std::process::exit(code as i32);
}
