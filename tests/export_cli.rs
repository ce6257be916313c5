//! `drsim export` at the boundary: the folder and its files, the round trip of
//! `assumptions.toml`, and the refusals (non-empty folder, unwritable place, unknown strategy).

mod common;

use std::path::Path;

use common::drsim;
use planner::PlanOptions;
use scenarios::{RunOptions, Strategy};
use serde_json::Value;

const FIXTURE: &str = "tests/export/aurora-rtc.toml";

fn export(out: &Path, extra: &[&str]) -> std::process::Output {
    drsim()
        .args([
            "export", FIXTURE, "--years", "200", "--seed", "7", "-q", "--out",
        ])
        .arg(out)
        .args(extra)
        .output()
        .expect("drsim runs")
}

/// The strategies and head-to-head parts of `drsim simulate --format json` for a scenario, as
/// the binary renders them.
fn strategies_json(text: &str) -> (Value, Value) {
    let v: Value = serde_json::from_str(text).expect("valid JSON");
    (v["strategies"].clone(), v["pairwise"].clone())
}

#[test]
fn the_export_writes_every_file_and_its_assumptions_reproduce_the_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("plan");
    let output = export(&out, &["--strategy", "warm-standby"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for file in [
        "primary-eu-west-1.yaml",
        "recovery-eu-central-1.yaml",
        "automation-eu-central-1.yaml",
        "runbook.md",
        "assumptions.toml",
        "README.md",
    ] {
        let text = std::fs::read_to_string(out.join(file)).expect(file);
        assert!(!text.is_empty(), "{file} is empty");
    }
    let runbook = std::fs::read_to_string(out.join("runbook.md")).expect("runbook");
    assert!(runbook.contains("## Region loss: fail over to eu-central-1"));
    assert!(runbook.contains("## Failback to eu-west-1"));
    assert!(runbook.contains("| region-loss |"));
    let readme = std::fs::read_to_string(out.join("README.md")).expect("README");
    assert!(readme.contains("**warm-standby**"));
    assert!(readme.contains("aws cloudformation deploy --region eu-central-1"));
    assert!(readme.contains("GlobalClusterIdentifier=<output>"));
    let recovery =
        std::fs::read_to_string(out.join("recovery-eu-central-1.yaml")).expect("recovery");
    assert!(recovery.contains("Engine: \"aurora-postgresql\""));
    let primary = std::fs::read_to_string(out.join("primary-eu-west-1.yaml")).expect("primary");
    assert!(primary.contains("EnableContinuousBackup: true"));
    assert!(primary.contains("ReplicationTime:"));

    // The round trip: the exported setting simulated in process, against the binary on
    // assumptions.toml with the same seed.
    let text = std::fs::read_to_string(FIXTURE).expect("fixture");
    let base = scenarios::load(&text, FIXTURE).expect("valid fixture");
    let catalog = drsim::plan::load_catalog(&base, Some(Path::new(FIXTURE))).expect("catalog");
    let plan = planner::plan(
        &base,
        &catalog,
        &PlanOptions {
            years: 200,
            seed: 7,
            threads: 2,
            progress: None,
        },
    )
    .expect("plan");
    let pick = planner::pick::pick(&plan, &base);
    let index = pick.best[Strategy::WarmStandby.index()].expect("a warm-standby setting");
    let scenario = &plan.evaluated[index].setting.scenario;
    let results = scenarios::simulate(
        scenario,
        &RunOptions {
            trials: 3000,
            seed: 7,
            threads: 2,
            progress: None,
        },
    )
    .expect("simulate");
    let report = drsim::report::build(scenario, "exported", &results, 7);
    let expected = reports::render(&report, reports::Format::Json).expect("JSON");
    let assumptions = out.join("assumptions.toml");
    let output = drsim()
        .args([
            "simulate", "--trials", "3000", "--seed", "7", "--format", "json", "-q",
        ])
        .arg(&assumptions)
        .output()
        .expect("drsim runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let got = String::from_utf8(output.stdout).expect("UTF-8");
    assert_eq!(strategies_json(&got), strategies_json(&expected));
}

/// A file that names no datasets takes the reference's; the storage tier the plan chose for
/// them is written with the whole dataset, so `assumptions.toml` loads and keeps the tier.
#[test]
fn assumptions_of_a_file_without_datasets_load_with_the_chosen_tier() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = dir.path().join("no-data.toml");
    std::fs::write(&scenario, "name = \"no datasets named\"\n").expect("write");
    let out = dir.path().join("plan");
    let output = drsim()
        .args(["export", "--years", "200", "--seed", "7", "-q", "--out"])
        .arg(&out)
        .arg(&scenario)
        .output()
        .expect("drsim runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(out.join("assumptions.toml")).expect("assumptions");
    let exported = scenarios::load(&text, "assumptions.toml")
        .unwrap_or_else(|e| panic!("assumptions.toml does not load: {e}\n{text}"));
    let reference = scenarios::reference().expect("reference");
    assert_eq!(exported.data.len(), reference.data.len());
    for (got, want) in exported.data.iter().zip(&reference.data) {
        assert_eq!(got.name, want.name);
        assert_eq!(got.replication, want.replication);
        assert!(
            text.contains(&format!("storage = \"{}\"", got.storage)),
            "{text}"
        );
    }
}

#[test]
fn a_non_empty_folder_is_refused_without_force_and_replaced_with_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("plan");
    std::fs::create_dir(&out).expect("mkdir");
    std::fs::write(out.join("keep.txt"), "mine").expect("write");
    let output = export(&out, &["--strategy", "pilot-light"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("is not empty") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("keep.txt")).expect("kept"),
        "mine"
    );

    let output = export(&out, &["--strategy", "pilot-light", "--force"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!out.join("keep.txt").exists());
    assert!(out.join("runbook.md").exists());
    // Nothing left beside it: the temporary folders are gone.
    assert_eq!(common::entries(dir.path()), vec!["plan".to_string()]);
}

#[test]
fn an_unwritable_place_is_exit_3() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").expect("write");
    let output = export(&file.join("plan"), &["--strategy", "pilot-light"]);
    assert_eq!(
        output.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
}

#[test]
fn an_unknown_strategy_is_exit_2_with_the_list() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = export(&dir.path().join("plan"), &["--strategy", "pilot"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    for name in [
        "backup-restore",
        "pilot-light",
        "warm-standby",
        "multi-site",
    ] {
        assert!(stderr.contains(name), "{stderr}");
    }
    assert!(!dir.path().join("plan").exists());
}
