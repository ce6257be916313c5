//! The simulation report: what `drsim simulate` tells, in one plain structure built from the
//! engine's results. Every output format renders this structure, so they cannot disagree. Its
//! serde form is the versioned JSON schema.

use scenarios::simulate::{Cell, Results};
use scenarios::{Disaster, Scenario, Strategy};
use serde::Serialize;
use sim_core::stats::{Proportion, Tally, Z_95};

/// Version of the JSON schema; bump the major part on any breaking change.
pub const SCHEMA_VERSION: &str = "1.0";

#[derive(Debug, Serialize)]
pub struct Report {
    pub schema_version: &'static str,
    pub drsim_version: &'static str,
    pub scenario: ScenarioInfo,
    pub seed: u64,
    pub trials: u64,
    pub objectives: ObjectivesInfo,
    /// Disaster types in simulation order, with how many trials each got.
    pub disasters: Vec<DisasterInfo>,
    /// Per strategy, keyed by name, in the order backup-restore, pilot-light, warm-standby,
    /// multi-site.
    #[serde(serialize_with = "by_name")]
    pub strategies: Vec<StrategyReport>,
    /// For each pair of strategies, how often one recovers strictly faster than the other.
    pub pairwise: Vec<Pair>,
    /// Trials whose replication link could not keep up with the writes.
    pub replication_overloaded_trials: u64,
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ScenarioInfo {
    pub name: String,
    pub file: String,
    pub primary_region: String,
    pub recovery_region: String,
}

impl ScenarioInfo {
    pub fn new(scenario: &Scenario, file: &str) -> ScenarioInfo {
        ScenarioInfo {
            name: scenario.name.clone(),
            file: file.to_string(),
            primary_region: scenario.primary_region.clone(),
            recovery_region: scenario.recovery_region.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ObjectivesInfo {
    pub confidence: f64,
    pub service_level: f64,
    /// What "running again" needs of each tier: k of its n instances.
    pub tiers: Vec<TierLevel>,
    /// Seconds, per disaster type.
    pub by_disaster: Vec<ObjectiveInfo>,
}

impl ObjectivesInfo {
    /// "web 4 of 4, app 5 of 6": what running again needs of each tier.
    pub fn tiers_needed(&self) -> String {
        self.tiers
            .iter()
            .map(|t| format!("{} {} of {}", t.tier, t.needed, t.count))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A tier's service level: `needed` of its `count` instances up.
#[derive(Debug, Serialize)]
pub struct TierLevel {
    pub tier: String,
    pub service_level: f64,
    pub needed: u32,
    pub count: u32,
}

#[derive(Debug, Serialize)]
pub struct ObjectiveInfo {
    pub disaster: &'static str,
    pub rto: f64,
    pub rpo: f64,
}

#[derive(Debug, Serialize)]
pub struct DisasterInfo {
    pub name: &'static str,
    pub annual_rate: f64,
    pub trials: u64,
}

/// Statistics of a duration in seconds, with their Monte Carlo standard errors.
#[derive(Debug, Serialize)]
pub struct Stats {
    pub count: u64,
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
    pub mean_std_error: f64,
    pub p50_std_error: f64,
    pub p90_std_error: f64,
    pub p95_std_error: f64,
    pub p99_std_error: f64,
}

impl Stats {
    /// The reported quantiles with their standard errors, named as in the output.
    pub fn quantiles(&self) -> [(&'static str, f64, f64); 4] {
        [
            ("p50", self.p50, self.p50_std_error),
            ("p90", self.p90, self.p90_std_error),
            ("p95", self.p95, self.p95_std_error),
            ("p99", self.p99, self.p99_std_error),
        ]
    }
}

/// The reported quantile known least precisely, relative to its value.
#[derive(Debug, PartialEq)]
pub struct LeastPrecise {
    pub strategy: &'static str,
    pub disaster: &'static str,
    /// `"RTO"` or `"RPO"`.
    pub metric: &'static str,
    pub quantile: &'static str,
    pub value: f64,
    pub std_error: f64,
}

impl Report {
    /// Among every strategy's per-type RTO and RPO quantiles (p50 to p99, non-zero ones), the one
    /// whose standard error is the largest share of its value; `None` when all are zero.
    pub fn least_precise(&self) -> Option<LeastPrecise> {
        let mut worst: Option<LeastPrecise> = None;
        for s in &self.strategies {
            for d in &s.by_disaster {
                for (metric, stats) in [("RTO", &d.outcome.rto), ("RPO", &d.outcome.rpo)] {
                    for (quantile, value, std_error) in stats.quantiles() {
                        if value <= 0.0 {
                            continue;
                        }
                        let worse = worst
                            .as_ref()
                            .is_none_or(|w| std_error / value > w.std_error / w.value);
                        if worse {
                            worst = Some(LeastPrecise {
                                strategy: s.name,
                                disaster: d.disaster,
                                metric,
                                quantile,
                                value,
                                std_error,
                            });
                        }
                    }
                }
            }
        }
        worst
    }
}

/// A probability with its 95 % Wilson interval.
#[derive(Clone, Debug, Serialize)]
pub struct Probability {
    pub estimate: f64,
    pub ci95_low: f64,
    pub ci95_high: f64,
    pub trials: u64,
}

#[derive(Debug, Serialize)]
pub struct Outcome {
    pub trials: u64,
    pub rto: Stats,
    pub rpo: Stats,
    pub p_meet_rto: Probability,
    pub p_meet_rpo: Probability,
    pub p_meet_both: Probability,
    /// Whether the lower bound of P(meet both) reaches the objectives' confidence.
    pub meets_objectives: bool,
    /// Downtime of switching back once the primary is repaired (trials where a failover happened).
    pub failback_downtime: Stats,
    /// Trials where the primary came back with its data before the failover completed.
    pub primary_returned_first: u64,
    /// Trials where no backup within retention could be used.
    pub no_usable_backup: u64,
}

#[derive(Debug, Serialize)]
pub struct StepReport {
    pub step: String,
    /// Share of the trials recovered by this runbook where the step was on the critical path.
    pub on_critical_path: f64,
    /// Mean seconds it added to the recovery when on the critical path.
    pub mean_contribution: f64,
}

#[derive(Debug, Serialize)]
pub struct DisasterOutcome {
    #[serde(skip)]
    pub disaster: &'static str,
    #[serde(flatten)]
    pub outcome: Outcome,
    pub critical_path: Vec<StepReport>,
    /// Region loss only: the RPO of the database and of each dataset; each trial's RPO is the
    /// largest of them, so the part with the longest tail sets the strategy's RPO.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rpo_by_part: Vec<PartRpo>,
}

/// The data loss of one part of the data (the database, or a dataset) after a region loss.
#[derive(Debug, Serialize)]
pub struct PartRpo {
    /// `database`, or the dataset's name.
    pub part: String,
    /// `database` or `dataset`.
    pub kind: &'static str,
    /// Where the strategy recovers it from: `backup`, `async-replica`, `sync-replica`, `crr`,
    /// `crr-rtc` (S3 Replication Time Control).
    pub recovered_from: String,
    pub rpo: Stats,
}

#[derive(Debug, Serialize)]
pub struct StrategyReport {
    #[serde(skip)]
    pub name: &'static str,
    #[serde(flatten)]
    pub overall: Outcome,
    #[serde(serialize_with = "by_name")]
    pub by_disaster: Vec<DisasterOutcome>,
}

/// Something listed in a fixed order but serialized as a JSON object keyed by its name.
pub trait Named {
    fn name(&self) -> &'static str;
}

impl Named for StrategyReport {
    fn name(&self) -> &'static str {
        self.name
    }
}

impl Named for DisasterOutcome {
    fn name(&self) -> &'static str {
        self.disaster
    }
}

/// The objectives of every disaster type, seconds.
pub fn objectives(scenario: &Scenario) -> Vec<ObjectiveInfo> {
    Disaster::ALL
        .iter()
        .map(|d| {
            let o = &scenario.objectives.by_disaster[d.index()];
            ObjectiveInfo {
                disaster: d.name(),
                rto: o.rto,
                rpo: o.rpo,
            }
        })
        .collect()
}

pub fn by_name<T: Named + Serialize, S: serde::Serializer>(
    items: &[T],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(Some(items.len()))?;
    for item in items {
        map.serialize_entry(item.name(), item)?;
    }
    map.end()
}

#[derive(Debug, Serialize)]
pub struct Pair {
    pub a: &'static str,
    pub b: &'static str,
    pub p_a_faster: f64,
    pub p_b_faster: f64,
    pub p_tie: f64,
}

/// Milliseconds (the tallies' unit) to seconds, rounded to the millisecond.
fn seconds(ms: f64) -> f64 {
    (ms).round() / 1000.0
}

fn stats(tally: &Tally) -> Stats {
    let s = tally.summary();
    Stats {
        count: s.count,
        mean: seconds(s.mean),
        p50: seconds(s.p50),
        p90: seconds(s.p90),
        p95: seconds(s.p95),
        p99: seconds(s.p99),
        max: seconds(s.max),
        mean_std_error: seconds(s.mean_std_error),
        p50_std_error: seconds(s.p50_std_error),
        p90_std_error: seconds(s.p90_std_error),
        p95_std_error: seconds(s.p95_std_error),
        p99_std_error: seconds(s.p99_std_error),
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// A proportion with its 95 % Wilson interval, rounded to 1e-6.
pub fn probability(p: &Proportion) -> Probability {
    let (low, high) = p.wilson(Z_95);
    Probability {
        estimate: round6(p.estimate()),
        ci95_low: round6(low),
        ci95_high: round6(high),
        trials: p.trials,
    }
}

fn outcome(cell: &Cell, confidence: f64) -> Outcome {
    let both = probability(&cell.meets_both);
    Outcome {
        trials: cell.rto.count(),
        rto: stats(&cell.rto),
        rpo: stats(&cell.rpo),
        p_meet_rto: probability(&cell.meets_rto),
        p_meet_rpo: probability(&cell.meets_rpo),
        meets_objectives: cell.meets_both.trials > 0 && both.ci95_low >= confidence,
        p_meet_both: both,
        failback_downtime: stats(&cell.failback),
        primary_returned_first: cell.primary_first,
        no_usable_backup: cell.no_usable_backup,
    }
}

/// Where `strategy` recovers each part of the data from after a region loss (the rule of
/// `Compiled::rpo_parts`), in the order of `Results::rpo_part_names`.
fn recovered_from(scenario: &Scenario, strategy: Strategy) -> Vec<(&'static str, String)> {
    use scenarios::model::Managed;
    use scenarios::names::Consistency;
    // A DynamoDB global table is a replica for every strategy; the other engines' backup-restore
    // restores the database from backups, and their replicas are asynchronous.
    let database = match (&scenario.database.managed, strategy) {
        (
            Managed::DynamoDb {
                consistency: Consistency::Strong,
                ..
            },
            _,
        ) => "sync-replica",
        (Managed::DynamoDb { .. }, _) => "async-replica",
        (_, Strategy::BackupRestore) => "backup",
        _ => "async-replica",
    };
    std::iter::once(("database", database.to_string()))
        .chain(scenario.data.iter().map(|d| {
            let from = if strategy == Strategy::BackupRestore || d.replication_lag.is_none() {
                "backup".to_string()
            } else {
                d.replication.clone()
            };
            ("dataset", from)
        }))
        .collect()
}

/// Builds the report of a finished run.
pub fn build(scenario: &Scenario, file: &str, results: &Results, seed: u64) -> Report {
    let confidence = scenario.objectives.confidence;
    let strategies = Strategy::ALL
        .iter()
        .map(|&strategy| {
            let s = strategy.index();
            let by_disaster = Disaster::ALL
                .iter()
                .map(|&disaster| {
                    let cell = &results.cells[s][disaster.index()];
                    let recovered = cell.rto.count() - cell.primary_first;
                    let critical_path = results.step_names[s][disaster.index()]
                        .iter()
                        .zip(&cell.steps)
                        .map(|(name, stat)| StepReport {
                            step: name.clone(),
                            on_critical_path: if recovered == 0 {
                                0.0
                            } else {
                                round6(stat.on_path as f64 / recovered as f64)
                            },
                            mean_contribution: seconds(stat.contribution.mean()),
                        })
                        .collect();
                    let rpo_by_part = results
                        .rpo_part_names
                        .iter()
                        .zip(&cell.rpo_parts)
                        .zip(recovered_from(scenario, strategy))
                        .map(|((part, tally), (kind, from))| PartRpo {
                            part: part.clone(),
                            kind,
                            recovered_from: from,
                            rpo: stats(tally),
                        })
                        .collect();
                    DisasterOutcome {
                        disaster: disaster.name(),
                        outcome: outcome(cell, confidence),
                        critical_path,
                        rpo_by_part,
                    }
                })
                .collect();
            StrategyReport {
                name: strategy.name(),
                overall: outcome(&results.overall(strategy), confidence),
                by_disaster,
            }
        })
        .collect();
    let trials = results.trials.max(1) as f64;
    let mut pairwise = Vec::new();
    for (i, a) in Strategy::ALL.iter().enumerate() {
        for (j, b) in Strategy::ALL.iter().enumerate().skip(i + 1) {
            let (ab, ba) = (results.faster[i][j], results.faster[j][i]);
            pairwise.push(Pair {
                a: a.name(),
                b: b.name(),
                p_a_faster: round6(ab as f64 / trials),
                p_b_faster: round6(ba as f64 / trials),
                p_tie: round6((results.trials - ab - ba) as f64 / trials),
            });
        }
    }
    let mut warnings = scenario.warnings.clone();
    if results.replication_overloaded > 0 {
        warnings.push(format!(
            "REPLICATION CANNOT KEEP UP in {} of {} region-loss trials: the write load reached the link bandwidth, \
             so the lag grew for as long as simulated (replication.max-window; 1 h when auto)",
            results.replication_overloaded,
            results.disaster_trials(Disaster::RegionLoss)
        ));
    }
    Report {
        schema_version: SCHEMA_VERSION,
        drsim_version: env!("CARGO_PKG_VERSION"),
        scenario: ScenarioInfo::new(scenario, file),
        seed,
        trials: results.trials,
        objectives: ObjectivesInfo {
            confidence,
            service_level: scenario.objectives.service_level,
            tiers: scenario
                .tiers
                .iter()
                .map(|t| TierLevel {
                    tier: t.name.clone(),
                    service_level: t.service_level,
                    needed: t.target(),
                    count: t.count,
                })
                .collect(),
            by_disaster: objectives(scenario),
        },
        disasters: Disaster::ALL
            .iter()
            .map(|d| DisasterInfo {
                name: d.name(),
                annual_rate: scenario.disasters[d.index()].annual_rate,
                trials: results.disaster_trials(*d),
            })
            .collect(),
        strategies,
        pairwise,
        replication_overloaded_trials: results.replication_overloaded,
        warnings,
    }
}
