//! `database.engine` drives recovery (docs/model.md §4.1): closed forms per engine family.
//!
//! With every duration fixed, each strategy's region-loss RTO is the length of its runbook's
//! critical path, computed here by hand; a DynamoDB table with strong consistency loses nothing;
//! the RPO of the managed engines' replicated strategies follows the configured lag
//! distribution. Statistical tolerances are 4 standard errors.

use scenarios::names::EngineFamily;
use scenarios::{Disaster, Results, RunOptions, Scenario, Strategy};

const MIN: f64 = 60.0;

fn load(text: &str) -> Scenario {
    scenarios::load(text, "test.toml").unwrap_or_else(|e| panic!("test scenario refused: {e}"))
}

fn run(scenario: &Scenario, trials: u64) -> Results {
    scenarios::simulate(
        scenario,
        &RunOptions {
            trials,
            seed: 11,
            threads: 2,
            progress: None,
        },
    )
    .unwrap_or_else(|e| panic!("simulation failed: {e}"))
}

/// Everything fixed, no datasets, only region losses that last 100 days (see
/// `closed_form.rs` for the same shape with RDS); `{database}` and `{disasters}` filled in.
const BASE: &str = r#"
[regions]
provision-network = "5m"

[tiers.web]
instance-type = "m6i.large"
count = 4
pending = "10s"
boot = "20s"
bootstrap = "50s"
health-check = "30s"

[tiers.app]
instance-type = "m6i.xlarge"
count = 6
pending = "15s"
boot = "25s"
bootstrap = "100s"
health-check = "40s"

[database]
size = "500GiB"
{database}

[data]

[restore]
bandwidth = "1GB/s"
per-transfer = "100MiB/s"

[launch]
burst = 100
failure-probability = 0.0
retry-delay = "30s"

[detection]
failure-threshold = 1
timeout = "5s"
manual-decision = "10m"
automated-decision = "30s"

[dns]
client-ttl = "60s"

{disasters}

[strategies.backup-restore]
failover = "manual"
health-check-interval = "0s"

[strategies.pilot-light]
failover = "manual"
health-check-interval = "0s"

[strategies.warm-standby]
failover = "automated"
health-check-interval = "0s"
standby-fraction = 0.25

[strategies.multi-site]
failover = "automated"
health-check-interval = "0s"
site-capacity = 1.0
"#;

const REGION_LOSS_ONLY: &str = r#"
[disasters.region-loss]
annual-rate = 1.0
outage = "100d"
congestion-probability = 0.0

[disasters.az-loss]
annual-rate = 0.0

[disasters.corruption]
annual-rate = 0.0

[disasters.ransomware]
annual-rate = 0.0
"#;

const CORRUPTION_ONLY: &str = r#"
[disasters.region-loss]
annual-rate = 0.0

[disasters.az-loss]
annual-rate = 0.0

[disasters.corruption]
annual-rate = 1.0

[disasters.ransomware]
annual-rate = 0.0
"#;

fn scenario(database: &str, disasters: &str) -> Scenario {
    load(
        &BASE
            .replace("{database}", database)
            .replace("{disasters}", disasters),
    )
}

// The fixed values, in seconds.
const DETECT: f64 = 5.0;
const MANUAL: f64 = 10.0 * MIN;
const AUTOMATED: f64 = 30.0;
const DNS: f64 = 60.0;
const PROVISION: f64 = 5.0 * MIN;
const RESTORE_DB: f64 = 15.0 * MIN;
const ADD_INSTANCE: f64 = 6.0 * MIN;
const GLOBAL_FAILOVER: f64 = 4.0 * MIN;
const TABLE_RESTORE: f64 = 30.0 * MIN;
/// One instance's launch-to-healthy time (all launches fit in the burst).
const LAUNCH_WEB: f64 = 10.0 + 20.0 + 50.0 + 30.0;
const LAUNCH_APP: f64 = 15.0 + 25.0 + 100.0 + 40.0;
/// 500 GiB at the 100 MiB/s per-transfer cap.
const HYDRATE_DB: f64 = 500.0 * 1024.0 / 100.0;

const AURORA: &str = r#"engine = "aurora-mysql"
restore = "15m"
promote = "2m"
resize = "3m"
global-failover = "4m"
global-lag = "1s"
add-instance = "6m""#;

const DYNAMODB_STRONG: &str = r#"engine = "dynamodb"
consistency = "strong"
table-restore = "30m""#;

fn max(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

/// Every trial of `strategy` under `disaster` took exactly `expected` seconds.
fn assert_constant_rto(results: &Results, strategy: Strategy, disaster: Disaster, expected: f64) {
    let cell = &results.cells[strategy.index()][disaster.index()];
    let expected_ms = expected * 1000.0;
    assert_eq!(cell.primary_first, 0, "{}", strategy.name());
    assert_eq!(
        cell.rto.min(),
        cell.rto.max(),
        "{}: every trial must take the same time",
        strategy.name()
    );
    // Exact within the histogram's 0.1 % resolution.
    let max = cell.rto.max() as f64;
    assert!(
        (max - expected_ms).abs() <= 1e-3 * expected_ms,
        "{}: RTO {max} ms, by hand {expected_ms} ms",
        strategy.name()
    );
    let total: u128 = cell.steps.iter().map(|s| s.contribution.sum).sum();
    assert_eq!(
        total,
        u128::from(cell.rto.count()) * expected_ms as u128,
        "{}: critical-path contributions must add up to the RTO",
        strategy.name()
    );
}

fn on_path(results: &Results, strategy: Strategy, step: &str) -> u64 {
    let d = Disaster::RegionLoss.index();
    let names = &results.step_names[strategy.index()][d];
    let i = names
        .iter()
        .position(|n| n == step)
        .unwrap_or_else(|| panic!("{}: no step {step} in {names:?}", strategy.name()));
    results.cells[strategy.index()][d].steps[i].on_path
}

#[test]
fn aurora_constant_durations_give_the_hand_computed_rto() {
    let scenario = scenario(AURORA, REGION_LOSS_ONLY);
    assert_eq!(scenario.database.managed.family(), EngineFamily::Aurora);
    let trials = 300;
    let results = run(&scenario, trials);
    // Backup-restore restores from a snapshot, as with RDS.
    let backup_restore = DETECT
        + MANUAL
        + max(&[
            RESTORE_DB + HYDRATE_DB,
            PROVISION + LAUNCH_WEB,
            PROVISION + LAUNCH_APP,
        ])
        + DNS;
    // Pilot light: the headless secondary gets an instance, then the global failover; the
    // fleets launch meanwhile.
    let pilot_light =
        DETECT + MANUAL + max(&[ADD_INSTANCE + GLOBAL_FAILOVER, LAUNCH_WEB, LAUNCH_APP]) + DNS;
    // Warm standby: the global failover (not a replica promotion) while the tiers scale out.
    let warm_standby = DETECT + AUTOMATED + max(&[GLOBAL_FAILOVER, LAUNCH_WEB, LAUNCH_APP]) + DNS;
    // Multi-site: always asynchronous, so the global failover runs (no decision step time).
    let multi_site = DETECT + GLOBAL_FAILOVER + DNS;
    let d = Disaster::RegionLoss;
    assert_constant_rto(&results, Strategy::BackupRestore, d, backup_restore);
    assert_constant_rto(&results, Strategy::PilotLight, d, pilot_light);
    assert_constant_rto(&results, Strategy::WarmStandby, d, warm_standby);
    assert_constant_rto(&results, Strategy::MultiSite, d, multi_site);
    assert_eq!(
        on_path(&results, Strategy::PilotLight, "add-db-instance"),
        trials
    );
    assert_eq!(
        on_path(&results, Strategy::PilotLight, "failover-db"),
        trials
    );
    assert_eq!(
        on_path(&results, Strategy::WarmStandby, "failover-db"),
        trials
    );
    assert_eq!(
        on_path(&results, Strategy::MultiSite, "failover-db"),
        trials
    );
    // The replicated strategies lose exactly the global lag (1 s), multi-site included.
    for strategy in [
        Strategy::PilotLight,
        Strategy::WarmStandby,
        Strategy::MultiSite,
    ] {
        let rpo = &results.cells[strategy.index()][d.index()].rpo;
        assert_eq!((rpo.min(), rpo.max()), (1000, 1000), "{}", strategy.name());
    }
}

#[test]
fn dynamodb_constant_durations_give_the_hand_computed_rto_and_strong_loses_nothing() {
    let scenario = scenario(DYNAMODB_STRONG, REGION_LOSS_ONLY);
    assert_eq!(scenario.database.managed.family(), EngineFamily::DynamoDb);
    let trials = 300;
    let results = run(&scenario, trials);
    // The table is already active in the recovery region: no database step at all.
    let backup_restore =
        DETECT + MANUAL + max(&[PROVISION + LAUNCH_WEB, PROVISION + LAUNCH_APP]) + DNS;
    let pilot_light = DETECT + MANUAL + max(&[LAUNCH_WEB, LAUNCH_APP]) + DNS;
    let warm_standby = DETECT + AUTOMATED + max(&[LAUNCH_WEB, LAUNCH_APP]) + DNS;
    // Multi-site at full capacity: nothing to launch.
    let multi_site = DETECT + DNS;
    let d = Disaster::RegionLoss;
    assert_constant_rto(&results, Strategy::BackupRestore, d, backup_restore);
    assert_constant_rto(&results, Strategy::PilotLight, d, pilot_light);
    assert_constant_rto(&results, Strategy::WarmStandby, d, warm_standby);
    assert_constant_rto(&results, Strategy::MultiSite, d, multi_site);
    for strategy in Strategy::ALL {
        let names = &results.step_names[strategy.index()][d.index()];
        assert!(
            !names.iter().any(|n| n.ends_with("-db")),
            "{}: a DynamoDB region loss has no database step: {names:?}",
            strategy.name()
        );
        // Strong consistency: RPO exactly 0 in every trial, backup-restore included.
        let rpo = &results.cells[strategy.index()][d.index()].rpo;
        assert_eq!(rpo.count(), trials);
        assert_eq!(
            rpo.max(),
            0,
            "{}: strong consistency loses nothing",
            strategy.name()
        );
    }
}

#[test]
fn dynamodb_corruption_restores_the_table_without_hydration() {
    let scenario = scenario(DYNAMODB_STRONG, CORRUPTION_ONLY);
    let results = run(&scenario, 200);
    for strategy in Strategy::ALL {
        let names = &results.step_names[strategy.index()][Disaster::Corruption.index()];
        assert_eq!(names, &["decide", "restore-db"], "{}", strategy.name());
        assert_constant_rto(
            &results,
            strategy,
            Disaster::Corruption,
            MANUAL + TABLE_RESTORE,
        );
    }
}

/// P(RPO ≤ x) of the replicated strategies' region-loss RPO against the lag's own law.
fn check_lag_law(database: &str, median: f64, p95: f64) {
    let scenario = scenario(database, REGION_LOSS_ONLY);
    let trials = 20_000;
    let results = run(&scenario, trials);
    let n = trials as f64;
    for strategy in [Strategy::PilotLight, Strategy::WarmStandby] {
        let rpo = &results.cells[strategy.index()][Disaster::RegionLoss.index()].rpo;
        for (x, p) in [(median, 0.5), (p95, 0.95)] {
            let measured = rpo.count_at_most((x * 1000.0) as u64) as f64 / n;
            // 4 standard errors of a proportion, plus the histogram's 0.1 % value resolution
            // (at most a lognormal density × 0.1 % of x, below 0.001 here).
            let tolerance = 4.0 * (p * (1.0 - p) / n).sqrt() + 0.001;
            println!(
                "{}: P(RPO ≤ {x} s) = {measured:.4}, expected {p} ± {tolerance:.4}",
                strategy.name()
            );
            assert!(
                (measured - p).abs() <= tolerance,
                "{}: P(RPO ≤ {x} s) = {measured}, expected {p} ± {tolerance}",
                strategy.name()
            );
        }
    }
}

#[test]
fn dynamodb_eventual_rpo_follows_the_table_lag() {
    check_lag_law(
        r#"engine = "dynamodb"
consistency = "eventual"
table-lag = { lognormal = { median = "0.8s", p95 = "2.5s" } }"#,
        0.8,
        2.5,
    );
}

#[test]
fn aurora_rpo_follows_the_global_lag_not_the_link_queue() {
    check_lag_law(
        r#"engine = "aurora-postgresql"
global-lag = { lognormal = { median = "0.3s", p95 = "1.5s" } }"#,
        0.3,
        1.5,
    );
}

#[test]
fn rds_keeps_the_read_replica_model() {
    let reference = scenarios::reference().expect("valid");
    assert_eq!(reference.database.managed.family(), EngineFamily::Rds);
    let steps = |s: Strategy| -> Vec<String> {
        reference.strategies[s.index()]
            .runbook
            .iter()
            .map(|x| x.name.clone())
            .collect()
    };
    assert!(steps(Strategy::PilotLight).contains(&"promote-db".to_string()));
    assert!(steps(Strategy::PilotLight).contains(&"resize-db".to_string()));
    assert!(steps(Strategy::WarmStandby).contains(&"promote-db".to_string()));
    assert!(steps(Strategy::BackupRestore).contains(&"hydrate-db".to_string()));
}

#[test]
fn engine_keys_that_do_not_apply_are_refused() {
    let cases = [
        (
            "[database]\nengine = \"dynamodb\"\ninstance-class = \"db.r6g.xlarge\"\n",
            "database.instance-class",
        ),
        (
            "[database]\nengine = \"rds-mysql\"\nconsistency = \"strong\"\n",
            "database.consistency",
        ),
        (
            "[database]\nengine = \"dynamodb\"\nglobal-lag = \"1s\"\n",
            "database.global-lag",
        ),
        (
            "[database]\nengine = \"aurora-mysql\"\n[strategies.pilot-light]\nreplica-fraction = 0.25\n",
            "strategies.pilot-light.replica-fraction",
        ),
        (
            "[database]\nengine = \"dynamodb\"\n[strategies.multi-site]\ndatabase-replication = \"sync\"\n",
            "strategies.multi-site.database-replication",
        ),
        ("[database]\nengine = \"oracle\"\n", "database.engine"),
        (
            "[strategies.multi-site]\ndatabase-replication = \"sync\"\n",
            "strategies.multi-site.database-replication",
        ),
        (
            "[plan]\ndatabase-replication = [\"async\"]\n",
            "plan.database-replication",
        ),
        (
            "[database]\nengine = \"dynamodb\"\nconsistency = \"linearizable\"\n",
            "database.consistency",
        ),
    ];
    for (text, key) in cases {
        let error = scenarios::load(text, "t.toml").expect_err(text);
        assert_eq!(error.key.as_deref(), Some(key), "{text}: {error}");
        assert!(error.position.is_some(), "{text}: {error}");
    }
}

#[test]
fn a_full_file_at_its_defaults_switches_engine_without_refusals() {
    // `drsim init` writes every key at its default: switching the engine must not trip over
    // the keys the new engine ignores.
    for engine in ["aurora-postgresql", "dynamodb"] {
        let text = scenarios::REFERENCE
            .replace("engine = \"rds-mysql\"", &format!("engine = \"{engine}\""));
        assert_ne!(text, scenarios::REFERENCE);
        let scenario =
            scenarios::load(&text, "full.toml").unwrap_or_else(|e| panic!("{engine}: {e}"));
        assert_eq!(scenario.database.engine, engine);
    }
}
