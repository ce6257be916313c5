//! The plan report: costs, cost curves over the knobs, the frontier and the pick, built from a
//! finished plan. Money is `Usd`, serialized as decimal strings; every format renders this one
//! structure, and its serde form is the JSON schema.

use planner::Knobs;
use planner::cost::{Item, LineItem, Unit};
use planner::pick::{Fix, LossKind, Pick, meets, type_meets};
use pricing::Usd;
use rayon::prelude::*;
use scenarios::model::PickRule;
use scenarios::units::{Kind, format_duration, format_exact};
use scenarios::{Disaster, Scenario, Strategy};
use serde::Serialize;
use sim_core::stats::Tally;

use crate::money::{exact, money, money_opt};
use crate::simulation::{ObjectiveInfo, Probability, SCHEMA_VERSION, ScenarioInfo, probability};

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
    /// Simulated years every setting lived through.
    pub years: u64,
    /// Distinct recoveries simulated per disaster: settings whose recovery from a disaster
    /// type reads the same knob values share one.
    pub components: usize,
    pub confidence: f64,
    /// "cheapest" or "total-cost-of-risk".
    pub pick_rule: &'static str,
    /// Seconds, per disaster type.
    pub objectives: Vec<ObjectiveInfo>,
    /// The recommended setting, or null when none meets the objectives.
    pub pick: Option<SettingReport>,
    /// "decided", "too-close-to-call" (some judgment the pick rests on straddles the
    /// confidence even after extra years), or "none" (no setting meets the objectives).
    pub decision: &'static str,
    /// The judgments that stayed too close to call.
    pub close_calls: Vec<CloseCallReport>,
    /// For each strategy not picked, why.
    pub why_not: Vec<WhyNot>,
    /// Disaster types whose recovery no strategy changes in this sweep, with the knobs that do.
    pub unchanged_by_strategy: Vec<UnchangedReport>,
    /// Every setting, in sweep order.
    pub settings: Vec<SettingReport>,
    /// Catalog items priced at the fallback region's price.
    pub substituted_prices: Vec<String>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct CloseCallReport {
    pub strategy: &'static str,
    pub setting: String,
    pub disaster: &'static str,
    pub p_meet: Probability,
    pub years: u64,
}

#[derive(Debug, Serialize)]
pub struct UnchangedReport {
    pub disaster: &'static str,
    pub knobs: Vec<&'static str>,
    pub note: String,
}

#[derive(Debug, Serialize)]
pub struct FixReport {
    /// "setting" (another setting of the strategy meets it) or "objective" (no swept knob
    /// does; the objectives it would meet).
    pub kind: &'static str,
    pub setting: Option<String>,
    /// Seconds.
    pub rto: Option<f64>,
    pub rpo: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct MissReport {
    pub disaster: &'static str,
    /// "rto", "rpo" or "both".
    pub objective: &'static str,
    pub p_meet: Probability,
    pub fix: Option<FixReport>,
}

#[derive(Debug, Serialize)]
pub struct WhyNot {
    pub strategy: &'static str,
    /// Its best setting.
    pub setting: String,
    pub knobs: KnobsReport,
    /// "misses-objectives", "costs-more" or "dominated".
    pub kind: &'static str,
    /// The worst missed type, its objective, P(meet) and fix (null unless it misses).
    pub disaster: Option<&'static str>,
    pub objective: Option<&'static str>,
    pub p_meet: Option<Probability>,
    pub fix: Option<FixReport>,
    /// Every missed type, worst first.
    pub misses: Vec<MissReport>,
    /// US dollars per month beyond the pick's (null without a pick).
    #[serde(serialize_with = "money_opt")]
    pub extra_monthly_spend: Option<Usd>,
    /// The record above as a sentence.
    pub reason: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct KnobsReport {
    /// Seconds.
    pub backup_interval: f64,
    pub storage_tier: Option<String>,
    pub point_in_time: bool,
    pub failover: Option<&'static str>,
    pub replica_class: Option<String>,
    /// Share of the primary's capacity.
    pub replica_share: Option<f64>,
    pub standby_fraction: Option<f64>,
    pub site_capacity: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct LineItemReport {
    pub name: String,
    /// What it counts, e.g. "2 × m6i.large (linux)".
    pub detail: String,
    pub quantity: f64,
    pub unit: &'static str,
    /// US dollars per unit, exact as the catalog gives it.
    #[serde(serialize_with = "exact")]
    pub unit_price: Usd,
    /// The region whose price it is.
    pub region: String,
    pub as_of: String,
    pub source: String,
    /// Taken from the fallback region: the catalog has no price sourced for the region asked.
    pub substituted: bool,
    /// US dollars, two decimals.
    #[serde(serialize_with = "money")]
    pub usd: Usd,
}

/// Seconds, each quantile with its Monte Carlo standard error.
#[derive(Clone, Debug, Serialize)]
pub struct Percentiles {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub p50_std_error: f64,
    pub p95_std_error: f64,
    pub p99_std_error: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct TypeReport {
    pub disaster: &'static str,
    /// Disasters of this type the judgment rests on, and the simulated years behind them.
    pub trials: u64,
    pub years: u64,
    pub rto: Percentiles,
    pub rpo: Percentiles,
    pub p_meet_rto: Probability,
    pub p_meet_rpo: Probability,
    pub p_meet_both: Probability,
    /// The lower end of P(meet both) reaches the confidence (always true for a type that never
    /// happens).
    pub meets: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct PooledReport {
    /// Disasters of every type, over the years every setting lived through.
    pub disasters: u64,
    pub rto: Percentiles,
    pub rpo: Percentiles,
    pub p_meet_rto: Probability,
    pub p_meet_rpo: Probability,
    pub p_meet_both: Probability,
}

#[derive(Clone, Debug, Serialize)]
pub struct Quantiles {
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub p50_std_error: f64,
    pub p90_std_error: f64,
    pub p99_std_error: f64,
}

/// US dollars, as exact decimal strings.
#[derive(Clone, Debug, Serialize)]
pub struct MoneyQuantiles {
    #[serde(serialize_with = "money")]
    pub mean: Usd,
    #[serde(serialize_with = "money")]
    pub mean_std_error: Usd,
    #[serde(serialize_with = "money")]
    pub p50: Usd,
    #[serde(serialize_with = "money")]
    pub p90: Usd,
    #[serde(serialize_with = "money")]
    pub p99: Usd,
    #[serde(serialize_with = "money")]
    pub p50_std_error: Usd,
    #[serde(serialize_with = "money")]
    pub p90_std_error: Usd,
    #[serde(serialize_with = "money")]
    pub p99_std_error: Usd,
}

#[derive(Clone, Debug, Serialize)]
pub struct Exceedance {
    /// US dollars.
    #[serde(serialize_with = "money")]
    pub annual_loss: Usd,
    pub probability: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct SettingReport {
    pub strategy: &'static str,
    pub setting: String,
    pub knobs: KnobsReport,
    /// Monthly DR spend, US dollars (two decimals, exact).
    #[serde(serialize_with = "money")]
    pub monthly_spend: Usd,
    pub line_items: Vec<LineItemReport>,
    /// Per disaster type: the judgment of the objectives.
    #[serde(serialize_with = "crate::simulation::by_name")]
    pub by_disaster: Vec<TypeReport>,
    /// Every disaster type pooled, each judged against its own objectives (for reference: the
    /// pick is judged per type).
    pub pooled: PooledReport,
    pub meets_objectives: bool,
    pub on_frontier: bool,
    /// Hours of downtime per year.
    pub annual_downtime_hours: Quantiles,
    /// Losses per year (downtime and lost data).
    pub annual_loss: MoneyQuantiles,
    #[serde(serialize_with = "money")]
    pub expected_annual_loss: Usd,
    #[serde(serialize_with = "money")]
    pub expected_annual_loss_std_error: Usd,
    /// Infrastructure and fees spent on disasters per year, on average.
    #[serde(serialize_with = "money")]
    pub expected_disaster_cost: Usd,
    #[serde(serialize_with = "money")]
    pub drills_per_year: Usd,
    /// 12 × monthly spend + drills + expected disaster cost + expected annual loss.
    #[serde(serialize_with = "money")]
    pub total_cost_of_risk: Usd,
    #[serde(serialize_with = "money")]
    pub total_cost_of_risk_std_error: Usd,
    pub loss_exceedance: Vec<Exceedance>,
}

impl crate::simulation::Named for TypeReport {
    fn name(&self) -> &'static str {
        self.disaster
    }
}

impl SettingReport {
    /// The report of one disaster type.
    pub fn of(&self, disaster: Disaster) -> Option<&TypeReport> {
        self.by_disaster
            .iter()
            .find(|t| t.disaster == disaster.name())
    }
}

fn cents(c: f64) -> Usd {
    Usd::from_cents(c.round() as i64)
}

fn quantiles(t: &Tally, scale: f64) -> Quantiles {
    let r = |x: f64| (x * scale * 1000.0).round() / 1000.0;
    Quantiles {
        mean: r(t.mean()),
        p50: r(t.quantile(0.5) as f64),
        p90: r(t.quantile(0.9) as f64),
        p99: r(t.quantile(0.99) as f64),
        p50_std_error: r(t.quantile_std_error(0.5)),
        p90_std_error: r(t.quantile_std_error(0.9)),
        p99_std_error: r(t.quantile_std_error(0.99)),
    }
}

fn percentiles(t: &Tally) -> Percentiles {
    let [p50, p95, p99] = t.quantiles_with_std_errors([0.5, 0.95, 0.99]);
    let s = |(value, _): (u64, f64)| value as f64 / 1000.0;
    let e = |(_, error): (u64, f64)| error.round() / 1000.0;
    Percentiles {
        p50: s(p50),
        p95: s(p95),
        p99: s(p99),
        p50_std_error: e(p50),
        p95_std_error: e(p95),
        p99_std_error: e(p99),
    }
}

/// "every 4h, standard, PITR, replica db.r6g.large (100%), manual".
pub fn knobs_label(strategy: Strategy, k: &Knobs) -> String {
    let mut parts = Vec::new();
    match strategy {
        Strategy::PilotLight => {
            if let Some((share, class)) = &k.replica {
                parts.push(format!("replica {class} ({:.0}%)", 100.0 * share));
            }
        }
        Strategy::WarmStandby => {
            if let Some(f) = k.standby_fraction {
                parts.push(format!("standby {:.0}%", 100.0 * f));
            }
        }
        Strategy::MultiSite => {
            if let Some(c) = k.site_capacity {
                parts.push(format!("sites at {:.0}%", 100.0 * c));
            }
        }
        Strategy::BackupRestore => {}
    }
    if let Some(f) = k.failover {
        parts.push(f.name().to_string());
    }
    parts.push(format!(
        "backups every {}",
        format_exact(k.backup_interval, Kind::Duration)
    ));
    if let Some(tier) = &k.storage_tier {
        parts.push(tier.clone());
    }
    if k.point_in_time {
        parts.push("PITR".to_string());
    }
    parts.join(", ")
}

fn knobs_report(k: &Knobs) -> KnobsReport {
    KnobsReport {
        backup_interval: k.backup_interval,
        storage_tier: k.storage_tier.clone(),
        point_in_time: k.point_in_time,
        failover: k.failover.map(|f| f.name()),
        replica_class: k.replica.as_ref().map(|r| r.1.clone()),
        replica_share: k.replica.as_ref().map(|r| r.0),
        standby_fraction: k.standby_fraction,
        site_capacity: k.site_capacity,
    }
}

fn line_item(l: &LineItem) -> LineItemReport {
    let (name, detail) = match &l.item {
        Item::DatabaseBackups => ("backup storage: database".to_string(), String::new()),
        Item::DataBackups { dataset, class } => {
            (format!("backup storage: {dataset}"), class.clone())
        }
        Item::DatabaseContinuousBackup => (
            "continuous backup (PITR): database".to_string(),
            "database and the window's changes".to_string(),
        ),
        Item::DataContinuousBackup { dataset } => (
            format!("continuous backup (PITR): {dataset}"),
            String::new(),
        ),
        Item::BackupCopies => (
            "backup copies to the recovery region".to_string(),
            "data written per month".to_string(),
        ),
        Item::DatabaseReplica { class, multi_az } => (
            "database replica".to_string(),
            format!(
                "{class} {}",
                if *multi_az { "multi-AZ" } else { "single-AZ" }
            ),
        ),
        Item::DatabaseReplicaStorage => ("database replica storage".to_string(), String::new()),
        Item::ReplicatedWrites => (
            "replicated writes (DynamoDB rWRU)".to_string(),
            "one unit per KiB written".to_string(),
        ),
        Item::ReplicatedWriteIos => (
            "replicated write I/Os (Aurora global database)".to_string(),
            "one per 4 KiB written".to_string(),
        ),
        Item::ReplicationTransfer => (
            "replication transfer".to_string(),
            "data written per month".to_string(),
        ),
        Item::ReplicatedData { dataset } => (format!("replicated data: {dataset}"), String::new()),
        Item::RunningFleet {
            tier,
            instance_type,
            os,
            instances,
        } => (
            format!("running fleet: {tier}"),
            format!("{instances} × {instance_type} ({})", os.name()),
        ),
        Item::LoadBalancer => (
            "load balancer".to_string(),
            "ALB hour + 1 LCU-hour".to_string(),
        ),
        Item::PublicIpv4 { addresses } => (
            "public IPv4 addresses".to_string(),
            format!("{addresses} addresses"),
        ),
        Item::HostedZone => ("DNS hosted zone".to_string(), String::new()),
        Item::HealthChecks { checks } => (
            "DNS health checks".to_string(),
            format!("{checks} × 1 month"),
        ),
        Item::FastHealthChecks { checks } => (
            "DNS fast-interval surcharge".to_string(),
            format!("{checks} × 1 month, 10 s interval"),
        ),
    };
    LineItemReport {
        name,
        detail,
        quantity: (l.quantity * 1000.0).round() / 1000.0,
        unit: match l.unit {
            Unit::Hour => "hour",
            Unit::GbMonth => "GB-month",
            Unit::Gb => "GB",
            Unit::Month => "month",
            Unit::MillionRequests => "million requests",
        },
        unit_price: l.price.usd,
        region: l.price.region.clone(),
        as_of: l.price.as_of.clone(),
        source: l.price.source.clone(),
        substituted: l.price.substituted,
        usd: l.usd,
    }
}

/// The report of one component (one disaster type's outcomes, shared by the settings whose
/// recovery from it is the same): built once, copied into each of those settings' reports.
fn type_report(c: &planner::Component, scenario: &Scenario) -> TypeReport {
    let d = c.disaster;
    let s = &c.stats;
    let happens = scenario.disasters[d.index()].annual_rate > 0.0;
    TypeReport {
        disaster: d.name(),
        trials: s.rto.count(),
        years: c.years,
        rto: percentiles(&s.rto),
        rpo: percentiles(&s.rpo),
        p_meet_rto: probability(&s.meets_rto),
        p_meet_rpo: probability(&s.meets_rpo),
        p_meet_both: probability(&s.meets_both),
        meets: !happens || type_meets(s, scenario.objectives.confidence),
    }
}

fn setting_report(
    plan: &planner::Plan,
    i: usize,
    scenario: &Scenario,
    on_frontier: bool,
    types: &[TypeReport],
) -> SettingReport {
    let e = &plan.evaluated[i];
    let pooled = plan.pooled(i);
    let a = &e.annual;
    let years = a.loss.count().max(1) as f64;
    SettingReport {
        strategy: e.setting.strategy.name(),
        setting: knobs_label(e.setting.strategy, &e.setting.knobs),
        knobs: knobs_report(&e.setting.knobs),
        monthly_spend: e.monthly_total,
        line_items: e.monthly.iter().map(line_item).collect(),
        by_disaster: Disaster::ALL
            .iter()
            .map(|&d| types[e.components[d.index()]].clone())
            .collect(),
        pooled: PooledReport {
            disasters: pooled.rto.count(),
            rto: percentiles(&pooled.rto),
            rpo: percentiles(&pooled.rpo),
            p_meet_rto: probability(&pooled.meets_rto),
            p_meet_rpo: probability(&pooled.meets_rpo),
            p_meet_both: probability(&pooled.meets_both),
        },
        meets_objectives: meets(plan, i, scenario),
        on_frontier,
        annual_downtime_hours: quantiles(&a.downtime, 1.0 / 3600.0),
        annual_loss: MoneyQuantiles {
            mean: e.expected_annual_loss,
            mean_std_error: e.expected_annual_loss_se,
            p50: cents(100.0 * a.loss.quantile(0.5) as f64),
            p90: cents(100.0 * a.loss.quantile(0.9) as f64),
            p99: cents(100.0 * a.loss.quantile(0.99) as f64),
            p50_std_error: cents(100.0 * a.loss.quantile_std_error(0.5)),
            p90_std_error: cents(100.0 * a.loss.quantile_std_error(0.9)),
            p99_std_error: cents(100.0 * a.loss.quantile_std_error(0.99)),
        },
        expected_annual_loss: e.expected_annual_loss,
        expected_annual_loss_std_error: e.expected_annual_loss_se,
        expected_disaster_cost: e.expected_disaster_cost,
        drills_per_year: e.drills_per_year,
        total_cost_of_risk: e.total_cost_of_risk,
        total_cost_of_risk_std_error: e.total_cost_of_risk_se,
        loss_exceedance: EXCEEDANCE_USD
            .iter()
            .map(|&x| {
                let above = a.loss.count() - a.loss.count_at_most(x);
                Exceedance {
                    annual_loss: Usd::from_cents(x as i64 * 100),
                    probability: ((above as f64 / years) * 1e6).round() / 1e6,
                }
            })
            .collect(),
    }
}

fn fix_report(plan: &planner::Plan, fix: &Fix) -> FixReport {
    match fix {
        Fix::Setting(j) => {
            let e = &plan.evaluated[*j];
            FixReport {
                kind: "setting",
                setting: Some(knobs_label(e.setting.strategy, &e.setting.knobs)),
                rto: None,
                rpo: None,
            }
        }
        Fix::Objective { rto, rpo } => FixReport {
            kind: "objective",
            setting: None,
            rto: *rto,
            rpo: *rpo,
        },
    }
}

fn fix_sentence(fix: &FixReport, disaster: &str) -> String {
    match fix.kind {
        "setting" => format!(
            "{} would meet {disaster}",
            fix.setting.as_deref().unwrap_or("another setting")
        ),
        _ => {
            let mut parts = Vec::new();
            if let Some(rto) = fix.rto {
                parts.push(format!("RTO {}", format_duration(rto)));
            }
            if let Some(rpo) = fix.rpo {
                parts.push(format!("RPO {}", format_duration(rpo)));
            }
            format!(
                "no swept knob helps; it would meet {disaster} objectives of {}",
                parts.join(" and ")
            )
        }
    }
}

fn objective_words(o: &str) -> &'static str {
    match o {
        "rto" => "RTO",
        "rpo" => "RPO",
        _ => "RTO and RPO together",
    }
}

fn why_not_report(plan: &planner::Plan, w: &planner::pick::WhyNot, confidence: f64) -> WhyNot {
    let e = &plan.evaluated[w.setting];
    let setting = knobs_label(e.setting.strategy, &e.setting.knobs);
    let misses: Vec<MissReport> = w
        .misses
        .iter()
        .map(|m| MissReport {
            disaster: m.disaster.name(),
            objective: m.objective.name(),
            p_meet: probability(&m.p_meet),
            fix: m.fix.as_ref().map(|f| fix_report(plan, f)),
        })
        .collect();
    let extra = w.extra_monthly_spend;
    let reason = match w.kind {
        LossKind::MissesObjectives => {
            let each: Vec<String> = misses
                .iter()
                .map(|m| {
                    let mut text = format!(
                        "{} {} met in {:.1}% of disasters, at least {:.1}% at 95% confidence",
                        m.disaster,
                        objective_words(m.objective),
                        100.0 * m.p_meet.estimate,
                        100.0 * m.p_meet.ci95_low
                    );
                    if let Some(f) = &m.fix {
                        text.push_str(&format!(" ({})", fix_sentence(f, m.disaster)));
                    }
                    text
                })
                .collect();
            format!(
                "misses the objectives at {:.0}% confidence even at its best ({setting}): {}",
                100.0 * confidence,
                each.join("; ")
            )
        }
        LossKind::CostsMore => format!(
            "meets the objectives ({setting}) but costs {} more per month than the pick",
            extra.unwrap_or(Usd::ZERO)
        ),
        LossKind::Dominated => match &extra {
            Some(_) => format!(
                "meets the objectives ({setting}) at the pick's spend, but the pick is as fast on every disaster type and faster on one"
            ),
            None => format!("meets the objectives ({setting})"),
        },
    };
    let first = misses.first();
    WhyNot {
        strategy: w.strategy.name(),
        setting,
        knobs: knobs_report(&e.setting.knobs),
        kind: w.kind.name(),
        disaster: first.map(|m| m.disaster),
        objective: first.map(|m| m.objective),
        p_meet: first.map(|m| m.p_meet.clone()),
        fix: first.and_then(|m| m.fix.as_ref()).map(|f| FixReport {
            kind: f.kind,
            setting: f.setting.clone(),
            rto: f.rto,
            rpo: f.rpo,
        }),
        misses,
        extra_monthly_spend: extra,
        reason,
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
    // Each report reads many quantiles: built in parallel (on the caller's rayon pool), in order.
    let types: Vec<TypeReport> = plan
        .components
        .par_iter()
        .map(|c| type_report(c, scenario))
        .collect();
    let settings: Vec<SettingReport> = (0..plan.evaluated.len())
        .into_par_iter()
        .map(|i| setting_report(plan, i, scenario, pick.frontier.contains(&i), &types))
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
    let label = |i: usize| {
        let e = &plan.evaluated[i];
        knobs_label(e.setting.strategy, &e.setting.knobs)
    };
    PlanReport {
        schema_version: SCHEMA_VERSION,
        drsim_version: env!("CARGO_PKG_VERSION"),
        scenario: ScenarioInfo::new(scenario, file),
        seed,
        years: plan.years,
        components: plan.components.len(),
        confidence,
        pick_rule: match scenario.costs.pick {
            PickRule::Cheapest => "cheapest",
            PickRule::TotalCostOfRisk => "total-cost-of-risk",
        },
        objectives: crate::simulation::objectives(scenario),
        pick: pick.chosen.and_then(|i| settings.get(i).cloned()),
        decision: match (pick.chosen, pick.close.is_empty()) {
            (_, false) => "too-close-to-call",
            (Some(_), true) => "decided",
            (None, true) => "none",
        },
        close_calls: pick
            .close
            .iter()
            .map(|c| CloseCallReport {
                strategy: plan.evaluated[c.setting].setting.strategy.name(),
                setting: label(c.setting),
                disaster: c.disaster.name(),
                p_meet: probability(&c.p_meet),
                years: c.years,
            })
            .collect(),
        why_not: pick
            .why_not
            .iter()
            .map(|w| why_not_report(plan, w, confidence))
            .collect(),
        unchanged_by_strategy: pick
            .unchanged
            .iter()
            .map(|u| UnchangedReport {
                disaster: u.disaster.name(),
                knobs: u.knobs.clone(),
                note: if u.knobs.is_empty() {
                    format!(
                        "no DR strategy changes {} recovery here, and no swept knob does",
                        u.disaster.name()
                    )
                } else {
                    format!(
                        "no DR strategy changes {} recovery here; what does: {}",
                        u.disaster.name(),
                        u.knobs.join(", ")
                    )
                },
            })
            .collect(),
        settings,
        substituted_prices: plan.substituted_prices.clone(),
        warnings,
    }
}
