//! `drsim check`, the CI gate: exit codes, JUnit XML that parses, the job summary and
//! annotations, baselines (another seed passes, a doubled decision delay fails), and refusals.
//!
//! Runs are a few ten thousand trials, enough for the reference's verdicts to be far from the
//! confidence, and small enough for two cores.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Output;

use common::drsim;

const TRIALS: &str = "20000";

fn check(dir: &Path, args: &[&str]) -> Output {
    drsim()
        .current_dir(dir)
        .args(["check", "-q", "--trials", TRIALS])
        .args(args)
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The JUnit file parsed: (testsuite name, testcase name, failure message if any).
fn junit_cases(path: &Path) -> Vec<(String, String, Option<String>)> {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let mut cases = Vec::new();
    let mut failures = 0;
    for suite in root.children().filter(|n| n.has_tag_name("testsuite")) {
        let tests: usize = suite.attribute("tests").unwrap().parse().unwrap();
        let mut n = 0;
        for case in suite.children().filter(|n| n.has_tag_name("testcase")) {
            n += 1;
            assert!(case.attribute("classname").unwrap().starts_with("drsim."));
            let failure = case
                .children()
                .find(|c| c.has_tag_name("failure"))
                .map(|f| f.attribute("message").unwrap().to_string());
            failures += usize::from(failure.is_some());
            cases.push((
                suite.attribute("name").unwrap().to_string(),
                case.attribute("name").unwrap().to_string(),
                failure,
            ));
        }
        assert_eq!(tests, n, "tests= of {:?}", suite.attribute("name"));
    }
    let declared: usize = root.attribute("failures").unwrap().parse().unwrap();
    assert_eq!(declared, failures);
    cases
}

#[test]
fn pilot_light_passes_and_backup_restore_fails_on_its_rpo() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = check(d, &["--strategy", "pilot-light", "--junit", "ok.xml"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("PASSED"));
    let cases = junit_cases(&d.join("ok.xml"));
    assert_eq!(cases.len(), 12, "four types × rto, rpo, both");
    assert!(cases.iter().all(|c| c.2.is_none()));

    let failed = check(
        d,
        &[
            "--strategy",
            "backup-restore",
            "--junit",
            "br.xml",
            "--format",
            "json",
        ],
    );
    assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
    let report: serde_json::Value = serde_json::from_slice(&failed.stdout).unwrap();
    assert_eq!(report["passed"], false);
    assert_eq!(report["strategy"], "backup-restore");
    let cases = junit_cases(&d.join("br.xml"));
    let failing: Vec<_> = cases.iter().filter(|c| c.2.is_some()).collect();
    assert!(
        failing.iter().any(|c| c.0 == "region-loss" && c.1 == "rpo"),
        "{failing:?}"
    );
    assert!(failing.iter().all(|c| c.1 != "rto" || c.0 != "az-loss"));
    let message = failing[0].2.as_deref().unwrap();
    assert!(
        message.contains("lower bound") && message.contains('%'),
        "{message}"
    );
}

#[test]
fn github_gets_a_summary_and_annotations_at_the_scenario_key() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("tight.toml"),
        "name = \"Reference three-tier web application\"\n[objectives]\nrto = \"4h\"\nrpo = \"1h\"\n",
    )
    .unwrap();
    let summary = d.join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let out = drsim()
        .current_dir(d)
        .args([
            "check",
            "-q",
            "--trials",
            TRIALS,
            "tight.toml",
            "--strategy",
            "backup-restore",
        ])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(
        text.starts_with("earlier step\n## ❌ drsim check"),
        "{text}"
    );
    assert!(
        text.contains("| region-loss | rpo | ❌ **fail** |"),
        "{text}"
    );
    let err = stderr(&out);
    assert!(
        err.contains(
            "::error file=tight.toml,line=4,title=drsim check%3A backup-restore region-loss rpo::"
        ),
        "{err}"
    );
}

#[test]
fn baselines_pass_with_another_seed_and_fail_on_a_doubled_decision_delay() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let saved = check(d, &["--seed", "1", "--save-baseline", "base.json"]);
    assert_eq!(saved.status.code(), Some(0), "{}", stderr(&saved));

    let again = check(
        d,
        &["--seed", "2", "--baseline", "base.json", "--format", "json"],
    );
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    let report: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(report["baseline"]["scenario_changed"], false);
    let regression_cases = report["disasters"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["cases"].as_array().unwrap())
        .filter(|c| c["kind"] == "regression")
        .count();
    assert_eq!(regression_cases, 12);

    // The reference's manual decision, doubled (median 20m → 40m, p95 90m → 180m).
    std::fs::write(
        d.join("slow.toml"),
        "[detection]\nmanual-decision = { lognormal = { median = \"40m\", p95 = \"180m\" } }\n",
    )
    .unwrap();
    let slow = check(
        d,
        &[
            "slow.toml",
            "--seed",
            "2",
            "--baseline",
            "base.json",
            "--junit",
            "slow.xml",
        ],
    );
    assert_eq!(
        slow.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&slow.stdout)
    );
    let cases = junit_cases(&d.join("slow.xml"));
    assert!(
        cases
            .iter()
            .any(|c| c.0 == "region-loss" && c.1 == "p95-rto-vs-baseline" && c.2.is_some()),
        "{cases:?}"
    );
    // The objectives themselves still pass: the regression alone fails the check.
    assert!(
        cases
            .iter()
            .all(|c| c.1.contains("baseline") || c.2.is_none())
    );

    // A twice-as-large replica doubles its price: the monthly spend rises beyond 5 %.
    std::fs::write(
        d.join("big.toml"),
        "[database]\ninstance-class = \"db.r6g.xlarge\"\n",
    )
    .unwrap();
    let big = check(
        d,
        &[
            "big.toml",
            "--seed",
            "1",
            "--baseline",
            "base.json",
            "--junit",
            "big.xml",
        ],
    );
    assert_eq!(
        big.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&big.stdout)
    );
    let cases = junit_cases(&d.join("big.xml"));
    let spend = cases.iter().find(|c| c.0 == "monthly-spend").unwrap();
    assert_eq!(spend.1, "monthly-spend-vs-baseline");
    assert!(
        spend.2.as_deref().unwrap().contains("tolerance"),
        "{spend:?}"
    );
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--strategy", "hot-standby"],
            "unknown value \"hot-standby\"",
        ),
        (
            vec!["--baseline", "missing.json"],
            "missing.json: cannot read",
        ),
        (
            vec!["--baseline", "other.json"],
            "a baseline of another scenario",
        ),
        (
            vec!["--baseline", "pl.json", "--strategy", "warm-standby"],
            "a baseline of pilot-light",
        ),
        (
            vec!["--baseline", "garbage.json"],
            "not a drsim results file",
        ),
        (vec!["--shard-nonsense"], "unexpected argument"),
    ];
    std::fs::write(d.join("garbage.json"), "[1, 2").unwrap();
    std::fs::write(d.join("other.toml"), "name = \"Another app\"\n").unwrap();
    let made = check(d, &["other.toml", "--save-baseline", "other.json"]);
    assert!(made.status.code() == Some(0) || made.status.code() == Some(1));
    let made = check(d, &["--save-baseline", "pl.json"]);
    assert!(made.status.code() == Some(0) || made.status.code() == Some(1));
    for (args, expected) in cases {
        let out = check(
            d,
            &[
                &args[..],
                &["--junit", "j.xml", "--save-baseline", "new.json"],
            ]
            .concat(),
        );
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(expected),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(out.stdout.is_empty());
        assert!(
            !d.join("j.xml").exists() && !d.join("new.json").exists(),
            "{args:?}"
        );
    }
}
