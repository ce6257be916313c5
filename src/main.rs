//! The `drsim` binary: parses the command line, runs, maps the outcome to an exit code.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = drsim::cli::Cli::parse();
    drsim::run(cli).into()
}
