//! The `drsim` binary at its boundary: exit codes, what goes to stdout and stderr, the output
//! formats, determinism across thread counts, atomic `--out`, `init`, and the message every
//! invalid scenario in `tests/invalid/` must give.
//!
//! Runs are kept small (a few thousand trials) so the whole file stays fast on two cores.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::Path;

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
const DISASTERS: [&str; 4] = ["region-loss", "az-loss", "corruption", "ransomware"];

/// Runs `drsim ARGS`, asserts success with nothing on stderr, returns stdout.
fn stdout_of(args: &[&str]) -> String {
    let output = drsim().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "drsim {args:?} failed ({:?}):\n{stderr}",
        output.status
    );
    assert!(
        stderr.is_empty(),
        "drsim {args:?} wrote to stderr:\n{stderr}"
    );
    String::from_utf8(output.stdout).unwrap()
}

fn json_of(args: &[&str]) -> Value {
    let text = stdout_of(args);
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("drsim {args:?} printed invalid JSON ({e}):\n{text}"))
}

fn number(v: &Value, what: &str) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("{what} is not a number: {v}"))
}

/// Checks one `{ mean, p50, p90, p95, p99, max, … }` object: numbers, ordered quantiles.
fn check_stats(stats: &Value, what: &str) {
    let get = |k: &str| number(&stats[k], &format!("{what}.{k}"));
    let (mean, p50, p90, p95, p99, max) = (
        get("mean"),
        get("p50"),
        get("p90"),
        get("p95"),
        get("p99"),
        get("max"),
    );
    for (k, v) in [("mean", mean), ("p50", p50), ("max", max)] {
        assert!(v.is_finite() && v >= 0.0, "{what}.{k} = {v}");
    }
    assert!(
        p50 <= p90 && p90 <= p95 && p95 <= p99 && p99 <= max,
        "{what}: quantiles out of order: {stats}"
    );
    assert!(mean <= max, "{what}: mean {mean} > max {max}");
}

// ---------------------------------------------------------------------------------------------
// JSON

#[test]
fn json_output_has_the_documented_shape() {
    let report = json_of(&[
        "simulate", "--trials", "5000", "--seed", "7", "--format", "json", "-q",
    ]);
    assert!(
        report["schema_version"].is_string(),
        "schema_version: {}",
        report["schema_version"]
    );
    assert_eq!(report["seed"], 7);
    assert_eq!(report["trials"], 5000);
    let strategies = report["strategies"]
        .as_object()
        .unwrap_or_else(|| panic!("strategies is not an object"));
    let names: BTreeSet<&str> = strategies.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        STRATEGIES.into_iter().collect(),
        "strategies: {names:?}"
    );
    for name in STRATEGIES {
        let s = &strategies[name];
        assert_eq!(s["trials"], 5000, "{name}.trials");
        for metric in ["rto", "rpo"] {
            check_stats(&s[metric], &format!("{name}.{metric}"));
        }
        // Per disaster type too, wherever that type got trials.
        let by_disaster = s["by_disaster"]
            .as_object()
            .unwrap_or_else(|| panic!("{name}.by_disaster is not an object"));
        let mut trials = 0;
        for disaster in DISASTERS {
            let cell = &by_disaster[disaster];
            let count = cell["trials"]
                .as_u64()
                .unwrap_or_else(|| panic!("{name}.{disaster}.trials: {}", cell["trials"]));
            trials += count;
            if count > 0 {
                for metric in ["rto", "rpo"] {
                    check_stats(
                        &cell[metric],
                        &format!("{name}.by_disaster.{disaster}.{metric}"),
                    );
                }
            }
        }
        assert_eq!(
            trials, 5000,
            "{name}: the disaster types' trials do not add up"
        );
    }
}

#[test]
fn output_does_not_depend_on_the_thread_count() {
    // 20 000 trials: five work chunks of 4096, so two threads really split the work.
    for format in ["json", "csv"] {
        let run = |threads: &str| {
            stdout_of(&[
                "simulate",
                "--trials",
                "20000",
                "--seed",
                "11",
                "--format",
                format,
                "-q",
                "--threads",
                threads,
            ])
        };
        let (one, two) = (run("1"), run("2"));
        assert!(
            one == two,
            "{format} output differs between --threads 1 and --threads 2"
        );
    }
}

#[test]
fn the_same_seed_gives_the_same_output_and_another_seed_does_not() {
    let run = |seed: &str| {
        stdout_of(&[
            "simulate", "--trials", "2000", "--seed", seed, "--format", "csv", "-q",
        ])
    };
    assert_eq!(run("5"), run("5"));
    assert_ne!(run("5"), run("6"));
}

/// Every renderer of the simulation report over one fixed run (the JSON is `golden_json`).
#[test]
fn golden_table_csv_markdown() {
    for (format, name) in [
        ("table", "golden_table"),
        ("csv", "golden_csv"),
        ("markdown", "golden_markdown"),
    ] {
        let text = stdout_of(&[
            "simulate", "--trials", "3000", "--seed", "42", "--format", format, "-q",
        ]);
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn golden_json() {
    let text = stdout_of(&[
        "simulate", "--trials", "3000", "--seed", "42", "--format", "json", "-q",
    ]);
    insta::assert_snapshot!("golden_json", text);
}

// ---------------------------------------------------------------------------------------------
// CSV and table

#[test]
fn csv_has_one_row_per_strategy_disaster_and_metric() {
    let text = stdout_of(&[
        "simulate", "--trials", "2000", "--seed", "3", "--format", "csv", "-q",
    ]);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        &header[..3],
        ["strategy", "disaster", "metric"],
        "header: {header:?}"
    );
    for column in ["trials", "mean", "p50", "p90", "p95", "p99", "max"] {
        assert!(
            header.iter().any(|h| h == column),
            "no column {column} in {header:?}"
        );
    }
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    // Three metrics per strategy and disaster type ("all" too), and after a region loss one
    // row per part of the reference's data: the database and the uploads dataset.
    assert_eq!(rows.len(), 4 * 5 * 3 + 4 * 2, "data rows");
    let keys: BTreeSet<(String, String, String)> = rows
        .iter()
        .map(|r| (r[0].to_string(), r[1].to_string(), r[2].to_string()))
        .collect();
    assert_eq!(
        keys.len(),
        rows.len(),
        "a (strategy, disaster, metric) row is repeated"
    );
    for strategy in STRATEGIES {
        for disaster in std::iter::once("all").chain(DISASTERS) {
            let metrics = keys
                .iter()
                .filter(|(s, d, _)| s == strategy && d == disaster)
                .count();
            let parts = if disaster == "region-loss" { 2 } else { 0 };
            assert_eq!(metrics, 3 + parts, "{strategy}/{disaster}");
        }
        for part in ["rpo_seconds[database]", "rpo_seconds[data.uploads]"] {
            assert!(
                keys.contains(&(
                    strategy.to_string(),
                    "region-loss".to_string(),
                    part.to_string()
                )),
                "{strategy}: no row {part}"
            );
        }
    }
    for row in &rows {
        assert_eq!(row.len(), header.len(), "ragged row {row:?}");
    }
}

#[test]
fn the_table_is_the_default_format() {
    let text = stdout_of(&["simulate", "--trials", "2000", "-q"]);
    for name in STRATEGIES {
        assert!(
            text.contains(name),
            "the table does not mention {name}:\n{text}"
        );
    }
    assert!(
        text.contains("region-loss"),
        "the table does not mention region-loss:\n{text}"
    );
    assert_eq!(
        text,
        stdout_of(&["simulate", "--trials", "2000", "-q", "--format", "table"])
    );
}

// ---------------------------------------------------------------------------------------------
// --out

#[test]
fn out_writes_the_file_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    let args = [
        "simulate", "--trials", "2000", "--seed", "9", "--format", "json", "-q",
    ];
    drsim()
        .args(args)
        .arg("--out")
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::is_empty());
    let written = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        written,
        stdout_of(&args),
        "--out wrote something else than stdout would show"
    );
    let _: Value = serde_json::from_str(&written).unwrap();
    assert_eq!(
        entries(dir.path()),
        ["report.json"],
        "temporary files left behind"
    );
}

#[test]
fn out_replaces_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.csv");
    std::fs::write(
        &path,
        "old content that is longer than nothing\n".repeat(1000),
    )
    .unwrap();
    drsim()
        .args([
            "simulate", "--trials", "2000", "--format", "csv", "-q", "--out",
        ])
        .arg(&path)
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        stdout_of(&["simulate", "--trials", "2000", "--format", "csv", "-q"])
    );
    assert_eq!(entries(dir.path()), ["report.csv"]);
}

#[test]
fn out_into_a_missing_directory_fails_with_exit_3_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-dir");
    let path = missing.join("report.json");
    drsim()
        .args([
            "simulate", "--trials", "100", "--format", "json", "-q", "--out",
        ])
        .arg(&path)
        .assert()
        .code(3)
        .stdout(predicate::str::is_empty())
        .stderr(
            predicate::str::contains("no-such-dir").and(predicate::str::contains("panicked").not()),
        );
    assert!(!missing.exists() && !path.exists());
    assert!(
        entries(dir.path()).is_empty(),
        "left behind: {:?}",
        entries(dir.path())
    );
}

#[test]
fn out_onto_a_directory_fails_with_exit_3_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("taken");
    std::fs::create_dir(&target).unwrap();
    drsim()
        .args(["simulate", "--trials", "100", "-q", "--out"])
        .arg(&target)
        .assert()
        .code(3)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("taken"));
    assert_eq!(entries(dir.path()), ["taken"]);
    assert!(entries(&target).is_empty());
}

// ---------------------------------------------------------------------------------------------
// init

#[test]
fn init_writes_a_scenario_equivalent_to_the_embedded_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("drsim.toml");
    drsim()
        .arg("init")
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("drsim.toml"));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        scenarios::init_text().unwrap()
    );
    assert_eq!(entries(dir.path()), ["drsim.toml"]);
    let file = path.to_str().unwrap();

    // The JSON names the scenario file, so that one field differs; everything else is identical.
    let flags = ["--format", "json", "--trials", "3000", "--seed", "3", "-q"];
    let from_file = stdout_of(&[&["simulate", file][..], &flags].concat());
    let embedded = stdout_of(&[&["simulate"][..], &flags].concat());
    let file_field = format!("\"file\": {}", serde_json::to_string(file).unwrap());
    let embedded_field = format!(
        "\"file\": {}",
        serde_json::to_string(scenarios::REFERENCE_NAME).unwrap()
    );
    assert_eq!(
        from_file.matches(&file_field).count(),
        1,
        "the JSON should name the file once:\n{from_file}"
    );
    assert_eq!(
        from_file.replacen(&file_field, &embedded_field, 1),
        embedded
    );

    // CSV does not name the file: byte-identical.
    let csv = ["--format", "csv", "--trials", "3000", "--seed", "3", "-q"];
    assert_eq!(
        stdout_of(&[&["simulate", file][..], &csv].concat()),
        stdout_of(&[&["simulate"][..], &csv].concat())
    );
}

#[test]
fn init_does_not_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.toml");
    let mine = "name = \"mine\"\n";
    std::fs::write(&path, mine).unwrap();
    drsim()
        .arg("init")
        .arg(&path)
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(
            predicate::str::contains("mine.toml")
                .and(predicate::str::contains("already exists"))
                .and(predicate::str::contains("--force")),
        );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), mine);

    drsim()
        .arg("init")
        .arg(&path)
        .arg("--force")
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        scenarios::init_text().unwrap()
    );
    assert_eq!(entries(dir.path()), ["mine.toml"]);
}

#[test]
fn init_dash_prints_the_scenario() {
    let text = stdout_of(&["init", "-"]);
    assert_eq!(text, scenarios::init_text().unwrap());
    // And what it prints is a valid scenario.
    scenarios::load(&text, "stdout").unwrap();
}

// ---------------------------------------------------------------------------------------------
// Help and bad usage

#[test]
fn help_exits_0() {
    drsim()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("simulate").and(predicate::str::contains("init")));
    drsim()
        .args(["simulate", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--trials"));
    drsim()
        .args(["init", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--force"));
}

#[test]
fn zero_trials_is_bad_usage() {
    drsim()
        .args(["simulate", "--trials", "0"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("--trials").and(predicate::str::contains("'0'")));
}

#[test]
fn an_unknown_format_is_bad_usage() {
    drsim()
        .args(["simulate", "--trials", "10", "--format", "xml"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("xml").and(predicate::str::contains("table, json, csv")));
}

#[test]
fn a_missing_scenario_file_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.toml");
    drsim()
        .arg("simulate")
        .arg(&path)
        .args(["--trials", "10", "-q"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(
            predicate::str::contains(path.to_str().unwrap())
                .and(predicate::str::contains("cannot read")),
        );
}

// ---------------------------------------------------------------------------------------------
// Invalid scenarios: tests/invalid/NAME.toml must be refused with exit 2, nothing on stdout,
// and a message containing every line of NAME.expected.
//
// NAME.expected: one substring per line; `#` starts a comment line.

#[test]
fn every_invalid_scenario_is_refused_with_a_precise_message() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("invalid");
    common::check_invalid_inputs(&dir, 16, |file, _| {
        ["simulate", file, "--trials", "10", "-q"]
            .iter()
            .map(Into::into)
            .collect()
    });
}
