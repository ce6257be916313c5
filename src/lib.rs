//! drsim: the command-line front of the simulator. It reads scenario files, runs the
//! simulation with a progress bar on stderr, renders the report and writes it (stdout or a
//! file, atomically), and maps every outcome to a documented exit code ([`exit::ExitStatus`]).

pub mod check;
pub mod cli;
pub mod exit;
pub mod merge;
pub mod output;
pub mod plan;
pub mod precision;
pub mod prices;
pub mod report;
pub mod results_file;
pub mod shard;

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;
use scenarios::{RunOptions, Scenario};

use crate::cli::{Cli, Command, InitArgs, SimulateArgs};
use crate::exit::ExitStatus;

/// A failure, classified by the exit code it maps to.
#[derive(Debug)]
pub enum Failure {
    /// Bad usage or input (exit 2); the message says what and how to fix it.
    BadInput(String),
    /// Reading or writing failed (exit 3).
    Io(anyhow::Error),
}

impl Failure {
    fn status(&self) -> ExitStatus {
        match self {
            Failure::BadInput(_) => ExitStatus::BadInput,
            Failure::Io(_) => ExitStatus::IoFailure,
        }
    }
}

/// Runs a parsed command line; messages go to stderr.
pub fn run(cli: Cli) -> ExitStatus {
    let result = match cli.command {
        Command::Simulate(args) => simulate(&args),
        Command::Init(args) => init(&args),
        Command::Plan(args) => plan::run(&args),
        Command::Prices(command) => prices::run(&command),
        Command::Merge(args) => merge::run(&args),
        Command::Check(args) => check::run(&args),
    };
    match result {
        Ok(status) => status,
        Err(failure) => {
            match &failure {
                Failure::BadInput(message) => eprintln!("error: {message}"),
                Failure::Io(error) => eprintln!("error: {error:#}"),
            }
            failure.status()
        }
    }
}

/// Reads and validates a scenario, or the embedded reference when `path` is `None`.
pub fn load_scenario(path: Option<&Path>) -> Result<(Scenario, String), Failure> {
    results_file::Source::read(path).map(|source| (source.scenario, source.file))
}

fn simulate(args: &SimulateArgs) -> Result<ExitStatus, Failure> {
    if let Some(shard) = args.shard {
        return merge::simulate_shard(args, shard);
    }
    let (flags, common) = (&args.run, &args.run.common);
    let (scenario, file) = load_scenario(args.scenario.as_deref())?;
    if !common.quiet {
        for warning in &scenario.warnings {
            eprintln!("warning: {warning}");
        }
    }
    let progress = AtomicU64::new(0);
    let options = RunOptions {
        trials: flags.trials,
        seed: common.seed,
        threads: common.threads(),
        progress: Some(&progress),
    };
    let show = !common.quiet && flags.trials >= 100_000;
    let (results, precision) = with_progress(show, flags.trials, "trials", &progress, || {
        if args.precision.is_empty() {
            return scenarios::simulate(&scenario, &options).map(|r| (r, None));
        }
        precision::simulate(
            &scenario,
            common.seed,
            options.threads,
            flags.trials,
            &args.precision,
            &scenarios::Strategy::ALL,
            options.progress,
        )
        .map(|(r, outcome)| (r, Some(outcome)))
    })
    .map_err(|e| Failure::BadInput(e.to_string()))?;
    if let Some(outcome) = precision.filter(|_| !common.quiet) {
        eprintln!("{}", outcome.describe());
    }
    let report = report::build(&scenario, &file, &results, common.seed);
    if !common.quiet {
        // Warnings found by the run itself (the scenario's were shown before it).
        for warning in report.warnings.iter().skip(scenario.warnings.len()) {
            eprintln!("warning: {warning}");
        }
    }
    let text = output::renderer(common.format)
        .render(&report)
        .map_err(Failure::Io)?;
    write_output(common.out.as_deref(), &text).map_err(Failure::Io)?;
    Ok(ExitStatus::Success)
}

/// Runs `work` while a progress bar on stderr follows `progress` (`unit`s done out of
/// `total`), when `show` and stderr is a terminal.
pub fn with_progress<T: Send>(
    show: bool,
    total: u64,
    unit: &str,
    progress: &AtomicU64,
    work: impl FnOnce() -> T + Send,
) -> T {
    if !show || !std::io::stderr().is_terminal() {
        return work();
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
        "{{bar:40}} {{pos}}/{{len}} {unit}  {{per_sec}}  eta {{eta}}"
    )) {
        bar.set_style(style);
    }
    let done = std::sync::atomic::AtomicBool::new(false);
    let result = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                bar.set_position(progress.load(Ordering::Relaxed));
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        let result = work();
        done.store(true, Ordering::Relaxed);
        result
    });
    bar.finish_and_clear();
    result
}

/// Writes `text` to stdout, or to `path` through a temporary file renamed into place, so a
/// failure never leaves a half-written file.
pub fn write_output(path: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match path {
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
            {
                // A closed pipe (e.g. `| head`) is not an error worth reporting.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other.context("cannot write to stdout"),
            }
        }
        Some(path) => {
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let fail = |e: std::io::Error| {
                anyhow::anyhow!("cannot write {}: {}", path.display(), e.kind())
            };
            let mut file = tempfile::NamedTempFile::new_in(dir).map_err(|e| {
                anyhow::anyhow!(
                    "cannot write {}: cannot create a file in {}: {}",
                    path.display(),
                    dir.display(),
                    e.kind()
                )
            })?;
            file.write_all(text.as_bytes()).map_err(fail)?;
            file.persist(path).map_err(|e| fail(e.error))?;
            Ok(())
        }
    }
}

fn init(args: &InitArgs) -> Result<ExitStatus, Failure> {
    let text = scenarios::init_text().map_err(|e| Failure::BadInput(e.to_string()))?;
    if args.path.as_os_str() == "-" {
        write_output(None, &text).map_err(Failure::Io)?;
        return Ok(ExitStatus::Success);
    }
    if args.path.exists() && !args.force {
        return Err(Failure::BadInput(format!(
            "{} already exists\n  help: pass --force to overwrite it, or name another file",
            args.path.display()
        )));
    }
    write_output(Some(&args.path), &text).map_err(Failure::Io)?;
    eprintln!(
        "wrote {} — edit it, then run `drsim plan {}` (or `drsim simulate`)",
        args.path.display(),
        args.path.display()
    );
    Ok(ExitStatus::Success)
}
