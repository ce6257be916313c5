//! What `database.engine` changes (docs/model.md §4.1): the keys each engine family reads, the
//! knobs it refuses, and the database steps of its recovery runbooks. RDS keeps the read-replica
//! model of §4; Aurora global databases replicate at the storage level and fail over as a
//! global cluster (a pilot light's headless secondary first gets an instance); DynamoDB global
//! tables are active in the recovery region for every strategy.

use std::ops::Range;

use crate::error::ScenarioError;
use crate::model::{Managed, Scenario};
use crate::names::{self, Consistency, EngineFamily, Strategy};
use crate::raw::{RawDatabase, RawStrategy};
use crate::runbooks::{Action, StepDef, step};
use crate::units::Kind;
use crate::validate::{Found, Layers, dist_of, pick};

/// What an engine name must look like, in the words of error messages.
pub const ENGINES_EXPECTED: &str = "expected rds-<engine> (e.g. rds-mysql, rds-postgresql), \
aurora-<engine> (aurora-mysql, aurora-postgresql) or dynamodb";

/// The family of the engine found at `database.engine`, or an error saying what is expected.
pub(crate) fn family(found: &Found<'_, String>) -> Result<EngineFamily, ScenarioError> {
    EngineFamily::of(found.value).ok_or_else(|| {
        found
            .error(
                "database.engine",
                format!("unknown database engine \"{}\": {ENGINES_EXPECTED}", found.value),
            )
            .with_help("the engine decides replication and recovery (docs/model.md §4.1) and names its prices")
    })
}

/// A key as written: where, and its value.
type Written = Option<(Range<usize>, toml::Value)>;

fn quantity(v: Option<&toml::Spanned<toml::Value>>) -> Written {
    v.map(|v| (v.span(), v.get_ref().clone()))
}

fn text(v: Option<&toml::Spanned<String>>) -> Written {
    v.map(|v| (v.span(), toml::Value::String(v.get_ref().clone())))
}

/// `database.*` keys that only some families read: each key, how to read it, and the families
/// that read it.
type DatabaseKey = (
    &'static str,
    fn(&RawDatabase) -> Written,
    &'static [EngineFamily],
);

const DATABASE_KEYS: [DatabaseKey; 12] = {
    use EngineFamily::{Aurora, DynamoDb, Rds};
    const INSTANCES: &[EngineFamily] = &[Rds, Aurora];
    [
        (
            "instance-class",
            |d| text(d.instance_class.as_ref()),
            INSTANCES,
        ),
        (
            "multi-az",
            |d| {
                d.multi_az
                    .as_ref()
                    .map(|v| (v.span(), toml::Value::Boolean(*v.get_ref())))
            },
            INSTANCES,
        ),
        ("promote", |d| quantity(d.promote.as_ref()), INSTANCES),
        ("resize", |d| quantity(d.resize.as_ref()), INSTANCES),
        ("restore", |d| quantity(d.restore.as_ref()), INSTANCES),
        (
            "multi-az-failover",
            |d| quantity(d.multi_az_failover.as_ref()),
            INSTANCES,
        ),
        (
            "global-failover",
            |d| quantity(d.global_failover.as_ref()),
            INSTANCES,
        ),
        ("global-lag", |d| quantity(d.global_lag.as_ref()), &[Aurora]),
        (
            "add-instance",
            |d| quantity(d.add_instance.as_ref()),
            &[Aurora],
        ),
        ("consistency", |d| text(d.consistency.as_ref()), &[DynamoDb]),
        ("table-lag", |d| quantity(d.table_lag.as_ref()), &[DynamoDb]),
        (
            "table-restore",
            |d| quantity(d.table_restore.as_ref()),
            &[DynamoDb],
        ),
    ]
};

/// Where the user set a key to something other than the reference's value (a file written by
/// `drsim init` holds every key at its default: those are ignored, not refused).
fn changed<S>(
    user: Option<&S>,
    reference: Option<&S>,
    read: impl Fn(&S) -> Written,
) -> Option<Range<usize>> {
    let (span, value) = user.and_then(&read)?;
    let default = reference.and_then(&read).map(|(_, v)| v);
    (default.as_ref() != Some(&value)).then_some(span)
}

fn families(list: &[EngineFamily]) -> String {
    let names: Vec<&str> = list.iter().map(|f| f.name()).collect();
    names.join(" and ")
}

/// Refuses the `database.*` keys the user changed that the engine does not read.
fn refuse_keys(
    layers: Layers<'_>,
    user: Option<&RawDatabase>,
    reference: Option<&RawDatabase>,
    family: EngineFamily,
    engine: &str,
) -> Result<(), ScenarioError> {
    for (key, read, applies) in DATABASE_KEYS {
        if applies.contains(&family) {
            continue;
        }
        if let Some(span) = changed(user, reference, read) {
            return Err(layers
                .user
                .error(
                    Some(span),
                    &format!("database.{key}"),
                    format!(
                        "`{key}` does not apply to engine \"{engine}\": only {} engines read it",
                        families(applies)
                    ),
                )
                .with_help("remove the key, or change database.engine (docs/model.md §4.1 lists the keys of each engine)"));
        }
    }
    Ok(())
}

/// The engine's replication and recovery model, from the user's `[database]` over the
/// reference's.
pub(crate) fn managed(
    layers: Layers<'_>,
    user: Option<&RawDatabase>,
    reference: Option<&RawDatabase>,
    family: EngineFamily,
    engine: &str,
) -> Result<Managed, ScenarioError> {
    refuse_keys(layers, user, reference, family, engine)?;
    let dist = |key: &str, f: fn(&RawDatabase) -> Option<&crate::raw::RawQuantity>| {
        let full = format!("database.{key}");
        dist_of(
            &pick(layers, user, reference, &full, f)?,
            &full,
            Kind::Duration,
        )
    };
    Ok(match family {
        EngineFamily::Rds => Managed::Rds,
        EngineFamily::Aurora => Managed::Aurora {
            lag: dist("global-lag", |d| d.global_lag.as_ref())?,
            add_instance: dist("add-instance", |d| d.add_instance.as_ref())?,
        },
        EngineFamily::DynamoDb => {
            let found = pick(layers, user, reference, "database.consistency", |d| {
                d.consistency.as_ref()
            })?;
            let consistency = names::parse(&Consistency::ALL, Consistency::name, found.value)
                .map_err(|m| {
                    found
                        .error("database.consistency", m)
                        .with_help("\"eventual\": multi-Region eventual consistency (MREC), \"strong\": multi-Region strong consistency (MRSC, RPO 0)")
                })?;
            Managed::DynamoDb {
                consistency,
                lag: dist("table-lag", |d| d.table_lag.as_ref())?,
                restore: dist("table-restore", |d| d.table_restore.as_ref())?,
            }
        }
    })
}

/// A strategy knob: its key, and how to read it.
type StrategyKnob = (&'static str, fn(&RawStrategy) -> Written);

/// Refuses a strategy knob the user changed that the engine makes meaningless: a pilot light's
/// replica size (Aurora's is headless, DynamoDB has no instance) and multi-site's database
/// replication (Aurora replicates asynchronously, DynamoDB follows `database.consistency`).
pub(crate) fn refuse_strategy_knobs(
    layers: Layers<'_>,
    strategy: Strategy,
    user: Option<&RawStrategy>,
    reference: Option<&RawStrategy>,
    scenario: &Scenario,
) -> Result<(), ScenarioError> {
    let family = scenario.database.managed.family();
    if family == EngineFamily::Rds {
        return refuse_rds_sync(layers, strategy, user);
    }
    let knobs: [StrategyKnob; 2] = [
        ("replica-fraction", |s| {
            s.replica_fraction
                .as_ref()
                .map(|v| (v.span(), toml::Value::Float(*v.get_ref())))
        }),
        ("database-replication", |s| {
            text(s.database_replication.as_ref())
        }),
    ];
    // The mode the engine replicates in: a user's value that agrees with it is harmless.
    let mode = engine_knobs(&scenario.database.managed)
        .map(|(replication, _)| toml::Value::String(replication.name().to_string()));
    for (knob, read) in knobs {
        let agrees =
            |s: &RawStrategy| knob == "database-replication" && read(s).map(|(_, v)| v) == mode;
        let span = changed(user, reference, read).filter(|_| !user.is_some_and(agrees));
        if let Some(span) = span {
            let why = match (knob, family) {
                ("replica-fraction", EngineFamily::Aurora) => {
                    "an Aurora pilot light keeps a headless secondary cluster and adds a full-size instance on failover"
                }
                ("replica-fraction", _) => "a DynamoDB global table has no instance to size",
                (_, EngineFamily::Aurora) => {
                    "an Aurora global database always replicates asynchronously"
                }
                _ => "a DynamoDB global table replicates as database.consistency says",
            };
            return Err(layers
                .user
                .error(
                    Some(span),
                    &format!("strategies.{}.{knob}", strategy.name()),
                    format!(
                        "`{knob}` does not apply to engine \"{}\": {why}",
                        scenario.database.engine
                    ),
                )
                .with_help("remove the key (docs/model.md §4.1)"));
        }
    }
    Ok(())
}

/// Refuses `database-replication = "sync"` on an RDS engine: RDS copies a primary's updates to a
/// read replica asynchronously, across regions as within one (RDS User Guide, "Working with DB
/// instance read replicas"), so no RDS strategy keeps a synchronous copy in the recovery region.
fn refuse_rds_sync(
    layers: Layers<'_>,
    strategy: Strategy,
    user: Option<&RawStrategy>,
) -> Result<(), ScenarioError> {
    use crate::model::DbReplication;
    let sync = toml::Value::String(DbReplication::Sync.name().to_string());
    match user.and_then(|s| text(s.database_replication.as_ref())) {
        Some((span, value)) if value == sync => Err(layers
            .user
            .error(
                Some(span),
                &format!("strategies.{}.database-replication", strategy.name()),
                "an RDS database cannot replicate synchronously to another region: RDS copies \
                 updates to a cross-region read replica asynchronously",
            )
            .with_help(
                "set database-replication = \"async\" (the replica is promoted on failover), or, for \
                 a database RPO of 0, use database.engine = \"dynamodb\" with consistency = \"strong\" \
                 (docs/model.md §4.1)",
            )),
        _ => Ok(()),
    }
}

/// The knobs a strategy takes from the engine: (database replication, replica fraction), or
/// `None` to keep the strategy's own (RDS).
pub(crate) fn engine_knobs(managed: &Managed) -> Option<(crate::model::DbReplication, f64)> {
    use crate::model::DbReplication;
    match managed {
        Managed::Rds => None,
        Managed::Aurora { .. } => Some((DbReplication::Async, 1.0)),
        Managed::DynamoDb { consistency, .. } => Some((
            match consistency {
                Consistency::Eventual => DbReplication::Async,
                Consistency::Strong => DbReplication::Sync,
            },
            1.0,
        )),
    }
}

/// The database steps of a strategy's region-loss runbook, started after `start`, and the step
/// the service waits for (`None`: the database needs no step).
pub fn failover_steps(
    scenario: &Scenario,
    strategy: Strategy,
    start: &str,
) -> (Vec<StepDef>, Option<&'static str>) {
    match (scenario.database.managed.family(), strategy) {
        (EngineFamily::DynamoDb, _) => (Vec::new(), None),
        (_, Strategy::BackupRestore) => (
            vec![
                step("restore-db", &[start], Action::RestoreDatabase),
                step("hydrate-db", &["restore-db"], Action::HydrateDatabase),
            ],
            Some("hydrate-db"),
        ),
        (EngineFamily::Rds, Strategy::PilotLight) => (
            vec![
                step("promote-db", &[start], Action::PromoteDatabase),
                step("resize-db", &["promote-db"], Action::ResizeDatabase),
            ],
            Some("resize-db"),
        ),
        (EngineFamily::Aurora, Strategy::PilotLight) => (
            vec![
                step("add-db-instance", &[start], Action::AddInstance),
                step("failover-db", &["add-db-instance"], Action::GlobalFailover),
            ],
            Some("failover-db"),
        ),
        // Warm standby and multi-site alike keep a cross-region read replica, promoted in place
        // (RDS has no managed global failover).
        (EngineFamily::Rds, Strategy::WarmStandby | Strategy::MultiSite) => (
            vec![step("promote-db", &[start], Action::PromoteDatabase)],
            Some("promote-db"),
        ),
        (_, _) => (
            vec![step("failover-db", &[start], Action::GlobalFailover)],
            Some("failover-db"),
        ),
    }
}

/// The database steps of a restore from backups (corruption, ransomware), after `start`, and
/// the step the service waits for. A DynamoDB table is usable once restored (no hydration).
pub fn restore_steps(scenario: &Scenario, start: &str) -> (Vec<StepDef>, &'static str) {
    match scenario.database.managed.family() {
        EngineFamily::DynamoDb => (
            vec![step("restore-db", &[start], Action::RestoreDatabase)],
            "restore-db",
        ),
        _ => (
            vec![
                step("restore-db", &[start], Action::RestoreDatabase),
                step("hydrate-db", &["restore-db"], Action::HydrateDatabase),
            ],
            "hydrate-db",
        ),
    }
}

/// The database's replication lag at a region-loss instant for the engines that do not
/// replicate over the modelled link, drawn from `rng` (`None` for RDS: the link queue decides).
pub fn managed_lag(managed: &Managed, rng: &mut sim_core::rng::SimRng) -> Option<f64> {
    match managed {
        Managed::Rds => None,
        Managed::Aurora { lag, .. } => Some(lag.sample(rng)),
        Managed::DynamoDb {
            consistency: Consistency::Strong,
            ..
        } => Some(0.0),
        Managed::DynamoDb { lag, .. } => Some(lag.sample(rng)),
    }
}
