//! Shards: `drsim simulate --shard K/N` runs one slice of the trials into a results file, and
//! `drsim merge` checks that the files are the slices of one run, merges them exactly, and
//! renders what the whole run renders (byte for byte, in every format).

use std::sync::atomic::AtomicU64;

use scenarios::RunOptions;

use std::path::Path;

use crate::cli::{CheckFormat, Format, MergeArgs, PlanArgs, SimulateArgs};
use crate::exit::ExitStatus;
use crate::results_file::{self, Header, ResultsFile, Source};
use crate::shard::ShardSpec;
use crate::{Failure, report, with_progress, write_output};

/// `drsim simulate --shard K/N`: runs the slice and writes its results file.
pub fn simulate_shard(args: &SimulateArgs, spec: ShardSpec) -> Result<ExitStatus, Failure> {
    let (flags, common) = (&args.run, &args.run.common);
    let shard = spec.resolve()?;
    let source = Source::read(args.scenario.as_deref())?;
    if !common.quiet {
        for warning in &source.scenario.warnings {
            eprintln!("warning: {warning}");
        }
    }
    let range = scenarios::simulate::shard_range(flags.trials, shard.index, shard.count)
        .ok_or_else(|| {
            Failure::BadInput(format!(
                "shard {}/{} is not a slice",
                shard.index, shard.count
            ))
        })?;
    let progress = AtomicU64::new(0);
    let options = RunOptions {
        trials: flags.trials,
        seed: common.seed,
        threads: common.threads(),
        progress: Some(&progress),
    };
    let size = range.end - range.start;
    let show = !common.quiet && size >= 100_000;
    let results = with_progress(show, size, "trials", &progress, || {
        scenarios::simulate::simulate_range(&source.scenario, &options, range.clone())
    })
    .map_err(|e| Failure::BadInput(e.to_string()))?;
    let file = ResultsFile::new(
        &source,
        &Header {
            command: "simulate",
            strategy: None,
            seed: common.seed,
            trials: flags.trials,
            shard,
            range,
            monthly_spend: None,
        },
        &results,
    )
    .map_err(Failure::Io)?;
    let text = file.to_text().map_err(Failure::Io)?;
    write_output(common.out.as_deref(), &text).map_err(Failure::Io)?;
    Ok(ExitStatus::Success)
}

/// `drsim merge`.
pub fn run(args: &MergeArgs) -> Result<ExitStatus, Failure> {
    let merged = results_file::merge_files(&args.files)?;
    if merged.command == "check" {
        return merge_check(args, &merged);
    }
    if let Some(pass) = merged.plan.clone() {
        return merge_plan(args, &merged, pass);
    }
    let scenario = &merged.source.scenario;
    let report = report::build(scenario, &merged.source.file, &merged.results, merged.seed);
    if !args.quiet {
        for warning in &report.warnings {
            eprintln!("warning: {warning}");
        }
    }
    let text = reports::render(&report, args.format.into()).map_err(Failure::Io)?;
    write_output(args.out.as_deref(), &text).map_err(Failure::Io)?;
    Ok(ExitStatus::Success)
}

/// The shards of `drsim check`: the whole run judged, as `drsim check` would (without a
/// baseline); exit 1 when a check fails.
fn merge_check(args: &MergeArgs, merged: &results_file::Merged) -> Result<ExitStatus, Failure> {
    let strategy = merged
        .strategy
        .as_deref()
        .and_then(|name| {
            scenarios::Strategy::ALL
                .into_iter()
                .find(|s| s.name() == name)
        })
        .ok_or_else(|| {
            Failure::BadInput(
                "the shards of `drsim check` do not name a known strategy (damaged files?)".into(),
            )
        })?;
    let format = match args.format {
        Format::Table => CheckFormat::Table,
        Format::Json => CheckFormat::Json,
        Format::Markdown => CheckFormat::Markdown,
        Format::Csv | Format::Html => {
            return Err(Failure::BadInput(
                "`drsim check` has no CSV or HTML output\n  help: use --format table, json or markdown".into(),
            ));
        }
    };
    let report = crate::check::judge(
        &merged.source,
        &merged.results,
        strategy,
        merged.seed,
        merged.monthly_spend,
        None,
    );
    crate::check::finish(&report, format, args.out.as_deref())
}

/// `drsim plan --shard K/N`: the first pass over a slice of the simulated years.
pub fn plan_shard(args: &PlanArgs, spec: ShardSpec) -> Result<ExitStatus, Failure> {
    let common = &args.common;
    let shard = spec.resolve()?;
    let source = Source::read(args.scenario.as_deref())?;
    let scenario = &source.scenario;
    if !common.quiet {
        for warning in &scenario.warnings {
            eprintln!("warning: {warning}");
        }
    }
    let catalog = crate::plan::load_catalog(scenario, args.scenario.as_deref())?;
    let years = args.years.unwrap_or(scenario.plan.years);
    let range = scenarios::simulate::shard_range_in(
        years,
        shard.index,
        shard.count,
        planner::years::YEARS_PER_CHUNK,
    )
    .ok_or_else(|| {
        Failure::BadInput(format!(
            "shard {}/{} is not a slice",
            shard.index, shard.count
        ))
    })?;
    let progress = AtomicU64::new(0);
    let options = planner::PlanOptions {
        years,
        seed: common.seed,
        threads: common.threads(),
        progress: Some(&progress),
    };
    let pass = with_progress(
        !common.quiet,
        range.end - range.start,
        "simulated years (every setting)",
        &progress,
        || planner::plan_range(scenario, &catalog, &options, range.clone()),
    )
    .map_err(|e| Failure::BadInput(e.to_string()))?;
    let file = ResultsFile::new_plan(
        &source,
        &Header {
            command: "plan",
            strategy: None,
            seed: common.seed,
            trials: years,
            shard,
            range,
            monthly_spend: None,
        },
        &pass,
    )
    .map_err(Failure::Io)?;
    let text = file.to_text().map_err(Failure::Io)?;
    write_output(common.out.as_deref(), &text).map_err(Failure::Io)?;
    Ok(ExitStatus::Success)
}

/// The shards of `drsim plan`: the whole plan, as `drsim plan` renders it (the close calls'
/// extra years are simulated here, on all cores). The scenario's `[pricing] catalog`, if any,
/// is read from where the shards read it (relative to the scenario file as they named it).
fn merge_plan(
    args: &MergeArgs,
    merged: &results_file::Merged,
    pass: planner::years::FirstPass,
) -> Result<ExitStatus, Failure> {
    let scenario = &merged.source.scenario;
    let path = merged
        .source
        .text
        .as_ref()
        .map(|_| Path::new(&merged.source.file));
    let catalog = crate::plan::load_catalog(scenario, path)?;
    let options = planner::PlanOptions {
        years: merged.trials,
        seed: merged.seed,
        threads: crate::cli::threads(None),
        progress: None,
    };
    let plan = planner::plan_from(scenario, &catalog, &options, pass)
        .map_err(|e| Failure::BadInput(e.to_string()))?;
    let pick = planner::pick::pick(&plan, scenario);
    let report = crate::plan::build_on(
        options.threads,
        scenario,
        &merged.source.file,
        &plan,
        &pick,
        merged.seed,
    );
    if !args.quiet {
        for warning in &report.warnings {
            eprintln!("warning: {warning}");
        }
    }
    let text = reports::render(&report, args.format.into()).map_err(Failure::Io)?;
    write_output(args.out.as_deref(), &text).map_err(Failure::Io)?;
    Ok(ExitStatus::Success)
}
