//! Exit codes: the contract with scripts and CI, documented in the README.

/// How a `drsim` invocation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: success.
    Success,
    /// 1: a check failed (an objective or a regression).
    CheckFailed,
    /// 2: bad usage or bad input (scenario, flags).
    BadInput,
    /// 3: an input or output file could not be read or written.
    IoFailure,
}

impl ExitStatus {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::CheckFailed => 1,
            ExitStatus::BadInput => 2,
            ExitStatus::IoFailure => 3,
        }
    }
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(status.code())
    }
}
