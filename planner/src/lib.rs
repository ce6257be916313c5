//! planner: what each strategy costs, what it saves, and which one to pick.
//!
//! For every strategy the knobs of the scenario's `[plan]` section are swept into settings
//! ([`settings`]): the strategy's own knobs times the backup knobs that decide the disasters
//! every strategy recovers from alike (interval, storage tier, point-in-time restore). Every
//! setting lives through the same simulated years ([`years`]): each year draws a Poisson number
//! of disasters of each type, and each disaster is one trial of the simulator, so settings are
//! compared on common random numbers. Settings whose recovery from a disaster type reads the
//! same knobs share one simulated outcome (a component). The cost model ([`cost`]) prices the
//! steady state, the disasters and the drills from a catalog. [`pick`] judges each setting per
//! disaster type, finds the frontier and the pick, and says why the others lost, as records.

pub mod cost;
pub mod pick;
pub mod years;

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use pricing::{Catalog, PriceError, Usd};
use scenarios::model::Failover;
use scenarios::{Disaster, Scenario, ScenarioError, Strategy};
use sim_core::runner;
use sim_core::stats::{Tally, Total};

use crate::cost::{LineItem, Prices};
pub use crate::years::{Component, TypeStats};

/// A setting's knobs, as data. `None`: the knob does not apply to the strategy.
#[derive(Clone, Debug, PartialEq)]
pub struct Knobs {
    /// Seconds between periodic backups.
    pub backup_interval: f64,
    /// Storage tier of every dataset's backups (`None` when the scenario has no dataset).
    pub storage_tier: Option<String>,
    /// Continuous backup (point-in-time restore) on.
    pub point_in_time: bool,
    /// Backup-restore, pilot light, warm standby.
    pub failover: Option<Failover>,
    /// Pilot light: the replica's capacity as a share of the primary's, and its class.
    pub replica: Option<(f64, String)>,
    /// Warm standby: share of full capacity kept running.
    pub standby_fraction: Option<f64>,
    /// Multi-site: capacity each site keeps.
    pub site_capacity: Option<f64>,
}

/// One point of a strategy's sweep: the scenario with the knobs set.
#[derive(Clone, Debug)]
pub struct Setting {
    pub strategy: Strategy,
    pub knobs: Knobs,
    /// The base scenario with the knobs applied (shared: settings are cloned into the plan).
    pub scenario: std::sync::Arc<Scenario>,
}

/// Every setting of every strategy, in a fixed order (strategy, its own knobs, then the backup
/// knobs), without duplicates. Pilot-light replicas are bought as real instance classes
/// ([`cost::replica_class`]), so shares that buy the same class give one setting.
pub fn settings(base: &Scenario, prices: &Prices<'_>) -> Vec<Setting> {
    sweep(base, prices)
        .into_iter()
        .map(|(strategy, knobs)| Setting {
            strategy,
            scenario: std::sync::Arc::new(apply(base, strategy, &knobs)),
            knobs,
        })
        .collect()
}

/// The knobs of [`settings`], in the same order, without making each setting's scenario (how
/// many settings a sweep has, cheaply).
pub fn sweep(base: &Scenario, prices: &Prices<'_>) -> Vec<(Strategy, Knobs)> {
    let p = &base.plan;
    // The storage tier applies to datasets; with none there is nothing to sweep.
    let tiers: Vec<Option<&String>> = if base.data.is_empty() {
        vec![None]
    } else {
        p.storage_tiers.iter().map(Some).collect()
    };
    let mut backups = Vec::new();
    for &interval in &p.backup_intervals {
        for tier in &tiers {
            for &point_in_time in &p.point_in_time {
                backups.push((interval, *tier, point_in_time));
            }
        }
    }
    let mut own: Vec<(Strategy, Knobs)> = Vec::new();
    let blank = Knobs {
        backup_interval: base.backups.interval,
        storage_tier: None,
        point_in_time: base.backups.point_in_time,
        failover: None,
        replica: None,
        standby_fraction: None,
        site_capacity: None,
    };
    for &failover in &p.failover {
        own.push((
            Strategy::BackupRestore,
            Knobs {
                failover: Some(failover),
                ..blank.clone()
            },
        ));
    }
    // Aurora's pilot light is headless and DynamoDB has no instance: no replica to size, and
    // the engine, not a knob, decides how the database replicates (docs/model.md §4.1).
    let rds = base.database.managed.family() == scenarios::names::EngineFamily::Rds;
    if !rds {
        for &failover in &p.failover {
            own.push((
                Strategy::PilotLight,
                Knobs {
                    failover: Some(failover),
                    ..blank.clone()
                },
            ));
        }
    }
    for &fraction in p.replica_fractions.iter().filter(|_| rds) {
        let (class, share) = cost::replica_class(base, fraction, prices);
        for &failover in &p.failover {
            own.push((
                Strategy::PilotLight,
                Knobs {
                    failover: Some(failover),
                    replica: Some((share, class.clone())),
                    ..blank.clone()
                },
            ));
        }
    }
    for &fraction in &p.standby_fractions {
        for &failover in &p.failover {
            own.push((
                Strategy::WarmStandby,
                Knobs {
                    failover: Some(failover),
                    standby_fraction: Some(fraction),
                    ..blank.clone()
                },
            ));
        }
    }
    // A site must serve at least its share of the traffic.
    let weight = base.strategies[Strategy::MultiSite.index()].traffic_weight;
    for &capacity in p.site_capacities.iter().filter(|c| **c >= weight) {
        own.push((
            Strategy::MultiSite,
            Knobs {
                site_capacity: Some(capacity),
                ..blank.clone()
            },
        ));
    }
    let mut out: Vec<(Strategy, Knobs)> = Vec::new();
    for (strategy, knobs) in own {
        for &(interval, tier, point_in_time) in &backups {
            let knobs = Knobs {
                backup_interval: interval,
                storage_tier: tier.cloned(),
                point_in_time,
                ..knobs.clone()
            };
            if !out.iter().any(|(s, k)| *s == strategy && *k == knobs) {
                out.push((strategy, knobs));
            }
        }
    }
    out
}

/// The scenario with a setting's knobs set.
fn apply(base: &Scenario, strategy: Strategy, knobs: &Knobs) -> Scenario {
    let mut s = base.clone();
    s.backups.interval = knobs.backup_interval;
    s.backups.retention = s.backups.retention.max(knobs.backup_interval);
    s.backups.point_in_time = knobs.point_in_time;
    if let Some(tier) = &knobs.storage_tier {
        for data in &mut s.data {
            data.storage = tier.clone();
            if let Some(delay) = scenarios::model::retrieval_delay(tier) {
                data.retrieval = delay;
            }
        }
    }
    let c = &mut s.strategies[strategy.index()];
    if let Some(failover) = knobs.failover {
        c.failover = failover;
    }
    if let Some((share, class)) = &knobs.replica {
        c.replica_fraction = *share;
        c.replica_class = Some(class.clone());
    }
    if let Some(fraction) = knobs.standby_fraction.or(knobs.site_capacity) {
        c.running_fraction = fraction;
    }
    s
}

/// What one setting lived through, year by year: downtime in seconds, losses in whole dollars
/// (the year's total, rounded), disaster spend in cents. Coarser units than the per-disaster
/// tallies keep these histograms small: there is one pair per setting (the downtime one shared
/// by settings that run the same runbooks).
#[derive(Clone, Debug)]
pub struct AnnualStats {
    /// Downtime per year: one tally shared by the settings that run the same runbooks (their
    /// downtime is the same; losses differ with what lost data costs).
    pub downtime: Arc<Tally>,
    /// Losses (downtime and lost data) per year.
    pub loss: Tally,
    /// Infrastructure and fees spent on disasters per year.
    pub disaster_cost: Total,
}

impl AnnualStats {
    fn merge(&mut self, other: &AnnualStats) {
        Arc::make_mut(&mut self.downtime).merge(&other.downtime);
        self.loss.merge(&other.loss);
        self.disaster_cost.merge(&other.disaster_cost);
    }
}

/// One evaluated setting.
#[derive(Clone, Debug)]
pub struct Evaluated {
    pub setting: Setting,
    pub monthly: Vec<LineItem>,
    pub monthly_total: Usd,
    pub drills_per_year: Usd,
    /// Per disaster type: the component holding its outcomes (index into `Plan::components`).
    pub components: [usize; 4],
    pub annual: AnnualStats,
    /// Mean annual losses, and its Monte Carlo standard error.
    pub expected_annual_loss: Usd,
    pub expected_annual_loss_se: Usd,
    /// Mean annual infrastructure and fees spent on disasters.
    pub expected_disaster_cost: Usd,
    /// 12 × monthly spend + drills + expected disaster cost + expected losses.
    pub total_cost_of_risk: Usd,
    /// Standard error of the total cost of risk (that of the expected losses; the rest is
    /// exact or nearly so).
    pub total_cost_of_risk_se: Usd,
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
    #[error(
        "the merged years hold {components} components and {settings} settings, this scenario has {} and {}",
        expected.0,
        expected.1
    )]
    Shape {
        components: usize,
        settings: usize,
        expected: (usize, usize),
    },
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
    /// Counts finished years (of the first pass over every setting).
    pub progress: Option<&'a AtomicU64>,
}

/// The plan: every setting evaluated, the components they share, and the prices that stood in
/// for unsourced ones.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Simulated years every setting lived through.
    pub years: u64,
    pub evaluated: Vec<Evaluated>,
    pub components: Vec<Component>,
    /// Catalog items priced at the fallback region's price.
    pub substituted_prices: Vec<String>,
}

impl Plan {
    /// The outcomes of setting `i` under one disaster type.
    pub fn type_stats(&self, i: usize, disaster: Disaster) -> &TypeStats {
        &self.components[self.evaluated[i].components[disaster.index()]].stats
    }

    /// The outcomes of setting `i` over every disaster type, pooled (each disaster judged
    /// against its own type's objectives), over the years every setting lived through.
    pub fn pooled(&self, i: usize) -> TypeStats {
        let mut all = TypeStats::new();
        for d in Disaster::ALL {
            all.merge(self.components[self.evaluated[i].components[d.index()]].base());
        }
        all
    }
}

/// Evaluates every setting over the same simulated years, then adds years to the per-type
/// judgments that the pick rests on while their intervals straddle the confidence line
/// ([`pick::in_question`]), up to [`years::MAX_YEARS_FACTOR`] times the years asked.
pub fn plan(
    base: &Scenario,
    catalog: &Catalog,
    options: &PlanOptions<'_>,
) -> Result<Plan, PlanError> {
    plan_with(base, catalog, options, None)
}

/// The first pass over the years of `range` only: a shard of `drsim plan`, for [`plan_from`]
/// once the shards covering `0..options.years` are merged.
pub fn plan_range(
    base: &Scenario,
    catalog: &Catalog,
    options: &PlanOptions<'_>,
    range: std::ops::Range<u64>,
) -> Result<years::FirstPass, PlanError> {
    let prices = Prices::new(
        catalog,
        &base.recovery_region,
        base.pricing.fallback_region.as_deref(),
    );
    let settings = settings(base, &prices);
    let run = years::Years::new(base, &settings, &prices, options.seed, options.threads)?;
    run.first_pass(range, options.progress)
}

/// The plan from a first pass over `0..options.years` merged from shards: the same plan as
/// [`plan`] (the close calls' extra years are simulated here).
pub fn plan_from(
    base: &Scenario,
    catalog: &Catalog,
    options: &PlanOptions<'_>,
    first: years::FirstPass,
) -> Result<Plan, PlanError> {
    plan_with(base, catalog, options, Some(first))
}

fn plan_with(
    base: &Scenario,
    catalog: &Catalog,
    options: &PlanOptions<'_>,
    first: Option<years::FirstPass>,
) -> Result<Plan, PlanError> {
    let prices = Prices::new(
        catalog,
        &base.recovery_region,
        base.pricing.fallback_region.as_deref(),
    );
    let settings = settings(base, &prices);
    let mut monthly = Vec::with_capacity(settings.len());
    for setting in &settings {
        let config = &setting.scenario.strategies[setting.strategy.index()];
        monthly.push(cost::monthly(&setting.scenario, config, &prices)?);
    }
    let full_site = cost::full_site_hourly(base, &prices)?;
    let drills = full_site.times(base.costs.drills_per_year * base.costs.drill_duration / 3600.0);
    let run = years::Years::new(base, &settings, &prices, options.seed, options.threads)?;
    let (components, annual) = match first {
        None => run.first(options.years, options.progress)?,
        Some(pass) => {
            let (components, settings) = run.shape();
            if pass.components.len() != components || pass.annual.len() != settings {
                return Err(PlanError::Shape {
                    components: pass.components.len(),
                    settings: pass.annual.len(),
                    expected: (components, settings),
                });
            }
            run.components(pass, options.years)
        }
    };

    let evaluated = settings
        .iter()
        .cloned()
        .zip(monthly)
        .zip(annual)
        .enumerate()
        .map(|(i, ((setting, monthly), annual))| {
            let monthly_total: Usd = monthly.iter().map(|l| l.usd).sum();
            let cents = |x: f64| Usd::from_cents(x.round() as i64);
            let expected_annual_loss = cents(100.0 * annual.loss.mean());
            let expected_annual_loss_se = cents(100.0 * annual.loss.mean_std_error());
            let expected_disaster_cost = cents(annual.disaster_cost.mean());
            let total_cost_of_risk =
                monthly_total.times(12.0) + drills + expected_disaster_cost + expected_annual_loss;
            Evaluated {
                setting,
                monthly,
                monthly_total,
                drills_per_year: drills,
                components: run.components_of(i),
                annual,
                expected_annual_loss,
                expected_annual_loss_se,
                expected_disaster_cost,
                total_cost_of_risk,
                total_cost_of_risk_se: expected_annual_loss_se,
            }
        })
        .collect();
    let mut plan = Plan {
        years: options.years,
        evaluated,
        components,
        substituted_prices: prices.substituted(),
    };
    // A decision that stands: more years for the close calls the pick rests on.
    let mut done = options.years;
    while done < options.years.saturating_mul(years::MAX_YEARS_FACTOR) {
        let picked = pick::pick(&plan, base);
        let question = pick::in_question(&plan, base, &picked);
        if question.is_empty() {
            break;
        }
        let more = done.min(options.years.saturating_mul(years::MAX_YEARS_FACTOR) - done);
        run.extend(&mut plan.components, &question, done, more)?;
        done += more;
    }
    Ok(plan)
}
