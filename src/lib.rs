//! drsim: the command-line front of the simulator. It reads scenario files, runs the
//! simulation with a progress bar on stderr, renders the report and writes it (stdout or a
//! file, atomically), and maps every outcome to a documented exit code ([`exit::ExitStatus`]).

pub mod budget;
pub mod check;
pub mod cli;
pub mod document;
pub mod exit;
pub mod export;
pub mod io;
pub mod merge;
pub mod names;
pub mod plan;
pub mod precision;
pub mod prices;
pub mod report;
pub mod results_file;
pub mod shard;

use std::io::IsTerminal;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

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
        Command::Report(args) => document::run(&args),
        Command::Export(args) => export::run(&args),
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

/// How a command runs the simulator or the planner.
pub struct RunSettings {
    pub seed: u64,
    pub threads: usize,
    /// No progress bar and no warnings.
    pub quiet: bool,
}

/// Shows the scenario's warnings on stderr, unless quiet.
pub fn show_warnings(scenario: &Scenario, quiet: bool) {
    if !quiet {
        for warning in &scenario.warnings {
            eprintln!("warning: {warning}");
        }
    }
}

/// Runs the simulator with a progress bar.
pub fn run_simulation(
    scenario: &Scenario,
    trials: u64,
    run: &RunSettings,
) -> Result<scenarios::Results, Failure> {
    let progress = AtomicU64::new(0);
    let options = RunOptions {
        trials,
        seed: run.seed,
        threads: run.threads,
        progress: Some(&progress),
    };
    let show = !run.quiet && trials >= 100_000;
    with_progress(show, trials, "trials", &progress, || {
        scenarios::simulate(scenario, &options)
    })
    .map_err(|e| Failure::BadInput(e.to_string()))
}

fn simulate(args: &SimulateArgs) -> Result<ExitStatus, Failure> {
    if let Some(shard) = args.shard {
        return merge::simulate_shard(args, shard);
    }
    let (flags, common) = (&args.run, &args.run.common);
    if let Some(out) = &common.out {
        io::check_output(out).map_err(|e| Failure::Io(e.into()))?;
    }
    let (scenario, file) = load_scenario(args.scenario.as_deref())?;
    show_warnings(&scenario, common.quiet);
    let run = RunSettings {
        seed: common.seed,
        threads: common.threads(),
        quiet: common.quiet,
    };
    let mut samples = match &args.samples {
        Some(path) => Some(Samples::create(path)?),
        None => None,
    };
    let progress = AtomicU64::new(0);
    let options = RunOptions {
        trials: flags.trials,
        seed: run.seed,
        threads: run.threads,
        progress: Some(&progress),
    };
    // One range of trials, its samples streamed when asked for.
    let mut run_range = |range: std::ops::Range<u64>| match samples.as_mut() {
        Some(samples) => samples.run(&scenario, &options, range),
        None => scenarios::simulate::simulate_range(&scenario, &options, range)
            .map_err(|e| Failure::BadInput(e.to_string())),
    };
    let results = if args.precision.is_empty() {
        let show = !common.quiet && flags.trials >= 100_000;
        with_progress(show, flags.trials, "trials", &progress, || {
            run_range(0..flags.trials)
        })?
    } else {
        let (results, outcome) =
            with_progress(!common.quiet, flags.trials, "trials", &progress, || {
                precision::in_rounds(
                    &scenario,
                    flags.trials,
                    &args.precision,
                    &scenarios::Strategy::ALL,
                    &mut run_range,
                )
            })?;
        if !common.quiet {
            eprintln!("{}", outcome.describe());
        }
        results
    };
    if let Some(samples) = samples {
        samples.commit()?;
    }
    let report = report::build(&scenario, &file, &results, common.seed);
    if !common.quiet {
        // Warnings found by the run itself (the scenario's were shown before it).
        for warning in report.warnings.iter().skip(scenario.warnings.len()) {
            eprintln!("warning: {warning}");
        }
    }
    let text = reports::render(&report, common.format.into()).map_err(Failure::Io)?;
    write_output(common.out.as_deref(), &text).map_err(Failure::Io)?;
    Ok(ExitStatus::Success)
}

/// The per-trial CSV of `simulate --samples`, written as the trials run and put in place only
/// when the run is complete.
struct Samples {
    writer: reports::samples::SampleWriter<io::AtomicFile>,
    path: std::path::PathBuf,
}

impl Samples {
    fn create(path: &Path) -> Result<Samples, Failure> {
        let file = io::AtomicFile::create(path).map_err(|e| Failure::Io(e.into()))?;
        let writer = reports::samples::SampleWriter::new(file)
            .map_err(|e| Failure::Io(anyhow::anyhow!("cannot write {}: {e}", path.display())))?;
        Ok(Samples {
            writer,
            path: path.to_path_buf(),
        })
    }

    /// Simulates `range`, streaming its samples.
    fn run(
        &mut self,
        scenario: &Scenario,
        options: &RunOptions<'_>,
        range: std::ops::Range<u64>,
    ) -> Result<scenarios::Results, Failure> {
        let writer = &mut self.writer;
        scenarios::simulate::simulate_range_sampled(scenario, options, range, |compiled, rows| {
            writer.write(compiled, rows)
        })
        .map_err(|e| Failure::BadInput(e.to_string()))?
        .map_err(|e| Failure::Io(anyhow::anyhow!("cannot write {}: {e}", self.path.display())))
    }

    fn commit(self) -> Result<(), Failure> {
        let file = self.writer.finish().map_err(Failure::Io)?;
        file.commit().map_err(|e| Failure::Io(e.into()))
    }
}

/// Runs `work` on a rayon pool of `threads` threads, so that what the libraries do in parallel
/// (building a plan report) keeps to the threads asked for. Should no pool be made, `work` runs
/// on rayon's global pool: same result, other threads.
pub fn on_threads<T: Send>(threads: usize, work: impl FnOnce() -> T + Send) -> T {
    match rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
    {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    }
}

/// Runs `work` while a progress bar on stderr follows `progress` (`unit`s done out of
/// `total`), when `show` and stderr is a terminal. When `show`, a warning is printed once if
/// the run, at the rate measured over its first seconds, would take more than an hour.
pub fn with_progress<T: Send>(
    show: bool,
    total: u64,
    unit: &str,
    progress: &AtomicU64,
    work: impl FnOnce() -> T + Send,
) -> T {
    if !show {
        return work();
    }
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(total),
            indicatif::ProgressDrawTarget::stderr(),
        );
        if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
            "{{bar:40}} {{pos}}/{{len}} {unit}  {{per_sec}}  eta {{eta}}"
        )) {
            bar.set_style(style);
        }
        bar
    });
    let done = std::sync::atomic::AtomicBool::new(false);
    let started = std::time::Instant::now();
    let result = std::thread::scope(|scope| {
        scope.spawn(|| {
            let mut warned = false;
            while !done.load(Ordering::Relaxed) {
                let units = progress.load(Ordering::Relaxed);
                if let Some(bar) = &bar {
                    bar.set_position(units);
                }
                if !warned {
                    if let Some(warning) = duration_warning(units, started.elapsed(), total) {
                        warned = true;
                        match &bar {
                            Some(bar) => bar.println(format!("warning: {warning}")),
                            None => eprintln!("warning: {warning}"),
                        }
                    }
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        let result = work();
        done.store(true, Ordering::Relaxed);
        result
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    result
}

/// Longest expected run that goes without a warning.
pub const LONG_RUN: Duration = Duration::from_secs(3600);

/// The warning for a run that, `done` units of `total` after `elapsed`, would take more than
/// [`LONG_RUN`] at the rate so far; `None` before two seconds of measurement.
pub fn duration_warning(done: u64, elapsed: Duration, total: u64) -> Option<String> {
    if elapsed < Duration::from_secs(2) || done == 0 || done >= total {
        return None;
    }
    let rate = done as f64 / elapsed.as_secs_f64();
    let expected = total as f64 / rate;
    (expected > LONG_RUN.as_secs_f64()).then(|| {
        format!(
            "at the rate so far ({rate:.0} per second) this run would take about {}; \
             lower --trials or --years, or interrupt it with Ctrl-C",
            scenarios::units::format_duration(expected)
        )
    })
}

/// Writes `text` to stdout, or to `path` through a temporary file renamed into place, so a
/// failure never leaves a half-written file (see [`io::write_file`]: only a regular file is
/// replaced, a symbolic link's target is written).
pub fn write_output(path: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match path {
        None => io::write_stdout(text)?,
        Some(path) => io::write_file(path, text)?,
    }
    Ok(())
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
