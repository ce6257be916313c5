//! `drsim prices` at its boundary: every bad price file in `tests/invalid-prices/` is refused
//! with exit 2, a precise message and nothing written; an import of the saved GetProducts
//! sample shows up in `prices show`; `show` formats and region filtering.
//!
//! `tests/invalid-prices/NAME.EXT` is one bad file; `NAME.expected` holds one substring of the
//! expected message per line (`#` starts a comment line).

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

mod common;

use common::drsim;
use predicates::prelude::*;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sample(name: &str) -> PathBuf {
    root().join("pricing").join("tests").join("data").join(name)
}

#[test]
fn every_invalid_price_file_is_refused_with_a_precise_message() {
    let dir = root().join("tests").join("invalid-prices");
    common::check_invalid_inputs(&dir, 5, |file, scratch| {
        vec![
            "prices".into(),
            "import".into(),
            file.into(),
            "--out".into(),
            scratch.join("catalog.csv").into(),
        ]
    });
}

#[test]
fn imported_getproducts_sample_shows_m5_large() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("catalog.csv");
    let input = sample("price-list-getproducts-sample.json");
    drsim()
        .args(["prices", "import"])
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::is_empty())
        .stderr(
            predicate::str::contains("1 product, 1 price kept")
                .and(predicate::str::contains("MB/s")),
        );
    let shown = drsim()
        .args(["prices", "show", "--catalog"])
        .arg(&out)
        .args(["--region", "us-east-1", "--format", "csv"])
        .output()
        .unwrap();
    assert!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    let csv = String::from_utf8(shown.stdout).unwrap();
    assert!(
        csv.starts_with("region,service,item,unit,usd,as_of,source\n"),
        "{csv}"
    );
    assert!(
        csv.contains("\nus-east-1,ec2,m5.large,hour,0.096,2020-07-01,"),
        "{csv}"
    );
    // The written catalog is exactly what `show --format csv` prints.
    assert_eq!(std::fs::read_to_string(&out).unwrap(), csv);
}

#[test]
fn import_of_several_files_makes_one_catalog_and_quiet_is_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("catalog.csv");
    drsim()
        .args(["prices", "import", "-q"])
        .arg(sample("price-list-getproducts-sample.json"))
        .arg(sample("price-list-sample.json"))
        .arg(sample("ec2-offer-sample.csv"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::is_empty());
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.split(",\"").next().unwrap_or(l))
        .collect();
    assert_eq!(
        lines,
        [
            "region,service,item,unit,usd,as_of,source",
            "us-east-1,ebs,gp3,gb-month,0.08,2024-01-01",
            "us-east-1,ec2,c6i.large,hour,0.085,2024-01-01",
            "us-east-1,ec2,m5.large,hour,0.096,2024-01-01",
            "us-east-2,ebs,gp3,gb-month,0.08,2023-03-01",
        ]
    );
}

#[test]
fn import_of_a_missing_file_names_it_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("catalog.csv");
    drsim()
        .args(["prices", "import", "no-such-offer.json", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no-such-offer.json: cannot read the price file",
        ));
    assert!(!out.exists());
}

#[test]
fn import_into_a_missing_folder_is_an_io_failure() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("no-such-folder").join("catalog.csv");
    drsim()
        .args(["prices", "import", "-q"])
        .arg(sample("price-list-sample.json"))
        .arg("--out")
        .arg(&out)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("cannot write"));
}

#[test]
fn show_refuses_an_unknown_region_and_lists_the_known_ones() {
    drsim()
        .args(["prices", "show", "--region", "xx-nowhere-1"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("has no region xx-nowhere-1").and(
            predicate::str::contains("eu-central-1, eu-west-1, us-east-1, us-east-2, us-west-2"),
        ));
}

#[test]
fn show_prints_the_embedded_catalog_as_json_and_as_a_table() {
    let output = drsim()
        .args(["prices", "show", "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let lines: Value = serde_json::from_slice(&output.stdout).unwrap();
    let lines = lines.as_array().unwrap();
    let find = |region: &str, service: &str, item: &str| {
        lines
            .iter()
            .find(|l| l["region"] == region && l["service"] == service && l["item"] == item)
            .unwrap_or_else(|| panic!("no {region} {service} {item}"))
    };
    let m5 = find("us-east-1", "ec2", "m5.large");
    assert_eq!(m5["usd"], "0.096");
    assert_eq!(m5["unit"], "hour");
    assert!(m5["source"].as_str().unwrap().contains("parameters.md"));
    assert_eq!(find("eu-west-1", "ec2", "m6i.large")["usd"], "0.107");
    assert_eq!(find("eu-west-1", "ec2", "m7i.large")["usd"], Value::Null);

    let table = drsim()
        .args(["prices", "show", "--region", "eu-west-1"])
        .output()
        .unwrap();
    assert!(table.status.success());
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(table.contains("not sourced"), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("eu-west-1") && l.contains("m5.large") && l.contains("0.107")),
        "{table}"
    );
    assert!(!table.contains("us-east-1  "), "{table}");
}

#[test]
fn show_of_a_file_that_is_not_a_catalog_is_bad_input() {
    drsim()
        .args(["prices", "show", "--catalog"])
        .arg(sample("ec2-offer-sample.csv"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a drsim price catalog"));
}
