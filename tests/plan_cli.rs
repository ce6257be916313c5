//! `drsim plan` at the boundary: exit codes, the JSON schema, determinism, bad catalogs.

mod common;

use common::drsim;
use predicates::prelude::*;
use serde_json::Value;

fn plan_json(years: &str, threads: &str) -> Vec<u8> {
    let output = drsim()
        .args([
            "plan",
            "--years",
            years,
            "--seed",
            "5",
            "--threads",
            threads,
            "--format",
            "json",
            "-q",
        ])
        .output()
        .expect("drsim runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

#[test]
fn plan_prints_a_versioned_json_plan_with_a_pick_and_reasons() {
    // Enough years for the lower bound of P(meet) to clear the 95 % confidence.
    let stdout = plan_json("3000", "2");
    let v: Value = serde_json::from_slice(&stdout).expect("valid JSON");
    assert_eq!(v["schema_version"], "1.0");
    assert_eq!(v["years"], 3000);
    let settings = v["settings"].as_array().expect("settings");
    assert_eq!(settings.len(), 34);
    for s in settings {
        let spend: f64 = s["monthly_spend"]
            .as_str()
            .and_then(|m| m.parse().ok())
            .expect("money as a decimal string");
        assert!(spend > 0.0);
        assert!(s["line_items"].as_array().is_some_and(|l| !l.is_empty()));
        assert!(
            s["loss_exceedance"]
                .as_array()
                .is_some_and(|l| l.len() == 9)
        );
    }
    let strategies = [
        "backup-restore",
        "pilot-light",
        "warm-standby",
        "multi-site",
    ];
    let picked = v["pick"]["strategy"]
        .as_str()
        .expect("the reference scenario has a pick");
    assert!(strategies.contains(&picked));
    let why: Vec<&str> = v["why_not"]
        .as_array()
        .expect("why_not")
        .iter()
        .filter_map(|w| w["strategy"].as_str())
        .collect();
    assert_eq!(why.len(), 3);
    assert!(!why.contains(&picked));
}

#[test]
fn plans_are_identical_at_any_thread_count() {
    assert_eq!(plan_json("400", "1"), plan_json("400", "2"));
}

#[test]
fn plan_csv_has_one_row_per_setting() {
    drsim()
        .args(["plan", "--years", "200", "--format", "csv", "-q"])
        .assert()
        .success()
        .stdout(predicate::function(|s: &str| {
            s.lines().count() == 35 && s.starts_with("strategy,setting,monthly_spend_usd")
        }));
}

#[test]
fn a_missing_catalog_is_bad_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = dir.path().join("s.toml");
    std::fs::write(&scenario, "[pricing]\ncatalog = \"nowhere.csv\"\n").expect("write");
    drsim()
        .args(["plan", "--years", "10", "-q"])
        .arg(&scenario)
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            predicate::str::contains("nowhere.csv")
                .and(predicate::str::contains("pricing.catalog")),
        );
}

#[test]
fn an_instance_type_the_catalog_lacks_is_bad_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = dir.path().join("s.toml");
    std::fs::write(
        &scenario,
        "[tiers.web]\ninstance-type = \"m9z.huge\"\ncount = 2\n",
    )
    .expect("write");
    drsim()
        .args(["plan", "--years", "10", "-q"])
        .arg(&scenario)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("m9z.huge").and(predicate::str::contains("ec2")));
}

#[test]
fn the_init_file_plans_like_the_embedded_scenario() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("drsim.toml");
    drsim().arg("init").arg(&path).assert().success();
    let run = |scenario: Option<&std::path::Path>| {
        let mut cmd = drsim();
        cmd.args(["plan", "--years", "300", "--format", "csv", "-q"]);
        if let Some(p) = scenario {
            cmd.arg(p);
        }
        let output = cmd.output().expect("drsim runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    };
    assert_eq!(run(Some(&path)), run(None));
}
