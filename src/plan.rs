//! `drsim plan`: runs the plan over the scenario's catalog and writes the plan report (built and
//! rendered by the `reports` crate).

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;

use planner::PlanOptions;
use pricing::Catalog;
use scenarios::Scenario;

pub use reports::plan::*;

use crate::cli::PlanArgs;
use crate::exit::ExitStatus;
use crate::{Failure, RunSettings, load_scenario, show_warnings, write_output};

/// The embedded catalog, with the scenario's own catalog (relative to the scenario file) over it.
pub fn load_catalog(scenario: &Scenario, scenario_path: Option<&Path>) -> Result<Catalog, Failure> {
    let mut catalog = Catalog::embedded().map_err(|e| Failure::BadInput(e.to_string()))?;
    if let Some(name) = &scenario.pricing.catalog {
        let path: PathBuf = match scenario_path.and_then(Path::parent) {
            Some(dir) => dir.join(name),
            None => PathBuf::from(name),
        };
        let imported =
            crate::prices::read_catalog(&path, "or fix `pricing.catalog` in the scenario")?;
        catalog.overlay(&imported);
    }
    Ok(catalog)
}

/// Plans the scenario over its catalog with a progress bar, and picks. Refuses a sweep past the
/// settings limit, and lowers the threads to the memory budget (saying so unless quiet).
pub fn run_plan(
    scenario: &Scenario,
    file: &str,
    path: Option<&Path>,
    years: u64,
    run: &RunSettings,
) -> Result<(planner::Plan, planner::pick::Pick), Failure> {
    let catalog = load_catalog(scenario, path)?;
    crate::budget::check_settings(scenario, file, path)?;
    // The knobs only: making every setting's scenario here and again in the planner cost ~6 ms
    // on the reference, all of it on one thread.
    let settings = planner::sweep(
        scenario,
        &planner::cost::Prices::new(
            &catalog,
            &scenario.recovery_region,
            scenario.pricing.fallback_region.as_deref(),
        ),
    )
    .len();
    let (threads, warning) = crate::budget::plan_threads(run.threads, settings);
    if let (Some(warning), false) = (warning, run.quiet) {
        eprintln!("warning: {warning}");
    }
    let progress = AtomicU64::new(0);
    let options = PlanOptions {
        years,
        seed: run.seed,
        threads,
        progress: Some(&progress),
    };
    // Every setting lives each year; the bar counts years.
    let plan = crate::with_progress(
        !run.quiet,
        years,
        "simulated years (every setting)",
        &progress,
        || planner::plan(scenario, &catalog, &options),
    )
    .map_err(|e| Failure::BadInput(e.to_string()))?;
    let pick = planner::pick::pick(&plan, scenario);
    Ok((plan, pick))
}

/// The plan report ([`build`]), its per-setting parts built on `threads` threads.
pub fn build_on(
    threads: usize,
    scenario: &Scenario,
    file: &str,
    plan: &planner::Plan,
    pick: &planner::pick::Pick,
    seed: u64,
) -> PlanReport {
    crate::on_threads(threads, || build(scenario, file, plan, pick, seed))
}

/// Runs `drsim plan`.
pub fn run(args: &PlanArgs) -> Result<ExitStatus, Failure> {
    if let Some(shard) = args.shard {
        return crate::merge::plan_shard(args, shard);
    }
    let common = &args.common;
    if let Some(out) = &common.out {
        crate::io::check_output(out).map_err(|e| Failure::Io(e.into()))?;
    }
    let (scenario, file) = load_scenario(args.scenario.as_deref())?;
    show_warnings(&scenario, common.quiet);
    let years = args.years.unwrap_or(scenario.plan.years);
    let run = RunSettings {
        seed: common.seed,
        threads: common.threads(),
        quiet: common.quiet,
    };
    let (plan, pick) = run_plan(&scenario, &file, args.scenario.as_deref(), years, &run)?;
    let report = build_on(run.threads, &scenario, &file, &plan, &pick, common.seed);
    if !common.quiet {
        for warning in report.warnings.iter().skip(scenario.warnings.len()) {
            eprintln!("warning: {warning}");
        }
    }
    let text = reports::render(&report, common.format.into()).map_err(Failure::Io)?;
    write_output(common.out.as_deref(), &text).map_err(Failure::Io)?;
    // The process ends next and its memory goes back at once; freeing the plan's hundreds of
    // histograms one by one first would add ~12 ms on one thread (docs/performance.md).
    std::mem::forget(plan);
    Ok(ExitStatus::Success)
}
