//! The command line, derived with clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Simulates millions of disasters against the four AWS disaster-recovery strategies
/// (backup & restore, pilot light, warm standby, multi-site) and reports what each delivers.
#[derive(Debug, Parser)]
#[command(
    name = "drsim",
    version,
    about,
    propagate_version = true,
    after_help = "Exit codes: 0 success; 1 a check failed; 2 bad usage or bad input (nothing written); 3 an output could not be written."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// RTO and RPO distributions of the four strategies, per disaster type.
    Simulate(SimulateArgs),
    /// Costs, cost curves over each strategy's knobs, and the recommended strategy.
    Plan(PlanArgs),
    /// One document to read and forward: the pick and why, the distributions per disaster
    /// type with plots, what drives recovery time, costs, loss exceedance, the assumptions.
    Report(ReportArgs),
    /// Write a deployable plan for the pick: CloudFormation per region, runbook, assumptions.
    Export(crate::export::ExportArgs),
    /// Write a commented example scenario (the embedded reference) to start from.
    Init(InitArgs),
    /// Price catalogs: import the AWS Price List files, show what a catalog holds.
    #[command(subcommand)]
    Prices(PricesCommand),
    /// Merge the results files of the shards of one run (`--shard K/N`) and render what the
    /// whole run renders.
    Merge(MergeArgs),
    /// CI gate: judge the deployed strategy against every disaster type's objectives (and a
    /// baseline); exit 1 when a check fails.
    Check(CheckArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Scenario file (TOML); the embedded reference scenario when left out.
    pub scenario: Option<PathBuf>,
    /// The deployed strategy (default: the scenario's `[check] strategy`).
    #[arg(long, value_name = "NAME")]
    pub strategy: Option<String>,
    /// Number of trials (disasters), at least 1.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub trials: u64,
    /// Seed of the random streams; the same seed gives the same output.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads (default: all cores); the output does not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..1025))]
    pub threads: Option<u32>,
    /// Compare with this results file (from --save-baseline); a significant change beyond
    /// `[check] tolerance` fails.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write this run's results file here, to use later as --baseline.
    #[arg(long, value_name = "FILE")]
    pub save_baseline: Option<PathBuf>,
    /// Run only slice K of N of the trials and write its results file (to --out or stdout);
    /// `drsim merge` then judges the whole run. `auto/N` reads K from AWS_BATCH_JOB_ARRAY_INDEX
    /// or JOB_COMPLETION_INDEX (0-based).
    #[arg(long, value_name = "K/N", value_parser = crate::shard::parse, conflicts_with_all = ["baseline", "save_baseline", "junit"])]
    pub shard: Option<crate::shard::ShardSpec>,
    /// Keep adding trials until this Monte Carlo standard error is reached in every disaster
    /// type of the strategy judged (`p95-rto=30s`, `p95-rpo=1m`, `p-meet=0.002`; repeatable),
    /// with --trials as the cap.
    #[arg(long, value_name = "TARGET", value_parser = crate::precision::parse, conflicts_with = "shard")]
    pub precision: Vec<crate::precision::Target>,
    /// Write a JUnit XML report here (a testsuite per disaster type, a testcase per objective).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Table)]
    pub format: CheckFormat,
    /// Write the output to this file (atomically) instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// No progress bar and no warnings on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Output formats of `drsim check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// Text for people.
    Table,
    /// Versioned JSON for machines.
    Json,
    /// Markdown (what goes to GITHUB_STEP_SUMMARY).
    Markdown,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Results files, one per shard (any order).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the output to this file (atomically) instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// No warnings on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Scenario file (TOML); the embedded reference scenario when left out.
    pub scenario: Option<PathBuf>,
    /// Simulated years per knob setting, up to 100,000,000 (default: the scenario's `[plan] years`).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=scenarios::limits::MAX_YEARS))]
    pub years: Option<u64>,
    /// Run only slice K of N of the simulated years and write its results file (to --out or
    /// stdout); `drsim merge` then makes the whole plan. `auto/N` reads K from
    /// AWS_BATCH_JOB_ARRAY_INDEX or JOB_COMPLETION_INDEX (0-based).
    #[arg(long, value_name = "K/N", value_parser = crate::shard::parse)]
    pub shard: Option<crate::shard::ShardSpec>,
    #[command(flatten)]
    pub common: CommonFlags,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Scenario file (TOML); the embedded reference scenario when left out.
    pub scenario: Option<PathBuf>,
    /// Write the document to this file (atomically) instead of stdout; a `.md` or `.html`
    /// extension sets the format.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Document format (default: from the extension of --out, else HTML).
    #[arg(long, value_enum)]
    pub format: Option<DocumentFormat>,
    /// Trials (disasters) for the distributions, at least 1.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub trials: u64,
    /// Simulated years per knob setting for the plan (default: the scenario's `[plan] years`).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub years: Option<u64>,
    /// Seed of the random streams, shared by both runs; the same seed gives the same document.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads (default: all cores); the output does not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..1025))]
    pub threads: Option<u32>,
    /// No progress bar and no warnings on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Formats of `drsim report`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DocumentFormat {
    /// One self-contained page with plots.
    Html,
    /// Markdown: headline first, tables, at most 65,536 characters.
    Markdown,
}

#[derive(Debug, Subcommand)]
pub enum PricesCommand {
    /// Read AWS Price List files (bulk offer JSON, its CSV variant, or GetProducts JSON) and write
    /// a drsim catalog of the prices drsim uses.
    Import(PricesImportArgs),
    /// Print what a catalog holds (the embedded default unless --catalog is given).
    Show(PricesShowArgs),
}

#[derive(Debug, Args)]
pub struct PricesImportArgs {
    /// Price List files to read.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Where to write the catalog (CSV).
    #[arg(long)]
    pub out: PathBuf,
    /// No progress on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct PricesShowArgs {
    /// Catalog file written by `drsim prices import` (default: the embedded catalog).
    #[arg(long)]
    pub catalog: Option<PathBuf>,
    /// Only this region.
    #[arg(long)]
    pub region: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CatalogFormat::Table)]
    pub format: CatalogFormat,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Scenario file (TOML); the embedded reference scenario when left out.
    pub scenario: Option<PathBuf>,
    /// Run only slice K of N of the trials (whole chunks) and write its results file (JSON, to
    /// --out or stdout) for `drsim merge`; `auto/N` reads K from AWS_BATCH_JOB_ARRAY_INDEX or
    /// JOB_COMPLETION_INDEX (0-based).
    #[arg(long, value_name = "K/N", value_parser = crate::shard::parse)]
    pub shard: Option<crate::shard::ShardSpec>,
    /// Keep adding trials until this Monte Carlo standard error is reached in every disaster
    /// type of every strategy (`p95-rto=30s`, `p95-rpo=1m`, `p-meet=0.002`; repeatable), with
    /// --trials as the cap.
    #[arg(long, value_name = "TARGET", value_parser = crate::precision::parse, conflicts_with = "shard")]
    pub precision: Vec<crate::precision::Target>,
    /// Also write every trial to FILE as CSV, streamed (memory stays flat): the trial, its
    /// disaster type and, per strategy, the RTO and RPO in seconds and the step that added the
    /// most time to the recovery (empty when the primary came back first).
    #[arg(long, value_name = "FILE", conflicts_with = "shard")]
    pub samples: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunFlags,
}

/// Flags of `simulate`.
#[derive(Debug, Args)]
pub struct RunFlags {
    /// Number of trials (disasters), from 1 to 10,000,000,000.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=scenarios::limits::MAX_TRIALS))]
    pub trials: u64,
    #[command(flatten)]
    pub common: CommonFlags,
}

/// Flags every simulating subcommand shares.
#[derive(Debug, Args)]
pub struct CommonFlags {
    /// Seed of the random streams; the same seed gives the same output.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads (default: all cores); the output does not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..1025))]
    pub threads: Option<u32>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the output to this file (atomically) instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// No progress bar and no warnings on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

impl CommonFlags {
    /// The worker threads to use: `--threads`, else every core.
    pub fn threads(&self) -> usize {
        threads(self.threads)
    }
}

/// The worker threads to use: the `--threads` given, else every core.
pub fn threads(flag: Option<u32>) -> usize {
    flag.map(|t| t as usize)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the scenario ("-" for stdout).
    #[arg(default_value = "drsim.toml")]
    pub path: PathBuf,
    /// Overwrite the file if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Tables for people.
    Table,
    /// Versioned JSON for machines.
    Json,
    /// CSV: one row per strategy, disaster type and metric (simulate), or per setting (plan).
    Csv,
    /// Markdown for pull requests and CI job summaries: headline first, tables.
    Markdown,
    /// One self-contained HTML page with plots (no external files; prints well).
    Html,
}

impl From<Format> for reports::Format {
    fn from(f: Format) -> reports::Format {
        match f {
            Format::Table => reports::Format::Table,
            Format::Json => reports::Format::Json,
            Format::Csv => reports::Format::Csv,
            Format::Markdown => reports::Format::Markdown,
            Format::Html => reports::Format::Html,
        }
    }
}

/// How `prices show` prints a catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CatalogFormat {
    /// A table for people.
    Table,
    /// A JSON array of lines (`usd` a decimal string, null when not sourced).
    Json,
    /// The catalog file itself.
    Csv,
}
