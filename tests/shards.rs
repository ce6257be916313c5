//! Shards: merged slices render exactly what the whole run renders (a property test in process,
//! over shard counts and trial counts), and `drsim merge` refuses what is not one run's slices.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::drsim;
use drsim::cli::Format;
use drsim::results_file::{self, Header, ResultsFile, ShardRecord, Source};
use proptest::prelude::*;
use scenarios::RunOptions;
use scenarios::simulate::{CHUNK_SIZE, shard_range, simulate_range};

/// What `drsim simulate --format FORMAT` prints for these results.
fn rendered(source: &Source, results: &scenarios::Results, seed: u64, format: Format) -> String {
    let report = drsim::report::build(&source.scenario, &source.file, results, seed);
    reports::render(&report, format.into()).unwrap()
}

fn options(trials: u64, seed: u64, threads: usize) -> RunOptions<'static> {
    RunOptions {
        trials,
        seed,
        threads,
        progress: None,
    }
}

/// The shard files of a run, written and read back as text.
fn shard_files(source: &Source, trials: u64, seed: u64, count: u64) -> Vec<(String, ResultsFile)> {
    (1..=count)
        .map(|index| {
            let range = shard_range(trials, index, count).unwrap();
            let results =
                simulate_range(&source.scenario, &options(trials, seed, 1), range.clone()).unwrap();
            let file = ResultsFile::new(
                source,
                &Header {
                    command: "simulate",
                    strategy: None,
                    seed,
                    trials,
                    shard: ShardRecord { index, count },
                    range,
                    monthly_spend: None,
                },
                &results,
            )
            .unwrap();
            let name = format!("shard-{index}.json");
            let text = file.to_text().unwrap();
            (name.clone(), ResultsFile::parse(&text, &name).ok().unwrap())
        })
        .collect()
}

#[test]
fn shard_ranges_cover_the_run_once_on_chunk_boundaries() {
    for trials in [1, 4095, 4096, 4097, 100_000, 1_000_000] {
        for count in [1, 2, 3, 7, 100] {
            let mut next = 0;
            for k in 1..=count {
                let r = shard_range(trials, k, count).unwrap();
                assert_eq!(r.start, next, "{trials} trials, shard {k}/{count}");
                assert!(r.start % CHUNK_SIZE == 0 || r.start == trials);
                next = r.end;
            }
            assert_eq!(next, trials);
            assert!(shard_range(trials, 0, count).is_none());
            assert!(shard_range(trials, count + 1, count).is_none());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// Merged shards equal the whole run, byte for byte, in JSON and the table, whatever the
    /// number of shards (including more shards than chunks) and of trials.
    #[test]
    fn merged_shards_render_the_whole_run(
        trials in 1u64..14_000,
        count in 1u64..7,
        seed in 0u64..1000,
    ) {
        let source = Source::read(None).ok().unwrap();
        let whole = scenarios::simulate(&source.scenario, &options(trials, seed, 2)).unwrap();
        let mut files = shard_files(&source, trials, seed, count);
        files.reverse();
        let merged = results_file::merge(&files).ok().unwrap();
        prop_assert_eq!(merged.trials, trials);
        for format in [Format::Json, Format::Table, Format::Csv] {
            prop_assert_eq!(
                rendered(&merged.source, &merged.results, merged.seed, format),
                rendered(&source, &whole, seed, format)
            );
        }
    }
}

fn run_shard(dir: &Path, args: &[&str], out: &str) {
    let output = drsim()
        .current_dir(dir)
        .args(["simulate", "-q", "--out", out])
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `drsim merge ARGS` in `dir`: must exit 2 with every `expected` piece in the message and
/// nothing on stdout.
fn refused(dir: &Path, args: &[&str], expected: &[&str]) {
    let output = drsim()
        .current_dir(dir)
        .arg("merge")
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(output.stdout.is_empty(), "{args:?}");
    for piece in expected {
        assert!(stderr.contains(piece), "{args:?}: {stderr} lacks {piece}");
    }
}

#[test]
fn merge_on_the_command_line_equals_the_whole_run_and_refuses_mismatches() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let base = ["--trials", "9000", "--seed", "3"];
    for k in 1..=3 {
        run_shard(
            d,
            &[&base[..], &["--shard", &format!("{k}/3")]].concat(),
            &format!("s{k}.json"),
        );
    }
    let whole = drsim()
        .args(["simulate", "-q", "--format", "json"])
        .args(base)
        .output()
        .unwrap();
    let merged = drsim()
        .current_dir(d)
        .args([
            "merge", "-q", "--format", "json", "s2.json", "s3.json", "s1.json",
        ])
        .output()
        .unwrap();
    assert!(merged.status.success());
    assert_eq!(merged.stdout, whole.stdout);

    // `auto/N` takes the slice from the array job's index (0-based).
    let auto = drsim()
        .current_dir(d)
        .env("AWS_BATCH_JOB_ARRAY_INDEX", "1")
        .args(["simulate", "-q", "--shard", "auto/3", "--out", "auto.json"])
        .args(base)
        .output()
        .unwrap();
    assert!(auto.status.success());
    assert_eq!(
        std::fs::read(d.join("auto.json")).unwrap(),
        std::fs::read(d.join("s2.json")).unwrap()
    );

    refused(d, &["s1.json", "s2.json"], &["missing shard 3/3"]);
    refused(
        d,
        &["s1.json", "s2.json", "s2.json", "s3.json"],
        &["shard 2/3 given twice", "s2.json"],
    );
    run_shard(
        d,
        &["--trials", "9000", "--seed", "4", "--shard", "3/3"],
        "seed4.json",
    );
    refused(
        d,
        &["s1.json", "s2.json", "seed4.json"],
        &["seed4.json", "seed 4 vs 3"],
    );
    std::fs::write(d.join("mine.toml"), "[objectives]\nrto = \"2h\"\n").unwrap();
    run_shard(
        d,
        &[
            "mine.toml",
            "--trials",
            "9000",
            "--seed",
            "3",
            "--shard",
            "3/3",
        ],
        "other.json",
    );
    refused(
        d,
        &["s1.json", "s2.json", "other.json"],
        &["other.json", "scenario", "mine.toml"],
    );
    run_shard(
        d,
        &["--trials", "9000", "--seed", "3", "--shard", "1/2"],
        "half.json",
    );
    refused(
        d,
        &["s2.json", "s3.json", "half.json"],
        &["half.json", "shard count"],
    );
    std::fs::write(d.join("junk.json"), "{\"format\": \"something else\"}").unwrap();
    refused(
        d,
        &["junk.json"],
        &["junk.json", "not a drsim results file"],
    );
    let text = std::fs::read_to_string(d.join("s1.json")).unwrap();
    std::fs::write(
        d.join("v9.json"),
        text.replace("\"format_version\": 2", "\"format_version\": 9"),
    )
    .unwrap();
    refused(
        d,
        &["v9.json"],
        &["v9.json", "format version 9", "reads version 2"],
    );
    std::fs::write(
        d.join("cut.json"),
        text.replace("\"end\": 4096", "\"end\": 4000"),
    )
    .unwrap();
    refused(
        d,
        &["cut.json", "s2.json", "s3.json"],
        &["cut.json", "expected 0..4096"],
    );
    refused(d, &["nothing.json"], &["nothing.json", "cannot read"]);
    std::fs::write(
        d.join("tampered.json"),
        text.replace(
            "\"replication_overloaded\": 0",
            "\"replication_overloaded\": 99999",
        ),
    )
    .unwrap();
    refused(
        d,
        &["tampered.json", "s2.json", "s3.json"],
        &["tampered.json", "damaged results file"],
    );
}

#[test]
fn check_shards_merge_into_the_whole_check() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let base = [
        "--trials",
        "9000",
        "--seed",
        "8",
        "--strategy",
        "backup-restore",
    ];
    for k in 1..=2 {
        let out = drsim()
            .current_dir(d)
            .args([
                "check",
                "-q",
                "--shard",
                &format!("{k}/2"),
                "--out",
                &format!("c{k}.json"),
            ])
            .args(base)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let whole = drsim()
        .args(["check", "-q", "--format", "json"])
        .args(base)
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    let merged = drsim()
        .current_dir(d)
        .args(["merge", "-q", "--format", "json", "c2.json", "c1.json"])
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    assert_eq!(
        whole.status.code(),
        Some(1),
        "backup-restore misses its RPO"
    );
    assert_eq!(merged.status.code(), whole.status.code());
    assert_eq!(merged.stdout, whole.stdout);
    // A check shard and a simulate shard are not slices of one run.
    run_shard(
        d,
        &["--trials", "9000", "--seed", "8", "--shard", "2/2"],
        "s2.json",
    );
    refused(d, &["c1.json", "s2.json"], &["command"]);
}

#[test]
fn plan_shards_merge_into_the_whole_plan() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let base = ["--years", "1100", "--seed", "2"];
    for k in 1..=2 {
        let out = drsim()
            .current_dir(d)
            .args([
                "plan",
                "-q",
                "--shard",
                &format!("{k}/2"),
                "--out",
                &format!("p{k}.json"),
            ])
            .args(base)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let whole = drsim()
        .args(["plan", "-q", "--format", "json"])
        .args(base)
        .output()
        .unwrap();
    let merged = drsim()
        .current_dir(d)
        .args(["merge", "-q", "--format", "json", "p2.json", "p1.json"])
        .output()
        .unwrap();
    assert!(
        merged.status.success(),
        "{}",
        String::from_utf8_lossy(&merged.stderr)
    );
    assert_eq!(merged.stdout, whole.stdout);
    refused(d, &["p1.json"], &["missing shard 2/2"]);
}
