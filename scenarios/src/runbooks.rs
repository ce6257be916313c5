//! Recovery runbooks as data: each strategy's "key steps for recovery" from the AWS whitepaper
//! (and the shared runbooks for AZ loss, corruption, ransomware and failback) as lists of named
//! steps with dependencies. A scenario file can override any step, add steps and remove steps;
//! [`compile`] turns a list into a `sim_core::engine::Runbook` bound to the scenario's values.

use std::collections::{BTreeMap, BTreeSet};

use sim_core::dist::Dist;
use sim_core::engine::{
    FleetSpec, LauncherId, LinkId, Param, ParamId, Runbook, RunbookBuilder, Work,
};

use crate::engines;
use crate::error::{ScenarioError, Source};
use crate::model::{Failover, Managed, Scenario, StrategyConfig};
use crate::names::{EngineFamily, Strategy};
use crate::quantity;
use crate::raw::RawRunbook;
use crate::units::Kind;

/// What a step does. Built-in actions take their durations from the scenario's sections.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Health checks notice the failure: uniform over the last check interval before the
    /// failure threshold is reached, plus the check timeout.
    Detect,
    /// Someone (or something) decides to fail over: manual or automated, per strategy.
    Decide,
    /// Create the network and supporting stack in the recovery region.
    ProvisionNetwork,
    /// Launch a tier's whole fleet.
    Launch(String),
    /// Scale a running tier from its standby size up to the service level.
    ScaleOut(String),
    /// Replace the instances a tier lost with an availability zone.
    Replace(String),
    /// Create a database instance from a snapshot (create + crash recovery).
    RestoreDatabase,
    /// Pull the restored database's blocks from the snapshot (lazy loading), over the shared
    /// restore bandwidth.
    HydrateDatabase,
    /// Promote a cross-region read replica to a standalone primary.
    PromoteDatabase,
    /// Resize the promoted replica to production size.
    ResizeDatabase,
    /// Multi-AZ failover inside the primary region.
    FailoverDatabase,
    /// Managed failover of a global (multi-region) database.
    GlobalFailover,
    /// Add an instance to a headless Aurora secondary cluster (it cannot fail over without one).
    AddInstance,
    /// Archive retrieval of a dataset's backup before it can be read.
    Retrieve(String),
    /// Copy a dataset from its backup over the shared restore bandwidth.
    RestoreData(String),
    /// Clients follow the DNS change (effective client TTL).
    SwitchDns,
    /// Forensics and a clean environment after ransomware.
    CleanRoom,
    /// Failback: reverse replication of what was written during the outage (service stays up).
    Resync,
    /// A plain delay; needs a duration.
    Delay,
}

impl Action {
    /// The name used in scenario files.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Detect => "detect",
            Action::Decide => "decide",
            Action::ProvisionNetwork => "provision-network",
            Action::Launch(_) => "launch",
            Action::ScaleOut(_) => "scale-out",
            Action::Replace(_) => "replace",
            Action::RestoreDatabase => "restore-database",
            Action::HydrateDatabase => "hydrate-database",
            Action::PromoteDatabase => "promote-database",
            Action::ResizeDatabase => "resize-database",
            Action::FailoverDatabase => "failover-database",
            Action::GlobalFailover => "global-failover",
            Action::AddInstance => "add-database-instance",
            Action::Retrieve(_) => "retrieve-data",
            Action::RestoreData(_) => "restore-data",
            Action::SwitchDns => "switch-dns",
            Action::CleanRoom => "clean-room",
            Action::Resync => "resync",
            Action::Delay => "delay",
        }
    }

    /// Whether the action is a single delay, which a step's `duration` may replace.
    pub fn is_single_delay(&self) -> bool {
        !matches!(
            self,
            Action::Launch(_)
                | Action::ScaleOut(_)
                | Action::Replace(_)
                | Action::HydrateDatabase
                | Action::RestoreData(_)
                | Action::Resync
        )
    }

    /// The tier or dataset the action works on.
    pub fn target(&self) -> Option<&str> {
        match self {
            Action::Launch(t)
            | Action::ScaleOut(t)
            | Action::Replace(t)
            | Action::Retrieve(t)
            | Action::RestoreData(t) => Some(t),
            _ => None,
        }
    }
}

const ACTIONS: &str = "detect, decide, provision-network, launch, scale-out, replace, restore-database, hydrate-database, \
promote-database, resize-database, failover-database, global-failover, add-database-instance, retrieve-data, restore-data, switch-dns, clean-room, \
resync, delay";

/// One step of a runbook.
#[derive(Clone, Debug)]
pub struct StepDef {
    pub name: String,
    pub after: Vec<String>,
    pub action: Action,
    /// Replaces the action's own duration (only for actions that are a single delay).
    pub duration: Option<Dist>,
    /// Runs on after the service is back (e.g. lazy hydration, re-adding resilience): it does
    /// not count in the RTO.
    pub background: bool,
    /// The concurrency limit (`[pools.NAME]`) the step holds a slot of while it runs.
    pub pool: Option<String>,
}

pub(crate) fn step(name: &str, after: &[&str], action: Action) -> StepDef {
    StepDef {
        name: name.to_string(),
        after: after.iter().map(|s| s.to_string()).collect(),
        action,
        duration: None,
        background: false,
        pool: None,
    }
}

/// The region-loss runbook of a strategy (whitepaper, "key steps for recovery").
pub fn default_failover(scenario: &Scenario, config: &StrategyConfig) -> Vec<StepDef> {
    let tiers: Vec<&str> = scenario.tiers.iter().map(|t| t.name.as_str()).collect();
    // The shape depends on the strategy only; knobs act when the runbook is compiled (a
    // full-size replica resizes in no time, multi-site's automated decision takes none), so
    // overrides and sweeps never change which steps exist.
    let mut steps = vec![
        step("detect", &[], Action::Detect),
        step("decide", &["detect"], Action::Decide),
    ];
    let start = "decide";
    let mut ready: Vec<String> = Vec::new();
    match config.strategy {
        Strategy::BackupRestore => {
            steps.push(step(
                "provision-network",
                &["decide"],
                Action::ProvisionNetwork,
            ));
            let (db, db_ready) = engines::failover_steps(scenario, config.strategy, "decide");
            steps.extend(db);
            ready.extend(db_ready.map(String::from));
            for tier in &tiers {
                let name = format!("launch-{tier}");
                steps.push(step(
                    &name,
                    &["provision-network"],
                    Action::Launch(tier.to_string()),
                ));
                ready.push(name);
            }
            restore_datasets(
                &mut steps,
                &mut ready,
                scenario.data.iter(),
                "decide",
                Some("provision-network"),
            );
        }
        Strategy::PilotLight => {
            let (db, db_ready) = engines::failover_steps(scenario, config.strategy, "decide");
            steps.extend(db);
            ready.extend(db_ready.map(String::from));
            for tier in &tiers {
                let name = format!("launch-{tier}");
                steps.push(step(&name, &["decide"], Action::Launch(tier.to_string())));
                ready.push(name);
            }
        }
        Strategy::WarmStandby | Strategy::MultiSite => {
            let (db, db_ready) = engines::failover_steps(scenario, config.strategy, start);
            steps.extend(db);
            ready.extend(db_ready.map(String::from));
            for tier in &tiers {
                let name = format!("scale-{tier}");
                steps.push(step(&name, &[start], Action::ScaleOut(tier.to_string())));
                ready.push(name);
            }
        }
    }
    if config.strategy != Strategy::BackupRestore {
        // Datasets that are not replicated must come back from their backups.
        let unreplicated = scenario.data.iter().filter(|d| d.replication_lag.is_none());
        restore_datasets(&mut steps, &mut ready, unreplicated, start, None);
    }
    let ready: Vec<&str> = ready.iter().map(String::as_str).collect();
    steps.push(step("switch-dns", &ready, Action::SwitchDns));
    steps
}

/// AZ loss, in the primary region: the load balancer drops the lost zone's targets, the
/// database fails over to its standby (or is restored if single-AZ), auto scaling replaces
/// the lost instances.
pub fn default_az_loss(scenario: &Scenario) -> Vec<StepDef> {
    let mut steps = vec![step("detect", &[], Action::Detect)];
    let mut ready = Vec::new();
    // A DynamoDB table spans the region's zones: nothing to fail over.
    let zonal = scenario.database.managed.family() != EngineFamily::DynamoDb;
    if zonal && scenario.database.multi_az {
        steps.push(step("failover-db", &["detect"], Action::FailoverDatabase));
        ready.push("failover-db".to_string());
    } else if zonal {
        steps.push(step("decide", &["detect"], Action::Decide));
        steps.push(step("restore-db", &["decide"], Action::RestoreDatabase));
        steps.push(step("hydrate-db", &["restore-db"], Action::HydrateDatabase));
        ready.push("hydrate-db".to_string());
    }
    for tier in &scenario.tiers {
        let name = format!("replace-{}", tier.name);
        steps.push(step(&name, &["detect"], Action::Replace(tier.name.clone())));
        ready.push(name);
    }
    let ready: Vec<&str> = ready.iter().map(String::as_str).collect();
    steps.push(StepDef {
        duration: Some(Dist::Fixed(0.0)),
        ..step("service-restored", &ready, Action::Delay)
    });
    steps
}

/// Data corruption: the service is stopped, someone picks the restore point, the database is
/// restored in place from the newest clean backup.
pub fn default_corruption(scenario: &Scenario) -> Vec<StepDef> {
    let mut steps = vec![step("decide", &[], Action::Decide)];
    steps.extend(engines::restore_steps(scenario, "decide").0);
    steps
}

/// Ransomware: forensics and a clean environment, then a full restore from immutable backups.
pub fn default_ransomware(scenario: &Scenario) -> Vec<StepDef> {
    let mut steps = vec![
        step("decide", &[], Action::Decide),
        step("clean-room", &["decide"], Action::CleanRoom),
        step(
            "provision-network",
            &["clean-room"],
            Action::ProvisionNetwork,
        ),
    ];
    let (db, db_ready) = engines::restore_steps(scenario, "clean-room");
    steps.extend(db);
    let mut ready = vec![db_ready.to_string()];
    for tier in &scenario.tiers {
        let name = format!("launch-{}", tier.name);
        steps.push(step(
            &name,
            &["provision-network"],
            Action::Launch(tier.name.clone()),
        ));
        ready.push(name);
    }
    restore_datasets(
        &mut steps,
        &mut ready,
        scenario.data.iter(),
        "clean-room",
        Some("provision-network"),
    );
    let ready: Vec<&str> = ready.iter().map(String::as_str).collect();
    steps.push(step("switch-dns", &ready, Action::SwitchDns));
    steps
}

/// For each dataset, a retrieval from its backup tier after `after`, then its restore (also
/// after `network`, if given); the restores join `ready`.
fn restore_datasets<'a>(
    steps: &mut Vec<StepDef>,
    ready: &mut Vec<String>,
    data: impl Iterator<Item = &'a crate::model::Dataset>,
    after: &str,
    network: Option<&str>,
) {
    for data in data {
        let retrieve = format!("retrieve-{}", data.name);
        let restore = format!("restore-{}", data.name);
        steps.push(step(
            &retrieve,
            &[after],
            Action::Retrieve(data.name.clone()),
        ));
        let mut deps = vec![retrieve.as_str()];
        deps.extend(network);
        steps.push(step(
            &restore,
            &deps,
            Action::RestoreData(data.name.clone()),
        ));
        ready.push(restore);
    }
}

/// Failback after the primary is repaired: reverse replication while the recovery site serves,
/// then a short freeze, promotion of the primary database and the DNS switch back. Downtime is
/// everything after the resync.
pub fn default_failback(scenario: &Scenario) -> Vec<StepDef> {
    let mut steps = vec![
        step("resync", &[], Action::Resync),
        // Judgment: a planned write freeze with the final catch-up, 2 to 10 minutes.
        StepDef {
            duration: Dist::uniform(120.0, 600.0).ok(),
            ..step("freeze", &["resync"], Action::Delay)
        },
    ];
    // An Aurora global database switches back as a global cluster; a DynamoDB table needs
    // no promotion, only the traffic shift.
    let switch_after = match scenario.database.managed.family() {
        EngineFamily::Rds => {
            steps.push(step(
                "promote-primary",
                &["freeze"],
                Action::PromoteDatabase,
            ));
            "promote-primary"
        }
        EngineFamily::Aurora => {
            steps.push(step("promote-primary", &["freeze"], Action::GlobalFailover));
            "promote-primary"
        }
        EngineFamily::DynamoDb => "freeze",
    };
    steps.push(step("switch-dns", &[switch_after], Action::SwitchDns));
    steps
}

fn parse_action(name: &str, target: Option<String>) -> Option<Result<Action, String>> {
    let needs = |what: &str, make: fn(String) -> Action| -> Result<Action, String> {
        target
            .clone()
            .map(make)
            .ok_or_else(|| format!("action \"{name}\" needs `{what}`"))
    };
    Some(match name {
        "detect" => Ok(Action::Detect),
        "decide" => Ok(Action::Decide),
        "provision-network" => Ok(Action::ProvisionNetwork),
        "launch" => needs("tier", Action::Launch),
        "scale-out" => needs("tier", Action::ScaleOut),
        "replace" => needs("tier", Action::Replace),
        "restore-database" => Ok(Action::RestoreDatabase),
        "hydrate-database" => Ok(Action::HydrateDatabase),
        "promote-database" => Ok(Action::PromoteDatabase),
        "resize-database" => Ok(Action::ResizeDatabase),
        "failover-database" => Ok(Action::FailoverDatabase),
        "global-failover" => Ok(Action::GlobalFailover),
        "add-database-instance" => Ok(Action::AddInstance),
        "retrieve-data" => needs("data", Action::Retrieve),
        "restore-data" => needs("data", Action::RestoreData),
        "switch-dns" => Ok(Action::SwitchDns),
        "clean-room" => Ok(Action::CleanRoom),
        "resync" => Ok(Action::Resync),
        "delay" => Ok(Action::Delay),
        _ => return None,
    })
}

/// Applies a scenario file's step overrides (`[…runbook.<step>]` tables) to a default runbook:
/// a known step name changes only the keys given, a new name adds a step, `remove = true`
/// drops one. The result is checked: known actions, tiers and datasets, dependencies that
/// exist, no cycle.
pub fn apply_overrides(
    mut steps: Vec<StepDef>,
    overrides: Option<&RawRunbook>,
    key: &str,
    source: Source<'_>,
    scenario: &Scenario,
) -> Result<Vec<StepDef>, ScenarioError> {
    let spans: BTreeMap<String, std::ops::Range<usize>> = overrides
        .map(|o| {
            o.get_ref()
                .iter()
                .map(|(name, raw)| (name.clone(), raw.span()))
                .collect()
        })
        .unwrap_or_default();
    if let Some(overrides) = overrides {
        for (name, raw) in overrides.get_ref() {
            let step_key = format!("{key}.{name}");
            let err = |span: std::ops::Range<usize>, k: &str, message: String| {
                source.error(Some(span), &format!("{step_key}{k}"), message)
            };
            let raw_span = raw.span();
            let raw = raw.get_ref();
            if raw.remove.as_ref().is_some_and(|r| *r.get_ref()) {
                let before = steps.len();
                steps.retain(|s| &s.name != name);
                if steps.len() == before {
                    return Err(err(
                        raw_span,
                        ".remove",
                        format!("there is no step \"{name}\" to remove"),
                    )
                    .with_help(format!("steps of this runbook: {}", names(&steps))));
                }
                continue;
            }
            let existing = steps.iter().position(|s| &s.name == name);
            let target = raw
                .tier
                .as_ref()
                .or(raw.data.as_ref())
                .map(|t| t.get_ref().clone())
                .or_else(|| existing.and_then(|i| steps[i].action.target().map(str::to_string)));
            let action = match (&raw.action, existing) {
                (Some(a), _) => parse_action(a.get_ref(), target)
                    .ok_or_else(|| {
                        err(
                            a.span(),
                            ".action",
                            format!(
                                "unknown action \"{}\": expected one of {ACTIONS}",
                                a.get_ref()
                            ),
                        )
                    })?
                    .map_err(|m| err(a.span(), ".action", m))?,
                (None, Some(i)) => match (&steps[i].action, target) {
                    (Action::Launch(_), Some(t)) => Action::Launch(t),
                    (Action::ScaleOut(_), Some(t)) => Action::ScaleOut(t),
                    (Action::Replace(_), Some(t)) => Action::Replace(t),
                    (Action::Retrieve(_), Some(t)) => Action::Retrieve(t),
                    (Action::RestoreData(_), Some(t)) => Action::RestoreData(t),
                    (a, _) => a.clone(),
                },
                (None, None) if raw.duration.is_some() => Action::Delay,
                (None, None) => {
                    return Err(err(
                        raw_span,
                        "",
                        format!("new step \"{name}\" needs an `action` or a `duration`"),
                    )
                    .with_help("e.g. { duration = \"10m\", after = [\"decide\"] }"));
                }
            };
            if action == Action::AddInstance
                && raw.duration.is_none()
                && scenario.database.managed.family() != EngineFamily::Aurora
            {
                let at = raw.action.as_ref().map_or(raw_span.clone(), |a| a.span());
                return Err(err(
                    at,
                    ".action",
                    format!(
                        "action \"add-database-instance\" adds an instance to a headless Aurora secondary; database.engine is \"{}\"",
                        scenario.database.engine
                    ),
                )
                .with_help("use an aurora-* engine, or give the step a `duration`"));
            }
            let duration = match &raw.duration {
                Some(d) => Some(
                    quantity::parse(d.get_ref(), Kind::Duration)
                        .map_err(|m| err(d.span(), ".duration", m))?,
                ),
                None => existing.and_then(|i| steps[i].duration.clone()),
            };
            if let Some(d) = &raw.duration
                && !action.is_single_delay()
            {
                return Err(err(
                    d.span(),
                    ".duration",
                    format!(
                        "`duration` cannot replace the action \"{}\": it is not a single delay",
                        action.name()
                    ),
                )
                .with_help("its time comes from the scenario (tiers, database size, restore bandwidth); change those instead"));
            }
            if action == Action::Delay && duration.is_none() {
                return Err(err(
                    raw_span,
                    "",
                    format!("step \"{name}\" is a delay and needs a `duration`"),
                ));
            }
            let after = match &raw.after {
                Some(a) => a.get_ref().clone(),
                None => existing.map(|i| steps[i].after.clone()).unwrap_or_default(),
            };
            let background = match &raw.background {
                Some(b) => *b.get_ref(),
                None => existing.is_some_and(|i| steps[i].background),
            };
            let pool = match &raw.pool {
                Some(p) => {
                    if !scenario.pools.iter().any(|x| &x.name == p.get_ref()) {
                        let pools: Vec<&str> =
                            scenario.pools.iter().map(|x| x.name.as_str()).collect();
                        return Err(err(
                            p.span(),
                            ".pool",
                            format!("unknown pool \"{}\"", p.get_ref()),
                        )
                        .with_help(if pools.is_empty() {
                            format!("declare it: [pools.{}] with `concurrency = N`", p.get_ref())
                        } else {
                            format!("pools of this scenario: {}", pools.join(", "))
                        }));
                    }
                    Some(p.get_ref().clone())
                }
                None => existing.and_then(|i| steps[i].pool.clone()),
            };
            let def = StepDef {
                name: name.clone(),
                after,
                action,
                duration,
                background,
                pool,
            };
            match existing {
                Some(i) => steps[i] = def,
                None => steps.push(def),
            }
        }
    }
    let at = |name: &str| spans.get(name).cloned();
    if !steps.is_empty() && steps.iter().all(|s| s.background) {
        return Err(source
            .error(
                overrides.map(|o| o.span()),
                key,
                "every step runs in the background: nothing brings the service back",
            )
            .with_help("set `background = false` on the step the service waits for"));
    }
    // Dependencies must name existing steps, targets must exist, and there must be no cycle.
    let known: BTreeSet<&str> = steps.iter().map(|s| s.name.as_str()).collect();
    for s in &steps {
        for dep in &s.after {
            if !known.contains(dep.as_str()) {
                return Err(source
                    .error(
                        at(&s.name),
                        &format!("{key}.{}.after", s.name),
                        format!("step \"{}\" comes after an unknown step \"{dep}\"", s.name),
                    )
                    .with_help(format!("steps of this runbook: {}", names(&steps))));
            }
        }
        match &s.action {
            Action::Launch(t) | Action::ScaleOut(t) | Action::Replace(t)
                if !scenario.tiers.iter().any(|x| &x.name == t) =>
            {
                let tiers: Vec<&str> = scenario.tiers.iter().map(|t| t.name.as_str()).collect();
                return Err(source
                    .error(
                        at(&s.name),
                        &format!("{key}.{}.tier", s.name),
                        format!("unknown tier \"{t}\""),
                    )
                    .with_help(format!("tiers of this scenario: {}", tiers.join(", "))));
            }
            Action::Retrieve(d) | Action::RestoreData(d)
                if !scenario.data.iter().any(|x| &x.name == d) =>
            {
                let data: Vec<&str> = scenario.data.iter().map(|t| t.name.as_str()).collect();
                return Err(source
                    .error(
                        at(&s.name),
                        &format!("{key}.{}.data", s.name),
                        format!("unknown dataset \"{d}\""),
                    )
                    .with_help(format!("datasets of this scenario: {}", data.join(", "))));
            }
            _ => {}
        }
    }
    if steps.len() > crate::limits::MAX_RUNBOOK_STEPS {
        return Err(source
            .error(
                None,
                key,
                format!(
                    "the runbook has {} steps, more than the limit of {} (docs/limits.md)",
                    steps.len(),
                    crate::limits::MAX_RUNBOOK_STEPS
                ),
            )
            .with_help(
                "merge steps that always run together into one step with their total duration",
            ));
    }
    if let Some(cycle) = find_cycle(&steps) {
        let first = cycle.first().cloned().unwrap_or_default();
        return Err(source
            .error(
                at(&first),
                key,
                format!(
                    "the runbook has a cycle: {}",
                    crate::limits::cycle_listing(&cycle)
                ),
            )
            .with_help("remove one of these `after` dependencies"));
    }
    if steps.is_empty() {
        return Err(source.error(None, key, "the runbook has no steps left"));
    }
    Ok(steps)
}

fn names(steps: &[StepDef]) -> String {
    steps
        .iter()
        .map(|s| s.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One cycle of the dependency graph, as step names ending where it started.
fn find_cycle(steps: &[StepDef]) -> Option<Vec<String>> {
    let index: BTreeMap<&str, usize> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    // 0 = unvisited, 1 = on the stack, 2 = done.
    let mut state = vec![0u8; steps.len()];
    let mut stack: Vec<usize> = Vec::new();
    fn visit(
        i: usize,
        steps: &[StepDef],
        index: &BTreeMap<&str, usize>,
        state: &mut [u8],
        stack: &mut Vec<usize>,
    ) -> Option<Vec<String>> {
        state[i] = 1;
        stack.push(i);
        for dep in &steps[i].after {
            let Some(&j) = index.get(dep.as_str()) else {
                continue;
            };
            if state[j] == 1 {
                // The stack from `j` to here, then `j` again, follows `after` links.
                let from = stack.iter().position(|&k| k == j).unwrap_or(0);
                let mut names: Vec<String> = stack[from..]
                    .iter()
                    .map(|&k| steps[k].name.clone())
                    .collect();
                names.push(steps[j].name.clone());
                return Some(names);
            }
            if state[j] == 0
                && let Some(c) = visit(j, steps, index, state, stack)
            {
                return Some(c);
            }
        }
        stack.pop();
        state[i] = 2;
        None
    }
    (0..steps.len()).find_map(|i| {
        if state[i] == 0 {
            visit(i, steps, &index, &mut state, &mut stack)
        } else {
            None
        }
    })
}

/// Per-trial values a compiled runbook reads (`Param::Trial`).
pub mod params {
    use super::ParamId;
    /// Multiplier of instance launch-to-healthy times (congestion).
    pub const LAUNCH_SCALE: ParamId = ParamId(0);
    /// Probability that one launch attempt fails.
    pub const LAUNCH_FAILURE: ParamId = ParamId(1);
    /// Restore bandwidth of the recovery region, bytes/s.
    pub const RESTORE_BANDWIDTH: ParamId = ParamId(2);
    /// Failback: seconds of reverse replication.
    pub const RESYNC_SECONDS: ParamId = ParamId(3);
    /// How many there are.
    pub const COUNT: usize = 4;
}

/// What a compiled runbook needs besides its steps.
pub struct Bindings<'a> {
    pub scenario: &'a Scenario,
    pub config: &'a StrategyConfig,
    /// How `decide` steps decide: the strategy's failover mode for a region loss; a person for
    /// everything else (choosing a restore point is never automated).
    pub decision: Failover,
}

struct Resources {
    restore: LinkId,
    launcher: LauncherId,
}

fn err_at(key: &str, message: String) -> ScenarioError {
    ScenarioError {
        file: String::new(),
        position: None,
        key: Some(key.to_string()),
        message,
        help: None,
    }
}

/// Turns a runbook into an engine runbook bound to the scenario's values.
pub fn compile(
    steps: &[StepDef],
    bindings: &Bindings<'_>,
    key: &str,
) -> Result<Runbook, ScenarioError> {
    let mut b = RunbookBuilder::new();
    let to_err = |e: sim_core::engine::RunbookError| err_at(key, e.to_string());
    let resources = Resources {
        restore: b
            .link("restore", Param::Trial(params::RESTORE_BANDWIDTH))
            .map_err(to_err)?,
        launcher: b
            .launcher(
                "launches",
                bindings.scenario.launch.rate,
                bindings.scenario.launch.burst,
            )
            .map_err(to_err)?,
    };
    let mut ids = BTreeMap::new();
    // Only the pools some step uses take a place in the engine.
    let mut pools = BTreeMap::new();
    for s in steps {
        let work =
            work(s, bindings, &resources).map_err(|m| err_at(&format!("{key}.{}", s.name), m))?;
        let id = b.step(&s.name, work).map_err(to_err)?;
        ids.insert(s.name.as_str(), id);
        if let Some(name) = &s.pool {
            let pool = match pools.get(name.as_str()) {
                Some(&pool) => pool,
                None => {
                    let def = bindings
                        .scenario
                        .pools
                        .iter()
                        .find(|p| &p.name == name)
                        .ok_or_else(|| {
                            err_at(
                                &format!("{key}.{}.pool", s.name),
                                format!("unknown pool \"{name}\""),
                            )
                        })?;
                    let pool = b.pool(name, def.concurrency).map_err(to_err)?;
                    pools.insert(name.as_str(), pool);
                    pool
                }
            };
            b.use_pool(id, pool).map_err(to_err)?;
        }
    }
    for s in steps {
        for dep in &s.after {
            if let (Some(&id), Some(&d)) = (ids.get(s.name.as_str()), ids.get(dep.as_str())) {
                b.after(id, d).map_err(to_err)?;
            }
        }
    }
    b.build().map_err(to_err)
}

fn delay(d: &Dist) -> Work {
    Work::Delay {
        duration: d.clone(),
        scale: Param::Fixed(1.0),
    }
}

fn work(s: &StepDef, bindings: &Bindings<'_>, r: &Resources) -> Result<Work, String> {
    let sc = bindings.scenario;
    let config = bindings.config;
    if let Some(d) = &s.duration {
        if s.action.is_single_delay() {
            return Ok(delay(d));
        }
        return Err(format!(
            "`duration` cannot replace the action \"{}\": it is not a single delay",
            s.action.name()
        ));
    }
    let tier = |name: &str| {
        sc.tiers
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| format!("unknown tier \"{name}\""))
    };
    let dataset = |name: &str| {
        sc.data
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| format!("unknown dataset \"{name}\""))
    };
    let fleet = |name: &str, running: u32, launch: u32| -> Result<Work, String> {
        let t = tier(name)?;
        let target = t.target();
        Ok(Work::Fleet(FleetSpec {
            count: launch,
            needed: target.saturating_sub(running).min(launch),
            launcher: r.launcher,
            phases: t.phases.to_vec(),
            scale: Param::Trial(params::LAUNCH_SCALE),
            failure: Param::Trial(params::LAUNCH_FAILURE),
            retry_delay: sc.launch.retry_delay.clone(),
        }))
    };
    Ok(match &s.action {
        Action::Detect => {
            let i = config.health_check_interval;
            let k = f64::from(sc.detection.failure_threshold);
            let d = Dist::uniform(
                i * (k - 1.0) + sc.detection.timeout,
                i * k + sc.detection.timeout,
            )
            .map_err(|e| e.to_string())?;
            delay(&d)
        }
        // Multi-site's health-checked DNS records drop the failed site by themselves.
        Action::Decide
            if config.strategy == Strategy::MultiSite
                && bindings.decision == Failover::Automated =>
        {
            delay(&Dist::Fixed(0.0))
        }
        Action::Decide => delay(match bindings.decision {
            Failover::Manual => &sc.detection.manual_decision,
            Failover::Automated => &sc.detection.automated_decision,
        }),
        Action::ProvisionNetwork => delay(&sc.provision_network),
        Action::Launch(t) => fleet(t, 0, tier(t)?.count)?,
        Action::ScaleOut(t) => {
            let count = tier(t)?.count;
            let running = ((config.running_fraction * f64::from(count)) - 1e-9)
                .ceil()
                .max(0.0) as u32;
            fleet(t, running.min(count), count - running.min(count))?
        }
        Action::Replace(t) => {
            let x = tier(t)?;
            let lost = x.count.div_ceil(x.zones);
            fleet(t, x.count - lost, lost)?
        }
        Action::RestoreDatabase => match &sc.database.managed {
            Managed::DynamoDb { restore, .. } => delay(restore),
            _ => delay(&sc.database.restore),
        },
        Action::HydrateDatabase => Work::Transfer {
            size: sc.database.size.clone(),
            link: r.restore,
            cap: Some(sc.restore.per_transfer.clone()),
        },
        Action::PromoteDatabase => delay(&sc.database.promote),
        // A replica of the primary's size needs no resize.
        Action::ResizeDatabase if config.replica_fraction >= 1.0 => delay(&Dist::Fixed(0.0)),
        Action::ResizeDatabase => delay(&sc.database.resize),
        Action::FailoverDatabase => delay(&sc.database.multi_az_failover),
        Action::GlobalFailover => delay(&sc.database.global_failover),
        Action::AddInstance => match &sc.database.managed {
            Managed::Aurora { add_instance, .. } => delay(add_instance),
            _ => {
                return Err(format!(
                    "action \"add-database-instance\" needs an Aurora engine (database.engine is \"{}\")",
                    sc.database.engine
                ));
            }
        },
        Action::Retrieve(d) => delay(&dataset(d)?.retrieval),
        Action::RestoreData(d) => Work::Transfer {
            size: dataset(d)?.size.clone(),
            link: r.restore,
            cap: Some(sc.restore.per_transfer.clone()),
        },
        Action::SwitchDns => delay(&sc.client_ttl),
        Action::CleanRoom => delay(
            sc.disasters[crate::names::Disaster::Ransomware.index()]
                .clean_room
                .as_ref()
                .ok_or("the ransomware disaster has no clean-room duration")?,
        ),
        Action::Resync => Work::Delay {
            duration: Dist::Fixed(1.0),
            scale: Param::Trial(params::RESYNC_SECONDS),
        },
        Action::Delay => return Err("a delay step needs a `duration`".to_string()),
    })
}

/// Renders a runbook as TOML tables (for `drsim init`), one inline table per step.
pub fn to_toml(header: &str, steps: &[StepDef]) -> String {
    let mut out = format!("[{header}]\n");
    let width = steps.iter().map(|s| s.name.len()).max().unwrap_or(0);
    for s in steps {
        let mut fields = vec![format!("action = \"{}\"", s.action.name())];
        match &s.action {
            Action::Launch(t) | Action::ScaleOut(t) | Action::Replace(t) => {
                fields.push(format!("tier = \"{t}\""))
            }
            Action::Retrieve(d) | Action::RestoreData(d) => fields.push(format!("data = \"{d}\"")),
            _ => {}
        }
        if !s.after.is_empty() {
            let after: Vec<String> = s.after.iter().map(|a| format!("\"{a}\"")).collect();
            fields.push(format!("after = [{}]", after.join(", ")));
        }
        if let Some(d) = &s.duration {
            fields.push(format!(
                "duration = {}",
                quantity::to_toml(d, Kind::Duration)
            ));
        }
        if s.background {
            fields.push("background = true".to_string());
        }
        if let Some(pool) = &s.pool {
            fields.push(format!("pool = \"{pool}\""));
        }
        out.push_str(&format!(
            "{:width$} = {{ {} }}\n",
            s.name,
            fields.join(", ")
        ));
    }
    out
}
