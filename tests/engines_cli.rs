//! One fixture scenario per database engine family (`tests/engines/`), through `simulate` and
//! `plan`: each runs, and shows what its engine changes (docs/model.md §4.1).

mod common;

use common::drsim;
use serde_json::Value;

fn run_json(args: &[&str]) -> Value {
    let output = drsim().args(args).output().expect("drsim runs");
    assert!(
        output.status.success(),
        "drsim {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("valid JSON")
}

fn simulate(fixture: &str) -> Value {
    run_json(&[
        "simulate", fixture, "--trials", "20000", "--seed", "3", "--format", "json", "-q",
    ])
}

fn plan(fixture: &str) -> Value {
    run_json(&[
        "plan", fixture, "--years", "300", "--seed", "3", "--format", "json", "-q",
    ])
}

fn region_loss<'a>(v: &'a Value, strategy: &str) -> &'a Value {
    &v["strategies"][strategy]["by_disaster"]["region-loss"]
}

fn steps(cell: &Value) -> Vec<String> {
    cell["critical_path"]
        .as_array()
        .expect("critical path")
        .iter()
        .map(|s| s["step"].as_str().expect("step").to_string())
        .collect()
}

fn line_items(v: &Value) -> Vec<String> {
    v["pick"]["line_items"]
        .as_array()
        .expect("line items")
        .iter()
        .map(|l| l["name"].as_str().expect("name").to_string())
        .collect()
}

#[test]
fn rds_fixture_keeps_the_read_replica_and_its_queue_lag() {
    let v = simulate("tests/engines/rds.toml");
    let pilot = region_loss(&v, "pilot-light");
    assert!(steps(pilot).contains(&"promote-db".to_string()));
    // Queue + apply lag: positive, median about the apply lag's 2 s.
    let p50 = pilot["rpo"]["p50"].as_f64().expect("p50");
    assert!((1.0..4.0).contains(&p50), "RDS pilot-light RPO p50 {p50} s");
    let p = plan("tests/engines/rds.toml");
    assert!(line_items(&p).iter().all(|n| !n.contains("DynamoDB")));
}

#[test]
fn aurora_fixture_fails_over_the_global_database() {
    let v = simulate("tests/engines/aurora.toml");
    let pilot = region_loss(&v, "pilot-light");
    let path = steps(pilot);
    assert!(path.contains(&"add-db-instance".to_string()), "{path:?}");
    assert!(!path.contains(&"promote-db".to_string()), "{path:?}");
    assert!(steps(region_loss(&v, "warm-standby")).contains(&"failover-db".to_string()));
    // Storage-level lag: lognormal median 0.3 s.
    let p50 = pilot["rpo"]["p50"].as_f64().expect("p50");
    assert!(
        (0.2..0.4).contains(&p50),
        "Aurora pilot-light RPO p50 {p50} s"
    );
    // Multi-site replicates asynchronously: its RPO is the lag too, not 0.
    let multi = region_loss(&v, "multi-site")["rpo"]["p50"]
        .as_f64()
        .expect("p50");
    assert!(multi > 0.0, "Aurora multi-site RPO p50 {multi}");
    let p = plan("tests/engines/aurora.toml");
    // The headless pilot light pays for no instance.
    let settings = p["settings"].as_array().expect("settings");
    assert!(
        settings.iter().any(|s| s["strategy"] == "pilot-light"),
        "pilot light is planned"
    );
}

#[test]
fn dynamodb_fixture_has_no_database_step_loses_nothing_and_prices_replicated_writes() {
    let v = simulate("tests/engines/dynamodb.toml");
    for strategy in [
        "backup-restore",
        "pilot-light",
        "warm-standby",
        "multi-site",
    ] {
        let cell = region_loss(&v, strategy);
        assert!(
            steps(cell).iter().all(|s| !s.ends_with("-db")),
            "{strategy}: {:?}",
            steps(cell)
        );
        assert_eq!(cell["rpo"]["max"].as_f64(), Some(0.0), "{strategy}");
        // The table is a synchronous replica for every strategy, backup-restore's too.
        let part = &cell["rpo_by_part"][0];
        assert_eq!(part["recovered_from"], "sync-replica", "{strategy}");
        assert_eq!(part["rpo"]["max"].as_f64(), Some(0.0), "{strategy}");
    }
    let p = plan("tests/engines/dynamodb.toml");
    let items = line_items(&p);
    assert!(
        items.iter().any(|n| n.contains("replicated writes")),
        "{items:?}"
    );
    assert!(
        !items.iter().any(|n| n == "database replica"),
        "a DynamoDB table has no instance: {items:?}"
    );
}

#[test]
fn export_refuses_strong_consistency_with_its_line_and_writes_eventual() {
    let dir = tempfile::tempdir().expect("temp dir");
    let export = |fixture: &str, out: &str| {
        drsim()
            .args(["export", fixture, "--years", "200", "-q", "--out"])
            .arg(dir.path().join(out))
            .output()
            .expect("drsim runs")
    };
    let strong = export("tests/engines/dynamodb.toml", "strong");
    assert_eq!(strong.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&strong.stderr);
    assert!(
        stderr.contains("tests/engines/dynamodb.toml:7:")
            && stderr.contains("key `database.consistency`")
            && stderr.contains("need a third region or a witness"),
        "{stderr}"
    );
    assert!(!dir.path().join("strong").exists());
    let eventual = export("tests/engines/dynamodb-eventual.toml", "eventual");
    assert!(
        eventual.status.success(),
        "{}",
        String::from_utf8_lossy(&eventual.stderr)
    );
    let primary = std::fs::read_to_string(dir.path().join("eventual/primary-us-east-1.yaml"))
        .expect("primary template");
    assert!(primary.contains("AWS::DynamoDB::GlobalTable"), "{primary}");
    assert!(primary.contains("Region: \"us-west-2\""), "{primary}");
    let recovery = std::fs::read_to_string(dir.path().join("eventual/recovery-us-west-2.yaml"))
        .expect("recovery template");
    assert!(
        !recovery.contains("AWS::RDS::"),
        "no RDS resources for DynamoDB"
    );
}
