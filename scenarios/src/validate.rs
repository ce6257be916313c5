//! Validation: the user's raw file over the reference's, checked key by key into a
//! [`Scenario`]. Every error names the file, line, key, what was expected and how to fix it.

use std::ops::Range;

use sim_core::dist::Dist;
use toml::Spanned;

use crate::error::{ScenarioError, Source};
use crate::model::*;
use crate::names::{self, Disaster, Os, RestorePoint, Strategy};
use crate::quantity;
use crate::raw::*;
use crate::runbooks;
use crate::units::Kind;

/// Where a value came from: the user's file or the embedded reference scenario.
#[derive(Clone, Copy)]
pub(crate) struct Layers<'a> {
    pub user: Source<'a>,
    pub reference: Source<'a>,
}

/// A value with the file it came from.
pub(crate) struct Found<'a, T> {
    pub value: &'a T,
    pub span: Range<usize>,
    pub source: Source<'a>,
}

impl<'a, T> Found<'a, T> {
    pub fn error(&self, key: &str, message: impl Into<String>) -> ScenarioError {
        self.source.error(Some(self.span.clone()), key, message)
    }
}

/// Looks a key up in the user's section, then in the reference's.
pub(crate) fn pick<'a, S, T>(
    layers: Layers<'a>,
    user: Option<&'a S>,
    reference: Option<&'a S>,
    key: &str,
    field: impl Fn(&'a S) -> Option<&'a Spanned<T>>,
) -> Result<Found<'a, T>, ScenarioError> {
    if let Some(found) = user.and_then(&field) {
        return Ok(Found {
            value: found.get_ref(),
            span: found.span(),
            source: layers.user,
        });
    }
    if let Some(found) = reference.and_then(&field) {
        return Ok(Found {
            value: found.get_ref(),
            span: found.span(),
            source: layers.reference,
        });
    }
    Err(layers
        .user
        .error(None, key, "this key is required here")
        .with_help(format!("add `{}` to the scenario", leaf(key))))
}

fn leaf(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}

pub(crate) fn dist_of(
    found: &Found<'_, toml::Value>,
    key: &str,
    kind: Kind,
) -> Result<Dist, ScenarioError> {
    quantity::parse(found.value, kind).map_err(|message| found.error(key, message))
}

/// The one rule for every rate key (`database.write-rate`, `replication.bandwidth`,
/// `restore.bandwidth`, `restore.per-transfer`): any distribution form, with its draws > 0 in
/// every trial. Only a point mass at 0 is refused — a fixed 0, or an empirical list holding a 0 —
/// since a link of 0 B/s never finishes a transfer, and a write rate of 0 replicates nothing
/// (a tiny rate says the same). Continuous forms reaching down to 0 (uniform from 0,
/// exponential, lognormal) draw exactly 0 with probability 0; a tiny draw only makes a slow
/// trial, which the engine and the statistics handle (durations saturate, never overflow).
pub(crate) fn rate_of(found: &Found<'_, toml::Value>, key: &str) -> Result<Dist, ScenarioError> {
    let dist = dist_of(found, key, Kind::Rate)?;
    let zero = match &dist {
        Dist::Fixed(v) if *v <= 0.0 => Some("it is fixed at 0"),
        Dist::Empirical(observations) if observations.iter().any(|v| *v <= 0.0) => {
            Some("0 is among its observations")
        }
        _ => None,
    };
    if let Some(why) = zero {
        return Err(found
            .error(
                key,
                format!("a rate must be > 0 in every trial, and {why}"),
            )
            .with_help(
                "give a rate > 0 such as \"1MB/s\"; any distribution is accepted, including ones that reach down to 0 such as { exponential = { mean = \"50MB/s\" } }",
            ));
    }
    Ok(dist)
}

fn fixed_of(found: &Found<'_, toml::Value>, key: &str, kind: Kind) -> Result<f64, ScenarioError> {
    match dist_of(found, key, kind)? {
        Dist::Fixed(v) => Ok(v),
        _ => Err(found
            .error(
                key,
                format!(
                    "expected a single fixed value ({}) here, not a distribution",
                    kind.noun()
                ),
            )
            .with_help(format!("write a single value such as {}", kind.examples()))),
    }
}

fn probability(found: &Found<'_, f64>, key: &str) -> Result<f64, ScenarioError> {
    let p = *found.value;
    if (0.0..1.0).contains(&p) {
        Ok(p)
    } else {
        Err(found.error(key, format!("expected a probability in [0, 1), got {p}")))
    }
}

fn fraction(found: &Found<'_, f64>, key: &str, allow_zero: bool) -> Result<f64, ScenarioError> {
    let v = *found.value;
    let ok = if allow_zero {
        (0.0..=1.0).contains(&v)
    } else {
        v > 0.0 && v <= 1.0
    };
    if ok {
        Ok(v)
    } else {
        let range = if allow_zero { "[0, 1]" } else { "(0, 1]" };
        Err(found.error(key, format!("expected a fraction in {range}, got {v}")))
    }
}

fn positive_count(found: &Found<'_, i64>, key: &str) -> Result<u32, ScenarioError> {
    count_in(found, key, i64::from(u32::MAX))
}

/// A whole number from 1 to `max`; the message states both bounds.
fn count_in(found: &Found<'_, i64>, key: &str, max: i64) -> Result<u32, ScenarioError> {
    u32::try_from(*found.value)
        .ok()
        .filter(|n| *n >= 1 && i64::from(*n) <= max)
        .ok_or_else(|| {
            let got = found.value;
            if *got < 1 {
                found.error(key, format!("expected a whole number ≥ 1, got {got}"))
            } else {
                found.error(
                    key,
                    format!(
                        "expected a whole number from 1 to {}, got {got} (limit in docs/limits.md)",
                        crate::limits::thousands(max)
                    ),
                )
            }
        })
}

fn rate(found: &Found<'_, f64>, key: &str) -> Result<f64, ScenarioError> {
    let v = *found.value;
    let max = crate::limits::MAX_ANNUAL_RATE;
    if v.is_finite() && v >= 0.0 && v <= max {
        Ok(v)
    } else {
        Err(found
            .error(
                key,
                format!("expected a rate from 0 to {max} (events per year), got {v} (limit in docs/limits.md)"),
            )
            .with_help("use 0 to leave this disaster type out"))
    }
}

/// Builds the validated scenario from the user's raw file over the reference's.
pub(crate) fn build(
    user: &RawScenario,
    reference: &RawScenario,
    layers: Layers<'_>,
) -> Result<Scenario, ScenarioError> {
    let mut warnings = Vec::new();
    let name = pick(layers, Some(user), Some(reference), "name", |s| {
        s.name.as_ref()
    })?
    .value
    .clone();

    let (ur, rr) = (user.regions.as_ref(), reference.regions.as_ref());
    let primary_region = pick(layers, ur, rr, "regions.primary", |s| s.primary.as_ref())?
        .value
        .clone();
    let recovery = pick(layers, ur, rr, "regions.recovery", |s| s.recovery.as_ref())?;
    if *recovery.value == primary_region {
        let primary = pick(layers, ur, rr, "regions.primary", |s| s.primary.as_ref())?;
        let (at, key) = if recovery.source.file != layers.user.file
            && primary.source.file == layers.user.file
        {
            (&primary, "regions.primary")
        } else {
            (&recovery, "regions.recovery")
        };
        return Err(at
            .error(
                key,
                format!(
                    "the recovery region must differ from the primary region ({primary_region})"
                ),
            )
            .with_help("name two different regions, e.g. us-east-1 and us-west-2"));
    }
    let recovery_region = recovery.value.clone();
    let provision_network = dist_of(
        &pick(layers, ur, rr, "regions.provision-network", |s| {
            s.provision_network.as_ref()
        })?,
        "regions.provision-network",
        Kind::Duration,
    )?;

    let objectives = objectives(user, reference, layers)?;
    let tiers = tiers(user, reference, layers, objectives.service_level)?;
    let database = database(user, reference, layers)?;
    let data = datasets(user, reference, layers)?;

    let (ul, rl) = (user.replication.as_ref(), reference.replication.as_ref());
    let bandwidth_found = pick(layers, ul, rl, "replication.bandwidth", |s| {
        s.bandwidth.as_ref()
    })?;
    let replication = Replication {
        bandwidth: rate_of(&bandwidth_found, "replication.bandwidth")?,
        max_window: {
            let found = pick(layers, ul, rl, "replication.max-window", |s| {
                s.max_window.as_ref()
            })?;
            match found.value.as_str() {
                Some("auto") => None,
                _ => {
                    let w = fixed_of(&found, "replication.max-window", Kind::Duration)
                        .map_err(|e| e.with_help("write \"auto\" (the default: sized from the queue), or a duration such as \"1h\""))?;
                    if w <= 0.0 {
                        return Err(found
                            .error("replication.max-window", "the window must be > 0")
                            .with_help("write \"auto\" (the default: sized from the queue), or a duration such as \"1h\""));
                    }
                    Some(w)
                }
            }
        },
        apply_lag: dist_of(
            &pick(layers, ul, rl, "replication.apply-lag", |s| {
                s.apply_lag.as_ref()
            })?,
            "replication.apply-lag",
            Kind::Duration,
        )?,
    };
    // Point at the user's own key: the bandwidth if they set it, else the write rate.
    let write_rate_found = pick(
        layers,
        user.database.as_ref(),
        reference.database.as_ref(),
        "database.write-rate",
        |s| s.write_rate.as_ref(),
    )?;
    let culprit = if bandwidth_found.source.file != layers.user.file
        && write_rate_found.source.file == layers.user.file
    {
        (&write_rate_found, "database.write-rate")
    } else {
        (&bandwidth_found, "replication.bandwidth")
    };
    // Only RDS replicates over the modelled link (docs/model.md §4.1).
    if database.managed.family() == names::EngineFamily::Rds {
        check_replication_load(&database, &replication, culprit, &mut warnings)?;
    }

    let (us, rs) = (user.restore.as_ref(), reference.restore.as_ref());
    let restore_bw = pick(layers, us, rs, "restore.bandwidth", |s| {
        s.bandwidth.as_ref()
    })?;
    let restore = Restore {
        bandwidth: rate_of(&restore_bw, "restore.bandwidth")?,
        per_transfer: rate_of(
            &pick(layers, us, rs, "restore.per-transfer", |s| {
                s.per_transfer.as_ref()
            })?,
            "restore.per-transfer",
        )?,
    };

    let (ulc, rlc) = (user.launch.as_ref(), reference.launch.as_ref());
    let launch_rate = pick(layers, ulc, rlc, "launch.rate", |s| s.rate.as_ref())?;
    if !(launch_rate.value.is_finite() && *launch_rate.value > 0.0) {
        return Err(launch_rate.error(
            "launch.rate",
            format!(
                "expected launches per second > 0, got {}",
                launch_rate.value
            ),
        ));
    }
    let launch = Launch {
        rate: *launch_rate.value,
        burst: positive_count(
            &pick(layers, ulc, rlc, "launch.burst", |s| s.burst.as_ref())?,
            "launch.burst",
        )?,
        failure_probability: probability(
            &pick(layers, ulc, rlc, "launch.failure-probability", |s| {
                s.failure_probability.as_ref()
            })?,
            "launch.failure-probability",
        )?,
        retry_delay: dist_of(
            &pick(layers, ulc, rlc, "launch.retry-delay", |s| {
                s.retry_delay.as_ref()
            })?,
            "launch.retry-delay",
            Kind::Duration,
        )?,
    };

    let (ud, rd) = (user.detection.as_ref(), reference.detection.as_ref());
    let detection = Detection {
        failure_threshold: positive_count(
            &pick(layers, ud, rd, "detection.failure-threshold", |s| {
                s.failure_threshold.as_ref()
            })?,
            "detection.failure-threshold",
        )?,
        timeout: fixed_of(
            &pick(layers, ud, rd, "detection.timeout", |s| s.timeout.as_ref())?,
            "detection.timeout",
            Kind::Duration,
        )?,
        manual_decision: dist_of(
            &pick(layers, ud, rd, "detection.manual-decision", |s| {
                s.manual_decision.as_ref()
            })?,
            "detection.manual-decision",
            Kind::Duration,
        )?,
        automated_decision: dist_of(
            &pick(layers, ud, rd, "detection.automated-decision", |s| {
                s.automated_decision.as_ref()
            })?,
            "detection.automated-decision",
            Kind::Duration,
        )?,
    };

    let client_ttl = dist_of(
        &pick(
            layers,
            user.dns.as_ref(),
            reference.dns.as_ref(),
            "dns.client-ttl",
            |s| s.client_ttl.as_ref(),
        )?,
        "dns.client-ttl",
        Kind::Duration,
    )?;

    let backups = backups(user, reference, layers)?;
    let disasters = disasters(user, reference, layers)?;

    let mut scenario = Scenario {
        name,
        primary_region,
        recovery_region,
        provision_network,
        objectives,
        tiers,
        database,
        data,
        replication,
        restore,
        launch,
        detection,
        client_ttl,
        backups,
        disasters,
        strategies: Strategy::ALL.map(|s| StrategyConfig {
            strategy: s,
            failover: Failover::Manual,
            health_check_interval: 30.0,
            running_fraction: 0.0,
            traffic_weight: 0.0,
            database_replication: DbReplication::Async,
            replica_fraction: 1.0,
            replica_class: None,
            runbook: Vec::new(),
        }),
        az_loss_runbook: Vec::new(),
        corruption_runbook: Vec::new(),
        ransomware_runbook: Vec::new(),
        failback_runbook: Vec::new(),
        pools: pools(user, reference, layers)?,
        costs: costs(user, reference, layers)?,
        plan: plan_config(user, reference, layers)?,
        pricing: pricing_config(user, reference, layers)?,
        check: check_config(user, reference, layers)?,
        warnings: Vec::new(),
    };
    for &interval in &scenario.plan.backup_intervals {
        let b = &scenario.backups;
        crate::limits::backups_in_flight(interval, &b.duration, &b.copy_delay).map_err(|m| {
            match pick(
                layers,
                user.plan.as_ref(),
                reference.plan.as_ref(),
                "plan.backup-intervals",
                |s| s.backup_intervals.as_ref(),
            ) {
                Ok(found) => found.error("plan.backup-intervals", m),
                Err(e) => e,
            }
        })?;
    }
    for strategy in Strategy::ALL {
        scenario.strategies[strategy.index()] =
            strategy_config(strategy, user, reference, layers, &scenario)?;
    }
    let overrides =
        |get: fn(&RawSharedRunbooks) -> Option<&RawRunbook>| user.runbooks.as_ref().and_then(get);
    let source = layers.user;
    let az_loss = runbooks::apply_overrides(
        runbooks::default_az_loss(&scenario),
        overrides(|r| r.az_loss.as_ref()),
        "runbooks.az-loss",
        source,
        &scenario,
    )?;
    let corruption = runbooks::apply_overrides(
        runbooks::default_corruption(&scenario),
        overrides(|r| r.corruption.as_ref()),
        "runbooks.corruption",
        source,
        &scenario,
    )?;
    let ransomware = runbooks::apply_overrides(
        runbooks::default_ransomware(&scenario),
        overrides(|r| r.ransomware.as_ref()),
        "runbooks.ransomware",
        source,
        &scenario,
    )?;
    let failback = runbooks::apply_overrides(
        runbooks::default_failback(&scenario),
        overrides(|r| r.failback.as_ref()),
        "runbooks.failback",
        source,
        &scenario,
    )?;
    scenario.az_loss_runbook = az_loss;
    scenario.corruption_runbook = corruption;
    scenario.ransomware_runbook = ransomware;
    scenario.failback_runbook = failback;
    scenario.warnings = warnings;
    Ok(scenario)
}

/// A mean write rate at or above the link bandwidth means replication can never catch up.
fn check_replication_load(
    database: &Database,
    replication: &Replication,
    (at, key): (&Found<'_, toml::Value>, &str),
    warnings: &mut Vec<String>,
) -> Result<(), ScenarioError> {
    let link = replication.bandwidth.typical();
    let write_rate = database.write_rate.mean();
    let mb = |v: f64| format!("{:.2} MB/s", v / 1e6);
    if write_rate >= link {
        return Err(at
            .error(
                key,
                format!(
                    "replication cannot keep up: the mean write rate ({}) is at or above the typical link bandwidth ({}), \
                     so the replication lag grows without bound",
                    mb(write_rate),
                    mb(link)
                ),
            )
            .with_help("raise replication.bandwidth or lower database.write-rate; the bandwidth must exceed the write rate"));
    }
    let peak = database.daily_profile.iter().copied().fold(0.0, f64::max) * write_rate;
    if peak >= link {
        warnings.push(format!(
            "REPLICATION CANNOT KEEP UP at peak hours: the peak-hour write rate ({}) reaches the typical link bandwidth ({}); \
             lags during those hours grow for as long as the peak lasts (simulated up to replication.max-window)",
            mb(peak),
            mb(link)
        ));
    } else if write_rate >= 0.8 * link {
        warnings.push(format!(
            "replication runs close to saturation: the mean write rate ({}) is {:.0} % of the typical link bandwidth ({})",
            mb(write_rate),
            100.0 * write_rate / link,
            mb(link)
        ));
    }
    if let Some(warning) = window_bias_warning(database, replication) {
        warnings.push(warning);
    }
    Ok(())
}

/// Bias (mean or p99) of the database lag below which a window shorter than the queue's
/// relaxation time is not worth a warning.
const WINDOW_BIAS_WARNING: f64 = 0.001;

/// A warning when the replication queue's window is shorter than its relaxation time at the
/// busiest hour it can sustain (the typical bandwidth, the mean write rate at the peak hour's
/// multiplier, or at the mean when the peak overloads the link), with the bias of the lag this
/// causes (`sim_core::queue::lag_bias`, docs/model.md §4).
fn window_bias_warning(database: &Database, replication: &Replication) -> Option<String> {
    let link = replication.bandwidth.typical();
    let write_rate = database.write_rate.mean();
    let peak = database.daily_profile.iter().copied().fold(0.0, f64::max) * write_rate;
    let (load, when) = if peak < link {
        (peak, "the peak hour")
    } else {
        (write_rate, "the mean write rate")
    };
    let (lambda, mu) = (load / database.burst_size, link / database.burst_size);
    let needed = sim_core::queue::relaxation_window(lambda, mu);
    let bound = crate::limits::MAX_WINDOW_BURSTS / lambda;
    let window = replication.max_window.unwrap_or(f64::INFINITY).min(bound);
    if window >= needed || window.is_nan() {
        return None;
    }
    let bias = sim_core::queue::lag_bias(lambda, mu, window)?;
    if bias.mean.max(bias.p99) < WINDOW_BIAS_WARNING {
        return None;
    }
    let d = crate::units::format_duration;
    let effect = format!(
        "the database replication lag is biased low by about {:.1} % at the mean and {:.1} % at p99 (docs/model.md §4)",
        100.0 * bias.mean,
        100.0 * bias.p99
    );
    let rho = lambda / mu;
    Some(match replication.max_window {
        Some(w) if w <= bound => format!(
            "replication.max-window ({}) is shorter than the {} the replication queue needs at {when} (load {rho:.2} of the typical link: 30 busy-period decay times): {effect}; write max-window = \"auto\" to size it from the queue",
            d(w),
            d(needed)
        ),
        _ => format!(
            "the replication queue runs so close to saturation at {when} (load {rho:.2} of the typical link) that its window is capped at {} ({} bursts, docs/limits.md) instead of the {} it needs: {effect}",
            d(bound),
            crate::limits::thousands(crate::limits::MAX_WINDOW_BURSTS as i64),
            d(needed)
        ),
    })
}

fn objective_override(o: &RawObjectives, disaster: Disaster) -> Option<&RawObjectiveOverride> {
    match disaster {
        Disaster::RegionLoss => o.region_loss.as_ref(),
        Disaster::AzLoss => o.az_loss.as_ref(),
        Disaster::Corruption => o.corruption.as_ref(),
        Disaster::Ransomware => o.ransomware.as_ref(),
    }
}

fn disaster_section(s: &RawDisasters, disaster: Disaster) -> Option<&RawDisaster> {
    match disaster {
        Disaster::RegionLoss => s.region_loss.as_ref(),
        Disaster::AzLoss => s.az_loss.as_ref(),
        Disaster::Corruption => s.corruption.as_ref(),
        Disaster::Ransomware => s.ransomware.as_ref(),
    }
}

fn strategy_section(s: &RawStrategies, strategy: Strategy) -> Option<&RawStrategy> {
    match strategy {
        Strategy::BackupRestore => s.backup_restore.as_ref(),
        Strategy::PilotLight => s.pilot_light.as_ref(),
        Strategy::WarmStandby => s.warm_standby.as_ref(),
        Strategy::MultiSite => s.multi_site.as_ref(),
    }
}

fn objectives(
    user: &RawScenario,
    reference: &RawScenario,
    layers: Layers<'_>,
) -> Result<Objectives, ScenarioError> {
    let (u, r) = (user.objectives.as_ref(), reference.objectives.as_ref());
    let rto = fixed_of(
        &pick(layers, u, r, "objectives.rto", |s| s.rto.as_ref())?,
        "objectives.rto",
        Kind::Duration,
    )?;
    let rpo = fixed_of(
        &pick(layers, u, r, "objectives.rpo", |s| s.rpo.as_ref())?,
        "objectives.rpo",
        Kind::Duration,
    )?;
    let confidence = pick(layers, u, r, "objectives.confidence", |s| {
        s.confidence.as_ref()
    })?;
    if !(*confidence.value > 0.0 && *confidence.value < 1.0) {
        return Err(confidence
            .error(
                "objectives.confidence",
                format!("expected a probability in (0, 1), got {}", confidence.value),
            )
            .with_help("e.g. 0.95 for \"met in 95 % of disasters\""));
    }
    let service_level = fraction(
        &pick(layers, u, r, "objectives.service-level", |s| {
            s.service_level.as_ref()
        })?,
        "objectives.service-level",
        false,
    )?;
    let mut by_disaster = Disaster::ALL.map(|_| Objective { rto, rpo });
    for disaster in Disaster::ALL {
        let get = |o| objective_override(o, disaster);
        // Per-disaster overrides are taken from the user's file, else from the reference.
        let over = u
            .and_then(get)
            .map(|o| (o, layers.user))
            .or_else(|| r.and_then(get).map(|o| (o, layers.reference)));
        if let Some((over, source)) = over {
            let key = format!("objectives.{}", disaster.name());
            let one = Layers {
                user: source,
                reference: source,
            };
            if over.rto.is_some() {
                by_disaster[disaster.index()].rto = fixed_of(
                    &pick(one, Some(over), None, &key, |s| s.rto.as_ref())?,
                    &format!("{key}.rto"),
                    Kind::Duration,
                )?;
            }
            if over.rpo.is_some() {
                by_disaster[disaster.index()].rpo = fixed_of(
                    &pick(one, Some(over), None, &key, |s| s.rpo.as_ref())?,
                    &format!("{key}.rpo"),
                    Kind::Duration,
                )?;
            }
        }
    }
    Ok(Objectives {
        by_disaster,
        confidence: *confidence.value,
        service_level,
    })
}

/// The tiers; `service_level` (`objectives.service-level`) is the default of each tier's own.
fn tiers(
    user: &RawScenario,
    reference: &RawScenario,
    layers: Layers<'_>,
    service_level: f64,
) -> Result<Vec<Tier>, ScenarioError> {
    let (map, source) = match (&user.tiers, &reference.tiers) {
        (Some(t), _) => (t, layers.user),
        (None, Some(t)) => (t, layers.reference),
        (None, None) => {
            return Err(layers
                .user
                .error(None, "tiers", "at least one tier is required"));
        }
    };
    if map.get_ref().is_empty() {
        return Err(source
            .error(Some(map.span()), "tiers", "at least one tier is required")
            .with_help("add a table such as [tiers.web] with instance-type and count"));
    }
    // Timing keys a tier leaves out come from the reference scenario's first tier.
    let template = reference
        .tiers
        .as_ref()
        .and_then(|t| t.get_ref().values().next())
        .map(Spanned::get_ref);
    let one = Layers {
        user: source,
        reference: layers.reference,
    };
    let mut tiers = Vec::new();
    for (name, spanned) in map.get_ref() {
        let key = |k: &str| format!("tiers.{name}.{k}");
        let tier = spanned.get_ref();
        for (k, present) in [
            ("instance-type", tier.instance_type.is_some()),
            ("count", tier.count.is_some()),
        ] {
            if !present {
                return Err(source
                    .error(
                        Some(spanned.span()),
                        &key(k),
                        "this key is required in every tier",
                    )
                    .with_help(format!("add `{k}` to [tiers.{name}]")));
            }
        }
        let instance_type = pick(one, Some(tier), None, &key("instance-type"), |s| {
            s.instance_type.as_ref()
        })?
        .value
        .clone();
        let count = count_in(
            &pick(one, Some(tier), None, &key("count"), |s| s.count.as_ref())?,
            &key("count"),
            crate::limits::MAX_INSTANCES,
        )?;
        let os = match tier.os.as_ref() {
            None => Os::Linux,
            Some(found) => names::parse(&Os::ALL, Os::name, found.get_ref()).map_err(|m| {
                source.error(Some(found.span()), &key("os"), m).with_help(
                    "`windows` is licence included; `windows-byol` brings your own licence",
                )
            })?,
        };
        let zones = match tier.multi_az.as_ref() {
            Some(multi) if !*multi.get_ref() => 1,
            _ => 2.min(count).max(1),
        };
        // The tier's own service level, never the reference's first tier's.
        let service_level = match tier.service_level.as_ref() {
            None => service_level,
            Some(found) => fraction(
                &Found {
                    value: found.get_ref(),
                    span: found.span(),
                    source,
                },
                &key("service-level"),
                false,
            )
            .map_err(|e| {
                e.with_help(format!(
                    "the share of [tiers.{name}]'s count that must run, e.g. 1.0 for all of them; leave it out for objectives.service-level"
                ))
            })?,
        };
        let phase =
            |k: &str, f: fn(&RawTier) -> Option<&RawQuantity>| -> Result<Dist, ScenarioError> {
                dist_of(
                    &pick(one, Some(tier), template, &key(k), f)?,
                    &key(k),
                    Kind::Duration,
                )
            };
        tiers.push(Tier {
            name: name.clone(),
            instance_type,
            count,
            os,
            zones,
            service_level,
            phases: [
                phase("pending", |s| s.pending.as_ref())?,
                match (os.is_windows(), tier.boot.as_ref()) {
                    (true, None) => windows_boot().map_err(|e| {
                        source.error(Some(spanned.span()), &key("boot"), e.to_string())
                    })?,
                    _ => phase("boot", |s| s.boot.as_ref())?,
                },
                phase("bootstrap", |s| s.bootstrap.as_ref())?,
                phase("health-check", |s| s.health_check.as_ref())?,
            ],
        });
    }
    let total: u64 = tiers.iter().map(|t| u64::from(t.count)).sum();
    if total > crate::limits::MAX_INSTANCES as u64 {
        return Err(source
            .error(
                Some(map.span()),
                "tiers",
                format!(
                    "the tiers launch {total} instances in all, more than the limit of {} (docs/limits.md): every instance is launched one by one in every trial",
                    crate::limits::thousands(crate::limits::MAX_INSTANCES)
                ),
            )
            .with_help("lower the tiers' counts, or model a large fleet as fewer, larger instances"));
    }
    Ok(tiers)
}

fn database(
    user: &RawScenario,
    reference: &RawScenario,
    layers: Layers<'_>,
) -> Result<Database, ScenarioError> {
    let (u, r) = (user.database.as_ref(), reference.database.as_ref());
    let dist = |key: &str,
                kind: Kind,
                f: fn(&RawDatabase) -> Option<&RawQuantity>|
     -> Result<Dist, ScenarioError> {
        let full = format!("database.{key}");
        dist_of(&pick(layers, u, r, &full, f)?, &full, kind)
    };
    let write_rate = pick(layers, u, r, "database.write-rate", |s| {
        s.write_rate.as_ref()
    })?;
    let burst = pick(layers, u, r, "database.burst-size", |s| {
        s.burst_size.as_ref()
    })?;
    let burst_size = fixed_of(&burst, "database.burst-size", Kind::Size)?;
    if burst_size <= 0.0 {
        return Err(burst.error("database.burst-size", "the mean burst size must be > 0"));
    }
    let profile = pick(layers, u, r, "database.daily-profile", |s| {
        s.daily_profile.as_ref()
    })?;
    let daily_profile: [f64; 24] = profile.value.as_slice().try_into().map_err(|_| {
        profile.error(
            "database.daily-profile",
            format!(
                "expected 24 hourly multipliers (hour 0 to 23), got {}",
                profile.value.len()
            ),
        )
    })?;
    if daily_profile.iter().any(|m| !(m.is_finite() && *m >= 0.0)) {
        return Err(profile.error(
            "database.daily-profile",
            "hourly multipliers must be finite and ≥ 0",
        ));
    }
    let mean: f64 = daily_profile.iter().sum::<f64>() / 24.0;
    if (mean - 1.0).abs() > 0.01 {
        return Err(profile
            .error("database.daily-profile", format!("the 24 multipliers must average 1 (so write-rate stays the mean), they average {mean:.3}"))
            .with_help("divide every multiplier by their mean"));
    }
    let engine = pick(layers, u, r, "database.engine", |s| s.engine.as_ref())?;
    let family = crate::engines::family(&engine)?;
    let managed = crate::engines::managed(layers, u, r, family, engine.value)?;
    // A DynamoDB table spans the region's availability zones.
    let multi_az = family == names::EngineFamily::DynamoDb
        || *pick(layers, u, r, "database.multi-az", |s| s.multi_az.as_ref())?.value;
    Ok(Database {
        engine: engine.value.clone(),
        instance_class: pick(layers, u, r, "database.instance-class", |s| {
            s.instance_class.as_ref()
        })?
        .value
        .clone(),
        size: dist("size", Kind::Size, |s| s.size.as_ref())?,
        multi_az,
        write_rate: rate_of(&write_rate, "database.write-rate")?,
        burst_size,
        daily_profile,
        restore: dist("restore", Kind::Duration, |s| s.restore.as_ref())?,
        promote: dist("promote", Kind::Duration, |s| s.promote.as_ref())?,
        resize: dist("resize", Kind::Duration, |s| s.resize.as_ref())?,
        multi_az_failover: dist("multi-az-failover", Kind::Duration, |s| {
            s.multi_az_failover.as_ref()
        })?,
        global_failover: dist("global-failover", Kind::Duration, |s| {
            s.global_failover.as_ref()
        })?,
        managed,
    })
}

/// Retrieval delay of each backup storage tier (parameters.md A4).
pub(crate) fn retrieval(storage: &str) -> Option<Result<Dist, sim_core::dist::DistError>> {
    const MIN: f64 = 60.0;
    const HOUR: f64 = 3600.0;
    Some(match storage {
        "standard" | "standard-ia" | "glacier-instant" => Dist::fixed(0.0),
        "glacier-flexible-expedited" => Dist::uniform(MIN, 5.0 * MIN),
        "glacier-flexible-standard" => Dist::uniform(3.0 * HOUR, 5.0 * HOUR),
        "glacier-flexible-bulk" => Dist::uniform(5.0 * HOUR, 12.0 * HOUR),
        "deep-archive-standard" => Dist::uniform(9.0 * HOUR, 12.0 * HOUR),
        "deep-archive-bulk" => Dist::uniform(24.0 * HOUR, 48.0 * HOUR),
        _ => return None,
    })
}

const STORAGE_TIERS: &str = "standard, standard-ia, glacier-instant, glacier-flexible-expedited, glacier-flexible-standard, \
glacier-flexible-bulk, deep-archive-standard, deep-archive-bulk";

/// Age of the newest replicated object under S3 cross-region replication (parameters.md A3).
fn replication_lag(mode: &str) -> Option<Result<Option<Dist>, sim_core::dist::DistError>> {
    Some(match mode {
        "none" => Ok(None),
        "crr" => Dist::lognormal(60.0, 900.0).map(Some),
        "crr-rtc" => Dist::lognormal(10.0, 10.0 * (1.21f64 * sim_core::dist::Z95).exp()).map(Some),
        _ => return None,
    })
}

fn datasets(
    user: &RawScenario,
    reference: &RawScenario,
    layers: Layers<'_>,
) -> Result<Vec<Dataset>, ScenarioError> {
    let (map, source) = match (&user.data, &reference.data) {
        (Some(d), _) => (d, layers.user),
        (None, Some(d)) => (d, layers.reference),
        (None, None) => return Ok(Vec::new()),
    };
    let one = Layers {
        user: source,
        reference: source,
    };
    if map.get_ref().len() > crate::limits::MAX_DATASETS {
        return Err(source.error(
            Some(map.span()),
            "data",
            format!(
                "{} datasets, more than the limit of {} (docs/limits.md): each is a transfer in every restore",
                map.get_ref().len(),
                crate::limits::MAX_DATASETS
            ),
        ).with_help("merge datasets that are restored together into one"));
    }
    let mut data = Vec::new();
    for (name, raw) in map.get_ref() {
        let key = |k: &str| format!("data.{name}.{k}");
        let size = dist_of(
            &pick(one, Some(raw), None, &key("size"), |s| s.size.as_ref())?,
            &key("size"),
            Kind::Size,
        )?;
        let (storage, retrieval_delay) = match raw.storage.as_ref() {
            None => ("standard".to_string(), Dist::Fixed(0.0)),
            Some(s) => {
                let delay = retrieval(s.get_ref())
                    .ok_or_else(|| {
                        source.error(
                            Some(s.span()),
                            &key("storage"),
                            format!(
                                "unknown storage tier \"{}\": expected one of {STORAGE_TIERS}",
                                s.get_ref()
                            ),
                        )
                    })?
                    .map_err(|e| source.error(Some(s.span()), &key("storage"), e.to_string()))?;
                (s.get_ref().clone(), delay)
            }
        };
        let replication = raw
            .replication
            .as_ref()
            .map_or("crr".to_string(), |m| m.get_ref().clone());
        let replication_lag = match raw.replication.as_ref() {
            None => replication_lag("crr").and_then(Result::ok).flatten(),
            Some(m) => replication_lag(m.get_ref())
                .ok_or_else(|| {
                    source.error(
                        Some(m.span()),
                        &key("replication"),
                        format!(
                            "unknown replication \"{}\": expected none, crr or crr-rtc",
                            m.get_ref()
                        ),
                    )
                })?
                .map_err(|e| source.error(Some(m.span()), &key("replication"), e.to_string()))?,
        };
        data.push(Dataset {
            name: name.clone(),
            size,
            storage,
            retrieval: retrieval_delay,
            replication_lag,
            replication,
        });
    }
    Ok(data)
}

fn backups(
    user: &RawScenario,
    reference: &RawScenario,
    layers: Layers<'_>,
) -> Result<Backups, ScenarioError> {
    let (u, r) = (user.backups.as_ref(), reference.backups.as_ref());
    let interval_found = pick(layers, u, r, "backups.interval", |s| s.interval.as_ref())?;
    let interval = fixed_of(&interval_found, "backups.interval", Kind::Duration)?;
    if interval <= 0.0 {
        return Err(interval_found.error("backups.interval", "the backup interval must be > 0"));
    }
    crate::limits::backup_interval(interval)
        .map_err(|m| interval_found.error("backups.interval", m))?;
    let retention_found = pick(layers, u, r, "backups.retention", |s| s.retention.as_ref())?;
    let retention = fixed_of(&retention_found, "backups.retention", Kind::Duration)?;
    if retention < interval {
        let (at, key) = if retention_found.source.file != layers.user.file {
            (&interval_found, "backups.interval")
        } else {
            (&retention_found, "backups.retention")
        };
        return Err(at.error(
            key,
            format!(
                "retention ({}) must be at least one backup interval ({})",
                crate::units::format_duration(retention),
                crate::units::format_duration(interval)
            ),
        ));
    }
    let backups = Backups {
        interval,
        duration: dist_of(
            &pick(layers, u, r, "backups.duration", |s| s.duration.as_ref())?,
            "backups.duration",
            Kind::Duration,
        )?,
        copy_delay: dist_of(
            &pick(layers, u, r, "backups.copy-delay", |s| {
                s.copy_delay.as_ref()
            })?,
            "backups.copy-delay",
            Kind::Duration,
        )?,
        failure_probability: probability(
            &pick(layers, u, r, "backups.failure-probability", |s| {
                s.failure_probability.as_ref()
            })?,
            "backups.failure-probability",
        )?,
        retention,
        immutable: *pick(layers, u, r, "backups.immutable", |s| s.immutable.as_ref())?.value,
        point_in_time: *pick(layers, u, r, "backups.point-in-time", |s| {
            s.point_in_time.as_ref()
        })?
        .value,
        continuous: PointInTime {
            window: fixed_of(
                &pick(layers, u, r, "backups.point-in-time-window", |s| {
                    s.point_in_time_window.as_ref()
                })?,
                "backups.point-in-time-window",
                Kind::Duration,
            )?,
            lag: dist_of(
                &pick(layers, u, r, "backups.point-in-time-lag", |s| {
                    s.point_in_time_lag.as_ref()
                })?,
                "backups.point-in-time-lag",
                Kind::Duration,
            )?,
        },
    };
    crate::limits::backups_in_flight(interval, &backups.duration, &backups.copy_delay).map_err(
        |m| {
            // Point at the user's own key: the interval, else the duration or copy delay.
            let duration = pick(layers, u, r, "backups.duration", |s| s.duration.as_ref());
            let copy = pick(layers, u, r, "backups.copy-delay", |s| {
                s.copy_delay.as_ref()
            });
            let user = |f: &Found<'_, toml::Value>| f.source.file == layers.user.file;
            match (duration, copy) {
                (Ok(d), _) if !user(&interval_found) && user(&d) => d.error("backups.duration", m),
                (_, Ok(c)) if !user(&interval_found) && user(&c) => {
                    c.error("backups.copy-delay", m)
                }
                _ => interval_found.error("backups.interval", m),
            }
        },
    )?;
    Ok(backups)
}

/// Boot time of a Windows tier that gives none: Windows Server instances take minutes longer
/// than Linux to boot (sources in docs/model.md).
fn windows_boot() -> Result<Dist, sim_core::dist::DistError> {
    Dist::lognormal(WINDOWS_BOOT_MEDIAN, WINDOWS_BOOT_P95)
}

/// Seconds: median and p95 of a Windows Server boot (docs/model.md).
const WINDOWS_BOOT_MEDIAN: f64 = 240.0;
const WINDOWS_BOOT_P95: f64 = 600.0;

fn disasters(
    user: &RawScenario,
    reference: &RawScenario,
    layers: Layers<'_>,
) -> Result<[DisasterModel; 4], ScenarioError> {
    let mut models = Vec::with_capacity(4);
    let mut total_rate = 0.0;
    for disaster in Disaster::ALL {
        let u = user
            .disasters
            .as_ref()
            .and_then(|s| disaster_section(s, disaster));
        let r = reference
            .disasters
            .as_ref()
            .and_then(|s| disaster_section(s, disaster));
        let key = |k: &str| format!("disasters.{}.{k}", disaster.name());
        // Keys that do not apply to this type are refused rather than ignored.
        if let Some(u) = u {
            let allowed: &[&str] = match disaster {
                Disaster::RegionLoss => &[
                    "annual-rate",
                    "outage",
                    "congestion-probability",
                    "launch-slowdown",
                    "launch-failure-probability",
                    "throughput-factor",
                ],
                Disaster::AzLoss => &["annual-rate", "outage"],
                Disaster::Corruption => &["annual-rate", "dwell"],
                Disaster::Ransomware => &["annual-rate", "dwell", "clean-room", "restore-point"],
            };
            let present: [(&str, Option<Range<usize>>); 9] = [
                ("annual-rate", u.annual_rate.as_ref().map(|v| v.span())),
                ("outage", u.outage.as_ref().map(|v| v.span())),
                (
                    "congestion-probability",
                    u.congestion_probability.as_ref().map(|v| v.span()),
                ),
                (
                    "launch-slowdown",
                    u.launch_slowdown.as_ref().map(|v| v.span()),
                ),
                (
                    "launch-failure-probability",
                    u.launch_failure_probability.as_ref().map(|v| v.span()),
                ),
                (
                    "throughput-factor",
                    u.throughput_factor.as_ref().map(|v| v.span()),
                ),
                ("dwell", u.dwell.as_ref().map(|v| v.span())),
                ("clean-room", u.clean_room.as_ref().map(|v| v.span())),
                ("restore-point", u.restore_point.as_ref().map(|v| v.span())),
            ];
            if let Some((k, span)) = present
                .iter()
                .find(|(k, span)| span.is_some() && !allowed.contains(k))
            {
                return Err(layers
                    .user
                    .error(
                        span.clone(),
                        &key(k),
                        format!("`{k}` does not apply to {}", disaster.name()),
                    )
                    .with_help(format!(
                        "keys of [disasters.{}]: {}",
                        disaster.name(),
                        allowed.join(", ")
                    )));
            }
        }
        let annual_rate = rate(
            &pick(layers, u, r, &key("annual-rate"), |s| {
                s.annual_rate.as_ref()
            })?,
            &key("annual-rate"),
        )?;
        total_rate += annual_rate;
        let q = |k: &str,
                 f: fn(&RawDisaster) -> Option<&RawQuantity>,
                 kind: Kind|
         -> Result<Dist, ScenarioError> {
            dist_of(&pick(layers, u, r, &key(k), f)?, &key(k), kind)
        };
        let model = match disaster {
            Disaster::RegionLoss => {
                let throughput = q(
                    "throughput-factor",
                    |s| s.throughput_factor.as_ref(),
                    Kind::Factor,
                )?;
                DisasterModel {
                    annual_rate,
                    outage: Some(q("outage", |s| s.outage.as_ref(), Kind::Duration)?),
                    dwell: None,
                    congestion: Some(Congestion {
                        probability: fraction(
                            &pick(layers, u, r, &key("congestion-probability"), |s| {
                                s.congestion_probability.as_ref()
                            })?,
                            &key("congestion-probability"),
                            true,
                        )?,
                        launch_slowdown: q(
                            "launch-slowdown",
                            |s| s.launch_slowdown.as_ref(),
                            Kind::Factor,
                        )?,
                        launch_failure_probability: probability(
                            &pick(layers, u, r, &key("launch-failure-probability"), |s| {
                                s.launch_failure_probability.as_ref()
                            })?,
                            &key("launch-failure-probability"),
                        )?,
                        throughput_factor: throughput,
                    }),
                    clean_room: None,
                    restore_point: None,
                }
            }
            Disaster::AzLoss => DisasterModel {
                annual_rate,
                outage: Some(q("outage", |s| s.outage.as_ref(), Kind::Duration)?),
                dwell: None,
                congestion: None,
                clean_room: None,
                restore_point: None,
            },
            Disaster::Corruption => DisasterModel {
                annual_rate,
                outage: None,
                dwell: Some(q("dwell", |s| s.dwell.as_ref(), Kind::Duration)?),
                congestion: None,
                clean_room: None,
                restore_point: None,
            },
            Disaster::Ransomware => DisasterModel {
                annual_rate,
                outage: None,
                dwell: Some(q("dwell", |s| s.dwell.as_ref(), Kind::Duration)?),
                congestion: None,
                clean_room: Some(q("clean-room", |s| s.clean_room.as_ref(), Kind::Duration)?),
                restore_point: Some({
                    let found = pick(layers, u, r, &key("restore-point"), |s| {
                        s.restore_point.as_ref()
                    })?;
                    names::parse(&RestorePoint::ALL, RestorePoint::name, found.value)
                        .map_err(|m| found.error(&key("restore-point"), m))?
                }),
            },
        };
        models.push(model);
    }
    if total_rate <= 0.0 {
        return Err(layers
            .user
            .error(
                None,
                "disasters",
                "every disaster type has annual-rate 0: there is nothing to simulate",
            )
            .with_help("give at least one disaster type an annual-rate > 0"));
    }
    models.try_into().map_err(|_| {
        layers.user.error(
            None,
            "disasters",
            "internal error: expected four disaster types",
        )
    })
}

fn strategy_config(
    strategy: Strategy,
    user: &RawScenario,
    reference: &RawScenario,
    layers: Layers<'_>,
    scenario: &Scenario,
) -> Result<StrategyConfig, ScenarioError> {
    let u = user
        .strategies
        .as_ref()
        .and_then(|s| strategy_section(s, strategy));
    let r = reference
        .strategies
        .as_ref()
        .and_then(|s| strategy_section(s, strategy));
    let key = |k: &str| format!("strategies.{}.{k}", strategy.name());
    if let Some(u) = u {
        let at = |v: Option<std::ops::Range<usize>>, applies: bool| v.filter(|_| !applies);
        let misplaced = [
            (
                "replica-fraction",
                at(
                    u.replica_fraction.as_ref().map(|v| v.span()),
                    strategy == Strategy::PilotLight,
                ),
            ),
            (
                "standby-fraction",
                at(
                    u.standby_fraction.as_ref().map(|v| v.span()),
                    strategy == Strategy::WarmStandby,
                ),
            ),
            (
                "site-capacity",
                at(
                    u.site_capacity.as_ref().map(|v| v.span()),
                    strategy == Strategy::MultiSite,
                ),
            ),
            (
                "traffic-weight",
                at(
                    u.traffic_weight.as_ref().map(|v| v.span()),
                    strategy == Strategy::MultiSite,
                ),
            ),
            (
                "database-replication",
                at(
                    u.database_replication.as_ref().map(|v| v.span()),
                    strategy == Strategy::MultiSite,
                ),
            ),
        ];
        if let Some((k, span)) = misplaced.iter().find(|(_, span)| span.is_some()) {
            return Err(layers
                .user
                .error(span.clone(), &key(k), format!("`{k}` does not apply to {}", strategy.name()))
                .with_help(
                    "standby-fraction belongs to warm-standby, replica-fraction to pilot-light; site-capacity, traffic-weight and database-replication to multi-site",
                ));
        }
    }
    crate::engines::refuse_strategy_knobs(layers, strategy, u, r, scenario)?;
    let failover_found = pick(layers, u, r, &key("failover"), |s| s.failover.as_ref())?;
    let failover = names::parse(&Failover::ALL, Failover::name, failover_found.value)
        .map_err(|m| failover_found.error(&key("failover"), m))?;
    let interval = fixed_of(
        &pick(layers, u, r, &key("health-check-interval"), |s| {
            s.health_check_interval.as_ref()
        })?,
        &key("health-check-interval"),
        Kind::Duration,
    )?;
    let (running_fraction, traffic_weight, database_replication) = match strategy {
        Strategy::WarmStandby => (
            fraction(
                &pick(layers, u, r, &key("standby-fraction"), |s| {
                    s.standby_fraction.as_ref()
                })?,
                &key("standby-fraction"),
                false,
            )?,
            0.0,
            DbReplication::Async,
        ),
        Strategy::MultiSite => {
            let repl = pick(layers, u, r, &key("database-replication"), |s| {
                s.database_replication.as_ref()
            })?;
            let mode = names::parse(&DbReplication::ALL, DbReplication::name, repl.value)
                .map_err(|m| repl.error(&key("database-replication"), m))?;
            (
                fraction(
                    &pick(layers, u, r, &key("site-capacity"), |s| {
                        s.site_capacity.as_ref()
                    })?,
                    &key("site-capacity"),
                    false,
                )?,
                fraction(
                    &pick(layers, u, r, &key("traffic-weight"), |s| {
                        s.traffic_weight.as_ref()
                    })?,
                    &key("traffic-weight"),
                    false,
                )?,
                mode,
            )
        }
        _ => (0.0, 0.0, DbReplication::Async),
    };
    if strategy == Strategy::MultiSite && running_fraction < traffic_weight {
        let found = pick(layers, u, r, &key("site-capacity"), |s| {
            s.site_capacity.as_ref()
        })?;
        return Err(found
            .error(
                &key("site-capacity"),
                format!(
                    "each site must serve at least its share of the traffic: site-capacity {running_fraction} is below traffic-weight {traffic_weight}"
                ),
            )
            .with_help("raise site-capacity or lower traffic-weight"));
    }
    let replica_fraction = match strategy {
        Strategy::PilotLight => fraction(
            &pick(layers, u, r, &key("replica-fraction"), |s| {
                s.replica_fraction.as_ref()
            })?,
            &key("replica-fraction"),
            false,
        )?,
        _ => 1.0,
    };
    let (database_replication, replica_fraction) =
        match crate::engines::engine_knobs(&scenario.database.managed) {
            Some((replication, fraction)) if strategy == Strategy::MultiSite => {
                (replication, fraction)
            }
            Some((_, fraction)) => (database_replication, fraction),
            None => (database_replication, replica_fraction),
        };
    let mut config = StrategyConfig {
        strategy,
        failover,
        health_check_interval: interval,
        running_fraction,
        traffic_weight,
        database_replication,
        replica_fraction,
        replica_class: None,
        runbook: Vec::new(),
    };
    let defaults = runbooks::default_failover(scenario, &config);
    let overrides = u.and_then(|s| s.runbook.as_ref());
    config.runbook =
        runbooks::apply_overrides(defaults, overrides, &key("runbook"), layers.user, scenario)?;
    Ok(config)
}

/// The concurrency limits (`[pools.NAME] concurrency = N`): the user's table replaces the
/// reference's (which has none).
fn pools(
    user: &RawScenario,
    reference: &RawScenario,
    layers: Layers<'_>,
) -> Result<Vec<Pool>, ScenarioError> {
    let (map, source) = match (&user.pools, &reference.pools) {
        (Some(p), _) => (p, layers.user),
        (None, Some(p)) => (p, layers.reference),
        (None, None) => return Ok(Vec::new()),
    };
    let one = Layers {
        user: source,
        reference: source,
    };
    map.get_ref()
        .iter()
        .map(|(name, raw)| {
            let key = format!("pools.{name}.concurrency");
            if raw.get_ref().concurrency.is_none() {
                return Err(source
                    .error(Some(raw.span()), &key, "this key is required in every pool")
                    .with_help(format!(
                        "add `concurrency = N` to [pools.{name}]: how many steps holding it may run at once"
                    )));
            }
            let found = pick(one, Some(raw.get_ref()), None, &key, |p| {
                p.concurrency.as_ref()
            })?;
            Ok(Pool {
                name: name.clone(),
                concurrency: positive_count(&found, &key)?,
            })
        })
        .collect()
}

/// US dollars as written (a number or a decimal string) to whole cents.
fn cents(found: &Found<'_, toml::Value>, key: &str) -> Result<u64, ScenarioError> {
    let text = match found.value {
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => format!("{f:.2}"),
        toml::Value::String(s) => s.trim().trim_start_matches('$').replace(',', ""),
        other => {
            return Err(found.error(
                key,
                format!("expected an amount of US dollars, got {}", other.type_str()),
            ));
        }
    };
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let digits = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
    if !digits(whole) || !(fraction.is_empty() || (digits(fraction) && fraction.len() <= 2)) {
        return Err(found
            .error(
                key,
                format!("expected an amount of US dollars ≥ 0 with at most 2 decimals, got {text}"),
            )
            .with_help("e.g. 300000 or \"1250.50\""));
    }
    let whole: u64 = whole
        .parse()
        .map_err(|_| found.error(key, format!("{text} is too large")))?;
    let fraction: u64 = format!("{fraction:0<2}").parse().unwrap_or(0);
    whole
        .checked_mul(100)
        .and_then(|c| c.checked_add(fraction))
        .ok_or_else(|| found.error(key, format!("{text} is too large")))
}

fn costs(
    user: &RawScenario,
    reference: &RawScenario,
    layers: Layers<'_>,
) -> Result<Costs, ScenarioError> {
    let (u, r) = (user.costs.as_ref(), reference.costs.as_ref());
    let drills = pick(layers, u, r, "costs.drills-per-year", |s| {
        s.drills_per_year.as_ref()
    })?;
    if !(drills.value.is_finite() && *drills.value >= 0.0) {
        return Err(drills.error(
            "costs.drills-per-year",
            format!("expected a number ≥ 0, got {}", drills.value),
        ));
    }
    let pick_rule = pick(layers, u, r, "costs.pick", |s| s.pick.as_ref())?;
    let rule = match pick_rule.value.as_str() {
        "cheapest" => PickRule::Cheapest,
        "total-cost-of-risk" => PickRule::TotalCostOfRisk,
        other => {
            return Err(pick_rule.error(
                "costs.pick",
                format!(
                    "unknown rule \"{other}\": expected \"cheapest\" or \"total-cost-of-risk\""
                ),
            ));
        }
    };
    Ok(Costs {
        downtime_per_hour_cents: cents(
            &pick(layers, u, r, "costs.downtime-per-hour", |s| {
                s.downtime_per_hour.as_ref()
            })?,
            "costs.downtime-per-hour",
        )?,
        data_loss_per_hour_cents: cents(
            &pick(layers, u, r, "costs.data-loss-per-hour", |s| {
                s.data_loss_per_hour.as_ref()
            })?,
            "costs.data-loss-per-hour",
        )?,
        drills_per_year: *drills.value,
        drill_duration: fixed_of(
            &pick(layers, u, r, "costs.drill-duration", |s| {
                s.drill_duration.as_ref()
            })?,
            "costs.drill-duration",
            Kind::Duration,
        )?,
        pick: rule,
    })
}

/// A non-empty list from `[plan]`, each item checked by `item`.
fn sweep<'a, T, U>(
    found: &Found<'a, Vec<T>>,
    key: &str,
    item: impl Fn(&T) -> Result<U, String>,
) -> Result<Vec<U>, ScenarioError> {
    if found.value.is_empty() {
        return Err(found.error(key, "the list is empty: give at least one value"));
    }
    found
        .value
        .iter()
        .map(|v| item(v).map_err(|m| found.error(key, m)))
        .collect()
}

fn plan_config(
    user: &RawScenario,
    reference: &RawScenario,
    layers: Layers<'_>,
) -> Result<PlanConfig, ScenarioError> {
    let (u, r) = (user.plan.as_ref(), reference.plan.as_ref());
    if let Some(found) = u.and_then(|p| p.database_replication.as_ref()) {
        // No engine leaves the choice: RDS and Aurora replicate across regions asynchronously,
        // DynamoDB as `database.consistency` says.
        return Err(layers
            .user
            .error(
                Some(found.span()),
                "plan.database-replication",
                "the database's replication is not swept: RDS and Aurora replicate to another \
                 region asynchronously, a DynamoDB global table as database.consistency says",
            )
            .with_help("remove the key (docs/model.md §4.1)"));
    }
    let years = pick(layers, u, r, "plan.years", |s| s.years.as_ref())?;
    let years_value = u64::try_from(*years.value)
        .ok()
        .filter(|y| (1..=crate::limits::MAX_YEARS).contains(y))
        .ok_or_else(|| {
            years.error(
                "plan.years",
                format!(
                    "expected a whole number from 1 to {}, got {} (limit in docs/limits.md)",
                    crate::limits::thousands(crate::limits::MAX_YEARS as i64),
                    years.value
                ),
            )
        })?;
    let share = |v: &f64| {
        if *v > 0.0 && *v <= 1.0 {
            Ok(*v)
        } else {
            Err(format!("expected fractions in (0, 1], got {v}"))
        }
    };
    let config = PlanConfig {
        years: years_value,
        backup_intervals: sweep(
            &pick(layers, u, r, "plan.backup-intervals", |s| {
                s.backup_intervals.as_ref()
            })?,
            "plan.backup-intervals",
            |t: &String| {
                let v = crate::units::parse(t, Kind::Duration)?;
                if v > 0.0 {
                    crate::limits::backup_interval(v).map(|()| v)
                } else {
                    Err("backup intervals must be > 0".to_string())
                }
            },
        )?,
        storage_tiers: sweep(
            &pick(layers, u, r, "plan.storage-tiers", |s| {
                s.storage_tiers.as_ref()
            })?,
            "plan.storage-tiers",
            |t: &String| match retrieval(t) {
                Some(_) => Ok(t.clone()),
                None => Err(format!(
                    "unknown storage tier \"{t}\": expected one of {STORAGE_TIERS}"
                )),
            },
        )?,
        failover: sweep(
            &pick(layers, u, r, "plan.failover", |s| s.failover.as_ref())?,
            "plan.failover",
            |t: &String| names::parse(&Failover::ALL, Failover::name, t),
        )?,
        replica_fractions: sweep(
            &pick(layers, u, r, "plan.replica-fractions", |s| {
                s.replica_fractions.as_ref()
            })?,
            "plan.replica-fractions",
            share,
        )?,
        standby_fractions: sweep(
            &pick(layers, u, r, "plan.standby-fractions", |s| {
                s.standby_fractions.as_ref()
            })?,
            "plan.standby-fractions",
            share,
        )?,
        site_capacities: sweep(
            &pick(layers, u, r, "plan.site-capacities", |s| {
                s.site_capacities.as_ref()
            })?,
            "plan.site-capacities",
            share,
        )?,
        point_in_time: {
            let found = pick(layers, u, r, "plan.point-in-time", |s| {
                s.point_in_time.as_ref()
            })?;
            let mut values = sweep(&found, "plan.point-in-time", |v: &bool| Ok(*v))?;
            values.dedup();
            values
        },
    };
    Ok(config)
}

fn pricing_config(
    user: &RawScenario,
    reference: &RawScenario,
    layers: Layers<'_>,
) -> Result<PricingConfig, ScenarioError> {
    let (u, r) = (user.pricing.as_ref(), reference.pricing.as_ref());
    let fallback = pick(layers, u, r, "pricing.fallback-region", |s| {
        s.fallback_region.as_ref()
    })?;
    Ok(PricingConfig {
        catalog: u
            .and_then(|s| s.catalog.as_ref())
            .map(|c| c.get_ref().clone()),
        fallback_region: (fallback.value != "none").then(|| fallback.value.clone()),
    })
}

fn check_config(
    user: &RawScenario,
    reference: &RawScenario,
    layers: Layers<'_>,
) -> Result<CheckConfig, ScenarioError> {
    let (u, r) = (user.check.as_ref(), reference.check.as_ref());
    let strategy = pick(layers, u, r, "check.strategy", |s| s.strategy.as_ref())?;
    let strategy = names::parse(&Strategy::ALL, Strategy::name, strategy.value)
        .map_err(|m| strategy.error("check.strategy", m))?;
    let found = pick(layers, u, r, "check.tolerance", |s| s.tolerance.as_ref())?;
    let text = found.value.trim();
    let tolerance = match text.strip_suffix('%') {
        Some(percent) => percent
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|p| p.is_finite() && *p >= 0.0)
            .map(|p| Tolerance::Relative(p / 100.0)),
        None => crate::units::parse(text, Kind::Duration)
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(Tolerance::Absolute),
    }
    .ok_or_else(|| {
        found
            .error(
                "check.tolerance",
                format!("\"{text}\" is neither a percentage nor a duration"),
            )
            .with_help("write a share of the baseline like \"10%\", or a duration like \"5m\"")
    })?;
    let p_meet = pick(layers, u, r, "check.p-meet-tolerance", |s| {
        s.p_meet_tolerance.as_ref()
    })?;
    if !(0.0..=1.0).contains(p_meet.value) {
        return Err(p_meet
            .error(
                "check.p-meet-tolerance",
                format!("{} is not a probability between 0 and 1", p_meet.value),
            )
            .with_help("e.g. 0.01: P(meet) may fall by one percentage point"));
    }
    let spend = pick(layers, u, r, "check.spend-tolerance", |s| {
        s.spend_tolerance.as_ref()
    })?;
    let spend_tolerance = match spend.value.as_str().map(str::trim) {
        Some(text) if text.ends_with('%') => text
            .trim_end_matches('%')
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|p| p.is_finite() && *p >= 0.0)
            .map(|p| SpendTolerance::Relative(p / 100.0))
            .ok_or_else(|| {
                spend
                    .error(
                        "check.spend-tolerance",
                        format!("\"{text}\" is not a percentage"),
                    )
                    .with_help("write a share like \"5%\", or an amount of US dollars like 50")
            })?,
        _ => SpendTolerance::Cents(cents(&spend, "check.spend-tolerance").map_err(|e| {
            e.with_help("write a share of the baseline's spend like \"5%\", or US dollars like 50")
        })?),
    };
    Ok(CheckConfig {
        strategy,
        tolerance,
        p_meet_tolerance: *p_meet.value,
        spend_tolerance,
    })
}
