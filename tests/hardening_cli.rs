//! Hostile inputs and outputs at the binary's edges: device nodes, FIFOs, symbolic links,
//! file modes, a closed standard output, oversized files. (Issue 10; limits in docs/limits.md.)

#![allow(clippy::unwrap_used)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

mod common;

use common::drsim;

const BIN: &str = env!("CARGO_BIN_EXE_drsim");

/// Runs a shell command line (for umask and closed descriptors), returning (code, stderr).
fn sh(dir: &Path, script: &str) -> (Option<i32>, String) {
    let output = Command::new("sh")
        .current_dir(dir)
        .env("DRSIM", BIN)
        .args(["-c", script])
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn out_onto_a_device_node_is_refused_and_the_node_kept() {
    for args in [
        vec!["simulate", "--trials", "10", "-q", "--out", "/dev/null"],
        vec!["plan", "--years", "10", "-q", "--out", "/dev/null"],
        vec!["init", "--force", "/dev/null"],
    ] {
        let output = drsim().args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(
            stderr.contains("/dev/null: it is a character device"),
            "{stderr}"
        );
        assert!(stderr.contains("replaces only regular files"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    use std::os::unix::fs::FileTypeExt;
    let meta = std::fs::metadata("/dev/null").unwrap();
    assert!(meta.file_type().is_char_device());
}

#[test]
fn prices_import_out_onto_a_directory_or_device_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("pricing/tests/data/price-list-getproducts-sample.json");
    for out in [dir.path(), Path::new("/dev/null")] {
        let output = drsim()
            .args(["prices", "import", "-q", "--out"])
            .arg(out)
            .arg(&sample)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(3), "{stderr}");
        assert!(stderr.contains("replaces only regular files"), "{stderr}");
    }
    assert!(dir.path().is_dir());
}

#[test]
fn out_through_a_symlink_writes_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("report.txt");
    std::os::unix::fs::symlink("real.txt", &link).unwrap();
    drsim()
        .args(["simulate", "--trials", "100", "-q", "--out"])
        .arg(&link)
        .assert()
        .success();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let text = std::fs::read_to_string(dir.path().join("real.txt")).unwrap();
    assert!(text.starts_with("drsim"), "{text}");
}

#[test]
fn new_files_follow_the_umask_and_replaced_files_keep_their_mode() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stderr) = sh(
        dir.path(),
        "umask 027 && \"$DRSIM\" simulate --trials 100 -q --out new.txt && \"$DRSIM\" init fresh.toml",
    );
    assert_eq!(code, Some(0), "{stderr}");
    let mode = |name: &str| {
        std::fs::metadata(dir.path().join(name))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode("new.txt"), 0o640);
    assert_eq!(mode("fresh.toml"), 0o640);
    let kept = dir.path().join("kept.txt");
    std::fs::write(&kept, "old").unwrap();
    std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o604)).unwrap();
    drsim()
        .args(["simulate", "--trials", "100", "-q", "--out"])
        .arg(&kept)
        .assert()
        .success();
    assert_eq!(mode("kept.txt"), 0o604);
}

#[test]
fn a_closed_stdout_is_an_io_failure() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stderr) = sh(dir.path(), "\"$DRSIM\" simulate --trials 100 -q >&-");
    assert_eq!(code, Some(3), "{stderr}");
    assert!(stderr.contains("standard output is closed"), "{stderr}");
    // Discarding the report on purpose is fine.
    let (code, stderr) = sh(dir.path(), "\"$DRSIM\" simulate --trials 100 -q >/dev/null");
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn device_and_fifo_inputs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for path in ["/dev/zero", "/dev/urandom"] {
        let output = drsim()
            .args(["simulate", path, "--trials", "10", "-q"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(&format!(
                "{path}: cannot read the scenario file: it is a character device"
            )),
            "{stderr}"
        );
        let scenario = dir.path().join("s.toml");
        std::fs::write(&scenario, format!("[pricing]\ncatalog = \"{path}\"\n")).unwrap();
        let output = drsim()
            .args(["plan", "--years", "10", "-q"])
            .arg(&scenario)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("it is a character device"), "{stderr}");
    }
    let (code, stderr) = sh(
        dir.path(),
        "mkfifo pipe.toml && \"$DRSIM\" simulate pipe.toml --trials 10 -q",
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("pipe.toml: cannot read the scenario file: it is a FIFO"),
        "{stderr}"
    );
}

#[test]
fn oversized_inputs_are_refused_with_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.toml");
    let mut text = String::from("name = \"big\"\n");
    while text.len() <= 4 * 1024 * 1024 {
        text.push_str("# padding padding padding padding padding padding padding padding\n");
    }
    std::fs::write(&big, &text).unwrap();
    let output = drsim()
        .args(["simulate", "--trials", "10", "-q"])
        .arg(&big)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("more than the limit of 4,194,304 bytes"),
        "{stderr}"
    );
}

#[test]
fn trials_and_years_have_a_stated_upper_limit() {
    for (args, limit) in [
        (
            ["simulate", "--trials", "18446744073709551615"],
            "1..=10000000000",
        ),
        (["plan", "--years", "18446744073709551615"], "1..=100000000"),
    ] {
        let output = drsim().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(limit), "{stderr}");
    }
}

#[test]
fn a_run_expected_to_take_over_an_hour_is_announced() {
    use std::time::Duration;
    // 1,000 of 10,000,000 trials in 2 s: 20,000 s to go.
    let warning = drsim::duration_warning(1_000, Duration::from_secs(2), 10_000_000).unwrap();
    assert!(warning.contains("5h 33m"), "{warning}");
    assert!(warning.contains("500 per second"), "{warning}");
    // Fast enough, or not measured long enough yet: no warning.
    assert_eq!(
        drsim::duration_warning(1_000_000, Duration::from_secs(2), 10_000_000),
        None
    );
    assert_eq!(
        drsim::duration_warning(1, Duration::from_millis(500), 10_000_000),
        None
    );
}

#[test]
fn plan_threads_are_lowered_to_fit_the_memory_budget() {
    let (threads, warning) = drsim::budget::plan_threads(1024, 300);
    assert!(threads < 1024);
    assert!(warning.unwrap().contains("the output is the same"));
}

#[test]
fn every_invalid_catalog_is_refused_with_a_precise_message() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid-catalogs");
    common::check_invalid_inputs(&dir, 6, |file, _| {
        ["prices", "show", "--catalog", file]
            .iter()
            .map(Into::into)
            .collect()
    });
}

#[test]
fn every_invalid_plan_scenario_is_refused_with_a_precise_message() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid-plan");
    common::check_invalid_inputs(&dir, 2, |file, _| {
        ["plan", file, "--years", "2", "--threads", "1", "-q"]
            .iter()
            .map(Into::into)
            .collect()
    });
}

#[test]
fn the_counted_sweep_size_bounds_the_settings_made() {
    let scenario = scenarios::reference().unwrap();
    let catalog = pricing::Catalog::embedded().unwrap();
    let prices = planner::cost::Prices::new(
        &catalog,
        &scenario.recovery_region,
        scenario.pricing.fallback_region.as_deref(),
    );
    // An upper bound (duplicates, e.g. replica fractions that give the same class, are dropped),
    // and a close one.
    let made = planner::settings(&scenario, &prices).len();
    let counted = drsim::budget::sweep_size(&scenario);
    assert!(
        made <= counted && counted <= made * 2,
        "{made} made, {counted} counted"
    );
}
