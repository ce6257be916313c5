//! The validated scenario: typed values in SI units (seconds, bytes, bytes/s), every default
//! filled in from the embedded reference scenario, every cross-field rule checked (by
//! `validate`). The simulator only accepts a [`Scenario`], so its preconditions live here.

use sim_core::dist::Dist;

use crate::names::{Consistency, EngineFamily, Os, RestorePoint, Strategy};
use crate::runbooks::StepDef;

/// Recovery objectives for one disaster type.
#[derive(Clone, Debug, PartialEq)]
pub struct Objective {
    /// Seconds.
    pub rto: f64,
    /// Seconds.
    pub rpo: f64,
}

/// What the service must achieve, and how surely.
#[derive(Clone, Debug, PartialEq)]
pub struct Objectives {
    /// Indexed by [`Disaster::index`](crate::Disaster::index).
    pub by_disaster: [Objective; 4],
    /// Probability with which the objectives must be met, in (0, 1).
    pub confidence: f64,
    /// Fraction of normal capacity at which the service counts as running again, in (0, 1].
    pub service_level: f64,
}

/// A fleet of identical instances behind a load balancer.
#[derive(Clone, Debug)]
pub struct Tier {
    pub name: String,
    pub instance_type: String,
    pub count: u32,
    /// Sets the instance price and the default boot time.
    pub os: Os,
    /// Availability zones the tier spreads over (1 = single-AZ).
    pub zones: u32,
    /// Fraction of `count` that must run for the tier to count as recovered, in (0, 1]: the
    /// tier's own `service-level`, else `objectives.service-level`.
    pub service_level: f64,
    /// pending → running, OS boot, application bootstrap, load-balancer health check (seconds).
    pub phases: [Dist; 4],
}

impl Tier {
    /// Instances that must be up for the tier to serve at its service level:
    /// ⌈service-level × count⌉ (k of n).
    pub fn target(&self) -> u32 {
        (self.service_level * f64::from(self.count) - 1e-9)
            .ceil()
            .max(0.0) as u32
    }
}

/// The primary database and its write workload.
#[derive(Clone, Debug)]
pub struct Database {
    /// Price-list service of the database: rds-mysql, rds-postgresql, aurora-mysql, aurora-postgresql.
    pub engine: String,
    pub instance_class: String,
    /// Bytes.
    pub size: Dist,
    pub multi_az: bool,
    /// Mean write rate, bytes/s, drawn once per trial (the workload's level at that time).
    pub write_rate: Dist,
    /// Mean size of one write burst, bytes (sizes are exponential).
    pub burst_size: f64,
    /// Write-rate multiplier for each hour of the day (mean 1).
    pub daily_profile: [f64; 24],
    pub restore: Dist,
    pub promote: Dist,
    pub resize: Dist,
    pub multi_az_failover: Dist,
    pub global_failover: Dist,
    /// What the engine's family makes of replication and recovery (docs/model.md §4.1).
    pub managed: Managed,
}

/// How the database engine replicates to the recovery region and recovers.
#[derive(Clone, Debug)]
pub enum Managed {
    /// RDS cross-region read replica: the link queue plus `replication.apply-lag`, promotion.
    Rds,
    /// Aurora global database: storage-level replication; a pilot light keeps a headless
    /// secondary cluster, which needs an instance before it can fail over.
    Aurora {
        /// Replication lag at the disaster instant, seconds.
        lag: Dist,
        /// Adding an instance to the headless secondary, seconds.
        add_instance: Dist,
    },
    /// DynamoDB global table: every strategy's replica is active in the recovery region.
    DynamoDb {
        consistency: Consistency,
        /// Replication lag at the disaster instant under eventual consistency, seconds.
        lag: Dist,
        /// Restore of the table from an on-demand backup or point in time, seconds.
        restore: Dist,
    },
}

impl Managed {
    pub fn family(&self) -> EngineFamily {
        match self {
            Managed::Rds => EngineFamily::Rds,
            Managed::Aurora { .. } => EngineFamily::Aurora,
            Managed::DynamoDb { .. } => EngineFamily::DynamoDb,
        }
    }
}

/// Where a dataset's backups live; archive tiers add a retrieval delay.
#[derive(Clone, Debug)]
pub struct Dataset {
    pub name: String,
    /// Bytes.
    pub size: Dist,
    pub storage: String,
    /// Seconds before a restore can start reading (0 for instant tiers).
    pub retrieval: Dist,
    /// How replicated strategies copy it: the age of its newest replicated object, if replicated.
    pub replication_lag: Option<Dist>,
    /// How it replicates, as named in the scenario: `none`, `crr`, `crr-rtc` (S3 Replication
    /// Time Control), for `drsim export`.
    pub replication: String,
}

#[derive(Clone, Debug)]
pub struct Replication {
    /// Bytes/s of the inter-region link, drawn once per trial.
    pub bandwidth: Dist,
    /// Longest history simulated for the replication queue, seconds; `None` ("auto"): as long
    /// as the queue needs to forget its empty start (30 busy-period decay times), within
    /// `limits::MAX_WINDOW_BURSTS` bursts, and `limits::OVERLOAD_WINDOW` when overloaded.
    pub max_window: Option<f64>,
    /// Delay of the replica applying what it received (seconds), added to the queueing lag.
    pub apply_lag: Dist,
}

#[derive(Clone, Debug)]
pub struct Restore {
    /// Bytes/s shared by all concurrent restores in the recovery region, drawn per trial.
    pub bandwidth: Dist,
    /// Bytes/s cap of one restore stream (volume hydration rate), drawn per transfer.
    pub per_transfer: Dist,
}

#[derive(Clone, Debug)]
pub struct Launch {
    /// Sustained instance launches per second (token-bucket refill).
    pub rate: f64,
    /// Launches allowed at once (token-bucket size).
    pub burst: u32,
    pub failure_probability: f64,
    pub retry_delay: Dist,
}

#[derive(Clone, Debug)]
pub struct Detection {
    pub failure_threshold: u32,
    pub timeout: f64,
    pub manual_decision: Dist,
    pub automated_decision: Dist,
}

#[derive(Clone, Debug)]
pub struct Backups {
    pub interval: f64,
    pub duration: Dist,
    pub copy_delay: Dist,
    pub failure_probability: f64,
    pub retention: f64,
    pub immutable: bool,
    /// Whether continuous backup (point-in-time restore) of the database and datasets runs
    /// besides the periodic backups.
    pub point_in_time: bool,
    /// How point-in-time restore behaves when it is on (kept so the planner can sweep it).
    pub continuous: PointInTime,
}

/// Continuous backup: any instant of the window can be restored, up to the latest restorable
/// time, which trails the present by `lag`.
#[derive(Clone, Debug)]
pub struct PointInTime {
    /// How far back a point-in-time restore reaches, seconds.
    pub window: f64,
    /// Age of the latest restorable time at the disaster instant, seconds.
    pub lag: Dist,
}

/// A disaster type's frequency and character.
#[derive(Clone, Debug)]
pub struct DisasterModel {
    /// Expected occurrences per year.
    pub annual_rate: f64,
    /// How long the primary stays down (region and AZ loss), seconds.
    pub outage: Option<Dist>,
    /// How long the damage went unnoticed before discovery (corruption, ransomware), seconds.
    pub dwell: Option<Dist>,
    /// Region loss only: the recovery region is congested by others failing over.
    pub congestion: Option<Congestion>,
    /// Ransomware only: forensics and a clean environment before any restore, seconds.
    pub clean_room: Option<Dist>,
    /// Ransomware only: which recovery point the data is restored from.
    pub restore_point: Option<RestorePoint>,
}

#[derive(Clone, Debug)]
pub struct Congestion {
    pub probability: f64,
    /// Multiplier of instance launch-to-healthy times.
    pub launch_slowdown: Dist,
    pub launch_failure_probability: f64,
    /// Multiplier (≤ 1) of the restore bandwidth.
    pub throughput_factor: Dist,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failover {
    Manual,
    Automated,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbReplication {
    Async,
    Sync,
}

/// One strategy's knobs.
#[derive(Clone, Debug)]
pub struct StrategyConfig {
    pub strategy: Strategy,
    pub failover: Failover,
    /// Seconds between health checks that detect the failure.
    pub health_check_interval: f64,
    /// Warm standby: fraction of full capacity kept running. Multi-site: capacity each site keeps.
    pub running_fraction: f64,
    /// Multi-site: share of traffic the recovery site serves in normal operation.
    pub traffic_weight: f64,
    /// Multi-site: how the database replicates.
    pub database_replication: DbReplication,
    /// Pilot light: the replica's size as a share of the primary's (1 for the others).
    pub replica_fraction: f64,
    /// Pilot light: the instance class the replica runs on, when the planner chose one (else
    /// the primary's class is priced at `replica_fraction` of its price).
    pub replica_class: Option<String>,
    /// The recovery runbook for a region loss.
    pub runbook: Vec<StepDef>,
}

/// How to pick among the settings that meet the objectives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PickRule {
    /// The lowest monthly DR spend.
    Cheapest,
    /// The lowest total annual cost of risk (spend + drills + expected losses).
    TotalCostOfRisk,
}

/// What downtime and lost data cost, and the drills.
#[derive(Clone, Debug)]
pub struct Costs {
    /// US cents per hour of outage.
    pub downtime_per_hour_cents: u64,
    /// US cents per hour of lost data.
    pub data_loss_per_hour_cents: u64,
    pub drills_per_year: f64,
    /// Seconds the recovery stack runs in each drill.
    pub drill_duration: f64,
    pub pick: PickRule,
}

/// What `drsim plan` sweeps, and how long.
#[derive(Clone, Debug)]
pub struct PlanConfig {
    pub years: u64,
    /// Seconds.
    pub backup_intervals: Vec<f64>,
    pub storage_tiers: Vec<String>,
    pub failover: Vec<Failover>,
    pub replica_fractions: Vec<f64>,
    pub standby_fractions: Vec<f64>,
    pub site_capacities: Vec<f64>,
    /// Every strategy: continuous backup (point-in-time restore) off and/or on.
    pub point_in_time: Vec<bool>,
}

/// Where prices come from.
#[derive(Clone, Debug)]
pub struct PricingConfig {
    /// A catalog file, as written in the scenario (relative to the scenario file).
    pub catalog: Option<String>,
    /// Region whose price stands in for one not sourced in the recovery region.
    pub fallback_region: Option<String>,
}

/// What `drsim check` judges, and how much a run may move against its baseline.
#[derive(Clone, Debug)]
pub struct CheckConfig {
    /// The deployed strategy, with its knobs as the scenario sets them.
    pub strategy: crate::names::Strategy,
    /// How far p95 RTO and p95 RPO may rise against the baseline.
    pub tolerance: Tolerance,
    /// How far P(meet) may fall against the baseline (absolute, e.g. 0.01).
    pub p_meet_tolerance: f64,
    /// How far the monthly DR spend may rise against the baseline.
    pub spend_tolerance: SpendTolerance,
}

/// A tolerance on money: a share of the baseline's amount, or whole cents.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SpendTolerance {
    /// A share, e.g. 0.05 for "5%".
    Relative(f64),
    /// US cents.
    Cents(u64),
}

/// A tolerance on a duration: a share of the baseline's value, or seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tolerance {
    /// A share, e.g. 0.1 for "10%".
    Relative(f64),
    /// Seconds.
    Absolute(f64),
}

impl Tolerance {
    /// The allowed rise, seconds, over a baseline value of `base` seconds.
    pub fn allowed(self, base: f64) -> f64 {
        match self {
            Tolerance::Relative(share) => share * base,
            Tolerance::Absolute(seconds) => seconds,
        }
    }
}

/// A concurrency limit shared by the runbook steps that name it: at most `concurrency` of them
/// run at once in one runbook run; the others wait, first come first served.
#[derive(Clone, Debug, PartialEq)]
pub struct Pool {
    pub name: String,
    pub concurrency: u32,
}

/// A complete, validated scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub primary_region: String,
    pub recovery_region: String,
    pub provision_network: Dist,
    pub objectives: Objectives,
    pub tiers: Vec<Tier>,
    pub database: Database,
    pub data: Vec<Dataset>,
    pub replication: Replication,
    pub restore: Restore,
    pub launch: Launch,
    pub detection: Detection,
    pub client_ttl: Dist,
    pub backups: Backups,
    /// Indexed by [`Disaster::index`](crate::Disaster::index).
    pub disasters: [DisasterModel; 4],
    /// Indexed by [`Strategy::index`].
    pub strategies: [StrategyConfig; 4],
    pub az_loss_runbook: Vec<StepDef>,
    pub corruption_runbook: Vec<StepDef>,
    pub ransomware_runbook: Vec<StepDef>,
    pub failback_runbook: Vec<StepDef>,
    /// Concurrency limits the runbooks' steps may use (`[pools.NAME]`), by name.
    pub pools: Vec<Pool>,
    pub costs: Costs,
    pub plan: PlanConfig,
    pub pricing: PricingConfig,
    pub check: CheckConfig,
    /// Things that are allowed but that the user should know (shown on stderr).
    pub warnings: Vec<String>,
}

/// The retrieval delay of a backup storage tier, or `None` for an unknown tier.
pub fn retrieval_delay(storage: &str) -> Option<Dist> {
    crate::validate::retrieval(storage).and_then(Result::ok)
}
