//! The scenario file as written: serde structs close to the TOML, kebab-case keys, unknown keys
//! rejected. Every field is optional; `model` fills what is missing with the documented defaults
//! and validates the rest into typed values.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// A quantity as written: a string with a unit, or a table naming a distribution.
pub type RawQuantity = Spanned<toml::Value>;

/// Runbook overrides as written: step name → step table.
pub type RawRunbook = Spanned<BTreeMap<String, Spanned<RawStep>>>;

/// A section of the file: a struct of optional keys that reads only from a TOML table (never
/// from an array by position), unknown keys refused.
macro_rules! raw_section {
    ($(#[$doc:meta])* $name:ident { $($field:ident : $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Default)]
        pub struct $name {
            $(pub $field: Option<$ty>,)*
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #[derive(Deserialize)]
                #[serde(deny_unknown_fields, rename_all = "kebab-case")]
                struct Keys {
                    $($field: Option<$ty>,)*
                }
                struct TableOnly;
                impl<'de> serde::de::Visitor<'de> for TableOnly {
                    type Value = Keys;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(TABLE_EXPECTED)
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Keys, A::Error> {
                        Keys::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    }
                }
                const FIELDS: &[&str] = &[$(stringify!($field)),*];
                let keys = deserializer.deserialize_struct(stringify!($name), FIELDS, TableOnly)?;
                Ok($name { $($field: keys.$field,)* })
            }
        }
    };
}

/// What a section must be, in the words of error messages.
pub const TABLE_EXPECTED: &str =
    "a table of keys (`[section]` or `{ key = … }`), not a list or a value";

raw_section!(RawScenario {
    name: Spanned<String>,
    regions: RawRegions,
    objectives: RawObjectives,
    tiers: Spanned<BTreeMap<String, Spanned<RawTier>>>,
    database: RawDatabase,
    data: Spanned<BTreeMap<String, RawData>>,
    replication: RawReplication,
    restore: RawRestore,
    launch: RawLaunch,
    detection: RawDetection,
    dns: RawDns,
    backups: RawBackups,
    disasters: RawDisasters,
    strategies: RawStrategies,
    runbooks: RawSharedRunbooks,
    pools: Spanned<BTreeMap<String, Spanned<RawPool>>>,
    costs: RawCosts,
    plan: RawPlan,
    pricing: RawPricing,
    check: RawCheck,
});

raw_section!(RawCheck {
    strategy: Spanned<String>,
    tolerance: Spanned<String>,
    p_meet_tolerance: Spanned<f64>,
    spend_tolerance: Spanned<toml::Value>,
});

raw_section!(RawCosts {
    downtime_per_hour: Spanned<toml::Value>,
    data_loss_per_hour: Spanned<toml::Value>,
    drills_per_year: Spanned<f64>,
    drill_duration: RawQuantity,
    pick: Spanned<String>,
});

raw_section!(RawPlan {
    years: Spanned<i64>,
    backup_intervals: Spanned<Vec<String>>,
    storage_tiers: Spanned<Vec<String>>,
    failover: Spanned<Vec<String>>,
    replica_fractions: Spanned<Vec<f64>>,
    standby_fractions: Spanned<Vec<f64>>,
    site_capacities: Spanned<Vec<f64>>,
    database_replication: Spanned<Vec<String>>,
    point_in_time: Spanned<Vec<bool>>,
});

raw_section!(RawPricing {
    catalog: Spanned<String>,
    fallback_region: Spanned<String>,
});

raw_section!(RawRegions {
    primary: Spanned<String>,
    recovery: Spanned<String>,
    provision_network: RawQuantity,
});

raw_section!(RawObjectives {
    rto: RawQuantity,
    rpo: RawQuantity,
    confidence: Spanned<f64>,
    service_level: Spanned<f64>,
    region_loss: RawObjectiveOverride,
    az_loss: RawObjectiveOverride,
    corruption: RawObjectiveOverride,
    ransomware: RawObjectiveOverride,
});

raw_section!(RawObjectiveOverride {
    rto: RawQuantity,
    rpo: RawQuantity,
});

raw_section!(RawTier {
    instance_type: Spanned<String>,
    count: Spanned<i64>,
    os: Spanned<String>,
    multi_az: Spanned<bool>,
    service_level: Spanned<f64>,
    pending: RawQuantity,
    boot: RawQuantity,
    bootstrap: RawQuantity,
    health_check: RawQuantity,
});

raw_section!(RawDatabase {
    engine: Spanned<String>,
    instance_class: Spanned<String>,
    size: RawQuantity,
    multi_az: Spanned<bool>,
    write_rate: RawQuantity,
    burst_size: RawQuantity,
    daily_profile: Spanned<Vec<f64>>,
    restore: RawQuantity,
    promote: RawQuantity,
    resize: RawQuantity,
    multi_az_failover: RawQuantity,
    global_failover: RawQuantity,
    global_lag: RawQuantity,
    add_instance: RawQuantity,
    consistency: Spanned<String>,
    table_lag: RawQuantity,
    table_restore: RawQuantity,
});

raw_section!(RawData {
    size: RawQuantity,
    storage: Spanned<String>,
    replication: Spanned<String>,
});

raw_section!(RawReplication {
    bandwidth: RawQuantity,
    max_window: RawQuantity,
    apply_lag: RawQuantity,
});

raw_section!(RawRestore {
    bandwidth: RawQuantity,
    per_transfer: RawQuantity,
});

raw_section!(RawLaunch {
    rate: Spanned<f64>,
    burst: Spanned<i64>,
    failure_probability: Spanned<f64>,
    retry_delay: RawQuantity,
});

raw_section!(RawDetection {
    failure_threshold: Spanned<i64>,
    timeout: RawQuantity,
    manual_decision: RawQuantity,
    automated_decision: RawQuantity,
});

raw_section!(RawDns {
    client_ttl: RawQuantity,
});

raw_section!(RawBackups {
    interval: RawQuantity,
    duration: RawQuantity,
    copy_delay: RawQuantity,
    failure_probability: Spanned<f64>,
    retention: RawQuantity,
    immutable: Spanned<bool>,
    point_in_time: Spanned<bool>,
    point_in_time_window: RawQuantity,
    point_in_time_lag: RawQuantity,
});

raw_section!(RawDisasters {
    region_loss: RawDisaster,
    az_loss: RawDisaster,
    corruption: RawDisaster,
    ransomware: RawDisaster,
});

raw_section!(
    /// One disaster type; which keys apply depends on the type (checked in `model`).
    RawDisaster {
    annual_rate: Spanned<f64>,
    outage: RawQuantity,
    congestion_probability: Spanned<f64>,
    launch_slowdown: RawQuantity,
    launch_failure_probability: Spanned<f64>,
    throughput_factor: RawQuantity,
    dwell: RawQuantity,
    clean_room: RawQuantity,
    restore_point: Spanned<String>,
});

raw_section!(RawStrategies {
    backup_restore: RawStrategy,
    pilot_light: RawStrategy,
    warm_standby: RawStrategy,
    multi_site: RawStrategy,
});

raw_section!(
    /// One strategy's knobs and runbook overrides; which knobs apply depends on the strategy.
    RawStrategy {
    failover: Spanned<String>,
    health_check_interval: RawQuantity,
    standby_fraction: Spanned<f64>,
    replica_fraction: Spanned<f64>,
    site_capacity: Spanned<f64>,
    traffic_weight: Spanned<f64>,
    database_replication: Spanned<String>,
    runbook: RawRunbook,
});

raw_section!(
    /// A concurrency limit runbook steps can share (`pool = "NAME"` on a step).
    RawPool {
    concurrency: Spanned<i64>,
});

raw_section!(RawSharedRunbooks {
    az_loss: RawRunbook,
    corruption: RawRunbook,
    ransomware: RawRunbook,
    failback: RawRunbook,
});

raw_section!(
    /// One runbook step: a built-in action bound to the scenario's data, or a plain delay.
    RawStep {
    action: Spanned<String>,
    after: Spanned<Vec<String>>,
    tier: Spanned<String>,
    data: Spanned<String>,
    duration: RawQuantity,
    background: Spanned<bool>,
    pool: Spanned<String>,
    remove: Spanned<bool>,
});
