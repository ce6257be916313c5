//! `drsim plan`: costs, cost curves and the pick.

use crate::Failure;
use crate::cli::PlanArgs;
use crate::exit::ExitStatus;

/// Runs `drsim plan`.
pub fn run(args: &PlanArgs) -> Result<ExitStatus, Failure> {
    let _ = args;
    Err(Failure::BadInput("`drsim plan` is being built".to_string()))
}
