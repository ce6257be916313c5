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
    assert_eq!(settings.len(), 240);
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

/// Money is a decimal string under every money key, never a JSON number.
#[test]
fn no_money_in_the_plan_json_is_a_float() {
    const MONEY: [&str; 16] = [
        "monthly_spend",
        "usd",
        "unit_price",
        "expected_annual_loss",
        "expected_annual_loss_std_error",
        "expected_disaster_cost",
        "drills_per_year",
        "total_cost_of_risk",
        "total_cost_of_risk_std_error",
        "extra_monthly_spend",
        "annual_loss",
        "mean",
        "mean_std_error",
        "p50",
        "p90",
        "p99",
    ];
    fn walk(v: &Value, money: bool, path: &str, checked: &mut usize) {
        match v {
            Value::Object(map) => {
                for (k, x) in map {
                    // Quantiles are money only under `annual_loss`.
                    let is_money = if money {
                        MONEY.contains(&k.as_str())
                    } else {
                        MONEY[..11].contains(&k.as_str())
                    };
                    walk(
                        x,
                        is_money || (k == "annual_loss" && x.is_object()),
                        &format!("{path}.{k}"),
                        checked,
                    );
                }
            }
            Value::Array(items) => {
                for (i, x) in items.iter().enumerate() {
                    walk(x, false, &format!("{path}[{i}]"), checked);
                }
            }
            Value::Number(_) => assert!(!money, "{path} is a number"),
            Value::String(text) if money => {
                assert!(text.parse::<f64>().is_ok(), "{path} = {text}");
                *checked += 1;
            }
            _ => {}
        }
    }
    let v: Value = serde_json::from_slice(&plan_json("300", "2")).expect("valid JSON");
    let mut checked = 0;
    walk(&v, false, "", &mut checked);
    assert!(checked > 1000, "{checked} money values");
}

/// Prices taken from the fallback region are marked in every format.
#[test]
fn a_substituted_price_is_marked_in_every_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = dir.path().join("s.toml");
    // The embedded catalog has no ELB price sourced for us-west-2.
    std::fs::write(
        &scenario,
        "[plan]
years = 200
",
    )
    .expect("write");
    let run = |format: &str| {
        let output = drsim()
            .args(["plan", "-q", "--format", format])
            .arg(&scenario)
            .output()
            .expect("drsim runs");
        assert!(output.status.success());
        String::from_utf8(output.stdout).expect("utf-8")
    };
    let json: Value = serde_json::from_str(&run("json")).expect("valid JSON");
    let items = json["pick"]["line_items"].as_array().expect("line items");
    let alb = items
        .iter()
        .find(|l| l["name"] == "load balancer")
        .or_else(|| items.iter().find(|l| l["substituted"] == true))
        .expect("a substituted line");
    assert_eq!(alb["substituted"], true);
    assert_eq!(alb["region"], "us-east-1");
    assert!(run("table").contains(" ~"));
    let text = run("csv");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let column = reader
        .headers()
        .expect("header")
        .iter()
        .position(|h| h == "substituted_prices")
        .expect("a substituted_prices column");
    let marked = reader
        .records()
        .filter_map(Result::ok)
        .filter(|row| row.get(column).is_some_and(|v| v.contains("load balancer")))
        .count();
    // Every warm-standby and multi-site setting runs a load balancer.
    assert!(marked > 100, "{marked} rows");
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
            s.lines().count() == 241 && s.starts_with("strategy,setting,monthly_spend_usd")
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
