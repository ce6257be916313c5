//! `drsim plan`: costs, cost curves over the knobs, the frontier and the pick. The
//! [`PlanReport`] built here is what every format renders; its serde form is the JSON schema.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;

use planner::pick::{Pick, assured};
use planner::{Evaluated, PlanOptions};
use pricing::{Catalog, Usd};
use scenarios::Scenario;
use scenarios::model::PickRule;
use serde::Serialize;
use sim_core::stats::Tally;

use crate::cli::PlanArgs;
use crate::exit::ExitStatus;
use crate::report::{Probability, SCHEMA_VERSION, ScenarioInfo, probability};
use crate::{Failure, load_scenario, output, write_output};

/// Annual-loss thresholds of the loss-exceedance curve, US dollars.
const EXCEEDANCE_USD: [u64; 9] = [
    10_000,
    30_000,
    100_000,
    300_000,
    1_000_000,
    3_000_000,
    10_000_000,
    30_000_000,
    100_000_000,
];

#[derive(Debug, Serialize)]
pub struct PlanReport {
    pub schema_version: &'static str,
    pub drsim_version: &'static str,
    pub scenario: ScenarioInfo,
    pub seed: u64,
    /// Simulated years per setting.
    pub years: u64,
    pub confidence: f64,
    /// "cheapest" or "total-cost-of-risk".
    pub pick_rule: &'static str,
    /// The recommended setting, or null when none meets the objectives.
    pub pick: Option<SettingReport>,
    /// For each strategy not picked, why.
    pub why_not: Vec<WhyNot>,
    /// Every setting, in sweep order.
    pub settings: Vec<SettingReport>,
    /// Catalog items priced at the fallback region's price.
    pub substituted_prices: Vec<String>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct WhyNot {
    pub strategy: &'static str,
    pub reason: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct LineItemReport {
    pub name: String,
    pub detail: String,
    /// US dollars, two decimals.
    pub usd: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Quantiles {
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Exceedance {
    pub annual_loss_usd: u64,
    pub probability: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct SettingReport {
    pub strategy: &'static str,
    pub setting: String,
    /// Monthly DR spend, US dollars (two decimals, exact).
    pub monthly_spend: String,
    pub line_items: Vec<LineItemReport>,
    pub disasters: u64,
    /// Seconds, over every disaster the setting lived through.
    pub rto_p50: f64,
    pub rto_p95: f64,
    pub rpo_p50: f64,
    pub rpo_p95: f64,
    /// Seconds, over region losses alone (where the strategies differ most).
    pub region_loss_rto_p95: f64,
    pub region_loss_rpo_p95: f64,
    pub p_meet_rto: Probability,
    pub p_meet_rpo: Probability,
    pub p_meet_both: Probability,
    pub meets_objectives: bool,
    pub on_frontier: bool,
    /// Hours of downtime per year.
    pub annual_downtime_hours: Quantiles,
    /// US dollars lost per year (downtime and lost data).
    pub annual_loss_usd: Quantiles,
    pub expected_annual_loss: String,
    /// Infrastructure and fees spent on disasters per year, on average.
    pub expected_disaster_cost: String,
    pub drills_per_year: String,
    /// 12 × monthly spend + drills + expected disaster cost + expected annual loss.
    pub total_cost_of_risk: String,
    pub loss_exceedance: Vec<Exceedance>,
}

fn usd(u: Usd) -> String {
    format!("{:.2}", u.0.round_dp(2))
}

fn quantiles(t: &Tally, scale: f64) -> Quantiles {
    let r = |x: f64| (x * scale * 1000.0).round() / 1000.0;
    Quantiles {
        mean: r(t.mean()),
        p50: r(t.quantile(0.5) as f64),
        p90: r(t.quantile(0.9) as f64),
        p99: r(t.quantile(0.99) as f64),
    }
}

fn setting_report(e: &Evaluated, confidence: f64, on_frontier: bool) -> SettingReport {
    let s = &e.stats;
    let secs = |t: &Tally, q: f64| t.quantile(q) as f64 / 1000.0;
    let years = s.annual_loss.count().max(1) as f64;
    SettingReport {
        strategy: e.setting.strategy.name(),
        setting: e.setting.label.clone(),
        monthly_spend: usd(e.monthly_total),
        line_items: e
            .monthly
            .iter()
            .map(|l| LineItemReport {
                name: l.name.clone(),
                detail: l.detail.clone(),
                usd: usd(l.usd),
            })
            .collect(),
        disasters: s.rto.count(),
        rto_p50: secs(&s.rto, 0.5),
        rto_p95: secs(&s.rto, 0.95),
        rpo_p50: secs(&s.rpo, 0.5),
        rpo_p95: secs(&s.rpo, 0.95),
        region_loss_rto_p95: secs(&s.region_rto, 0.95),
        region_loss_rpo_p95: secs(&s.region_rpo, 0.95),
        p_meet_rto: probability(&s.meets_rto),
        p_meet_rpo: probability(&s.meets_rpo),
        p_meet_both: probability(&s.meets_both),
        meets_objectives: s.meets_both.trials > 0 && assured(e) >= confidence,
        on_frontier,
        annual_downtime_hours: quantiles(&s.annual_downtime, 1.0 / 3_600_000.0),
        annual_loss_usd: quantiles(&s.annual_loss, 0.01),
        expected_annual_loss: usd(e.expected_annual_loss),
        expected_disaster_cost: usd(e.expected_disaster_cost),
        drills_per_year: usd(e.drills_per_year),
        total_cost_of_risk: usd(e.total_cost_of_risk),
        loss_exceedance: EXCEEDANCE_USD
            .iter()
            .map(|&x| {
                let above = s.annual_loss.count() - s.annual_loss.count_at_most(x * 100);
                Exceedance {
                    annual_loss_usd: x,
                    probability: ((above as f64 / years) * 1e6).round() / 1e6,
                }
            })
            .collect(),
    }
}

/// Builds the report of a finished plan.
pub fn build(
    scenario: &Scenario,
    file: &str,
    plan: &planner::Plan,
    pick: &Pick,
    seed: u64,
) -> PlanReport {
    let confidence = scenario.objectives.confidence;
    let settings: Vec<SettingReport> = plan
        .evaluated
        .iter()
        .enumerate()
        .map(|(i, e)| setting_report(e, confidence, pick.frontier.contains(&i)))
        .collect();
    let mut warnings = scenario.warnings.clone();
    if !plan.substituted_prices.is_empty() {
        warnings.push(format!(
            "{} prices are not sourced for {} in the catalog and were taken from {}: {}",
            plan.substituted_prices.len(),
            scenario.recovery_region,
            scenario.pricing.fallback_region.as_deref().unwrap_or("-"),
            plan.substituted_prices.join(", ")
        ));
    }
    PlanReport {
        schema_version: SCHEMA_VERSION,
        drsim_version: env!("CARGO_PKG_VERSION"),
        scenario: ScenarioInfo::new(scenario, file),
        seed,
        years: plan.years,
        confidence,
        pick_rule: match scenario.costs.pick {
            PickRule::Cheapest => "cheapest",
            PickRule::TotalCostOfRisk => "total-cost-of-risk",
        },
        pick: pick.chosen.and_then(|i| settings.get(i).cloned()),
        why_not: pick
            .reasons
            .iter()
            .map(|(s, r)| WhyNot {
                strategy: s.name(),
                reason: r.clone(),
            })
            .collect(),
        settings,
        substituted_prices: plan.substituted_prices.clone(),
        warnings,
    }
}

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

/// Runs `drsim plan`.
pub fn run(args: &PlanArgs) -> Result<ExitStatus, Failure> {
    let common = &args.common;
    let (scenario, file) = load_scenario(args.scenario.as_deref())?;
    if !common.quiet {
        for warning in &scenario.warnings {
            eprintln!("warning: {warning}");
        }
    }
    let catalog = load_catalog(&scenario, args.scenario.as_deref())?;
    let years = args.years.unwrap_or(scenario.plan.years);
    let (threads, warning) =
        crate::budget::plan_threads(common.threads(), planner::settings(&scenario).len());
    if let (Some(warning), false) = (warning, common.quiet) {
        eprintln!("warning: {warning}");
    }
    let progress = AtomicU64::new(0);
    let options = PlanOptions {
        years,
        seed: common.seed,
        threads,
        progress: Some(&progress),
    };
    let show = !common.quiet && years >= 10_000;
    let plan = crate::with_progress(show, years, &progress, || {
        planner::plan(&scenario, &catalog, &options)
    })
    .map_err(|e| Failure::BadInput(e.to_string()))?;
    let pick = planner::pick::pick(&plan, &scenario);
    let report = build(&scenario, &file, &plan, &pick, common.seed);
    if !common.quiet {
        for warning in report.warnings.iter().skip(scenario.warnings.len()) {
            eprintln!("warning: {warning}");
        }
    }
    let text = output::renderer(common.format)
        .render_plan(&report)
        .map_err(Failure::Io)?;
    write_output(common.out.as_deref(), &text).map_err(Failure::Io)?;
    Ok(ExitStatus::Success)
}
