//! `--precision`: adaptive runs stop on whole rounds of chunks, deterministically, and give the
//! output of a fixed run of the trials they used.

#![allow(clippy::unwrap_used)]

mod common;

use common::drsim;

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = drsim()
        .args(args)
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn an_adaptive_run_equals_the_fixed_run_of_the_trials_it_used() {
    let adaptive = [
        "simulate",
        "--precision",
        "p-meet=0.01",
        "--trials",
        "300000",
        "--format",
        "json",
        "--seed",
        "4",
    ];
    let (code, one, stderr) = run(&[&adaptive[..], &["--threads", "1"]].concat());
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("precision reached after 65536 trials"),
        "{stderr}"
    );
    let (_, two, _) = run(&[&adaptive[..], &["--threads", "2"]].concat());
    assert_eq!(one, two, "same trials and output at any thread count");
    let (_, fixed, _) = run(&[
        "simulate", "--trials", "65536", "--format", "json", "--seed", "4", "-q",
    ]);
    assert_eq!(one, fixed);
}

#[test]
fn an_unreachable_target_stops_at_the_cap_and_says_so() {
    let (code, stdout, stderr) = run(&[
        "check",
        "--precision",
        "p95-rto=1s",
        "--trials",
        "70000",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("precision not reached at the cap of 70000 trials"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["precision"]["reached"], false);
    assert_eq!(report["precision"]["trials_used"], 70000);
    assert_eq!(report["trials"], 70000);
    let (code, _, stderr) = run(&["simulate", "--precision", "p95-rto=soon"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("not a positive duration"), "{stderr}");
}
