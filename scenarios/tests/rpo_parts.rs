//! The region-loss RPO part by part: each dataset's S3 replication lag against its closed form
//! (CRR lognormal(60 s, 15 min); Replication Time Control lognormal with median 10 s and σ 1.21,
//! 99.99 % within 15 minutes), the RPO as the largest part (independent lags: the product of
//! their CDFs), and the parts agreeing with the RPO of every trial and strategy.
//!
//! Tolerances are 4 standard errors from the closed-form variance (plus the histogram's 0.1 %
//! resolution where a count is read from it).

#![allow(clippy::unwrap_used)]

use scenarios::names::EngineFamily;
use scenarios::simulate::{Compiled, Worker};
use scenarios::{Disaster, RunOptions, Scenario, Strategy};

const K_SE: f64 = 4.0;

fn load(text: &str) -> Scenario {
    scenarios::load(text, "test.toml").unwrap_or_else(|e| panic!("test scenario refused: {e}"))
}

fn check(what: &str, measured: f64, expected: f64, std_error: f64) {
    let tolerance = K_SE * std_error;
    println!("{what}: measured {measured:.5}, expected {expected:.5}, tolerance ±{tolerance:.5}");
    assert!(
        (measured - expected).abs() <= tolerance,
        "{what}: measured {measured}, expected {expected} ± {tolerance}"
    );
}

/// Only region losses, the primary never back in time, a synchronous database (a DynamoDB
/// global table with strong consistency: its part is 0 for every strategy), and two datasets:
/// one under CRR, one under CRR with Replication Time Control.
const TWO_DATASETS: &str = r#"
[database]
engine = "dynamodb"
consistency = "strong"

[data.uploads]
size = "200GiB"
replication = "crr"

[data.media]
size = "50GiB"
replication = "crr-rtc"

[disasters.region-loss]
outage = "1000d"
[disasters.az-loss]
annual-rate = 0
[disasters.corruption]
annual-rate = 0
[disasters.ransomware]
annual-rate = 0
"#;

/// Share of a tally's values ≤ `seconds`, and its standard error with the histogram's bin.
fn share_at_most(tally: &sim_core::stats::Tally, seconds: f64, p: f64) -> (f64, f64) {
    let n = tally.count() as f64;
    let measured = tally.count_at_most((seconds * 1000.0) as u64) as f64 / n;
    (measured, (p * (1.0 - p) / n).sqrt() + 1e-3 / K_SE)
}

#[test]
fn each_dataset_loses_its_own_replication_lag_and_the_rpo_is_the_largest() {
    let scenario = load(TWO_DATASETS);
    let trials = 40_000u64;
    let results = scenarios::simulate(
        &scenario,
        &RunOptions {
            trials,
            seed: 21,
            threads: 2,
            progress: None,
        },
    )
    .unwrap();
    // Parts: the database, then the datasets in scenario (name) order.
    assert_eq!(results.rpo_part_names, ["database", "media", "uploads"]);
    let cell = &results.cells[Strategy::MultiSite.index()][Disaster::RegionLoss.index()];
    assert_eq!(cell.rto.count(), trials);
    assert_eq!(cell.primary_first, 0);
    let [database, media, uploads] = &cell.rpo_parts[..] else {
        panic!("expected three parts, got {}", cell.rpo_parts.len());
    };
    assert_eq!(database.max(), 0, "a synchronous database loses nothing");

    let n = trials as f64;
    // CRR: lognormal(60 s, 15 min): σ = ln 15 / 1.645, mean 60·e^{σ²/2} = 232.67 s, sd 871.74 s.
    check(
        "crr mean lag (s)",
        uploads.mean() / 1000.0,
        232.670_711,
        871.744_945 / n.sqrt(),
    );
    let (m, se) = share_at_most(uploads, 60.0, 0.5);
    check("crr P(lag ≤ 60 s)", m, 0.5, se);
    let (m, se) = share_at_most(uploads, 900.0, 0.95);
    check("crr P(lag ≤ 15 min)", m, 0.95, se);
    // RTC: median 10 s, σ 1.21: mean 20.79 s, sd 37.91 s; 99.99 % within 15 minutes.
    check(
        "crr-rtc mean lag (s)",
        media.mean() / 1000.0,
        20.793_389,
        37.908_180 / n.sqrt(),
    );
    let (m, se) = share_at_most(media, 10.0, 0.5);
    check("crr-rtc P(lag ≤ 10 s)", m, 0.5, se);
    let (m, se) = share_at_most(media, 60.0, 0.930_669);
    check("crr-rtc P(lag ≤ 60 s)", m, 0.930_669, se);
    let (m, se) = share_at_most(media, 900.0, 0.999_9);
    check("crr-rtc P(lag ≤ 15 min)", m, 0.999_9, se);
    // The RPO is the larger of two independent lags: P(RPO ≤ x) = F_crr(x) · F_rtc(x).
    let p = 0.5 * 0.930_669;
    let (m, se) = share_at_most(&cell.rpo, 60.0, p);
    check("P(RPO ≤ 60 s)", m, p, se);
    // Every replicated strategy draws the same lags (stream 0), and the strongly consistent
    // table loses nothing in any of them.
    for strategy in [Strategy::PilotLight, Strategy::WarmStandby] {
        let other = &results.cells[strategy.index()][Disaster::RegionLoss.index()];
        assert_eq!(other.rpo_parts[2].summary(), uploads.summary());
        assert_eq!(other.rpo_parts[0].max(), 0, "{}", strategy.name());
    }
}

#[test]
fn the_parts_of_every_trial_have_the_rpo_as_their_largest() {
    // The reference with a second dataset that is not replicated (restored from backups by
    // every strategy), so every rule of the RPO shows: backups, replica lag, CRR lag; for each
    // database engine (a DynamoDB table is a replica even for backup-restore).
    let data = r#"
[data.uploads]
size = "200GiB"
replication = "crr"
[data.archive]
size = "1TiB"
storage = "glacier-flexible-standard"
replication = "none"
"#;
    for database in [
        "",
        "[database]\nengine = \"aurora-postgresql\"\n",
        "[database]\nengine = \"dynamodb\"\n",
        "[database]\nengine = \"dynamodb\"\nconsistency = \"strong\"\n",
    ] {
        parts_have_the_rpo_as_their_largest(&load(&format!("{database}{data}")));
    }
}

fn parts_have_the_rpo_as_their_largest(scenario: &Scenario) {
    let scenario = scenario.clone();
    let compiled = Compiled::new(&scenario).unwrap();
    let global_table = scenario.database.managed.family() == EngineFamily::DynamoDb;
    let mut worker = Worker::new();
    let (mut lags, mut parts) = (Vec::new(), Vec::new());
    let mut region_losses = 0;
    for index in 0..3000 {
        let trial = compiled.trial(&scenario, 5, index, Some(Disaster::RegionLoss));
        trial.data_lags(&scenario, &mut lags);
        assert_eq!(lags.len(), 2);
        assert_eq!(lags[0], 0.0, "archive is not replicated");
        let mut database_parts = Vec::new();
        for strategy in Strategy::ALL {
            let outcome = compiled.recover(&scenario, &trial, strategy, &mut worker);
            compiled.rpo_parts(&scenario, &trial, strategy, &outcome, &lags, &mut parts);
            assert_eq!(parts.len(), 3);
            if !outcome.primary_first {
                database_parts.push(parts[0]);
            }
            let largest = parts.iter().copied().fold(0.0, f64::max);
            assert_eq!(
                largest,
                outcome.rpo,
                "trial {index}, {}: parts {parts:?}",
                strategy.name()
            );
        }
        if global_table {
            // The table is a replica for every strategy: one lag, the same part in each that
            // recovered (a primary back first loses nothing).
            assert!(
                database_parts.iter().all(|p| *p == database_parts[0]),
                "trial {index}: database parts {database_parts:?}"
            );
        }
        region_losses += 1;
    }
    assert_eq!(region_losses, 3000);
}
