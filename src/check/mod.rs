//! `drsim check`: the CI gate.
//!
//! It simulates the scenario and judges the deployed strategy (`--strategy`, else `[check]
//! strategy`, with its knobs as the scenario sets them) per disaster type, as `drsim plan`
//! judges a setting (`planner::pick::assured`): for every disaster type with a non-zero rate,
//! each of its objectives is a test case that passes when the lower end of the 95 % Wilson
//! interval of P(meet) reaches `objectives.confidence` — RTO alone, RPO alone, and both
//! together (the plan's judgment). With `--baseline`, each type also gets three regression
//! cases: p95 RTO, p95 RPO and P(meet both) against the baseline's. A regression fails only
//! when the change is beyond `[check] tolerance` (p95s) or `[check] p-meet-tolerance`
//! (P(meet)) **and** significant given both runs' Monte Carlo error:
//!
//! - p95: the two runs' distribution-free 95 % intervals of p95 (`Tally::quantile_interval`)
//!   do not overlap, the current one above;
//! - P(meet both): a one-sided two-proportion z-test with the pooled proportion,
//!   z = (p_base − p_now) / √(p̄(1 − p̄)(1/n_base + 1/n_now)) > 1.96.
//!
//! A change beyond the tolerance that is within the noise passes with a note, and so does an
//! improvement. Everything is a record here; `render` writes the text, Markdown, JUnit XML and
//! GitHub annotations.

mod render;

use std::io::Write;
use std::path::Path;
use std::sync::atomic::AtomicU64;

use scenarios::simulate::{Cell, Compiled, Results};
use scenarios::{Disaster, RunOptions, Scenario, Strategy};
use serde::Serialize;
use sim_core::stats::{Proportion, Tally, Z_95};

use crate::cli::{CheckArgs, CheckFormat};
use crate::exit::ExitStatus;
use crate::report::{Probability, ScenarioInfo, probability};
use crate::results_file::{Header, ResultsFile, ShardRecord, Source};
use crate::{Failure, with_progress, write_output};
use pricing::Usd;

/// Version of `drsim check --format json`; bump the major part on any breaking change.
pub const SCHEMA_VERSION: &str = "1.0";

/// What `drsim check` found.
#[derive(Debug, Serialize)]
pub struct CheckReport {
    pub schema_version: &'static str,
    pub drsim_version: &'static str,
    pub scenario: ScenarioInfo,
    pub seed: u64,
    pub trials: u64,
    pub strategy: &'static str,
    pub confidence: f64,
    /// Whether every case passed.
    pub passed: bool,
    pub failures: usize,
    pub baseline: Option<BaselineInfo>,
    /// With `--precision`: whether it was reached, and the trials it took.
    pub precision: Option<PrecisionInfo>,
    /// The strategy's monthly DR spend, US dollars (a decimal string; `null` when a price is
    /// missing).
    pub monthly_spend: Option<String>,
    /// With `--baseline`: the monthly spend against the baseline's (a JUnit suite of its own,
    /// `monthly-spend`).
    pub spend_cases: Vec<Case>,
    /// One per disaster type, in simulation order.
    pub disasters: Vec<DisasterCases>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct BaselineInfo {
    pub file: String,
    pub seed: u64,
    pub trials: u64,
    /// Whether the scenario differs from the one the baseline ran (what a baseline check is
    /// for: the difference is judged, not refused).
    pub scenario_changed: bool,
}

#[derive(Debug, Serialize)]
pub struct PrecisionInfo {
    pub reached: bool,
    pub trials_used: u64,
    /// `--trials`.
    pub cap: u64,
}

#[derive(Debug, Serialize)]
pub struct DisasterCases {
    pub disaster: &'static str,
    pub annual_rate: f64,
    pub trials: u64,
    pub cases: Vec<Case>,
}

/// One test case.
#[derive(Debug, Serialize)]
pub struct Case {
    /// `rto`, `rpo`, `rto-and-rpo`; `p95-rto-vs-baseline`, `p95-rpo-vs-baseline`,
    /// `p-meet-vs-baseline`.
    pub name: &'static str,
    /// `objective` or `regression`.
    pub kind: &'static str,
    /// `passed`, `failed` or `skipped`.
    pub status: &'static str,
    /// One line with the numbers.
    pub message: String,
    /// Why a case that moved still passes (within noise, within tolerance, improved).
    pub note: Option<String>,
    /// The scenario key behind the case, when one is.
    pub key: Option<String>,
    /// Objective cases: the probability of meeting it, with its interval.
    pub p_meet: Option<Probability>,
}

impl Case {
    fn failed(&self) -> bool {
        self.status == "failed"
    }
}

/// `drsim check`.
pub fn run(args: &CheckArgs) -> Result<ExitStatus, Failure> {
    let source = Source::read(args.scenario.as_deref())?;
    let scenario = &source.scenario;
    let strategy = match &args.strategy {
        None => scenario.check.strategy,
        Some(name) => scenarios::names::parse(&Strategy::ALL, Strategy::name, name)
            .map_err(|m| {
                Failure::BadInput(format!(
                    "--strategy: {m}\n  help: name the strategy deployed, or set `[check] strategy` in the scenario"
                ))
            })?,
    };
    // Everything that can be refused is refused before the run, so nothing is half-written.
    let baseline = match &args.baseline {
        None => None,
        Some(path) => Some(Baseline::read(path, &source, strategy)?),
    };
    if !args.quiet {
        for warning in &scenario.warnings {
            eprintln!("warning: {warning}");
        }
    }
    let spend = monthly_spend(&source, args.scenario.as_deref(), strategy, args.quiet);
    let progress = AtomicU64::new(0);
    let threads = crate::cli::threads(args.threads);
    let options = RunOptions {
        trials: args.trials,
        seed: args.seed,
        threads,
        progress: Some(&progress),
    };
    let shard = args.shard.map(|spec| spec.resolve()).transpose()?;
    let range =
        match shard {
            None => 0..args.trials,
            Some(s) => scenarios::simulate::shard_range(args.trials, s.index, s.count).ok_or_else(
                || Failure::BadInput(format!("shard {}/{} is not a slice", s.index, s.count)),
            )?,
        };
    let size = range.end - range.start;
    let show = !args.quiet && size >= 100_000;
    let mut precision = None;
    let results = with_progress(show, size, "trials", &progress, || {
        if args.precision.is_empty() {
            return scenarios::simulate::simulate_range(scenario, &options, range.clone());
        }
        let (results, outcome) = crate::precision::simulate(
            scenario,
            args.seed,
            threads,
            args.trials,
            &args.precision,
            &[strategy],
            options.progress,
        )?;
        precision = Some(outcome);
        Ok(results)
    })
    .map_err(|e| Failure::BadInput(e.to_string()))?;
    if let Some(outcome) = &precision
        && !args.quiet
    {
        eprintln!("{}", outcome.describe());
    }
    if let Some(shard) = shard {
        // A slice is not judged: `drsim merge` judges the whole run.
        let file = ResultsFile::new(
            &source,
            &Header {
                command: "check",
                strategy: Some(strategy),
                seed: args.seed,
                trials: args.trials,
                shard,
                range,
                monthly_spend: spend,
            },
            &results,
        )
        .map_err(Failure::Io)?;
        let text = file.to_text().map_err(Failure::Io)?;
        write_output(args.out.as_deref(), &text).map_err(Failure::Io)?;
        return Ok(ExitStatus::Success);
    }
    let mut report = judge(
        &source,
        &results,
        strategy,
        args.seed,
        spend,
        baseline.as_ref(),
    );
    report.precision = precision.map(|o| PrecisionInfo {
        reached: o.met,
        trials_used: o.trials,
        cap: args.trials,
    });

    if let Some(path) = &args.save_baseline {
        let file = ResultsFile::new(
            &source,
            &Header {
                command: "check",
                strategy: Some(strategy),
                seed: args.seed,
                // With --precision, the trials used.
                trials: results.trials,
                shard: ShardRecord { index: 1, count: 1 },
                range: 0..results.trials,
                monthly_spend: spend,
            },
            &results,
        )
        .map_err(Failure::Io)?;
        write_output(Some(path), &file.to_text().map_err(Failure::Io)?).map_err(Failure::Io)?;
    }
    if let Some(path) = &args.junit {
        write_output(Some(path), &render::junit(&report)).map_err(Failure::Io)?;
    }
    if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|s| !s.is_empty()) {
        append(Path::new(&summary), &render::markdown(&report)).map_err(Failure::Io)?;
    }
    if std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true") {
        for line in render::annotations(&report, source.text.as_deref()) {
            eprintln!("{line}");
        }
    }
    finish(&report, args.format, args.out.as_deref())
}

/// Renders the report, writes it, and gives the exit status of its verdict.
pub fn finish(
    report: &CheckReport,
    format: CheckFormat,
    out: Option<&Path>,
) -> Result<ExitStatus, Failure> {
    let text = match format {
        CheckFormat::Table => render::text(report),
        CheckFormat::Markdown => render::markdown(report),
        CheckFormat::Json => {
            let mut text =
                serde_json::to_string_pretty(report).map_err(|e| Failure::Io(e.into()))?;
            text.push('\n');
            text
        }
    };
    write_output(out, &text).map_err(Failure::Io)?;
    Ok(if report.passed {
        ExitStatus::Success
    } else {
        ExitStatus::CheckFailed
    })
}

/// Appends to a file (the job summary GitHub Actions renders).
fn append(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot append to GITHUB_STEP_SUMMARY ({}): {e}",
                path.display()
            )
        })?;
    file.write_all(text.as_bytes()).map_err(|e| {
        anyhow::anyhow!(
            "cannot append to GITHUB_STEP_SUMMARY ({}): {e}",
            path.display()
        )
    })
}

/// The strategy's monthly DR spend in the recovery region (docs/costs.md), from the embedded
/// catalog and the scenario's own; `None`, with a warning, when a price is missing.
fn monthly_spend(
    source: &Source,
    path: Option<&Path>,
    strategy: Strategy,
    quiet: bool,
) -> Option<Usd> {
    let scenario = &source.scenario;
    let spend = crate::plan::load_catalog(scenario, path)
        .map_err(|e| match e {
            Failure::BadInput(m) => m,
            Failure::Io(e) => format!("{e:#}"),
        })
        .and_then(|catalog| {
            let prices = planner::cost::Prices::new(
                &catalog,
                &scenario.recovery_region,
                scenario.pricing.fallback_region.as_deref(),
            );
            planner::cost::monthly(scenario, &scenario.strategies[strategy.index()], &prices)
                .map(|items| items.iter().map(|i| i.usd).sum::<Usd>())
                .map_err(|e| e.to_string())
        });
    match spend {
        Ok(usd) => Some(usd),
        Err(message) => {
            if !quiet {
                eprintln!("warning: the monthly spend is not checked: {message}");
            }
            None
        }
    }
}

/// An amount rounded to the cent, as a decimal string ("366.17").
fn cents_text(usd: Usd) -> String {
    Usd::from_cents(usd.cents()).0.to_string()
}

/// A baseline read and checked against this run.
pub struct Baseline {
    pub file: String,
    pub seed: u64,
    pub trials: u64,
    pub scenario_changed: bool,
    pub monthly_spend: Option<Usd>,
    pub results: Results,
}

impl Baseline {
    /// Reads a baseline and refuses one from another scenario (by name) or strategy, or a
    /// slice of a run.
    pub fn read(path: &Path, source: &Source, strategy: Strategy) -> Result<Baseline, Failure> {
        let name = path.display().to_string();
        let file = ResultsFile::read(path)?;
        if file.scenario.name != source.scenario.name {
            return Err(Failure::BadInput(format!(
                "{name}: a baseline of another scenario (\"{}\"), not of \"{}\" ({})\n  help: compare with a baseline saved from this scenario (`drsim check {} --save-baseline FILE`)",
                file.scenario.name, source.scenario.name, source.file, source.file
            )));
        }
        if let Some(theirs) = &file.strategy
            && theirs != strategy.name()
        {
            return Err(Failure::BadInput(format!(
                "{name}: a baseline of {theirs}, but this check judges {}\n  help: check the same strategy as the baseline (--strategy {theirs}), or save a new baseline",
                strategy.name()
            )));
        }
        if (file.range.start, file.range.end) != (0, file.trials) {
            return Err(Failure::BadInput(format!(
                "{name}: shard {}/{} of a run, not a whole run\n  help: save the baseline from a whole run (`drsim check --save-baseline FILE`)",
                file.shard.index, file.shard.count
            )));
        }
        let theirs = Source::from_text(file.scenario.text.clone(), &file.scenario.file)?;
        let compiled =
            Compiled::new(&theirs.scenario).map_err(|e| Failure::BadInput(e.to_string()))?;
        let results = file.results(&compiled, &name)?;
        Ok(Baseline {
            monthly_spend: file.spend(&name)?,
            file: name,
            seed: file.seed,
            trials: file.trials,
            scenario_changed: file.scenario.hash != source.hash(),
            results,
        })
    }
}

fn seconds(ms: u64) -> f64 {
    ms as f64 / 1000.0
}

fn pct(p: f64) -> String {
    format!("{:.2}%", 100.0 * p)
}

/// The scenario key of an objective: the type's own override if the file sets it, else the
/// shared one.
fn objective_key(disaster: Disaster, which: &str) -> String {
    format!("objectives.{}.{which}", disaster.name())
}

/// Judges a run (and compares it with a baseline).
pub fn judge(
    source: &Source,
    results: &Results,
    strategy: Strategy,
    seed: u64,
    spend: Option<Usd>,
    baseline: Option<&Baseline>,
) -> CheckReport {
    let scenario = &source.scenario;
    let confidence = scenario.objectives.confidence;
    let mut disasters = Vec::new();
    for disaster in Disaster::ALL {
        let cell = &results.cells[strategy.index()][disaster.index()];
        let rate = scenario.disasters[disaster.index()].annual_rate;
        let mut cases = Vec::new();
        let objective = &scenario.objectives.by_disaster[disaster.index()];
        for (name, which, p, target) in [
            ("rto", "rto", &cell.meets_rto, Some(objective.rto)),
            ("rpo", "rpo", &cell.meets_rpo, Some(objective.rpo)),
            ("rto-and-rpo", "", &cell.meets_both, None),
        ] {
            cases.push(objective_case(
                name,
                (!which.is_empty()).then(|| objective_key(disaster, which)),
                p,
                target,
                confidence,
                rate,
            ));
        }
        if let Some(base) = baseline {
            let theirs = &base.results.cells[strategy.index()][disaster.index()];
            cases.extend(regressions(scenario, cell, theirs, rate));
        }
        disasters.push(DisasterCases {
            disaster: disaster.name(),
            annual_rate: rate,
            trials: cell.rto.count(),
            cases,
        });
    }
    let spend_cases: Vec<Case> = match (spend, baseline) {
        (Some(now), Some(base)) => vec![spend_case(now, base.monthly_spend, scenario)],
        _ => Vec::new(),
    };
    let failures = disasters
        .iter()
        .flat_map(|d| &d.cases)
        .chain(&spend_cases)
        .filter(|c| c.failed())
        .count();
    CheckReport {
        schema_version: SCHEMA_VERSION,
        drsim_version: env!("CARGO_PKG_VERSION"),
        scenario: ScenarioInfo::new(scenario, &source.file),
        seed,
        trials: results.trials,
        strategy: strategy.name(),
        confidence,
        passed: failures == 0,
        failures,
        precision: None,
        monthly_spend: spend.map(cents_text),
        spend_cases,
        baseline: baseline.map(|b| BaselineInfo {
            file: b.file.clone(),
            seed: b.seed,
            trials: b.trials,
            scenario_changed: b.scenario_changed,
        }),
        disasters,
        warnings: scenario.warnings.clone(),
    }
}

fn objective_case(
    name: &'static str,
    key: Option<String>,
    p: &Proportion,
    target: Option<f64>,
    confidence: f64,
    rate: f64,
) -> Case {
    let prob = probability(p);
    let what = match (name, target) {
        (_, Some(t)) => format!(
            "P({} ≤ {})",
            name.to_uppercase(),
            scenarios::units::format_duration(t)
        ),
        _ => "P(RTO and RPO both met)".to_string(),
    };
    if rate <= 0.0 {
        return Case {
            name,
            kind: "objective",
            status: "skipped",
            message: "annual rate 0: this disaster type does not happen in the scenario".into(),
            note: None,
            key,
            p_meet: None,
        };
    }
    let assured = planner::pick::assured(p);
    let passed = assured >= confidence;
    let message = format!(
        "{what} = {} (95% interval {}–{}, {} trials): lower bound {} {} confidence {}",
        pct(prob.estimate),
        pct(prob.ci95_low),
        pct(prob.ci95_high),
        p.trials,
        pct(assured),
        if passed { "≥" } else { "<" },
        pct(confidence)
    );
    Case {
        name,
        kind: "objective",
        status: if passed { "passed" } else { "failed" },
        message,
        note: None,
        key,
        p_meet: Some(prob),
    }
}

/// The regression cases of one disaster type.
fn regressions(scenario: &Scenario, now: &Cell, base: &Cell, rate: f64) -> Vec<Case> {
    let tolerance = scenario.check.tolerance;
    let mut cases = Vec::new();
    for (name, a, b) in [
        ("p95-rto-vs-baseline", &now.rto, &base.rto),
        ("p95-rpo-vs-baseline", &now.rpo, &base.rpo),
    ] {
        cases.push(p95_case(name, a, b, tolerance, rate));
    }
    cases.push(p_meet_case(
        &now.meets_both,
        &base.meets_both,
        scenario.check.p_meet_tolerance,
        rate,
    ));
    cases
}

fn skipped_regression(name: &'static str, why: &str) -> Case {
    Case {
        name,
        kind: "regression",
        status: "skipped",
        message: why.to_string(),
        note: None,
        key: None,
        p_meet: None,
    }
}

fn p95_case(
    name: &'static str,
    now: &Tally,
    base: &Tally,
    tolerance: scenarios::model::Tolerance,
    rate: f64,
) -> Case {
    if rate <= 0.0 || now.is_empty() || base.is_empty() {
        return skipped_regression(name, "no trials of this disaster type in one of the runs");
    }
    let (p_now, p_base) = (seconds(now.quantile(0.95)), seconds(base.quantile(0.95)));
    let (lo_now, hi_now) = now.quantile_interval(0.95, Z_95);
    let (lo_base, hi_base) = base.quantile_interval(0.95, Z_95);
    let allowed = tolerance.allowed(p_base);
    let rise = p_now - p_base;
    let beyond = rise > allowed;
    let significant = lo_now > hi_base;
    let fmt = scenarios::units::format_duration;
    let message = format!(
        "p95 {fmt_now} (95% interval {}–{}) vs baseline {fmt_base} ({}–{}): change {}{}, tolerance {}",
        fmt(seconds(lo_now)),
        fmt(seconds(hi_now)),
        fmt(seconds(lo_base)),
        fmt(seconds(hi_base)),
        if rise < 0.0 { "−" } else { "+" },
        fmt(rise.abs()),
        fmt(allowed),
        fmt_now = fmt(p_now),
        fmt_base = fmt(p_base),
    );
    let note = if beyond && !significant {
        Some(
            "rose beyond the tolerance, but within the Monte Carlo noise (the intervals overlap)"
                .into(),
        )
    } else if rise < 0.0 && -rise > allowed && hi_now < lo_base {
        Some("improved".into())
    } else {
        None
    };
    regression(name, beyond && significant, message, note)
}

/// A comparison with the baseline: it fails when the change is beyond the tolerance and
/// significant.
fn regression(name: &'static str, failed: bool, message: String, note: Option<String>) -> Case {
    Case {
        name,
        kind: "regression",
        status: if failed { "failed" } else { "passed" },
        message,
        note,
        key: None,
        p_meet: None,
    }
}

/// One-sided two-proportion z statistic of a fall from `base` to `now` (pooled proportion);
/// 0 when either has no trials or the pooled proportion is 0 or 1.
pub fn fall_z(now: &Proportion, base: &Proportion) -> f64 {
    if now.trials == 0 || base.trials == 0 {
        return 0.0;
    }
    let (n1, n2) = (base.trials as f64, now.trials as f64);
    let pooled = (base.hits + now.hits) as f64 / (n1 + n2);
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    if se == 0.0 {
        return 0.0;
    }
    (base.estimate() - now.estimate()) / se
}

fn p_meet_case(now: &Proportion, base: &Proportion, tolerance: f64, rate: f64) -> Case {
    let name = "p-meet-vs-baseline";
    if rate <= 0.0 || now.trials == 0 || base.trials == 0 {
        return skipped_regression(name, "no trials of this disaster type in one of the runs");
    }
    let fall = base.estimate() - now.estimate();
    let z = fall_z(now, base);
    let beyond = fall > tolerance;
    let significant = z > Z_95;
    let message = format!(
        "P(RTO and RPO both met) {} ({} trials) vs baseline {} ({} trials): change {:+.2} points, tolerance {:.2} points, z = {:.2}",
        pct(now.estimate()),
        now.trials,
        pct(base.estimate()),
        base.trials,
        -100.0 * fall,
        100.0 * tolerance,
        z
    );
    let note = if beyond && !significant {
        Some("fell beyond the tolerance, but within the Monte Carlo noise (z ≤ 1.96)".into())
    } else if -fall > tolerance && -z > Z_95 {
        Some("improved".into())
    } else {
        None
    };
    regression(name, beyond && significant, message, note)
}

/// The monthly spend against the baseline's: fails when it rose beyond `[check]
/// spend-tolerance` (spend is computed, not sampled: no noise to test).
fn spend_case(now: Usd, base: Option<Usd>, scenario: &Scenario) -> Case {
    let name = "monthly-spend-vs-baseline";
    let Some(base) = base else {
        return skipped_regression(name, "the baseline has no monthly spend");
    };
    let allowed = match scenario.check.spend_tolerance {
        scenarios::model::SpendTolerance::Relative(share) => base.times(share),
        scenarios::model::SpendTolerance::Cents(cents) => {
            Usd::from_cents(i64::try_from(cents).unwrap_or(i64::MAX))
        }
    };
    let rise = now - base;
    let failed = rise.0 > allowed.0;
    let sign = if rise.0.is_sign_negative() {
        "−"
    } else {
        "+"
    };
    let magnitude = Usd(rise.0.abs());
    Case {
        name,
        kind: "regression",
        status: if failed { "failed" } else { "passed" },
        message: format!(
            "monthly DR spend {now} vs baseline {base}: change {sign}{magnitude}, tolerance {allowed}"
        ),
        note: None,
        key: None,
        p_meet: None,
    }
}
