//! planner: what each strategy costs, what it saves, and which one to pick.
//!
//! For every strategy the knobs of the scenario's `[plan]` section are swept into settings
//! ([`settings`]). Every setting lives through the same simulated years ([`plan`]): each year
//! draws a Poisson number of disasters of each type, and each disaster is one trial of the
//! simulator recovered by the setting, so settings are compared on common random numbers. The
//! cost model ([`cost`]) prices the steady state, the disasters and the drills from a catalog.
//! [`pick`] finds the frontier and the recommended setting, and says why the others lost.

pub mod cost;
pub mod pick;

use std::sync::atomic::AtomicU64;

use pricing::{Catalog, PriceError, Usd};
use rand_distr::{Distribution, Poisson};
use scenarios::model::{DbReplication, Failover};
use scenarios::simulate::{Compiled, Worker};
use scenarios::{Disaster, Scenario, ScenarioError, Strategy};
use sim_core::rng::stream_rng;
use sim_core::runner::{self, Merge, RunConfig};
use sim_core::stats::{Proportion, Tally, Total};

use crate::cost::{DisasterPrices, LineItem, Prices};

/// Years per work chunk (fixed, so the split never depends on the thread count).
pub const YEARS_PER_CHUNK: u64 = 512;

/// Most disasters one simulated year can hold (trial indices are `year × this + k`).
const MAX_DISASTERS_PER_YEAR: u64 = 1024;

/// Stream of a year's disaster counts (well away from the trial streams 0–16).
const STREAM_YEAR: u64 = 100;

/// One point of a strategy's sweep: the scenario with the knobs set.
#[derive(Clone, Debug)]
pub struct Setting {
    pub strategy: Strategy,
    /// The knobs, e.g. "every 4h, glacier-flexible-standard, manual" (backup interval, storage
    /// tier, failover).
    pub label: String,
    pub scenario: Scenario,
}

fn hours(seconds: f64) -> String {
    scenarios::units::format_exact(seconds, scenarios::units::Kind::Duration)
}

fn failover_name(f: Failover) -> &'static str {
    match f {
        Failover::Manual => "manual",
        Failover::Automated => "automated",
    }
}

/// Every setting of every strategy, in a fixed order (strategy, then the knobs as listed).
pub fn settings(base: &Scenario) -> Vec<Setting> {
    let p = &base.plan;
    let mut out = Vec::new();
    let with = |strategy: Strategy, label: String, edit: &dyn Fn(&mut Scenario)| {
        let mut scenario = base.clone();
        edit(&mut scenario);
        Setting {
            strategy,
            label,
            scenario,
        }
    };
    for &interval in &p.backup_intervals {
        for tier in &p.storage_tiers {
            for &failover in &p.failover {
                let label = format!(
                    "every {}, {tier}, {}",
                    hours(interval),
                    failover_name(failover)
                );
                out.push(with(Strategy::BackupRestore, label, &|s| {
                    s.backups.interval = interval;
                    s.backups.retention = s.backups.retention.max(interval);
                    for data in &mut s.data {
                        data.storage = tier.clone();
                        if let Some(delay) = scenarios::model::retrieval_delay(tier) {
                            data.retrieval = delay;
                        }
                    }
                    s.strategies[Strategy::BackupRestore.index()].failover = failover;
                }));
            }
        }
    }
    for &fraction in &p.replica_fractions {
        for &failover in &p.failover {
            let label = format!(
                "replica {:.0}%, {}",
                100.0 * fraction,
                failover_name(failover)
            );
            out.push(with(Strategy::PilotLight, label, &|s| {
                let c = &mut s.strategies[Strategy::PilotLight.index()];
                c.replica_fraction = fraction;
                c.failover = failover;
            }));
        }
    }
    for &fraction in &p.standby_fractions {
        for &failover in &p.failover {
            let label = format!(
                "standby {:.0}%, {}",
                100.0 * fraction,
                failover_name(failover)
            );
            out.push(with(Strategy::WarmStandby, label, &|s| {
                let c = &mut s.strategies[Strategy::WarmStandby.index()];
                c.running_fraction = fraction;
                c.failover = failover;
            }));
        }
    }
    // A site must serve at least its share of the traffic.
    let weight = base.strategies[Strategy::MultiSite.index()].traffic_weight;
    for &capacity in p.site_capacities.iter().filter(|c| **c >= weight) {
        for &replication in &p.database_replication {
            let mode = match replication {
                DbReplication::Async => "async",
                DbReplication::Sync => "sync",
            };
            let label = format!("sites at {:.0}%, {mode} database", 100.0 * capacity);
            out.push(with(Strategy::MultiSite, label, &|s| {
                let c = &mut s.strategies[Strategy::MultiSite.index()];
                c.running_fraction = capacity;
                c.database_replication = replication;
            }));
        }
    }
    out
}

/// What one setting lived through, over all simulated years. Times in ms, money in cents.
#[derive(Clone, Debug)]
pub struct SettingStats {
    pub rto: Tally,
    pub rpo: Tally,
    /// RTO and RPO of region losses alone: the disaster the strategies differ on most.
    pub region_rto: Tally,
    pub region_rpo: Tally,
    pub meets_rto: Proportion,
    pub meets_rpo: Proportion,
    pub meets_both: Proportion,
    /// Downtime per year.
    pub annual_downtime: Tally,
    /// Losses (downtime and lost data) per year.
    pub annual_loss: Tally,
    /// Infrastructure and fees spent on disasters per year.
    pub annual_disaster_cost: Total,
}

impl SettingStats {
    fn new() -> SettingStats {
        SettingStats {
            rto: Tally::new(),
            rpo: Tally::new(),
            region_rto: Tally::new(),
            region_rpo: Tally::new(),
            meets_rto: Proportion::default(),
            meets_rpo: Proportion::default(),
            meets_both: Proportion::default(),
            annual_downtime: Tally::new(),
            annual_loss: Tally::new(),
            annual_disaster_cost: Total::default(),
        }
    }

    fn merge(&mut self, other: &SettingStats) {
        self.rto.merge(&other.rto);
        self.rpo.merge(&other.rpo);
        self.region_rto.merge(&other.region_rto);
        self.region_rpo.merge(&other.region_rpo);
        self.meets_rto.merge(&other.meets_rto);
        self.meets_rpo.merge(&other.meets_rpo);
        self.meets_both.merge(&other.meets_both);
        self.annual_downtime.merge(&other.annual_downtime);
        self.annual_loss.merge(&other.annual_loss);
        self.annual_disaster_cost.merge(&other.annual_disaster_cost);
    }
}

struct YearsAcc(Vec<SettingStats>);

impl Merge for YearsAcc {
    fn merge(&mut self, other: Self) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            a.merge(b);
        }
    }
}

/// One evaluated setting.
#[derive(Clone, Debug)]
pub struct Evaluated {
    pub setting: Setting,
    pub monthly: Vec<LineItem>,
    pub monthly_total: Usd,
    pub drills_per_year: Usd,
    pub stats: SettingStats,
    /// Mean annual losses.
    pub expected_annual_loss: Usd,
    /// Mean annual infrastructure and fees spent on disasters.
    pub expected_disaster_cost: Usd,
    /// 12 × monthly spend + drills + expected disaster cost + expected losses.
    pub total_cost_of_risk: Usd,
}

/// Why planning failed.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Price(Box<PriceError>),
    #[error(transparent)]
    Scenario(Box<ScenarioError>),
    #[error(transparent)]
    Run(#[from] runner::RunError),
}

impl From<PriceError> for PlanError {
    fn from(e: PriceError) -> Self {
        PlanError::Price(Box::new(e))
    }
}

impl From<ScenarioError> for PlanError {
    fn from(e: ScenarioError) -> Self {
        PlanError::Scenario(Box::new(e))
    }
}

/// How to run the plan.
pub struct PlanOptions<'a> {
    pub years: u64,
    pub seed: u64,
    pub threads: usize,
    /// Counts finished years.
    pub progress: Option<&'a AtomicU64>,
}

/// The plan: every setting evaluated, and the prices that stood in for unsourced ones.
#[derive(Clone, Debug)]
pub struct Plan {
    pub years: u64,
    pub evaluated: Vec<Evaluated>,
    /// Catalog items priced at the fallback region's price.
    pub substituted_prices: Vec<String>,
}

fn ms(seconds: f64) -> u64 {
    (seconds * 1000.0).round() as u64
}

fn cents(usd: Usd) -> u64 {
    u64::try_from(usd.cents()).unwrap_or(0)
}

/// Evaluates every setting over the same simulated years.
pub fn plan(
    base: &Scenario,
    catalog: &Catalog,
    options: &PlanOptions<'_>,
) -> Result<Plan, PlanError> {
    let settings = settings(base);
    let prices = Prices::new(
        catalog,
        &base.recovery_region,
        base.pricing.fallback_region.as_deref(),
    );
    let mut priced = Vec::with_capacity(settings.len());
    for setting in &settings {
        let config = &setting.scenario.strategies[setting.strategy.index()];
        let monthly = cost::monthly(&setting.scenario, config, &prices)?;
        let disaster_prices = DisasterPrices::new(&setting.scenario, config, &prices)?;
        let compiled = Compiled::new(&setting.scenario)?;
        priced.push((monthly, disaster_prices, compiled));
    }
    let full_site = cost::full_site_hourly(base, &prices)?;
    let rates: Vec<f64> = base.disasters.iter().map(|d| d.annual_rate).collect();
    let poissons: Vec<Option<Poisson<f64>>> = rates.iter().map(|&r| Poisson::new(r).ok()).collect();

    let config = RunConfig {
        trials: options.years,
        chunk_size: YEARS_PER_CHUNK,
        threads: options.threads,
    };
    let acc = runner::run(
        &config,
        || YearsAcc(settings.iter().map(|_| SettingStats::new()).collect()),
        Worker::new,
        |year, worker, acc| {
            // The year's disasters, drawn once for every setting.
            let mut counts = [0u64; 4];
            let mut rng = stream_rng(options.seed, year, STREAM_YEAR);
            for (count, poisson) in counts.iter_mut().zip(&poissons) {
                *count = poisson.as_ref().map_or(0, |p| p.sample(&mut rng) as u64);
            }
            for (i, setting) in settings.iter().enumerate() {
                let (_, disaster_prices, compiled) = &priced[i];
                let stats = &mut acc.0[i];
                let mut slot = 0u64;
                let mut downtime = 0.0;
                let mut loss = Usd::ZERO;
                let mut infra = Usd::ZERO;
                for disaster in Disaster::ALL {
                    for _ in 0..counts[disaster.index()] {
                        let index =
                            year * MAX_DISASTERS_PER_YEAR + slot.min(MAX_DISASTERS_PER_YEAR - 1);
                        slot += 1;
                        let trial =
                            compiled.trial(&setting.scenario, options.seed, index, Some(disaster));
                        let outcome =
                            compiled.recover(&setting.scenario, &trial, setting.strategy, worker);
                        let objective = &setting.scenario.objectives.by_disaster[disaster.index()];
                        stats.rto.record(ms(outcome.rto));
                        stats.rpo.record(ms(outcome.rpo));
                        if disaster == Disaster::RegionLoss {
                            stats.region_rto.record(ms(outcome.rto));
                            stats.region_rpo.record(ms(outcome.rpo));
                        }
                        let (rto_ok, rpo_ok) =
                            (outcome.rto <= objective.rto, outcome.rpo <= objective.rpo);
                        stats.meets_rto.record(rto_ok);
                        stats.meets_rpo.record(rpo_ok);
                        stats.meets_both.record(rto_ok && rpo_ok);
                        let (i_cost, l_cost) = cost::disaster_cost(
                            disaster_prices,
                            disaster,
                            &outcome,
                            trial.outage(),
                            trial.write_rate(),
                            setting.strategy,
                        );
                        downtime += outcome.rto;
                        loss += l_cost;
                        infra += i_cost;
                    }
                }
                stats.annual_downtime.record(ms(downtime));
                stats.annual_loss.record(cents(loss));
                stats.annual_disaster_cost.record(cents(infra));
            }
        },
        options.progress,
    )?;

    let drills = full_site.times(base.costs.drills_per_year * base.costs.drill_duration / 3600.0);
    let evaluated = settings
        .into_iter()
        .zip(priced)
        .zip(acc.0)
        .map(|((setting, (monthly, _, _)), stats)| {
            let monthly_total: Usd = monthly.iter().map(|l| l.usd).sum();
            let expected_annual_loss = Usd::from_cents(stats.annual_loss.mean().round() as i64);
            let expected_disaster_cost =
                Usd::from_cents(stats.annual_disaster_cost.mean().round() as i64);
            let total_cost_of_risk =
                monthly_total.times(12.0) + drills + expected_disaster_cost + expected_annual_loss;
            Evaluated {
                setting,
                monthly,
                monthly_total,
                drills_per_year: drills,
                stats,
                expected_annual_loss,
                expected_disaster_cost,
                total_cost_of_risk,
            }
        })
        .collect();
    Ok(Plan {
        years: options.years,
        evaluated,
        substituted_prices: prices.substituted(),
    })
}
