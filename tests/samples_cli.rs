//! `drsim simulate --samples FILE`: one CSV row per trial, in trial order, consistent with the
//! report of the same run, the same at any thread count and in rounds of `--precision`, and
//! written all or nothing.

#![allow(clippy::unwrap_used)]

mod common;

use common::{drsim, entries};
use predicates::prelude::*;
use serde_json::Value;

const STRATEGIES: [&str; 4] = [
    "backup-restore",
    "pilot-light",
    "warm-standby",
    "multi-site",
];

/// Runs `simulate` with `--samples` into `dir`; returns the JSON report and the CSV text.
fn run(dir: &std::path::Path, extra: &[&str]) -> (Value, String) {
    let samples = dir.join("samples.csv");
    let out = dir.join("report.json");
    drsim()
        .args(["simulate", "--format", "json", "-q", "--seed", "7"])
        .args(extra)
        .arg("--samples")
        .arg(&samples)
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::is_empty());
    let report = serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
    (report, std::fs::read_to_string(samples).unwrap())
}

#[test]
fn samples_agree_with_the_report_of_the_same_run() {
    let dir = tempfile::tempdir().unwrap();
    let (report, text) = run(dir.path(), &["--trials", "20000"]);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(header.len(), 2 + 3 * STRATEGIES.len());
    assert_eq!(&header[..2], ["trial", "disaster"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 20_000);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row[0].parse::<u64>().unwrap(), i as u64, "trial order");
    }
    for (k, strategy) in STRATEGIES.iter().enumerate() {
        let by_disaster = &report["strategies"][strategy]["by_disaster"];
        for (disaster, stats) in by_disaster.as_object().unwrap() {
            let of_type: Vec<&csv::StringRecord> =
                rows.iter().filter(|r| &r[1] == disaster).collect();
            assert_eq!(
                of_type.len() as u64,
                stats["trials"].as_u64().unwrap(),
                "{strategy} {disaster}: trials"
            );
            for (column, metric) in [(2, "rto"), (3, "rpo")] {
                let mut values: Vec<f64> = of_type
                    .iter()
                    .map(|r| r[2 + 3 * k + column - 2].parse().unwrap())
                    .collect();
                if values.is_empty() {
                    continue;
                }
                values.sort_by(f64::total_cmp);
                let mean = values.iter().sum::<f64>() / values.len() as f64;
                let reported = stats[metric]["mean"].as_f64().unwrap();
                // Both are of the same millisecond values; only rounding differs.
                assert!(
                    (mean - reported).abs() <= 0.002 + 1e-9 * reported,
                    "{strategy} {disaster} {metric}: mean {mean} vs {reported}"
                );
                let max = *values.last().unwrap();
                let reported_max = stats[metric]["max"].as_f64().unwrap();
                assert!(
                    (max - reported_max).abs() <= 0.001,
                    "{strategy} {disaster} {metric}: max {max} vs {reported_max}"
                );
                // The report's quantiles come from a histogram with 0.1 % resolution.
                let p95 = values[((values.len() as f64 * 0.95).ceil() as usize).max(1) - 1];
                let reported_p95 = stats[metric]["p95"].as_f64().unwrap();
                assert!(
                    (p95 - reported_p95).abs() <= 0.002 * p95 + 0.002,
                    "{strategy} {disaster} {metric}: p95 {p95} vs {reported_p95}"
                );
            }
            // A critical step is named on every trial whose recovery ran to the end.
            let named = of_type.iter().filter(|r| !r[4 + 3 * k].is_empty()).count() as u64;
            let primary_first = stats["primary_returned_first"].as_u64().unwrap_or(0);
            assert_eq!(
                named + primary_first,
                of_type.len() as u64,
                "{strategy} {disaster}: critical steps"
            );
        }
    }
}

#[test]
fn samples_do_not_depend_on_the_thread_count_or_on_rounds() {
    let dir = tempfile::tempdir().unwrap();
    let (one_report, one) = run(dir.path(), &["--trials", "9000", "--threads", "1"]);
    let (two_report, two) = run(dir.path(), &["--trials", "9000", "--threads", "2"]);
    assert_eq!(one, two);
    assert_eq!(one_report, two_report);
    // --precision runs rounds of ranges; a target met only at the cap gives the whole run.
    let (_, rounds) = run(
        dir.path(),
        &["--trials", "9000", "--precision", "p95-rto=1ms"],
    );
    assert_eq!(one, rounds);
}

#[test]
fn an_unwritable_samples_file_fails_with_exit_3_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let taken = dir.path().join("taken");
    std::fs::create_dir(&taken).unwrap();
    let out = dir.path().join("report.json");
    drsim()
        .args(["simulate", "--trials", "100", "-q", "--samples"])
        .arg(&taken)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("taken").and(predicate::str::contains("panicked").not()));
    assert_eq!(entries(dir.path()), ["taken"]);
}

#[test]
fn a_bad_scenario_leaves_no_samples_file() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("bad.toml");
    std::fs::write(&scenario, "[tiers.web]\ncount = -1\n").unwrap();
    drsim()
        .args(["simulate", "--trials", "100", "-q", "--samples"])
        .arg(dir.path().join("samples.csv"))
        .arg(&scenario)
        .assert()
        .code(2);
    assert_eq!(entries(dir.path()), ["bad.toml"]);
}

#[test]
fn samples_cannot_be_asked_of_a_shard() {
    drsim()
        .args([
            "simulate",
            "--trials",
            "100",
            "--shard",
            "1/2",
            "--samples",
            "s.csv",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--samples").and(predicate::str::contains("--shard")));
}
