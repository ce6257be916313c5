//! `drsim prices`: import AWS Price List files into a catalog, show a catalog.

use crate::Failure;
use crate::cli::PricesCommand;
use crate::exit::ExitStatus;

/// Runs a `prices` subcommand.
pub fn run(command: &PricesCommand) -> Result<ExitStatus, Failure> {
    let _ = command;
    Err(Failure::BadInput(
        "`drsim prices` is being built".to_string(),
    ))
}
